"""Where a check ran, for the viewers of its report: the offending lines and the run's category.

Code scanning shows a result's snippet and keeps the results of each
category apart (``automationDetails.id``): two jobs that check different
folders of one repository must not close each other's alerts. Both are
read here, after the check, from the files it read and the CI job it ran in,
so reporters only render what the report holds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from greengate.records.finding import Finding
from greengate.reporters.sarif import RESULT_STATUSES
from greengate.sources.files import SourceFile

DEFAULT_CATEGORY = "greengate"


def offending_lines(
    findings: Iterable[Finding], files: Iterable[SourceFile]
) -> dict[tuple[str, int], str]:
    """The text of the line each reported finding points at, by (file, line).

    Read from the same source as the check (the work tree, or a commit with
    ``--head``); a finding about a file that is not a checked manifest (a
    config default) or about the whole file (line 0) has none. A file that
    cannot be read again has none either: a snippet is an aid, never a verdict.
    """
    wanted: dict[str, set[int]] = {}
    for finding in findings:
        if finding.status in RESULT_STATUSES and finding.location.line >= 1:
            wanted.setdefault(finding.location.file, set()).add(finding.location.line)
    lines: dict[tuple[str, int], str] = {}
    for source in files:
        numbers = wanted.get(source.display)
        if not numbers:
            continue
        try:
            text = source.read().decode("utf-8", errors="replace").splitlines()
        except OSError:
            continue
        for number in numbers:
            if number <= len(text):
                lines[(source.display, number)] = text[number - 1]
    return lines


def category(explicit: str | None, environ: Mapping[str, str]) -> str:
    """``--sarif-category``, else ``greengate/<workflow>/<job>`` in a GitHub Actions job, else
    ``greengate``: one category per job, so two jobs never replace each other's results."""
    if explicit:
        return explicit.strip("/") or DEFAULT_CATEGORY
    workflow, job = environ.get("GITHUB_WORKFLOW", ""), environ.get("GITHUB_JOB", "")
    if environ.get("GITHUB_ACTIONS") == "true" and workflow and job:
        return f"{DEFAULT_CATEGORY}/{workflow}/{job}"
    return DEFAULT_CATEGORY
