"""Which files to read: the paths given, expanded, minus what git ignores.

Inside a git work tree the file list comes from ``git ls-files --cached
--others --exclude-standard``, so every ignore rule git knows (nested
``.gitignore`` files, ``.git/info/exclude``, the global excludes file) applies
exactly as git applies it. Outside a work tree, folders are walked and only
``.git`` folders are skipped.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from greengate.sources.files import SourceFile, display_path
from greengate.sources.suffixes import MANIFEST_SUFFIXES

SKIPPED_DIRS = frozenset({".git"})


def discover(
    paths: Sequence[Path], suffixes: Iterable[str] = MANIFEST_SUFFIXES
) -> list[SourceFile]:
    """Files to check under ``paths``, each once, sorted by display path.

    A file named explicitly is always read; files found in folders only when
    their suffix is a manifest suffix and git does not ignore them.
    """
    wanted = tuple(s.lower() for s in suffixes)
    seen: dict[Path, SourceFile] = {}
    for path in paths:
        if path.is_file():
            candidates: Iterable[Path] = [path]
        else:
            candidates = (p for p in _folder_files(path) if p.name.lower().endswith(wanted))
        for candidate in candidates:
            key = candidate.resolve()
            if key not in seen:
                seen[key] = SourceFile(display_path(candidate), candidate)
    return sorted(seen.values())


def _folder_files(folder: Path) -> Iterable[Path]:
    listed = _git_listed(folder)
    if listed is not None:
        return listed
    return _walk(folder)


def _walk(folder: Path) -> Iterable[Path]:
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS)
        for name in sorted(files):
            yield Path(root) / name


def _git_listed(folder: Path) -> list[Path] | None:
    """Files under ``folder`` that git does not ignore, or None outside a work tree."""
    try:
        import git  # imported here: gitpython costs ~50 ms to import and most runs never need it
    except ImportError:  # pragma: no cover - gitpython is a dependency
        return None
    try:
        repo = git.Repo(folder, search_parent_directories=True)
        if repo.bare or repo.working_tree_dir is None:
            return None
        top = Path(repo.working_tree_dir).resolve()
        relative = folder.resolve().relative_to(top)
        out = repo.git.ls_files(
            "--cached", "--others", "--exclude-standard", "-z", "--", relative.as_posix() or "."
        )
    except (
        git.InvalidGitRepositoryError,
        git.NoSuchPathError,
        git.GitCommandError,
        git.GitCommandNotFound,
        ValueError,
        OSError,
    ):
        return None
    files = []
    for name in out.split("\0"):
        if not name:
            continue
        candidate = top / name
        if candidate.is_file():  # tracked but deleted in the work tree: nothing to read
            files.append(folder / candidate.relative_to(folder.resolve()))
    return files
