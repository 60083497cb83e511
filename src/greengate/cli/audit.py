"""``greengate audit``: the inventory of every AI deployment in one or many repositories.

``greengate audit PATH...`` runs the audit; ``greengate audit merge FILE...``
joins the JSON of ``--shard`` runs. Wiring only: the use case is
:mod:`greengate.app.audit`, the formats :mod:`greengate.reporters.audit`.
"""

from __future__ import annotations

import datetime
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from greengate.app.audit import AuditOptions, Shard, merge, run_audit
from greengate.app.history import EVERY, history, history_dates, with_history
from greengate.app.rule_choice import RuleChoice
from greengate.app.workers import jobs_of
from greengate.atomic import write_atomically
from greengate.cli.options import (
    REPORT_PATH,
    SEVERITIES,
    day,
    format_option,
    format_paths,
    max_file_size_option,
    rule_options,
    settings_options,
    today_option,
)
from greengate.cli.progress import ProgressLine
from greengate.config.settings import Flags
from greengate.errors import ConfigError, ExitCode, GreengateError
from greengate.records.audit import AuditReport, from_dict
from greengate.records.finding import Severity
from greengate.records.text import printable
from greengate.reporters.audit import AuditFormat

AUDIT_EXIT_CODES = """\b
Exit codes:
  0  the audit ran (whatever it found), or nothing fails at or above --fail-on
  1  with --fail-on: a deployment fails a rule at or above it, or a manifest cannot be read
  2  greengate could not run: bad arguments, config, policy, catalog or shard file"""

_DEFAULT = "run"


