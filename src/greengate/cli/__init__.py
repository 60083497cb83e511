"""The command line: thin click commands over the application layer (``greengate.app``)."""

from __future__ import annotations

from greengate.cli.root import main

__all__ = ["main"]
