"""The formats of ``greengate audit``: one enumeration, one module per member.

Adding a format means adding its module, one member, and one line in
``_RENDERERS`` and ``_DESCRIPTIONS``; the CLI's ``--format`` choices are
generated from the enumeration and a test renders every member.
"""

from __future__ import annotations

import enum
from collections.abc import Callable

from greengate.records.audit import AuditReport
from greengate.reporters.audit import html_audit, json_audit

Renderer = Callable[[AuditReport], str]


class AuditFormat(str, enum.Enum):
    JSON = "json"
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
    AuditFormat.JSON: json_audit.render,
    AuditFormat.HTML: html_audit.render,
}

_DESCRIPTIONS: dict[AuditFormat, str] = {
    AuditFormat.JSON: "versioned JSON, one record per deployment plus totals (docs/audit-json.md); `audit merge` reads it",
    AuditFormat.HTML: "one self-contained page (no network request): totals, SVG charts, a sortable, filterable deployment table",
}