class _AuditGroup(click.Group):
    """``audit PATH...`` runs the audit; ``audit merge ...`` is the one subcommand."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or args[0] not in self.commands:
            args = [_DEFAULT, *args]
        return super().parse_args(ctx, args)

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_usage(
            "greengate audit", "[OPTIONS] [PATHS]...\n       greengate audit merge SHARD.json..."
        )


@click.group(cls=_AuditGroup, epilog=AUDIT_EXIT_CODES, invoke_without_command=False)
def audit() -> None:
    """Inventory every AI deployment of repositories and folders, and what it emits.

    `greengate audit merge SHARD.json...` joins the JSON of `--shard K/N` runs.
    """


def _write(report: AuditReport, fmt: AuditFormat, output: Path | None) -> None:
    text = fmt.render(report)
    if output is None:
        try:
            sys.stdout.write(text)
            sys.stdout.flush()
        except BrokenPipeError:
            pass
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(output, lambda handle: handle.write(text))
    except OSError as exc:
        raise GreengateError(
            f"{printable(output)}: cannot write the {fmt.value} audit ({exc.strerror}); choose another path"
        ) from None


def _parse_reports(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> tuple[tuple[AuditFormat, Path], ...]:
    found = format_paths(ctx, param, values, [f.value for f in AuditFormat], "html=audit.html")
    return tuple((AuditFormat(name), path) for name, path in found)


@audit.command(_DEFAULT, epilog=AUDIT_EXIT_CODES, hidden=True)
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@settings_options
@rule_options
@format_option(
    [f.value for f in AuditFormat],
    default=AuditFormat.TEXT.value,
    what="the audit on stdout (or in --output)",
)
@click.option(
    "--output", "-o", type=REPORT_PATH, help="Write the --format audit to FILE instead of stdout."
)
@click.option(
    "--report",
    "reports",
    multiple=True,
    metavar="FORMAT=PATH",
    callback=_parse_reports,
    help="Also write the audit in FORMAT to PATH (repeatable), e.g. --report html=audit.html.",
)
@click.option(
    "--ref",
    metavar="REF",
    help="Audit every repository as it is at REF (read from git objects, no checkout), with the config and policies of that commit.",
)
@click.option(
    "--fail-on",
    "gate",
    type=SEVERITIES,
    default=None,
    help="Turn the audit into a gate: exit 1 when a deployment fails a rule at or above this severity, or a manifest cannot be read (default: exit 0 whatever the audit finds).",
)
@click.option(
    "--shard",
    metavar="K/N",
    help="Audit only the K-th of N deterministic parts of the repositories (by a hash of their names) and write JSON for `greengate audit merge`.",
)
@click.option(
    "--history",
    "since",
    metavar="SINCE",
    help="Also sample every repository over time from SINCE (YYYY-MM-DD, or 'N months ago': days, weeks, months, years) to today (or --today): at each date the last first-parent commit at or before it is audited from git objects, and the report gets the totals per date and the deployments that changed them most.",
)
@click.option(
    "--every",
    type=click.Choice(EVERY),
    default=EVERY[0],
    show_default=True,
    help="How often --history samples: every month (the same day, or the month's last) or every week.",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    metavar="N",
    help="Worker processes: repositories, and the folders of a large one, are audited in parallel with the same result as one process (0: one per CPU).",
)
@click.option(
    "--quiet",
    "-q",
    is_flag=True,
    help="No progress line on stderr (it is drawn only when stderr is a terminal).",
)
@today_option
@max_file_size_option
def run(
    paths: tuple[Path, ...],
    flags: Flags,
    output_format: str,
    output: Path | None,
    reports: tuple[tuple[AuditFormat, Path], ...],
    ref: str | None,
    gate: str | None,
    shard: str | None,
    since: str | None,
    every: str,
    jobs: int,
    quiet: bool,
    today: datetime.datetime | None,
    max_file_size: int,
    choice: RuleChoice,
) -> None:
    """Inventory every AI deployment in PATHS (repositories or folders; default: the current folder).

    Each PATH is checked as `greengate check` checks it, with its own
    .greengate.yaml; every deployment is listed with its owner (metadata,
    labels, CODEOWNERS), place, facts, failing rules and its estimated
    energy and emissions per year, with totals and shares by owner,
    repository, provider, region, accelerator, task and policy, and the
    greener region, accelerator or model that would save the most (the top
    10 savings).

    With --history, the totals over time and what drove them. A progress
    line (files, deployments, rate, time left) is drawn on stderr when it is
    a terminal.
    """
    source = click.get_current_context().get_parameter_source("output_format")
    fmt = AuditFormat(output_format)
    parsed = Shard.parse(shard) if shard is not None else None
    if parsed is not None and output_format != AuditFormat.JSON.value:
        if source is not click.core.ParameterSource.DEFAULT:
            raise ConfigError(
                "--shard writes JSON for `greengate audit merge`; drop --format or use --format json"
            )
        fmt = AuditFormat.JSON
    options = AuditOptions(
        paths=list(paths) or [Path()],
        flags=flags,
        ref=ref,
        shard=parsed,
        fail_on=Severity(gate) if gate is not None else None,
        max_file_bytes=max_file_size,
        today=day(today),
        choice=choice,
        jobs=jobs_of(jobs),
    )
    if since is None and _given("every"):
        raise ConfigError("--every sets how often --history samples; add --history SINCE")
    dates = history_dates(options, since, every, day(today)) if since is not None else None
    progress = ProgressLine.on(sys.stderr, quiet)
    try:
        report, gating = run_audit(options, progress)
        if dates is not None:
            report = with_history(report, history(options, dates, progress))
    finally:
        if progress is not None:
            progress.close()
    for extra_format, path in reports:
        _write(report, extra_format, path)
    _write(report, fmt, output)
    sys.exit(int(ExitCode.FAILED if gating else ExitCode.OK))


@audit.command("merge", epilog=AUDIT_EXIT_CODES)
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@format_option(
    [f.value for f in AuditFormat], default=AuditFormat.TEXT.value, what="the merged audit"
)
@click.option(
    "--output", "-o", type=REPORT_PATH, help="Write the merged audit to FILE instead of stdout."
)
def merge_command(files: tuple[Path, ...], output_format: str, output: Path | None) -> None:
    """Join the JSON files of `greengate audit --shard K/N` runs into the report of the whole audit."""
    _write(merge(read_shards(files)), AuditFormat(output_format), output)


def _given(parameter: str) -> bool:
    """Whether the command line gave ``parameter`` (not its default)."""
    source = click.get_current_context().get_parameter_source(parameter)
    return source is not None and source is not click.core.ParameterSource.DEFAULT


def read_shards(files: Sequence[Path]) -> list[tuple[str, AuditReport]]:
    out = []
    for file in files:
        name = printable(file)
        try:
            data: Any = json.loads(file.read_text(encoding="utf-8"))
            out.append((name, from_dict(data)))
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(
                f"{name}: cannot read the shard file ({exc}); give the JSON written by --shard"
            ) from None
        except json.JSONDecodeError as exc:
            raise ConfigError(
                f"{name}:{exc.lineno}:{exc.colno}: not JSON ({exc.msg}); give the JSON written by --shard"
            ) from None
        except ValueError as exc:
            raise ConfigError(f"{name}: {exc}; give the JSON written by --shard") from None
    return out
