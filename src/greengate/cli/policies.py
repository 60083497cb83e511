"""``greengate policies list|docs``: what a check would run, and the policy reference."""

from __future__ import annotations

from pathlib import Path

import click

from greengate.app.check import (
    CheckOptions,
    build_engine,
    load_all_policies,
    options_from,
    settings_for,
)
from greengate.catalog import Catalog
from greengate.cli.options import settings_options
from greengate.config.settings import Flags
from greengate.policy.docs import render_markdown
from greengate.records.text import printable


@click.group()
def policies() -> None:
    """Inspect the policies a check would run."""


@policies.command("list")
@click.argument("path", required=False, type=click.Path(exists=True, path_type=Path))
@settings_options
def policies_list(path: Path | None, flags: Flags) -> None:
    """List the policies and rules a check of PATH (default: here) would run.

    With the config found from PATH and the flags applied: disabled policies
    and rules are left out, and each rule shows its effective severity.
    """
    paths = [path or Path.cwd()]
    options = options_from(settings_for(flags, paths), paths)
    engine = build_engine(options, Catalog.load(options.catalog_files))
    shown = None
    for policy, validation, severity in engine.active_rules():
        if policy is not shown:
            origin = "built-in" if policy.builtin else policy.location.file
            click.echo(
                f"{printable(policy.name)}  ({printable(origin)})  {printable(policy.title)}"
            )
            shown = policy
        click.echo(
            f"  {printable(validation.id):<8} {severity.value:<8} {printable(validation.title)}"
        )


@policies.command("docs")
def policies_docs() -> None:
    """Print the built-in policy reference as Markdown (docs/policies.md)."""
    click.echo(render_markdown(load_all_policies(CheckOptions(paths=[]))), nl=False)
