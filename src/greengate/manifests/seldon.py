"""Seldon Core: SeldonDeployment (``machinelearning.seldon.io`` v1, v1alpha2, v1alpha3)
and Seldon Core 2 ``Model`` (``mlops.seldon.io``).

Every SeldonDeployment and Model is a deployment: they exist to serve models.

SeldonDeployment: one deployment per predictor, since each predictor (a
main one and its canary, say) has its own replicas and hardware. A single
predictor is named after the object; several are named
``<name>/<predictor>``. Per predictor:

- model: the first node of ``graph`` (depth first) with a ``modelUri``
  (its ``implementation``, such as ``TRITON_SERVER``, is named in the
  detail); else the containers' ``--model``/``MODEL_ID`` (see
  :mod:`~greengate.manifests.kube.pods`);
- accelerators: the containers of all ``componentSpecs[].spec`` together
  (one replica of a predictor runs all of them); type from their
  ``nodeSelector``/affinity;
- replicas: ``hpaSpec.minReplicas``/``maxReplicas`` or
  ``kedaSpec.minReplicaCount``/``maxReplicaCount`` of a component, else
  the predictor's ``replicas``, else the object's ``spec.replicas``.

Model (Seldon Core 2): ``spec.storageUri`` (model), ``spec.replicas``,
``spec.minReplicas``/``maxReplicas``; ``spec.requirements`` are named in
the model's detail (they are server capabilities, not hardware).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from greengate.load import Document, PathKey
from greengate.manifests.base import (
    NO_CONTEXT,
    Adapter,
    AdaptResult,
    FactReader,
    ManifestProblem,
    ReadContext,
)
from greengate.manifests.kube.annotations import finish, kubernetes_hints, read_annotations
from greengate.manifests.kube.containers import container_paths
from greengate.manifests.kube.engines import model_id
from greengate.manifests.kube.objects import api_group, object_name
from greengate.manifests.kube.pods import anchor_pod, put_pod, read_pod
from greengate.manifests.kube.values import Found, pick, put, whole_number
from greengate.records.deployment import FactSource

V1_GROUP = "machinelearning.seldon.io"
V2_GROUP = "mlops.seldon.io"

HINTS = kubernetes_hints(
    {
        "hardware.accelerator": "add a nodeSelector such as cloud.google.com/gke-accelerator: <type> to the predictor's componentSpecs[].spec, or the annotation greengate.dev/accelerator: <type> to metadata.annotations",
        "hardware.count": "request the accelerators in componentSpecs[].spec.containers[].resources.limits (nvidia.com/gpu: <n>), or add the annotation greengate.dev/accelerator-count: <n> to metadata.annotations",
    }
)


class SeldonAdapter(Adapter):
    name = "seldon"
    description = (
        "Seldon Core SeldonDeployment (one deployment per predictor) and Seldon Core 2 Model"
    )

    def matches(self, document: Document) -> bool:
        group, kind = api_group(document)
        return (group == V1_GROUP and kind == "SeldonDeployment") or (
            group == V2_GROUP and kind == "Model"
        )

    def read(self, document: Document, context: ReadContext = NO_CONTEXT) -> AdaptResult:
        _, kind = api_group(document)
        if kind == "Model":
            return self._model(document)
        problems: list[ManifestProblem] = []
        predictors = document.get(("spec", "predictors"))
        if not isinstance(predictors, list) or not predictors:
            reader = FactReader(document)
            problems.extend(read_annotations(reader))
            self._workload(reader, document)
            return AdaptResult([finish(reader, kind=kind, format=self.name, hints=HINTS)], problems)
        deployments = []
        base = object_name(document, kind)[0]
        for i, predictor in enumerate(predictors):
            reader = FactReader(document)
            annotation_problems = read_annotations(reader)
            if i == 0:
                problems.extend(annotation_problems)
            name = None
            if len(predictors) > 1:
                label = predictor.get("name") if isinstance(predictor, dict) else None
                name = f"{base}/{label or i + 1}"
            self._predictor(reader, document, ("spec", "predictors", i), problems)
            self._workload(reader, document)
            deployments.append(finish(reader, kind=kind, format=self.name, hints=HINTS, name=name))
        return AdaptResult(deployments, problems)

    def _workload(self, reader: FactReader, document: Document) -> None:
        what = "a SeldonDeployment serves requests"
        put(
            reader,
            "workload",
            Found("inference", document.location(("kind",)), what, FactSource.DERIVED),
        )

    def _predictor(
        self, reader: FactReader, document: Document, path: PathKey, problems: list[ManifestProblem]
    ) -> None:
        components = document.get((*path, "componentSpecs"))
        containers: list[PathKey] = []
        specs: list[PathKey] = []
        for j, component in enumerate(components if isinstance(components, list) else []):
            if isinstance(component, dict) and isinstance(component.get("spec"), dict):
                spec = (*path, "componentSpecs", j, "spec")
                specs.append(spec)
                containers.extend(container_paths(document, spec, problems))
        pod_spec = specs[0] if specs else path
        pod = read_pod(document, pod_spec, containers=containers)
        problems.extend(pod.problems)
        graph = list(_graph_models(document, (*path, "graph")))
        candidates = [*graph, *([pod.model] if pod.model is not None else [])]
        put(reader, "model.name", pick(candidates, "model"))
        put_pod(reader, pod)
        for j, _ in enumerate(components if isinstance(components, list) else []):
            component = (*path, "componentSpecs", j)
            for name, key in (("replicas.min", "minReplicas"), ("replicas.max", "maxReplicas")):
                put(reader, name, _whole(document, (*component, "hpaSpec", key), f"hpaSpec.{key}"))
            for name, key in (
                ("replicas.min", "minReplicaCount"),
                ("replicas.max", "maxReplicaCount"),
            ):
                put(
                    reader, name, _whole(document, (*component, "kedaSpec", key), f"kedaSpec.{key}")
                )
        replicas = _whole(document, (*path, "replicas"), "predictor replicas") or _whole(
            document, ("spec", "replicas"), "spec.replicas (for every predictor)"
        )
        put(reader, "replicas.min", replicas)
        put(reader, "replicas.max", replicas)
        anchor_pod(reader, pod, path)
        reader.anchor("model", (*path, "graph"), path)
        reader.anchor("replicas", (*path, "replicas"), path)

    def _model(self, document: Document) -> AdaptResult:
        reader = FactReader(document)
        problems = read_annotations(reader)
        uri_path = ("spec", "storageUri")
        uri = document.get(uri_path)
        requirements = document.get(("spec", "requirements"))
        if isinstance(uri, str) and uri.strip():
            detail = "spec.storageUri"
            if isinstance(requirements, list) and requirements:
                detail += f" (requirements: {', '.join(str(r) for r in requirements)})"
            put(reader, "model.name", Found(model_id(uri), document.location(uri_path), detail))
        replicas = _whole(document, ("spec", "replicas"), "spec.replicas")
        put(
            reader,
            "replicas.min",
            _whole(document, ("spec", "minReplicas"), "spec.minReplicas") or replicas,
        )
        put(
            reader,
            "replicas.max",
            _whole(document, ("spec", "maxReplicas"), "spec.maxReplicas") or replicas,
        )
        what = "a Seldon Model serves requests"
        put(
            reader,
            "workload",
            Found("inference", document.location(("kind",)), what, FactSource.DERIVED),
        )
        reader.anchor("model", uri_path, ("spec",))
        reader.anchor("hardware", ("spec",))
        reader.anchor("replicas", ("spec", "replicas"), ("spec",))
        return AdaptResult([finish(reader, kind="Model", format=self.name, hints=HINTS)], problems)


def _whole(document: Document, path: PathKey, detail: str) -> Found | None:
    raw = document.get(path)
    value = whole_number(raw)
    if value is None or value < 0:
        return None
    return Found(value, document.location(path), detail)


def _graph_models(document: Document, path: PathKey, depth: int = 0) -> Iterator[Found]:
    """``modelUri`` of the inference graph's nodes, depth first."""
    node: Any = document.get(path)
    if not isinstance(node, dict) or depth > 50:
        return
    uri = node.get("modelUri")
    if isinstance(uri, str) and uri.strip():
        implementation = node.get("implementation")
        detail = f"graph node {node.get('name')} modelUri" + (
            f" ({implementation})" if implementation else ""
        )
        yield Found(model_id(uri), document.location((*path, "modelUri")), detail)
    children = node.get("children")
    for i, _ in enumerate(children if isinstance(children, list) else []):
        yield from _graph_models(document, (*path, "children", i), depth + 1)
