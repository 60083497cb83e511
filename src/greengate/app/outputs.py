"""Writing one finished report in several formats: to stdout and to files.

Every target is checked before the run (two reports on one path cost
nothing), and again before anything is written: a report path that is one
of the manifests being checked is refused. Every file is written atomically
(:mod:`greengate.atomic`): a killed run leaves the previous report intact.
Every file target is written even when stdout is a closed pipe
(``greengate check | head``) or closed altogether (``greengate check >&-``):
the reader going away ends the stdout output quietly, never the run or the
other reports.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from greengate.atomic import write_atomically
from greengate.errors import GreengateError, UsageError
from greengate.records.report import Report
from greengate.records.text import printable
from greengate.reporters import Detail, OutputFormat


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
    report: Report,
    targets: Sequence[ReportTarget],
    *,
    color: bool | None = None,
    detail: Detail = Detail.FULL,
) -> None:
    """Write ``report`` in each target's format: streamed, so a huge report is never one string.

    Colour goes only to a terminal (or to stdout when ``color`` forces it),
    never into a file. A closed stdout stops only the stdout reports; with
    no stdout at all (``sys.stdout is None``) they are left out. Raises
    :class:`UsageError`, before writing anything, when a report path is one
    of the manifests of the report.
    """
    refuse_manifests(report, [t.path for t in targets if t.path is not None])
    for target in targets:
        if target.path is not None:
            _write_file(target.path, target.format, report, detail)
            continue
        out = sys.stdout
        if out is None:
            continue
        paint = target.format.supports_color and (wants_color(out) if color is None else color)
        try:
            target.format.write(report, out, color=paint, detail=detail)
            out.flush()
        except BrokenPipeError:
            silence_stdout()


def wants_color(out: TextIO, environ: Mapping[str, str] | None = None) -> bool:
    """Colour by default only on a terminal, as the conventions of the environment say.

    ``NO_COLOR`` (any non-empty value, no-color.org) turns it off and
    ``FORCE_COLOR`` (non-empty, not ``0``) on; ``TERM=dumb`` turns it off.
    ``--color``/``--no-color`` win over all of them.
    """
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR"):
        return False
    force = env.get("FORCE_COLOR")
    if force and force != "0":
        return True
    if env.get("TERM") == "dumb":
        return False
    return out.isatty()


def refuse_manifests(report: Report, paths: Sequence[Path], what: str = "report") -> None:
    """Raise :class:`UsageError` if one of ``paths`` is one of the files ``report`` checked.

    Paths are compared as the files they name (symbolic links and ``..``
    resolved, and the same file under two names), so writing a report can
    never overwrite a manifest.
    """
    if not paths or not report.files:
        return
    manifests = [Path(file) for file in report.files]
    names = {_identity(m) for m in manifests}
    inodes: set[tuple[int, int]] | None = None
    for path in paths:
        refused = _identity(path) in names
        if not refused and path.exists():
            if inodes is None:  # hard links: the same file under another name
                inodes = {key for key in map(_inode, manifests) if key is not None}
            refused = _inode(path) in inodes
        if refused:
            raise UsageError(
                f"{printable(path)} is one of the manifests being checked; choose another {what} path"
            )


def _identity(path: Path) -> str:
    return os.path.normcase(os.path.realpath(path))


def _inode(path: Path) -> tuple[int, int] | None:
    try:
        found = path.stat()
    except OSError:
        return None
    return (found.st_dev, found.st_ino)


def silence_stdout() -> None:
    """The reader of stdout went away: send the rest (and the flush at exit) nowhere."""
    if sys.stdout is None:
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    finally:
        os.close(devnull)


def _write_file(path: Path, fmt: OutputFormat, report: Report, detail: Detail) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, lambda handle: fmt.write(report, handle, detail=detail))
    except OSError as exc:
        raise GreengateError(
            f"{printable(path)}: cannot write the {fmt.value} report ({exc.strerror}); choose another path"
        ) from None
