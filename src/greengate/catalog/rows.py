"""A table row as read from a file, and the catalog entry it becomes.

Readers (:mod:`~greengate.catalog.readers`) produce :class:`Row` values with
the file lines of their fields; :func:`build` checks every field against the
rules of :mod:`~greengate.catalog.fields` and makes the frozen entry, and
:func:`entry_key` says which earlier entry a later one overrides.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from greengate.catalog.fields import FIELDS, FieldError, Kind, error, fix
from greengate.catalog.model import Accelerator, Architecture, InstanceType, ModelInfo, Pue, Region
from greengate.catalog.names import (
    accelerator_key,
    architecture_key,
    instance_key,
    model_key,
    region_key,
    vendor_key,
)
from greengate.records.units import normalise_provider

__all__ = ["Entry", "Row", "build", "entry_key"]

Entry = Region | Accelerator | Architecture | InstanceType | ModelInfo | Pue


@dataclass(frozen=True)
class Row:
    """One table row: its fields as read, and where they were read from."""

    kind: Kind
    values: Mapping[str, object]
    path: str
    line: int
    field_lines: Mapping[str, int] = field(default_factory=dict)

    def where(self, name: str | None = None) -> str:
        """``path:line`` of the row, or of field ``name`` where its own line is known."""
        return f"{self.path}:{self.field_lines.get(name or '', self.line)}"


def _parse(row: Row, *, builtin: bool) -> dict[str, Any]:
    parsed: dict[str, Any] = {}
    for spec in FIELDS[row.kind]:
        raw = row.values.get(spec.name)
        if isinstance(raw, str) and not raw.strip():
            raw = None
        if raw is None:
            if spec.required or (builtin and spec.name == "source"):
                raise error(
                    row.where(),
                    f"{row.kind} entry is missing '{spec.name}'",
                    fix(row.kind, spec.name),
                )
            parsed[spec.name] = None
            continue
        try:
            parsed[spec.name] = spec.parse(raw)
        except FieldError as exc:
            raise error(
                row.where(spec.name), f"'{spec.name}' {exc}", fix(row.kind, spec.name)
            ) from None
    if parsed.get("source") is None:
        parsed["source"] = f"user catalog {row.where()}"
    return parsed


def build(row: Row, *, builtin: bool) -> Entry:
    """The entry a row describes; ``builtin`` rows (shipped data) must name their source."""
    v = _parse(row, builtin=builtin)
    if row.kind == "regions":
        provider = normalise_provider(v["provider"])
        return Region(
            provider=provider,
            # The big three have canonical lower-case ids; other providers keep their spelling.
            region=region_key(provider, v["region"])
            if provider in ("aws", "gcp", "azure")
            else v["region"],
            location=v["location"] or "",
            grid_intensity=v["grid_gco2e_per_kwh"],
            cfe=v["cfe"],
            year=v["year"],
            source=v["source"],
            basis=v["basis"],
            other_intensity=v["other_gco2e_per_kwh"],
            other_basis=v["other_basis"],
            other_year=v["other_year"],
            other_source=v["other_source"],
            continent=v.get("continent") or "",
        )
    if row.kind == "accelerators":
        return Accelerator(
            id=v["id"].lower(),
            aliases=v["aliases"] or (),
            vendor=vendor_key(v["vendor"]),
            architecture=architecture_key(v["architecture"]),
            generation=v["generation"],
            launch_year=v["launch_year"],
            tdp_watts=v["tdp_watts"],
            memory_gb=v["memory_gb"],
            source=v["source"],
            idle_watts=v.get("idle_watts"),
            max_watts=v.get("max_watts"),
            average_watts=v.get("average_watts"),
            power_source=v.get("power_source") or "",
            fp16_tflops=v.get("fp16_tflops"),
        )
    if row.kind == "architectures":
        return Architecture(
            vendor=vendor_key(v["vendor"]),
            architecture=architecture_key(v["architecture"]),
            generation=v["generation"],
            first_year=v["first_year"],
            source=v["source"],
        )
    if row.kind == "instance_types":
        return InstanceType(
            provider=normalise_provider(v["provider"]),
            instance_type=v["instance_type"],
            accelerator=v["accelerator"],
            count=v["count"],
            source=v["source"],
            vcpus=v.get("vcpus"),
            memory_gb=v.get("memory_gb"),
        )
    if row.kind == "models":
        active = v["active_parameters"]
        if active is not None and active > v["parameters"]:
            raise error(
                row.where("active_parameters"),
                f"active_parameters ({active}) exceed parameters ({v['parameters']})",
                "give the total count in parameters and the per-token count in active_parameters",
            )
        return ModelInfo(
            id=v["id"],
            aliases=v["aliases"] or (),
            parameters=v["parameters"],
            active_parameters=active,
            source=v["source"],
        )
    return Pue(
        provider=normalise_provider(v["provider"]), pue=v["pue"], year=v["year"], source=v["source"]
    )


def entry_key(entry: Entry) -> tuple[str, ...]:
    """The identity a later layer overrides."""
    if isinstance(entry, Region):
        return ("regions", entry.provider, region_key(entry.provider, entry.region))
    if isinstance(entry, Accelerator):
        return ("accelerators", accelerator_key(entry.id))
    if isinstance(entry, Architecture):
        return ("architectures", entry.vendor, entry.architecture)
    if isinstance(entry, InstanceType):
        return (
            "instance_types",
            entry.provider,
            instance_key(entry.provider, entry.instance_type),
        )
    if isinstance(entry, ModelInfo):
        return ("models", model_key(entry.id))
    assert isinstance(entry, Pue)
    return ("pue", entry.provider)
