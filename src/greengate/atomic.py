"""Writing a file all at once: a reader (or a killed run) sees the old file or the new one, never half.

Every file greengate writes (reports, the baseline, the starter config) goes
through :func:`write_atomically`: the text is written to a temporary file in
the same folder, flushed to disk, and renamed over the target with
:func:`os.replace`, which is atomic on one file system. On any failure the
temporary file is removed and the previous file is left as it was.
"""

from __future__ import annotations

import errno
import os
import secrets
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import TextIO

TEMP_SUFFIX = ".greengate-tmp"
"""Temporary names are ``.<name>.<random>.greengate-tmp``, beside the target."""


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

    Where the system allows it (Linux ``O_TMPFILE``) the text is written to
    a file without a name, which a killed process leaves nowhere; it gets a
    temporary name only for the rename. Elsewhere the temporary file is named
    from the start, and removed on any failure (a ``SIGKILL`` during the
    write can then leave it behind; the target is intact either way).

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
    fd, temp = _open_temp(target)
    try:
        with os.fdopen(fd, "w", encoding=encoding) as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
            if mode is not None:
                os.fchmod(handle.fileno(), mode)
            if temp is None:
                temp = _name(handle.fileno(), target, mode)
        temp.replace(target)  # os.replace: atomic on one file system
    except BaseException:
        if temp is not None:
            with suppress(OSError):
                temp.unlink()
        raise


_PROC_FD = Path("/proc/self/fd")


def _open_temp(target: Path) -> tuple[int, Path | None]:
    """An open file in ``target``'s folder: unnamed (``None``) where possible, else named."""
    unnamed = getattr(os, "O_TMPFILE", 0)
    if unnamed and _PROC_FD.is_dir():
        try:
            return os.open(target.parent, unnamed | os.O_RDWR, 0o666), None
        except OSError as exc:
            if exc.errno not in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL):
                raise
    return _open_named(target)


def _open_named(target: Path) -> tuple[int, Path]:
    while True:
        temp = temp_path(target)
        try:
            return os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), temp
        except FileExistsError:
            continue


def _name(fd: int, target: Path, mode: int | None) -> Path:
    """Give the unnamed file ``fd`` a temporary name beside ``target`` (``linkat``, else a copy)."""
    try:
        return _link(fd, target)
    except FileExistsError:
        raise
    except OSError:
        pass
    copy, temp = _open_named(target)
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        while chunk := os.read(fd, 1 << 20):
            view = memoryview(chunk)
            while view:
                view = view[os.write(copy, view) :]
        os.fsync(copy)
        if mode is not None:
            os.fchmod(copy, mode)
    except BaseException:
        os.close(copy)
        with suppress(OSError):
            temp.unlink()
        raise
    os.close(copy)
    return temp


def _link(fd: int, target: Path) -> Path:
    # With a folder descriptor, os.link calls linkat(..., AT_SYMLINK_FOLLOW), which
    # links the file /proc/self/fd/N stands for (plain link(2) would not follow it).
    folder = os.open(target.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        while True:
            temp = temp_path(target)
            try:
                os.link(_PROC_FD / str(fd), temp.name, dst_dir_fd=folder, follow_symlinks=True)
            except FileExistsError:
                continue
            return temp
    finally:
        os.close(folder)
