"""Bad input never crashes greengate and never loses other results.

Seeded mutations of real manifests (truncated, bytes flipped, values swapped
for other types) are checked together with one intact file: every run
finishes, and the intact file's deployment is always reported.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
import yaml

from greengate.app.check import catalog_view
from greengate.app.pipeline import read_deployments
from greengate.catalog import Catalog
from greengate.policy.engine import Engine
from greengate.policy.load import builtin_pack_dir, load_policies
from greengate.sources.files import SourceFile

CORPUS = Path(__file__).resolve().parent / "data" / "corpus" / "files"
SAMPLES = sorted(p for p in CORPUS.rglob("*") if p.suffix in (".yaml", ".yml", ".tf", ".json"))[::3]
INTACT = (
    Path(__file__).resolve().parents[1] / "examples" / "deployments" / "support-summarizer.yaml"
)
ODD_VALUES: list[Any] = [
    None,
    0,
    -1,
    1e308,
    "",
    "7B",
    [],
    {},
    [1, [2]],
    {"a": {"b": None}},
    True,
    "${X}",
]


def mutate_structure(data: Any, rng: random.Random) -> Any:
    if isinstance(data, dict) and data:
        key = rng.choice(list(data))
        data[key] = (
            rng.choice(ODD_VALUES) if rng.random() < 0.3 else mutate_structure(data[key], rng)
        )
    elif isinstance(data, list) and data:
        i = rng.randrange(len(data))
        data[i] = rng.choice(ODD_VALUES) if rng.random() < 0.3 else mutate_structure(data[i], rng)
    return data


def mutations(path: Path, rng: random.Random) -> list[bytes]:
    raw = path.read_bytes()
    flipped = bytearray(raw)
    for _ in range(3):
        flipped[rng.randrange(len(flipped))] = rng.randrange(256)
    out = [raw[: rng.randrange(len(raw))], bytes(flipped)]
    if path.suffix in (".yaml", ".yml"):
        try:
            documents = list(yaml.safe_load_all(raw))
        except yaml.YAMLError:
            return out
        for _ in range(3):
            changed = (
                [mutate_structure(d, rng) for d in yaml.safe_load_all(raw)] if documents else []
            )
            out.append(yaml.safe_dump_all(changed, sort_keys=False).encode())
    return out


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(
        load_policies([builtin_pack_dir()], builtin=True), catalog=catalog_view(Catalog.builtin())
    )


@pytest.mark.parametrize("path", SAMPLES, ids=[p.relative_to(CORPUS).as_posix() for p in SAMPLES])
def test_mutated_manifests_never_crash_or_hide_other_files(path: Path, engine: Engine) -> None:
    rng = random.Random(path.name)
    catalog = Catalog.builtin()
    for data in mutations(path, rng):
        files = [
            SourceFile(f"broken/{path.name}", path, data),
            SourceFile("intact.yaml", INTACT, INTACT.read_bytes()),
        ]
        deployments, _ = read_deployments(files, catalog)
        engine.evaluate(deployments)
        assert "support-summarizer" in {d.name for d in deployments}
