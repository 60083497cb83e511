"""A Markdown summary for ``$GITHUB_STEP_SUMMARY`` and pull-request comments.

A verdict line, counts by severity and by status, a table of failing
findings, how to fix each failing rule, and the waived findings with their
justification. The output stays under
:data:`MAX_BYTES`: a PR comment holds at most 65,536 characters and a step
summary 1 MiB, so a long table is cut with a line saying how many rows were
left out and where the full list is.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote

from greengate.errors import ExitCode
from greengate.records.finding import Finding, Severity, Status
from greengate.records.report import Report
from greengate.records.text import UNSAFE

MAX_BYTES = 60_000
"""Under GitHub's 65,536-character limit of a PR comment, so it also fits there."""
DETAILS_AFTER = 20
"""A failures table longer than this is folded into ``<details>``."""
MAX_CELL = 300
"""A single long message must not use up the whole budget."""
MAX_WAIVED_ROWS = 50
"""Waived findings listed; the rest are counted (all of them are in SARIF and JSON)."""

_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_\[\]~])")


@dataclass(frozen=True)
class SourceLinks:
    """Where a file at the checked commit can be viewed: ``{server}/{repository}/blob/{sha}/``."""

    server: str
    repository: str
    sha: str

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> SourceLinks | None:
        """The links of the GitHub Actions run described by ``env``, if it is one."""
        server, repository, sha = (
            env.get(name, "") for name in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA")
        )
        if server and repository and sha:
            return cls(server.rstrip("/"), repository, sha)
        return None

    def url(self, file: str, line: int) -> str:
        return f"{self.server}/{self.repository}/blob/{self.sha}/{quote(file, safe='/')}#L{line}"


def render(report: Report, *, color: bool = False) -> str:
    return render_markdown(report, links=SourceLinks.from_env(os.environ))


def render_markdown(
    report: Report, *, links: SourceLinks | None = None, max_bytes: int = MAX_BYTES
) -> str:
    head = "\n".join([_verdict(report), "", *_count_tables(report), "", ""])
    # Most severe first, so that a cut table loses the least important rows.
    problems = sorted(report.problems, key=lambda f: (-_urgency(f), f.sort_key))
    tail = _fixes(report, problems) + _waived(report)
    if report.notes:
        tail += "\n" + "\n".join(f"> {cell(note)}" for note in report.notes) + "\n"
    if not problems:
        return head + tail
    budget = max_bytes - _size(head) - _size(tail) - 1_000  # room for the table's frame and note
    rows, left_out = _rows(problems, links, budget)
    table = "\n".join(
        ["| Location | Severity | Rule | Deployment | Message |", "|---|---|---|---|---|", *rows]
    )
    if len(problems) > DETAILS_AFTER:
        # Blank lines around the table, or GitHub renders it as plain text inside <details>.
        table = f"<details>\n<summary>{len(problems)} failing findings</summary>\n\n{table}\n\n</details>"
    if left_out:
        table += (
            f"\n\n_{left_out} more failing finding{'s' if left_out != 1 else ''} left out to keep this summary short;"
            " the full list is in the SARIF or JSON output (`--output-sarif`, `--output-json`)._"
        )
    return f"{head}### Failing findings\n\n{table}\n\n{tail}"


def cell(text: str, limit: int = MAX_CELL) -> str:
    """``text`` safe inside a table cell: one line, no HTML, no cell break, no accidental markup.

    Line breaks become spaces, and the other characters
    :func:`~greengate.records.text.printable` would escape are dropped
    (a summary is read rendered, where an escape is noise).
    """
    text = UNSAFE.sub("", " ".join(text.split()))
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    text = html.escape(text, quote=False)
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", text).replace("|", "&#124;")


_STATUS_WORDS = (
    (Status.FAIL, "failed"),
    (Status.ERROR, "error"),
    (Status.WAIVED, "waived"),
    (Status.EXISTING, "in baseline"),
    (Status.SKIP, "skipped"),
    (Status.PASS, "passed"),
)


