"""``greengate config show``: the settings a check would use, each with its origin."""

from __future__ import annotations

import datetime

import click

from greengate.app.check import build_engine, options_from, settings_for
from greengate.catalog import Catalog
from greengate.cli.options import day, fail_on_option, format_option, settings_options, today_option
from greengate.config import show as config_show
from greengate.config.settings import Flags


@click.group("config")
def config_group() -> None:
    """Inspect the repository config (.greengate.yaml)."""


@config_group.command("show")
@settings_options
@fail_on_option
@format_option(["text", "json"])
@today_option
def config_show_command(flags: Flags, output_format: str, today: datetime.datetime | None) -> None:
    """Print the settings a check would use, each with where it came from.

    The config file is found as `greengate check` finds it (walking up from
    the current folder); each value shows its origin: the file and line
    (.greengate.yaml:12), a flag (--fail-on flag) or `default`. The config is
    validated against the policies it names. Exit status 0, or 2 for a bad
    config, policy or catalog file.
    """
    settings = settings_for(flags, ())
    options = options_from(settings, [])
    build_engine(options, Catalog.load(options.catalog_files))
    judged_on = day(today)
    render = config_show.render_json if output_format == "json" else config_show.render_text
    click.echo(render(settings, judged_on), nl=False)
