"""Every example in every built-in policy runs, and gives the outcome it documents."""

from __future__ import annotations

import json

import pytest

from greengate.app.check import catalog_view
from greengate.app.pipeline import adapt
from greengate.catalog import Catalog
from greengate.enrich.lookups import enrich
from greengate.load import load_bytes
from greengate.policy.engine import Engine
from greengate.policy.load import builtin_pack_dir, load_policies
from greengate.policy.model import Example, Policy
from greengate.records.finding import Status

POLICIES = load_policies([builtin_pack_dir()], builtin=True)
CASES = [(p, e) for p in POLICIES for e in p.examples]


def outcome(policy: Policy, example: Example) -> dict[str, Status]:
    catalog = Catalog.builtin()
    document = load_bytes(json.dumps(example.manifest).encode(), f"{policy.name}.json").documents[0]
    deployments, problems = adapt(document)
    assert not problems, problems
    engine = Engine(
        [policy], params={policy.name: dict(example.params)}, catalog=catalog_view(catalog)
    )
    findings = engine.evaluate([enrich(d, catalog) for d in deployments])
    return {f.rule_id: f.status for f in findings}


@pytest.mark.parametrize(
    ("policy", "example"), CASES, ids=[f"{p.name}: {e.name}" for p, e in CASES]
)
def test_example(policy: Policy, example: Example) -> None:
    statuses = outcome(policy, example)
    if example.expect == "pass":
        assert set(statuses.values()) == {Status.PASS}, statuses
    elif example.expect == "skip":
        assert set(statuses.values()) == {Status.SKIP}, statuses
    else:
        failing = {rule for rule, status in statuses.items() if status is Status.FAIL}
        assert Status.ERROR not in statuses.values(), statuses
        assert failing == set(example.rules or failing) and failing, statuses


def test_every_builtin_policy_documents_itself() -> None:
    for policy in POLICIES:
        assert policy.description and policy.title != policy.name
        assert any(e.expect == "pass" for e in policy.examples), policy.name
        assert any(e.expect == "fail" for e in policy.examples), policy.name
        for validation in policy.validations:
            assert validation.remediation and validation.field and validation.title != validation.id


def test_rule_ids_are_stable() -> None:
    """Rule ids are a public contract (SARIF ruleId, waiver keys): changing one is a breaking change."""
    assert {v.id: p.name for p in POLICIES for v in p.validations} == {
        "GG101": "model-size",
        "GG201": "low-carbon-region",
        "GG301": "rate-limits",
        "GG302": "rate-limits",
        "GG303": "rate-limits",
        "GG304": "rate-limits",
        "GG401": "hardware-generation",
        "GG501": "required-facts",
        "GG502": "required-facts",
        "GG503": "required-facts",
        "GG504": "required-facts",
        "GG601": "carbon-budget",
        "GG602": "carbon-budget",
    }


def test_policy_reference_is_up_to_date() -> None:
    """docs/policies.md is generated from the policies; regenerate with `greengate policies docs`."""
    from pathlib import Path

    from greengate.policy.docs import render_markdown

    committed = (Path(__file__).resolve().parents[2] / "docs" / "policies.md").read_text("utf-8")
    assert committed == render_markdown(POLICIES), "run: greengate policies docs > docs/policies.md"
