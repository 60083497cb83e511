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

from greengate.load import Document
from greengate.manifests.base import NO_CONTEXT, Adapter, AdaptResult, ReadContext
from greengate.manifests.kube.annotations import kubernetes_hints
from greengate.manifests.kube.groups import GroupedKind, read_pod_groups
from greengate.manifests.kube.objects import api_group

GROUP = "kueue.x-k8s.io"
KIND = "Workload"

HINTS = kubernetes_hints(
    {
        "hardware.count": "request the accelerators in spec.podSets[].template.spec.containers[].resources.limits (nvidia.com/gpu: <n>), or add the annotation greengate.dev/accelerator-count: <n> to metadata.annotations",
        "replicas.min": "set the pod set's spec.podSets[].count, or add the annotation greengate.dev/replicas-min: <n> to metadata.annotations",
        "replicas.max": "set the pod set's spec.podSets[].count, or add the annotation greengate.dev/replicas-max: <n> to metadata.annotations",
    }
)


def _notes(document: Document) -> list[str]:
    queue = document.get(("spec", "queueName"))
    return [f"Kueue queue {queue}"] if isinstance(queue, str) and queue else []


POD_SETS = GroupedKind(
    kind=KIND,
    what="a Kueue Workload",
    groups=("spec", "podSets"),
    group="pod set",
    plural="pod sets",
    count="count",
    notes=_notes,
)


class KueueWorkloadAdapter(Adapter):
    name = "kueue"
    description = "Kueue Workload (kueue.x-k8s.io) whose pod sets run AI pods"

    def matches(self, document: Document) -> bool:
        return api_group(document) == (GROUP, KIND)

    def read(self, document: Document, context: ReadContext = NO_CONTEXT) -> AdaptResult:
        return read_pod_groups(document, POD_SETS, format=self.name, hints=HINTS)
