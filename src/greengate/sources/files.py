"""Where a run reads its files from: the work tree, or one git commit (never checked out).

Both are a :class:`FileSource`; a :class:`SourceFile` names one file of one
source. Everything after discovery reads through them, so the files beside a
manifest (Terraform variables, CloudFormation stage parameters) always come
from the same place as the manifest itself.
"""

from __future__ import annotations

import abc
import errno
import os
import posixpath
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PosixPath
from typing import Any


class NotRegularFile(OSError):
    """A path that is not read: a special file, a link loop, or a link that leaves the tree."""


def safe_resolve(path: Path) -> Path:
    """``path.resolve()``, or its absolute form when links loop (``resolve`` raises then)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop, before Python 3.13
        return Path(os.path.abspath(path))  # noqa: PTH100 - resolve() is what fails here


class _LinkLoop(PosixPath):
    """The path of a symbolic link loop, whose ``resolve()`` is where the link sits.

    ``Path.resolve()`` raises RuntimeError on a loop before Python 3.13; every
    stage that places a file (config globs, fingerprints) resolves its path,
    so the entry that is reported must not make them raise.
    """

    def resolve(self, strict: bool = False) -> Any:
        if strict:
            return super().resolve(strict=True)
        return PosixPath(os.path.abspath(self))  # noqa: PTH100 - resolve() is what fails here


def entry_path(path: Path) -> Path:
    """``path``, safe to ``resolve()`` even when it is a symbolic link loop."""
    try:
        path.resolve()
    except RuntimeError:  # a loop, before Python 3.13
        if os.name == "posix":
            return _LinkLoop(path)
    except OSError:
        pass
    return path


_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a folder"),
)


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def regular_file(path: Path, root: Path | None = None) -> os.stat_result:
    """The status of ``path`` if it may be read: a regular file, or a link to one inside ``root``.

    Never opens the file, so a FIFO cannot block. Raises :class:`NotRegularFile`
    with one sentence for a FIFO, a device, a socket, a link loop, or a link
    whose target is outside ``root`` (when given).
    """
    st = os.lstat(path)
    if stat.S_ISREG(st.st_mode):
        return st
    if not stat.S_ISLNK(st.st_mode):
        raise NotRegularFile(f"it is {_kind(st.st_mode)}, not a regular file; it was not read")
    try:
        target = Path(os.path.realpath(path, strict=True))
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise NotRegularFile("it is a symbolic link loop; it was not read") from None
        raise NotRegularFile(
            f"it is a symbolic link to {path.readlink()}, which does not exist; it was not read"
        ) from None
    st = target.stat()  # status only: a FIFO is never opened
    if not stat.S_ISREG(st.st_mode):
        raise NotRegularFile(
            f"it is a symbolic link to {target}, which is {_kind(st.st_mode)}, not a regular file; it was not read"
        )
    if root is not None:
        top = safe_resolve(root)
        if not target.is_relative_to(top):
            raise NotRegularFile(
                f"it is a symbolic link to {target}, outside {top}; links that leave the checked tree are not followed"
            )
    return st


def read_regular(path: Path, root: Path | None = None) -> bytes:
    """The bytes of a file that :func:`regular_file` accepts (checked again once open)."""
    regular_file(path, root)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):  # swapped since the check
            raise NotRegularFile("it is not a regular file; it was not read")
        return handle.read()


def display_path(path: Path, cwd: Path | None = None) -> str:
    """``path`` as reports show it: relative to the working directory when inside it."""
    base = safe_resolve(cwd or Path.cwd())
    # The entry itself, not where a link at its end points: a refused link is
    # reported where it is.
    resolved = (
        safe_resolve(path.parent) / path.name
        if path.name not in ("", ".", "..") and path.is_symlink()
        else safe_resolve(path)
    )
    return shown_path(path, resolved, base)


def shown_path(path: Path, resolved: Path, base: Path) -> str:
    """:func:`display_path` of ``path``, given it resolved and the resolved working directory."""
    try:
        return resolved.relative_to(base).as_posix()
    except ValueError:
        return path.as_posix()


class Resolver:
    """``resolve()`` of many files of few folders: each folder is resolved once.

    One listing's worth (a :func:`~greengate.sources.discover.discover` call),
    never kept between runs: the tree may change. A regular file (not a link)
    resolves to its resolved folder joined with its name, as ``resolve()``
    gives it, without one ``lstat`` per component of its path.
    """

    def __init__(self) -> None:
        self._folders: dict[Path, Path] = {}

    def folder(self, path: Path) -> Path:
        found = self._folders.get(path)
        if found is None:
            found = self._folders[path] = safe_resolve(path)
        return found

    def regular(self, path: Path) -> Path | None:
        """``safe_resolve(path)`` if ``path`` is a regular file (not a link), else None."""
        if path.name in ("", ".", ".."):
            return None
        try:
            mode = os.lstat(path).st_mode
        except OSError:
            return None
        return self.folder(path.parent) / path.name if stat.S_ISREG(mode) else None


def repository_path(file: SourceFile, root: Path | None, *, resolved: bool = False) -> str:
    """``file`` relative to the repository ``root``, as fingerprints name files.

    So a finding has the same identity whether greengate runs at the root of
    the repository or in a folder of it (a baseline made in CI still matches
    a check run in ``deploy/``). Outside ``root``, or without one, the
    displayed path is kept. ``resolved``: ``root`` is resolved already (a
    caller naming many files resolves it once).
    """
    if root is None:
        return file.display
    rel = relative_posix(file.path, root if resolved else safe_resolve(root))
    if rel is None:
        return file.display
    return rel or "."


def relative_posix(path: Path, root: Path) -> str | None:
    """``path`` relative to the resolved ``root``, POSIX style ('' for the root), or None outside.

    The entry as written is tried first, then its resolved target: a link in
    the work tree names itself, not what it points at.
    """
    written = Path(os.path.normpath(path.absolute()))
    for candidate in (written, None):
        if candidate is None:  # resolved only when the path as written is outside
            candidate = safe_resolve(path)
        try:
            rel = candidate.relative_to(root)
        except ValueError:
            continue
        return "" if str(rel) == "." else rel.as_posix()
    return None


class FileSource(abc.ABC):
    """A tree of files: its identity, each file's bytes, and the files of a folder."""

    key: str
    """``worktree``, or the commit SHA: files of two sources never mix."""

    @abc.abstractmethod
    def size(self, path: Path) -> int:
        """The size of a file in bytes (checked before reading it); OSError when unreadable."""

    @abc.abstractmethod
    def read(self, path: Path) -> bytes:
        """A file's bytes; OSError when it cannot be read."""

    @abc.abstractmethod
    def folder(self, folder: Path) -> list[str]:
        """The names of the files directly in ``folder``, sorted."""


