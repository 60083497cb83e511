"""Pull-request scope: which manifests a change touches, and how they were before it.

``--changed-since REF`` keeps the files added, modified, renamed or copied
between the merge base of REF and the head (the work tree, or ``--head REF``);
deleted files are not checked. ``--new-only`` evaluates the base versions of
the same files, read from git objects (never checked out), and marks every
failing finding that already failed there as ``existing``. A renamed file is
evaluated at its base path under its new name, so its findings keep their
fingerprints.
"""

from __future__ import annotations

import dataclasses
import posixpath
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from greengate.errors import ConfigError
from greengate.sources.discover import discover
from greengate.sources.files import (
    GitCommit,
    SourceFile,
    display_path,
    entry_path,
    read_regular,
)
from greengate.sources.git import Change, Repository
from greengate.sources.suffixes import MANIFEST_SUFFIXES

GOVERNING_KINDS = (
    b"HorizontalPodAutoscaler",
    b"ScaledObject",
    b"NodePool",
    b"ResourceFlavor",
    b"ClusterQueue",
    b"LocalQueue",
)
"""Kinds of YAML object that govern the workloads of their folder (see ``manifests/links``)."""


@dataclass(frozen=True)
class GitOptions:
    changed_since: str | None = None
    """Base ref: check only files changed since its merge base with the head."""
    head: str | None = None
    """Head ref to check instead of the work tree."""
    new_only: bool = False
    """Fail only on findings that are not already failing at the base."""

    def __post_init__(self) -> None:
        if self.new_only and self.changed_since is None:
            raise ConfigError(
                "--new-only compares with a base; add --changed-since REF (e.g. origin/main)"
            )

    @property
    def active(self) -> bool:
        return self.changed_since is not None or self.head is not None


class ChangeSet:
    """The files of a check in git terms: head versions, base versions, what changed."""

    def __init__(self, paths: Sequence[Path], options: GitOptions) -> None:
        self.options = options
        self.repo = Repository.open(paths[0] if paths else Path.cwd())
        self.head = self.repo.commit(options.head) if options.head is not None else None
        self.base: str | None = None
        self.changes: dict[str, Change] = {}
        governing_deleted: set[str] = set()
        if options.changed_since is not None:
            self.base = self.repo.merge_base(options.changed_since, self.head or "HEAD")
            for change in self.repo.changes(self.base, self.head):
                if change.status != "D":
                    self.changes[change.path] = change
                elif self._governs(change.path, self.base):
                    # a deleted HPA or NodePool no longer governs the workloads beside it
                    governing_deleted.add(posixpath.dirname(change.path))
        self._roots = [self.repo.relative(p) for p in (paths or [Path.cwd()])]
        self._commits: dict[str, GitCommit] = {}
        # A deployment can span its folder (Terraform variables, CloudFormation
        # stage parameters, the HPA or NodePool beside a workload): a change to
        # such a file re-checks its folder.
        self._changed_folders = governing_deleted | {
            posixpath.dirname(path)
            for path in self.changes
            if path.lower().endswith((".tf", ".tfvars", ".json")) or self._governs(path, self.head)
        }

    def _governs(self, path: str, commit: str | None) -> bool:
        """A YAML file that may give facts to the workloads beside it: a scaler, a NodePool, a queue.

        Told by its text at ``commit`` (None: the work tree), a cheap test
        before anything is parsed; the linking stage decides what it gives.
        """
        if not path.lower().endswith((".yaml", ".yml")):
            return False
        if commit is not None:
            data = self.repo.read(commit, path)
        else:
            try:
                data = read_regular(self.repo.root / path, self.repo.root)
            except OSError:
                data = None
        return data is not None and any(kind in data for kind in GOVERNING_KINDS)

    def files(self, paths: Sequence[Path]) -> list[SourceFile]:
        """The files to check: at the head ref or in the work tree, limited to the change."""
        if self.head is None:
            found = discover(paths)
        else:
            found = [self._at(self.head, name) for name in self.repo.files(self.head, self._roots)]
            found = [
                f
                for f in found
                if f.path.name.lower().endswith(MANIFEST_SUFFIXES) or self._named(f)
            ]
        if self.base is None:
            return found
        return [f for f in found if self._touched(self._relative(f))]

    def _touched(self, path: str) -> bool:
        return path in self.changes or (
            posixpath.dirname(path) in self._changed_folders
            and path.lower().endswith((".tf", ".yaml", ".yml", ".json"))
        )

    def base_files(self, files: Iterable[SourceFile]) -> list[SourceFile]:
        """The base version of each file that existed there, under the head file's name."""
        if self.base is None:
            return []
        found = []
        for source in files:
            path = self._relative(source)
            change = self.changes.get(path, Change("M", path))  # unchanged, in a changed folder
            if change.status == "A":
                continue
            data = self.repo.read(self.base, change.old_path or change.path)
            if data is not None:
                # Read at its base path, shown and identified under its head name.
                found.append(dataclasses.replace(source, data=data, source=self.at(self.base)))
        return found

    def _at(self, commit: str, name: str) -> SourceFile:
        path = entry_path(self.repo.root / name)  # the work tree may hold a link loop there
        return SourceFile(display_path(path), path, source=self.at(commit))

    def at(self, commit: str) -> GitCommit:
        """The files of ``commit``, as a source (one per commit, so reads are shared)."""
        if commit not in self._commits:
            self._commits[commit] = self.repo.source(commit)
        return self._commits[commit]

    def _relative(self, source: SourceFile) -> str:
        return self.repo.relative(source.path)

    def _named(self, source: SourceFile) -> bool:
        return self._relative(source) in self._roots


def describe(options: GitOptions, changes: ChangeSet) -> list[str]:
    """Report notes that say what was compared."""
    notes = []
    if changes.base is not None:
        head = options.head or "the work tree"
        notes.append(
            f"checked the {len(changes.changes)} file(s) changed between {options.changed_since} (merge base {changes.base[:12]}) and {head}"
        )
    if options.new_only:
        notes.append(
            f"--new-only: findings that already failed at {options.changed_since} are reported as existing and do not fail the run"
        )
    return notes
