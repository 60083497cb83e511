"""Volcano (``batch.volcano.sh``): the Volcano Job.

A Volcano Job is a gang of tasks (``spec.tasks[*]``), each ``replicas``
pods of one pod ``template``, scheduled together (``minAvailable`` pods at
least) from a Volcano ``queue``. Only an AI job becomes a deployment: one
whose tasks request accelerators, select accelerator nodes or run a
recognised model server (see :mod:`~greengate.manifests.kube.pods`), or
that has a ``greengate.dev/*`` annotation; anything else (an nginx gang) is
skipped without a finding, as for a Kubernetes Job.

The task read is the one that holds the accelerators (the most per task,
as for a JobSet's replicated jobs; else the first AI task), and a replica
is one of its pods:

- ``hardware.count`` is one pod's accelerators (the task template's
  ``resources``); its type and the instance type come from the template's
  ``nodeSelector``/affinity;
- ``replicas`` is that task's ``replicas`` (its pods), so count x replicas
  is the task's hardware. The other tasks (an MPI launcher, a parameter
  server without accelerators) add no accelerators. ``minAvailable`` and
  ``queue`` are named in the detail of ``replicas``;
- the model and the server's settings come from that task's containers,
  else from the other tasks'.

Workload: ``inference`` when a task runs a recognised model server (Volcano
also gangs vLLM servers), else ``fine-tuning``, ``training`` or ``batch``
by the markers of
:func:`~greengate.manifests.kube.workloads.batch_workload` in the job's
name, the task names and the containers.
"""

from __future__ import annotations

from greengate.load import Document
from greengate.manifests.base import NO_CONTEXT, Adapter, AdaptResult, ReadContext
from greengate.manifests.kube.annotations import kubernetes_hints
from greengate.manifests.kube.groups import GroupedKind, read_pod_groups
from greengate.manifests.kube.objects import api_group

GROUP = "batch.volcano.sh"
KIND = "Job"

HINTS = kubernetes_hints(
    {
        "hardware.count": "request the accelerators in spec.tasks[].template.spec.containers[].resources.limits (nvidia.com/gpu: <n>), or add the annotation greengate.dev/accelerator-count: <n> to metadata.annotations",
        "replicas.min": "set the task's spec.tasks[].replicas, or add the annotation greengate.dev/replicas-min: <n> to metadata.annotations",
        "replicas.max": "set the task's spec.tasks[].replicas, or add the annotation greengate.dev/replicas-max: <n> to metadata.annotations",
    }
)


def _notes(document: Document) -> list[str]:
    notes = []
    minimum = document.get(("spec", "minAvailable"))
    if minimum is not None:
        notes.append(f"the gang starts with minAvailable {minimum} pods")
    queue = document.get(("spec", "queue"))
    if isinstance(queue, str) and queue:
        notes.append(f"Volcano queue {queue}")
    return notes


TASKS = GroupedKind(
    kind=KIND,
    what="a Volcano Job",
    groups=("spec", "tasks"),
    group="task",
    plural="tasks",
    count="replicas",
    notes=_notes,
    batch="runs to completion",
)


class VolcanoJobAdapter(Adapter):
    name = "volcano"
    description = "Volcano Job (batch.volcano.sh) running AI tasks"

    def matches(self, document: Document) -> bool:
        return api_group(document) == (GROUP, KIND)

    def read(self, document: Document, context: ReadContext = NO_CONTEXT) -> AdaptResult:
        return read_pod_groups(document, TASKS, format=self.name, hints=HINTS)
