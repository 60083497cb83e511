"""The root command: subcommands load when they run, so --version and --help stay instant."""

from __future__ import annotations

import importlib
import subprocess
import sys

from click.testing import CliRunner

from greengate.cli import main
from greengate.cli.root import COMMANDS


def test_the_listed_help_is_each_commands_own() -> None:
    for name, (target, short) in COMMANDS.items():
        module, _, attribute = target.partition(":")
        command = getattr(importlib.import_module(module), attribute)
        assert command.get_short_help_str(limit=1000) == short, name
        assert main.get_command(None, name) is command  # type: ignore[arg-type]


def test_every_command_is_listed_and_runs_its_help() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for name in COMMANDS:
        assert f"\n  {name} " in result.stdout
        assert CliRunner().invoke(main, [name, "--help"]).exit_code == 0, name
    unknown = CliRunner().invoke(main, ["chek"])
    assert unknown.exit_code == 2 and "No such command 'chek'" in unknown.stderr


def test_version_and_help_import_no_pipeline() -> None:
    """What `greengate --version` costs: the root, click and nothing of the pipeline."""
    probe = (
        "import sys, runpy\n"
        "sys.argv = ['greengate', '{arg}']\n"
        "try:\n"
        "    runpy.run_module('greengate', run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = [m for m in ('git', 'jsonschema', 'yaml', 'celpy', 'lark', 'greengate.app.pipeline',"
        " 'greengate.manifests', 'greengate.catalog') if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    for arg in ("--version", "--help"):
        done = subprocess.run(
            [sys.executable, "-c", probe.format(arg=arg)],
            capture_output=True,
            text=True,
            check=True,
        )
        assert "HEAVY []" in done.stdout, (arg, done.stdout[-300:])


def test_shell_completion_knows_the_commands_and_their_options() -> None:
    import os

    def complete(words: str, index: int) -> str:
        env = {
            **os.environ,
            "COMP_WORDS": words,
            "COMP_CWORD": str(index),
            "_GREENGATE_COMPLETE": "bash_complete",
        }
        return subprocess.run(
            [sys.executable, "-m", "greengate"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        ).stdout

    assert "plain,audit" in complete("greengate au", 1)
    assert "plain,--format" in complete("greengate audit --fo", 2)
    for shell in ("bash", "zsh", "fish"):
        env = {**os.environ, "_GREENGATE_COMPLETE": f"{shell}_source"}
        script = subprocess.run(
            [sys.executable, "-m", "greengate"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        assert "_GREENGATE_COMPLETE" in script, shell
