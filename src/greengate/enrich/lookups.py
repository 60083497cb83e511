"""Add what the catalog knows to a deployment's declared facts.

Derived facts point at the fact they were derived from: an accelerator found
through the instance type points at the ``instanceType`` line, a grid
intensity at the ``region`` line, a parameter count at the model name. A
declared fact is never overwritten; a catalog match only makes it canonical
(``A100`` -> ``nvidia-a100``) and says so in the fact's detail.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from typing import Any

from greengate.catalog import Catalog
from greengate.enrich import energy
from greengate.records.deployment import Deployment, Fact, FactSource

KNOWN_PROVIDERS = ("aws", "gcp", "azure")

POWER_FACTS = (
    "hardware.tdpWatts",
    "estimate.powerWatts",
    "estimate.gramsCO2ePerHour",
    "estimate.kWhPerYearLow",
    "estimate.kWhPerYearHigh",
    "estimate.tCO2ePerYearLow",
    "estimate.tCO2ePerYearHigh",
    "estimate.trainingKWh",
    "estimate.trainingTCO2e",
)
"""Facts a power figure is needed for: when none is known, their hint says how to declare one."""


def enrich(deployment: Deployment, catalog: Catalog) -> Deployment:
    facts = dict(deployment.facts)
    _instance_type(facts, catalog)
    no_power = _accelerator(facts, catalog)
    _model(facts, catalog)
    _region(facts, catalog)
    _estimate(facts)
    energy.estimate(facts)
    enriched = deployment.with_facts(facts)
    if no_power is None:
        return enriched
    # Nothing passes by omission: a chip with no published power gets no estimate, and
    # every finding about a missing estimate says which figure to declare.
    hint = (
        f"{no_power}; {deployment.hint('hardware.powerWatts')} (measured average W per accelerator)"
    )
    hints = {name: hint for name in POWER_FACTS if name not in facts}
    return replace(enriched, hints={**deployment.hints, **hints})


def _put(
    facts: dict[str, Fact],
    name: str,
    value: Any,
    origin: Fact,
    detail: str,
    source: FactSource = FactSource.CATALOG,
) -> None:
    if name not in facts and value is not None:
        facts[name] = Fact(value, origin.location, source, detail)


def _provider(facts: dict[str, Fact]) -> str | None:
    provider = facts.get("cloud.provider")
    value = str(provider.value).lower() if provider is not None else None
    return value if value in KNOWN_PROVIDERS else None


def _instance_type(facts: dict[str, Fact], catalog: Catalog) -> None:
    origin = facts.get("hardware.instanceType")
    if origin is None or not isinstance(origin.value, str):
        return
    entry = catalog.instance_type(origin.value, _provider(facts))
    if entry is None:
        return
    count = int(entry.count) if float(entry.count).is_integer() else entry.count
    detail = (
        f"instance type {origin.value} has {_share(entry.count)} x {entry.accelerator}"
        f" ({entry.source})"
    )
    declared = _number(facts, "hardware.count")
    _put(facts, "hardware.accelerator", entry.accelerator, origin, detail)
    _put(facts, "hardware.count", count, origin, detail)
    _host(facts, entry.vcpus, entry.memory_gb, entry.count, declared, origin)
    _put(
        facts,
        "cloud.provider",
        entry.provider,
        origin,
        f"instance type {origin.value} is an {entry.provider} type",
    )


def _share(count: float) -> str:
    """Accelerators per instance as the catalog writes them: 8, or 1/6 of one GPU."""
    if float(count).is_integer():
        return str(int(count))
    return str(Fraction(count).limit_denominator(1000))


def _host(
    facts: dict[str, Fact],
    vcpus: int | None,
    memory: float | None,
    per_instance: float,
    declared: float | None,
    origin: Fact,
) -> None:
    """The instance's vCPUs and memory, or the share of them serving the declared accelerators."""
    if vcpus is None and memory is None:
        return
    share = 1.0 if declared is None or declared == per_instance else declared / per_instance
    has = " and ".join(
        text
        for text in (
            f"{vcpus} vCPUs" if vcpus is not None else "",
            f"{memory:g} GB memory" if memory is not None else "",
        )
        if text
    )
    detail = f"instance type {origin.value} has {has} for {_share(per_instance)} accelerators"
    if share != 1.0:
        detail += f"; {declared:g} accelerators declared, so their share {share:g}"
    if vcpus is not None:
        _put(facts, "hardware.vcpus", _whole(vcpus * share), origin, detail)
    if memory is not None:
        _put(facts, "hardware.memoryGB", _whole(memory * share), origin, detail)


