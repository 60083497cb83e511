"""``greengate explain``: every deployment found, each fact with its origin."""

from __future__ import annotations

from pathlib import Path

import click

from greengate.app.check import settings_for
from greengate.app.explain import explain as explain_paths
from greengate.app.explain import render_json as render_explain_json
from greengate.app.explain import render_text as render_explain_text
from greengate.cli.options import catalog_option, config_options, format_option
from greengate.config.settings import Flags


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@format_option(["text", "json"])
@catalog_option()
@config_options
def explain(
    paths: tuple[Path, ...],
    output_format: str,
    catalog_files: tuple[Path, ...],
    config_file: Path | None,
    no_config: bool,
) -> None:
    """Show every deployment in PATHS with each fact, its value and where it came from.

    Each fact says how it was found (declared at file:line, annotation, linked
    from another document such as an HPA, config default, catalog, name
    pattern) and which facts could not be determined,
    with how to declare them. The config's include/exclude and defaults
    apply, as in `greengate check`. Exit status 0, or 2 for bad arguments or
    a bad config.
    """
    flags = Flags(config_file=config_file, no_config=no_config, catalog_files=catalog_files)
    settings = settings_for(flags, paths)
    result = explain_paths(
        list(paths) or [Path.cwd()],
        [c.value for c in settings.catalog_files],
        settings.config,
    )
    click.echo(
        render_explain_json(result) if output_format == "json" else render_explain_text(result),
        nl=False,
    )
