"""``--policies-from REF``: judge a change by the policies and config of its base.

A pull request that edits ``policies/`` or ``.greengate.yaml`` must not be
able to switch off the gate that judges it. The config file and every policy
and catalog file it names (and every ``--policy``, ``--catalog`` and
``--baseline`` path) are read from REF's git objects into a scratch folder
with the repository's layout, so a path the change deletes is still used and
one it adds is not (a note says so); the config
then behaves as if it lived at its real place (its globs match the work tree's
files). The report says when the change edits any of them.
"""

from __future__ import annotations

import dataclasses
import posixpath
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from greengate.config.load import CONFIG_NAMES, walk_up
from greengate.config.model import Config, Sourced
from greengate.config.settings import Flags
from greengate.findings import baseline as baselines
from greengate.findings.baseline import Baseline
from greengate.sources.git import Repository


@dataclass
class BasePolicies:
    ref: str
    commit: str
    flags: Flags
    """The command line's flags, with the config and --policy paths moved into the scratch folder."""
    notes: list[str] = field(default_factory=list)
    config_path: Path | None = None
    """Where the config lives in the work tree (globs are relative to its folder)."""
    config_display: str = ""
    baseline_file: Path | None = None
    """``--baseline`` as it is at the base, in the scratch folder (None: not given, or absent there)."""
    baseline_display: str = ""

    def baseline(self) -> Baseline | None:
        """The ``--baseline`` file read at the base, shown under its repository path."""
        if self.baseline_file is None:
            return None
        return dataclasses.replace(baselines.load(self.baseline_file), path=self.baseline_display)

    def relocate(self, config: Config | None) -> Config | None:
        """The config read from the base, placed where it lives in the repository."""
        if config is None or self.config_path is None:
            return config
        inline = config.inline_waivers
        if inline is not None and inline.location is not None:
            # Said in notes: name the config as it is in the repository, not the scratch copy.
            rel = self.config_display.removesuffix(f" at {self.ref}")
            inline = Sourced(
                inline.value, f"{rel}:{inline.location.line} at {self.ref}", inline.location
            )
        return dataclasses.replace(
            config, path=self.config_path, display=self.config_display, inline_waivers=inline
        )


def policies_from(
    ref: str,
    flags: Flags,
    paths: Sequence[Path],
    scratch: Path,
    *,
    baseline_file: Path | None = None,
) -> BasePolicies:
    repo = Repository.open(paths[0] if paths else Path.cwd())
    commit = repo.commit(ref)
    result = BasePolicies(ref, commit, flags)
    exported: list[str] = []

    config_rel = None if flags.no_config else _config_at(repo, commit, flags, paths)
    if config_rel is not None:
        exported.append(config_rel)
        repo.export(commit, [config_rel], scratch)
        for named in _named_paths(repo.read(commit, config_rel) or b""):
            rel = posixpath.normpath(posixpath.join(posixpath.dirname(config_rel), named))
            exported.append(rel)
            repo.export(commit, [rel], scratch)
        result.config_path = repo.root / config_rel
        result.config_display = f"{config_rel} at {ref}"
    elif not flags.no_config:
        result.notes.append(f"there is no .greengate.yaml at {ref}; the check ran without a config")

    def at_base(flag: str, named: Sequence[Path]) -> list[Path]:
        """The ``flag`` paths as they are at the base, in the scratch folder (absent ones left out)."""
        found = []
        for path in named:
            rel = repo.relative(path)
            if repo.export(commit, [rel], scratch):
                exported.append(rel)
                found.append(scratch / rel if rel else scratch)
            else:
                result.notes.append(
                    f"{flag} {path} does not exist at {ref}, so it was not used; it applies once the change is merged"
                )
        return found

    result.flags = dataclasses.replace(
        flags,
        config_file=scratch / config_rel if config_rel is not None else None,
        no_config=config_rel is None,
        policy_paths=at_base("--policy", flags.policy_paths),
        catalog_files=at_base("--catalog", flags.catalog_files),
    )
    if baseline_file is not None:
        rel = repo.relative(baseline_file)
        if repo.read(commit, rel) is not None and repo.export(commit, [rel], scratch):
            exported.append(rel)
            result.baseline_file = scratch / rel
            result.baseline_display = f"{rel} at {ref}"
        else:
            result.notes.append(
                f"--baseline {baseline_file} does not exist at {ref}, so no baseline was used; it applies once the change is merged"
            )
    edited = sorted(
        {c.path for c in repo.changes(commit) if _governs(c.path, exported)}
        | {
            c.old_path
            for c in repo.changes(commit)
            if c.old_path and _governs(c.old_path, exported)
        }
    )
    if edited:
        result.notes.append(
            f"this change edits {', '.join(edited)}; the config, policy, catalog and baseline files were read as they are at {ref} ({commit[:12]}), so the edits take effect once merged"
        )
    return result


def _config_at(repo: Repository, commit: str, flags: Flags, paths: Sequence[Path]) -> str | None:
    """The config's repo-relative path at ``commit``: --config's path, else found walking up."""
    if flags.config_file is not None:
        rel = repo.relative(flags.config_file)
        return rel if repo.read(commit, rel) is not None else None
    start = paths[0] if paths else Path.cwd()
    folder = PurePosixPath(repo.relative(start if start.is_dir() else start.parent))
    found = walk_up(folder, lambda path: repo.read(commit, path.as_posix()) is not None)
    return found.as_posix() if found is not None else None


def _named_paths(text: bytes) -> list[str]:
    """The policy, catalog and baseline paths a config names (it is validated properly when loaded)."""
    try:
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError:
        return []
    if not isinstance(data, dict):
        return []
    policies = data.get("policies")
    named = policies.get("paths") if isinstance(policies, dict) else None
    found = [p for p in (named or []) if isinstance(p, str)]
    found += [p for p in (data.get("catalog") or []) if isinstance(p, str)]
    if isinstance(data.get("baseline"), str):
        found.append(data["baseline"])
    return found


def _governs(path: str, exported: Sequence[str]) -> bool:
    if posixpath.basename(path) in CONFIG_NAMES:
        return True
    return any(
        path == root or path.startswith(root.rstrip("/") + "/") or not root for root in exported
    )
