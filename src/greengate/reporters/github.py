"""GitHub Actions workflow commands: annotations on the lines of a pull request.

One ``::error``/``::warning``/``::notice`` line per failing or erroring
finding, most severe first (then in file order), within what GitHub shows:
at most 10 error, 10 warning and 10 notice annotations per step, 50 per job
(GitHub's actions/toolkit, docs/problem-matchers.md "Limitations"); a step's further
annotations are dropped without a word. So greengate stops at the limit
itself and ends with one notice that says how many more findings there are
and where they are (code scanning, the job summary). Values are escaped exactly as the Actions toolkit
(``@actions/core``, ``command.ts``) does, so a message cannot end the command
early or start a new one; before that, every other control character is
shown as an escape (:func:`~greengate.records.text.escape_controls`), so no ANSI
escape or bell from a manifest reaches the log.
"""

from __future__ import annotations

import heapq

from greengate.records.finding import Finding, Severity, Status
from greengate.records.report import Report
from greengate.records.text import escape_controls

_COMMANDS = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "warning",
    Severity.INFO: "notice",
}


PER_STEP = {"error": 10, "warning": 10, "notice": 9}
"""Annotations of each kind GitHub shows per step; one notice is kept for the count of the rest."""


def render(report: Report, *, color: bool = False) -> str:
    # The most severe of each kind, as sorting every problem by priority would give.
    problems = report.problems
    by_kind: dict[str, list[Finding]] = {kind: [] for kind in PER_STEP}
    for finding in problems:
        by_kind[command(finding)].append(finding)
    shown = [
        f
        for kind, some in by_kind.items()
        for f in heapq.nsmallest(PER_STEP[kind], some, key=_priority)
    ]
    lines = [annotation(f, _title(report, f)) for f in sorted(shown, key=_priority)]
    left = len(problems) - len(shown)
    if left:
        lines.append(
            f"::notice title=greengate::{left} more finding{'' if left == 1 else 's'}"
            f" {'is' if left == 1 else 'are'} not annotated (GitHub shows {PER_STEP['error']}"
            f" errors and {PER_STEP['warning']} warnings per step): see the code scanning results"
            " / job summary"
        )
    return "".join(line + "\n" for line in lines)


def _priority(finding: Finding) -> tuple[int, int, str, int, int, str, str, str]:
    return finding.priority


def command(finding: Finding) -> str:
    """``error``, ``warning`` or ``notice``: an error finding is always an error."""
    return "error" if finding.status is Status.ERROR else _COMMANDS[finding.severity]


def annotation(finding: Finding, title: str) -> str:
    kind = command(finding)
    loc = finding.location
    props: dict[str, str] = {"file": loc.file, "line": str(loc.line)}
    # The toolkit refuses columns on an annotation that spans several lines.
    single_line = loc.end_line is None or loc.end_line == loc.line
    if single_line:
        props["col"] = str(loc.column)
    if loc.end_line is not None:
        props["endLine"] = str(loc.end_line)
    if single_line and loc.end_column is not None:
        # GitHub's ends are inclusive, like its endLine; Location's is one past the value.
        props["endColumn"] = str(max(loc.end_column - 1, loc.column))
    props["title"] = title
    message = escape_controls(finding.message, keep=_KEPT)
    if finding.remediation:
        message += f"\n\nHow to fix: {escape_controls(finding.remediation, keep=_KEPT)}"
    joined = ",".join(f"{key}={escape_property(value)}" for key, value in props.items())
    return f"::{kind} {joined}::{escape_data(message)}"


_KEPT = "\r\n"
"""Left to the toolkit's %-encoding, which keeps them inside the one line of the command."""


def escape_data(text: str) -> str:
    """A command's data: control characters shown, then ``%``, CR and LF %-encoded as the toolkit does."""
    text = escape_controls(text, keep=_KEPT).replace("##[", "#\\x23[")  # a legacy command
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _title(report: Report, finding: Finding) -> str:
    rule = report.rule(finding.rule_id)
    title = finding.title or (rule.title if rule is not None else "")
    return f"{finding.rule_id} {title}".strip()