def _whole(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def _accelerator(facts: dict[str, Fact], catalog: Catalog) -> str | None:
    """Add the accelerator's catalog facts; return why no power figure is known, if none is."""
    origin = facts.get("hardware.accelerator")
    if origin is None or not isinstance(origin.value, str):
        return None
    entry = catalog.accelerator(origin.value)
    if entry is None:
        return None
    if entry.id != origin.value:
        note = f"'{origin.value}' is {entry.id} in the catalog"
        detail = f"{origin.detail}; {note}" if origin.detail else note
        facts["hardware.accelerator"] = Fact(entry.id, origin.location, origin.source, detail)
    detail = f"catalog: {entry.id} ({entry.source})"
    _put(facts, "hardware.vendor", entry.vendor, origin, detail)
    _put(facts, "hardware.architecture", entry.architecture, origin, detail)
    _put(facts, "hardware.generation", entry.generation, origin, detail)
    _put(facts, "hardware.launchYear", entry.launch_year, origin, detail)
    _put(facts, "hardware.tdpWatts", entry.tdp_watts, origin, detail)
    power = f"catalog: {entry.id} ({entry.power_source})"
    _put(facts, "hardware.idleWatts", entry.idle_watts, origin, power)
    _put(facts, "hardware.maxWatts", entry.max_watts, origin, power)
    _put(facts, "hardware.averageWatts", entry.average_watts, origin, power)
    figures = (entry.tdp_watts, entry.idle_watts, entry.max_watts, entry.average_watts)
    if entry.id == "cpu" or "hardware.powerWatts" in facts or any(v is not None for v in figures):
        return None
    stated = entry.power_source.split(";")[0].strip()
    why = stated.removeprefix("no power figure:").strip() or "the catalog entry gives none"
    return f"no power figure for {entry.id} ({why})"


def _model(facts: dict[str, Fact], catalog: Catalog) -> None:
    origin = facts.get("model.name")
    if origin is None or not isinstance(origin.value, str):
        return
    match = catalog.model(origin.value)
    if match is None:
        return
    if match.via == "catalog" and match.entry is not None:
        detail = (
            f"catalog: {match.entry.id} has {match.parameters:,} parameters ({match.entry.source})"
        )
        _put(facts, "model.parameters", match.parameters, origin, detail)
        _put(facts, "model.activeParameters", match.entry.active_parameters, origin, detail)
    else:
        detail = f"size '{match.matched}' in the model name"
        if match.parameters is None:
            detail += " (the active parameters of a mixture of experts, not its total)"
        _put(facts, "model.parameters", match.parameters, origin, detail, FactSource.NAME_PATTERN)
        _put(
            facts,
            "model.activeParameters",
            match.active_parameters,
            origin,
            detail,
            FactSource.NAME_PATTERN,
        )


_MANIFEST_SOURCES = (FactSource.DECLARED, FactSource.ANNOTATION)
"""Facts the checked manifest itself states (not the base's config or the catalog)."""


def _region(facts: dict[str, Fact], catalog: Catalog) -> None:
    origin = facts.get("cloud.region")
    if origin is not None and isinstance(origin.value, str):
        region = catalog.region(origin.value, _provider(facts))
        if region is not None:
            basis = f", {region.basis}" if region.basis else ""
            detail = f"catalog: {region.provider} {region.region}, {region.year}{basis} ({region.source})"
            if region.other_intensity is not None:
                # A second published figure on another basis: shown, never judged.
                detail += (
                    f"; other figure: {region.other_intensity:g} gCO2e/kWh"
                    f" {region.other_basis or ''}, {region.other_year} ({region.other_source})"
                )
            _put(
                facts,
                "cloud.provider",
                region.provider,
                origin,
                f"region {origin.value} is a {region.provider} region",
            )
            stated = facts.get("cloud.gridIntensity")
            if stated is not None and stated.source in _MANIFEST_SOURCES:
                # A manifest does not replace the published figure of a region the catalog
                # knows (it would judge itself); the figure it states is kept in the detail.
                del facts["cloud.gridIntensity"]
                detail += (
                    f"; the manifest states {stated.value!r} at line {stated.location.line},"
                    " which is not used for a region the catalog knows"
                )
            _put(facts, "cloud.gridIntensity", float(region.grid_intensity), origin, detail)
            _put(facts, "cloud.cfe", region.cfe, origin, detail)
        else:
            _put(
                facts,
                "cloud.provider",
                catalog.provider_of_region(origin.value),
                origin,
                f"region {origin.value} is named like this provider's regions",
            )
    provider = facts.get("cloud.provider")
    if provider is not None and isinstance(provider.value, str):
        pue = catalog.pue(provider.value.lower())
        if pue is not None:
            _put(
                facts,
                "cloud.pue",
                pue.pue,
                provider,
                f"catalog: {pue.provider} PUE {pue.pue}, {pue.year} ({pue.source})",
            )


def _number(facts: dict[str, Fact], name: str) -> float | None:
    fact = facts.get(name)
    if fact is None or isinstance(fact.value, bool) or not isinstance(fact.value, int | float):
        return None
    return float(fact.value)


def _estimate(facts: dict[str, Fact]) -> None:
    """Power at the configured maximum scale, and the emissions it implies.

    A planning figure, not a measurement: accelerators at their declared
    average power (``hardware.powerWatts``), else at TDP, times the data
    centre's PUE; CPUs, memory and idle time are left out.
    """
    declared = _number(facts, "hardware.powerWatts")
    tdp = declared if declared is not None else _number(facts, "hardware.tdpWatts")
    count = _number(facts, "hardware.count")
    origin = facts.get("hardware.accelerator")
    if tdp is None or count is None or origin is None:
        return
    what = "declared average power" if declared is not None else "TDP"
    replicas = _number(facts, "replicas.max")
    if replicas is None:
        replicas = _number(facts, "replicas.min")
    if replicas is None:
        replicas = 1.0  # no replica count declared; 0 replicas count as 0
    pue = _number(facts, "cloud.pue") or 1.0
    watts = round(tdp * count * replicas * pue, 1)
    detail = f"{tdp:g} W {what} x {count:g} accelerators x {replicas:g} replicas x PUE {pue:g}"
    _put(facts, "estimate.powerWatts", watts, origin, detail, FactSource.DERIVED)
    intensity = _number(facts, "cloud.gridIntensity")
    if intensity is not None:
        grams = round(watts / 1000.0 * intensity, 1)
        _put(
            facts,
            "estimate.gramsCO2ePerHour",
            grams,
            origin,
            f"{watts:g} W x {intensity:g} gCO2e/kWh",
            FactSource.DERIVED,
        )
