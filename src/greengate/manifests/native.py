"""greengate's own format: ``apiVersion: greengate.dev/v1``, ``kind: AIDeployment``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from greengate.load import Document
from greengate.load.schemas import valid_check, validator
from greengate.manifests.base import (
    NO_CONTEXT,
    Adapter,
    AdaptResult,
    FactReader,
    ManifestProblem,
    ReadContext,
)
from greengate.records.deployment import Fact
from greengate.records.units import parse_parameter_count

if TYPE_CHECKING:
    from jsonschema.protocols import Validator

API_VERSION = "greengate.dev/v1"
KIND = "AIDeployment"

# Fact name -> path under spec, in the order of the schema.
_SPEC_FACTS = {
    "workload": ("workload",),
    "task": ("task",),
    "model.name": ("model", "name"),
    "model.precision": ("model", "precision"),
    "cloud.provider": ("cloud", "provider"),
    "cloud.region": ("cloud", "region"),
    "cloud.pue": ("cloud", "pue"),
    "cloud.gridIntensity": ("cloud", "gridIntensity"),
    "hardware.accelerator": ("hardware", "accelerator"),
    "hardware.count": ("hardware", "count"),
    "hardware.instanceType": ("hardware", "instanceType"),
    "hardware.powerWatts": ("hardware", "powerWatts"),
    "hardware.vcpus": ("hardware", "vcpus"),
    "hardware.memoryGB": ("hardware", "memoryGB"),
    "replicas.min": ("replicas", "min"),
    "replicas.max": ("replicas", "max"),
    "rateLimits.requestsPerMinute": ("rateLimits", "requestsPerMinute"),
    "rateLimits.tokensPerMinute": ("rateLimits", "tokensPerMinute"),
    "rateLimits.concurrency": ("rateLimits", "concurrency"),
    "usage.utilisation": ("usage", "utilisation"),
    "usage.hoursPerDay": ("usage", "hoursPerDay"),
    "training.acceleratorHours": ("training", "acceleratorHours"),
}


_SCHEMA = ("greengate.schemas", "aideployment.schema.json")


def _validator() -> Validator:
    return validator(*_SCHEMA)


def _problems(document: Document) -> list[ManifestProblem]:
    """What is wrong with the document under the schema, in path order; [] when valid.

    A valid document passes the schema's fast predicate and costs no more;
    any other is given to jsonschema, whose errors are the ones reported.
    """
    check = valid_check(*_SCHEMA)
    if check is not None and check(document.data):
        return []
    from greengate.load.schema_errors import describe  # imports jsonschema: only when needed

    errors = sorted(
        _validator().iter_errors(document.data), key=lambda e: [str(p) for p in e.absolute_path]
    )
    return [ManifestProblem(*describe(document, e)) for e in errors]


class NativeAdapter(Adapter):
    name = "native"
    description = "greengate AIDeployment (apiVersion greengate.dev/v1)"

    def matches(self, document: Document) -> bool:
        data = document.data
        return (
            isinstance(data, dict)
            and data.get("kind") == KIND
            and str(data.get("apiVersion", "")).startswith("greengate.dev/")
        )

    def read(self, document: Document, context: ReadContext = NO_CONTEXT) -> AdaptResult:
        problems = _problems(document)
        if problems:
            return AdaptResult(problems=problems)
        data = document.data
        reader = FactReader(document)
        reader.declare("name", ("metadata", "name"))
        reader.declare("owner", ("metadata", "owner"))
        for name, path in _SPEC_FACTS.items():
            reader.declare(name, ("spec", *path))
        params_path = ("spec", "model", "parameters")
        raw = document.get(params_path)
        if raw is not None:
            reader.facts["model.parameters"] = Fact(
                parse_parameter_count(raw),
                document.location(params_path),
                detail=f"declared as {raw}",
            )
        schedule = ("spec", "usage", "schedule")
        if document.get(schedule) is not None:
            reader.declare("usage.hoursPerDay", (*schedule, "hoursPerDay"))
            reader.declare("usage.daysPerWeek", (*schedule, "daysPerWeek"))
        reader.anchor("", ("spec",), ())
        reader.anchor("owner", ("metadata",))
        for section in (
            "model",
            "cloud",
            "hardware",
            "replicas",
            "rateLimits",
            "usage",
            "training",
        ):
            reader.anchor(section, ("spec", section), ("spec",), ())
        metadata = data["metadata"]
        return AdaptResult(
            deployments=[
                reader.deployment(
                    name=metadata["name"],
                    kind=KIND,
                    format=self.name,
                    name_path=("metadata", "name"),
                    labels=metadata.get("labels"),
                    annotations=metadata.get("annotations"),
                )
            ]
        )
