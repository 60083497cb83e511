"""``greengate baseline create``: record today's failing findings."""

from __future__ import annotations

import datetime
from pathlib import Path

import click

from greengate.app.check import options_from, run_check, settings_for
from greengate.app.outputs import refuse_manifests
from greengate.cli.options import day, max_file_size_option, settings_options, today_option
from greengate.config.settings import Flags
from greengate.findings import baseline as baselines
from greengate.records.finding import Status
from greengate.records.text import printable
from greengate.sources.files import display_path


@click.group("baseline")
def baseline_group() -> None:
    """Record today's failing findings, so that a check fails only on new ones."""


@baseline_group.command("create")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@settings_options
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=None,
    help=f"Baseline file to write (replaced if it exists; default: the config's baseline, else {baselines.DEFAULT_BASELINE}).",
)
@today_option
@max_file_size_option
def baseline_create(
    paths: tuple[Path, ...],
    flags: Flags,
    output: Path | None,
    today: datetime.datetime | None,
    max_file_size: int,
) -> None:
    """Check PATHS as `greengate check` does and record every failing finding in a baseline file.

    Then `greengate check --baseline FILE` reports the recorded findings as
    existing (they do not fail the run) and fails only on new ones. Each
    finding is recorded by its fingerprint (rule, file, deployment, field;
    never the line), with its rule, file, deployment, field and message for
    people; the file is sorted and stable, so it diffs well. Run it and the
    check from the same folder (the repository root). Errors (manifests that
    cannot be read) are never recorded: fix them. Waived findings are not
    recorded either. Exit status 0 (whatever the findings), or 2 when greengate
    cannot run: bad arguments, config, policy or catalog file.
    """
    settings = settings_for(flags, paths)
    options = options_from(settings, paths, max_file_bytes=max_file_size, today=day(today))
    if output is None:
        configured = settings.config.baseline if settings.config is not None else None
        output = configured.value if configured is not None else Path(baselines.DEFAULT_BASELINE)
    report = run_check(options)
    refuse_manifests(report, [output], "baseline")
    recorded = baselines.entries(report.findings)
    baselines.write(output, recorded)
    files = len({e.file for e in recorded})
    click.echo(
        f"wrote {printable(display_path(output))}: {len(recorded)} failing finding{'s' if len(recorded) != 1 else ''}"
        f" in {files} file{'s' if files != 1 else ''}"
    )
    errors = sum(1 for f in report.findings if f.status is Status.ERROR)
    if errors:
        click.echo(
            f"greengate: warning: {errors} error{'s are' if errors != 1 else ' is'} not recorded (a manifest that cannot be read always fails); fix {'them' if errors != 1 else 'it'}",
            err=True,
        )
