"""Facts of one deployment that contradict each other, whatever format declared them.

An adapter reads each field on its own; a deployment with ``replicas.min: 9``
and ``replicas.max: 2`` (native ``spec.replicas``, KServe
``minReplicas``/``maxReplicas``, an HPA, Helm values...) is read without
complaint, and a policy judging it would judge a deployment that cannot exist.
The pipeline asks :func:`contradictions` about every deployment an adapter
returns; each one becomes a "does not match its format" error and the
deployment is not evaluated. The cases: a negative count (replicas, the
accelerator count), a minimum above the maximum, and zero accelerators of a
named accelerator.
"""

from __future__ import annotations

from greengate.manifests.base import ManifestProblem
from greengate.records.deployment import Deployment, FactSource

COUNTS = ("replicas.min", "replicas.max", "hardware.count")
"""Facts that count something: never negative."""


def contradictions(deployment: Deployment) -> list[ManifestProblem]:
    """What is impossible about ``deployment``'s declared facts, each at the fact's line."""
    facts = {
        name: fact
        for name, fact in deployment.facts.items()
        if fact.source is not FactSource.CATALOG and _is_number(fact.value)
    }
    problems: list[ManifestProblem] = []
    for name in COUNTS:
        fact = facts.get(name)
        if fact is not None and fact.value < 0:
            problems.append(
                ManifestProblem(
                    fact.location,
                    f"{name} of '{deployment.name}' is {_show(fact.value)}, a negative count;"
                    " write 0 or more",
                )
            )
    low, high = facts.get("replicas.min"), facts.get("replicas.max")
    if low is not None and high is not None and low.value > high.value >= 0:
        problems.append(
            ManifestProblem(
                low.location,
                f"replicas.min of '{deployment.name}' is {_show(low.value)}, greater than"
                f" replicas.max ({_show(high.value)}, line {high.location.line}); lower the"
                " minimum or raise the maximum so that min <= max",
            )
        )
    count, accelerator = facts.get("hardware.count"), deployment.facts.get("hardware.accelerator")
    if (
        count is not None
        and count.value == 0
        and accelerator is not None
        and accelerator.source is FactSource.DECLARED
        and isinstance(accelerator.value, str)
        and accelerator.value.lower() != "cpu"
    ):
        problems.append(
            ManifestProblem(
                count.location,
                f"hardware.count of '{deployment.name}' is 0, but it names the accelerator"
                f" {accelerator.value} (line {accelerator.location.line}); declare how many it"
                " uses (1 or more), or accelerator cpu if it runs on CPUs only",
            )
        )
    return problems


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _show(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)
