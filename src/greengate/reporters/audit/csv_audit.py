"""The audit as CSV: one row per deployment, for spreadsheets.

The columns (:data:`COLUMNS`, documented in docs/audit-formats.md) keep
their order between versions; a new column is only ever appended. Numbers
are written as Python writes them (no thousands separator, full precision),
an unknown figure is an empty cell (never 0), and the failing rules are
joined by a space.

Text read from manifests is untrusted twice over: it is made
:func:`~greengate.records.text.printable` (a CSV may well be printed to a
terminal), and a cell that a spreadsheet would run as a formula, one that
starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return, is
prefixed with a single quote, as OWASP's "CSV Injection" advises.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from greengate.records.audit import AuditReport, AuditRow
from greengate.records.text import printable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet may read as the start of a formula (OWASP, CSV Injection)."""

Cell = str | int | float | None


def _best(row: AuditRow) -> Cell:
    return row.alternatives[0].summary if row.alternatives else None


COLUMNS: tuple[tuple[str, Callable[[AuditRow], Cell]], ...] = (
    ("repository", lambda r: r.repository),
    ("file", lambda r: r.file),
    ("line", lambda r: r.line),
    ("format", lambda r: r.format),
    ("kind", lambda r: r.kind),
    ("name", lambda r: r.name),
    ("owner", lambda r: r.owner),
    ("owner_source", lambda r: r.owner_source),
    ("workload", lambda r: r.workload),
    ("task", lambda r: r.task),
    ("model", lambda r: r.model),
    ("parameters", lambda r: r.parameters),
    ("provider", lambda r: r.provider),
    ("region", lambda r: r.region),
    ("grid_gco2e_per_kwh", lambda r: r.grid_intensity),
    ("accelerator", lambda r: r.accelerator),
    ("accelerators_per_replica", lambda r: r.count),
    ("replicas_min", lambda r: r.replicas_min),
    ("replicas_max", lambda r: r.replicas_max),
    ("instance_type", lambda r: r.instance_type),
    ("failing_rules", lambda r: " ".join(r.failing)),
    ("kwh_year_low", lambda r: r.estimate.kwh_year_low),
    ("kwh_year_high", lambda r: r.estimate.kwh_year_high),
    ("tco2e_year_low", lambda r: r.estimate.tco2e_year_low),
    ("tco2e_year_high", lambda r: r.estimate.tco2e_year_high),
    ("training_kwh", lambda r: r.estimate.training_kwh),
    ("training_tco2e", lambda r: r.estimate.training_tco2e),
    ("best_alternative", _best),
    (
        "best_saving_tco2e_year",
        lambda r: r.alternatives[0].saving_tco2e_year if r.alternatives else None,
    ),
    (
        "best_saving_percent",
        lambda r: r.alternatives[0].saving_percent if r.alternatives else None,
    ),
)
"""The header and how each cell is read from a row, in the order they are written."""


def cell(value: Cell) -> str:
    """One value as a CSV cell: empty when unknown, text escaped and never a formula."""
    if value is None:
        return ""
    if isinstance(value, int | float):
        return repr(value)
    text = printable(value)
    return "'" + text if value.startswith(FORMULA_STARTS) else text


def render(report: AuditReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([name for name, _ in COLUMNS])
    for row in report.rows:
        writer.writerow([cell(read(row)) for _, read in COLUMNS])
    return out.getvalue()
