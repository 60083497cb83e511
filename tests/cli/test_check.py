"""`greengate check` end to end, as a user runs it: exit codes, stdout, stderr."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from greengate.cli import main

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"

GOOD = """\
apiVersion: greengate.dev/v1
kind: AIDeployment
metadata:
  name: good
  owner: team-a
spec:
  workload: inference
  task: summarization
  model:
    parameters: 7B
  cloud:
    provider: gcp
    region: europe-north1
  hardware:
    accelerator: nvidia-l4
    count: 1
  rateLimits:
    requestsPerMinute: 600
    tokensPerMinute: 100000
"""


def run(*args: str, cwd: Path | None = None) -> tuple[int, str, str]:
    runner = CliRunner()
    if cwd is not None:
        with runner.isolated_filesystem(temp_dir=cwd) as _:
            pass
    result = runner.invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def json_check(*args: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    code, out, _ = run("check", "--format", "json", *args)
    return code, json.loads(out)


def problems(report: dict) -> list[tuple[str, str, int]]:  # type: ignore[type-arg]
    return [
        (f["ruleId"], Path(f["file"]).name, f["line"])
        for f in report["findings"]
        if f["status"] in ("fail", "error")
    ]


def test_a_compliant_manifest_exits_0(tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text(GOOD)
    code, out, err = run("check", str(tmp_path))
    assert (code, err) == (0, "")
    assert out.startswith("PASS  11 passed") and "(1 deployment in 1 file; fail-on info)" in out


def test_examples_fail_with_located_findings() -> None:
    code, report = json_check(str(EXAMPLES), "--policy", str(EXAMPLES / "policies"))
    assert code == 1
    found = problems(report)
    # Each built-in policy is broken by the example written for it, at the line of the fact.
    assert ("GG101", "ticket-classifier.yaml", 12) in found  # parameters: 70B
    assert ("GG201", "chat-mumbai.yaml", 14) in found  # region: ap-south-1
    assert ("GG301", "embeddings.yaml", 7) in found  # `spec:` where rateLimits belongs
    assert ("GG401", "vision-legacy.yaml", 17) in found  # accelerator: nvidia-tesla-v100
    assert ("GG401", "embeddings.yaml", 16) in found  # T4 found through instanceType
    assert ("GG503", "prototype.yaml", 6) in found  # spec: (no cloud section)
    assert ("GG002", "training.yaml", 32) in found  # count: two
    assert ("ACME001", "prototype.yaml", 4) in found  # the custom policy, at metadata:
    assert not [f for f in found if f[1] in ("support-summarizer.yaml", "code-assistant.yaml")]


def test_text_output_lines(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(
        GOOD.replace("europe-north1", "ap-south-1").replace("provider: gcp", "provider: aws")
    )
    code, out, _ = run("check", str(tmp_path / "bad.yaml"), "--no-color")
    assert code == 1
    line = next(x for x in out.splitlines() if "GG201" in x)
    assert line.strip().startswith(f"{(tmp_path / 'bad.yaml').as_posix()}:13:13  HIGH")
    assert "region 'ap-south-1' has a grid intensity of" in line
    assert "How to fix" in out and out.rstrip().splitlines()[-1].startswith(
        "FAIL  1 failed (1 high)"
    )


def test_user_policy_with_params_and_message_expression(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(GOOD.replace("team-a", "team-z"))
    policy = EXAMPLES / "policies" / "owner-required.yaml"
    code, report = json_check(str(tmp_path / "m.yaml"), "--policy", str(policy), "--no-builtin")
    assert code == 1
    (finding,) = [f for f in report["findings"] if f["status"] == "fail"]
    assert (
        finding["ruleId"] == "ACME001"
        and finding["policy"] == "owner-required"
        and finding["line"] == 5
    )
    assert finding["message"].startswith("owner 'team-z' is not one of our teams: team-support")


def test_bad_files_are_error_findings_and_the_rest_is_still_checked(tmp_path: Path) -> None:
    (tmp_path / "a-good.yaml").write_text(GOOD)
    (tmp_path / "b-syntax.yaml").write_text(
        "apiVersion: greengate.dev/v1\nkind: AIDeployment\nmetadata: {name: x\nspec: {}\n"
    )
    (tmp_path / "c-type.yaml").write_text(GOOD.replace("count: 1", "count: 'two'"))
    (tmp_path / "d-binary.yaml").write_bytes(b"\x00\x01\x02binary")
    (tmp_path / "e-good.yaml").write_text(GOOD.replace("name: good", "name: good2"))
    code, report = json_check(str(tmp_path))
    assert code == 1
    errors = {
        (f["ruleId"], Path(f["file"]).name, f["line"])
        for f in report["findings"]
        if f["status"] == "error"
    }
    assert errors == {
        ("GG001", "b-syntax.yaml", 4),
        ("GG002", "c-type.yaml", 16),
        ("GG001", "d-binary.yaml", 1),
    }
    messages = {f["message"] for f in report["findings"] if f["status"] == "error"}
    assert "spec.hardware.count: 'two' is not of type 'integer'" in messages
    assert report["summary"]["deployments"] == 2
    assert report["summary"]["byStatus"]["pass"] == 22


def test_errors_fail_even_above_fail_on(tmp_path: Path) -> None:
    (tmp_path / "x.yaml").write_text("a: [\n")
    assert run("check", str(tmp_path), "--fail-on", "critical")[0] == 1


def test_fail_on_threshold(tmp_path: Path) -> None:
    # Only a medium failure (rate-limits): fails at the default, passes with --fail-on high.
    (tmp_path / "m.yaml").write_text(GOOD.replace("    tokensPerMinute: 100000\n", ""))
    assert run("check", str(tmp_path))[0] == 1
    assert run("check", str(tmp_path), "--fail-on", "high")[0] == 0


def test_policy_with_cel_typo_exits_2_naming_file_line_column(tmp_path: Path) -> None:
    policy = tmp_path / "typo.yaml"
    policy.write_text(
        (EXAMPLES / "policies" / "owner-required.yaml")
        .read_text()
        .replace("deployment.owner in params.teams", "deployment.owner in parms.teams")
    )
    (tmp_path / "m.yaml").write_text(GOOD)
    code, out, err = run("check", str(tmp_path / "m.yaml"), "--policy", str(policy))
    assert (code, out) == (2, "")
    assert err.startswith(
        f"greengate: error: {policy.as_posix()}:16:64: undeclared reference to 'parms' (did you mean 'params'?)"
    )
    assert err.count("\n") == 1


def test_missing_path_and_bad_option_exit_2(tmp_path: Path) -> None:
    assert run("check", str(tmp_path / "nope"))[0] == 2
    assert run("check", str(tmp_path), "--fail-on", "urgent")[0] == 2
    code, _, err = run("check", str(tmp_path), "--no-builtin")
    assert code == 2 and "--no-builtin leaves no policy to run" in err


def test_output_file(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(GOOD)
    out_file = tmp_path / "out" / "report.json"
    out_file.parent.mkdir()
    code, out, _ = run(
        "check", str(tmp_path / "m.yaml"), "--format", "json", "--output", str(out_file)
    )
    assert (code, out) == (0, "")
    assert json.loads(out_file.read_text())["summary"]["deployments"] == 1


def test_python_dash_m_and_version() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "greengate", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0 and done.stdout.startswith("greengate, version ")


def test_help_documents_exit_codes() -> None:
    code, out, _ = run("check", "--help")
    assert code == 0
    assert "Exit codes:" in out and "2  greengate could not run" in out


@pytest.mark.parametrize(
    "name",
    ["model-size", "low-carbon-region", "rate-limits", "hardware-generation", "required-facts"],
)
def test_policies_list(name: str) -> None:
    code, out, _ = run("policies", "list")
    assert code == 0 and name in out


def test_policies_list_shows_what_a_check_would_run(tmp_path: Path) -> None:
    (tmp_path / ".greengate.yaml").write_text(
        'rules:\n  disable: ["GG30*"]\n  severity: {GG401: critical}\n'
    )
    code, out, _ = run("policies", "list", str(tmp_path))
    assert code == 0
    assert "GG301" not in out and "rate-limits" not in out
    assert "  GG401    critical Accelerator generation" in out


def test_a_closed_pipe_is_not_a_crash() -> None:
    done = subprocess.run(
        f"{sys.executable} -m greengate check {REPO / 'tests' / 'data' / 'corpus'} --format json | head -1",
        shell=True,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.stderr == "" and done.stdout.strip()


def test_a_check_of_valid_files_imports_only_what_it_needs() -> None:
    """jsonschema only for a file with a schema error; no worker machinery for one process."""
    probe = (
        "import sys, runpy\n"
        "sys.argv = ['greengate', 'check', {path!r}, '--quiet']\n"
        "try:\n"
        "    runpy.run_module('greengate', run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = [m for m in ('jsonschema', 'multiprocessing', 'concurrent.futures',"
        " 'importlib.metadata') if m in sys.modules]\n"
        "print('HEAVY', heavy, 'celpy' in sys.modules)\n"
    )
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            probe.format(path=str(EXAMPLES / "deployments" / "chat-mumbai.yaml")),
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    assert "HEAVY [] True" in done.stdout, done.stdout[-300:] + done.stderr[-300:]
