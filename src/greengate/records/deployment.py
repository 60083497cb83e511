"""The normalised deployment record every adapter produces and every policy reads.

A :class:`Deployment` is a set of :class:`Fact` values keyed by dotted field
names (``cloud.region``, ``hardware.accelerator``...). Each fact remembers
where it came from: the exact file position it was declared at, or, for a
fact derived from the catalog, the position of the fact it was derived from
(an accelerator resolved from ``instanceType`` points at the instanceType
line). Policies see the facts as one nested map, ``deployment``.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from greengate.records.location import Location


class FactSource(str, enum.Enum):
    """How a fact became known (shown by ``greengate explain``)."""

    DECLARED = "declared"
    ANNOTATION = "annotation"
    CONFIG_DEFAULT = "config-default"
    CATALOG = "catalog"
    NAME_PATTERN = "name-pattern"
    DERIVED = "derived"
    LINKED = "linked"
    """Read from another document that governs the workload (an HPA, a NodePool, a cluster)."""


@dataclass(frozen=True, slots=True)
class Fact:
    value: Any
    location: Location
    source: FactSource = FactSource.DECLARED
    detail: str = ""
    """Free text on how the value was found, e.g. ``catalog: g5.xlarge -> 1 x nvidia-a10g``."""


# Every field a policy can read, with where a native manifest declares it.
# The order is the order of `greengate explain`.
FIELDS: dict[str, str] = {
    "name": "metadata.name",
    "owner": "metadata.owner",
    "workload": "spec.workload",
    "task": "spec.task",
    "model.name": "spec.model.name",
    "model.parameters": "spec.model.parameters (or a spec.model.name the catalog knows)",
    "model.activeParameters": "spec.model.parameters (catalog, mixture-of-experts models)",
    "model.precision": "spec.model.precision",
    "cloud.provider": "spec.cloud.provider",
    "cloud.region": "spec.cloud.region",
    "cloud.gridIntensity": "spec.cloud.gridIntensity (else the catalog entry of spec.cloud.region)",
    "cloud.cfe": "the catalog entry of spec.cloud.region",
    "cloud.pue": "spec.cloud.pue (else the catalog entry of spec.cloud.provider)",
    "hardware.accelerator": "spec.hardware.accelerator",
    "hardware.vendor": "the catalog entry of spec.hardware.accelerator",
    "hardware.architecture": "the catalog entry of spec.hardware.accelerator",
    "hardware.generation": "the catalog entry of spec.hardware.accelerator",
    "hardware.launchYear": "the catalog entry of spec.hardware.accelerator",
    "hardware.tdpWatts": "the catalog entry of spec.hardware.accelerator",
    "hardware.idleWatts": "the catalog entry of spec.hardware.accelerator",
    "hardware.maxWatts": "the catalog entry of spec.hardware.accelerator",
    "hardware.averageWatts": "the catalog entry of spec.hardware.accelerator",
    "hardware.powerWatts": "spec.hardware.powerWatts",
    "hardware.count": "spec.hardware.count",
    "hardware.instanceType": "spec.hardware.instanceType",
    "hardware.vcpus": "spec.hardware.vcpus (else the catalog entry of spec.hardware.instanceType)",
    "hardware.memoryGB": "spec.hardware.memoryGB (else the catalog entry of spec.hardware.instanceType)",
    "replicas.min": "spec.replicas.min",
    "replicas.max": "spec.replicas.max",
    "rateLimits.requestsPerMinute": "spec.rateLimits.requestsPerMinute",
    "rateLimits.tokensPerMinute": "spec.rateLimits.tokensPerMinute",
    "rateLimits.concurrency": "spec.rateLimits.concurrency",
    "usage.utilisation": "spec.usage.utilisation",
    "usage.hoursPerDay": "spec.usage.hoursPerDay (or spec.usage.schedule.hoursPerDay)",
    "usage.daysPerWeek": "spec.usage.schedule.daysPerWeek",
    "training.acceleratorHours": "spec.training.acceleratorHours",
    "estimate.powerWatts": "derived from hardware, replicas and PUE",
    "estimate.gramsCO2ePerHour": "derived from estimate.powerWatts and the region's grid intensity",
    "estimate.hostWatts": "derived from hardware.vcpus, hardware.memoryGB and usage (per accelerator)",
    "estimate.hostKWhPerYearLow": "derived from estimate.hostWatts, replicas.min, usage and PUE",
    "estimate.hostKWhPerYearHigh": "derived from estimate.hostWatts, replicas.max, usage and PUE",
    "estimate.kWhPerYearLow": "derived from hardware, host, replicas.min, usage and PUE",
    "estimate.kWhPerYearHigh": "derived from hardware, host, replicas.max, usage and PUE",
    "estimate.tCO2ePerYearLow": "derived from estimate.kWhPerYearLow and cloud.gridIntensity",
    "estimate.tCO2ePerYearHigh": "derived from estimate.kWhPerYearHigh and cloud.gridIntensity",
    "estimate.trainingKWh": "derived from training.acceleratorHours, average W and PUE",
    "estimate.trainingTCO2e": "derived from estimate.trainingKWh and cloud.gridIntensity",
}

# `defaults` keys of .greengate.yaml -> deployment fields: the one table the config loader,
# the adapters' hints and the docs use.
DEFAULT_FIELDS: dict[str, str] = {
    "task": "task",
    "workload": "workload",
    "provider": "cloud.provider",
    "region": "cloud.region",
    "owner": "owner",
    "accelerator": "hardware.accelerator",
    "acceleratorCount": "hardware.count",
    "instanceType": "hardware.instanceType",
    "modelName": "model.name",
    "modelParameters": "model.parameters",
    "requestsPerMinute": "rateLimits.requestsPerMinute",
    "tokensPerMinute": "rateLimits.tokensPerMinute",
    "concurrency": "rateLimits.concurrency",
    "pue": "cloud.pue",
    "gridIntensity": "cloud.gridIntensity",
    "powerWatts": "hardware.powerWatts",
    "utilisation": "usage.utilisation",
    "hoursPerDay": "usage.hoursPerDay",
}

# Facts greengate derives (catalog, estimates): a user cannot declare them directly.
_CATALOG_LOOKUP = {
    "cloud.region": "greengate catalog region REGION",
    "cloud.provider": "greengate catalog pue PROVIDER",
    "hardware.accelerator": "greengate catalog accelerator NAME",
    "model.name": "greengate catalog model NAME",
}

# Derived facts that are missing are reported where the fact they derive from is.
DERIVED_FROM: dict[str, str] = {
    "cloud.gridIntensity": "cloud.region",
    "cloud.cfe": "cloud.region",
    "cloud.pue": "cloud.provider",
    "hardware.vendor": "hardware.accelerator",
    "hardware.architecture": "hardware.accelerator",
    "hardware.generation": "hardware.accelerator",
    "hardware.launchYear": "hardware.accelerator",
    "hardware.tdpWatts": "hardware.accelerator",
    "hardware.idleWatts": "hardware.accelerator",
    "hardware.maxWatts": "hardware.accelerator",
    "hardware.averageWatts": "hardware.accelerator",
    "model.parameters": "model.name",
    "model.activeParameters": "model.name",
    "estimate.powerWatts": "hardware.accelerator",
    "estimate.gramsCO2ePerHour": "cloud.region",
    "estimate.hostWatts": "hardware.instanceType",
    "estimate.hostKWhPerYearLow": "hardware.instanceType",
    "estimate.hostKWhPerYearHigh": "hardware.instanceType",
    "estimate.kWhPerYearLow": "hardware.accelerator",
    "estimate.kWhPerYearHigh": "hardware.accelerator",
    "estimate.tCO2ePerYearLow": "cloud.region",
    "estimate.tCO2ePerYearHigh": "cloud.region",
    "estimate.trainingKWh": "training.acceleratorHours",
    "estimate.trainingTCO2e": "cloud.region",
}


_DECLARABLE = frozenset({"model.parameters"})
"""Derived facts a manifest may also declare directly."""


@dataclass(frozen=True)
class Deployment:
    """One AI deployment found in a manifest, with its facts and their origins."""

    name: str
    kind: str
    """The manifest kind it was read from (``AIDeployment``, ``InferenceService``...)."""
    format: str
    """The adapter that read it (``native``, ``kubernetes``...)."""
    location: Location
    """Where the deployment starts (its name, or the document start)."""
    facts: Mapping[str, Fact] = field(default_factory=dict)
    anchors: Mapping[str, Location] = field(default_factory=dict)
    """Where a missing fact should be declared, by field prefix (``cloud`` -> ``spec.cloud:``)."""
    hints: Mapping[str, str] = field(default_factory=dict)
    """How to declare a missing fact in this deployment's format, by field."""
    labels: Mapping[str, str] = field(default_factory=dict)
    annotations: Mapping[str, str] = field(default_factory=dict)
    document: int = 0
    """Index of the YAML document within the file."""
    annotation_locations: Mapping[str, Location] = field(default_factory=dict)
    """Where each annotation key is written (inline waivers point there)."""
    unresolved: Mapping[str, Fact] = field(default_factory=dict)
    """Facts whose value is a placeholder (``var.region``, ``$MODEL_ID``, ``{{...}}``): unknown, never used."""
    path: str = ""
    """The manifest's path relative to the repository, set by the pipeline (fingerprints use it)."""
    notes: tuple[str, ...] = ()
    """What a reader should know about how the deployment was read (``greengate explain`` shows them)."""

    @property
    def file(self) -> str:
        return self.location.file

    def value(self, name: str, default: Any = None) -> Any:
        fact = self.facts.get(name)
        return default if fact is None else fact.value

    def with_facts(self, facts: Mapping[str, Fact]) -> Deployment:
        return replace(self, facts={**self.facts, **facts})

    def where(self, name: str) -> Location:
        """The location a finding about field ``name`` points at.

        The fact's own position when it is known; otherwise the closest
        mapping in which it should have been declared, never a default line 1.
        """
        fact = self.facts.get(name) or self.facts.get(DERIVED_FROM.get(name, ""))
        if fact is not None:
            return fact.location
        parts = name.split(".")
        while parts:
            anchor = self.anchors.get(".".join(parts))
            if anchor is not None:
                return anchor
            parts.pop()
        return self.anchors.get("", self.location)

    def root_cause(self, name: str) -> str:
        """The field to declare for a missing ``name``: itself, or what it is derived from.

        A field with its own hint is its own cause (an estimate that is missing because
        the chip has no published power says so, whatever else is missing).
        """
        base = DERIVED_FROM.get(name)
        if name in self.hints:
            return name
        if base is not None and name not in _DECLARABLE and base not in self.facts:
            return self.root_cause(base)
        return name

    def hint(self, name: str) -> str:
        """One clause telling the user how to supply the missing field ``name``."""
        if name in self.hints:
            return self.hints[name]
        placeholder = self.unresolved.get(name)
        if placeholder is not None:
            return f"its value {placeholder.value!r} at line {placeholder.location.line} is a placeholder greengate cannot resolve; {self._declare(name)}"
        return self._declare(name)

    def _declare(self, name: str) -> str:
        base = DERIVED_FROM.get(name)
        if base is not None and name not in _DECLARABLE:
            fact = self.facts.get(base)
            if fact is None:
                return self.hint(base)
            lookup = _CATALOG_LOOKUP.get(base, "greengate catalog --help")
            if name == "model.activeParameters":
                return "the catalog lists active parameters only for mixture-of-experts models"
            if name == "cloud.cfe":
                return f"the catalog has no carbon-free-energy share for region '{fact.value}'; add one in a catalog extension file (--catalog)"
            return f"greengate's catalog does not know {base} '{fact.value}'; use a name it knows ({lookup}) or add it in a catalog extension file (--catalog)"
        where = FIELDS.get(name)
        return f"declare {where}" if where else f"declare {name}"

    def as_cel_input(self) -> dict[str, Any]:
        """The nested plain map policies see as ``deployment``."""
        root: dict[str, Any] = {
            "kind": self.kind,
            "format": self.format,
            "file": self.file,
            "labels": dict(self.labels),
            "annotations": dict(self.annotations),
        }
        for name, fact in self.facts.items():
            if fact.value is None:
                continue
            node = root
            *parents, leaf = name.split(".")
            for part in parents:
                node = node.setdefault(part, {})
            node[leaf] = fact.value
        return root
