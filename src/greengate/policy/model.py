"""Policies as loaded and compiled: what the engine evaluates."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from greengate.load import Document
from greengate.policy.cel.backend import Program
from greengate.records.finding import Severity
from greengate.records.location import Location


@dataclass(frozen=True)
class NamedExpression:
    name: str
    program: Program
    location: Location


@dataclass(frozen=True)
class Validation:
    id: str
    title: str
    program: Program
    message: str
    message_program: Program | None
    field: str
    remediation: str
    severity: Severity
    location: Location

    @property
    def facts_used(self) -> tuple[str, ...]:
        """The ``deployment.*`` paths the expression reads (for missing-fact reports)."""
        return self.program.deployment_paths


@dataclass(frozen=True)
class Example:
    """A manifest with the outcome the policy must give it (run by ``greengate test``)."""

    name: str
    expect: str
    """``pass``, ``fail``, ``skip`` or ``error``."""
    rules: tuple[str, ...]
    params: Mapping[str, Any]
    manifest: Document | None
    """The inline manifest, its values still at their lines of the policy file."""
    location: Location
    file: Path | None = None
    """``file:``, the manifest read from a file instead, resolved against the policy's folder."""
    message: str = ""
    """A text the failing finding's message must contain."""
    line: int | None = None
    """The line the failing finding must point at: in ``file``, or in the policy file for
    an inline manifest."""


@dataclass(frozen=True)
class Policy:
    name: str
    title: str
    description: str
    references: tuple[str, ...]
    severity: Severity
    params: Mapping[str, Any]
    match_conditions: tuple[NamedExpression, ...]
    variables: tuple[NamedExpression, ...]
    validations: tuple[Validation, ...]
    examples: tuple[Example, ...]
    location: Location
    builtin: bool = False
    source: Mapping[str, Any] = field(default_factory=dict, repr=False)
    """The policy document as written (for `greengate policies show`)."""
