"""What to change first: greener alternatives for one deployment, with what each would save.

Three kinds, each computed only where the catalog gives every figure it
needs (an alternative with a guessed saving would rank above honest ones):

- **region**: the lowest-grid-intensity region of the same provider on the
  same continent. The kWh stay the same (PUE is per provider), so the
  emissions scale with the grid: ``after = high x new grid / old grid``.
- **accelerator**: the newest generation of the same vendor (offered by the
  deployment's provider, where the catalog knows its instance types). A newer
  part draws more power per chip, so the same count on it saves nothing;
  what it can save is energy for the same work. Assuming the workload is
  compute-bound and scales with peak FP16 throughput, the same work needs
  ``ceil(count x old TFLOPS / new TFLOPS)`` whole new parts, and ``after =
  high x needed x new TDP / (count x old TDP)`` (Epoch AI's TDP and dense
  FP16/BF16 peak). Parts are whole: two V100s do not become a third of a
  B200, so small deployments rarely get one.
- **model**: a model within the model-size policy's limit for the task, when
  the deployment's model is over it. The hardware is what draws power, and a
  smaller model needs fewer accelerators: accelerators needed = parameters x
  bytes per parameter / accelerator memory, rounded up, for a dense model at
  the limit (the most a compliant model may need); ``after = high x needed /
  count``.

Savings are on the deployment's high yearly tCO2e (``replicas.max``); a
deployment without that figure gets no alternative, never a zero one.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from greengate.catalog import Catalog
from greengate.catalog.model import Accelerator, Region
from greengate.records.audit import Alternative, AuditRow
from greengate.records.deployment import Deployment

BYTES_PER_PARAMETER = {
    "fp32": 4.0,
    "tf32": 4.0,
    "bf16": 2.0,
    "fp16": 2.0,
    "fp8": 1.0,
    "int8": 1.0,
    "int4": 0.5,
    "fp4": 0.5,
}
"""Bytes one weight takes at each ``model.precision`` (the width of the number format)."""
ASSUMED_PRECISION = "bf16"
"""The precision assumed when a manifest states none: 16-bit, the width most open weights
are published in (the Hugging Face model cards of Llama 3, Mistral, Qwen 2.5, 2024)."""
SIZE_RULE = "GG101"
"""The model-size rule: the model alternative is offered only to deployments that fail it."""
_KIND_ORDER = {"region": 0, "accelerator": 1, "model": 2}


@dataclass(frozen=True)
class SizeLimits:
    """The model-size policy's limits as the check ran it (its params after config)."""

    per_task: Mapping[str, int]
    default: int | None
    compare: str = "total"
    """``total`` or ``active``: which parameter count the policy compares."""

    def of(self, task: str) -> int | None:
        return self.per_task.get(task, self.default)

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> SizeLimits:
        """The limits of ``model-size``'s params; a value that is not a count is left out."""
        raw = params.get("maxParameters")
        per_task = {
            str(task): count
            for task, value in (raw.items() if isinstance(raw, Mapping) else ())
            if (count := _count(value)) is not None
        }
        compare = params.get("compare")
        return cls(
            per_task=per_task,
            default=_count(params.get("defaultMaxParameters")),
            compare=compare if isinstance(compare, str) else "total",
        )


