"""Both CEL engines give the same results: every built-in policy example, and the whole corpus.

Runs where the cel-cpp binding is installed (``pip install -e '.[test,fast]'``;
``.ci/run`` does it in a second environment).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from greengate.app.check import catalog_view
from greengate.app.pipeline import adapt
from greengate.catalog import Catalog
from greengate.cli import main
from greengate.enrich.lookups import enrich
from greengate.load import load_bytes
from greengate.policy.cel import cpp_installed, select_engine
from greengate.policy.engine import Engine
from greengate.policy.load import builtin_pack_dir, load_policies

pytestmark = pytest.mark.skipif(
    not cpp_installed(), reason="cel-expr-python (greengate[fast]) is not installed"
)

CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus" / "files"


@pytest.fixture
def engine_reset() -> Iterator[None]:
    yield
    select_engine("auto")


def example_outcomes(engine: str) -> dict[str, Any]:
    """Every example of every built-in policy -> the status and message of each finding."""
    select_engine(engine)
    catalog = Catalog.builtin()
    outcomes: dict[str, Any] = {}
    for policy in load_policies([builtin_pack_dir()], builtin=True):
        for example in policy.examples:
            if example.manifest is not None:
                document = example.manifest  # still at its lines of the policy file
            else:
                assert example.file is not None
                document = load_bytes(example.file.read_bytes(), str(example.file)).documents[0]
            deployments, _ = adapt(document)
            run = Engine(
                [policy], params={policy.name: dict(example.params)}, catalog=catalog_view(catalog)
            )
            findings = run.evaluate([enrich(d, catalog) for d in deployments])
            outcomes[f"{policy.name}: {example.name}"] = [
                (f.rule_id, f.status, f.message) for f in findings
            ]
    return outcomes


def test_every_builtin_example_gives_the_same_findings_on_both_engines(
    engine_reset: None,
) -> None:
    python, cpp = example_outcomes("python"), example_outcomes("cpp")
    assert python.keys() == cpp.keys()
    assert len(python) > 20
    for name in python:
        assert python[name] == cpp[name], name


def corpus_report(engine: str) -> dict[str, Any]:
    result = CliRunner().invoke(
        main,
        ["check", str(CORPUS), "--no-config", "--format", "json", "--cel-engine", engine],
        catch_exceptions=False,
    )
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def test_the_corpus_gives_the_same_report_on_both_engines(engine_reset: None) -> None:
    python, cpp = corpus_report("python"), corpus_report("cpp")
    assert len(python["findings"]) > 1000
    assert python["summary"] == cpp["summary"]
    for left, right in zip(python["findings"], cpp["findings"], strict=True):
        assert left == right
    assert python == cpp
