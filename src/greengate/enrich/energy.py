"""Energy and emissions of one deployment, computed the way the published studies compute them.

Training and fine-tuning follow Patterson et al. 2021 ("Carbon Emissions and
Large Neural Network Training", section 2.5)::

    kWh   = accelerator-hours x average W x PUE / 1000
    tCO2e = kWh x gCO2e/kWh / 1e6

Accelerator-hours already include the chip count, so nothing multiplies by
``hardware.count`` again. The average W is the declared
``hardware.powerWatts``, else the catalog's measured average, else the TDP (the
convention of Meta's and BLOOM's reports); the fact's detail says which.

Inference is a yearly range, from ``replicas.min`` to ``replicas.max``::

    kWh/year = replicas x accelerators x W(u) x PUE x hours/year / 1000

with W(u) = idle + u x (max - idle) where the catalog has both (Cloud Carbon
Footprint's method; u = ``usage.utilisation``, else 0.5), else the declared
measured average, else the TDP. Every figure states its inputs in its detail.

The host of an accelerated instance (its CPUs and memory) is added to the
inference range and shown on its own (``estimate.hostWatts``,
``estimate.hostKWhPerYear*``), as Cloud Carbon Footprint counts it::

    host W   = vCPUs x (min + u x (max - min)) + memory GB x 0.392
    per accelerator = host W / accelerators per instance

with the provider's average watts per vCPU (:data:`HOST_WATTS_PER_VCPU`). It
needs the instance's vCPUs and memory (the catalog's instance type, or a
declaration); when they are unknown the detail says the host is not counted.
Training adds no host: the published measured averages (Patterson et al. 2021)
are system power per processor, host included.
"""

from __future__ import annotations

from dataclasses import dataclass

from greengate.records.deployment import Fact, FactSource

DEFAULT_UTILISATION = 0.5
"""Cloud Carbon Footprint's default average utilisation of hyperscale data centres when
usage is unknown (methodology, 2022)."""
MEMORY_WATTS_PER_GB = 0.392
"""Cloud Carbon Footprint's MEMORY_COEFFICIENT, 0.000392 kWh per GB-hour (the same in its AWS,
Azure and GCP constants @b7a049c, Apache-2.0, 2022)."""


@dataclass(frozen=True)
class HostCoefficients:
    """Watts per vCPU at idle and at full load, averaged over a provider's CPUs, and their source."""

    idle: float
    full: float
    source: str


_CCF_CONSTANTS = "Cloud Carbon Footprint {file} @b7a049c (Apache-2.0), 2022"
HOST_WATTS_PER_VCPU: dict[str, HostCoefficients] = {
    "aws": HostCoefficients(
        0.74,
        3.5,
        _CCF_CONSTANTS.format(file="AwsFootprintEstimationConstants.ts")
        + ": MIN_WATTS_AVG 0.74, MAX_WATTS_AVG 3.5",
    ),
    "azure": HostCoefficients(
        0.74,
        3.54,
        _CCF_CONSTANTS.format(file="AzureFootprintEstimationConstants.ts")
        + ": MIN_WATTS_AVG 0.74, MAX_WATTS_AVG 3.54",
    ),
    "gcp": HostCoefficients(
        0.68,
        4.11,
        _CCF_CONSTANTS.format(file="GcpFootprintEstimationConstants.ts")
        + ": MIN_WATTS_MEDIAN 0.68, MAX_WATTS_MEDIAN 4.11",
    ),
}
"""Cloud Carbon Footprint's per-provider figures for a vCPU of unknown microarchitecture."""

HOURS_PER_DAY = 24.0
DAYS_PER_YEAR = 365.0
WEEKS_PER_YEAR = DAYS_PER_YEAR / 7.0
TRAINING_WORKLOADS = ("training", "fine-tuning")


def _number(facts: dict[str, Fact], name: str) -> float | None:
    fact = facts.get(name)
    if fact is None or isinstance(fact.value, bool) or not isinstance(fact.value, int | float):
        return None
    return float(fact.value)


def _put(facts: dict[str, Fact], name: str, value: float, origin: Fact, detail: str) -> None:
    if name not in facts:
        facts[name] = Fact(value, origin.location, FactSource.DERIVED, detail)


def _n(value: float) -> str:
    """A figure as a detail writes it: 3,552,000 and 154.3, never 3.552e+06."""
    if value.is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:,.6g}" if abs(value) < 1e6 else f"{value:,.1f}"


def _figure(value: float) -> float:
    """Rounded for display, keeping three significant digits of small figures."""
    return round(value, 3) if abs(value) < 10 else round(value, 1)


