"""Human-readable text: findings grouped by file, a fix per rule, waived findings, one summary line.

Findings in the baseline (``existing``) are only counted: listing every old
problem on every run is what a baseline is there to avoid. Baseline entries
that no longer fail are listed, so the baseline can be pruned.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from itertools import groupby
from typing import Any

import click

from greengate.errors import ExitCode
from greengate.records.finding import Finding, Severity, Status
from greengate.records.report import Report
from greengate.records.text import printable

_COLORS = {
    Severity.CRITICAL: "red",
    Severity.HIGH: "red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "blue",
}


Style = Callable[..., str]


class Detail(str, enum.Enum):
    """How much the text report shows: ``--compact`` and ``--quiet`` ask for less."""

    FULL = "full"
    """Findings grouped by file, how to fix each rule, waivers, the baseline, notes, the summary."""
    COMPACT = "compact"
    """One line per failing finding, then the notes and the summary."""
    QUIET = "quiet"
    """The summary line only."""


def render(report: Report, *, color: bool = False, detail: Detail = Detail.FULL) -> str:
    def style(text: str, **kwargs: Any) -> str:
        return click.style(text, **kwargs) if color else text

    if detail is Detail.QUIET:
        return _summary(report, style) + "\n"
    lines: list[str] = []
    problems = report.problems
    if detail is Detail.COMPACT:
        lines.extend(_line(finding, style).strip() for finding in problems)
        lines.extend(f"note: {printable(note)}" for note in report.notes)
        lines.append(_summary(report, style))
        return "\n".join(lines) + "\n"
    fixes: dict[str, str] = {}
    for file, group in groupby(problems, key=lambda f: f.location.file):
        lines.append(style(printable(file), bold=True, underline=True))
        for finding in group:
            lines.append(_line(finding, style))
            lines.extend(f"    note: {printable(note)}" for note in finding.notes)
            _add_fix(fixes, finding)
        lines.append("")
    if fixes:
        lines.append(style("How to fix", bold=True))
        width = max(len(rule) for rule in fixes)
        lines.extend(f"  {rule:<{width}}  {fix}" for rule, fix in sorted(fixes.items()))
        lines.append("")
    waived = [
        line
        for finding in report.having([Status.WAIVED])
        for line in (
            f"  {_where(finding)}  {printable(finding.rule_id)}  {printable(finding.message)}",
            f"    waived: {printable(finding.justification)}",
        )
    ]
    if waived:
        lines.extend([style("Waived", bold=True), *waived, ""])
    if report.fixed:
        lines.append(style(f"Fixed since the baseline {printable(report.baseline)}", bold=True))
        for entry in report.fixed:
            what = printable(f"{entry.deployment} {entry.field}".strip())
            lines.append(f"  {printable(entry.file)}  {printable(entry.rule_id)}  {what}")
        lines.append("")
    lines.extend(f"note: {printable(note)}" for note in report.notes)
    lines.append(_summary(report, style))
    return "\n".join(lines) + "\n"


def _line(finding: Finding, paint: Style) -> str:
    label = "ERROR" if finding.status is Status.ERROR else finding.severity.value.upper()
    colour = "magenta" if finding.status is Status.ERROR else _COLORS[finding.severity]
    label = paint(f"{label:<8}", fg=colour, bold=True)
    return (
        f"  {_where(finding)}  {label}  {printable(finding.rule_id)}  {printable(finding.message)}"
    )


def _where(finding: Finding) -> str:
    loc = finding.location
    return f"{printable(loc.file)}:{loc.line}:{loc.column}"


def _add_fix(fixes: dict[str, str], finding: Finding) -> None:
    """The first remediation given for each rule (the text lists them sorted by rule)."""
    rule = printable(finding.rule_id)
    if finding.remediation and rule not in fixes:
        fixes[rule] = printable(" ".join(finding.remediation.split()))


def _summary(report: Report, paint: Style) -> str:
    status = report.count_by_status()
    severity = report.count_by_severity()
    failed, errors = status["fail"], status["error"]
    parts = []
    if failed:
        by_sev = ", ".join(f"{n} {s}" for s, n in reversed(severity.items()) if n)
        parts.append(f"{failed} failed ({by_sev})" if by_sev else f"{failed} failed")
    if errors:
        parts.append(f"{errors} error{'s' if errors != 1 else ''}")
    parts.append(f"{status['pass']} passed")
    if status["skip"]:
        parts.append(f"{status['skip']} skipped")
    if status["waived"]:
        parts.append(f"{status['waived']} waived")
    if report.baseline is not None:
        parts.append(f"{status['existing']} in baseline")
    noted = report.noted_count
    if noted:
        parts.append(f"{noted} with a failed messageExpression")
    scope = f"{len(report.deployments)} deployment{'s' if len(report.deployments) != 1 else ''} in {len(report.files)} file{'s' if len(report.files) != 1 else ''}"
    if report.exit_code is ExitCode.FAILED:
        verdict = paint("FAIL", fg="red", bold=True)
    else:
        verdict = paint("PASS", fg="green", bold=True)
    gate = f"fail-on {report.fail_on.value}"
    return f"{verdict}  {', '.join(parts)}  ({scope}; {gate})"
