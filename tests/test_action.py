"""The GitHub Action's check step (action/run.sh), run with GitHub's environment.

Each test runs the real script, with the real greengate, in a real git
repository with a base and a head commit, with GITHUB_EVENT_NAME,
GITHUB_EVENT_PATH (a real event payload), GITHUB_OUTPUT and
GITHUB_STEP_SUMMARY as a runner sets them; then it reads what a job would
show: the annotations in the log, the job summary, the step outputs and
the SARIF file the upload step would send.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import git
import jsonschema
import pytest
import yaml
from tests.multitool import problems

REPO = Path(__file__).resolve().parents[1]
RUN = REPO / "action" / "run.sh"
SARIF_SCHEMA = json.loads((REPO / "tests" / "data" / "sarif-schema-2.1.0.json").read_text("utf-8"))

GOOD = (REPO / "examples" / "deployments" / "support-summarizer.yaml").read_text()
BAD_REGION = GOOD.replace("europe-north1", "asia-south1").replace(
    "name: support-summarizer", "name: apac"
)
UNDECLARED = (REPO / "examples" / "deployments" / "prototype.yaml").read_text()
"""Six failing findings (five high, one medium): nobody wrote down where it runs or on what."""
OUTPUTS = {
    "verdict",
    "failed",
    "errors",
    "passed",
    "existing",
    "waived",
    "skipped",
    "report-json",
    "sarif",
}


@dataclass
class Workspace:
    root: Path
    repo: git.Repo
    base: str

    def commit(self, files: dict[str, str], message: str) -> str:
        for name, text in files.items():
            path = self.root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        self.repo.git.add("-A")
        self.repo.index.commit(message)
        return str(self.repo.head.commit.hexsha)


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    """main has one compliant manifest; branch ``pr`` adds one in a high-carbon region."""
    root = tmp_path / "ws"
    repo = git.Repo.init(root, initial_branch="main")
    with repo.config_writer() as cfg:
        cfg.set_value("user", "name", "t")
        cfg.set_value("user", "email", "t@example.com")
    space = Workspace(root, repo, "")
    space.base = space.commit({"deploy/ok.yaml": GOOD}, "base")
    repo.git.checkout("-b", "pr")
    space.commit({"deploy/apac.yaml": BAD_REGION}, "pr")
    return space


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    outputs: dict[str, str]
    summary: str
    sarif: dict[str, Any]

    @property
    def annotations(self) -> list[str]:
        return [
            line
            for line in self.stdout.splitlines()
            if re.match(r"::(error|warning|notice) ", line)
        ]

    def kinds(self) -> list[str]:
        return [line.split(" ", 1)[0] for line in self.annotations]


def read_outputs(path: Path) -> dict[str, str]:
    """$GITHUB_OUTPUT as the runner reads it: ``name=value`` and ``name<<DELIMITER`` blocks."""
    found: dict[str, str] = {}
    lines = iter(path.read_text().splitlines()) if path.exists() else iter(())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            value = []
            for more in lines:
                if more == delimiter:
                    break
                value.append(more)
            found[name] = "\n".join(value)
        else:
            name, _, value = line.partition("=")
            found[name] = value
    return found


def pull_request_event(space: Workspace) -> tuple[str, dict[str, Any]]:
    return "pull_request", {
        "action": "synchronize",
        "number": 7,
        "pull_request": {
            "number": 7,
            "base": {"ref": "main", "sha": space.base},
            "head": {
                "ref": "pr",
                "sha": str(space.repo.head.commit.hexsha),
                "repo": {"fork": False},
            },
        },
        "repository": {"full_name": "acme/platform"},
    }


def push_event(space: Workspace) -> tuple[str, dict[str, Any]]:
    return "push", {
        "ref": "refs/heads/main",
        "before": space.base,
        "after": str(space.repo.head.commit.hexsha),
        "repository": {"full_name": "acme/platform"},
    }


def run_action(
    space: Workspace, tmp_path: Path, event: tuple[str, dict[str, Any]], **inputs: str
) -> Run:
    name, payload = event
    (tmp_path / "event.json").write_text(json.dumps(payload))
    summary, output, runner_temp = (
        tmp_path / "summary.md",
        tmp_path / "output.txt",
        tmp_path / "temp",
    )
    runner_temp.mkdir(exist_ok=True)
    for stale in (summary, output):
        stale.unlink(missing_ok=True)  # a new step: new files
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "INPUT_"))},
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKFLOW": "greengate",
        "GITHUB_JOB": "check",
        "GITHUB_EVENT_NAME": name,
        "GITHUB_EVENT_PATH": str(tmp_path / "event.json"),
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_OUTPUT": str(output),
        "RUNNER_TEMP": str(runner_temp),
        "INPUT_PATHS": "deploy",
        "INPUT_SARIF_FILE": "greengate.sarif",
        **{f"INPUT_{k.upper()}": v for k, v in inputs.items()},
    }
    done = subprocess.run(
        ["bash", str(RUN)], cwd=space.root, env=env, capture_output=True, text=True, check=False
    )
    outputs = read_outputs(output)
    sarif_path = Path(outputs.get("sarif", space.root / "greengate.sarif"))
    sarif = json.loads(sarif_path.read_text()) if sarif_path.exists() else {}
    if sarif:
        jsonschema.Draft7Validator(SARIF_SCHEMA).validate(sarif)
    text = summary.read_text() if summary.exists() else ""
    return Run(done.returncode, done.stdout, done.stderr, outputs, text, sarif)


def test_pull_request_that_fails(workspace: Workspace, tmp_path: Path) -> None:
    run = run_action(workspace, tmp_path, pull_request_event(workspace))
    assert run.code == 1
    # The annotation on the region line; unchanged files are not checked.
    assert run.annotations[0].startswith("::error file=deploy/apac.yaml,line=16,col=13")
    assert "ok.yaml" not in run.stdout
    assert set(run.outputs) == OUTPUTS
    counts = {
        k: run.outputs[k] for k in ("verdict", "failed", "errors", "passed", "existing", "waived")
    }
    assert counts == {
        "verdict": "fail",
        "failed": "1",
        "errors": "0",
        "passed": "10",
        "existing": "0",
        "waived": "0",
    }
    assert run.outputs["sarif"] == str(workspace.root / "greengate.sarif")
    report = json.loads(Path(run.outputs["report-json"]).read_text())
    assert str(report["summary"]["byStatus"]["skip"]) == run.outputs["skipped"]
    assert run.summary.startswith("## ❌") and "GG201" in run.summary
    (sarif_run,) = run.sarif["runs"]
    assert sarif_run["results"][0]["ruleId"] == "GG201"
    assert sarif_run["automationDetails"] == {"id": "greengate/greengate/check/"}
    (provenance,) = sarif_run["versionControlProvenance"]
    assert provenance["revisionId"] == str(workspace.repo.head.commit.hexsha)
    assert provenance["branch"] == "pr"
    region = sarif_run["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert region["snippet"] == {"text": "asia-south1"}


def test_pull_request_that_passes(workspace: Workspace, tmp_path: Path) -> None:
    workspace.commit(
        {"deploy/apac.yaml": GOOD.replace("name: support-summarizer", "name: apac")}, "fix"
    )
    run = run_action(workspace, tmp_path, pull_request_event(workspace))
    assert run.code == 0 and run.outputs["verdict"] == "pass" and run.outputs["failed"] == "0"
    assert run.summary.startswith("## ✅") and run.annotations == []
    assert run.sarif["runs"][0]["results"] == []


def test_pull_request_whose_base_config_is_broken_still_completes_the_job(
    workspace: Workspace, tmp_path: Path
) -> None:
    """Exit 2: summary, one error annotation, a valid SARIF for upload-sarif, no stale report."""
    workspace.repo.git.checkout("main")
    workspace.base = workspace.commit({".greengate.yaml": "failOn: sometimes\n"}, "bad config")
    workspace.repo.git.checkout("pr")
    workspace.repo.git.merge("main")
    # What an earlier run of this job left: it must not be read as this run's result.
    (workspace.root / "greengate.sarif").write_text('{"stale": true}')
    (tmp_path / "temp").mkdir()
    (tmp_path / "temp" / "greengate-report.json").write_text(
        '{"summary": {"byStatus": {"fail": 99}}}'
    )
    run = run_action(workspace, tmp_path, pull_request_event(workspace))
    assert run.code == 2
    assert run.kinds() == ["::error"]
    assert (
        "failOn" in run.annotations[0] and "title=greengate could not check" in run.annotations[0]
    )
    assert run.summary.startswith("## ⚠️ greengate could not check") and "failOn" in run.summary
    assert run.outputs["verdict"] == "error" and run.outputs["failed"] == ""
    assert run.outputs["report-json"] == ""
    assert not (tmp_path / "temp" / "greengate-report.json").exists()
    (sarif_run,) = run.sarif["runs"]
    assert sarif_run["results"] == []
    (invocation,) = sarif_run["invocations"]
    assert invocation["executionSuccessful"] is False
    assert "failOn" in invocation["toolExecutionNotifications"][0]["message"]["text"]


def test_a_message_from_a_manifest_cannot_write_a_workflow_command(
    workspace: Workspace, tmp_path: Path
) -> None:
    """An exit-2 message quoting the repository is escaped: no second command, no ANSI escape."""
    run = run_action(
        workspace,
        tmp_path,
        pull_request_event(workspace),
        config="deploy/x\n::warning::owned\x1b[31m",
    )
    assert run.code == 2 and run.kinds() == ["::error"]
    # The log is stdout and stderr: no line of either starts another command.
    log = (run.stdout + run.stderr).splitlines()
    assert [line for line in log if line.startswith("::")] == run.annotations
    assert "owned" in run.annotations[0]  # shown, escaped
    assert "\x1b" not in run.stdout + run.stderr + run.summary


def test_push_to_main_checks_everything_against_the_baseline(
    workspace: Workspace, tmp_path: Path
) -> None:
    """No base on a push: the baseline's findings are existing, only a new one fails."""
    workspace.repo.git.checkout("main")
    workspace.commit({"deploy/legacy.yaml": UNDECLARED}, "legacy")
    subprocess.run(
        [Path(sys.executable).parent / "greengate", "baseline", "create", "deploy"],
        cwd=workspace.root,
        check=True,
        capture_output=True,
    )
    workspace.commit({".greengate.yaml": "baseline: .greengate-baseline.json\n"}, "adopt")
    run = run_action(workspace, tmp_path, push_event(workspace))
    assert run.code == 0, run.stderr
    assert run.outputs["verdict"] == "pass" and run.outputs["existing"] == "6"
    assert run.outputs["failed"] == "0" and run.annotations == []
    states = {r["baselineState"] for r in run.sarif["runs"][0]["results"]}
    assert states == {"unchanged"}

    workspace.commit({"deploy/apac.yaml": BAD_REGION}, "a new high-carbon deployment")
    run = run_action(workspace, tmp_path, push_event(workspace))
    assert run.code == 1 and run.outputs["failed"] == "1" and run.outputs["existing"] == "6"
    assert [a.split(",", 1)[0] for a in run.annotations] == ["::error file=deploy/apac.yaml"]