@dataclass(frozen=True)
class WorkTree(FileSource):
    """The files on disk: only regular files are read (see :func:`regular_file`).

    ``root`` is the tree being checked (the git work tree, else the folder
    named on the command line): a symbolic link may point anywhere inside it,
    never outside.
    """

    root: Path | None = None
    key = "worktree"

    def size(self, path: Path) -> int:
        return regular_file(path, self.root).st_size

    def read(self, path: Path) -> bytes:
        return read_regular(path, self.root)

    def folder(self, folder: Path) -> list[str]:
        try:
            return sorted(p.name for p in folder.iterdir() if self._regular(p))
        except OSError:
            return []

    def _regular(self, path: Path) -> bool:
        try:
            regular_file(path, self.root)
        except OSError:
            return False  # a special file beside a manifest is no part of it
        return True


WORK_TREE = WorkTree()


@dataclass(frozen=True)
class GitCommit(FileSource):
    """The files of one commit, read from git objects."""

    key: str
    """The commit SHA."""
    root: Path
    """The repository's work-tree root: paths are placed under it."""
    blob: Callable[[str], bytes | None] = field(compare=False, repr=False)
    """A repo-relative path's bytes at the commit, or None."""
    listing: Callable[[str], list[str]] = field(compare=False, repr=False)
    """The repo-relative files directly in a repo-relative folder at the commit."""

    def _relative(self, path: Path) -> str:
        # The path names an entry at the commit: work-tree links must not redirect it.
        rel = relative_posix(path, self.root)
        if rel is None:
            raise OSError(f"{path} is outside the repository")
        return rel

    def size(self, path: Path) -> int:
        return len(self.read(path))

    def read(self, path: Path) -> bytes:
        data = self.blob(self._relative(path))
        if data is None:
            raise OSError(f"{path} does not exist at {self.key[:12]}")
        return data

    def folder(self, folder: Path) -> list[str]:
        try:
            names = self.listing(self._relative(folder))
        except OSError:
            return []
        return sorted(posixpath.basename(n) for n in names)


@dataclass(frozen=True, order=True)
class SourceFile:
    display: str
    """The path as reports show it: relative to the working directory when inside it."""
    path: Path
    data: bytes | None = field(default=None, compare=False, repr=False)
    """The content, when it is given in memory rather than read from ``source``."""
    source: FileSource = field(default=WORK_TREE, compare=False, repr=False)
    """Where the file (and the files beside it) are read from."""

    def read(self) -> bytes:
        return self.data if self.data is not None else self.source.read(self.path)

    def size(self) -> int:
        return len(self.data) if self.data is not None else self.source.size(self.path)

    def siblings(self) -> list[SourceFile]:
        """The files of this file's folder (itself included), from the same source."""
        folder, shown = self.path.parent, posixpath.dirname(self.display)
        return [
            SourceFile(posixpath.join(shown, name), folder / name, source=self.source)
            for name in self.source.folder(folder)
        ]


__all__ = [
    "WORK_TREE",
    "FileSource",
    "GitCommit",
    "NotRegularFile",
    "Resolver",
    "SourceFile",
    "WorkTree",
    "display_path",
    "entry_path",
    "read_regular",
    "regular_file",
    "safe_resolve",
    "shown_path",
]
