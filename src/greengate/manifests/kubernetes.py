"""Kubernetes workloads: Deployment, StatefulSet, Job, CronJob, LeaderWorkerSet, JobSet.

Only AI workloads become deployments: a pod template that requests an
accelerator (``nvidia.com/gpu``, ``google.com/tpu``...), selects accelerator
nodes, or runs a recognised model server (vLLM, TGI, Triton, TorchServe,
TF Serving, SGLang, llama.cpp, Ollama, JetStream, NIM...), or an object with
any ``greengate.dev/*`` annotation. Anything else (an nginx Deployment) is
not a deployment and is skipped without a finding.

What a replica is, per kind:

- Deployment, StatefulSet: a pod; ``replicas`` is ``spec.replicas``.
- Job, CronJob: a pod; ``replicas`` is ``spec.parallelism`` (pods at once).
- LeaderWorkerSet: a group of ``size`` pods serving one copy of the model;
  ``hardware.count`` is the leader's accelerators plus ``size - 1`` times a
  worker's; ``replicas`` is ``spec.replicas`` (groups).
- JobSet: one child Job of the replicated job that holds the accelerators;
  ``hardware.count`` is one pod's accelerators times the Job's
  ``parallelism``; ``replicas`` is that replicated job's ``replicas``.

Workload: Deployment, StatefulSet and LeaderWorkerSet serve (``inference``);
Job, CronJob and JobSet are ``fine-tuning`` or ``training`` when their name,
containers or command lines name a fine-tuning or training entrypoint
(:func:`~greengate.manifests.kube.workloads.batch_workload`), else ``batch``.
"""

from __future__ import annotations

from dataclasses import dataclass

from greengate.load import Document, PathKey
from greengate.manifests.base import NO_CONTEXT, Adapter, AdaptResult, FactReader, ReadContext
from greengate.manifests.kube.annotations import (
    finish,
    has_greengate_annotation,
    kubernetes_hints,
    read_annotations,
)
from greengate.manifests.kube.claims import ClaimIndex
from greengate.manifests.kube.objects import api_group
from greengate.manifests.kube.pods import Pod, anchor_pod, put_pod, read_pod
from greengate.manifests.kube.values import Found, multiplied, put, unresolved, whole_number
from greengate.manifests.kube.workloads import batch_workload
from greengate.records.deployment import FactSource

_KINDS = {
    "apps": ("Deployment", "StatefulSet"),
    "extensions": ("Deployment",),
    "batch": ("Job", "CronJob"),
    "leaderworkerset.x-k8s.io": ("LeaderWorkerSet",),
    "jobset.x-k8s.io": ("JobSet",),
}
SERVING_KINDS = ("Deployment", "StatefulSet", "LeaderWorkerSet")

HINTS = kubernetes_hints()


@dataclass
class _Shape:
    """Where a kind keeps its pods, and how they add up to one replica."""

    pod: Pod
    count: Found | None
    replicas: PathKey | None
    replicas_detail: str
    others: list[Pod]


