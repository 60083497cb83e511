"""The audit as Markdown, for a wiki page, a pull-request comment or a job summary.

The totals, the groups of every dimension (owner, repository, provider,
region, accelerator, task, policy), the top savings, the deployments and the
errors. GitHub holds at most 65,536 characters in a comment and 1 MiB in a
job summary, so the output stays under :data:`MAX_BYTES`: the deployments
table lists the deployments with the most tCO2e/year first and, when it is
cut, says how many were left out and that every one is in the JSON and CSV
formats. Long group and error tables are cut the same way.

Every text from a manifest goes through :func:`text`: one line, HTML and
Markdown punctuation escaped, ``|`` as an entity, a leading ``#`` escaped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from greengate.records.audit import DIMENSIONS, AuditReport, AuditRow
from greengate.reporters.markdown import cell

MAX_BYTES = 60_000
"""Under GitHub's 65,536-character limit of a comment, so it fits a job summary too."""
MAX_GROUPS = 25
"""Groups listed per dimension; the rest are counted."""
MAX_ERRORS = 50
UNKNOWN = "unknown"
"""What a cell shows for a figure greengate could not compute (never 0)."""
FULL_LIST = "every deployment is in `--format json` and `--format csv`"


def text(value: object) -> str:
    """A manifest's text safe in a table cell or a line (see :func:`greengate.reporters.markdown.cell`)."""
    escaped = cell(str(value))
    return "\\" + escaped if escaped.startswith("#") else escaped


def render(report: AuditReport) -> str:
    return render_markdown(report)


def render_markdown(report: AuditReport, *, max_bytes: int = MAX_BYTES) -> str:
    head = "\n\n".join(
        part
        for part in (
            _summary(report),
            *(_groups(report, dimension) for dimension in DIMENSIONS),
            _budgets(report),
            _savings(report),
        )
        if part
    )
    tail = _errors(report) + _notes(report)
    budget = max_bytes - _size(head) - _size(tail) - 1_000  # the table's frame and its note
    return f"{head}\n\n{_deployments(report.rows, budget)}{tail}"


def _budgets(report: AuditReport) -> str:
    """Owners against their yearly budgets; empty when no config sets ``ownerBudgets``."""
    if not report.budgets:
        return ""
    lines = [
        "### Owner budgets",
        "",
        "| owner | budget (tCO2e/year) | tCO2e/year at replicas.max | | without an estimate |",
        "| --- | ---: | ---: | --- | ---: |",
    ]
    lines += [
        f"| {cell(b.owner)} | {b.budget:,.3f} | {b.tco2e_year_high:,.3f} |"
        f" {'**over**' if b.over else 'within'} | {b.unestimated} |"
        for b in report.budgets
    ]
    return "\n".join(lines)


def _kwh(value: float | None) -> str:
    return UNKNOWN if value is None else f"{value:,.1f}"


def _tco2e(value: float | None) -> str:
    return UNKNOWN if value is None else f"{value:,.3f}"


def _range(
    low: float | None, high: float | None, figure: Callable[[float | None], str] = _tco2e
) -> str:
    """``low to high``, one figure when they are equal, :data:`UNKNOWN` when either is."""
    if low is None or high is None:
        return UNKNOWN
    return figure(low) if low == high else f"{figure(low)} to {figure(high)}"


def _summary(report: AuditReport) -> str:
    overall = report.overall
    estimated = overall.deployments - overall.unestimated
    lines = [
        "## greengate audit",
        "",
        f"{_plural(overall.deployments, 'deployment')} in"
        f" {_plural(len(report.repositories), 'repository')}: {estimated} estimated,"
        f" {overall.unestimated} that greengate could not estimate (not counted in the figures"
        f" below; their cells say {UNKNOWN}), {_plural(len(report.errors), 'error')}.",
        "",
        "| | deployments | accelerators | kWh/year | tCO2e/year | training kWh | training tCO2e |",
        "|---|---:|---:|---:|---:|---:|---:|",
        f"| all | {overall.deployments} | {overall.accelerators:,.4g}"
        f" | {_range(overall.kwh_year_low, overall.kwh_year_high, _kwh)}"
        f" | {_range(overall.tco2e_year_low, overall.tco2e_year_high)}"
        f" | {_kwh(overall.training_kwh)} | {_tco2e(overall.training_tco2e)} |",
    ]
    return "\n".join(lines)


