"""Totals and shares of an audit, per dimension (owner, repository, region...).

Rows are summed in their sorted order, so the same rows give the same
floating-point totals however they were produced (one process, ``--jobs``,
shards merged). A row without an estimate is counted in ``unestimated``,
never as zero emissions.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from greengate.records.audit import DIMENSIONS, UNKNOWN, AuditRow, Total, sorted_rows

NO_FAILURE = "(none)"
"""The ``policy`` group of rows that fail no rule."""


def _keys(row: AuditRow, dimension: str) -> tuple[str, ...]:
    if dimension == "policy":
        return row.failing or (NO_FAILURE,)
    if dimension == "region":
        if not row.region:
            return (UNKNOWN,)
        return (f"{row.provider or UNKNOWN} {row.region}",)
    value = getattr(row, dimension)
    return (str(value) if value else UNKNOWN,)


def accelerators_of(row: AuditRow) -> float:
    """Accelerators at the maximum replica count (one replica when none is stated)."""
    if row.count is None:
        return 0.0
    replicas = row.replicas_max if row.replicas_max is not None else 1
    return row.count * replicas


def add(total: Total, row: AuditRow) -> Total:
    e = row.estimate
    yearly = e.tco2e_year_high is not None or e.training_tco2e is not None
    return replace(
        total,
        deployments=total.deployments + 1,
        accelerators=total.accelerators + accelerators_of(row),
        kwh_year_low=total.kwh_year_low + (e.kwh_year_low or 0.0),
        kwh_year_high=total.kwh_year_high + (e.kwh_year_high or 0.0),
        tco2e_year_low=total.tco2e_year_low + (e.tco2e_year_low or 0.0),
        tco2e_year_high=total.tco2e_year_high + (e.tco2e_year_high or 0.0),
        training_kwh=total.training_kwh + (e.training_kwh or 0.0),
        training_tco2e=total.training_tco2e + (e.training_tco2e or 0.0),
        unestimated=total.unestimated + (0 if yearly else 1),
    )


def total_of(rows: Iterable[AuditRow], key: str = "all") -> Total:
    total = Total(key=key)
    for row in sorted_rows(list(rows)):
        total = add(total, row)
    return total


def _with_share(total: Total, whole: float) -> Total:
    return replace(total, share=total.tco2e_year_high / whole if whole > 0 else 0.0)


def group(
    rows: Sequence[AuditRow], dimension: str, overall: Total | None = None
) -> tuple[Total, ...]:
    """The groups of one dimension, largest high tCO2e/year first, then by name."""
    whole = (overall or total_of(rows)).tco2e_year_high
    groups: dict[str, Total] = {}
    for row in sorted_rows(rows):
        for key in _keys(row, dimension):
            groups[key] = add(groups.get(key, Total(key=key)), row)
    ranked = sorted(groups.values(), key=_rank)
    return tuple(_with_share(t, whole) for t in ranked)


def _rank(total: Total) -> tuple[float, int, str]:
    return (-total.tco2e_year_high, -total.deployments, total.key)


def summarise(
    rows: Sequence[AuditRow], dimensions: Sequence[str] = DIMENSIONS
) -> tuple[Total, dict[str, tuple[Total, ...]]]:
    """The overall total and the groups of every dimension."""
    whole = total_of(rows)
    overall = _with_share(whole, whole.tco2e_year_high)
    return overall, {d: group(rows, d, overall) for d in dimensions}