def _count(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        return None
    return int(value)


def alternatives(
    deployment: Deployment, row: AuditRow, catalog: Catalog, limits: SizeLimits | None
) -> tuple[Alternative, ...]:
    """The greener choices for one deployment that save more than zero, largest saving first."""
    high = row.estimate.tco2e_year_high
    if high is None or high <= 0:
        return ()
    found = [
        a
        for a in (
            region_alternative(row, high, catalog),
            accelerator_alternative(row, high, catalog),
            model_alternative(deployment, row, high, catalog, limits),
        )
        if a is not None and a.saving_tco2e_year > 0
    ]
    found.sort(key=lambda a: (-a.saving_tco2e_year, _KIND_ORDER[a.kind]))
    return tuple(found)


def region_alternative(row: AuditRow, high: float, catalog: Catalog) -> Alternative | None:
    """The lowest-carbon region of the same provider on the same continent."""
    old = row.grid_intensity
    current = catalog.region(row.region, row.provider) if row.region and row.provider else None
    if old is None or old <= 0 or current is None or not current.continent:
        return None
    same = [
        r
        for r in catalog.regions()
        if r.provider == current.provider and r.continent == current.continent
    ]
    best = min(same, key=lambda r: (r.grid_intensity, r.region))
    if best.grid_intensity >= old:
        return None
    ratio = best.grid_intensity / old
    return _alternative(
        "region",
        best.region,
        high,
        ratio,
        f"move to {current.provider} {best.region} ({_n(best.grid_intensity)} gCO2e/kWh)",
        f"{_n(high)} tCO2e/year x {_n(best.grid_intensity)} / {_n(old)} gCO2e/kWh: the same kWh"
        f" on the grid of {best.provider} {best.region}{_where(best)}, the lowest-carbon"
        f" {best.provider} region in {best.continent} ({best.source}); PUE is per provider,"
        " so the kWh do not change",
    )


def _where(region: Region) -> str:
    return f" ({region.location})" if region.location else ""


def accelerator_alternative(row: AuditRow, high: float, catalog: Catalog) -> Alternative | None:
    """The newest generation of the same vendor, on as many whole parts as the same work needs."""
    current = catalog.accelerator(row.accelerator) if row.accelerator else None
    count = row.count
    if current is None or _per_tflops(current) is None or current.generation is None:
        return None
    if count is None or count <= 0:
        return None
    offered = {it.accelerator for it in catalog.instance_types() if it.provider == row.provider}
    candidates = [
        a
        for a in catalog.accelerators()
        if a.vendor == current.vendor
        and a.generation is not None
        and _per_tflops(a) is not None
        and (not offered or a.id in offered)
    ]
    if not candidates:
        return None
    newest = max(a.generation or 0 for a in candidates)
    if newest <= current.generation:
        return None
    old_tflops, old_watts = current.fp16_tflops or 0.0, current.tdp_watts or 0.0

    def needed(part: Accelerator) -> int:
        return max(1, math.ceil(count * old_tflops / (part.fp16_tflops or 1.0) - 1e-9))

    def ratio_of(part: Accelerator) -> float:
        return needed(part) * (part.tdp_watts or 0.0) / (count * old_watts)

    best = min((a for a in candidates if a.generation == newest), key=lambda a: (ratio_of(a), a.id))
    ratio = ratio_of(best)
    if ratio >= 1:
        return None
    parts = needed(best)
    where = f" offered by {row.provider} (catalog instance types)" if offered else ""
    return _alternative(
        "accelerator",
        best.id,
        high,
        ratio,
        f"run on {parts} x {best.id}, not {_n(count)} x {current.id}",
        f"{_n(high)} tCO2e/year x {parts} x {_n(best.tdp_watts or 0)} W / ({_n(count)} x"
        f" {_n(old_watts)} W): the same throughput ({_n(count)} x {_n(old_tflops)} TFLOPS) needs"
        f" {parts} whole {best.id} at {_n(best.fp16_tflops or 0)} TFLOPS each (rounded up), the"
        f" most efficient part of {best.vendor}'s newest generation{where}, assuming the workload"
        f" is compute-bound and scales with peak dense FP16/BF16 throughput (TDP and TFLOPS:"
        f" {best.source})",
    )


def _per_tflops(accelerator: Accelerator) -> float | None:
    """Watts per TFLOPS of dense FP16/BF16 peak; None when either figure is unknown."""
    tdp, tflops = accelerator.tdp_watts, accelerator.fp16_tflops
    return tdp / tflops if tdp and tflops else None


def model_alternative(
    deployment: Deployment,
    row: AuditRow,
    high: float,
    catalog: Catalog,
    limits: SizeLimits | None,
) -> Alternative | None:
    """A model within the task's size limit, on as few accelerators as its weights need."""
    if SIZE_RULE not in row.failing:
        return None
    limit = limits.of(row.task) if limits is not None else None
    compared = row.parameters
    if limits is not None and limits.compare == "active":
        active = deployment.value("model.activeParameters")
        compared = active if isinstance(active, int) and not isinstance(active, bool) else compared
    if limit is None or compared is None or compared <= limit:
        return None
    current = catalog.accelerator(row.accelerator) if row.accelerator else None
    count = row.count
    if current is None or not current.memory_gb or count is None or count < 1:
        return None
    precision = deployment.value("model.precision")
    if isinstance(precision, str) and precision in BYTES_PER_PARAMETER:
        width = BYTES_PER_PARAMETER[precision]
        stated = f"{_n(width)} bytes ({precision})"
    else:
        width = BYTES_PER_PARAMETER[ASSUMED_PRECISION]
        stated = f"{_n(width)} bytes (no precision declared: 16-bit assumed)"
    needed = max(1, math.ceil(limit * width / (current.memory_gb * 1e9)))
    if needed >= count:
        return None
    ratio = needed / count
    size = f"{_n(limit / 1e9)}B"
    task = row.task or "any other task"
    return _alternative(
        "model",
        f"<= {size}",
        high,
        ratio,
        f"use a <= {size} model: {needed} x {current.id}, not {_n(count)}",
        f"{_n(high)} tCO2e/year x {needed} / {_n(count)} accelerators per replica: a dense model"
        f" at the {size} limit for {task} (model-size) needs {_n(limit / 1e9)}e9 parameters x"
        f" {stated} / {_n(current.memory_gb)} GB of {current.id} = {needed} accelerators"
        f" (rounded up; weights only), against the {_n(compared / 1e9)}B of the model now;"
        " the energy scales with the accelerators",
    )


def _alternative(
    kind: str, value: str, high: float, ratio: float, summary: str, detail: str
) -> Alternative:
    after = _figure(high * ratio)
    return Alternative(
        kind=kind,
        value=value,
        summary=summary,
        tco2e_year=after,
        saving_tco2e_year=_figure(high - after),
        saving_percent=round((1 - ratio) * 100, 1),
        detail=detail,
    )


def _figure(value: float) -> float:
    """Rounded as the estimates are: three decimals below 10, one above."""
    return round(value, 3) if abs(value) < 10 else round(value, 1)


def _n(value: float) -> str:
    """A figure in a detail: 1,750 and 0.257, never 1.75e+03."""
    if float(value).is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:,.4g}" if abs(value) < 1e4 else f"{value:,.0f}"
