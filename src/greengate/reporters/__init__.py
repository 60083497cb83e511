"""Output formats. The list is one enumeration; each member has one module.

Adding a format means adding its module and one line in ``_REPORTERS`` and
``_DESCRIPTIONS``; the CLI's ``--format`` choices and ``--output-<format>``
options are generated from the enumeration, and a test walks every member.
"""

from __future__ import annotations

import enum
from typing import TextIO

from greengate.records.report import Report
from greengate.reporters import github, json_report, junit, markdown, sarif, text
from greengate.reporters.base import Reporter, Writer
from greengate.reporters.text import Detail


class OutputFormat(str, enum.Enum):
    TEXT = "text"
    JSON = "json"
    SARIF = "sarif"
    JUNIT = "junit"
    GITHUB = "github"
    MARKDOWN = "markdown"

    @property
    def reporter(self) -> Reporter:
        return _REPORTERS[self]

    def write(
        self, report: Report, out: TextIO, *, color: bool = False, detail: Detail = Detail.FULL
    ) -> None:
        """Write the report to ``out``; streamed where the format supports it.

        ``detail`` (``--compact``, ``--quiet``) shortens the text report only:
        machine formats always hold everything.
        """
        if self is OutputFormat.TEXT:
            out.write(text.render(report, color=color, detail=detail))
            return
        writer = _WRITERS.get(self)
        if writer is not None:
            writer(report, out, color=color)
        else:
            out.write(self.reporter(report, color=color))

    @property
    def description(self) -> str:
        """One phrase for ``--help``: what the format is and who reads it."""
        return _DESCRIPTIONS[self]

    @property
    def supports_color(self) -> bool:
        return self is OutputFormat.TEXT

    @classmethod
    def names(cls) -> str:
        """``text, json, ...``: the valid values, for error messages."""
        return ", ".join(f.value for f in cls)


_REPORTERS: dict[OutputFormat, Reporter] = {
    OutputFormat.TEXT: text.render,
    OutputFormat.JSON: json_report.render,
    OutputFormat.SARIF: sarif.render,
    OutputFormat.JUNIT: junit.render,
    OutputFormat.GITHUB: github.render,
    OutputFormat.MARKDOWN: markdown.render,
}

_WRITERS: dict[OutputFormat, Writer] = {
    OutputFormat.JSON: json_report.write,
}

_DESCRIPTIONS: dict[OutputFormat, str] = {
    OutputFormat.TEXT: "human-readable, never coloured in a file",
    OutputFormat.JSON: "greengate's versioned JSON, schemas/report.schema.json",
    OutputFormat.SARIF: "SARIF 2.1.0 for GitHub code scanning",
    OutputFormat.JUNIT: "JUnit XML for CI test views",
    OutputFormat.GITHUB: "GitHub Actions annotation commands",
    OutputFormat.MARKDOWN: "a summary for $GITHUB_STEP_SUMMARY or a PR comment",
}

__all__ = ["Detail", "OutputFormat", "Reporter"]
