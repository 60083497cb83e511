"""Values read from a Kubernetes manifest, where they are written, and how they become facts.

A :class:`Found` is a value with its location and how it was found; the
readers of :mod:`greengate.manifests.kube` return them, :func:`pick` chooses
among several sources of one fact, and :func:`put` records the choice. A
value that still holds a variable (``$(VAR)``, ``${VAR}``, ``$VAR``) is a
placeholder: :func:`unresolved` says so, and :func:`put` sets it aside as
unresolved instead of using it. Counts are read by :func:`whole_number`, and
a per-pod count becomes a per-replica one by :func:`multiplied`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from greengate.manifests.base import FactReader, is_placeholder
from greengate.records.deployment import Fact, FactSource
from greengate.records.location import Location

_ANY_VAR = re.compile(r"\$(?:\(|\{)?[A-Za-z_]")


def unresolved(value: Any) -> bool:
    """A placeholder, or text that still holds a variable (``s3://$BUCKET/x``)."""
    return is_placeholder(value) or (isinstance(value, str) and bool(_ANY_VAR.search(value)))


def whole_number(value: Any) -> int | None:
    """``3``, ``"3"``, ``" 3 "``, ``3.0`` -> 3; anything else (``"3.5"``, ``True``, ``"x"``) -> None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"[+-]?\d+", text):
            return int(text)
    return None


@dataclass(frozen=True)
class Found:
    """A value read from the manifest, where it is written, and how it was found."""

    value: Any
    location: Location
    detail: str = ""
    source: FactSource = FactSource.DECLARED

    def described(self, detail: str) -> Found:
        return Found(self.value, self.location, detail, self.source)


def put(reader: FactReader, name: str, found: Found | None) -> None:
    """Record ``found`` as fact ``name`` unless the fact is known (placeholders go to unresolved)."""
    if found is None or found.value is None or name in reader.facts:
        return
    fact = Fact(found.value, found.location, found.source, found.detail)
    if unresolved(found.value):
        reader.unresolved.setdefault(name, fact)
        return
    reader.facts[name] = fact


def pick(candidates: Iterable[Found], what: str = "") -> Found | None:
    """The first candidate that is not a placeholder, naming the other values in its detail."""
    found = [c for c in candidates if c.value is not None and c.value != ""]
    if not found:
        return None
    chosen = next((c for c in found if not unresolved(c.value)), found[0])
    others: list[str] = []
    seen = {str(chosen.value)}
    short = str(chosen.value).rstrip("/").rsplit("/", 1)[-1].lower()
    for candidate in found:
        text = str(candidate.value)
        if text in seen or unresolved(candidate.value) or text.lower() == short:
            continue
        seen.add(text)
        others.append(f"{candidate.detail or what} says '{text}' (line {candidate.location.line})")
    if not others:
        return chosen
    note = "; also " + "; ".join(others)
    return chosen.described(f"{chosen.detail}{note}")


def multiplied(found: Found | None, factor: int, detail: str) -> Found | None:
    """``found`` (a per-pod count) times ``factor``, described; placeholders pass through."""
    if found is None or factor == 1 or not isinstance(found.value, int):
        return found
    return Found(
        found.value * factor,
        found.location,
        f"{found.detail}: {found.value} x {detail}",
        FactSource.DERIVED,
    )
