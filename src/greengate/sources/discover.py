"""Which files to read: the paths given, expanded, minus what git ignores.

Inside a git work tree the file list comes from ``git ls-files --cached
--others --exclude-standard``, so every ignore rule git knows (nested
``.gitignore`` files, ``.git/info/exclude``, the global excludes file) applies
exactly as git applies it. Outside a work tree, folders are walked and only
``.git`` folders are skipped.

Every entry found is offered, whatever its type: a FIFO, a device, a link
loop or a link leaving the tree is refused when it is read (see
:func:`greengate.sources.files.regular_file`), so it is reported with its
path, never dropped silently and never opened.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Sequence
from pathlib import Path

from greengate.sources.files import (
    Resolver,
    SourceFile,
    WorkTree,
    display_path,
    entry_path,
    regular_file,
    safe_resolve,
    shown_path,
)
from greengate.sources.suffixes import MANIFEST_SUFFIXES

SKIPPED_DIRS = frozenset({".git"})


def discover(
    paths: Sequence[Path], suffixes: Iterable[str] = MANIFEST_SUFFIXES
) -> list[SourceFile]:
    """Files to check under ``paths``, each once, sorted by display path.

    A file named explicitly is always read; files found in folders only when
    their suffix is a manifest suffix and git does not ignore them. Links may
    point anywhere inside the tree being checked: the git work tree, else the
    folder named (for a file named outside git: its own folder).
    """
    wanted = tuple(s.lower() for s in suffixes)
    seen: dict[Path, SourceFile] = {}
    resolver = Resolver()
    base = safe_resolve(Path.cwd())
    for path in paths:
        if _named_file(path):
            candidates: Iterable[Path] = [path]
            source = WorkTree(_tree_root(path.parent))
        else:
            candidates = (p for p in _folder_files(path) if p.name.lower().endswith(wanted))
            source = WorkTree(_tree_root(path))
        for candidate in candidates:
            regular = resolver.regular(candidate)
            if regular is not None:  # the common case, with one lstat
                if regular not in seen:
                    shown = shown_path(candidate, regular, base)
                    seen[regular] = SourceFile(shown, candidate, source=source)
                continue
            key = _key(candidate, source)
            if key not in seen:
                entry = entry_path(candidate)
                seen[key] = SourceFile(display_path(entry), entry, source=source)
    return sorted(seen.values())


FOLDER_INPUTS = (".tf", ".tfvars", ".json")
"""Files whose values other files of their folder read: Terraform variables and
modules, CloudFormation stage parameters (``--with-siblings``)."""


def with_siblings(paths: Sequence[Path]) -> list[Path]:
    """``paths``, each named ``.tf``, ``.tfvars`` or ``.json`` file joined by the manifests beside it.

    A change to ``terraform.tfvars`` can move every deployment of its folder
    to another region while no deployment file changes: a pre-commit hook
    that checks only the staged files would pass it. With this, the staged
    file stands for its folder (not its subfolders), as ``--changed-since``
    already treats such a change.
    """
    out: list[Path] = []
    for path in paths:
        out.append(path)
        if _named_file(path) and path.name.lower().endswith(FOLDER_INPUTS):
            try:
                beside = sorted(path.parent.iterdir())
            except OSError:
                continue
            out.extend(
                p for p in beside if p.name.lower().endswith(MANIFEST_SUFFIXES) and p != path
            )
    return list(dict.fromkeys(out))


def _named_file(path: Path) -> bool:
    """A path given that is read as one file: anything but a folder (a link to one included)."""
    try:
        st = os.lstat(path)
    except OSError:
        return False
    if stat.S_ISDIR(st.st_mode):
        return False
    return not (stat.S_ISLNK(st.st_mode) and path.is_dir())


def _key(path: Path, source: WorkTree) -> Path:
    """What makes two paths one file: the file they read, or (for an entry that is
    refused) where the entry itself sits, so each refused entry is reported."""
    try:
        regular_file(path, source.root)
    except OSError:
        return safe_resolve(path.parent) / path.name
    return safe_resolve(path)


def _tree_root(folder: Path) -> Path:
    from greengate.sources.git import work_tree_root  # gitpython costs ~50 ms to import

    return work_tree_root(folder) or safe_resolve(folder)


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
