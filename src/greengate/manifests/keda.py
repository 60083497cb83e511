"""KEDA ``ScaledJob`` (``keda.sh/v1alpha1``): Jobs started for queued work, each a pod template.

A ScaledJob is itself a workload: ``spec.jobTargetRef`` is an inline Job
spec, and KEDA starts up to ``maxReplicaCount`` (100 when absent, KEDA's
default) of those Jobs at once, none while there is no work. So
``replicas.max`` is ``maxReplicaCount`` (parallel Jobs) and ``replicas.min``
is 0 (written at the ``jobTargetRef`` key: KEDA starts no Job without
work); ``hardware``, the model and the rest are read from
``jobTargetRef.template.spec`` with the pod helpers of
:mod:`greengate.manifests.kube` (one pod's accelerators times the Job's
``parallelism`` when it is above 1). As for a Kubernetes Job, only an AI
workload (accelerators, accelerator nodes, a model server, or a
``greengate.dev/*`` annotation) is a deployment; the workload is
``fine-tuning``, ``training`` or ``batch`` from its names and command lines.

A ScaledObject is not read here: it scales another workload, and the
linking stage (:mod:`greengate.manifests.links.scalers`) gives that
workload its replicas.
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
from greengate.manifests.kube.pods import anchor_pod, put_pod, read_pod
from greengate.manifests.kube.values import Found, multiplied, put, unresolved, whole_number
from greengate.manifests.kube.workloads import batch_workload
from greengate.records.deployment import FactSource

KIND = "ScaledJob"
DEFAULT_MAX = 100
_JOB: PathKey = ("spec", "jobTargetRef")
HINTS = kubernetes_hints()


class KedaScaledJobAdapter(Adapter):
    name = "keda"
    description = "KEDA ScaledJob (keda.sh/v1alpha1) running an AI Job per unit of queued work"

    def matches(self, document: Document) -> bool:
        return api_group(document) == ("keda.sh", KIND)

    def read(self, document: Document, context: ReadContext = NO_CONTEXT) -> AdaptResult:
        template: PathKey = (*_JOB, "template")
        pod = read_pod(
            document,
            (*template, "spec"),
            labels=[(*template, "metadata", "labels"), ("metadata", "labels")],
        )
        if not pod.is_ai and not has_greengate_annotation(document):
            return AdaptResult(problems=list(pod.problems))
        reader = FactReader(document)
        problems = [*pod.problems, *read_annotations(reader)]
        parallelism = whole_number(document.get((*_JOB, "parallelism")))
        count = pod.count
        if parallelism is not None and parallelism > 1:
            count = multiplied(pod.count, parallelism, f"{parallelism} pods (Job parallelism)")
        put_pod(reader, pod, count=count)
        self._replicas(reader, document)
        name = document.get(("metadata", "name")) or ""
        workload, why = batch_workload(str(name), pod.text())
        put(
            reader,
            "workload",
            Found(
                workload,
                document.location(("kind",)),
                f"a ScaledJob starts Jobs that run to completion; {why}",
                FactSource.DERIVED,
            ),
        )
        anchor_pod(reader, pod, ("spec",))
        reader.anchor("replicas", ("spec", "maxReplicaCount"), _JOB, ("spec",))
        return AdaptResult([finish(reader, kind=KIND, format=self.name, hints=HINTS)], problems)

    def _replicas(self, reader: FactReader, document: Document) -> None:
        path: PathKey = ("spec", "maxReplicaCount")
        raw = document.get(path)
        if raw is None:
            found = Found(
                DEFAULT_MAX,
                document.key_location(_JOB),
                f"maxReplicaCount {DEFAULT_MAX}, KEDA's default when it is absent (parallel Jobs)",
                FactSource.DERIVED,
            )
            put(reader, "replicas.max", found)
        else:
            value = whole_number(raw)
            if (value is not None and value >= 0) or unresolved(raw):
                detail = "maxReplicaCount (Jobs running at once)"
                put(
                    reader,
                    "replicas.max",
                    Found(raw if value is None else value, document.location(path), detail),
                )
        put(
            reader,
            "replicas.min",
            Found(
                0,
                document.key_location(_JOB),
                "0: KEDA starts no Job while there is no work",
                FactSource.DERIVED,
            ),
        )
