"""The ranked "top savings": the changes that would cut the most tCO2e per year.

Each deployment contributes its best alternative (rows hold them largest
saving first), so the list names ten different deployments rather than one
deployment's three options; ties keep file order.
"""

from __future__ import annotations

from collections.abc import Sequence

from greengate.records.audit import AuditRow, Saving, sorted_rows

TOP = 10


def top_savings(rows: Sequence[AuditRow], n: int = TOP) -> tuple[Saving, ...]:
    best = [
        Saving(row.repository, row.file, row.line, row.name, row.alternatives[0])
        for row in sorted_rows(rows)
        if row.alternatives and row.alternatives[0].saving_tco2e_year > 0
    ]
    best.sort(key=lambda s: -s.alternative.saving_tco2e_year)  # stable: file order on ties
    return tuple(best[:n])
