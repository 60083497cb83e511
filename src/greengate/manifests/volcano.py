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

from dataclasses import dataclass

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

GROUP = "batch.volcano.sh"
KIND = "Job"

HINTS = kubernetes_hints(
    {
        "hardware.count": "request the accelerators in spec.tasks[].template.spec.containers[].resources.limits (nvidia.com/gpu: <n>), or add the annotation greengate.dev/accelerator-count: <n> to metadata.annotations",
        "replicas.min": "set the task's spec.tasks[].replicas, or add the annotation greengate.dev/replicas-min: <n> to metadata.annotations",
        "replicas.max": "set the task's spec.tasks[].replicas, or add the annotation greengate.dev/replicas-max: <n> to metadata.annotations",
    }
)


@dataclass
class _Task:
    path: PathKey
    name: str
    pod: Pod


class VolcanoJobAdapter(Adapter):
    name = "volcano"
    description = "Volcano Job (batch.volcano.sh) running AI tasks"

    def matches(self, document: Document) -> bool:
        return api_group(document) == (GROUP, KIND)

    def read(self, document: Document, context: ReadContext = NO_CONTEXT) -> AdaptResult:
        problems: list[ManifestProblem] = []
        tasks = self._tasks(document, problems)
        for task in tasks:
            problems.extend(task.pod.problems)
        ai = [t for t in tasks if t.pod.is_ai]
        if not ai and not has_greengate_annotation(document):
            return AdaptResult(problems=problems)
        reader = FactReader(document)
        problems.extend(read_annotations(reader))
        main = max(ai, key=lambda t: t.pod.devices) if ai else (tasks[0] if tasks else None)
        if main is not None:
            put_pod(reader, main.pod)
            for other in tasks:
                if other is not main:
                    put_pod(reader, other.pod, hardware=False)
            self._replicas(reader, document, main)
            anchor_pod(reader, main.pod, main.path)
            reader.anchor("replicas", (*main.path, "replicas"), main.path, ("spec",))
        self._workload(reader, document, tasks)
        reader.anchor("hardware", ("spec", "tasks"), ("spec",))
        reader.anchor("model", ("spec", "tasks"), ("spec",))
        reader.anchor("replicas", ("spec", "tasks"), ("spec",))
        return AdaptResult([finish(reader, kind=KIND, format=self.name, hints=HINTS)], problems)

    def _tasks(self, document: Document, problems: list[ManifestProblem]) -> list[_Task]:
        items = document.get(("spec", "tasks"))
        if items is not None and not isinstance(items, list):
            problems.append(
                ManifestProblem(
                    document.location(("spec", "tasks")),
                    f"spec.tasks must be a list of tasks, not {type(items).__name__}",
                )
            )
            return []
        tasks = []
        for i, item in enumerate(items or []):
            if not isinstance(item, dict):
                continue
            path: PathKey = ("spec", "tasks", i)
            template = (*path, "template")
            pod = read_pod(
                document, (*template, "spec"), labels=[(*template, "metadata", "labels")]
            )
            name = item.get("name")
            tasks.append(_Task(path, str(name) if isinstance(name, str) else str(i + 1), pod))
        return tasks

    def _replicas(self, reader: FactReader, document: Document, task: _Task) -> None:
        path = (*task.path, "replicas")
        raw = document.get(path)
        value = whole_number(raw)
        if (
            raw is None
            or (value is None and not unresolved(raw))
            or (value is not None and value < 0)
        ):
            return
        notes = [f"replicas of task {task.name} (its pods)"]
        minimum = document.get(("spec", "minAvailable"))
        if minimum is not None:
            notes.append(f"the gang starts with minAvailable {minimum} pods")
        queue = document.get(("spec", "queue"))
        if isinstance(queue, str) and queue:
            notes.append(f"Volcano queue {queue}")
        found = Found(raw if value is None else value, document.location(path), "; ".join(notes))
        put(reader, "replicas.min", found)
        put(reader, "replicas.max", found)

    def _workload(self, reader: FactReader, document: Document, tasks: list[_Task]) -> None:
        where = document.location(("kind",))
        server = next((t.pod.server for t in tasks if t.pod.server), None)
        if server is not None:
            why = f"a Volcano Job whose tasks run the model server {server} serves requests"
            put(reader, "workload", Found("inference", where, why, FactSource.DERIVED))
            return
        name = document.get(("metadata", "name")) or document.get(("metadata", "generateName"))
        texts = [str(name or ""), *(t.name for t in tasks), *(t.pod.text() for t in tasks)]
        workload, why = batch_workload(*texts)
        why = f"a Volcano Job runs to completion; {why}"
        put(reader, "workload", Found(workload, where, why, FactSource.DERIVED))
