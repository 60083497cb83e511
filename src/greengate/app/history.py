"""``greengate audit --history SINCE``: the audit's totals over time, and what drove them.

For each sampled date from SINCE to today (``--every month`` or ``week``),
each repository is read at the last commit of its branch's first-parent
line at or before the end of that day (UTC, committer time, as ``git
rev-list -1 --first-parent --before`` picks it), from git objects with the
config and policies of that commit, exactly as ``--ref`` audits it. A
commit sampled at two dates is audited once. Each point is the total of the
rows of that date (summed as the audit's own total is) and the deployments
whose high tCO2e/year changed most since the point before (none for the
first point: nothing comes before it).

A repository with no commit yet at a date (or no git history at all) is
absent from that point's ``commits``, and a note says so: a smaller total
there is not a drop in emissions. Nor is a manifest that a past commit
could not read: a note names the commit and how many.
"""

from __future__ import annotations

import calendar
import datetime
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from greengate.aggregate.totals import summarise
from greengate.app.audit import AuditOptions, Part, Target, audit_parts, chosen_targets
from greengate.app.pipeline import Progress
from greengate.errors import ConfigError, GreengateError
from greengate.records.audit import AuditReport, AuditRow, HistoryPoint
from greengate.sources.git import Repository as GitRepository

EVERY = ("month", "week")
"""The sampling steps ``--every`` takes."""

DRIVERS = 5
"""Deployments listed per point as what changed its total most."""

_AGO = re.compile(r"^\s*(\d+)\s+(day|week|month|year)s?\s+ago\s*$", re.IGNORECASE)


