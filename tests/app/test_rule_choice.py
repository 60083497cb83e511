"""--rule, --skip-rule, --policy-name, --soft-fail, --fail-on-empty, --quiet and --compact."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.conftest import EXAMPLES

from greengate.cli import main


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def rules_run(*args: str) -> set[str]:
    code, out, err = run("check", str(EXAMPLES), "--format", "json", *args)
    assert code in (0, 1), err
    return {
        f["ruleId"] for f in json.loads(out)["findings"] if f["ruleId"] not in ("GG001", "GG002")
    }


def test_rule_and_skip_rule_take_ids_globs_and_severities() -> None:
    everything = rules_run()
    assert rules_run("--rule", "GG201") == {"GG201"}
    assert rules_run("--rule", "GG30*") == {r for r in everything if r.startswith("GG30")}
    assert rules_run("--skip-rule", "GG30*") == {r for r in everything if not r.startswith("GG30")}
    high = rules_run("--rule", "high")
    assert "GG201" in high and "GG301" not in high  # GG301 is medium
    assert "GG301" not in rules_run("--skip-rule", "medium") and "GG201" in rules_run(
        "--skip-rule", "medium"
    )
    assert rules_run("--policy-name", "rate-*") == {r for r in everything if r.startswith("GG30")}


def test_the_severity_in_effect_is_the_one_the_config_sets(tmp_path: Path) -> None:
    (tmp_path / "d.yaml").write_text((EXAMPLES / "deployments" / "embeddings.yaml").read_text())
    (tmp_path / ".greengate.yaml").write_text("rules:\n  severity: {GG301: critical}\n")
    code, out, _ = run("check", str(tmp_path), "--format", "json", "--rule", "critical")
    assert code == 1
    assert {f["ruleId"] for f in json.loads(out)["findings"]} == {"GG301"}


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--rule", "GG2O1"], "--rule GG2O1: no rule id has that name (did you mean GG201?)"),
        (["--policy-name", "rate-limit"], "no policy has that name (did you mean rate-limits?)"),
        (["--rule", "GG201", "--skip-rule", "high"], "leave no rule to run"),
    ],
)
def test_a_choice_that_names_nothing_stops_the_run(args: list[str], words: str) -> None:
    code, out, err = run("check", str(EXAMPLES), *args)
    assert code == 2 and out == ""
    assert words in err and err.count("\n") == 1


def test_soft_fail_reports_but_exits_0() -> None:
    code, out, _ = run("check", str(EXAMPLES), "--soft-fail")
    assert code == 0 and "FAIL " in out
    code, _, _ = run("check", str(EXAMPLES), "--soft-fail", "--rule", "nope")
    assert code == 2  # greengate could not run: never softened


def test_an_empty_run_says_so_and_can_fail(tmp_path: Path) -> None:
    (tmp_path / "values.yaml").write_text("replicaCount: 1\n")
    code, out, _ = run("check", str(tmp_path))
    assert code == 0
    assert "note: 0 deployments found in 1 file: is the path right?" in out
    code, out, _ = run("check", str(tmp_path), "--fail-on-empty")
    assert code == 1 and "FAIL" in out.splitlines()[-1]
    code, out, _ = run("check", str(tmp_path), "--fail-on-empty", "--format", "json")
    assert code == 1 and json.loads(out)["exitCode"] == 1
    code, out, _ = run("check", str(tmp_path), "--fail-on-empty", "--format", "markdown")
    assert "no deployment found" in out


def test_quiet_and_compact_shorten_only_the_text_report(tmp_path: Path) -> None:
    _, full, _ = run("check", str(EXAMPLES))
    _, quiet, _ = run("check", str(EXAMPLES), "--quiet")
    _, compact, _ = run("check", str(EXAMPLES), "--compact")
    summary = full.rstrip("\n").splitlines()[-1]
    assert quiet == summary + "\n"
    lines = compact.rstrip("\n").splitlines()
    assert lines[-1] == summary
    failing = [line for line in lines if "  GG" in line or "ACME" in line]
    assert failing and all(
        line.startswith("examples/") or line.startswith(str(EXAMPLES)) for line in failing
    )
    assert "How to fix" not in compact
    out = tmp_path / "r.json"
    run("check", str(EXAMPLES), "--quiet", "--report", f"json={out}")
    assert json.loads(out.read_text())["findings"]  # machine formats keep everything


def test_audit_takes_the_same_rule_choice() -> None:
    code, out, _ = run("audit", str(EXAMPLES), "--format", "json", "--rule", "GG201")
    assert code == 0
    assert {r["rule_id"] for r in json.loads(out)["rules"]} <= {"GG201", "GG001", "GG002"}
