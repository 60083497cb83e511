"""Writing one finished report in several formats: to stdout and to files.

Every target is checked before the run (two reports on one path cost
nothing), and every file target is written even when stdout is a closed pipe
(``greengate check | head``): the reader going away ends the stdout output
quietly, never the run or the other reports.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from greengate.errors import GreengateError, UsageError
from greengate.records.report import Report
from greengate.reporters import OutputFormat


@dataclass(frozen=True)
class ReportTarget:
    """One report to write: a format, and a file (``None``: stdout)."""

    format: OutputFormat
    path: Path | None = None


def report_targets(
    primary: ReportTarget, extra: Sequence[ReportTarget], *, annotate: bool = False
) -> list[ReportTarget]:
    """Every report to write, each once; checked before the run so a clash costs nothing.

    ``annotate`` adds GitHub annotations on stdout after the primary report:
    in a GitHub Actions job the log then shows both, unless ``--format`` was chosen.
    """
    wanted = [primary, *extra]
    if annotate:
        wanted.append(ReportTarget(OutputFormat.GITHUB))
    unique: list[ReportTarget] = []
    by_path: dict[Path, ReportTarget] = {}
    for target in wanted:
        if target in unique:
            continue
        if target.path is not None:
            other = by_path.setdefault(target.path, target)
            if other is not target:
                raise UsageError(
                    f"{target.path} is given for both the {other.format.value} and the"
                    f" {target.format.value} report; give each report its own path"
                )
        unique.append(target)
    return unique


def write_reports(
    report: Report, targets: Sequence[ReportTarget], *, color: bool | None = None
) -> None:
    """Write ``report`` in each target's format: streamed, so a huge report is never one string.

    Colour goes only to a terminal (or to stdout when ``color`` forces it),
    never into a file. A closed stdout stops only the stdout reports.
    """
    for target in targets:
        if target.path is not None:
            _write_file(target.path, target.format, report)
            continue
        paint = target.format.supports_color and (sys.stdout.isatty() if color is None else color)
        try:
            target.format.write(report, sys.stdout, color=paint)
            sys.stdout.flush()
        except BrokenPipeError:
            silence_stdout()


def silence_stdout() -> None:
    """The reader of stdout went away: send the rest (and the flush at exit) nowhere."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    finally:
        os.close(devnull)


def _write_file(path: Path, fmt: OutputFormat, report: Report) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8") as handle:
            fmt.write(report, handle)
    except OSError as exc:
        raise GreengateError(
            f"{path}: cannot write the {fmt.value} report ({exc.strerror}); choose another path"
        ) from None
