"""The audit as a Green Software Foundation Impact Framework manifest, for ``if-run``.

Every deployment greengate could estimate is a component
(``tree.children.<safe name>``) with one observation: a year of operation
(``duration`` 31,536,000 s) with the factors greengate multiplied
(``AuditRow.inputs``): watts per accelerator, host watts, accelerators,
replicas, PUE, the share of the year it runs, the grid intensity, and for
training the accelerator-hours. A pipeline of the Impact Framework's builtin
plugins (Sum, Copy, Multiply, Divide) recomputes greengate's own figures from
them, so ``if-run`` reproduces ``energy`` (kWh) and ``carbon`` (gCO2e) per
component and aggregates them over the tree.

A deployment without an emissions estimate (no accelerator or power figure
known, or no grid intensity for its region) gets no component, since IF
aggregates a metric only when every component has it, and no invented
inputs: it is listed under ``tree.not-estimated`` with why and what greengate
does know. docs/audit-formats.md gives
the mapping; the test runs the real ``if-run`` on this output.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import yaml

from greengate.records.audit import AuditReport, AuditRow
from greengate.records.text import printable

YEAR_SECONDS = 365 * 24 * 3600
"""The observation's ``duration``: one year of 365 days, as greengate's yearly estimates count it."""
HOURS_PER_YEAR = 365 * 24
JOULES_PER_KWH = 3_600_000
NOMINAL_START = "1970-01-01T00:00:00Z"
"""The observation's ``timestamp``: the estimates are a yearly rate of the configuration as
audited, not a measured period, so the start is nominal (IF requires one)."""
MAX_NAME = 60

_ENERGY = {"unit": "kWh", "aggregation-method": {"time": "sum", "component": "sum"}}
_CARBON = {"unit": "gCO2e", "aggregation-method": {"time": "sum", "component": "sum"}}
_FACTOR = {"aggregation-method": {"time": "avg", "component": "none"}}


def _meta(base: Mapping[str, Any], unit: str | None, description: str) -> dict[str, Any]:
    entry = {**base, "description": description}
    if unit is not None:
        entry["unit"] = unit
    return entry


_INPUTS: dict[str, dict[str, Any]] = {
    "accelerator/power": _meta(
        _FACTOR,
        "W",
        "W per accelerator of greengate's yearly estimate: the declared hardware.powerWatts,"
        " else idle + u x (max - idle) from the catalog (Cloud Carbon Footprint's method, 2022;"
        " u = usage.utilisation, else 0.5), else the TDP; the component's sources give the"
        " figure's source and year",
    ),
    "host/power": _meta(
        _FACTOR,
        "W",
        "W of the instance's host (CPUs, memory) per accelerator, as greengate's estimate.hostWatts"
        " counts it (Cloud Carbon Footprint's host method); absent when greengate did not count it",
    ),
    "accelerators": _meta(_FACTOR, "count", "accelerators per replica (hardware.count)"),
    "replicas/min": _meta(_FACTOR, "count", "the lowest replica count (replicas.min)"),
    "replicas/max": _meta(_FACTOR, "count", "the highest replica count (replicas.max)"),
    "pue": _meta(
        _FACTOR,
        "ratio",
        "the data centre's power usage effectiveness (greengate catalog, provider-published,"
        " with its year in the component's sources; 1 when none is known)",
    ),
    "usage/share-of-year": _meta(
        _FACTOR,
        "ratio",
        "hours per year the deployment runs / 8,760 (usage.hoursPerDay and"
        " usage.schedule.daysPerWeek; 1 when no usage hours are declared)",
    ),
    "grid/carbon-intensity": _meta(
        _FACTOR,
        "gCO2e/kWh",
        "the region's grid intensity (greengate catalog; the component's sources give the"
        " dataset and year)",
    ),
    "training/power": _meta(
        _FACTOR,
        "W",
        "average W per accelerator of the training estimate (Patterson et al. 2021): the declared"
        " hardware.powerWatts, else the catalog's measured average, else the TDP",
    ),
    "training/accelerator-hours": _meta(
        {"aggregation-method": {"time": "sum", "component": "sum"}},
        "h",
        "accelerator-hours of the training run (training.acceleratorHours)",
    ),
}

_OUTPUTS: dict[str, dict[str, Any]] = {
    "power/per-accelerator": _meta(
        _FACTOR, "W", "accelerator/power plus host/power when greengate counts the host"
    ),
    "energy/yearly-high-joules": _meta(_ENERGY, "J", "yearly energy at replicas/max, in joules"),
    "energy/yearly-low-joules": _meta(_ENERGY, "J", "yearly energy at replicas/min, in joules"),
    "energy/yearly-high": _meta(_ENERGY, None, "greengate's estimate.kWhPerYearHigh"),
    "energy/yearly-low": _meta(_ENERGY, None, "greengate's estimate.kWhPerYearLow"),
    "carbon/yearly-high": _meta(_CARBON, None, "greengate's estimate.tCO2ePerYearHigh, in grams"),
    "carbon/yearly-low": _meta(_CARBON, None, "greengate's estimate.tCO2ePerYearLow, in grams"),
    "energy/training-wh": _meta(_ENERGY, "Wh", "training energy, in watt-hours"),
    "energy/training": _meta(_ENERGY, None, "greengate's estimate.trainingKWh"),
    "carbon/training": _meta(_CARBON, None, "greengate's estimate.trainingTCO2e, in grams"),
    "energy": _meta(
        _ENERGY,
        None,
        "energy/yearly-high plus energy/training: a year at the high bound and the training run",
    ),
    "carbon": _meta(
        _CARBON,
        None,
        "carbon/yearly-high plus carbon/training: a year at the high bound and the training run",
    ),
}


def _plugin(
    method: str, config: Mapping[str, Any], inputs: Sequence[str], output: str
) -> dict[str, Any]:
    return {
        "method": method,
        "path": "builtin",
        "config": dict(config),
        "parameter-metadata": {
            "inputs": {name: _INPUTS.get(name) or _OUTPUTS[name] for name in inputs},
            "outputs": {output: _OUTPUTS[output]},
        },
    }


def _multiply(inputs: Sequence[str], output: str) -> dict[str, Any]:
    factors = [name for name in inputs if name != "duration"]
    return _plugin(
        "Multiply", {"input-parameters": list(inputs), "output-parameter": output}, factors, output
    )


def _divide(numerator: str, denominator: int, output: str) -> dict[str, Any]:
    config = {"numerator": numerator, "denominator": denominator, "output": output}
    return _plugin("Divide", config, [numerator], output)


def _sum(inputs: Sequence[str], output: str) -> dict[str, Any]:
    return _plugin(
        "Sum", {"input-parameters": list(inputs), "output-parameter": output}, inputs, output
    )


def _yearly(bound: str) -> dict[str, dict[str, Any]]:
    factors = [
        "power/per-accelerator",
        "accelerators",
        f"replicas/{'max' if bound == 'high' else 'min'}",
    ]
    return {
        f"yearly-joules-{bound}": _multiply(
            [*factors, "pue", "usage/share-of-year", "duration"], f"energy/yearly-{bound}-joules"
        ),
        f"yearly-energy-{bound}": _divide(
            f"energy/yearly-{bound}-joules", JOULES_PER_KWH, f"energy/yearly-{bound}"
        ),
        f"yearly-carbon-{bound}": _multiply(
            [f"energy/yearly-{bound}", "grid/carbon-intensity"], f"carbon/yearly-{bound}"
        ),
    }


PLUGINS: dict[str, dict[str, Any]] = {
    "power-with-host": _sum(["accelerator/power", "host/power"], "power/per-accelerator"),
    "power-without-host": {
        "method": "Copy",
        "path": "builtin",
        "config": {
            "from": "accelerator/power",
            "to": "power/per-accelerator",
            "keep-existing": True,
        },
        "parameter-metadata": {
            "inputs": {"accelerator/power": _INPUTS["accelerator/power"]},
            "outputs": {"power/per-accelerator": _OUTPUTS["power/per-accelerator"]},
        },
    },
    **_yearly("high"),
    **_yearly("low"),
    "training-watt-hours": _multiply(
        ["training/power", "training/accelerator-hours", "pue"], "energy/training-wh"
    ),
    "training-energy": _divide("energy/training-wh", 1000, "energy/training"),
    "training-carbon": _multiply(["energy/training", "grid/carbon-intensity"], "carbon/training"),
    **{
        f"{metric}-of-{which}": _sum([f"{metric}/{part}" for part in parts], metric)
        for metric in ("energy", "carbon")
        for which, parts in (
            ("yearly", ("yearly-high",)),
            ("training", ("training",)),
            ("both", ("yearly-high", "training")),
        )
    },
}
"""Every plugin a component's pipeline may use; the manifest declares the ones it uses."""


