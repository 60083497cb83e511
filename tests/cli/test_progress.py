"""The progress line of ``greengate check`` and ``greengate audit``: on a terminal only, never with --quiet, cleared at the end.

The terminal is a real pseudo-terminal (``pty.openpty``) given to a real
``greengate audit`` process as its stderr.
"""

from __future__ import annotations

import io
import os
import pty
import re
import subprocess
import sys

import pytest

from greengate.cli.progress import ProgressLine

from ..conftest import EXAMPLES

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")


def on_a_terminal(*argv: str, code: int = 0) -> tuple[str, bytes]:
    """stdout and what the terminal on stderr received, of one ``greengate ARGV`` process."""
    leader, follower = pty.openpty()
    try:
        done = subprocess.Popen(
            [sys.executable, "-m", "greengate", *argv],
            stdout=subprocess.PIPE,
            stderr=follower,
        )
        os.close(follower)
        out, _ = done.communicate(timeout=300)
        received = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # EIO: the process closed the terminal
                break
            if not chunk:
                break
            received += chunk
    finally:
        os.close(leader)
    assert done.returncode == code, received
    return out.decode(), received


def audit_on_a_terminal(*args: str) -> tuple[str, bytes]:
    return on_a_terminal("audit", str(EXAMPLES), *args)


def test_a_terminal_gets_one_line_redrawn_then_cleared() -> None:
    out, received = audit_on_a_terminal()
    total = re.search(rb"\raudit 0/(\d+) files, 0 deployments", received)
    assert total is not None
    assert b"\raudit %s/%s files, 8 deployments" % (total[1], total[1]) in received
    assert b"files/s" in received and b"left" in received
    assert received.endswith(b"\r\x1b[2K")  # the line is cleared: the terminal shows the audit
    assert b"\n" not in received
    assert out.startswith("greengate audit: 8 deployments")


def test_quiet_draws_nothing_on_a_terminal() -> None:
    _, received = audit_on_a_terminal("--quiet")
    assert received == b""


def test_nothing_is_written_when_stderr_is_not_a_terminal() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "greengate", "audit", str(EXAMPLES)],
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0
    assert done.stderr == b""


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_line_gives_rate_and_time_left() -> None:
    now = [100.0]
    terminal = FakeTerminal()
    line = ProgressLine(terminal, clock=lambda: now[0])
    line.start(10_000, "audit", "files")
    assert line.line() == "audit 0/10,000 files, 0 deployments, 0.0 files/s, --:-- left"
    now[0] += 20
    line.advance(2_500, 2_400)
    assert line.line() == "audit 2,500/10,000 files, 2,400 deployments, 125.0 files/s, 1:00 left"
    line.start(4, "history", "commits")  # a new phase starts from zero
    now[0] += 7200
    line.advance(1, 3)
    assert line.line().endswith("0.0 commits/s, 6:00:00 left")
    line.close()
    assert terminal.getvalue().endswith("\r\x1b[2K")
    assert ProgressLine.on(terminal, quiet=True) is None
    assert ProgressLine.on(io.StringIO(), quiet=False) is None
    assert isinstance(ProgressLine.on(terminal, quiet=False), ProgressLine)


def test_a_long_check_shows_the_same_line_on_a_terminal_only() -> None:
    """`greengate check` counts the files read and checked, and the deployments, on one redrawn line."""
    out, received = on_a_terminal("check", str(EXAMPLES), "--format", "json", code=1)
    assert re.search(rb"\rcheck 0/(\d+) files, 0 deployments", received)
    assert re.search(rb"\rcheck 11/11 files, 8 deployments, [\d.]+ files/s, 0:00 left", received)
    assert received.endswith(b"\r\x1b[2K") and b"\n" not in received
    assert out.startswith("{")  # stdout is the report, untouched
    piped = subprocess.run(
        [sys.executable, "-m", "greengate", "check", str(EXAMPLES), "-q"],
        capture_output=True,
        check=False,
    )
    assert piped.stderr == b""  # no terminal: no progress line
