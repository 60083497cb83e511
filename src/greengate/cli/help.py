"""Help texts several commands share, importing nothing (the root's help stays instant)."""

from __future__ import annotations

EXIT_CODES = """\b
Exit codes:
  0  no failing finding at or above --fail-on
  1  a failing finding at or above --fail-on, or a manifest that cannot be read
  2  greengate could not run: bad arguments, config, policy, catalog or baseline file"""
