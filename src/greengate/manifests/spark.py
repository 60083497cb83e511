"""Spark on Kubernetes: the Kubeflow Spark operator's SparkApplication and ScheduledSparkApplication.

A Spark application asks for accelerators per pod, not in a container's
``resources``: ``spec.executor.gpu`` (and ``spec.driver.gpu``) is
``{name: nvidia.com/gpu, quantity: 1}`` (RAPIDS accelerated Spark). Only an
application whose driver or executors request an accelerator resource (the
names of :mod:`greengate.manifests.kube.resources`), or that carries
``greengate.dev/*`` annotations, is a deployment; a CPU-only Spark job is not.

What is read, from where:

- ``hardware.count``: one executor's ``gpu.quantity`` (the driver's when the
  executors request none); a replica is one executor pod.
- ``replicas``: ``executor.instances``; with
  ``dynamicAllocation.enabled: true``, ``minExecutors`` / ``maxExecutors``.
- ``hardware.accelerator`` / ``hardware.instanceType``: the node labels the
  executor (else the application) selects, read as for any pod
  (:mod:`greengate.manifests.kube.scheduling`).
- ``workload``: ``training`` or ``fine-tuning`` when the application's name,
  image or main file names one, else ``batch``.

A ``ScheduledSparkApplication`` keeps the same spec under ``spec.template``.
"""

from __future__ import annotations

from greengate.load import Document, PathKey
from greengate.manifests.base import NO_CONTEXT, Adapter, AdaptResult, FactReader, ReadContext
from greengate.manifests.kube.annotations import (
    finish,
    has_greengate_annotation,
    kubernetes_hints,
    read_annotations,
)
from greengate.manifests.kube.objects import api_group
from greengate.manifests.kube.resources import accelerator_resource
from greengate.manifests.kube.scheduling import accelerator_of, instance_type_of, node_selectors
from greengate.manifests.kube.values import Found, put, unresolved, whole_number
from greengate.manifests.kube.workloads import batch_workload
from greengate.records.deployment import FactSource

_GROUP = "sparkoperator.k8s.io"
_KINDS = ("SparkApplication", "ScheduledSparkApplication")

HINTS = kubernetes_hints()


class SparkAdapter(Adapter):
    name = "spark"
    description = "Spark operator SparkApplication and ScheduledSparkApplication whose pods request accelerators"

    def matches(self, document: Document) -> bool:
        group, kind = api_group(document)
        return group == _GROUP and kind in _KINDS

    def read(self, document: Document, context: ReadContext = NO_CONTEXT) -> AdaptResult:
        _, kind = api_group(document)
        spec: PathKey = ("spec", "template") if kind == "ScheduledSparkApplication" else ("spec",)
        if not isinstance(document.get(spec), dict):
            return AdaptResult()
        gpus = [(role, _gpu(document, (*spec, role))) for role in ("executor", "driver")]
        requested = [(role, found) for role, found in gpus if found is not None]
        if not requested and not has_greengate_annotation(document):
            return AdaptResult()
        reader = FactReader(document)
        problems = read_annotations(reader)
        role, count = requested[0] if requested else ("executor", None)
        put(reader, "hardware.count", count)
        pod: PathKey = (*spec, role)
        selectors = {**node_selectors(document, spec), **node_selectors(document, pod)}
        put(reader, "hardware.accelerator", accelerator_of(selectors))
        put(reader, "hardware.instanceType", instance_type_of(selectors))
        if role == "executor":
            _replicas(reader, document, spec)
        else:
            one = Found(1, document.location((*pod, "gpu")), "the driver is one pod")
            put(reader, "replicas.min", one)
            put(reader, "replicas.max", one)
        texts = [
            str(document.get(("metadata", "name")) or ""),
            str(document.get((*spec, "image")) or ""),
            str(document.get((*spec, "mainApplicationFile")) or ""),
        ]
        workload, why = batch_workload(*texts)
        put(
            reader,
            "workload",
            Found(
                workload, document.location(("kind",)), f"a Spark job; {why}", FactSource.DERIVED
            ),
        )
        reader.anchor("hardware", (*pod, "gpu"), pod, spec)
        reader.anchor("model", spec)
        reader.anchor("replicas", (*spec, "executor", "instances"), (*spec, "executor"), spec)
        return AdaptResult([finish(reader, kind=kind, format=self.name, hints=HINTS)], problems)


def _gpu(document: Document, pod: PathKey) -> Found | None:
    """A driver's or executor's accelerators: ``gpu.quantity`` when ``gpu.name`` is one."""
    name = document.get((*pod, "gpu", "name"))
    if not isinstance(name, str) or not accelerator_resource(name.strip()):
        return None
    raw = document.get((*pod, "gpu", "quantity"))
    where = document.location((*pod, "gpu", "quantity") if raw is not None else (*pod, "gpu"))
    role = pod[-1]
    if unresolved(raw):
        return Found(raw, where, f"{role}.gpu.quantity ({name})")
    number = whole_number(raw)
    if number is None or number < 0:
        # An accelerator is requested, but how many is not said: the count stays missing.
        return Found(None, where)
    return Found(number, where, f"{role}.gpu.quantity ({name.strip()})")


def _replicas(reader: FactReader, document: Document, spec: PathKey) -> None:
    dynamic = (*spec, "dynamicAllocation")
    if document.get((*dynamic, "enabled")) is True:
        for fact, key in (("replicas.min", "minExecutors"), ("replicas.max", "maxExecutors")):
            raw = document.get((*dynamic, key))
            number = whole_number(raw)
            if number is not None and number >= 0:
                where = document.location((*dynamic, key))
                put(reader, fact, Found(number, where, f"dynamicAllocation.{key}"))
        return
    path = (*spec, "executor", "instances")
    raw = document.get(path)
    number = whole_number(raw)
    if (number is not None and number >= 0) or unresolved(raw):
        found = Found(
            raw if number is None else number, document.location(path), "executor.instances"
        )
        put(reader, "replicas.min", found)
        put(reader, "replicas.max", found)