def test_push_with_a_broken_config_completes_the_job(workspace: Workspace, tmp_path: Path) -> None:
    workspace.repo.git.checkout("main")
    workspace.commit({".greengate.yaml": "baseline: missing.json\n"}, "bad")
    run = run_action(workspace, tmp_path, push_event(workspace))
    assert run.code == 2 and run.kinds() == ["::error"] and "missing.json" in run.summary
    assert run.outputs["verdict"] == "error"
    assert run.sarif["runs"][0]["invocations"][0]["executionSuccessful"] is False


def test_the_baseline_input_is_read_at_the_base_on_a_pull_request(
    workspace: Workspace, tmp_path: Path
) -> None:
    """A pull request cannot add its own finding to the baseline and pass."""
    (workspace.root / "deploy" / "apac.yaml").unlink()
    subprocess.run(
        [Path(sys.executable).parent / "greengate", "baseline", "create", "deploy"],
        cwd=workspace.root,
        check=True,
        capture_output=True,
    )
    workspace.commit({"deploy/apac.yaml": BAD_REGION}, "pr records its finding")
    run = run_action(
        workspace, tmp_path, pull_request_event(workspace), baseline=".greengate-baseline.json"
    )
    assert run.code == 1 and run.outputs["existing"] == "0"
    assert "does not exist at" in run.stdout  # the base has no baseline yet: said, not ignored


