"""The root group's one error handler: every subcommand fails the same way.

Run as a user runs greengate: a real process, with a real closed pipe where
a reader goes away.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from greengate.cli import main

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "deployments"


def greengate(*args: str, cwd: Path = REPO) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    return subprocess.Popen(
        [sys.executable, "-m", "greengate", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )


@pytest.mark.parametrize(
    "args",
    [
        ["check", "--config", "{bad}"],
        ["explain", "--config", "{bad}"],
        ["policies", "list", "--config", "{bad}"],
        ["config", "show", "--config", "{bad}"],
        ["baseline", "create", "--config", "{bad}", "--output", "{out}"],
        ["catalog", "region", "eu-north-1", "--catalog", "{bad}"],
    ],
    ids=lambda args: " ".join(a for a in args if not a.startswith("{")),
)
def test_every_subcommand_reports_a_stopping_error_in_one_shape(
    args: list[str], tmp_path: Path
) -> None:
    bad = tmp_path / ".greengate.yaml"
    bad.write_text("failOn: [\n", encoding="utf-8")
    filled = [a.format(bad=bad, out=tmp_path / "baseline.json") for a in args]
    result = CliRunner().invoke(main, filled)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"greengate: error: {bad}:"), lines[0]


def test_a_usage_error_between_options_has_the_same_shape(tmp_path: Path) -> None:
    path = tmp_path / "r.out"
    result = CliRunner().invoke(
        main, ["check", str(EXAMPLES), "--report", f"sarif={path}", "--output-json", str(path)]
    )
    assert result.exit_code == 2
    assert result.stderr.startswith("greengate: error: ")


@pytest.mark.parametrize(
    "args",
    [
        ["check", "no\x1b[31msuch\u202e::error::x"],
        ["check", "--format", "x\x1b[2J"],
        ["audit", "--shard", "\x1b]0;t\x07"],
        ["check", "--report", "sarif\x1b[1m"],
    ],
)
def test_a_usage_error_never_prints_an_argument_raw(args: list[str]) -> None:
    """An argument can come from a pull request (a file name): click's message is escaped too."""
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert (
        "\x1b" not in result.stderr
        and "\u202e" not in result.stderr
        and "\x07" not in result.stderr
    )
    assert not any(line.lstrip().startswith("::") for line in result.stderr.splitlines())


def test_a_closed_stdout_ends_quietly_with_the_runs_own_code(tmp_path: Path) -> None:
    sarif = tmp_path / "out.sarif"
    process = greengate("check", str(EXAMPLES), "--output-sarif", str(sarif))
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # the reader goes away before greengate writes a byte
    stderr = process.stderr.read()
    code = process.wait(timeout=120)
    assert code == 1  # the examples fail the gate; a closed pipe does not change that
    assert stderr == b""
    assert json.loads(sarif.read_text("utf-8"))["version"] == "2.1.0"


def test_a_closed_stdout_exits_0_for_a_listing() -> None:
    process = greengate("policies", "list")
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    stderr = process.stderr.read()
    assert process.wait(timeout=120) == 0
    assert stderr == b""


def test_a_passing_run_with_a_closed_stdout_exits_0(tmp_path: Path) -> None:
    manifest = tmp_path / "ok.yaml"
    manifest.write_text((EXAMPLES / "support-summarizer.yaml").read_text("utf-8"), encoding="utf-8")
    probe = subprocess.run(
        [sys.executable, "-m", "greengate", "check", str(manifest)],
        capture_output=True,
        check=False,
    )
    process = greengate("check", str(manifest))
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    stderr = process.stderr.read()
    assert process.wait(timeout=120) == probe.returncode
    assert stderr == b""
