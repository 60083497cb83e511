"""Policies as loaded and compiled: what the engine evaluates."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

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
    name: str
    expect: str
    rules: tuple[str, ...]
    params: Mapping[str, Any]
    manifest: Mapping[str, Any]
    location: Location


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
