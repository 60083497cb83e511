"""KAITO (``kaito.sh``): Workspace, InferenceSet and RAGEngine.

Every one of them is a deployment: KAITO provisions GPU nodes for it.

A replica is one node: KAITO gives each node the whole VM
(``resource.instanceType``), and the catalog knows how many accelerators a
VM size has, so ``hardware.count`` (per VM) times ``replicas`` (nodes) is
the hardware in use.

- Workspace: ``resource.instanceType`` -> ``hardware.instanceType``;
  ``resource.count`` (nodes) -> ``replicas``; ``inference.preset.name`` ->
  ``model.name`` (``workload: inference``); ``tuning.preset.name`` ->
  ``model.name`` (``workload: fine-tuning``, ``tuning.method`` in the
  detail); a custom ``inference.template`` is read as a pod spec (see
  :mod:`~greengate.manifests.kube.pods`), with ``--pipeline <task>`` of
  KAITO's inference API as the task. ``resource``, ``inference`` and
  ``tuning`` are top-level keys of a Workspace, not under ``spec``.
- InferenceSet: ``spec.template`` is a Workspace's ``resource`` and
  ``inference``; ``spec.replicas`` workspaces of ``resource.count`` nodes
  each; ``spec.nodeCountLimit`` bounds the nodes (``replicas.max``). A MIG
  ``resource.partition`` is named in the detail.
- RAGEngine: ``spec.compute.{instanceType,count}`` run a local embedding
  model, ``spec.embedding.local.modelID`` (``task: embedding``); the
  chat model it calls (``inferenceService.url``) is another deployment.

``cloud.provider`` is ``azure`` (``FactSource.DERIVED``, pointing at the
instance type) when the instance type is an Azure VM size
(``Standard_...``), since KAITO then runs on AKS.
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
from greengate.manifests.kube.annotations import finish, kubernetes_hints, read_annotations
from greengate.manifests.kube.containers import flag_values
from greengate.manifests.kube.objects import api_group
from greengate.manifests.kube.pods import anchor_pod, put_pod, read_pod
from greengate.manifests.kube.values import Found, put, whole_number
from greengate.manifests.vocab import task_name
from greengate.records.deployment import FactSource

GROUP = "kaito.sh"
KINDS = ("Workspace", "InferenceSet", "RAGEngine")

HINTS = kubernetes_hints(
    {
        "hardware.accelerator": "set resource.instanceType to a GPU VM size the catalog knows, or add the annotation greengate.dev/accelerator: <type> to metadata.annotations",
        "hardware.count": "set resource.instanceType to a VM size the catalog knows, or add the annotation greengate.dev/accelerator-count: <n> to metadata.annotations",
        "cloud.provider": "set resource.instanceType to an Azure VM size (Standard_...), or add the annotation greengate.dev/provider: <aws|gcp|azure> to metadata.annotations",
    }
)


class KaitoAdapter(Adapter):
    name = "kaito"
    description = "KAITO Workspace, InferenceSet and RAGEngine"

    def matches(self, document: Document) -> bool:
        group, kind = api_group(document)
        return group == GROUP and kind in KINDS

    def read(self, document: Document, context: ReadContext = NO_CONTEXT) -> AdaptResult:
        _, kind = api_group(document)
        reader = FactReader(document)
        problems = read_annotations(reader)
        where = document.location(("kind",))
        if kind == "Workspace":
            workload = self._workspace(reader, document, (), problems)
            why = (
                "a Workspace with tuning"
                if workload == "fine-tuning"
                else "a Workspace serves requests"
            )
            put(reader, "workload", Found(workload, where, why, FactSource.DERIVED))
        elif kind == "InferenceSet":
            self._workspace(
                reader, document, ("spec", "template"), problems, nodes_per_replica=True
            )
            why = "an InferenceSet serves requests"
            put(reader, "workload", Found("inference", where, why, FactSource.DERIVED))
        else:
            self._rag_engine(reader, document)
        return AdaptResult([finish(reader, kind=kind, format=self.name, hints=HINTS)], problems)

    def _workspace(
        self,
        reader: FactReader,
        document: Document,
        base: PathKey,
        problems: list[ManifestProblem],
        *,
        nodes_per_replica: bool = False,
    ) -> str:
        resource = (*base, "resource")
        self._instance_type(reader, document, (*resource, "instanceType"))
        nodes = whole_number(document.get((*resource, "count")))
        if nodes_per_replica:
            self._inference_set_replicas(reader, document, nodes)
        elif nodes is not None and nodes >= 0:
            found = Found(nodes, document.location((*resource, "count")), "resource.count (nodes)")
            put(reader, "replicas.min", found)
            put(reader, "replicas.max", found)
        partition = document.get((*resource, "partition"))
        workload = "inference"
        for section, what in (("inference", "inference"), ("tuning", "fine-tuning")):
            preset = (*base, section, "preset", "name")
            value = document.get(preset)
            if isinstance(value, str) and value.strip():
                detail = f"{section}.preset.name"
                method = document.get((*base, section, "method"))
                if isinstance(method, str):
                    detail += f" (tuning method {method})"
                if isinstance(partition, dict):
                    detail += (
                        f"; resource.partition {partition.get('mode')} {partition.get('profile')}"
                    )
                put(reader, "model.name", Found(value.strip(), document.location(preset), detail))
            if document.get((*base, section)) is not None:
                workload = what if section == "tuning" else workload
        template = (*base, "inference", "template")
        if isinstance(document.get(template), dict):
            pod = read_pod(
                document, (*template, "spec"), labels=[(*template, "metadata", "labels")]
            )
            problems.extend(pod.problems)
            put_pod(reader, pod)
            for container in pod.containers:
                for found in flag_values(container, ("--pipeline",), document):
                    task = task_name(found.value)
                    if task is not None:
                        put(
                            reader,
                            "task",
                            Found(task, found.location, f"{found.detail} {found.value}"),
                        )
            anchor_pod(reader, pod, template)
        reader.anchor("hardware", resource, base or ("metadata",))
        reader.anchor("model", (*base, "inference"), (*base, "tuning"), base or ("metadata",))
        reader.anchor("replicas", (*resource, "count"), resource, base or ("metadata",))
        return workload

    def _inference_set_replicas(
        self, reader: FactReader, document: Document, nodes: int | None
    ) -> None:
        per = nodes if nodes is not None and nodes > 0 else 1
        replicas = whole_number(document.get(("spec", "replicas")))
        if replicas is not None and replicas >= 0:
            detail = "spec.replicas (workspaces)" + (
                f" x {per} nodes each (resource.count)" if per != 1 else ""
            )
            found = Found(
                replicas * per,
                document.location(("spec", "replicas")),
                detail,
                FactSource.DECLARED if per == 1 else FactSource.DERIVED,
            )
            put(reader, "replicas.min", found)
            limit = whole_number(document.get(("spec", "nodeCountLimit")))
            if limit is not None and limit >= replicas * per:
                put(
                    reader,
                    "replicas.max",
                    Found(
                        limit,
                        document.location(("spec", "nodeCountLimit")),
                        "spec.nodeCountLimit (nodes)",
                    ),
                )
            else:
                put(reader, "replicas.max", found)

    def _rag_engine(self, reader: FactReader, document: Document) -> None:
        compute = ("spec", "compute")
        self._instance_type(reader, document, (*compute, "instanceType"))
        nodes = whole_number(document.get((*compute, "count")))
        if nodes is not None and nodes >= 0:
            found = Found(
                nodes, document.location((*compute, "count")), "spec.compute.count (nodes)"
            )
            put(reader, "replicas.min", found)
            put(reader, "replicas.max", found)
        model = ("spec", "embedding", "local", "modelID")
        value = document.get(model)
        if isinstance(value, str) and value.strip():
            put(
                reader,
                "model.name",
                Found(value.strip(), document.location(model), "spec.embedding.local.modelID"),
            )
            put(
                reader,
                "task",
                Found(
                    "embedding",
                    document.location(model),
                    "a RAGEngine runs a local embedding model",
                    FactSource.DERIVED,
                ),
            )
        where = document.location(("kind",))
        put(
            reader,
            "workload",
            Found("inference", where, "a RAGEngine serves retrieval requests", FactSource.DERIVED),
        )
        reader.anchor("hardware", compute, ("spec",))
        reader.anchor("model", ("spec", "embedding"), ("spec",))
        reader.anchor("replicas", (*compute, "count"), compute, ("spec",))

    def _instance_type(self, reader: FactReader, document: Document, path: PathKey) -> None:
        value = document.get(path)
        if not isinstance(value, str) or not value.strip():
            return
        detail = ".".join(str(p) for p in path)
        put(reader, "hardware.instanceType", Found(value.strip(), document.location(path), detail))
        if value.strip().lower().startswith("standard_"):
            why = "KAITO provisions Azure VMs: the instance type is an Azure VM size"
            put(
                reader,
                "cloud.provider",
                Found("azure", document.location(path), why, FactSource.DERIVED),
            )