def _how(facts: dict[str, Fact], name: str) -> str:
    """How a fact became known, as the estimate's detail says it: declared, config-default..."""
    return facts[name].source.value


def pue_of(facts: dict[str, Fact]) -> tuple[float, str]:
    pue = _number(facts, "cloud.pue")
    if pue is None:
        return 1.0, "PUE 1 (no PUE known: the data centre's overhead is not counted)"
    return pue, f"PUE {_n(pue)} ({_how(facts, 'cloud.pue')})"


def training_watts(facts: dict[str, Fact]) -> tuple[float, str] | None:
    """Average W per accelerator for training, and which figure it is."""
    declared = _number(facts, "hardware.powerWatts")
    if declared is not None:
        return declared, f"{_n(declared)} W {_how(facts, 'hardware.powerWatts')} average"
    average = _number(facts, "hardware.averageWatts")
    if average is not None:
        return average, f"{_n(average)} W catalog measured average"
    tdp = _number(facts, "hardware.tdpWatts")
    if tdp is not None:
        return tdp, f"{_n(tdp)} W TDP (no measured average known)"
    return None


def utilisation(facts: dict[str, Fact]) -> tuple[float, str]:
    """The utilisation W(u) uses: declared (or a config default), else CCF's 0.5, and which."""
    u = _number(facts, "usage.utilisation")
    if u is None:
        return DEFAULT_UTILISATION, (
            f"utilisation {_n(DEFAULT_UTILISATION)} assumed (Cloud Carbon Footprint's default)"
        )
    return u, f"utilisation {_n(u)} {_how(facts, 'usage.utilisation')}"


def inference_watts(facts: dict[str, Fact]) -> tuple[float, str] | None:
    """W(utilisation) per accelerator for inference, and how it was found."""
    declared = _number(facts, "hardware.powerWatts")
    if declared is not None:
        return declared, f"{_n(declared)} W {_how(facts, 'hardware.powerWatts')} average"
    idle, peak = _number(facts, "hardware.idleWatts"), _number(facts, "hardware.maxWatts")
    if idle is not None and peak is not None:
        u, stated = utilisation(facts)
        watts = idle + u * (peak - idle)
        return (
            watts,
            f"{_n(watts)} W = {_n(idle)} idle + {_n(u)} x ({_n(peak)} max - {_n(idle)}), {stated}",
        )
    tdp = _number(facts, "hardware.tdpWatts")
    if tdp is not None:
        return tdp, f"{_n(tdp)} W TDP (no idle/max figures known; utilisation not applied)"
    return None


def host_watts(facts: dict[str, Fact], count: float) -> tuple[float | None, str]:
    """The host's watts per accelerator and how they were found, or None and why not."""
    vcpus, memory = _number(facts, "hardware.vcpus"), _number(facts, "hardware.memoryGB")
    provider = facts.get("cloud.provider")
    name = str(provider.value).lower() if provider is not None else ""
    if vcpus is None or memory is None:
        lacking = " and ".join(
            what for what, value in (("vCPUs", vcpus), ("memory", memory)) if value is None
        )
        return None, (
            f"host not counted: no {lacking} known; give hardware.instanceType a type the catalog"
            " lists with vCPUs and memory, or declare hardware.vcpus and hardware.memoryGB"
        )
    coefficients = HOST_WATTS_PER_VCPU.get(name)
    if coefficients is None:
        return None, (
            f"host not counted: Cloud Carbon Footprint publishes no watts per vCPU for provider"
            f" '{name or 'unknown'}' (it has aws, azure and gcp figures)"
        )
    if count <= 0:
        return None, "host not counted: no accelerators per instance"
    u, stated = utilisation(facts)
    cpu = vcpus * (coefficients.idle + u * (coefficients.full - coefficients.idle))
    ram = memory * MEMORY_WATTS_PER_GB
    per_accelerator = (cpu + ram) / count
    return per_accelerator, (
        f"host {_n(_figure(per_accelerator))} W per accelerator = ({_n(vcpus)} vCPUs x"
        f" ({_n(coefficients.idle)} + {_n(u)} x ({_n(coefficients.full)} -"
        f" {_n(coefficients.idle)})) W + {_n(memory)} GB x {_n(MEMORY_WATTS_PER_GB)} W/GB)"
        f" / {_n(count)} accelerators, {stated} ({coefficients.source}; memory:"
        " MEMORY_COEFFICIENT 0.000392 kWh/GB-hour)"
    )


