"""The root command, ``greengate``, and its main job, ``greengate check``.

Wiring only: parse options, call the application layer (:mod:`greengate.app`),
render, exit. The root group is the one place where an error becomes a message
and an exit code, for every subcommand: ``greengate: error: ...`` on stderr and
exit 2 for anything that stops the run, an internal-error sentence (exit 2)
for a bug, and a quiet exit when stdout is a closed pipe. Messages are
escaped (:func:`~greengate.records.text.printable`): a value quoted from a
manifest cannot write control characters or a workflow command to stderr.
"""

from __future__ import annotations

import datetime
import functools
import os
import sys
import traceback
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource

from greengate import __version__
from greengate.app.check import prepared, run_check
from greengate.app.outputs import ReportTarget, report_targets, silence_stdout, write_reports
from greengate.app.run_context import category
from greengate.cli.audit import audit
from greengate.cli.baseline import baseline_group
from greengate.cli.catalog import catalog as catalog_group
from greengate.cli.config import config_group
from greengate.cli.explain import explain
from greengate.cli.init import init
from greengate.cli.options import (
    EXIT_CODES,
    REPORT_PATH,
    F,
    day,
    fail_on_option,
    format_option,
    max_file_size_option,
    settings_options,
    today_option,
)
from greengate.cli.policies import policies
from greengate.config.settings import Flags
from greengate.errors import ExitCode, GreengateError
from greengate.records.text import printable
from greengate.reporters import OutputFormat
from greengate.sources.changeset import GitOptions


class _Root(click.Group):
    """The ``greengate`` group: runs a subcommand and turns what it raises into an exit."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except GreengateError as exc:
            click.echo(f"greengate: error: {printable(exc)}", err=True)
            ctx.exit(int(exc.exit_code))
        except click.UsageError as exc:  # bad arguments: click's own message and exit 2
            raise exc
        except (click.exceptions.Exit, click.ClickException, click.Abort, KeyboardInterrupt):
            raise
        except BrokenPipeError:
            # The reader went away (`greengate ... | head`): stop quietly, as Unix tools do.
            silence_stdout()
            ctx.exit(int(ExitCode.OK))
        except Exception as exc:
            if os.environ.get("GREENGATE_DEBUG"):
                traceback.print_exc()
            click.echo(
                f"greengate: internal error: {type(exc).__name__}: {printable(exc)}; this is a bug, please report it (set GREENGATE_DEBUG=1 for the traceback)",
                err=True,
            )
            ctx.exit(int(ExitCode.USAGE))


@click.group(
    cls=_Root,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog=EXIT_CODES,
)
@click.version_option(__version__, "--version", prog_name="greengate")
def main() -> None:
    """Policy-as-code checks for AI deployment manifests.

    greengate reads deployment manifests (its own AIDeployment format), adds
    what its catalog knows (grid carbon intensity of regions, accelerator
    generations, instance types, model sizes) and evaluates CEL policies:
    right-sized models, low-carbon regions, efficient hardware, rate limits.
    """


def _parse_reports(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> tuple[ReportTarget, ...]:
    """``--report FORMAT=PATH`` values; a bad one is a usage error that names the formats."""
    formats = f"valid formats: {OutputFormat.names()}"
    targets = []
    for value in values:
        name, sep, path = value.partition("=")
        if not sep or not name or not path:
            raise click.BadParameter(
                f"{value!r} is not FORMAT=PATH (e.g. sarif=results.sarif); {formats}", ctx, param
            )
        if name not in {f.value for f in OutputFormat}:
            raise click.BadParameter(f"unknown format {name!r} in {value!r}; {formats}", ctx, param)
        checked = REPORT_PATH.convert(path, param, ctx)
        targets.append(ReportTarget(OutputFormat(name), Path(os.fsdecode(checked))))
    return tuple(targets)


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


@main.command(epilog=EXIT_CODES)
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@settings_options
@fail_on_option
@format_option(
    [f.value for f in OutputFormat],
    default=OutputFormat.TEXT.value,
    what="the report on stdout (or in --output)",
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
@click.option(
    "--sarif-category",
    metavar="NAME",
    help="The SARIF run's category (automationDetails.id), so runs that upload to one repository keep their results apart (default: greengate/<workflow>/<job> in GitHub Actions, else greengate).",
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
    sarif_category: str | None,
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
    with prepared(
        paths,
        flags,
        git=git_options,
        policies_from=policies_from,
        baseline_file=baseline_file,
        today=day(today),
        max_file_bytes=max_file_size,
    ) as options:
        report = run_check(options)
    report = replace(report, category=category(sarif_category, os.environ))
    write_reports(report, targets, color=color)
    sys.exit(int(report.exit_code))


main.add_command(policies)
main.add_command(explain)
main.add_command(config_group)
main.add_command(init)
main.add_command(baseline_group)
main.add_command(catalog_group)
main.add_command(audit)
