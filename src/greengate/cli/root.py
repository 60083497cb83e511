"""The root command, ``greengate``: its subcommands, loaded when they run, and its one error handler.

The root group is the one place where an error becomes a message and an exit
code, for every subcommand: ``greengate: error: ...`` on stderr and exit 2
for anything that stops the run, an internal-error sentence (exit 2) for a
bug, and a quiet exit when stdout is a closed pipe. Messages are escaped
(:func:`~greengate.records.text.printable`): a value quoted from a manifest
cannot write control characters or a workflow command to stderr.

Each subcommand lives in its own module and is imported only when it runs,
so ``greengate --version`` and ``greengate --help`` import neither the
pipeline, nor git, nor jsonschema. The root's help lists each command with
the short help in :data:`COMMANDS` (a test keeps it equal to the command's own).
"""

from __future__ import annotations

import importlib
import os
import traceback
from typing import Any

import click

from greengate import __version__
from greengate.cli.help import EXIT_CODES
from greengate.errors import ExitCode, GreengateError
from greengate.records.text import printable

COMMANDS: dict[str, tuple[str, str]] = {
    "audit": (
        "greengate.cli.audit:audit",
        "Inventory every AI deployment of repositories and folders, and what it emits.",
    ),
    "baseline": (
        "greengate.cli.baseline:baseline_group",
        "Record today's failing findings, so that a check fails only on new ones.",
    ),
    "catalog": (
        "greengate.cli.catalog:catalog",
        "Look up regions, accelerators, instance types, models and PUE in the catalog.",
    ),
    "check": (
        "greengate.cli.check:check",
        "Check the manifests in PATHS (files or folders; default: the current folder).",
    ),
    "config": (
        "greengate.cli.config:config_group",
        "Inspect the repository config (.greengate.yaml).",
    ),
    "explain": (
        "greengate.cli.explain:explain",
        "Show every deployment in PATHS with each fact, its value and where it came from.",
    ),
    "init": (
        "greengate.cli.init:init",
        "Write a commented starter .greengate.yaml in PATH (default: the current folder).",
    ),
    "policies": (
        "greengate.cli.policies:policies",
        "Inspect the policies a check would run.",
    ),
    "test": (
        "greengate.cli.test:test",
        "Run the tests of the policies in PATHS (default: the config's policies).",
    ),
}
"""Name -> (``module:attribute``, short help as ``greengate --help`` lists it)."""


class _Root(click.Group):
    """The ``greengate`` group: loads a subcommand when it runs, turns what it raises into an exit."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, _, attribute = target[0].partition(":")
        command = getattr(importlib.import_module(module), attribute)
        assert isinstance(command, click.Command)
        self.commands[cmd_name] = command
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list from :data:`COMMANDS`, without importing any command."""
        limit = formatter.width - 6 - max(len(name) for name in COMMANDS)
        # A stand-in command with the same help: click's own truncation, no import.
        rows = [
            (name, click.Command(name, help=COMMANDS[name][1]).get_short_help_str(limit))
            for name in sorted(COMMANDS)
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

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
            from greengate.app.outputs import silence_stdout

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