def render(report: AuditReport) -> str:
    return yaml.safe_dump(manifest(report), sort_keys=True, width=float("inf"))


def manifest(report: AuditReport) -> dict[str, Any]:
    """The manifest as plain data (what :func:`render` dumps)."""
    children: dict[str, dict[str, Any]] = {}
    missing: list[dict[str, str]] = []
    used: set[str] = set()
    names = _names(report.rows)
    for row, name in zip(report.rows, names, strict=True):
        component = _component(row)
        if component is None:
            missing.append({**_identity(row), "why": _why_not(row)})
            continue
        children[name] = component
        used.update(component["pipeline"]["compute"])
    tree: dict[str, Any] = {"children": children}
    repositories = len(report.repositories)
    description = (
        f"greengate {report.tool_version} audit of {repositories}"
        f" {'repository' if repositories == 1 else 'repositories'}: {len(report.rows)}"
        f" deployments, {len(children)} with an emissions estimate. Each component is one"
        " deployment over a nominal year (duration 31,536,000 s from timestamp"
        f" {NOMINAL_START}); its pipeline recomputes greengate's estimates from the factors"
        " greengate used, whose sources are in the component's sources. energy and carbon"
        " are a year at the high replica bound plus the training run."
    )
    if missing:
        tree["not-estimated"] = missing
        many = "deployments have" if len(missing) != 1 else "deployment has"
        description += f" {len(missing)} {many} no emissions estimate: see tree.not-estimated."
    return {
        "name": "greengate audit",
        "description": description,
        "tags": {"kind": "ai-deployments", "category": "cloud"},
        "aggregation": {"metrics": ["energy", "carbon"], "type": "both"},
        "initialize": {"plugins": {name: PLUGINS[name] for name in sorted(used)}},
        "tree": tree,
    }


