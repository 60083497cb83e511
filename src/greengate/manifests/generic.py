"""Any other Kubernetes-style object that runs pods: the fallback, tried after every other adapter.

An object with an ``apiVersion`` and a ``kind`` that no adapter claims
(a ``v1`` Pod, a Knative Service, an Argo Workflow, a Kubeflow Notebook, a
KEDA ScaledJob, an operator's custom resource) is searched for pod specs,
with a walk bounded in depth and in the number of values it visits:

- a mapping with a ``containers`` list of mappings is a pod spec
  (``spec.template.spec``, ``spec.podSpec``, ``workers[*].template.spec``,
  ``spec.tasks[*].template.spec``, a bare ``spec`` with ``containers``...);
- a mapping with a single ``container`` mapping that has an ``image`` is a
  one-container pod spec (Argo Workflows templates);
- a mapping whose ``resources.limits`` (or ``requests``) name an accelerator
  (``nvidia.com/gpu``, ``aws.amazon.com/neuron``...; see
  :mod:`greengate.manifests.kube.resources`) outside any pod spec is read as
  one container (an operator's ``spec.resources``).

Each is read with the same pod helpers as Kubernetes workloads
(:func:`~greengate.manifests.kube.pods.read_pod`), DRA claims included. The
object is a deployment when one of its pods requests an accelerator, selects
accelerator nodes, runs a recognised model server or names a model, or when
it has a ``greengate.dev/*`` annotation; a CPU-only object that names no
model and no model server is not one, and is skipped without a finding (and
so are its odd shapes: greengate does not know the kind's schema).

With several pod specs, the facts come from the one that requests the most
accelerators (then one that runs a model server, then the first), as for a
JobSet. ``replicas`` is a whole-number ``replicas`` beside that pod's
``template`` (or beside the ``resources`` read as a container), else
``spec.replicas``. A ``List`` (``kubectl get -o yaml``) is read item by
item, each its own deployment. The workload is ``inference`` when a recognised model
server runs, ``fine-tuning`` or ``training`` when the name or command lines
say so (:func:`~greengate.manifests.kube.workloads.batch_workload`), and
otherwise missing: greengate cannot tell what an unknown kind does. The
deployment keeps its ``kind`` and says in a note (``greengate explain``)
that it was read generically, with its ``apiVersion`` and the pod spec used.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

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
from greengate.manifests.kube.resources import accelerator_resource
from greengate.manifests.kube.values import Found, put, unresolved, whole_number
from greengate.manifests.kube.workloads import batch_workload
from greengate.records.deployment import FactSource

MAX_DEPTH = 24
"""How deep the walk looks for pod specs."""
MAX_VALUES = 20_000
"""How many values of one document the walk visits at most."""
MAX_PODS = 64
"""How many pod specs of one object are read at most."""

TEMPLATE_KINDS = frozenset(
    {
        "ServingRuntime",
        "ClusterServingRuntime",
        "LLMInferenceServiceConfig",
        "PodTemplate",
        "CustomResourceDefinition",
    }
)
"""Kinds that describe pods for others to run (a KServe runtime, a CRD schema), never run them."""

_SKIPPED_KEYS = frozenset({"metadata", "status"})

HINTS = kubernetes_hints(
    {
        "workload": "add the annotation greengate.dev/workload: <inference|training|fine-tuning|batch> "
        "to metadata.annotations (greengate reads this kind generically and cannot tell what it runs)",
    }
)


def _requests_accelerators(resources: dict[str, Any]) -> bool:
    for section in ("limits", "requests"):
        values = resources.get(section)
        if isinstance(values, dict) and any(accelerator_resource(str(k)) for k in values):
            return True
    return False


def pod_spec_paths(data: Any, base: PathKey = ()) -> list[tuple[PathKey, list[PathKey] | None]]:
    """Pod specs anywhere in ``data``, in document order: ``(spec path, container paths)``.

    Container paths are None for a spec with a ``containers`` list (read as a
    pod reads them), else the one mapping read as the container.
    """
    found: list[tuple[PathKey, list[PathKey] | None]] = []
    stack: list[tuple[PathKey, Any]] = [(base, data)]
    visited = 0
    while stack and visited < MAX_VALUES and len(found) < MAX_PODS:
        path, node = stack.pop()
        visited += 1
        children: list[tuple[PathKey, Any]] = []
        if isinstance(node, dict):
            containers = node.get("containers")
            if isinstance(containers, list) and any(isinstance(c, dict) for c in containers):
                found.append((path, None))
                continue
            container = node.get("container")
            if isinstance(container, dict) and isinstance(container.get("image"), str):
                found.append((path, [(*path, "container")]))
                continue
            resources = node.get("resources")
            if path != base and isinstance(resources, dict) and _requests_accelerators(resources):
                found.append((path, [path]))
                continue
            children = [
                ((*path, key), value)
                for key, value in node.items()
                if isinstance(value, dict | list) and not (path == base and key in _SKIPPED_KEYS)
            ]
        elif isinstance(node, list):
            children = [
                ((*path, i), value)
                for i, value in enumerate(node)
                if isinstance(value, dict | list)
            ]
        if len(path) - len(base) < MAX_DEPTH:
            stack.extend(reversed(children))
    return found


def _dotted(path: PathKey) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(the document)"


class GenericAdapter(Adapter):
    name = "generic"
    description = (
        "any other Kubernetes-style object (Pod, Knative Service, Argo Workflow, Notebook, "
        "operator resources...) whose pods request accelerators or run a model server"
    )

    def matches(self, document: Document) -> bool:
        _, kind = api_group(document)
        return bool(kind) and kind not in TEMPLATE_KINDS

    def read(self, document: Document, context: ReadContext = NO_CONTEXT) -> AdaptResult:
        claims = ClaimIndex(document, context)
        data = document.data
        items = data.get("items") if isinstance(data, dict) else None
        if isinstance(data, dict) and data.get("kind") == "List" and isinstance(items, list):
            # kubectl's List: each item is an object of its own.
            result = AdaptResult()
            for i, item in enumerate(items):
                if isinstance(item, dict) and isinstance(item.get("kind"), str):
                    one = self._object(document, ("items", i), claims)
                    result.deployments.extend(one.deployments)
                    result.problems.extend(one.problems)
            return result
        return self._object(document, (), claims)

    def _object(self, document: Document, base: PathKey, claims: ClaimIndex) -> AdaptResult:
        """The object at ``base`` (the document itself, or an item of a List)."""
        kind = str(document.get((*base, "kind")))
        metadata: PathKey = (*base, "metadata")
        pods = [
            read_pod(
                document,
                spec,
                containers=containers,
                labels=_labels(spec, metadata),
                claims=claims,
            )
            for spec, containers in pod_spec_paths(document.get(base), base)
        ]
        annotated = has_greengate_annotation(document, metadata)
        relevant = [p for p in pods if p.is_ai or p.model is not None]
        if not relevant and not annotated:
            return AdaptResult()
        reader = FactReader(document)
        problems = read_annotations(reader, metadata)
        problems.extend(p for pod in pods for p in pod.problems)
        pod = _chosen(relevant or pods)
        spec: PathKey = (*base, "spec")
        if pod is not None:
            put_pod(reader, pod)
            _replicas(reader, document, pod, spec)
            _workload(reader, document, pod, kind, base)
            anchor_pod(reader, pod, spec)
        if "replicas" not in reader.anchors:
            reader.anchor("replicas", spec)
        deployment = finish(reader, kind=kind, format=self.name, hints=HINTS, metadata=metadata)
        notes = _notes(document, base, kind, pod, pods)
        return AdaptResult([replace(deployment, notes=notes)], problems)


def _labels(spec: PathKey, metadata: PathKey) -> list[PathKey]:
    labels: list[PathKey] = [(*metadata, "labels")]
    if spec and spec[-1] == "spec":
        labels.insert(0, (*spec[:-1], "metadata", "labels"))
    return labels


def _chosen(pods: list[Pod]) -> Pod | None:
    """The pod that holds the accelerators, then one that serves, then the first."""
    if not pods:
        return None
    return max(pods, key=lambda p: (p.devices, p.requests_accelerators, p.server is not None))


def _replicas(reader: FactReader, document: Document, pod: Pod, object_spec: PathKey) -> None:
    spec = pod.spec
    candidates: list[tuple[PathKey, str]] = []
    if len(spec) >= 2 and spec[-2:] == ("template", "spec"):
        candidates.append(((*spec[:-2], "replicas"), "replicas beside the pod template"))
    elif pod.containers and pod.containers[0].path == spec and spec:
        candidates.append(((*spec, "replicas"), "replicas beside the resources"))
    candidates.append(((*object_spec, "replicas"), "spec.replicas"))
    for path, detail in candidates:
        raw = document.get(path)
        if raw is None:
            continue
        value = whole_number(raw)
        if (value is not None and value >= 0) or unresolved(raw):
            found = Found(raw if value is None else value, document.location(path), detail)
            put(reader, "replicas.min", found)
            put(reader, "replicas.max", found)
            reader.anchor("replicas", path)
            return


def _workload(reader: FactReader, document: Document, pod: Pod, kind: str, base: PathKey) -> None:
    where = document.location((*base, "kind"))
    if pod.server is not None:
        why = f"a recognised model server ({pod.server}) serves requests"
        put(reader, "workload", Found("inference", where, why, FactSource.DERIVED))
        return
    name = (
        document.get((*base, "metadata", "name"))
        or document.get((*base, "metadata", "generateName"))
        or ""
    )
    workload, why = batch_workload(str(name), pod.text())
    if workload != "batch":
        put(reader, "workload", Found(workload, where, f"a {kind}: {why}", FactSource.DERIVED))


def _notes(
    document: Document, base: PathKey, kind: str, pod: Pod | None, pods: list[Pod]
) -> tuple[str, ...]:
    api = document.get((*base, "apiVersion"))
    if base:
        where = f"item {base[-1]} of a List (greengate reads the items of a List generically)"
        notes = [
            f"read generically: {api} {kind}, {where}; its pods were read as Kubernetes pod specs"
        ]
    else:
        notes = [
            f"read generically: greengate has no adapter for {api} {kind}, so its pods were read as Kubernetes pod specs"
        ]
    if pod is not None:
        line = document.key_location(pod.spec).line if pod.spec else 1
        notes.append(f"facts from the pod spec at {_dotted(pod.spec)} (line {line})")
        others = [p for p in pods if p is not pod]
        if others:
            lines = ", ".join(
                str(document.key_location(p.spec).line if p.spec else 1) for p in others[:10]
            )
            notes.append(f"{len(others)} other pod spec(s) not used for the facts (line {lines})")
    return tuple(notes)
