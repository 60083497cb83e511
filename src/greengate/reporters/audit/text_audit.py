"""The audit as text for a terminal: tables that fit in 100 columns, the biggest things first.

What a reader needs to decide what to change: the overall estimate (and
how many deployments could not be estimated, never counted as zero), the
groups of every dimension (top :data:`TOP_GROUPS` each), the ranked
savings, the deployments that emit most (top :data:`TOP_ROWS`), the errors
and the notes. Long cells are cut with ``…``; every value read from a
manifest goes through :func:`~greengate.records.text.printable` first, so a
name cannot move the cursor or start a CI workflow command.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from greengate.records.audit import DIMENSIONS, AuditReport, AuditRow, Total
from greengate.records.text import printable

WIDTH = 100
"""The widest line a table may print (80-100 column terminals)."""
TOP_GROUPS = 10
TOP_ROWS = 20
TOP_ERRORS = 20
_GAP = "  "
_INDENT = "  "
_MIN_CELL = 6
_UNKNOWN = "unknown"


@dataclass(frozen=True)
class Column:
    header: str
    number: bool = False
    """Right-aligned and never cut (a cut figure would be a wrong figure)."""
    path: bool = False
    """Cut at the start, keeping the file name and line: ``…/chat.yaml:5``."""
    floor: int = 6
    """Cut no narrower than this while another column can give way."""


def render(report: AuditReport) -> str:
    lines = [*_summary(report)]
    for dimension in DIMENSIONS:
        groups = report.totals.get(dimension, ())
        if groups:
            lines += ["", f"By {dimension}", *_groups(groups)]
    if report.budgets:
        lines += ["", "Owner budgets (carbon-budget ownerBudgets)", *_budgets(report)]
    if report.rules:
        lines += ["", "Rules", *_rules(report)]
    lines += ["", "Top savings", *_savings(report)]
    lines += ["", f"Deployments (top {TOP_ROWS} by tCO2e/year)", *_deployments(report)]
    if report.history:
        lines += ["", "History", *_history(report)]
    if report.errors:
        lines += ["", "Errors", *_errors(report)]
    if report.notes:
        lines += ["", "Notes", *(f"{_INDENT}{printable(note)}" for note in report.notes)]
    return "\n".join(lines) + "\n"


def _budgets(report: AuditReport) -> list[str]:
    columns = [
        Column("owner", floor=12),
        Column("budget t/year", number=True),
        Column("tCO2e/year", number=True),
        Column("", floor=6),
        Column("no est.", number=True),
    ]
    shown = [
        [
            printable(b.owner),
            _num(b.budget),
            _num(b.tco2e_year_high),
            "OVER" if b.over else "within",
            str(b.unestimated) if b.unestimated else "",
        ]
        for b in report.budgets
    ]
    return [
        *table(columns, shown),
        f"{_INDENT}tCO2e/year: the owner's deployments at replicas.max; no est.: not counted",
    ]


def _summary(report: AuditReport) -> list[str]:
    overall = report.overall
    repos = len(report.repositories)
    names = ", ".join(printable(r.name) for r in report.repositories[:3])
    more = f" and {repos - 3} more" if repos > 3 else ""
    shard = f" (shard {printable(report.shard)})" if report.shard else ""
    lines = [
        f"greengate audit{shard}: {_count(overall.deployments, 'deployment')} in"
        f" {_count(repos, 'repository', 'repositories')}" + (f" ({names}{more})" if names else ""),
        f"{_INDENT}inference: {_range(overall.tco2e_year_low, overall.tco2e_year_high)} tCO2e/year,"
        f" {_range(overall.kwh_year_low, overall.kwh_year_high)} kWh/year"
        f" (replicas.min to replicas.max)",
    ]
    if overall.training_kwh or overall.training_tco2e:
        lines.append(
            f"{_INDENT}training: {_num(overall.training_tco2e)} tCO2e,"
            f" {_num(overall.training_kwh)} kWh"
        )
    if overall.unestimated:
        lines += [
            f"{_INDENT}{_count(overall.unestimated, 'deployment')} without an estimate, not counted"
            " above:",
            f"{_INDENT}{_INDENT}`greengate explain FILE` says which facts each needs",
        ]
    if report.errors:
        lines.append(
            f"{_INDENT}{_count(len(report.errors), 'error')}: manifests or rules greengate could"
            " not read or evaluate (listed under Errors)"
        )
    return lines


def _groups(groups: Sequence[Total]) -> list[str]:
    columns = [
        Column("group"),
        Column("deploy.", number=True),
        Column("accel.", number=True),
        Column("kWh/year", number=True),
        Column("tCO2e/year", number=True),
        Column("share", number=True),
        Column("no est.", number=True),
    ]
    rows = [
        [
            printable(t.key),
            str(t.deployments),
            _num(t.accelerators),
            _group_range(t, t.kwh_year_low, t.kwh_year_high),
            _group_range(t, t.tco2e_year_low, t.tco2e_year_high),
            f"{t.share * 100:.1f}%",
            str(t.unestimated) if t.unestimated else "",
        ]
        for t in groups[:TOP_GROUPS]
    ]
    return table(columns, rows) + _more(len(groups) - TOP_GROUPS, "group")


def _group_range(total: Total, low: float, high: float) -> str:
    """A group's sum; ``unknown`` when none of its deployments has an estimate (not 0)."""
    return _UNKNOWN if total.unestimated == total.deployments else _range(low, high)