class KubernetesAdapter(Adapter):
    name = "kubernetes"
    description = "Kubernetes Deployment, StatefulSet, Job, CronJob, LeaderWorkerSet and JobSet running AI workloads"

    def matches(self, document: Document) -> bool:
        group, kind = api_group(document)
        return kind in _KINDS.get(group, ())

    def read(self, document: Document, context: ReadContext = NO_CONTEXT) -> AdaptResult:
        _, kind = api_group(document)
        shape = self._shape(document, kind, ClaimIndex(document, context))
        problems = [p for pod in [shape.pod, *shape.others] for p in pod.problems]
        if not any(p.is_ai for p in [shape.pod, *shape.others]) and not has_greengate_annotation(
            document
        ):
            return AdaptResult(problems=problems)
        reader = FactReader(document)
        problems.extend(read_annotations(reader))
        pod = shape.pod
        put_pod(reader, pod, count=shape.count)
        if shape.replicas is not None:
            raw = document.get(shape.replicas)
            value = whole_number(raw)
            if (value is not None and value >= 0) or unresolved(raw):
                where = document.location(shape.replicas)
                found = Found(raw if value is None else value, where, shape.replicas_detail)
                put(reader, "replicas.min", found)
                put(reader, "replicas.max", found)
        self._workload(reader, document, kind, [pod, *shape.others])
        anchor_pod(reader, pod, ("spec",))
        reader.anchor("replicas", *([shape.replicas] if shape.replicas else []), ("spec",))
        return AdaptResult([finish(reader, kind=kind, format=self.name, hints=HINTS)], problems)

    def _workload(self, reader: FactReader, document: Document, kind: str, pods: list[Pod]) -> None:
        if kind in SERVING_KINDS:
            workload, why = "inference", f"a {kind} serves requests"
        else:
            name = (
                document.get(("metadata", "name"))
                or document.get(("metadata", "generateName"))
                or ""
            )
            workload, why = batch_workload(str(name), *(p.text() for p in pods))
            why = f"a {kind} runs to completion; {why}"
        put(
            reader,
            "workload",
            Found(workload, document.location(("kind",)), why, FactSource.DERIVED),
        )

    def _shape(self, document: Document, kind: str, claims: ClaimIndex) -> _Shape:
        if kind == "LeaderWorkerSet":
            return self._leader_worker_set(document, claims)
        if kind == "JobSet":
            return self._job_set(document, claims)
        job: PathKey = ("spec", "jobTemplate", "spec") if kind == "CronJob" else ("spec",)
        template = (*job, "template")
        pod = _pod(document, template, claims, extra_labels=[("metadata", "labels")])
        if kind in ("Job", "CronJob"):
            replicas: PathKey = (*job, "parallelism")
            detail = "parallelism (pods running at once)"
        else:
            replicas, detail = ("spec", "replicas"), "spec.replicas"
        present = replicas if document.get(replicas) is not None else None
        return _Shape(pod, pod.count, present, detail, [])

    def _leader_worker_set(self, document: Document, claims: ClaimIndex) -> _Shape:
        base: PathKey = ("spec", "leaderWorkerTemplate")
        has_leader = isinstance(document.get((*base, "leaderTemplate")), dict)
        worker_path = (*base, "workerTemplate")
        worker = _pod(document, worker_path, claims)
        leader = _pod(document, (*base, "leaderTemplate"), claims) if has_leader else worker
        size_raw = document.get((*base, "size"))
        size = whole_number(size_raw) if size_raw is not None else 1
        size = size if size is not None and size > 0 else 1
        main = leader if leader.is_ai or not worker.is_ai else worker
        count = _group_count(leader, worker, size)
        # Facts other than the count come from the leader, else the workers.
        pod = _merged(main, worker if main is leader else leader)
        replicas = ("spec", "replicas") if document.get(("spec", "replicas")) is not None else None
        others = [p for p in (leader, worker) if p is not pod]
        return _Shape(
            pod,
            count,
            replicas,
            "spec.replicas (groups)",
            others,
        )

    def _job_set(self, document: Document, claims: ClaimIndex) -> _Shape:
        jobs = document.get(("spec", "replicatedJobs"))
        candidates: list[tuple[int, int, Pod, PathKey]] = []
        for i, job in enumerate(jobs if isinstance(jobs, list) else []):
            if not isinstance(job, dict):
                continue
            template: PathKey = ("spec", "replicatedJobs", i, "template", "spec", "template")
            pod = _pod(document, template, claims)
            parallelism = whole_number(
                document.get(("spec", "replicatedJobs", i, "template", "spec", "parallelism"))
            )
            parallelism = parallelism if parallelism is not None and parallelism > 0 else 1
            candidates.append(
                (pod.devices * parallelism, parallelism, pod, ("spec", "replicatedJobs", i))
            )
        if not candidates:
            return _Shape(Pod(("spec",)), None, None, "", [])
        ai = [c for c in candidates if c[2].is_ai] or candidates
        _, parallelism, pod, job = max(ai, key=lambda c: c[0])
        name = document.get((*job, "name"))
        count = multiplied(
            pod.count, parallelism, f"{parallelism} pods (parallelism of replicated job {name})"
        )
        replicas = (*job, "replicas") if document.get((*job, "replicas")) is not None else None
        others = [c[2] for c in candidates if c[2] is not pod]
        return _Shape(
            pod,
            count,
            replicas,
            f"replicas of replicated job {name} (child Jobs)",
            others,
        )


def _pod(
    document: Document,
    template: PathKey,
    claims: ClaimIndex,
    extra_labels: list[PathKey] | None = None,
) -> Pod:
    labels = [(*template, "metadata", "labels"), *(extra_labels or [])]
    return read_pod(document, (*template, "spec"), labels=labels, claims=claims)


def _group_count(leader: Pod, worker: Pod, size: int) -> Found | None:
    """Accelerators in one LeaderWorkerSet group: the leader's plus ``size - 1`` workers'."""
    if leader is worker:
        return multiplied(worker.count, size, f"{size} pods (size)")
    if size == 1:
        return leader.count
    first = leader.count if leader.devices else worker.count
    if first is None or not isinstance(first.value, int):
        return leader.count or worker.count
    total = leader.devices + worker.devices * (size - 1)
    detail = f"leader {leader.devices} + {size - 1} workers x {worker.devices} (size {size})"
    return Found(total, first.location, detail, FactSource.DERIVED)


def _merged(main: Pod, other: Pod) -> Pod:
    """``main`` with the facts it lacks taken from ``other`` (the rest of the group)."""
    for name in (
        "model",
        "accelerator",
        "instance_type",
        "concurrency",
        "parallel",
        "task",
        "precision",
        "server",
        "node_count",
    ):
        if getattr(main, name) is None:
            setattr(main, name, getattr(other, name))
    return main