def since_date(text: str, today: datetime.date) -> datetime.date:
    """The first sampled date: ``YYYY-MM-DD`` or ``N days|weeks|months|years ago``."""
    try:
        day = datetime.date.fromisoformat(text.strip())
    except ValueError:
        found = _AGO.match(text)
        if found is None:
            raise ConfigError(
                f"--history {text!r} is not a date; give YYYY-MM-DD or 'N months ago' (days, weeks, months, years)"
            ) from None
        count, unit = int(found.group(1)), found.group(2).lower()
        if unit in ("day", "week"):
            day = today - datetime.timedelta(days=count * (7 if unit == "week" else 1))
        else:
            day = add_months(today, -count * (12 if unit == "year" else 1))
    if day > today:
        raise ConfigError(f"--history {text!r} is after today ({today}); give a past date")
    return day


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` moved by ``months``, on the last day of the month when it has fewer days."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(day.day, last))


def sample_dates(since: datetime.date, until: datetime.date, every: str) -> list[datetime.date]:
    """``since``, then every month (same day, or the month's last) or week after it, up to ``until``.

    Each date is counted from ``since``, not from the date before, so
    January 31 gives February 28 and then March 31.
    """
    if every not in EVERY:
        raise ConfigError(f"--every {every!r}: give one of {', '.join(EVERY)}")
    dates: list[datetime.date] = []
    step = 0
    while True:
        if every == "month":
            day = add_months(since, step)
        else:
            day = since + datetime.timedelta(weeks=step)
        if day > until:
            return dates
        dates.append(day)
        step += 1


def end_of(day: datetime.date) -> int:
    """The last second of ``day`` in UTC, as a Unix time."""
    midnight = datetime.datetime.combine(
        day + datetime.timedelta(days=1), datetime.time(), datetime.timezone.utc
    )
    return int(midnight.timestamp()) - 1


def commit_at(line: Sequence[tuple[str, int]], cutoff: int) -> str | None:
    """The first commit of a first-parent line (newest first) made at or before ``cutoff``."""
    return next((sha for sha, when in line if when <= cutoff), None)


def key_of(row: AuditRow) -> str:
    return f"{row.repository}:{row.file}:{row.name}"


def figures(rows: Iterable[AuditRow]) -> dict[str, float]:
    """High tCO2e/year per deployment key; a row without a figure counts as the total counts it (not at all)."""
    out: dict[str, float] = {}
    for row in rows:
        value = row.estimate.tco2e_year_high
        out[key_of(row)] = out.get(key_of(row), 0.0) + (value if value is not None else 0.0)
    return out


def drivers(
    before: Mapping[str, float], after: Mapping[str, float], count: int = DRIVERS
) -> tuple[tuple[str, float], ...]:
    """The ``count`` deployments whose high tCO2e/year changed most (added, removed, changed)."""
    deltas = {key: after.get(key, 0.0) - before.get(key, 0.0) for key in sorted({*before, *after})}
    moved = [(key, delta) for key, delta in deltas.items() if delta != 0.0]
    moved.sort(key=lambda kd: (-abs(kd[1]), kd[0]))
    return tuple(moved[:count])


@dataclass(frozen=True)
class History:
    points: tuple[HistoryPoint, ...]
    notes: tuple[str, ...]


def history_dates(
    options: AuditOptions, since: str, every: str, today: datetime.date
) -> list[datetime.date]:
    """The dates ``--history SINCE --every EVERY`` samples; raises before any audit runs."""
    if options.shard is not None:
        raise ConfigError(
            "--history cannot be combined with --shard: a merged history would not sum its"
            " totals in the order of one run; run --history without --shard"
        )
    return sample_dates(since_date(since, today), today, every)


def history(
    options: AuditOptions, dates: Sequence[datetime.date], progress: Progress | None = None
) -> History:
    """The history of the repositories ``options`` audits at ``dates`` (:func:`history_dates`)."""
    chosen = chosen_targets(options)
    notes: list[str] = []
    commits: dict[str, list[str | None]] = {}
    for target in chosen:
        line = _line(target, options.ref, notes)
        commits[target.name] = [commit_at(line, end_of(day)) for day in dates]
        absent = [day for day, sha in zip(dates, commits[target.name], strict=True) if sha is None]
        if absent and line:
            notes.append(
                f"history: {target.name} has no commit at or before {absent[-1]} (its first"
                f" commit on this line is from {_day(line[-1][1])}); it is absent from"
                f" {_count(len(absent), 'point')} ({_span(absent)})"
                + (
                    ", a shallow clone: fetch its history with `git fetch --unshallow`"
                    if _shallow(target)
                    else ""
                )
            )
    by_name = {t.name: t for t in chosen}
    wanted = sorted({(name, sha) for name, shas in commits.items() for sha in shas if sha})
    work = [(by_name[name], replace(options, ref=sha, shard=None)) for name, sha in wanted]
    audited = audit_parts(work, options.jobs, progress, ("history", "commits"))
    parts: dict[tuple[str, str], Part] = dict(zip(wanted, audited, strict=True))
    for (name, sha), part in parts.items():
        if part.errors:
            days = [d for d, at in zip(dates, commits[name], strict=True) if at == sha]
            notes.append(
                f"history: {name} at {sha[:12]} ({_span(days)}):"
                f" {_count(len(part.errors), 'manifest or rule')} could not be read or evaluated;"
                " what they hold is not in the total of that date"
            )
    points = []
    before: dict[str, float] = {}
    for i, day in enumerate(dates):
        present = {name: at for name, shas in sorted(commits.items()) if (at := shas[i])}
        rows = [r for name, at in present.items() for r in parts[(name, at)].rows]
        total, _ = summarise(rows, dimensions=())
        after = figures(rows)
        points.append(
            HistoryPoint(
                date=day.isoformat(),
                commits=present,
                total=total,
                drivers=drivers(before, after) if i > 0 else (),
            )
        )
        before = after
    return History(tuple(points), tuple(notes))


def with_history(report: AuditReport, found: History) -> AuditReport:
    """The audit report with its history and the history's notes."""
    return replace(report, history=found.points, notes=(*report.notes, *found.notes))


def _line(target: Target, ref: str | None, notes: list[str]) -> list[tuple[str, int]]:
    try:
        repo = GitRepository.open(target.root)
    except GreengateError:
        notes.append(
            f"history: {target.name} is not in a git repository; it is absent from every point"
        )
        return []
    try:
        return repo.first_parents(ref or "HEAD")
    except GreengateError:
        if ref is not None:
            raise
        notes.append(f"history: {target.name} has no commit yet; it is absent from every point")
        return []


def _shallow(target: Target) -> bool:
    return GitRepository.open(target.root).is_shallow


def _day(when: int) -> str:
    return datetime.datetime.fromtimestamp(when, datetime.timezone.utc).date().isoformat()


def _span(days: Sequence[datetime.date]) -> str:
    return str(days[0]) if len(days) == 1 else f"{days[0]} to {days[-1]}"


def _count(n: int, what: str) -> str:
    return f"{n} {what}{'' if n == 1 else 's'}"
