"""The catalog: shipped tables plus user extensions, indexed once for fast lookups.

:class:`Catalog` merges layers of rows (the shipped tables first, then each
user file; a later entry overrides an earlier one with the same key) and
builds one index per lookup, keyed by the normalised names of
:mod:`~greengate.catalog.names` that each query is normalised with too.
Rows come from :mod:`~greengate.catalog.readers` and become entries in
:mod:`~greengate.catalog.rows`.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

from greengate.catalog.fields import error
from greengate.catalog.model import (
    Accelerator,
    Architecture,
    InstanceType,
    ModelInfo,
    ModelMatch,
    Pue,
    Region,
)
from greengate.catalog.names import (
    accelerator_fallback_keys,
    accelerator_key,
    accelerator_key_without_topology,
    active_count_in_name,
    architecture_key,
    instance_key,
    model_key,
    model_reference_segments,
    parameter_count_in_name,
    provider_of_region_id,
    region_key,
    region_of_zone,
    vendor_key,
)
from greengate.catalog.readers import builtin_rows, extension_rows
from greengate.catalog.rows import Entry, Row, build, entry_key
from greengate.records.units import normalise_provider

__all__ = ["Catalog", "normalise_provider"]

T = TypeVar("T")

MAX_REMEMBERED = 50_000
"""Answers one catalog keeps; a run naming more distinct things looks the rest up each time."""


class Catalog:
    """Reference data with indexed lookups. Build with :meth:`builtin` or :meth:`load`."""

    def __init__(self, layers: Sequence[Sequence[Row]]) -> None:
        # A catalog never changes once built, and a run asks it about the same few
        # regions, accelerators and models thousands of times: each answer is kept.
        self._answers: dict[tuple[str | None, ...], object] = {}
        merged: dict[tuple[str, ...], tuple[Entry, Row, int]] = {}
        for layer_number, layer in enumerate(layers):
            for row in layer:
                entry = build(row, builtin=layer_number == 0)
                key = entry_key(entry)
                merged.pop(key, None)  # an override moves to the end: later layers win ties
                merged[key] = (entry, row, layer_number)

        def entries(cls: type[T]) -> list[tuple[T, Row]]:
            return [(e, row) for e, row, _ in merged.values() if isinstance(e, cls)]

        self._accelerators = tuple(e for e, _ in entries(Accelerator))
        self._accelerator_index: dict[str, Accelerator] = {}
        for acc in self._accelerators:
            for name in (acc.id, *acc.aliases):
                self._accelerator_index[accelerator_key(name)] = acc
        # Entries that are SXM modules (an alias says so): a PCIe name never resolves to one.
        self._sxm_parts = {
            acc.id for acc in self._accelerators if any("sxm" in n.lower() for n in acc.aliases)
        }

        instance_types = []
        for it, row in entries(InstanceType):
            attached = self.accelerator(it.accelerator)
            if attached is None:
                raise error(
                    row.where("accelerator"),
                    f"instance type {it.instance_type} names unknown accelerator '{it.accelerator}'",
                    "add it under accelerators or use a catalog accelerator id",
                )
            instance_types.append(replace(it, accelerator=attached.id))
        self._instance_types = tuple(instance_types)
        self._instance_index = {
            (it.provider, instance_key(it.provider, it.instance_type)): it
            for it in self._instance_types
        }

        self._regions = tuple(e for e, _ in entries(Region))
        self._region_index = {
            (r.provider, region_key(r.provider, r.region)): r for r in self._regions
        }
        self._providers = tuple(dict.fromkeys(r.provider for r in self._regions))
        self._instance_providers = tuple(dict.fromkeys(it.provider for it in self._instance_types))

        self._architectures = tuple(e for e, _ in entries(Architecture))
        self._architecture_index = {(a.vendor, a.architecture): a for a in self._architectures}
        self._pues = {p.provider: p for p, _ in entries(Pue)}

        models = [(e, n) for e, _, n in merged.values() if isinstance(e, ModelInfo)]
        self._models = tuple(e for e, _ in models)
        self._model_index: dict[str, ModelInfo] = {}
        # Last path segment -> model, so "gs://bucket/gemma-2b" finds "google/gemma-2b".
        # Two models of one layer sharing a segment but not a size make it ambiguous
        # (None); a later layer's model replaces an earlier layer's.
        self._model_tails: dict[str, ModelInfo | None] = {}
        tail_layer: dict[str, int] = {}
        for model, layer_number in models:
            for name in (model.id, *model.aliases):
                self._model_index[model_key(name)] = model
                tail = model_key(name.rsplit("/", 1)[-1])
                known = self._model_tails.get(tail, model)
                same_size = known is not None and known.parameters == model.parameters
                newer = tail_layer.get(tail, layer_number) < layer_number
                self._model_tails[tail] = model if same_size or newer else None
                tail_layer[tail] = layer_number

    def _remembered(self, question: tuple[str | None, ...], answer: Callable[[], T]) -> T:
        try:
            return self._answers[question]  # type: ignore[return-value]
        except KeyError:
            pass
        except TypeError:  # a name that is not text: asked, never kept
            return answer()
        found = answer()
        if len(self._answers) < MAX_REMEMBERED:
            self._answers[question] = found
        return found

    # -- construction --

    @classmethod
    def builtin(cls) -> Catalog:
        """The shipped catalog, loaded on first use and cached."""
        return _builtin_catalog()

    @classmethod
    def load(cls, extensions: Sequence[Path] = ()) -> Catalog:
        """The shipped catalog plus user files (YAML or CSV); later files override earlier rows."""
        if not extensions:
            return cls.builtin()
        return cls([builtin_rows(), *(extension_rows(Path(p)) for p in extensions)])

    # -- lookups --

    def region(self, region: str, provider: str | None = None) -> Region | None:
        """A region by id (case-insensitive, Azure display names, zones); None if unknown or ambiguous."""
        return self._remembered(
            ("region", region, provider), lambda: self._region(region, provider)
        )

    def _region(self, region: str, provider: str | None = None) -> Region | None:
        providers = (normalise_provider(provider),) if provider else self._providers
        found = self._regions_matching(region, providers)
        if not found:
            zone_region = region_of_zone(region)
            if zone_region:
                found = self._regions_matching(zone_region, providers)
        return found[0] if len(found) == 1 else None

    def _regions_matching(self, region: str, providers: Sequence[str]) -> list[Region]:
        found = (self._region_index.get((p, region_key(p, region))) for p in providers)
        return [r for r in found if r is not None]

    def provider_of_region(self, region: str) -> str | None:
        """The provider a region id belongs to, when only one fits."""
        found = self.region(region)
        if found is not None:
            return found.provider
        return provider_of_region_id(region)

    def accelerator(self, name: str) -> Accelerator | None:
        """An accelerator by id or alias, ignoring case and variant suffixes (a PCIe part is its own)."""
        return self._remembered(("accelerator", name), lambda: self._accelerator(name))

    def _accelerator(self, name: str) -> Accelerator | None:
        key = accelerator_key(name)
        found = self._accelerator_index.get(key)
        fallbacks = accelerator_fallback_keys(key)
        if found is None and fallbacks:
            # A PCIe name: the PCIe entry of another memory size, else the chip itself
            # unless that entry is an SXM module (T4, A10 and P100 are PCIe cards anyway).
            pcie, chip = fallbacks
            found = self._accelerator_index.get(pcie)
            if found is None:
                found = self._accelerator_index.get(chip)
                found = None if found is None or found.id in self._sxm_parts else found
        if found is None:
            # TPU accelerator types carry a chip count: v5litepod-8, tpu7x-8.
            shorter = accelerator_key_without_topology(name)
            candidate = self._accelerator_index.get(shorter) if shorter else None
            if candidate is not None and candidate.vendor == "google":
                found = candidate
        return found

    def instance_type(self, name: str, provider: str | None = None) -> InstanceType | None:
        """An instance type (AWS ``ml.`` prefix and Azure case/``Standard_`` are ignored)."""
        return self._remembered(
            ("instance_type", name, provider), lambda: self._instance_type(name, provider)
        )

    def _instance_type(self, name: str, provider: str | None = None) -> InstanceType | None:
        providers = (normalise_provider(provider),) if provider else self._instance_providers
        found = [
            it
            for p in providers
            if (it := self._instance_index.get((p, instance_key(p, name)))) is not None
        ]
        return found[0] if len(found) == 1 else None

    def model(self, name: str) -> ModelMatch | None:
        """Parameter count for a model reference: catalog first, then a size in the name."""
        return self._remembered(("model", name), lambda: self._model(name))

    def _model(self, name: str) -> ModelMatch | None:
        segments = model_reference_segments(name)
        if not segments:
            return None
        for candidate in dict.fromkeys(("/".join(segments), "/".join(segments[-2:]), segments[-1])):
            entry = self._model_index.get(model_key(candidate))
            if entry is not None:
                return ModelMatch(
                    entry.parameters, "catalog", entry, candidate, entry.active_parameters
                )
        entry = self._model_tails.get(model_key(segments[-1]))
        if entry is not None:
            return ModelMatch(
                entry.parameters, "catalog", entry, segments[-1], entry.active_parameters
            )
        for segment in reversed(segments):
            sized = parameter_count_in_name(segment)
            active = active_count_in_name(segment)
            if sized is None and active is None:
                continue
            matched = " and ".join(m[1] for m in (sized, active) if m is not None)
            return ModelMatch(
                sized[0] if sized else None,
                "name-pattern",
                None,
                matched,
                active_parameters=active[0] if active else None,
            )
        return None

    def pue(self, provider: str) -> Pue | None:
        """A provider's PUE, or the ``unknown`` default when the provider has none."""
        return self._pues.get(normalise_provider(provider)) or self._pues.get("unknown")

    def architecture_rank(self, vendor: str, architecture: str) -> int | None:
        """The generation rank of an architecture (or of an accelerator named instead)."""
        wanted_vendor = vendor_key(vendor)
        arch = self._architecture_index.get((wanted_vendor, architecture_key(architecture)))
        if arch is not None:
            return arch.generation
        acc = self.accelerator(architecture)
        return acc.generation if acc is not None and acc.vendor == wanted_vendor else None

    # -- iteration (CLI, docs) --

    def regions(self) -> tuple[Region, ...]:
        return self._regions

    def accelerators(self) -> tuple[Accelerator, ...]:
        return self._accelerators

    def architectures(self) -> tuple[Architecture, ...]:
        return self._architectures

    def instance_types(self) -> tuple[InstanceType, ...]:
        return self._instance_types

    def models(self) -> tuple[ModelInfo, ...]:
        return self._models

    def pues(self) -> tuple[Pue, ...]:
        return tuple(self._pues.values())

    def close_matches(self, kind: str, name: str, limit: int = 3) -> list[str]:
        """Names of this kind that look like ``name`` (for "did you mean" messages)."""
        names: list[str]
        if kind == "region":
            names = [r.region for r in self._regions]
        elif kind == "accelerator":
            names = [n for a in self._accelerators for n in (a.id, *a.aliases)]
        elif kind == "instance-type":
            names = [it.instance_type for it in self._instance_types]
        elif kind == "model":
            names = [n for m in self._models for n in (m.id, *m.aliases)]
        else:
            names = list(self._pues)
        by_lower = {n.lower(): n for n in names}
        query = name.strip().lower()
        return [by_lower[n] for n in difflib.get_close_matches(query, list(by_lower), limit, 0.6)]


@functools.cache
def _builtin_catalog() -> Catalog:
    return Catalog([builtin_rows()])
