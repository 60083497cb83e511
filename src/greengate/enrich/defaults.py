"""Config defaults: facts for deployments that do not state them (applied after adapt, before enrich).

A Kubernetes Deployment rarely says its region; ``defaults`` in
``.greengate.yaml`` supply it for every manifest whose path matches. A default
never overrides a fact the manifest declares or annotates; it does replace a
placeholder (``${REGION}``), which is an unknown value. A defaulted fact
points at its line in the config file, so a finding about it does too, and its
detail names the ``defaults`` entry that matched. A later matching entry
overrides an earlier one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from greengate.records.deployment import Deployment, Fact, FactSource
from greengate.records.location import Location
from greengate.sources.globs import match_path


@dataclass(frozen=True)
class DefaultFact:
    field: str
    """The deployment field (``cloud.region``)."""
    value: Any
    location: Location
    written: Any = None
    """The value as written, when it was converted (``7B`` for 7000000000)."""


@dataclass(frozen=True)
class DefaultsEntry:
    """One ``defaults`` entry: facts for the deployments whose file matches ``paths``."""

    index: int
    paths: tuple[str, ...]
    facts: tuple[DefaultFact, ...]
    location: Location

    @property
    def label(self) -> str:
        return f"defaults[{self.index}] ({', '.join(self.paths)}) of {self.location.file}"


def apply_defaults(
    deployment: Deployment, entries: Sequence[DefaultsEntry], path: str | None
) -> Deployment:
    """``deployment`` with the facts of every entry whose ``paths`` match ``path``.

    ``path`` is the manifest's path relative to the config file's folder, or
    None when the manifest is outside it (then no default applies).
    """
    if path is None or not entries:
        return deployment
    added: dict[str, Fact] = {}
    for entry in entries:
        if not any(match_path(glob, path) for glob in entry.paths):
            continue
        for default in entry.facts:
            if default.field in deployment.facts:
                continue
            detail = f"{default.field} is set by {entry.label}"
            if default.written is not None:
                detail += f", written {default.written}"
            placeholder = deployment.unresolved.get(default.field)
            if placeholder is not None:
                detail += f"; the manifest's {placeholder.value!r} is a placeholder"
            added[default.field] = Fact(
                default.value, default.location, FactSource.CONFIG_DEFAULT, detail
            )
    if not added:
        return deployment
    unresolved = {k: v for k, v in deployment.unresolved.items() if k not in added}
    return replace(deployment.with_facts(added), unresolved=unresolved)
