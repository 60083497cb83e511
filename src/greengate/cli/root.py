"""Command-line wiring only: parse options, call the library, render, exit."""

from __future__ import annotations

import dataclasses
import datetime
import functools
import os
import sys
import tempfile
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click
from click.core import ParameterSource

from greengate import __version__
from greengate.app.check import (
    CheckOptions,
    build_engine,
    load_all_policies,
    options_from,
    run_check,
    utc_today,
)
from greengate.app.explain import explain as explain_paths
from greengate.app.explain import render_json as render_explain_json
from greengate.app.explain import render_text as render_explain_text
from greengate.app.policies_from import policies_from as policies_from_ref
from greengate.catalog import Catalog
from greengate.cli.catalog import catalog as catalog_group
from greengate.config import show as config_show
from greengate.config.settings import Flags, Settings, find_and_load
from greengate.config.starter import write_starter
from greengate.errors import ExitCode, GreengateError
from greengate.findings import baseline as baselines
from greengate.load import MAX_FILE_BYTES
from greengate.policy.docs import render_markdown
from greengate.records.finding import Severity, Status
from greengate.records.report import Report
from greengate.reporters import OutputFormat
from greengate.sources.changeset import GitOptions
from greengate.sources.files import display_path

F = TypeVar("F", bound=Callable[..., Any])

EXIT_CODES = """\b
Exit codes:
  0  no failing finding at or above --fail-on
  1  a failing finding at or above --fail-on, or a manifest that cannot be read
  2  greengate could not run: bad arguments, config, policy, catalog or baseline file"""


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
        except BrokenPipeError:
            # The reader went away (`greengate ... | head`): stop quietly, as Unix tools do.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(int(ExitCode.FAILED))
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


_SETTINGS_OPTIONS = (
    "config_file",
    "no_config",
    "policy_paths",
    "builtin",
    "catalog_files",
    "inline_waivers",
)


def _config_options(func: F) -> F:
    """``--config FILE`` and ``--no-config``."""
    func = click.option(
        "--no-config",
        is_flag=True,
        help="Ignore any .greengate.yaml / .greengate.yml (defaults and flags only).",
    )(func)
    return click.option(
        "--config",
        "config_file",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="Config file to use instead of the .greengate.yaml found by walking up from the first PATH (or the current folder).",
    )(func)