def _rules(report: AuditReport) -> list[str]:
    columns = [
        Column("rule"),
        Column("policy"),
        Column("severity"),
        Column("failed", number=True),
        Column("passed", number=True),
        Column("pass rate", number=True),
        Column("skipped", number=True),
        Column("errors", number=True),
    ]
    rows = [
        [
            printable(t.rule_id),
            printable(t.policy),
            printable(t.severity),
            str(t.failed),
            str(t.passed),
            "" if t.pass_rate is None else f"{t.pass_rate * 100:.0f}%",
            str(t.skipped),
            str(t.errors),
        ]
        for t in report.rules
    ]
    return table(columns, rows)


def _savings(report: AuditReport) -> list[str]:
    if not report.top_savings:
        return [
            f"{_INDENT}none: no deployment has a greener region, accelerator or model that the"
            " catalog can compute a saving for"
        ]
    columns = [
        Column("#", number=True),
        Column("deployment", floor=14),
        Column("where", path=True, floor=16),
        Column("change", floor=44),
        Column("t/year", number=True),
        Column("%", number=True),
    ]
    rows = [
        [
            str(rank),
            printable(s.name),
            _where(report, s.repository, f"{s.file}:{s.line}"),
            printable(s.alternative.summary),
            _num(s.alternative.saving_tco2e_year),
            f"{s.alternative.saving_percent:.1f}%",
        ]
        for rank, s in enumerate(report.top_savings, start=1)
    ]
    return [
        *table(columns, rows),
        f"{_INDENT}each deployment's best change, saving tCO2e/year and %; how each is computed:",
        f"{_INDENT}{_INDENT}--format json (rows[].alternatives[].detail)",
    ]


def _where(report: AuditReport, repository: str, where: str) -> str:
    """``file:line``, after ``repository:`` when the audit covers more than one."""
    return printable(f"{repository}:{where}" if len(report.repositories) > 1 else where)


def _deployments(report: AuditReport) -> list[str]:
    rows = report.rows
    if not rows:
        return [f"{_INDENT}none found"]
    ranked = sorted(rows, key=_by_emissions)
    columns = [
        Column("deployment", floor=16),
        Column("where", path=True, floor=14),
        Column("owner", floor=10),
        Column("region", floor=12),
        Column("accelerators", floor=16),
        Column("tCO2e/year", number=True),
        Column("fails", number=True),
    ]
    shown = [
        [
            printable(r.name),
            _where(report, r.repository, r.where),
            printable(r.owner) or _UNKNOWN,
            printable(r.region) or _UNKNOWN,
            _accelerators(r),
            _emissions(r),
            str(len(r.failing)) if r.failing else "",
        ]
        for r in ranked[:TOP_ROWS]
    ]
    more = len(rows) - TOP_ROWS
    tail = [f"{_INDENT}{more} more: --format csv or --format json lists all"] if more > 0 else []
    return [*table(columns, shown), *tail, f"{_INDENT}fails: how many rules it fails (see Rules)"]