def _component(row: AuditRow) -> dict[str, Any] | None:
    """The row as a component, or None when greengate has no emissions figure for it.

    IF aggregates ``carbon`` only when every component has it, so a row with
    energy but no grid intensity is listed under ``not-estimated`` instead.
    """
    inputs = row.inputs
    yearly = inputs.accelerator_watts is not None and inputs.hours_per_year is not None
    training = inputs.training_watts is not None and inputs.accelerator_hours is not None
    if not (yearly or training) or inputs.pue is None or row.grid_intensity is None:
        return None
    observation: dict[str, Any] = {
        "timestamp": NOMINAL_START,
        "duration": YEAR_SECONDS,
        "pue": inputs.pue,
        "grid/carbon-intensity": row.grid_intensity,
    }
    sources = {
        "pue": inputs.how.get("pue", ""),
        "grid/carbon-intensity": inputs.how.get("grid_intensity", ""),
    }
    pipeline: list[str] = []
    if yearly:
        assert inputs.hours_per_year is not None
        low, high = _replicas(row)
        observation.update(
            {
                "accelerator/power": inputs.accelerator_watts,
                "accelerators": row.count,
                "replicas/min": low,
                "replicas/max": high,
                "usage/share-of-year": inputs.hours_per_year / HOURS_PER_YEAR,
            }
        )
        sources["accelerator/power"] = inputs.how.get("accelerator_watts", "")
        sources["usage/share-of-year"] = inputs.how.get("hours_per_year", "")
        if inputs.host_watts is not None:
            observation["host/power"] = inputs.host_watts
            sources["host/power"] = inputs.how.get("host_watts", "")
            pipeline.append("power-with-host")
        else:
            pipeline.append("power-without-host")
        for bound in ("high", "low"):
            pipeline += [
                f"yearly-joules-{bound}",
                f"yearly-energy-{bound}",
                f"yearly-carbon-{bound}",
            ]
    if training:
        observation["training/power"] = inputs.training_watts
        observation["training/accelerator-hours"] = inputs.accelerator_hours
        sources["training/power"] = inputs.how.get("training_watts", "")
        sources["training/accelerator-hours"] = inputs.how.get("accelerator_hours", "")
        pipeline += ["training-watt-hours", "training-energy", "training-carbon"]
    which = "both" if yearly and training else "yearly" if yearly else "training"
    pipeline += [f"energy-of-{which}", f"carbon-of-{which}"]
    return {
        "description": printable(
            f"{row.repository} {row.where}: {row.kind} {row.name}"
            + (f", owner {row.owner}" if row.owner else "")
        ),
        "greengate": _identity(row),
        "sources": {key: printable(value) for key, value in sources.items() if value},
        "pipeline": {"compute": pipeline},
        "inputs": [observation],
    }


