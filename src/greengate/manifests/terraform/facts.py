"""Resolved Terraform values recorded as facts, and the finished deployment.

Every mapper records what :meth:`Folder.resolve
<greengate.manifests.terraform.folder.Folder.resolve>` gives the same way: a
value whose reference could not be followed is set aside as unresolved (its
hint then says what it was and where), never taken as a fact; a known one
keeps where it is written and how the reference led there. The first value
recorded for a fact wins, so a mapper puts its preferred source first.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from greengate.load import PathKey
from greengate.manifests.base import FactReader
from greengate.manifests.common import Resolved, finish, number
from greengate.records.deployment import Deployment, Fact, FactSource


def put(
    reader: FactReader,
    name: str,
    resolved: Resolved | None,
    value: Any = None,
    detail: str = "",
    source: FactSource = FactSource.DECLARED,
) -> None:
    """Record ``resolved`` as fact ``name`` (as ``value`` when given), or as unresolved."""
    if resolved is None or name in reader.facts:
        return
    if not resolved.known:
        reader.unresolved.setdefault(name, Fact(resolved.value, resolved.location))
        return
    shown = "; ".join(d for d in (detail, resolved.detail) if d)
    reader.facts[name] = Fact(
        resolved.value if value is None else value, resolved.location, source, shown
    )


def put_number(
    reader: FactReader,
    name: str,
    resolved: Resolved | None,
    detail: str = "",
    times: int = 1,
) -> None:
    """Record a count, ``times`` over (nodes per zone x zones); a known non-number is no count."""
    if resolved is None:
        return
    count = number(resolved.value) if resolved.known else None
    if resolved.known and count is None:
        return
    put(reader, name, resolved, None if count is None else count * times, detail)


def derived(reader: FactReader, name: str, value: Any, path: PathKey, detail: str) -> None:
    """Record a fact greengate infers from the block at ``path`` (the provider from the type)."""
    if name not in reader.facts:
        reader.facts[name] = Fact(value, reader.document.location(path), FactSource.DERIVED, detail)


def finish_deployment(
    reader: FactReader, name: str, kind: str, name_path: PathKey, hints: Mapping[str, str]
) -> Deployment:
    """The deployment read into ``reader``, with the hints for what it is missing."""
    deployment = reader.deployment(name=name, kind=kind, format="terraform", name_path=name_path)
    return finish(deployment, {**hints, **reader.hints})
