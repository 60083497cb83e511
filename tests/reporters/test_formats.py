"""Every member of OutputFormat is a whole format: reporter, CLI choice, option, docs."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from greengate.cli import check as cli
from greengate.cli import main
from greengate.errors import ExitCode
from greengate.records.finding import Finding, Severity, Status
from greengate.records.report import Report
from greengate.reporters import OutputFormat

REPO = Path(__file__).resolve().parents[2]
# docs/formats.md is merged into the README; the samples may live in either.
DOCS = [REPO / "README.md", REPO / "docs" / "formats.md"]


def docs_text() -> str:
    return "\n".join(path.read_text("utf-8") for path in DOCS if path.exists())


def check_command() -> click.Command:
    command = main.get_command(click.Context(main), "check")
    assert command is not None
    return command


@pytest.mark.parametrize("fmt", list(OutputFormat))
def test_the_reporter_renders_a_full_and_an_empty_report(
    fmt: OutputFormat, report: Report, empty_report: Report
) -> None:
    assert fmt.reporter(report).endswith("\n")
    assert isinstance(fmt.reporter(empty_report), str)
    assert fmt.reporter(report, color=False) == fmt.reporter(report)
    assert fmt.description


@pytest.mark.parametrize("fmt", list(OutputFormat))
def test_format_accepts_it(
    fmt: OutputFormat, report: Report, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli, "run_check", lambda options, progress=None: report)
    result = CliRunner().invoke(main, ["check", "--format", fmt.value], catch_exceptions=False)
    assert (result.exit_code, result.stderr) == (1, "")
    assert result.stdout == fmt.reporter(report)


@pytest.mark.parametrize("fmt", list(OutputFormat))
def test_it_has_an_output_option(fmt: OutputFormat) -> None:
    options = {opt for param in check_command().params for opt in param.opts}
    assert f"--output-{fmt.value}" in options


@pytest.mark.parametrize("fmt", list(OutputFormat))
def test_the_docs_show_a_real_sample(fmt: OutputFormat, docs_report: Report) -> None:
    """Each format has a section whose sample is what the code renders for the docs fixture."""
    match = re.search(
        rf"<!-- sample: {fmt.value} -->\n```[a-z]*\n(.*?)```\n", docs_text(), re.DOTALL
    )
    assert match, f"no '<!-- sample: {fmt.value} -->' sample in {' or '.join(map(str, DOCS))}"
    assert match.group(1) == fmt.reporter(docs_report), (
        f"the {fmt.value} sample is out of date; it is now:\n{fmt.reporter(docs_report)}"
    )


@pytest.mark.parametrize("fail_on", list(Severity))
def test_the_reports_counts_are_those_of_its_findings(
    fail_on: Severity, make_finding: Callable[..., Finding], build_report: Callable[..., Report]
) -> None:
    """Counted once (``Report.counts``), they agree with counting the findings one by one."""
    rng = random.Random(fail_on.rank)
    findings = tuple(
        make_finding(
            "GG101",
            rng.choice(list(Status)),
            "m",
            f"d/{i}.yaml",
            1,
            1,
            severity=rng.choice(list(Severity)),
        )
        for i in range(400)
    )
    report = replace(build_report(findings), fail_on=fail_on)
    failures = [f for f in findings if report.gating(f)]
    assert report.failing == len(failures)
    assert report.count_by_status() == {
        s.value: sum(f.status is s for f in findings) for s in Status
    }
    assert report.count_by_severity() == {
        s.value: sum(f.status is Status.FAIL and f.severity is s for f in findings)
        for s in Severity
    }
    assert report.exit_code == (ExitCode.FAILED if failures else ExitCode.OK)
