"""Writing a file all at once: a reader (or a killed run) sees the old file or the new one, never half.

Every file greengate writes (reports, the baseline, the starter config) goes
through :func:`write_atomically`: the text is written to a temporary file in
the same folder, flushed to disk, and renamed over the target with
:func:`os.replace`, which is atomic on one file system. On any failure the
temporary file is removed and the previous file is left as it was.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import TextIO

TEMP_SUFFIX = ".greengate-tmp"
"""Temporary files are ``.<name>.<random>.greengate-tmp`` beside the target."""


def target_of(path: Path) -> Path:
    """The file a write to ``path`` replaces: a symbolic link is followed, as ``open`` would."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def temp_path(target: Path) -> Path:
    """A fresh temporary name in ``target``'s folder (so that the rename stays on one file system)."""
    return target.with_name(f".{target.name}.{secrets.token_hex(6)}{TEMP_SUFFIX}")


def write_atomically(
    path: Path, write: Callable[[TextIO], object], *, encoding: str = "utf-8"
) -> None:
    """Call ``write`` with a text file that replaces ``path`` only once ``write`` has returned.

    A symbolic link at ``path`` is followed (its target is replaced, in the
    target's folder). A new file gets the permissions ``open`` would give it
    (``0o666`` less the umask); a replaced file keeps its permissions.
    Raises :class:`OSError` when the folder cannot be written; whatever
    ``write`` raises is raised again, after the temporary file is removed.
    """
    target = target_of(path)
    try:
        mode: int | None = target.stat().st_mode & 0o7777
    except OSError:
        mode = None
    while True:
        temp = temp_path(target)
        try:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        break
    try:
        with os.fdopen(fd, "w", encoding=encoding) as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            temp.chmod(mode)
        temp.replace(target)  # os.replace: atomic on one file system
    except BaseException:
        with suppress(OSError):
            temp.unlink()
        raise
