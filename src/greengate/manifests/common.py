"""Small helpers shared by the adapters for formats that are not Kubernetes objects."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from greengate.load import PathKey
from greengate.manifests.base import FactReader, is_placeholder
from greengate.records.deployment import DEFAULT_FIELDS, Deployment, Fact
from greengate.records.location import Location

DECLARE = "<how to declare it in .greengate.yaml>"
"""Stands in a hint for how to supply a fact the format has no field for; :func:`finish`
replaces it with the ``.greengate.yaml`` ``defaults`` key of that field."""

# Field -> its key in a .greengate.yaml `defaults` entry.
_DEFAULT_KEYS = {field: key for key, field in DEFAULT_FIELDS.items()}


@dataclass(frozen=True)
class Resolved:
    """A value read through the format's references (``var.x``, ``!Ref Param``).

    ``location`` is where the value is written (a variable's default, a
    parameters file) and ``detail`` says how the reference led there. When
    the reference cannot be followed, ``known`` is False and ``value`` is the
    reference as written: an adapter keeps it as unresolved, never as a fact.
    The Terraform and CloudFormation adapters resolve differently but hand
    their mappers this same record.
    """

    value: Any
    location: Location
    detail: str = ""
    known: bool = True


def _declare(name: str) -> str:
    key = _DEFAULT_KEYS.get(name)
    if key is None:
        return "declare it in a greengate AIDeployment (native format) describing this deployment"
    return f"set {key}: in a .greengate.yaml defaults entry whose paths match this file"


def finish(deployment: Deployment, clauses: Mapping[str, str]) -> Deployment:
    """Record the deployment's name as a fact and attach one hint per missing field.

    A placeholder's hint says what the value was and where.

    The hints are used only for facts still missing after catalog enrichment,
    so a missing accelerator next to a known instance type, or a missing size
    next to a known model name, means the catalog does not know that name:
    the hint says so instead of asking for a field that is already there.
    """
    hints: dict[str, str] = {}
    for name, clause in {**clauses, **_catalog_clauses(deployment)}.items():
        if name in deployment.facts:
            continue
        placeholder = deployment.unresolved.get(name)
        if placeholder is not None:
            where = placeholder.location
            at = f"line {where.line}" if where.file == deployment.file else str(where)
            clause = (
                f"its value {shown(placeholder.value)} at {at} is a placeholder greengate"
                f" cannot resolve; {clause}"
            )
        hints[name] = clause.replace(DECLARE, _declare(name))
    facts = dict(deployment.facts)
    facts.setdefault("name", Fact(deployment.name, deployment.location))
    return replace(deployment, facts=facts, hints={**deployment.hints, **hints})


def _catalog_clauses(deployment: Deployment) -> dict[str, str]:
    clauses: dict[str, str] = {}
    instance_type = deployment.facts.get("hardware.instanceType")
    if instance_type is not None:
        clauses["hardware.accelerator"] = (
            f"greengate's catalog has no accelerator for instance type '{instance_type.value}'"
            " (on a CPU-only type the accelerator is cpu); add the type in a catalog"
            f" extension file (--catalog), or {DECLARE}"
        )
    model = deployment.facts.get("model.name")
    if model is not None:
        clauses["model.parameters"] = (
            f"greengate's catalog does not know model '{model.value}' and its name states no"
            f" size; add it in a catalog extension file (--catalog), or {DECLARE}"
        )
    return clauses


def shown(value: Any) -> str:
    """A value as a message shows it: CloudFormation functions in their short form."""
    if isinstance(value, dict) and len(value) == 1:
        (function, argument), *_ = value.items()
        short = "!" + str(function).removeprefix("Fn::")
        if isinstance(argument, str):
            return f"'{short} {argument}'"
        return f"'{short} ...'"
    text = repr(value)
    return text if len(text) <= 80 else text[:76] + "...'"


def number(value: Any) -> int | float | None:
    """A count written as a number or a numeric string (``"3"``); None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            pass
        try:
            return float(text)
        except ValueError:
            return None
    return None


def declare_number(reader: FactReader, name: str, path: PathKey, detail: str = "") -> None:
    """Record a count at ``path``: a number (or numeric string), or a placeholder as unresolved.

    Anything else (``replicas: many``) is not a count and stays unknown.
    """
    raw = reader.value(path)
    value = number(raw)
    if value is not None:
        reader.declare(name, path, value, detail=detail)
    elif is_placeholder(raw):
        reader.declare(name, path)