def test_the_configs_baseline_is_read_at_the_base_on_a_pull_request(
    workspace: Workspace, tmp_path: Path
) -> None:
    """Adoption: main records its findings; a pull request touching that manifest passes."""
    workspace.repo.git.checkout("main")
    workspace.commit({"deploy/legacy.yaml": UNDECLARED}, "legacy")
    subprocess.run(
        [Path(sys.executable).parent / "greengate", "baseline", "create", "deploy"],
        cwd=workspace.root,
        check=True,
        capture_output=True,
    )
    workspace.base = workspace.commit(
        {".greengate.yaml": "baseline: .greengate-baseline.json\n"}, "adopt"
    )
    workspace.repo.git.checkout("-b", "touch-legacy")
    workspace.commit({"deploy/legacy.yaml": "# reviewed\n" + UNDECLARED}, "a comment")
    run = run_action(workspace, tmp_path, pull_request_event(workspace))
    assert run.code == 0, run.stdout
    assert run.outputs["existing"] == "6" and run.outputs["failed"] == "0"
    assert "no longer fail" not in run.stdout  # the unchanged files' entries are not "fixed"


def test_soft_fail_reports_but_does_not_fail_the_job(workspace: Workspace, tmp_path: Path) -> None:
    run = run_action(workspace, tmp_path, pull_request_event(workspace), soft_fail="true")
    assert run.code == 0 and run.outputs["verdict"] == "fail" and run.outputs["failed"] == "1"
    assert run.kinds() == ["::error", "::notice"] and "soft-fail" in run.annotations[-1]


