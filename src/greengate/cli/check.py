"""``greengate check``: the manifests of PATHS against the policies, one report per format.

Wiring only: parse options, call :mod:`greengate.app.check`, render, exit.
"""

from __future__ import annotations

import datetime
import functools
import os
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource

from greengate.app.check import prepared, run_check
from greengate.app.outputs import ReportTarget, report_targets, write_reports
from greengate.app.rule_choice import RuleChoice
from greengate.app.run_context import category
from greengate.app.workers import AUTO_MIN_FILES
from greengate.cli.help import EXIT_CODES
from greengate.cli.options import (
    FORMAT_ENV,
    JOBS_ENV,
    REPORT_PATH,
    F,
    day,
    fail_on_option,
    format_option,
    format_paths,
    max_file_size_option,
    rule_options,
    settings_options,
    today_option,
)
from greengate.cli.progress import ProgressLine
from greengate.config.settings import Flags
from greengate.errors import ExitCode
from greengate.reporters import Detail, OutputFormat
from greengate.sources.changeset import GitOptions
from greengate.sources.discover import with_siblings as siblings_of


def _parse_reports(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> tuple[ReportTarget, ...]:
    """``--report FORMAT=PATH`` values; a bad one is a usage error that names the formats."""
    found = format_paths(ctx, param, values, [f.value for f in OutputFormat], "sarif=results.sarif")
    return tuple(ReportTarget(OutputFormat(name), path) for name, path in found)


def _output_options(func: F) -> F:
    """Add ``--output-<format> PATH`` for every format; the command gets them as ``format_outputs``."""
    dests = {fmt: f"output_{fmt.value}" for fmt in OutputFormat}

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        paths = {fmt: kwargs.pop(dest) for fmt, dest in dests.items()}
        targets = tuple(ReportTarget(fmt, path) for fmt, path in paths.items() if path is not None)
        return func(*args, format_outputs=targets, **kwargs)

    decorated: Callable[..., Any] = wrapper
    for fmt in reversed(OutputFormat):
        option = click.option(
            f"--output-{fmt.value}",
            dests[fmt],
            type=REPORT_PATH,
            metavar="PATH",
            help=f"Also write the {fmt.value} report to PATH ({fmt.description}).",
        )
        decorated = option(decorated)
    return decorated  # type: ignore[return-value]


def _parse_jobs(ctx: click.Context, param: click.Parameter, value: str) -> int | None:
    """``--jobs``: a number of worker processes (1 or more), or ``auto`` (None)."""
    text = value.strip().lower()
    if text == "auto":
        return None
    if text.isdigit() and int(text) >= 1:
        return int(text)
    raise click.BadParameter(f"{value!r} is neither a number of processes (1 or more) nor auto")


@click.command(epilog=EXIT_CODES)
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@settings_options
@fail_on_option
@rule_options
@click.option(
    "--soft-fail",
    is_flag=True,
    help="Report everything but exit 0 even when findings fail (exit 2 still means greengate could not run).",
)
@click.option(
    "--fail-on-empty",
    is_flag=True,
    help="Fail (exit 1) when no deployment is found: a wrong path or include must not pass as a clean check.",
)
@click.option(
    "--with-siblings",
    is_flag=True,
    help="A named .tf, .tfvars or .json file also checks the manifests of its folder, which can read its values (the pre-commit hook uses this: staging only terraform.tfvars re-checks its folder).",
)
@click.option(
    "--sarif-category",
    metavar="NAME",
    help="The SARIF run's category (automationDetails.id), so runs that upload to one repository keep their results apart (default: greengate/<workflow>/<job> in GitHub Actions, else greengate).",
)
@click.option(
    "--jobs",
    "-j",
    default="auto",
    callback=_parse_jobs,
    show_default=True,
    envvar=JOBS_ENV,
    show_envvar=True,
    metavar="N|auto",
    help=f"Worker processes that read and evaluate the files, whole folders each, with the same report as one process; auto: one per CPU from {AUTO_MIN_FILES:,} files on, else this process only (see README Performance). Files read at --head REF are checked in one process.",
)
@click.option(
    "--quiet",
    "-q",
    is_flag=True,
    help="Text report: only the summary line; and no progress line on stderr (drawn only on a terminal).",
)
@click.option(
    "--compact",
    is_flag=True,
    help="Text report: one line per failing finding, then the summary (no grouping, no fixes).",
)
@format_option(
    [f.value for f in OutputFormat],
    default=OutputFormat.TEXT.value,
    what="the report on stdout (or in --output)",
    envvar=FORMAT_ENV,
)
@click.option(
    "--output", "-o", type=REPORT_PATH, help="Write the --format report to FILE instead of stdout."
)
@click.option(
    "--report",
    "reports",
    multiple=True,
    metavar="FORMAT=PATH",
    callback=_parse_reports,
    help="Also write a report in FORMAT to PATH (repeatable), e.g. --report sarif=results.sarif.",
)
@_output_options
@click.option(
    "--baseline",
    "baseline_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Baseline file from `greengate baseline create`: failing findings recorded in it are reported as existing and do not fail the run.",
)
@today_option
@max_file_size_option
@click.option(
    "--color/--no-color", default=None, help="Colour the text output (default: only on a terminal)."
)
@click.option(
    "--changed-since",
    metavar="REF",
    help="Check only the manifests added, modified or renamed since the merge base of REF and the head (e.g. origin/main); deleted files are not checked.",
)
@click.option(
    "--head",
    "head_ref",
    metavar="REF",
    help="Check the files as they are at REF (read from git objects) instead of the work tree.",
)
@click.option(
    "--new-only",
    is_flag=True,
    help="With --changed-since: fail only on findings the change introduces; findings that already fail at the base are reported as existing.",
)
@click.option(
    "--policies-from",
    metavar="REF",
    help="Read everything that decides the verdict as it is at REF: the config, the policy, catalog and baseline files it or --policy/--catalog/--baseline name, and which inline waivers count (inlineWaivers: base-only), so a change cannot weaken the gate that judges it.",
)
def check(
    paths: tuple[Path, ...],
    flags: Flags,
    output_format: str,
    output: Path | None,
    reports: tuple[ReportTarget, ...],
    format_outputs: tuple[ReportTarget, ...],
    baseline_file: Path | None,
    today: datetime.datetime | None,
    max_file_size: int,
    color: bool | None,
    changed_since: str | None,
    head_ref: str | None,
    new_only: bool,
    policies_from: str | None,
    choice: RuleChoice,
    soft_fail: bool,
    fail_on_empty: bool,
    with_siblings: bool,
    sarif_category: str | None,
    jobs: int | None,
    quiet: bool,
    compact: bool,
) -> None:
    """Check the manifests in PATHS (files or folders; default: the current folder).

    Folders are searched recursively for .yaml, .yml, .json, .tf and .tfvars
    files; inside a git work tree, files git ignores are skipped. Every finding points at the
    line of the fact it is about.

    The .greengate.yaml found by walking up from the first PATH (or the
    current folder) tunes the check: policies, rules, params, include/exclude,
    defaults, waivers; flags override it (`greengate config show`).

    In a pull request: --changed-since REF checks what the change touches,
    --new-only fails only on what it introduces, and --policies-from REF
    judges it by the base's policies and config.
    """
    git_options = GitOptions(changed_since=changed_since, head=head_ref, new_only=new_only)
    source = click.get_current_context().get_parameter_source("output_format")
    targets = report_targets(
        ReportTarget(OutputFormat(output_format), output),
        (*reports, *format_outputs),
        annotate=os.environ.get("GITHUB_ACTIONS") == "true" and source is ParameterSource.DEFAULT,
    )
    if with_siblings:
        paths = tuple(siblings_of(paths))
    with prepared(
        paths,
        flags,
        git=git_options,
        policies_from=policies_from,
        baseline_file=baseline_file,
        today=day(today),
        max_file_bytes=max_file_size,
    ) as options:
        progress = ProgressLine.on(sys.stderr, quiet)
        try:
            report = run_check(
                replace(options, choice=choice, fail_on_empty=fail_on_empty, jobs=jobs), progress
            )
        finally:
            if progress is not None:
                progress.close()
    report = replace(report, category=category(sarif_category, os.environ))
    detail = Detail.QUIET if quiet else Detail.COMPACT if compact else Detail.FULL
    write_reports(report, targets, color=color, detail=detail)
    sys.exit(int(ExitCode.OK if soft_fail else report.exit_code))
