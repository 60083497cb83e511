"""Deployments that read the same share each program's outcome, and nothing else changes."""

from __future__ import annotations

from pathlib import Path

from greengate.app.check import catalog_view
from greengate.app.pipeline import read_deployments
from greengate.catalog import Catalog
from greengate.policy.cel import default_backend
from greengate.policy.engine import WHOLE, Engine, input_key, reads_of
from greengate.policy.load import builtin_pack_dir, load_policies
from greengate.sources.discover import discover

CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus" / "files"


def reads(*sources: str) -> tuple[tuple[str, ...], ...]:
    backend = default_backend()
    return reads_of(backend.compile(s) for s in sources)


def test_the_paths_read_come_from_the_parse_tree() -> None:
    assert reads("deployment.cloud.region == 'x'", "has(deployment.cloud.provider)") == (
        ("cloud", "provider"),
        ("cloud", "region"),
    )
    # a path inside another read is covered by it; a macro reads under its target
    assert reads("deployment.cloud.region != ''", "deployment.cloud.size() > 0") == (("cloud",),)
    assert reads("deployment.labels.all(k, k != 'deployment')") == (("labels",),)
    assert reads("params.max > 1") == ()


def test_a_bare_or_indexed_deployment_is_read_whole() -> None:
    assert reads("deployment['cloud'].region == 'x'") == WHOLE
    assert reads("deployment.all(k, k != '')") == WHOLE


def test_the_key_tells_apart_what_cel_tells_apart() -> None:
    paths = (("replicas", "max"),)

    def key(value: object) -> object:
        return input_key({"replicas": {"max": value}}, paths)

    assert key(1) != key(1.0) != key(True)
    assert key(1) == key(1)
    assert input_key({}, paths) != input_key({"replicas": {}}, paths)
    assert input_key({"replicas": 3}, paths) != input_key({"replicas": {"max": 3}}, paths)
    assert key({"a": 1, "b": 2}) != key({"b": 2, "a": 1})  # a macro over a map sees its order


def corpus_findings(shared: bool) -> tuple[list[tuple[object, ...]], Engine]:
    catalog = Catalog.builtin()
    deployments, _ = read_deployments(discover([CORPUS]), catalog)
    engine = Engine(
        load_policies([builtin_pack_dir()], builtin=True), catalog=catalog_view(catalog)
    )
    if not shared:
        engine.memo = None
    findings = engine.evaluate(deployments)
    return [
        (f.rule_id, f.status, f.message, f.location, f.deployment, f.fingerprint) for f in findings
    ], engine


def test_the_corpus_gives_the_same_findings_with_and_without_sharing() -> None:
    shared, engine = corpus_findings(True)
    alone, _ = corpus_findings(False)
    assert len(shared) > 1000
    assert shared == alone
    assert engine.memo is not None and engine.memo.hits > engine.memo.misses
