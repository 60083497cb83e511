"""Seldon Core: SeldonDeployment (``machinelearning.seldon.io`` v1, v1alpha2, v1alpha3)
and Seldon Core 2 ``Model`` and ``Server`` (``mlops.seldon.io``).

Every SeldonDeployment, Model and Server is a deployment: they exist to
serve models.

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
  the ``replicas`` of the component that holds the model (the one whose
  containers request accelerators, else the one running the graph's
  model node, else the first): Seldon makes one Kubernetes Deployment per
  component, and a component's ``replicas`` overrides the predictor's for
  its pods; else the predictor's ``replicas``, else the object's
  ``spec.replicas``.

Model (Seldon Core 2): ``spec.storageUri`` (model), ``spec.replicas``,
``spec.minReplicas``/``maxReplicas``; ``spec.requirements`` (server
capabilities, not hardware), ``spec.memory`` and ``spec.server`` are named
in the model's detail. A Model is loaded onto a replica of a Server: when
``spec.server`` names a Server in the same file or another ``.yaml``/``.yml``
file of the folder, the Model takes that Server's hardware facts
(accelerators per replica, accelerator and instance type), pointing at the
Server's lines.

Server (Seldon Core 2): a StatefulSet of model-server pods (MLServer,
Triton: ``spec.serverConfig`` names the ServerConfig) onto which Models
are loaded at run time, so it names no model itself. ``spec.podSpec``
overrides the ServerConfig's pod (its ``containers[].resources`` request
the accelerators, its ``nodeSelector``/affinity name them);
``spec.replicas``, ``spec.minReplicas``/``maxReplicas`` are the replicas;
``capabilities``/``extraCapabilities`` are named in the workload's detail.
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
V2_KINDS = ("Model", "Server")

HINTS = kubernetes_hints(
    {
        "hardware.accelerator": "add a nodeSelector such as cloud.google.com/gke-accelerator: <type> to the predictor's componentSpecs[].spec, or the annotation greengate.dev/accelerator: <type> to metadata.annotations",
        "hardware.count": "request the accelerators in componentSpecs[].spec.containers[].resources.limits (nvidia.com/gpu: <n>), or add the annotation greengate.dev/accelerator-count: <n> to metadata.annotations",
    }
)


SERVER_HINTS = {
    **HINTS,
    "model.name": "a Seldon Server hosts the Models loaded onto it at run time; add the annotation greengate.dev/model-name: <model id> to metadata.annotations to name the model it serves",
    "hardware.count": "request the accelerators in spec.podSpec.containers[].resources.limits (nvidia.com/gpu: <n>), or add the annotation greengate.dev/accelerator-count: <n> to metadata.annotations",
    "hardware.accelerator": "add a nodeSelector such as cloud.google.com/gke-accelerator: <type> to spec.podSpec, or the annotation greengate.dev/accelerator: <type> to metadata.annotations",
}


class SeldonAdapter(Adapter):
    name = "seldon"
    description = "Seldon Core SeldonDeployment (one deployment per predictor) and Seldon Core 2 Model and Server"

    def matches(self, document: Document) -> bool:
        group, kind = api_group(document)
        return (group == V1_GROUP and kind == "SeldonDeployment") or (
            group == V2_GROUP and kind in V2_KINDS
        )

    def read(self, document: Document, context: ReadContext = NO_CONTEXT) -> AdaptResult:
        _, kind = api_group(document)
        if kind == "Model":
            return self._model(document, context)
        if kind == "Server":
            return self._server(document)
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
        main = _main_component(document, path, components)
        if main is not None:
            label = f"componentSpecs[{main}]"
            component_replicas = _whole(
                document,
                (*path, "componentSpecs", main, "replicas"),
                f"replicas of {label}, the component that runs the model (overrides the predictor's)",
            )
            put(reader, "replicas.min", component_replicas)
            put(reader, "replicas.max", component_replicas)
        replicas = _whole(document, (*path, "replicas"), "predictor replicas") or _whole(
            document, ("spec", "replicas"), "spec.replicas (for every predictor)"
        )
        put(reader, "replicas.min", replicas)
        put(reader, "replicas.max", replicas)
        anchor_pod(reader, pod, path)
        reader.anchor("model", (*path, "graph"), path)
        reader.anchor("replicas", (*path, "replicas"), path)

    def _model(self, document: Document, context: ReadContext) -> AdaptResult:
        reader = FactReader(document)
        problems = read_annotations(reader)
        uri_path = ("spec", "storageUri")
        uri = document.get(uri_path)
        requirements = document.get(("spec", "requirements"))
        memory = document.get(("spec", "memory"))
        server = document.get(("spec", "server"))
        if isinstance(uri, str) and uri.strip():
            notes = []
            if isinstance(requirements, list) and requirements:
                notes.append(f"requirements: {', '.join(str(r) for r in requirements)}")
            if isinstance(memory, str | int) and not isinstance(memory, bool):
                notes.append(f"memory {memory}")
            if isinstance(server, str) and server.strip():
                notes.append(f"server {server.strip()}")
            detail = "spec.storageUri" + (f" ({'; '.join(notes)})" if notes else "")
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
        if isinstance(server, str) and server.strip():
            host = _server_document(document, server.strip(), context)
            if host is not None:
                pod = read_pod(host, ("spec", "podSpec"))
                where = f"Server {server.strip()}"
                for name, found in (
                    ("hardware.count", pod.count),
                    ("hardware.accelerator", pod.accelerator),
                    ("hardware.instanceType", pod.instance_type),
                ):
                    if found is not None:
                        put(reader, name, found.described(f"{where} {found.detail}"))
        what = "a Seldon Model serves requests"
        put(
            reader,
            "workload",
            Found("inference", document.location(("kind",)), what, FactSource.DERIVED),
        )
        reader.anchor("model", uri_path, ("spec",))
        reader.anchor("hardware", ("spec", "server"), ("spec",))
        reader.anchor("replicas", ("spec", "replicas"), ("spec",))
        return AdaptResult([finish(reader, kind="Model", format=self.name, hints=HINTS)], problems)

    def _server(self, document: Document) -> AdaptResult:
        reader = FactReader(document)
        problems = read_annotations(reader)
        spec: PathKey = ("spec", "podSpec")
        pod = read_pod(document, spec)
        problems.extend(pod.problems)
        put_pod(reader, pod)
        replicas = _whole(document, ("spec", "replicas"), "spec.replicas")
        for name, key in (("replicas.min", "minReplicas"), ("replicas.max", "maxReplicas")):
            put(reader, name, _whole(document, ("spec", key), f"spec.{key}") or replicas)
        config = document.get(("spec", "serverConfig"))
        what = "a Seldon Server runs a model server"
        if isinstance(config, str) and config.strip():
            what += f" (ServerConfig {config.strip()})"
        what += " onto which Seldon Models are loaded"
        capabilities = [
            str(c)
            for key in ("capabilities", "extraCapabilities")
            for c in _strings(document.get(("spec", key)))
        ]
        if capabilities:
            what += f"; capabilities: {', '.join(capabilities)}"
        put(
            reader,
            "workload",
            Found("inference", document.location(("kind",)), what, FactSource.DERIVED),
        )
        anchor_pod(reader, pod, ("spec",))
        reader.anchor("replicas", ("spec", "replicas"), ("spec",))
        return AdaptResult(
            [finish(reader, kind="Server", format=self.name, hints=SERVER_HINTS)], problems
        )


def _main_component(document: Document, path: PathKey, components: Any) -> int | None:
    """The component that runs the model: it requests accelerators, or runs the graph's model node.

    Else the first component; None without components.
    """
    if not isinstance(components, list) or not components:
        return None
    names: dict[str, int] = {}
    for j, component in enumerate(components):
        spec = (*path, "componentSpecs", j, "spec")
        if not isinstance(component, dict) or not isinstance(component.get("spec"), dict):
            continue
        if read_pod(document, spec).requests_accelerators:
            return j
        containers = component["spec"].get("containers")
        for container in containers if isinstance(containers, list) else []:
            if isinstance(container, dict) and isinstance(container.get("name"), str):
                names.setdefault(container["name"], j)
    for node in _graph_nodes(document, (*path, "graph")):
        if isinstance(node.get("modelUri"), str) and node.get("name") in names:
            return names[node["name"]]
    root = document.get((*path, "graph", "name"))
    return names.get(root, 0) if isinstance(root, str) else 0


def _graph_nodes(document: Document, path: PathKey, depth: int = 0) -> Iterator[dict[str, Any]]:
    node: Any = document.get(path)
    if not isinstance(node, dict) or depth > 50:
        return
    yield node
    children = node.get("children")
    for i, _ in enumerate(children if isinstance(children, list) else []):
        yield from _graph_nodes(document, (*path, "children", i), depth + 1)


def _strings(value: Any) -> list[str]:
    return [str(v) for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _server_document(document: Document, name: str, context: ReadContext) -> Document | None:
    """The Seldon Core 2 Server called ``name`` in the model's file or folder (same namespace)."""
    namespace = document.get(("metadata", "namespace"))
    files = context.siblings(lambda file: file.lower().endswith((".yaml", ".yml")))
    files.sort(key=lambda f: f.path != document.file)
    for loaded in files:
        for candidate in loaded.documents:
            if api_group(candidate) != (V2_GROUP, "Server"):
                continue
            if candidate.get(("metadata", "name")) != name:
                continue
            other = candidate.get(("metadata", "namespace"))
            if isinstance(namespace, str) and isinstance(other, str) and other != namespace:
                continue
            return candidate
    return None


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
