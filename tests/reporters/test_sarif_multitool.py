"""greengate's SARIF, checked by Microsoft's SARIF multitool's rules: no error, no warning.

On real outputs: the shipped examples and the corpus in one run (with
provenance and snippets from the real repository), a generated run of more
than 5,000 findings (capped), and the log of a run that could not check.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.conftest import CORPUS, EXAMPLES
from tests.multitool import multitool, problems
from tests.reporters.conftest import ROOT, finding, make_report

from greengate.app.check import CheckOptions, run_check
from greengate.records.finding import Severity, Status
from greengate.records.report import VersionControl
from greengate.reporters import sarif

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _tool() -> None:
    multitool()  # skip (fail in CI) before any work when it is not installed


def test_the_examples_and_the_corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    report = run_check(CheckOptions(paths=[EXAMPLES.relative_to(REPO), CORPUS.relative_to(REPO)]))
    log = tmp_path / "real.sarif"
    log.write_text(sarif.render(report), "utf-8")
    run = json.loads(log.read_text("utf-8"))["runs"][0]
    assert len(run["results"]) > 1_000
    assert any("contextRegion" in r["locations"][0]["physicalLocation"] for r in run["results"])
    if (REPO / ".git").exists():
        assert run["versionControlProvenance"][0]["mappedTo"] == {"uriBaseId": "%SRCROOT%"}
    assert problems(log, tmp_path / "out.sarif") == []


def test_a_run_of_more_than_5000_findings(tmp_path: Path) -> None:
    kinds = [Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.INFO]
    findings = tuple(
        finding(
            "GG301",
            Status.FAIL,
            f"finding {i}",
            f"deploy/{i:05}.yaml",
            3,
            11,
            end=(3, 20),
            severity=kinds[i % 5],
        )
        for i in range(6_000)
    )
    lines = {(f.location.file, 3): "  region: asia-south1" for f in findings}
    report = make_report(
        findings,
        lines=lines,
        category="greengate/ci/manifests",
        version_control=VersionControl("https://github.com/o/r", "c" * 40, "main", ROOT),
    )
    log = tmp_path / "big.sarif"
    log.write_text(sarif.render(report), "utf-8")
    run = json.loads(log.read_text("utf-8"))["runs"][0]
    assert len(run["results"]) == 5_000
    assert run["invocations"][0]["properties"] == {"omittedResults": 1_000}
    assert problems(log, tmp_path / "out.sarif") == []


def test_the_log_of_a_run_that_could_not_check(tmp_path: Path) -> None:
    log = tmp_path / "failed.sarif"
    text = sarif.failed_run("greengate: error: .greengate.yaml:1:1: bad key", "0.1.0")
    log.write_text(json.dumps(text), "utf-8")
    assert problems(log, tmp_path / "out.sarif") == []
