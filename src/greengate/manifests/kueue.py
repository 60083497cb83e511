"""Kueue (``kueue.x-k8s.io``): the Workload object.

Kueue's queueing objects (ResourceFlavor, ClusterQueue, LocalQueue,
AdmissionCheck, WorkloadPriorityClass...) describe quota, not a workload:
they are not deployments and this adapter does not claim them. The jobs
Kueue admits (a Job, JobSet, RayJob, PyTorchJob... with the label
``kueue.x-k8s.io/queue-name``, often created with ``suspend: true``) are
read by their own adapters like any other; ``suspend`` does not hide them,
and the queue label stays in the deployment's labels.

A ``Workload`` is Kueue's own description of one such job (written by hand
for a custom controller, or exported): ``spec.podSets[*]``, each ``count``
pods of one pod ``template``. It becomes a deployment when a pod set
requests accelerators, selects accelerator nodes or runs a recognised
model server, or when it has a ``greengate.dev/*`` annotation. The pod set
read is the one with the most accelerators per pod (as for a JobSet or a
Volcano Job), and a replica is one of its pods: ``hardware.count`` is one
pod's accelerators and ``replicas`` its ``count`` (pods);
``spec.queueName`` is named in the detail. Its workload is ``inference``
when a pod set runs a model server, else ``fine-tuning``, ``training`` or
``batch`` by the markers of
:func:`~greengate.manifests.kube.workloads.batch_workload`.
"""

from __future__ import annotations

from greengate.load import Document, PathKey
from greengate.manifests.base import (
    NO_CONTEXT,
    Adapter,
    AdaptResult,
    FactReader,
    ManifestProblem,
    ReadContext,
)
from greengate.manifests.kube.annotations import (
    finish,
    has_greengate_annotation,
    kubernetes_hints,
    read_annotations,
)
from greengate.manifests.kube.objects import api_group
from greengate.manifests.kube.pods import Pod, anchor_pod, put_pod, read_pod
from greengate.manifests.kube.values import Found, put, unresolved, whole_number
from greengate.manifests.kube.workloads import batch_workload
from greengate.records.deployment import FactSource

GROUP = "kueue.x-k8s.io"
KIND = "Workload"

HINTS = kubernetes_hints(
    {
        "hardware.count": "request the accelerators in spec.podSets[].template.spec.containers[].resources.limits (nvidia.com/gpu: <n>), or add the annotation greengate.dev/accelerator-count: <n> to metadata.annotations",
        "replicas.min": "set the pod set's spec.podSets[].count, or add the annotation greengate.dev/replicas-min: <n> to metadata.annotations",
        "replicas.max": "set the pod set's spec.podSets[].count, or add the annotation greengate.dev/replicas-max: <n> to metadata.annotations",
    }
)


class KueueWorkloadAdapter(Adapter):
    name = "kueue"
    description = "Kueue Workload (kueue.x-k8s.io) whose pod sets run AI pods"

    def matches(self, document: Document) -> bool:
        return api_group(document) == (GROUP, KIND)

    def read(self, document: Document, context: ReadContext = NO_CONTEXT) -> AdaptResult:
        problems: list[ManifestProblem] = []
        sets = self._pod_sets(document, problems)
        for _, _, pod in sets:
            problems.extend(pod.problems)
        ai = [s for s in sets if s[2].is_ai]
        if not ai and not has_greengate_annotation(document):
            return AdaptResult(problems=problems)
        reader = FactReader(document)
        problems.extend(read_annotations(reader))
        main = max(ai, key=lambda s: s[2].devices) if ai else (sets[0] if sets else None)
        if main is not None:
            path, name, pod = main
            put_pod(reader, pod)
            for other in sets:
                if other is not main:
                    put_pod(reader, other[2], hardware=False)
            self._count(reader, document, path, name)
            anchor_pod(reader, pod, path)
            reader.anchor("replicas", (*path, "count"), path)
        where = document.location(("kind",))
        server = next((s[2].server for s in sets if s[2].server), None)
        if server is not None:
            why = f"a Workload whose pods run the model server {server} serves requests"
            put(reader, "workload", Found("inference", where, why, FactSource.DERIVED))
        else:
            name = document.get(("metadata", "name"))
            texts = [str(name or ""), *(s[1] for s in sets), *(s[2].text() for s in sets)]
            workload, why = batch_workload(*texts)
            put(
                reader,
                "workload",
                Found(workload, where, f"a Kueue Workload; {why}", FactSource.DERIVED),
            )
        reader.anchor("hardware", ("spec", "podSets"), ("spec",))
        reader.anchor("model", ("spec", "podSets"), ("spec",))
        reader.anchor("replicas", ("spec", "podSets"), ("spec",))
        return AdaptResult([finish(reader, kind=KIND, format=self.name, hints=HINTS)], problems)

    def _pod_sets(
        self, document: Document, problems: list[ManifestProblem]
    ) -> list[tuple[PathKey, str, Pod]]:
        items = document.get(("spec", "podSets"))
        if items is not None and not isinstance(items, list):
            problems.append(
                ManifestProblem(
                    document.location(("spec", "podSets")),
                    f"spec.podSets must be a list of pod sets, not {type(items).__name__}",
                )
            )
            return []
        found = []
        for i, item in enumerate(items or []):
            if not isinstance(item, dict):
                continue
            path: PathKey = ("spec", "podSets", i)
            template = (*path, "template")
            pod = read_pod(
                document, (*template, "spec"), labels=[(*template, "metadata", "labels")]
            )
            name = item.get("name")
            found.append((path, str(name) if isinstance(name, str) else str(i + 1), pod))
        return found

    def _count(self, reader: FactReader, document: Document, path: PathKey, name: str) -> None:
        raw = document.get((*path, "count"))
        value = whole_number(raw)
        if (
            raw is None
            or (value is None and not unresolved(raw))
            or (value is not None and value < 0)
        ):
            return
        detail = f"count of pod set {name} (its pods)"
        queue = document.get(("spec", "queueName"))
        if isinstance(queue, str) and queue:
            detail += f"; Kueue queue {queue}"
        found = Found(raw if value is None else value, document.location((*path, "count")), detail)
        put(reader, "replicas.min", found)
        put(reader, "replicas.max", found)
