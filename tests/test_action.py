"""The GitHub Action's check step (action/run.sh), run with a simulated GITHUB_* environment."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import git
import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
RUN = REPO / "action" / "run.sh"

GOOD = (REPO / "examples" / "deployments" / "support-summarizer.yaml").read_text()
BAD_REGION = GOOD.replace("europe-north1", "asia-south1").replace(
    "name: support-summarizer", "name: apac"
)


@pytest.fixture
def workspace(tmp_path: Path) -> tuple[Path, str]:
    """A repository whose pull request adds a manifest in a high-carbon region."""
    root = tmp_path / "ws"
    repo = git.Repo.init(root, initial_branch="main")
    with repo.config_writer() as cfg:
        cfg.set_value("user", "name", "t")
        cfg.set_value("user", "email", "t@example.com")
    (root / "deploy").mkdir()
    (root / "deploy" / "ok.yaml").write_text(GOOD)
    repo.git.add("-A")
    repo.index.commit("base")
    base = str(repo.head.commit.hexsha)
    repo.git.checkout("-b", "pr")
    (root / "deploy" / "apac.yaml").write_text(BAD_REGION)
    repo.git.add("-A")
    repo.index.commit("pr")
    return root, base


def run_action(
    root: Path, tmp_path: Path, base: str, **inputs: str
) -> tuple[int, str, dict[str, str], str]:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"base": {"sha": base}}}))
    summary, output = tmp_path / "summary.md", tmp_path / "output.txt"
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_OUTPUT": str(output),
        "RUNNER_TEMP": str(tmp_path),
        "INPUT_PATHS": "deploy",
        "INPUT_SARIF_FILE": "greengate.sarif",
        **{f"INPUT_{k.upper()}": v for k, v in inputs.items()},
    }
    done = subprocess.run(
        ["bash", str(RUN)], cwd=root, env=env, capture_output=True, text=True, check=False
    )
    outputs = (
        dict(line.split("=", 1) for line in output.read_text().splitlines())
        if output.exists()
        else {}
    )
    return done.returncode, done.stdout, outputs, summary.read_text() if summary.exists() else ""


def test_pull_request_run_annotates_summarises_and_fails(
    workspace: tuple[Path, str], tmp_path: Path
) -> None:
    root, base = workspace
    code, stdout, outputs, summary = run_action(root, tmp_path, base)
    assert code == 1
    assert (
        "::error file=deploy/apac.yaml,line=16,col=13" in stdout
    )  # the annotation on the region line
    assert "ok.yaml" not in stdout  # unchanged files are not checked
    assert outputs == {
        "verdict": "fail",
        "failed": "1",
        "errors": "0",
        "passed": "10",
        "waived": "0",
        "sarif-file": "greengate.sarif",
    }
    assert summary.startswith("## ❌") and "GG201" in summary
    sarif = json.loads((root / "greengate.sarif").read_text())
    assert sarif["runs"][0]["results"][0]["ruleId"] == "GG201"


def test_passing_run_sets_verdict_pass(workspace: tuple[Path, str], tmp_path: Path) -> None:
    root, base = workspace
    (root / "deploy" / "apac.yaml").write_text(
        GOOD.replace("name: support-summarizer", "name: apac")
    )
    code, _, outputs, summary = run_action(root, tmp_path, base)
    assert code == 0 and outputs["verdict"] == "pass" and summary.startswith("## ✅")


def test_inputs_fail_on_and_explicit_base(workspace: tuple[Path, str], tmp_path: Path) -> None:
    root, base = workspace
    code, _, outputs, _ = run_action(
        root, tmp_path, "ignored-by-explicit-base", **{"fail_on": "critical", "base_ref": base}
    )
    assert code == 0 and outputs["verdict"] == "pass" and outputs["failed"] == "1"


def test_action_metadata_runs_this_script() -> None:
    action = yaml.safe_load((REPO / "action.yml").read_text())
    assert set(action["inputs"]) == {
        "paths",
        "config",
        "fail-on",
        "base-ref",
        "new-only",
        "sarif-file",
        "python-version",
    }
    assert action["runs"]["using"] == "composite"
    step = action["runs"]["steps"][-1]
    assert "action/run.sh" in step["run"]
    assert set(action["outputs"]) == {
        "verdict",
        "failed",
        "errors",
        "passed",
        "waived",
        "sarif-file",
    }


def test_example_workflow_is_least_privilege_pull_request() -> None:
    workflow = yaml.safe_load((REPO / "examples" / "workflows" / "greengate.yml").read_text())
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert "pull_request" in triggers and "pull_request_target" not in triggers
    assert workflow["permissions"] == {"contents": "read"}
    job = workflow["jobs"]["greengate"]
    assert job["permissions"] == {"contents": "read", "security-events": "write"}
    uses = [step.get("uses", "") for step in job["steps"]]
    assert any(u.startswith("github/codeql-action/upload-sarif") for u in uses)
    checkout = next(
        step for step in job["steps"] if step.get("uses", "").startswith("actions/checkout")
    )
    assert checkout["with"]["fetch-depth"] == 0


def test_pre_commit_hook() -> None:
    hook, _ = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert (
        hook["id"] == "greengate"
        and hook["entry"] == "greengate check --with-siblings"
        and hook["language"] == "python"
    )


def test_pre_commit_test_hook_runs_the_config_s_policy_tests(tmp_path: Path) -> None:
    """As pre-commit runs it: the entry, no file names, in the repository's root."""
    _, hook = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert (hook["id"], hook["language"], hook["pass_filenames"]) == (
        "greengate-test",
        "python",
        False,
    )
    files = re.compile(hook["files"])
    assert files.search("policies/gpu.yaml") and files.search("policies/gpu.greengate-test.yaml")
    shutil.copytree(REPO / "docs" / "policy-tests", tmp_path / "policies")
    (tmp_path / ".greengate.yaml").write_text("policies:\n  paths: [policies]\n")
    program, command = hook["entry"].split()
    assert program == "greengate"
    (tmp_path / "policies" / "manifests").rename(tmp_path / "manifests")
    test_file = tmp_path / "policies" / "small-model-few-gpus.greengate-test.yaml"
    test_file.write_text(test_file.read_text().replace("manifests/", "../manifests/"))
    ran = subprocess.run(
        [sys.executable, "-m", "greengate", command],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert ran.stdout.splitlines()[-1] == "PASS  5 passed  (5 cases, 1 policy, 1 rule)"
