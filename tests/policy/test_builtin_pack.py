"""Every example in every built-in policy runs through `greengate test`, and gives the outcome it documents."""

from __future__ import annotations

import json

from click.testing import CliRunner

from greengate.cli import main
from greengate.policy.load import builtin_pack_dir, load_policies

POLICIES = load_policies([builtin_pack_dir()], builtin=True)


def test_the_builtin_pack_passes_greengate_test_with_require_tests() -> None:
    """Each example is a case; every rule has a case that makes it fail."""
    result = CliRunner().invoke(
        main, ["test", "--builtin", "--require-tests", "--no-config", "--format", "json"]
    )
    assert result.exit_code == 0, result.stdout
    run = json.loads(result.stdout)
    failed = [c for c in run["cases"] if c["status"] != "pass"]
    assert failed == [] and run["untested"] == []
    assert run["summary"]["cases"] == sum(len(p.examples) for p in POLICIES)
    assert all(rule["passes"] and rule["fails"] for rule in run["coverage"])


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