def test_working_directory_and_args_inputs(workspace: Workspace, tmp_path: Path) -> None:
    run = run_action(
        workspace,
        tmp_path,
        pull_request_event(workspace),
        working_directory="deploy",
        paths=".",
        args="--fail-on 'critical'",
        base_ref=workspace.base,
    )
    # GG201 is high: below --fail-on critical, so reported and not gating.
    assert run.code == 0 and run.outputs["verdict"] == "pass" and run.outputs["failed"] == "1"
    assert run.outputs["sarif"] == str(workspace.root / "deploy" / "greengate.sarif")


def test_the_policy_input_adds_policies(workspace: Workspace, tmp_path: Path) -> None:
    policy = (REPO / "examples" / "policies" / "owner-required.yaml").read_text()
    workspace.repo.git.checkout("main")
    workspace.commit({"policies/owner.yaml": policy}, "a policy of our own")
    run = run_action(workspace, tmp_path, push_event(workspace), policy="policies/owner.yaml")
    rules = {r["id"] for r in run.sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert "ACME001" in rules


def test_a_5000_finding_run_stays_within_githubs_limits(
    workspace: Workspace, tmp_path: Path
) -> None:
    docs = [UNDECLARED.replace("prototype-agent", f"agent-{i:04}") for i in range(840)]
    workspace.commit({"deploy/many.yaml": "\n---\n".join(docs)}, "many")
    run = run_action(workspace, tmp_path, push_event(workspace))
    assert run.code == 1 and int(run.outputs["failed"]) == 840 * 6 + 1
    kinds = run.kinds()
    assert kinds.count("::error") == 10 and kinds.count("::warning") == 10
    assert kinds.count("::notice") == 1 and len(kinds) == 21
    assert "more findings are not annotated" in run.annotations[-1]
    (sarif_run,) = run.sarif["runs"]
    assert len(sarif_run["results"]) == 5_000
    assert sarif_run["invocations"][0]["properties"] == {"omittedResults": 840 * 6 + 1 - 5_000}
    log = Path(run.outputs["sarif"])
    assert problems(log, tmp_path / "validated.sarif") == []


def test_action_metadata() -> None:
    action = yaml.safe_load((REPO / "action.yml").read_text())
    assert set(action["inputs"]) == {
        "paths",
        "working-directory",
        "config",
        "fail-on",
        "baseline",
        "policy",
        "args",
        "soft-fail",
        "base-ref",
        "new-only",
        "sarif-file",
        "sarif-category",
        "version",
        "python-version",
    }
    assert set(action["outputs"]) == OUTPUTS
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    assert "action/run.sh" in steps[-1]["run"]
    # Each input reaches the script as INPUT_<NAME>.
    env = steps[-1]["env"]
    assert {f"INPUT_{name.upper().replace('-', '_')}" for name in action["inputs"]} - set(env) == {
        "INPUT_VERSION",
        "INPUT_PYTHON_VERSION",  # used by the install steps
    }
    python = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python"))
    assert python["with"]["update-environment"] is False  # the job's Python stays the job's
    install = next(s for s in steps if s.get("id") == "install")
    assert install["env"]["PIP_CONSTRAINT"].endswith("action/constraints.txt")


@pytest.mark.parametrize("path", ["action.yml", "examples/workflows/greengate.yml"])
def test_third_party_actions_are_pinned_by_commit_with_the_tag_in_a_comment(path: str) -> None:
    text = (REPO / path).read_text()
    uses = re.findall(r"uses: (\S+)(.*)", text)
    assert uses
    for action, comment in uses:
        if action.startswith("greengate-dev/"):
            continue  # this action itself: its users choose the ref
        assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", action), action
        assert re.fullmatch(r" # v\d+\.\d+\.\d+", comment), (action, comment)


def test_example_workflow_is_least_privilege_and_runs_on_push_too() -> None:
    workflow = yaml.safe_load((REPO / "examples" / "workflows" / "greengate.yml").read_text())
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert "pull_request" in triggers and "pull_request_target" not in triggers
    assert triggers["push"] == {"branches": ["main"]}
    assert workflow["permissions"] == {"contents": "read"}
    job = workflow["jobs"]["greengate"]
    assert job["permissions"] == {"contents": "read", "security-events": "write", "actions": "read"}
    steps = job["steps"]
    upload = next(
        s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@")
    )
    assert "always()" in upload["if"] and "fork" in upload["if"]
    assert upload["with"]["sarif_file"] == "${{ steps.greengate.outputs.sarif }}"
    checkout = next(s for s in steps if s.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"]["fetch-depth"] == 0
    ours = next(s for s in steps if s.get("uses", "").startswith("greengate-dev/greengate"))
    assert ours["with"]["baseline"] == ".greengate-baseline.json"


def test_the_constraints_pin_every_runtime_dependency() -> None:
    sys.path.insert(0, str(REPO / "scripts"))
    try:
        import action_constraints
    finally:
        sys.path.remove(str(REPO / "scripts"))
    pinned = {
        line.split("==", 1)[0]
        for line in (REPO / "action" / "constraints.txt").read_text().splitlines()
        if line and not line.startswith("#")
    }
    assert pinned == set(action_constraints.runtime_closure())


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


def test_the_install_step_builds_its_own_venv_with_the_pinned_constraints(tmp_path: Path) -> None:
    """action/install.sh as the Action runs it: greengate in $RUNNER_TEMP, pinned, `bin` output."""
    output = tmp_path / "github_output"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "VIRTUAL_ENV"))},
        "RUNNER_TEMP": str(tmp_path),
        "GITHUB_ACTION_PATH": str(REPO),
        "GITHUB_OUTPUT": str(output),
        "PIP_CONSTRAINT": str(REPO / "action" / "constraints.txt"),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PYTHON": sys.executable,
    }
    done = subprocess.run(
        ["bash", str(REPO / "action" / "install.sh")],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    from greengate import __version__

    assert done.stdout.strip().endswith(f"greengate, version {__version__}")
    bin_dir = tmp_path / "greengate-venv" / "bin"
    assert output.read_text() == f"bin={bin_dir}\n"
    assert (bin_dir / "greengate").is_file()