def hours_per_year(facts: dict[str, Fact]) -> tuple[float, str]:
    per_day = _number(facts, "usage.hoursPerDay")
    days = _number(facts, "usage.daysPerWeek")
    if per_day is None:
        per_day = HOURS_PER_DAY
        text = "24 h/day (no usage hours declared)"
    else:
        text = f"{_n(per_day)} h/day ({_how(facts, 'usage.hoursPerDay')})"
    if days is None:
        return per_day * DAYS_PER_YEAR, f"{text} x 365 days"
    return per_day * days * WEEKS_PER_YEAR, f"{text} x {_n(days)} days/week x 365/7 weeks"


def replica_range(facts: dict[str, Fact]) -> tuple[float, float, str]:
    """The lowest and highest replica count; 0 replicas count as 0."""
    low, high = _number(facts, "replicas.min"), _number(facts, "replicas.max")
    if low is None and high is None:
        return 1.0, 1.0, "1 replica (no replica count declared)"
    if low is None or high is None:
        only = low if high is None else high
        assert only is not None
        return only, only, f"{_n(only)} replicas"
    return low, high, f"{_n(low)} to {_n(high)} replicas"


def estimate_training(facts: dict[str, Fact]) -> None:
    hours_fact = facts.get("training.acceleratorHours")
    hours = _number(facts, "training.acceleratorHours")
    watts = training_watts(facts)
    if hours_fact is None or hours is None or watts is None:
        return
    pue, pue_text = pue_of(facts)
    kwh = hours * watts[0] * pue / 1000.0
    detail = (
        f"{_n(hours)} accelerator-hours x {watts[1]} x {pue_text} / 1000 (Patterson et al. 2021)"
    )
    _put(facts, "estimate.trainingKWh", _figure(kwh), hours_fact, detail)
    intensity = _number(facts, "cloud.gridIntensity")
    if intensity is not None:
        _put(
            facts,
            "estimate.trainingTCO2e",
            _figure(kwh * intensity / 1e6),
            hours_fact,
            f"{_n(kwh)} kWh x {_n(intensity)} gCO2e/kWh / 1e6",
        )


def estimate_inference(facts: dict[str, Fact]) -> None:
    workload = facts.get("workload")
    if workload is not None and workload.value in TRAINING_WORKLOADS:
        return
    origin = facts.get("hardware.accelerator")
    count = _number(facts, "hardware.count")
    watts = inference_watts(facts)
    if origin is None or count is None or watts is None:
        return
    pue, pue_text = pue_of(facts)
    hours, hours_text = hours_per_year(facts)
    low, high, replicas_text = replica_range(facts)
    per_replica = count * watts[0] * pue * hours / 1000.0
    inputs = f"{_n(count)} accelerators x {watts[1]} x {pue_text} x {hours_text}"
    host, host_text = host_watts(facts, count)
    host_per_replica = count * host * pue * hours / 1000.0 if host is not None else 0.0
    if host is not None:
        _put(facts, "estimate.hostWatts", _figure(host), origin, host_text)
    intensity = _number(facts, "cloud.gridIntensity")
    for bound, replicas in (("Low", low), ("High", high)):
        accelerators_kwh = replicas * per_replica
        which = "replicas.min" if bound == "Low" else "replicas.max"
        detail = f"{_n(replicas)} replicas ({which}; {replicas_text}) x {inputs} / 1000"
        if host is None:
            kwh = accelerators_kwh
            detail = f"{detail}; {host_text}"
        else:
            host_kwh = replicas * host_per_replica
            kwh = accelerators_kwh + host_kwh
            _put(
                facts,
                f"estimate.hostKWhPerYear{bound}",
                _figure(host_kwh),
                origin,
                f"{_n(replicas)} replicas ({which}) x {_n(count)} accelerators x"
                f" {_n(_figure(host))} W host per accelerator (estimate.hostWatts) x {pue_text}"
                f" x {hours_text} / 1000",
            )
            detail = (
                f"accelerators {_n(_figure(accelerators_kwh))} + host {_n(_figure(host_kwh))}"
                f" kWh/year (Cloud Carbon Footprint's host method, estimate.hostKWhPerYear{bound});"
                f" accelerators: {detail}"
            )
        _put(facts, f"estimate.kWhPerYear{bound}", _figure(kwh), origin, detail)
        if intensity is not None:
            _put(
                facts,
                f"estimate.tCO2ePerYear{bound}",
                _figure(kwh * intensity / 1e6),
                origin,
                f"{_n(kwh)} kWh/year x {_n(intensity)} gCO2e/kWh / 1e6",
            )


def estimate(facts: dict[str, Fact]) -> None:
    estimate_training(facts)
    estimate_inference(facts)
