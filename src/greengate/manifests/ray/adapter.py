"""The KubeRay adapter: which objects are its format, whether one is AI, and which facts it gives.

The reading is spread over the package and put together here, in the order
facts are recorded (the first value recorded for a fact wins): the cluster's
groups (:mod:`~greengate.manifests.ray.groups`), the YAML inside
``serveConfigV2``/``runtimeEnvYAML`` (:mod:`~greengate.manifests.ray.embedded`),
what Serve says (:mod:`~greengate.manifests.ray.serve`) and what a runtime
environment names and installs (:mod:`~greengate.manifests.ray.runtime_env`). The
worker group replica counts (which depend on the cluster's autoscaling) and
the workload (which depends on the kind) are read here.
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
from greengate.manifests.kube.pods import anchor_pod, put_pod
from greengate.manifests.kube.values import Found, multiplied, pick, put, unresolved, whole_number
from greengate.manifests.kube.workloads import batch_workload
from greengate.manifests.ray.embedded import embedded
from greengate.manifests.ray.groups import (
    Group,
    pod_models,
    primary_group,
    put_node_labels,
    read_groups,
)
from greengate.manifests.ray.runtime_env import ml_packages, runtime_models
from greengate.manifests.ray.serve import Serve
from greengate.records.deployment import FactSource

GROUP = "ray.io"
CLUSTER_PATHS: dict[str, PathKey] = {
    "RayCluster": ("spec",),
    "RayService": ("spec", "rayClusterConfig"),
    "RayJob": ("spec", "rayClusterSpec"),
}

HINTS = kubernetes_hints(
    {
        "hardware.accelerator": "add a nodeSelector such as cloud.google.com/gke-accelerator: <type> to the worker group's template.spec, or the annotation greengate.dev/accelerator: <type> to metadata.annotations",
        "hardware.count": "request the accelerators in the worker group's container resources.limits (nvidia.com/gpu: <n>), or add the annotation greengate.dev/accelerator-count: <n> to metadata.annotations",
    }
)


class RayAdapter(Adapter):
    name = "ray"
    description = "KubeRay RayService, RayCluster and RayJob with accelerators or model servers"

    def matches(self, document: Document) -> bool:
        group, kind = api_group(document)
        return group == GROUP and kind in CLUSTER_PATHS

    def read(self, document: Document, context: ReadContext = NO_CONTEXT) -> AdaptResult:
        _, kind = api_group(document)
        cluster = CLUSTER_PATHS[kind]
        problems: list[ManifestProblem] = []
        groups = read_groups(document, cluster)
        for group in groups:
            problems.extend(group.pod.problems)
        serve = (
            embedded(document, ("spec", "serveConfigV2"), "spec.serveConfigV2")
            if kind == "RayService"
            else None
        )
        runtime = (
            embedded(document, ("spec", "runtimeEnvYAML"), "spec.runtimeEnvYAML")
            if kind == "RayJob"
            else None
        )
        for part in (serve, runtime):
            if part is not None:
                problems.extend(part.problems)
        apps = Serve(serve) if serve is not None else Serve(None)
        if not (
            any(
                g.devices or g.pod.is_ai or (g.count is not None and unresolved(g.count.value))
                for g in groups
            )
            or apps.is_ai
            or ml_packages(runtime)
            or has_greengate_annotation(document)
        ):
            return AdaptResult(problems=problems)
        reader = FactReader(document)
        problems.extend(read_annotations(reader))
        primary = primary_group(groups)
        put(
            reader,
            "model.name",
            pick([*apps.models, *runtime_models(runtime), *pod_models(groups)], "model"),
        )
        if primary is not None:
            count = multiplied(primary.count, primary.hosts, f"{primary.hosts} hosts (numOfHosts)")
            put_pod(reader, primary.pod, count=count)
            self._replicas(reader, document, cluster, primary)
            put_node_labels(reader, document, primary)
        else:
            put(reader, "hardware.count", apps.gpus)
            put(reader, "replicas.min", apps.replicas_min)
            put(reader, "replicas.max", apps.replicas_max)
        put(reader, "hardware.accelerator", apps.accelerator)
        if primary is not None:
            put_node_labels(reader, document, primary, accelerator=True)
        put(reader, "rateLimits.concurrency", apps.concurrency)
        put(reader, "model.precision", apps.precision)
        for group in groups:
            put_pod(reader, group.pod, hardware=False)
        self._workload(reader, document, kind, groups)
        if primary is not None:
            anchor_pod(reader, primary.pod, primary.path)
            reader.anchor("replicas", (*primary.path, "replicas"), primary.path)
        reader.anchor("hardware", (*cluster, "workerGroupSpecs"), cluster, ("spec",))
        reader.anchor("model", ("spec", "serveConfigV2"), ("spec",))
        return AdaptResult([finish(reader, kind=kind, format=self.name, hints=HINTS)], problems)

    def _replicas(
        self, reader: FactReader, document: Document, cluster: PathKey, group: Group
    ) -> None:
        if group.head:
            return
        autoscaling = document.get((*cluster, "enableInTreeAutoscaling")) is True
        keys = ("minReplicas", "maxReplicas") if autoscaling else ("replicas", "replicas")
        for name, key in zip(("replicas.min", "replicas.max"), keys, strict=True):
            path = (*group.path, key)
            value = whole_number(document.get(path))
            if value is None and not autoscaling:
                path = (*group.path, "minReplicas" if name == "replicas.min" else "maxReplicas")
                value = whole_number(document.get(path))
            if value is not None and value >= 0:
                why = "the cluster autoscales" if autoscaling else "the cluster does not autoscale"
                put(
                    reader,
                    name,
                    Found(
                        value,
                        document.location(path),
                        f"worker group {group.name} {path[-1]} ({why})",
                    ),
                )

    def _workload(
        self, reader: FactReader, document: Document, kind: str, groups: list[Group]
    ) -> None:
        where = document.location(("kind",))
        if kind == "RayService":
            put(
                reader,
                "workload",
                Found("inference", where, "a RayService serves requests", FactSource.DERIVED),
            )
            return
        name = (
            document.get(("metadata", "name")) or document.get(("metadata", "generateName")) or ""
        )
        entrypoint = document.get(("spec", "entrypoint"))
        texts = [str(name), str(entrypoint or ""), *(g.pod.text() for g in groups)]
        workload, why = batch_workload(*texts)
        if kind == "RayCluster" and workload == "batch":
            return  # a bare cluster runs whatever is submitted to it
        what = "a RayJob runs to completion" if kind == "RayJob" else "a RayCluster"
        put(reader, "workload", Found(workload, where, f"{what}; {why}", FactSource.DERIVED))
