"""Output formats. The list is one enumeration; each member has one module."""

from __future__ import annotations

import enum

from greengate.reporters import json_report, text
from greengate.reporters.base import Reporter


class OutputFormat(str, enum.Enum):
    TEXT = "text"
    JSON = "json"

    @property
    def reporter(self) -> Reporter:
        return _REPORTERS[self]


_REPORTERS: dict[OutputFormat, Reporter] = {
    OutputFormat.TEXT: text.render,
    OutputFormat.JSON: json_report.render,
}

__all__ = ["OutputFormat", "Reporter"]
