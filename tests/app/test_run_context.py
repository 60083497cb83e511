"""The run's category and the offending lines: what SARIF viewers get beside the findings."""

from __future__ import annotations

from pathlib import Path

import git
import pytest

from greengate.app.check import CheckOptions, run_check
from greengate.app.run_context import category, offending_lines
from greengate.records.finding import Finding, Severity, Status
from greengate.records.location import Location
from greengate.sources.changeset import GitOptions
from greengate.sources.files import SourceFile

GOOD = (
    Path(__file__).resolve().parents[2] / "examples" / "deployments" / "support-summarizer.yaml"
).read_text()


def test_the_category_is_the_flag_else_the_github_job_else_greengate() -> None:
    job = {"GITHUB_ACTIONS": "true", "GITHUB_WORKFLOW": "ci", "GITHUB_JOB": "manifests"}
    assert category("team-a/prod", job) == "team-a/prod"
    assert category("/", job) == "greengate"  # nothing but slashes names nothing
    assert category(None, job) == "greengate/ci/manifests"
    assert category(None, {"GITHUB_WORKFLOW": "ci", "GITHUB_JOB": "x"}) == "greengate"
    assert category(None, {}) == "greengate"


def finding(status: Status, file: str, line: int) -> Finding:
    return Finding.make(
        rule_id="GG201",
        policy="p",
        severity=Severity.HIGH,
        status=status,
        message="m",
        location=Location(file, line, 1),
    )


def test_the_lines_of_reported_findings_are_read_from_the_checked_files(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("kind: X\nregion: asia-south1\n")
    files = [
        SourceFile("a.yaml", tmp_path / "a.yaml"),
        SourceFile("gone.yaml", tmp_path / "gone.yaml"),
    ]
    findings = [
        finding(Status.FAIL, "a.yaml", 2),
        finding(Status.PASS, "a.yaml", 1),  # not a result: no snippet needed
        finding(Status.FAIL, "a.yaml", 0),  # about the whole file
        finding(Status.FAIL, "a.yaml", 9),  # past the end
        finding(Status.FAIL, "gone.yaml", 1),  # cannot be read again: no snippet, no crash
        finding(Status.FAIL, ".greengate.yaml", 3),  # a config default: not a checked file
    ]
    assert offending_lines(findings, files) == {("a.yaml", 2): "region: asia-south1"}


def test_a_check_names_the_commit_it_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """HEAD and its branch; with --head, that commit and no branch."""
    repo = git.Repo.init(tmp_path, initial_branch="main")
    with repo.config_writer() as cfg:
        cfg.set_value("user", "name", "t")
        cfg.set_value("user", "email", "t@example.com")
    (tmp_path / "a.yaml").write_text(GOOD)
    repo.git.add("-A")
    first = repo.index.commit("one").hexsha
    (tmp_path / "a.yaml").write_text(GOOD.replace("europe-north1", "asia-south1"))
    repo.git.add("-A")
    second = repo.index.commit("two").hexsha
    monkeypatch.chdir(tmp_path)
    report = run_check(CheckOptions(paths=[Path("a.yaml")]))
    assert report.version_control is not None
    assert (report.version_control.revision, report.version_control.branch) == (second, "main")
    assert report.lines[("a.yaml", 16)] == "    region: asia-south1"
    at_first = run_check(CheckOptions(paths=[Path("a.yaml")], git=GitOptions(head=first)))
    assert at_first.version_control is not None
    assert (at_first.version_control.revision, at_first.version_control.branch) == (first, "")
