"""Where a run reads its files from: the work tree, or one git commit (never checked out).

Both are a :class:`FileSource`; a :class:`SourceFile` names one file of one
source. Everything after discovery reads through them, so the files beside a
manifest (Terraform variables, CloudFormation stage parameters) always come
from the same place as the manifest itself.
"""

from __future__ import annotations

import abc
import os
import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path


def display_path(path: Path, cwd: Path | None = None) -> str:
    """``path`` as reports show it: relative to the working directory when inside it."""
    base = (cwd or Path.cwd()).resolve()
    resolved = path.resolve()
    try:
        return resolved.relative_to(base).as_posix()
    except ValueError:
        return path.as_posix()


def repository_path(file: SourceFile, root: Path | None) -> str:
    """``file`` relative to the repository ``root``, as fingerprints name files.

    So a finding has the same identity whether greengate runs at the root of
    the repository or in a folder of it (a baseline made in CI still matches
    a check run in ``deploy/``). Outside ``root``, or without one, the
    displayed path is kept.
    """
    if root is None:
        return file.display
    root = root.resolve()
    for candidate in (Path(os.path.normpath(file.path.absolute())), file.path.resolve()):
        try:
            return candidate.relative_to(root).as_posix()
        except ValueError:
            continue
    return file.display


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


class WorkTree(FileSource):
    """The files on disk."""

    key = "worktree"

    def size(self, path: Path) -> int:
        return path.stat().st_size

    def read(self, path: Path) -> bytes:
        return path.read_bytes()

    def folder(self, folder: Path) -> list[str]:
        try:
            return sorted(p.name for p in folder.iterdir() if p.is_file())
        except OSError:
            return []


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
        try:
            rel = path.resolve().relative_to(self.root)
        except ValueError:
            raise OSError(f"{path} is outside the repository") from None
        return "" if str(rel) == "." else rel.as_posix()

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


__all__ = ["WORK_TREE", "FileSource", "GitCommit", "SourceFile", "WorkTree", "display_path"]
