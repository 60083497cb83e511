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
    from greengate.sources.git import work_tree_files  # gitpython costs ~50 ms to import

    listed = work_tree_files(folder)
    if listed is not None:
        return listed
    return _walk(folder)


def _walk(folder: Path) -> Iterable[Path]:
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS)
        for name in sorted(files):
            yield Path(root) / name