def _settings_options(func: F) -> F:
    """The options that choose what a check runs; the command gets them as ``flags`` (a Flags).

    ``--fail-on`` (added separately, below this decorator, by the commands
    that have it) goes into ``flags`` too.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        values = {name: kwargs.pop(name) for name in _SETTINGS_OPTIONS}
        fail_on = kwargs.pop("fail_on", None)
        flags = Flags(
            config_file=values["config_file"],
            no_config=values["no_config"],
            policy_paths=values["policy_paths"],
            builtin=values["builtin"],
            catalog_files=values["catalog_files"],
            inline_waivers=not values["inline_waivers"],
            fail_on=Severity(fail_on) if fail_on else None,
        )
        return func(*args, flags=flags, **kwargs)

    decorated: Callable[..., Any] = wrapper
    for option in reversed(
        (
            click.option(
                "--policy",
                "policy_paths",
                multiple=True,
                type=click.Path(exists=True, path_type=Path),
                help="Policy file or folder to add to the config's policies.paths (repeatable).",
            ),
            click.option(
                "--builtin/--no-builtin",
                default=None,
                help="Run the built-in policy pack, or leave it out (default: policies.builtin of the config, else run it).",
            ),
            click.option(
                "--catalog",
                "catalog_files",
                multiple=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path),
                help="Catalog extension file, YAML or CSV, added to the config's catalog (repeatable); its rows override the built-in ones.",
            ),
            click.option(
                "--no-inline-waivers",
                "inline_waivers",
                is_flag=True,
                help="Ignore waivers written in manifests (greengate.dev/waive-* annotations); only the config's waivers apply.",
            ),
        )
    ):
        decorated = option(decorated)
    return _config_options(decorated)  # type: ignore[return-value]


_FAIL_ON = click.option(
    "--fail-on",
    type=_SEVERITIES,
    default=None,
    help="Lowest severity of a failing finding that fails the run (default: failOn of the config, else info).",
)
_MAX_FILE_SIZE = click.option(
    "--max-file-size",
    type=click.IntRange(min=1),
    default=MAX_FILE_BYTES,
    show_default=True,
    help="Files larger than this many bytes are reported, not parsed.",
)
_TODAY = click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    metavar="YYYY-MM-DD",
    help="Judge waiver expiry as of this day instead of today (UTC), e.g. to see which waivers will have expired by then.",
)


def _today(value: datetime.datetime | None) -> datetime.date:
    return value.date() if value is not None else utc_today()


def _settings(flags: Flags, paths: Sequence[Path]) -> Settings:
    return Settings.resolve(find_and_load(flags, paths), flags)


@main.command(epilog=EXIT_CODES)
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@_settings_options
@_FAIL_ON
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
    "--baseline",
    "baseline_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Baseline file from `greengate baseline create`: failing findings recorded in it are reported as existing and do not fail the run.",
)
@_TODAY
@_MAX_FILE_SIZE
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
    help="Read the config and policy files (--policy, policies.paths, catalog) as they are at REF, so a change cannot weaken the gate that judges it.",
)
@handle_errors
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
    with tempfile.TemporaryDirectory(prefix="greengate-base-") as scratch:
        notes: list[str] = []
        base = None
        if policies_from is not None:
            base = policies_from_ref(policies_from, flags, paths, Path(scratch))
            flags, notes = base.flags, base.notes
        config = find_and_load(flags, paths)
        if base is not None:
            config = base.relocate(config)
        options = options_from(
            Settings.resolve(config, flags),
            paths,
            max_file_bytes=max_file_size,
            baseline=baselines.load(baseline_file) if baseline_file is not None else None,
            today=_today(today),
        )
        options = dataclasses.replace(options, git=git_options, notes=tuple(notes))
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
    """Write ``report`` in each target's format: streamed, so a huge report is never one string.

    Colour goes only to a terminal (or to stdout when ``color`` forces it),
    never into a file.
    """
    for target in targets:
        if target.path is None:
            paint = target.format.supports_color and (
                sys.stdout.isatty() if color is None else color
            )
            target.format.write(report, sys.stdout, color=paint)
            sys.stdout.flush()
        else:
            _write_file(target.path, target.format, report)


def _write_file(path: Path, fmt: OutputFormat, report: Report) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8") as handle:
            fmt.write(report, handle)
    except OSError as exc:
        raise GreengateError(
            f"{path}: cannot write the {fmt.value} report ({exc.strerror}); choose another path"
        ) from None


@main.group()
def policies() -> None:
    """Inspect the policies a check would run."""


@policies.command("list")
@click.argument("path", required=False, type=click.Path(exists=True, path_type=Path))
@_settings_options
@handle_errors
def policies_list(path: Path | None, flags: Flags) -> None:
    """List the policies and rules a check of PATH (default: here) would run.

    With the config found from PATH and the flags applied: disabled policies
    and rules are left out, and each rule shows its effective severity.
    """
    paths = [path or Path.cwd()]
    options = options_from(_settings(flags, paths), paths)
    engine = build_engine(options, Catalog.load(options.catalog_files))
    shown = None
    for policy, validation, severity in engine.active_rules():
        if policy is not shown:
            origin = "built-in" if policy.builtin else policy.location.file
            click.echo(f"{policy.name}  ({origin})  {policy.title}")
            shown = policy
        click.echo(f"  {validation.id:<8} {severity.value:<8} {validation.title}")


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
    help="Catalog extension file, added to the config's catalog (repeatable).",
)
@_config_options
@handle_errors
def explain(
    paths: tuple[Path, ...],
    output_format: str,
    catalog_files: tuple[Path, ...],
    config_file: Path | None,
    no_config: bool,
) -> None:
    """Show every deployment in PATHS with each fact, its value and where it came from.

    Each fact says how it was found (declared at file:line, annotation, config
    default, catalog, name pattern) and which facts could not be determined,
    with how to declare them. The config's include/exclude and defaults
    apply, as in `greengate check`. Exit status 0, or 2 for bad arguments or
    a bad config.
    """
    flags = Flags(config_file=config_file, no_config=no_config, catalog_files=catalog_files)
    settings = _settings(flags, paths)
    result = explain_paths(
        list(paths) or [Path.cwd()],
        [c.value for c in settings.catalog_files],
        settings.config,
    )
    click.echo(
        render_explain_json(result) if output_format == "json" else render_explain_text(result),
        nl=False,
    )


@main.group("config")
def config_group() -> None:
    """Inspect the repository config (.greengate.yaml)."""


@config_group.command("show")
@_settings_options
@_FAIL_ON
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)
@_TODAY
@handle_errors
def config_show_command(flags: Flags, output_format: str, today: datetime.datetime | None) -> None:
    """Print the settings a check would use, each with where it came from.

    The config file is found as `greengate check` finds it (walking up from
    the current folder); each value shows its origin: the file and line
    (.greengate.yaml:12), a flag (--fail-on flag) or `default`. The config is
    validated against the policies it names. Exit status 0, or 2 for a bad
    config, policy or catalog file.
    """
    settings = _settings(flags, ())
    options = options_from(settings, [])
    build_engine(options, Catalog.load(options.catalog_files))
    day = _today(today)
    render = config_show.render_json if output_format == "json" else config_show.render_text
    click.echo(render(settings, day), nl=False)


@main.command()
@click.argument(
    "path", required=False, type=click.Path(file_okay=False, path_type=Path), default=Path()
)
@click.option("--force", is_flag=True, help="Replace an existing config file.")
@handle_errors
def init(path: Path, force: bool) -> None:
    """Write a commented starter .greengate.yaml in PATH (default: the current folder).

    Every key is there, most commented out; the file is valid as written.
    An existing .greengate.yaml or .greengate.yml is never replaced without
    --force. Exit status 0, or 2 when the file exists or cannot be written.
    """
    written = write_starter(path, force=force)
    click.echo(
        f"wrote {display_path(written)}; next: `greengate config show`, then `greengate baseline create`"
    )


@main.group("baseline")
def baseline_group() -> None:
    """Record today's failing findings, so that a check fails only on new ones."""


@baseline_group.command("create")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@_settings_options
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=Path(baselines.DEFAULT_BASELINE),
    show_default=True,
    help="Baseline file to write (replaced if it exists).",
)
@_TODAY
@_MAX_FILE_SIZE
@handle_errors
def baseline_create(
    paths: tuple[Path, ...],
    flags: Flags,
    output: Path,
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
    options = options_from(
        _settings(flags, paths), paths, max_file_bytes=max_file_size, today=_today(today)
    )
    report = run_check(options)
    recorded = baselines.entries(report.findings)
    baselines.write(output, recorded)
    files = len({e.file for e in recorded})
    click.echo(
        f"wrote {display_path(output)}: {len(recorded)} failing finding{'s' if len(recorded) != 1 else ''}"
        f" in {files} file{'s' if files != 1 else ''}"
    )
    errors = sum(1 for f in report.findings if f.status is Status.ERROR)
    if errors:
        click.echo(
            f"greengate: warning: {errors} error{'s are' if errors != 1 else ' is'} not recorded (a manifest that cannot be read always fails); fix {'them' if errors != 1 else 'it'}",
            err=True,
        )


main.add_command(catalog_group)
