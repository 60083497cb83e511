"""The progress line of a long `greengate check` or `greengate audit`: one line on stderr, redrawn with ``\\r``.

Only on a terminal: piped or redirected stderr (CI logs, ``2> file``) gets
nothing, and neither does ``--quiet``. The line says the files and
deployments done, the rate and the time left, and is cleared when the audit
ends, so what is left on the terminal is the audit itself.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from typing import TextIO


class ProgressLine:
    """A :class:`~greengate.app.workers.Progress` drawn on a terminal stream."""

    def __init__(self, stream: TextIO, clock: Callable[[], float] = time.monotonic) -> None:
        self._stream = stream
        self._clock = clock
        self._what = ""
        self._unit = ""
        self._total = 0
        self._done = 0
        self._deployments = 0
        self._started = 0.0
        self._drawn = False

    @classmethod
    def on(cls, stream: TextIO, quiet: bool) -> ProgressLine | None:
        """A progress line on ``stream`` when it is a terminal and not ``--quiet``."""
        try:
            terminal = stream.isatty()
        except (AttributeError, ValueError):  # a closed or replaced stream
            terminal = False
        return cls(stream) if terminal and not quiet else None

    def start(self, total: int, what: str, unit: str) -> None:
        self._what, self._total, self._unit = what, total, unit
        self._done = self._deployments = 0
        self._started = self._clock()
        self._draw()

    def advance(self, done: int, deployments: int) -> None:
        self._done += done
        self._deployments += deployments
        self._draw()

    def line(self) -> str:
        """What the line says now: ``audit 1,200/10,000 files, 1,180 deployments, 140 files/s, 1:03 left``."""
        unit = self._unit
        elapsed = self._clock() - self._started
        rate = self._done / elapsed if elapsed > 0 else 0.0
        left = "--:--"
        if rate > 0:
            left = _clock_time((self._total - self._done) / rate)
        return (
            f"{self._what} {self._done:,}/{self._total:,} {unit},"
            f" {self._deployments:,} deployments, {rate:,.1f} {unit}/s, {left} left"
        )

    def close(self) -> None:
        """Clear the line (the cursor back at its start)."""
        if self._drawn:
            self._write("\r\x1b[2K")
            self._drawn = False

    def _draw(self) -> None:
        width = self._width() - 1
        self._write("\r" + self.line()[: max(width, 10)] + "\x1b[K")
        self._drawn = True

    def _width(self) -> int:
        try:
            columns = os.get_terminal_size(self._stream.fileno()).columns
        except (AttributeError, OSError, ValueError):
            columns = 0
        return columns or shutil.get_terminal_size().columns  # 0: a terminal without a size

    def _write(self, text: str) -> None:
        try:
            self._stream.write(text)
            self._stream.flush()
        except (OSError, ValueError):  # the terminal went away: the audit goes on
            pass


def _clock_time(seconds: float) -> str:
    whole = int(seconds + 0.5)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"
