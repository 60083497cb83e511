"""``greengate init``: a commented starter ``.greengate.yaml``."""

from __future__ import annotations

from pathlib import Path

import click

from greengate.config.starter import write_starter
from greengate.records.text import printable
from greengate.sources.files import display_path


@click.command()
@click.argument(
    "path", required=False, type=click.Path(file_okay=False, path_type=Path), default=Path()
)
@click.option("--force", is_flag=True, help="Replace an existing config file.")
def init(path: Path, force: bool) -> None:
    """Write a commented starter .greengate.yaml in PATH (default: the current folder).

    Every key is there, most commented out; the file is valid as written.
    An existing .greengate.yaml or .greengate.yml is never replaced without
    --force. Exit status 0, or 2 when the file exists or cannot be written.
    """
    written = write_starter(path, force=force)
    click.echo(
        f"wrote {printable(display_path(written))}; next: `greengate config show`, then `greengate baseline create`"
    )