def _emissions(row: AuditRow) -> str:
    """The yearly range; a training run's own tCO2e when it has no yearly figure."""
    e = row.estimate
    if e.tco2e_year_high is None and e.training_tco2e is not None:
        return f"{_num(e.training_tco2e)} (training)"
    return _range(e.tco2e_year_low, e.tco2e_year_high)


def _by_emissions(row: AuditRow) -> tuple[bool, float, tuple[str, str, int, str]]:
    """Largest high tCO2e/year first; rows without the figure last, in file order."""
    high = row.estimate.tco2e_year_high
    return (high is None, -(high or 0.0), row.sort_key)


def _accelerators(row: AuditRow) -> str:
    if not row.accelerator:
        return _UNKNOWN
    return printable(
        row.accelerator if row.count is None else f"{_num(row.count)} x {row.accelerator}"
    )


def _history(report: AuditReport) -> list[str]:
    columns = [
        Column("date"),
        Column("deploy.", number=True),
        Column("tCO2e/year", number=True),
        Column("biggest change"),
    ]
    rows = []
    for point in report.history:
        driver = ""
        if point.drivers:
            name, change = point.drivers[0]
            driver = f"{printable(name)} ({change:+,.3g})"
        rows.append(
            [
                printable(point.date),
                str(point.total.deployments),
                _range(point.total.tco2e_year_low, point.total.tco2e_year_high),
                driver,
            ]
        )
    return table(columns, rows)


def _errors(report: AuditReport) -> list[str]:
    columns = [Column("where", path=True), Column("rule"), Column("message")]
    rows = [
        [
            _where(report, e.repository, f"{e.file}:{e.line}"),
            printable(e.rule_id),
            printable(e.message),
        ]
        for e in report.errors[:TOP_ERRORS]
    ]
    more = len(report.errors) - TOP_ERRORS
    tail = [f"{_INDENT}{more} more: --format json lists all"] if more > 0 else []
    return table(columns, rows) + tail


def table(columns: Sequence[Column], rows: Sequence[Sequence[str]]) -> list[str]:
    """Rows under a header, each line at most :data:`WIDTH` wide: the widest text cells are cut."""
    widths = [max([len(c.header), *(len(r[i]) for r in rows)]) for i, c in enumerate(columns)]

    def total() -> int:
        return len(_INDENT) + sum(widths) + len(_GAP) * (len(widths) - 1)

    while total() > WIDTH:
        slack = [widths[i] - c.floor if not c.number else 0 for i, c in enumerate(columns)]
        if max(slack) <= 0:
            slack = [widths[i] - _MIN_CELL if not c.number else 0 for i, c in enumerate(columns)]
        if max(slack) <= 0:
            break
        widths[slack.index(max(slack))] -= 1
    lines = []
    for cells in [[c.header for c in columns], *rows]:
        shown = [
            _fit(cell, width, column)
            for cell, width, column in zip(cells, widths, columns, strict=True)
        ]
        lines.append((_INDENT + _GAP.join(shown)).rstrip())
    return lines


def _fit(cell: str, width: int, column: Column) -> str:
    if len(cell) > width:
        cell = "…" + cell[len(cell) - width + 1 :] if column.path else cell[: width - 1] + "…"
    return cell.rjust(width) if column.number else cell.ljust(width)


def _more(more: int, what: str) -> list[str]:
    return [f"{_INDENT}{more} more {what}{'' if more == 1 else 's'}"] if more > 0 else []


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def _range(low: float | None, high: float | None) -> str:
    """``low-high``, one figure when they are equal, ``unknown`` when neither is known."""
    if low is None and high is None:
        return _UNKNOWN
    if low is None or high is None or _num(low) == _num(high):
        return _num(high if high is not None else low)
    return f"{_num(low)}-{_num(high)}"


def _num(value: float | None) -> str:
    """A figure to three significant digits, with thousands separators: 0.0152, 3.17, 1,234."""
    if value is None:
        return _UNKNOWN
    if value == 0:
        return "0"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"
