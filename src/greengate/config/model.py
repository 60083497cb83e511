"""The repository config (``.greengate.yaml``) as read: every value with where it is written."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from greengate.enrich.defaults import DefaultsEntry
from greengate.findings.waivers import Waiver
from greengate.records.finding import Severity
from greengate.records.location import Location

T = TypeVar("T")

DEFAULT_ORIGIN = "default"

BASE_ONLY = "base-only"
"""``inlineWaivers: base-only``: an inline waiver counts only if it is already at the base commit."""
InlineWaivers = bool | str
"""``inlineWaivers``: True (every inline waiver counts), False (none), or :data:`BASE_ONLY`."""


@dataclass(frozen=True)
class Sourced(Generic[T]):
    """A setting and where it came from: ``.greengate.yaml:12``, ``--fail-on flag``, ``default``."""

    value: T
    origin: str = DEFAULT_ORIGIN
    location: Location | None = None
    """Its position in the config file, when it was written there."""

    @classmethod
    def at(cls, value: T, location: Location) -> Sourced[T]:
        return cls(value, f"{location.file}:{location.line}", location)


@dataclass(frozen=True)
class Config:
    """A parsed, validated config file. Paths are absolute; globs stay relative to ``root``."""

    path: Path
    display: str
    """The config file as messages show it."""
    fail_on: Sourced[Severity] | None = None
    include: tuple[Sourced[str], ...] = ()
    exclude: tuple[Sourced[str], ...] = ()
    builtin: Sourced[bool] | None = None
    policy_paths: tuple[Sourced[Path], ...] = ()
    disable_policies: tuple[Sourced[str], ...] = ()
    budget: Sourced[float] | None = None
    """``policies.budgetSeconds``: seconds one CEL expression may run on one deployment."""
    cel_engine: Sourced[str] | None = None
    """``policies.celEngine``: ``auto``, ``python`` or ``cpp``."""
    disable_rules: tuple[Sourced[str], ...] = ()
    severity: tuple[tuple[str, Sourced[Severity]], ...] = ()
    """Rule id or glob -> severity, in the order written."""
    params: tuple[tuple[str, Sourced[dict[str, Any]]], ...] = ()
    """Policy name -> params, in the order written."""
    param_locations: Mapping[tuple[str, str], Location] = field(default_factory=dict)
    """Where each (policy, param) key is written."""
    catalog_files: tuple[Sourced[Path], ...] = ()
    defaults: tuple[DefaultsEntry, ...] = ()
    waivers: tuple[Waiver, ...] = ()
    inline_waivers: Sourced[InlineWaivers] | None = None
    """``inlineWaivers``: which waivers written in manifests count."""
    baseline: Sourced[Path] | None = None
    """``baseline``: the baseline file a check compares with when ``--baseline`` is not given."""

    @property
    def root(self) -> Path:
        """The folder of the config file: config paths and globs are relative to it."""
        return self.path.parent
