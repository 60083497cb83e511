from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from greengate.records.finding import Finding, Severity, Status
from greengate.records.report import Report
from greengate.reporters import github


def test_annotations_come_most_severe_first_then_in_file_order(report: Report) -> None:
    lines = github.render(report).splitlines()
    assert [
        (line.split(" ", 1)[0], line.split("title=", 1)[1].split(" ", 1)[0]) for line in lines
    ] == [
        ("::error", "GG001"),  # an error finding: the manifest was not read at all
        ("::error", "GG201"),  # critical
        ("::error", "GG101"),  # high
        ("::warning", "GG301"),  # medium
        ("::warning", "GG401"),  # low
    ]


def test_an_annotation_has_position_title_message_and_fix(report: Report) -> None:
    lines = github.render(report).splitlines()
    assert (
        "::error file=deploy/summarizer.yaml,line=15,col=13,endLine=15,endColumn=21,"
        "title=GG201 Region grid is carbon-intensive::"
        "region us-east-1 has a grid intensity of 379 gCO2e/kWh; the limit is 200"
        "%0A%0AHow to fix: Move the deployment to a region under 200 gCO2e/kWh, such as europe-north1."
    ) in lines


def test_only_failing_and_erroring_findings_are_annotated(report: Report) -> None:
    commands = [line.split(" ", 1)[0] for line in github.render(report).splitlines()]
    # error (GG001), critical, high, medium, low; no pass, skip or waived.
    assert commands == ["::error", "::error", "::error", "::warning", "::warning"]


@pytest.mark.parametrize(
    ("severity", "status", "command"),
    [
        (Severity.CRITICAL, Status.FAIL, "error"),
        (Severity.HIGH, Status.FAIL, "error"),
        (Severity.MEDIUM, Status.FAIL, "warning"),
        (Severity.LOW, Status.FAIL, "warning"),
        (Severity.INFO, Status.FAIL, "notice"),
        (Severity.INFO, Status.ERROR, "error"),
    ],
)
def test_the_command_follows_severity_and_status(
    severity: Severity, status: Status, command: str, make_finding: Callable[..., Finding]
) -> None:
    finding = make_finding("GG301", status, "m", "a.yaml", 1, 1, severity=severity)
    assert github.annotation(finding, "T").startswith(
        f"::{command} file=a.yaml,line=1,col=1,title=T::m"
    )


def test_messages_paths_and_titles_are_escaped_like_the_toolkit(nasty_report: Report) -> None:
    lines = github.render(nasty_report).splitlines()
    assert (
        "::error file=deploy/a%2Cb%3Ac%25d e#f.yaml,line=2,col=3,endLine=2,endColumn=8,"
        "title=GG101 Model too large for its task::"
        # The bell is shown, not rung: only CR and LF are left to the toolkit's %-encoding.
        'limit <13B> & "quoted", 100%25 sure: a%0Asecond line%0D\\x07bell | pipe *star* [x](y)'
        "%0A%0AHow to fix: Use a model of at most 13B parameters for summarization, or justify a waiver."
    ) in lines


def test_escaping_functions() -> None:
    assert github.escape_data("50% a:b,c\r\nd") == "50%25 a:b,c%0D%0Ad"
    assert github.escape_property("50% a:b,c\r\nd") == "50%25 a%3Ab%2Cc%0D%0Ad"
    # % first, so an escape sequence already in the text is not decoded by the runner.
    assert github.escape_data("%0A") == "%250A"


def test_a_title_with_separators_is_escaped(make_finding: Callable[..., Finding]) -> None:
    finding = make_finding("GG301", Status.FAIL, "m", "a.yaml", 1, 1)
    assert "title=GG301 limits%3A rpm%2C tpm::m" in github.annotation(
        finding, "GG301 limits: rpm, tpm"
    )


def test_columns_are_left_out_when_the_value_spans_lines(
    make_finding: Callable[..., Finding],
) -> None:
    finding = make_finding("GG301", Status.FAIL, "m", "a.yaml", 4, 7, end=(9, 2))
    assert (
        github.annotation(finding, "T")
        == "::warning file=a.yaml,line=4,endLine=9,title=T::m%0A%0AHow to fix: Declare spec.rateLimits.requestsPerMinute."
    )


def test_a_clean_report_prints_nothing(empty_report: Report) -> None:
    assert github.render(empty_report) == ""


def test_annotations_stop_at_githubs_limits_and_a_notice_counts_the_rest(
    make_finding: Callable[..., Finding], build_report: Callable[..., Report]
) -> None:
    """GitHub shows 10 errors and 10 warnings per step: the most severe are shown, then a count."""
    kinds_of_finding = [
        ("GG201", Severity.CRITICAL),
        ("GG101", Severity.HIGH),
        ("GG301", Severity.MEDIUM),
        ("GG301", Severity.INFO),
    ]
    findings = []
    for i in range(5_000):
        rule, severity = kinds_of_finding[i % 4]
        findings.append(
            make_finding(rule, Status.FAIL, "m", f"deploy/{i:04}.yaml", 3, 1, severity=severity)
        )
    lines = github.render(build_report(tuple(findings))).splitlines()
    kinds = [line.split(" ", 1)[0] for line in lines]
    assert kinds.count("::error") == 10 and kinds.count("::warning") == 10
    assert kinds.count("::notice") == 10  # 9 info findings and the count of the rest
    errors = [line for line in lines if line.startswith("::error")]
    # Critical before high, each in file order.
    assert all("GG201" in line for line in errors)
    assert errors[0].startswith("::error file=deploy/0000.yaml")
    assert errors[1].startswith("::error file=deploy/0004.yaml")
    assert lines[-1] == (
        "::notice title=greengate::4971 more findings are not annotated (GitHub shows 10 errors"
        " and 10 warnings per step): see the code scanning results / job summary"
    )


def test_no_notice_when_every_finding_is_annotated(report: Report) -> None:
    assert "more finding" not in github.render(report)


def test_the_annotations_are_those_of_sorting_every_problem_by_priority(
    make_finding: Callable[..., Finding], build_report: Callable[..., Report]
) -> None:
    """The annotations, chosen per kind, are the first of each kind of all problems sorted by
    priority (ties in file order), as a plain sort would give."""
    rng = random.Random(7)
    severities = list(Severity)
    findings = [
        make_finding(
            f"GG{rng.randint(100, 104)}",
            rng.choice([Status.FAIL, Status.FAIL, Status.ERROR, Status.PASS, Status.WAIVED]),
            f"m{i}",
            f"deploy/{rng.randint(0, 40):03}.yaml",
            rng.randint(1, 5),
            1,
            severity=rng.choice(severities),
        )
        for i in range(3_000)
    ]
    report = build_report(tuple(findings))
    problems = sorted(report.problems, key=lambda f: f.priority)
    shown = dict.fromkeys(github.PER_STEP, 0)
    expected = []
    for finding in problems:
        kind = github.command(finding)
        if shown[kind] < github.PER_STEP[kind]:
            shown[kind] += 1
            expected.append(github.annotation(finding, github._title(report, finding)))
    lines = github.render(report).splitlines()
    assert lines[:-1] == expected
    assert lines[-1].startswith(f"::notice title=greengate::{len(problems) - len(expected)} more")
