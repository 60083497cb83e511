"""Command-line wiring only: parse options, call the library, render, exit."""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import click

from greengate import __version__
from greengate.catalog.cli import catalog as catalog_group
from greengate.check import CheckOptions, load_all_policies, run_check
from greengate.documents import MAX_FILE_BYTES
from greengate.errors import ExitCode, GreengateError
from greengate.findings import Severity
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


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}, epilog=EXIT_CODES)
@click.version_option(__version__, "--version", prog_name="greengate")
def main() -> None:
    """Policy-as-code checks for AI deployment manifests.

    greengate reads deployment manifests (its own AIDeployment format), adds
    what its catalog knows (grid carbon intensity of regions, accelerator
    generations, instance types, model sizes) and evaluates CEL policies:
    right-sized models, low-carbon regions, efficient hardware, rate limits.
    """


_SEVERITIES = click.Choice([s.value for s in Severity])


@main.command(epilog=EXIT_CODES)
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--policy", "policy_paths", multiple=True, type=click.Path(exists=True, path_type=Path), help="Policy file or folder to add (repeatable).")
@click.option("--no-builtin", is_flag=True, help="Leave out the built-in policy pack.")
@click.option("--fail-on", type=_SEVERITIES, default=Severity.INFO.value, show_default=True, help="Lowest severity of a failing finding that fails the run.")
@click.option("--format", "output_format", type=click.Choice([f.value for f in OutputFormat]), default=OutputFormat.TEXT.value, show_default=True, help="Output format.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True, path_type=Path), help="Write the report to FILE instead of stdout.")
@click.option("--catalog", "catalog_files", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Catalog extension file, YAML or CSV (repeatable); its rows override the built-in ones.")
@click.option("--max-file-size", type=click.IntRange(min=1), default=MAX_FILE_BYTES, show_default=True, help="Files larger than this many bytes are reported, not parsed.")
@click.option("--color/--no-color", default=None, help="Colour the text output (default: only on a terminal).")
@handle_errors
def check(
    paths: tuple[Path, ...],
    policy_paths: tuple[Path, ...],
    no_builtin: bool,
    fail_on: str,
    output_format: str,
    output: Path | None,
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
        paths=list(paths) or [Path(".")],
        policy_paths=list(policy_paths),
        builtin_policies=not no_builtin,
        fail_on=Severity(fail_on),
        catalog_files=list(catalog_files),
        max_file_bytes=max_file_size,
    )
    report = run_check(options)
    fmt = OutputFormat(output_format)
    with _sink(output) as (stream, is_terminal):
        use_color = is_terminal if color is None else color
        stream.write(fmt.reporter(report, color=use_color and fmt is OutputFormat.TEXT))
    sys.exit(int(report.exit_code))


@contextlib.contextmanager
def _sink(output: Path | None) -> Iterator[tuple[Any, bool]]:
    if output is None:
        yield sys.stdout, sys.stdout.isatty()
        return
    try:
        with output.open("w", encoding="utf-8") as handle:
            yield handle, False
    except OSError as exc:
        raise GreengateError(f"{output}: cannot write the report ({exc.strerror}); choose another --output path") from None


@main.group()
def policies() -> None:
    """Inspect the policies a check would run."""


@policies.command("list")
@click.option("--policy", "policy_paths", multiple=True, type=click.Path(exists=True, path_type=Path), help="Policy file or folder to add (repeatable).")
@click.option("--no-builtin", is_flag=True, help="Leave out the built-in policy pack.")
@handle_errors
def policies_list(policy_paths: tuple[Path, ...], no_builtin: bool) -> None:
    """List policies and their rules, with severity and source file."""
    loaded = load_all_policies(CheckOptions(paths=[], policy_paths=list(policy_paths), builtin_policies=not no_builtin))
    for policy in loaded:
        origin = "built-in" if policy.builtin else policy.location.file
        click.echo(f"{policy.name}  ({origin})  {policy.title}")
        for validation in policy.validations:
            click.echo(f"  {validation.id:<8} {validation.severity.value:<8} {validation.title}")


main.add_command(catalog_group)
