"""The reporter interface: a finished :class:`~greengate.records.report.Report` in, text out.

Reporters only render; they never evaluate, filter by policy or change the
exit code.
"""

from __future__ import annotations

from typing import Protocol, TextIO

from greengate.records.report import Report


class Reporter(Protocol):
    def __call__(self, report: Report, *, color: bool = False) -> str:
        """Render the whole report; ``color`` only when writing to a terminal."""
        ...


class Writer(Protocol):
    def __call__(self, report: Report, out: TextIO, *, color: bool = False) -> None:
        """Write the report to ``out`` piece by piece (for formats whose text can be huge)."""
        ...
