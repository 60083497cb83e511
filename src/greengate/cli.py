"""Command-line wiring only: parse options, call the library, render, exit."""

from __future__ import annotations

import functools
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click
from click.core import ParameterSource

from greengate import __version__
from greengate.catalog.cli import catalog as catalog_group
from greengate.check import CheckOptions, load_all_policies, run_check
from greengate.documents import MAX_FILE_BYTES
from greengate.errors import ExitCode, GreengateError
from greengate.explain import explain as explain_paths
from greengate.explain import render_json as render_explain_json
from greengate.explain import render_text as render_explain_text
from greengate.findings import Severity
from greengate.policy.docs import render_markdown
from greengate.report import Report
from greengate.reporters import OutputFormat

F = TypeVar("F", bound=Callable[..., Any])

EXIT_CODES = """\b
Exit codes:
  0  no failing finding at or above --fail-on
  1  a failing finding at or above --fail-on, or a manifest that cannot be read
  2  greengate could not run: bad arguments, policy, config or catalog file"""


def handle_errors(func: F) -> F:
    """The one place where errors become a message on stderr and exit code 2."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except GreengateError as exc:
            click.echo(f"greengate: error: {exc}", err=True)
            sys.exit(int(exc.exit_code))
        except (click.exceptions.Exit, click.ClickException, KeyboardInterrupt):
            raise
        except Exception as exc:
            if os.environ.get("GREENGATE_DEBUG"):
                traceback.print_exc()
            click.echo(
                f"greengate: internal error: {type(exc).__name__}: {exc}; this is a bug, please report it (set GREENGATE_DEBUG=1 for the traceback)",
                err=True,
            )
            sys.exit(int(ExitCode.USAGE))

    return wrapper  # type: ignore[return-value]


@click.group(
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


_SEVERITIES = click.Choice([s.value for s in Severity])


@dataclass(frozen=True)
class ReportTarget:
    """One report to write: a format, and a file (``None``: stdout)."""

    format: OutputFormat
    path: Path | None = None


_REPORT_PATH = click.Path(dir_okay=False, writable=True, path_type=Path)


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
        checked = _REPORT_PATH.convert(path, param, ctx)
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
            type=_REPORT_PATH,
            metavar="PATH",
            help=f"Also write the {fmt.value} report to PATH ({fmt.description}).",
        )
        decorated = option(decorated)
    return decorated  # type: ignore[return-value]


@main.command(epilog=EXIT_CODES)
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--policy",
    "policy_paths",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="Policy file or folder to add (repeatable).",
)
@click.option("--no-builtin", is_flag=True, help="Leave out the built-in policy pack.")
@click.option(
    "--fail-on",
    type=_SEVERITIES,
    default=Severity.INFO.value,
    show_default=True,
    help="Lowest severity of a failing finding that fails the run.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice([f.value for f in OutputFormat]),
    default=OutputFormat.TEXT.value,
    show_default=True,
    help="Format of the report on stdout (or in --output).",
)
@click.option(
    "--output", "-o", type=_REPORT_PATH, help="Write the --format report to FILE instead of stdout."
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
    "--catalog",
    "catalog_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Catalog extension file, YAML or CSV (repeatable); its rows override the built-in ones.",
)
@click.option(
    "--max-file-size",
    type=click.IntRange(min=1),
    default=MAX_FILE_BYTES,
    show_default=True,
    help="Files larger than this many bytes are reported, not parsed.",
)
@click.option(
    "--color/--no-color", default=None, help="Colour the text output (default: only on a terminal)."
)
@handle_errors
def check(
    paths: tuple[Path, ...],
    policy_paths: tuple[Path, ...],
    no_builtin: bool,
    fail_on: str,
    output_format: str,
    output: Path | None,
    reports: tuple[ReportTarget, ...],
    format_outputs: tuple[ReportTarget, ...],
    catalog_files: tuple[Path, ...],
    max_file_size: int,
    color: bool | None,
) -> None:
    """Check the manifests in PATHS (files or folders; default: the current folder).

    Folders are searched recursively for .yaml, .yml and .json files; inside a
    git work tree, files git ignores are skipped. Every finding points at the
    line of the fact it is about.
    """
    if no_builtin and not policy_paths:
        raise click.UsageError("--no-builtin leaves no policy to run; add --policy PATH")
    options = CheckOptions(
        paths=list(paths) or [Path()],
        policy_paths=list(policy_paths),
        builtin_policies=not no_builtin,
        fail_on=Severity(fail_on),
        catalog_files=list(catalog_files),
        max_file_bytes=max_file_size,
    )
    source = click.get_current_context().get_parameter_source("output_format")
    targets = report_targets(
        ReportTarget(OutputFormat(output_format), output),
        (*reports, *format_outputs),
        annotate=os.environ.get("GITHUB_ACTIONS") == "true" and source is ParameterSource.DEFAULT,
    )
    report = run_check(options)
    write_reports(report, targets, color=color)
    sys.exit(int(report.exit_code))


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
                raise click.UsageError(
                    f"{target.path} is given for both the {other.format.value} and the"
                    f" {target.format.value} report; give each report its own path"
                )
        unique.append(target)
    return unique


def write_reports(
    report: Report, targets: Sequence[ReportTarget], *, color: bool | None = None
) -> None:
    """Render ``report`` once per format and write it to every target.

    Colour goes only to a terminal (or to stdout when ``color`` forces it),
    never into a file.
    """
    rendered: dict[tuple[OutputFormat, bool], str] = {}
    for target in targets:
        paint = (
            target.format.supports_color
            and target.path is None
            and (sys.stdout.isatty() if color is None else color)
        )
        key = (target.format, paint)
        if key not in rendered:
            rendered[key] = target.format.reporter(report, color=paint)
        if target.path is None:
            sys.stdout.write(rendered[key])
            sys.stdout.flush()
        else:
            _write_file(target.path, target.format, rendered[key])


def _write_file(path: Path, fmt: OutputFormat, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise GreengateError(
            f"{path}: cannot write the {fmt.value} report ({exc.strerror}); choose another path"
        ) from None


@main.group()
def policies() -> None:
    """Inspect the policies a check would run."""


@policies.command("list")
@click.option(
    "--policy",
    "policy_paths",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="Policy file or folder to add (repeatable).",
)
@click.option("--no-builtin", is_flag=True, help="Leave out the built-in policy pack.")
@handle_errors
def policies_list(policy_paths: tuple[Path, ...], no_builtin: bool) -> None:
    """List policies and their rules, with severity and source file."""
    loaded = load_all_policies(
        CheckOptions(paths=[], policy_paths=list(policy_paths), builtin_policies=not no_builtin)
    )
    for policy in loaded:
        origin = "built-in" if policy.builtin else policy.location.file
        click.echo(f"{policy.name}  ({origin})  {policy.title}")
        for validation in policy.validations:
            click.echo(f"  {validation.id:<8} {validation.severity.value:<8} {validation.title}")


@policies.command("docs")
@handle_errors
def policies_docs() -> None:
    """Print the built-in policy reference as Markdown (docs/policies.md)."""
    click.echo(render_markdown(load_all_policies(CheckOptions(paths=[]))), nl=False)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--catalog",
    "catalog_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Catalog extension file (repeatable).",
)
@handle_errors
def explain(paths: tuple[Path, ...], output_format: str, catalog_files: tuple[Path, ...]) -> None:
    """Show every deployment in PATHS with each fact, its value and where it came from.

    Each fact says how it was found (declared at file:line, annotation, config
    default, catalog, name pattern) and which facts could not be determined,
    with how to declare them. Exit status 0, or 2 for bad arguments.
    """
    result = explain_paths(list(paths) or [Path.cwd()], catalog_files)
    click.echo(
        render_explain_json(result) if output_format == "json" else render_explain_text(result),
        nl=False,
    )


main.add_command(catalog_group)