def _replicas(row: AuditRow) -> tuple[float, float]:
    """The replica range as the estimate counts it: one bound stands for both, none is 1."""
    low, high = row.replicas_min, row.replicas_max
    if low is None and high is None:
        return 1.0, 1.0
    if low is None or high is None:
        only = low if high is None else high
        assert only is not None
        return float(only), float(only)
    return float(low), float(high)


def _identity(row: AuditRow) -> dict[str, str]:
    return {
        "repository": printable(row.repository),
        "file": printable(row.file),
        "line": str(row.line),
        "name": printable(row.name),
    }


def _why_not(row: AuditRow) -> str:
    e = row.estimate
    if e.kwh_year_high is not None or e.training_kwh is not None:
        where = " ".join(part for part in (row.provider, row.region) if part) or "none stated"
        known = (
            f"{e.kwh_year_low:g} to {e.kwh_year_high:g} kWh/year"
            if e.kwh_year_low is not None and e.kwh_year_high is not None
            else f"{e.training_kwh:g} kWh of training"
        )
        return printable(
            f"no grid intensity known for its region ({where}): greengate estimates {known}"
            " but no emissions; give it a region the catalog lists (greengate catalog list"
            " regions) or declare spec.cloud.gridIntensity (or the gridIntensity default of"
            " .greengate.yaml)"
        )
    lacking = [
        what
        for what, value in (
            ("accelerator", row.accelerator),
            ("accelerator count", row.count),
            ("power figure", row.inputs.accelerator_watts or row.inputs.training_watts),
        )
        if value in (None, "")
    ]
    if row.workload in ("training", "fine-tuning") and row.inputs.accelerator_hours is None:
        lacking.append("training.acceleratorHours")
    found = ", ".join(lacking) or "the factors of an estimate"
    return printable(
        f"greengate could not estimate it: no {found} known; `greengate explain` on the file"
        " says how to declare them"
    )


def _names(rows: Sequence[AuditRow]) -> list[str]:
    """Component names: the deployment's name in lower-case letters, digits and dashes, unique."""
    names: list[str] = []
    seen: set[str] = set()
    for row in rows:
        base = re.sub(r"[^a-z0-9]+", "-", row.name.lower()).strip("-")[:MAX_NAME] or "deployment"
        name, n = base, 1
        while name in seen:
            n += 1
            name = f"{base}-{n}"
        seen.add(name)
        names.append(name)
    return names