def _groups(report: AuditReport, dimension: str) -> str:
    groups = report.totals.get(dimension, ())
    if not groups:
        return ""
    rows = [
        f"| {text(g.key)} | {g.deployments} | {g.unestimated} | {g.accelerators:,.4g} | "
        + (
            f"{UNKNOWN} | {UNKNOWN} | {UNKNOWN} |"
            if g.unestimated == g.deployments
            else f"{_range(g.tco2e_year_low, g.tco2e_year_high)} | {_tco2e(g.training_tco2e)}"
            f" | {g.share:.1%} |"
        )
        for g in groups[:MAX_GROUPS]
    ]
    table = "\n".join(
        [
            f"### By {dimension}",
            "",
            f"| {dimension} | deployments | not estimated | accelerators | tCO2e/year"
            " | training tCO2e | share |",
            "|---|---:|---:|---:|---:|---:|---:|",
            *rows,
        ]
    )
    more = len(groups) - len(rows)
    if more:
        table += f"\n\n_{_plural(more, dimension)} more with less tCO2e/year; {FULL_LIST}._"
    return table


def _savings(report: AuditReport) -> str:
    if not report.top_savings:
        return "### Top savings\n\nNo greener alternative was found for any deployment."
    rows = [
        f"| {rank} | {text(s.name)} | {text(s.repository)} {text(f'{s.file}:{s.line}')}"
        f" | {text(s.alternative.summary)} | {_tco2e(s.alternative.saving_tco2e_year)}"
        f" | {s.alternative.saving_percent:.1f}% |"
        for rank, s in enumerate(report.top_savings, 1)
    ]
    return "\n".join(
        [
            "### Top savings",
            "",
            "| # | deployment | where | change | saves tCO2e/year | saves |",
            "|---:|---|---|---|---:|---:|",
            *rows,
        ]
    )


def _deployments(rows: Sequence[AuditRow], budget: int) -> str:
    if not rows:
        return "### Deployments\n\nNo deployment was found.\n"
    # The largest emitters first, so that a cut table loses the least; unknown last.
    ranked = sorted(
        rows, key=lambda r: (r.estimate.tco2e_year_high is None, -(r.estimate.tco2e_year_high or 0))
    )
    lines: list[str] = []
    used = 0
    for row in ranked:
        line = _deployment(row)
        used += _size(line) + 1
        if used > budget:
            break
        lines.append(line)
    table = "\n".join(
        [
            "### Deployments",
            "",
            "| deployment | where | owner | accelerator | region | kWh/year | tCO2e/year | failing |",
            "|---|---|---|---|---|---:|---:|---|",
            *lines,
        ]
    )
    left_out = len(rows) - len(lines)
    if left_out:
        table += (
            f"\n\n_{left_out} more deployment{'' if left_out == 1 else 's'} (less tCO2e/year, or none known) left out"
            f" to keep this under {MAX_BYTES:,} bytes; {FULL_LIST}._"
        )
    return table + "\n"


def _deployment(row: AuditRow) -> str:
    e = row.estimate
    count = "" if row.count is None else f"{row.count:g} x "
    accelerator = f"{count}{text(row.accelerator)}" if row.accelerator else UNKNOWN
    region = f"{text(row.provider)} {text(row.region)}".strip() or UNKNOWN
    kwh = (
        UNKNOWN if e.kwh_year_low is None else f"{_kwh(e.kwh_year_low)} to {_kwh(e.kwh_year_high)}"
    )
    return (
        f"| {text(row.name)} | {text(row.repository)} {text(row.where)} | {text(row.owner) or '—'}"
        f" | {accelerator} | {region} | {kwh} | {_range(e.tco2e_year_low, e.tco2e_year_high)}"
        f" | {text(' '.join(row.failing)) or '—'} |"
    )


def _errors(report: AuditReport) -> str:
    if not report.errors:
        return ""
    rows = [
        f"| {text(e.repository)} {text(f'{e.file}:{e.line}')} | {text(e.rule_id)} | {text(e.message)} |"
        for e in report.errors[:MAX_ERRORS]
    ]
    table = "\n".join(["| where | rule | message |", "|---|---|---|", *rows])
    more = len(report.errors) - len(rows)
    if more:
        table += f"\n\n_{_plural(more, 'more error')}; all are in `--format json`._"
    return f"\n### Errors\n\n{table}\n"


def _notes(report: AuditReport) -> str:
    if not report.notes:
        return ""
    return "\n" + "\n".join(f"> {text(note)}" for note in report.notes) + "\n"


def _plural(count: int, noun: str) -> str:
    if count == 1:
        return f"1 {noun}"
    plural = noun[:-1] + "ies" if noun.endswith("y") else noun + "s"
    return f"{count} {plural}"


def _size(value: str) -> int:
    return len(value.encode("utf-8"))