def _verdict(report: Report) -> str:
    status = report.count_by_status()
    counts = [
        _plural(status[s.value], word) if s is Status.ERROR else f"{status[s.value]} {word}"
        for s, word in _STATUS_WORDS
        if status[s.value]
    ]
    scope = (
        f"{_plural(len(report.deployments), 'deployment')} in {_plural(len(report.files), 'file')}"
    )
    detail = f"({'; '.join([', '.join(counts), scope]) if counts else scope})"
    gate = f"`{report.fail_on.value}`"
    if report.failing:
        failing = _plural(report.failing, "finding")
        return f"## ❌ greengate failed: {failing} at or above {gate} {detail}"
    if report.exit_code is ExitCode.FAILED:  # --fail-on-empty
        return f"## ❌ greengate failed: no deployment found {detail}"
    return f"## ✅ greengate passed: no failing findings at or above {gate} {detail}"


def _count_tables(report: Report) -> list[str]:
    severity = report.count_by_severity()
    status = report.count_by_status()
    # Most severe first, the order a reader triages in.
    severities = [s.value for s in reversed(Severity)]
    statuses = [s.value for s, _ in _STATUS_WORDS]
    return [
        "| Failed, by severity | " + " | ".join(severities) + " |",
        "|---|" + "---:|" * len(severities),
        "| findings | " + " | ".join(str(severity[s]) for s in severities) + " |",
        "",
        "| All, by status | " + " | ".join(statuses) + " |",
        "|---|" + "---:|" * len(statuses),
        "| findings | " + " | ".join(str(status[s]) for s in statuses) + " |",
    ]


def _rows(problems: list[Finding], links: SourceLinks | None, budget: int) -> tuple[list[str], int]:
    rows: list[str] = []
    used = 0
    for index, finding in enumerate(problems):
        row = _row(finding, links)
        used += _size(row) + 1
        if used > budget:
            return rows, len(problems) - index
        rows.append(row)
    return rows, 0


def _row(finding: Finding, links: SourceLinks | None) -> str:
    loc = finding.location
    where = cell(f"{loc.file}:{loc.line}")
    if links is not None:
        where = f"[{where}]({links.url(loc.file, loc.line)})"
    severity = "error" if finding.status is Status.ERROR else finding.severity.value
    deployment = cell(finding.deployment) or "—"
    return f"| {where} | {severity} | {cell(finding.rule_id)} | {deployment} | {cell(finding.message)} |"


def _fixes(report: Report, problems: list[Finding]) -> str:
    fixes: dict[str, str] = {}
    for finding in problems:
        if finding.remediation and finding.rule_id not in fixes:
            rule = report.rule(finding.rule_id)
            title = finding.title or (rule.title if rule is not None else "")
            label = f"**{cell(finding.rule_id)}** {cell(title)}".rstrip()
            fixes[finding.rule_id] = f"- {label}: {cell(finding.remediation, 1_000)}"
    if not fixes:
        return ""
    return "### How to fix\n\n" + "\n".join(fixes[rule] for rule in sorted(fixes)) + "\n"


def _waived(report: Report) -> str:
    waived = report.having([Status.WAIVED])
    if not waived:
        return ""
    rows = [
        f"| {cell(f'{f.location.file}:{f.location.line}')} | {cell(f.rule_id)} | {cell(f.deployment) or '—'} | {cell(f.justification)} |"
        for f in waived[:MAX_WAIVED_ROWS]
    ]
    more = len(waived) - len(rows)
    table = "\n".join(
        ["| Location | Rule | Deployment | Justification |", "|---|---|---|---|", *rows]
    )
    if more:
        table += f"\n\n_{more} more waived finding{'s' if more != 1 else ''} in the SARIF or JSON output._"
    return f"\n### Waived findings\n\n{table}\n"


def _urgency(finding: Finding) -> int:
    """An unreadable manifest first, then failures from critical down."""
    return len(Severity) if finding.status is Status.ERROR else finding.severity.rank


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _size(text: str) -> int:
    return len(text.encode("utf-8"))
