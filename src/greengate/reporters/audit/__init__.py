"""The formats of ``greengate audit``: one enumeration, one module per member.

Adding a format means adding its module, one member, and one line in
``_RENDERERS`` and ``_DESCRIPTIONS``; the CLI's ``--format`` choices are
generated from the enumeration and a test renders every member.
"""

from __future__ import annotations

import enum
from collections.abc import Callable

from greengate.records.audit import AuditReport
from greengate.reporters.audit import (
    csv_audit,
    html_audit,
    impact_audit,
    json_audit,
    markdown_audit,
    text_audit,
)

Renderer = Callable[[AuditReport], str]


class AuditFormat(str, enum.Enum):
    TEXT = "text"
    JSON = "json"
    CSV = "csv"
    MARKDOWN = "markdown"
    IMPACT = "impact"
    HTML = "html"

    def render(self, report: AuditReport) -> str:
        return _RENDERERS[self](report)

    @property
    def description(self) -> str:
        return _DESCRIPTIONS[self]

    @classmethod
    def names(cls) -> str:
        return ", ".join(f.value for f in cls)


_RENDERERS: dict[AuditFormat, Renderer] = {
    AuditFormat.TEXT: text_audit.render,
    AuditFormat.JSON: json_audit.render,
    AuditFormat.CSV: csv_audit.render,
    AuditFormat.MARKDOWN: markdown_audit.render,
    AuditFormat.IMPACT: impact_audit.render,
    AuditFormat.HTML: html_audit.render,
}

_DESCRIPTIONS: dict[AuditFormat, str] = {
    AuditFormat.TEXT: "tables for a terminal (100 columns): totals, groups, top savings, the top deployments",
    AuditFormat.JSON: "versioned JSON, one record per deployment plus totals (docs/audit-json.md); `audit merge` reads it",
    AuditFormat.CSV: "one row per deployment for spreadsheets (docs/audit-formats.md lists the columns)",
    AuditFormat.MARKDOWN: "totals, groups, top savings and deployments for a wiki or a pull request, under 60,000 bytes",
    AuditFormat.IMPACT: "a Green Software Foundation Impact Framework manifest that `if-run` recomputes",
    AuditFormat.HTML: "one self-contained page (no network request): totals, SVG charts, a sortable, filterable deployment table",
}
