"""Terraform (``.tf``): SageMaker endpoints, the Hugging Face SageMaker modules, GPU node pools.

Deployments read (one per block; a block that states no accelerator is not
an AI deployment and is skipped quietly):

- ``aws_sagemaker_endpoint_configuration``: each ``production_variants`` (and
  ``shadow_production_variants``) block: ``instance_type`` -> ``hardware.instanceType``,
  ``initial_instance_count`` -> replicas, ``serverless_config.max_concurrency`` ->
  ``rateLimits.concurrency`` (serverless means CPU: ``hardware.accelerator: cpu``).
  ``model_name = aws_sagemaker_model.<m>.name`` links the variant to that model,
  whose ``primary_container``/``container`` ``environment`` gives ``HF_MODEL_ID`` ->
  ``model.name``, ``HF_TASK`` -> ``task``, ``SM_NUM_GPUS`` -> ``hardware.count``.
- ``module`` blocks with an ``hf_model_id`` input (philschmid's
  ``terraform-aws-sagemaker-huggingface`` and ``terraform-aws-llm-sagemaker``):
  ``hf_model_id``, ``hf_task``, ``instance_type``, ``instance_count``,
  ``autoscaling.{min,max}_capacity``, ``serverless_config.max_concurrency``.
- ``google_container_node_pool`` with a ``guest_accelerator``, a GPU/TPU machine
  type or a TPU ``placement_policy``: ``node_config.machine_type`` ->
  ``hardware.instanceType``, ``guest_accelerator.{type,count}`` ->
  ``hardware.accelerator``/``hardware.count``, ``placement_policy.tpu_topology``
  (noted with the machine type), ``node_locations``/``location`` -> ``cloud.region``
  (a zone such as ``us-central1-a`` is in region ``us-central1``), ``autoscaling``
  or ``node_count`` -> replicas (GKE counts nodes per zone: multiplied by the
  zones when ``node_locations`` lists them).
- ``aws_eks_node_group`` with a GPU/accelerator ``instance_types`` entry,
  ``azurerm_kubernetes_cluster_node_pool`` and ``azurerm_kubernetes_cluster``
  ``default_node_pool`` with a GPU ``vm_size`` (``Standard_N*``).

``cloud.provider`` comes from the resource type; ``cloud.region`` for AWS from
the folder's default ``provider "aws"`` block.

References are resolved only as far as Terraform itself would without
running: ``var.x`` from ``terraform.tfvars`` or ``*.auto.tfvars`` in the same
folder (the files Terraform loads by itself), else from the ``default`` of
``variable "x"`` in the folder's ``.tf`` files; ``local.x`` from a ``locals``
block whose value is a literal. The fact then points where the value is
written and its detail says where it came from; a caller of a module, a
``-var-file`` (``example.tfvars``) or ``-var`` may override a default, which
greengate cannot see. Anything else (function calls, conditionals, resource
attributes) stays unknown and is listed as unresolved. ``count``/``for_each``
are not evaluated: a conditionally created block is reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

from greengate.load import Document, PathKey
from greengate.manifests.base import (
    NO_CONTEXT,
    Adapter,
    AdaptResult,
    FactReader,
    ReadContext,
    is_placeholder,
)
from greengate.manifests.common import DECLARE, Resolved, finish, number
from greengate.manifests.vocab import task_from_hf
from greengate.records.deployment import Deployment, Fact, FactSource

_ACCELERATED = {
    "gcp": re.compile(r"(?:a\d|g\d|ct\d|tpu)", re.IGNORECASE),
    "aws": re.compile(r"(?:ml\.)?(?:p\d|g\d|inf\d|trn\d|dl\d)", re.IGNORECASE),
    "azure": re.compile(r"standard_n", re.IGNORECASE),
}
"""Machine-type prefixes of the GPU/TPU families (GCP a2/a3/g2/ct5lp..., AWS p/g/inf/trn, Azure N-series)."""
_ZONE = re.compile(r"([a-z]+-[a-z]+\d+)-[a-z]")
_REGION = re.compile(r"[a-z]+-[a-z]+\d+")
_REFERENCE = re.compile(
    r"(var|local)\.([A-Za-z_][\w-]*)((?:\.[A-Za-z_][\w-]*|\[\d+\]|\[\"[^\"]*\"\])*)"
)
_STEP = re.compile(r"\.([A-Za-z_][\w-]*)|\[(\d+)\]|\[\"([^\"]*)\"\]")
_MODEL_REFERENCE = re.compile(
    r"\$\{aws_sagemaker_model\.([\w-]+)\.(?:name|id)\}|aws_sagemaker_model\.([\w-]+)\.(?:name|id)"
)
_MAX_DEPTH = 10
_DEFAULT_NOTE = " (the variable's default; a tfvars file, -var or a module caller may override it)"
_CACHE_SIZE = 64


def _blocks(data: Any, *keys: str) -> Iterator[tuple[str, int, dict[str, Any]]]:
    """``(label, index, body)`` of every block under ``data[keys...]`` (``resource``, ``<type>``)."""
    node = data
    for key in keys:
        node = node.get(key) if isinstance(node, dict) else None
    if not isinstance(node, dict):
        return
    for label, items in node.items():
        for index, body in enumerate(items if isinstance(items, list) else []):
            if isinstance(body, dict):
                yield str(label), index, body


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


_RESOURCE_TYPES = (
    "aws_sagemaker_endpoint_configuration",
    "google_container_node_pool",
    "aws_eks_node_group",
    "azurerm_kubernetes_cluster_node_pool",
    "azurerm_kubernetes_cluster",
)


class TerraformAdapter(Adapter):
    name = "terraform"
    description = "Terraform: SageMaker endpoint configs and Hugging Face SageMaker modules, GKE/EKS/AKS GPU node pools"

    def matches(self, document: Document) -> bool:
        data = document.data
        if not document.file.lower().endswith(".tf") or not isinstance(data, dict):
            return False
        resources = data.get("resource")
        if isinstance(resources, dict) and any(t in resources for t in _RESOURCE_TYPES):
            return True
        return any("hf_model_id" in body for _, _, body in _blocks(data, "module"))

    def read(self, document: Document, context: ReadContext = NO_CONTEXT) -> AdaptResult:
        folder = _Folder(document, context)
        deployments: list[Deployment] = []
        data = document.data
        for name, index, body in _blocks(data, "resource", "aws_sagemaker_endpoint_configuration"):
            deployments.extend(folder.endpoint_configuration(name, index, body))
        for name, index, body in _blocks(data, "module"):
            if "hf_model_id" in body:
                deployments.append(folder.sagemaker_module(name, index, body))
        for name, index, _ in _blocks(data, "resource", "google_container_node_pool"):
            deployments.extend(folder.gke_node_pool(name, index))
        for name, index, _ in _blocks(data, "resource", "aws_eks_node_group"):
            deployments.extend(folder.eks_node_group(name, index))
        for name, index, _ in _blocks(data, "resource", "azurerm_kubernetes_cluster_node_pool"):
            deployments.extend(
                folder.aks_node_pool(
                    ("resource", "azurerm_kubernetes_cluster_node_pool", name, index),
                    f"azurerm_kubernetes_cluster_node_pool.{name}",
                    None,
                )
            )
        for name, index, _ in _blocks(data, "resource", "azurerm_kubernetes_cluster"):
            base: PathKey = ("resource", "azurerm_kubernetes_cluster", name, index)
            deployments.extend(
                folder.aks_node_pool(
                    (*base, "default_node_pool", 0),
                    f"azurerm_kubernetes_cluster.{name}/default_node_pool",
                    (*base, "location"),
                )
            )
        return AdaptResult(deployments=deployments)


def _folder_file(name: str) -> bool:
    lower = name.lower()
    return lower.endswith((".tf", ".auto.tfvars")) or lower == "terraform.tfvars"


class _Folder:
    """One ``.tf`` document with what its folder declares: variables, tfvars, locals, providers, models."""

    def __init__(self, document: Document, context: ReadContext) -> None:
        self.document = document
        own = PurePosixPath(document.file).name
        siblings = [d for loaded in context.siblings(_folder_file) for d in loaded.documents]
        others = [d for d in siblings if PurePosixPath(d.file).name != own]
        self.documents = [document, *(d for d in others if d.file.lower().endswith(".tf"))]
        # terraform.tfvars first, then *.auto.tfvars in name order: later files win, as in Terraform.
        tfvars = sorted(
            (d for d in others if d.file.lower().endswith(".tfvars")),
            key=lambda d: (not d.file.lower().endswith("terraform.tfvars"), d.file),
        )
        self.tfvars: dict[str, tuple[Document, PathKey]] = {}
        for tfvars_document in tfvars:
            if isinstance(tfvars_document.data, dict):
                for name in tfvars_document.data:
                    self.tfvars[str(name)] = (tfvars_document, (name,))

    # -- references

    def _variable(self, name: str) -> tuple[Document, PathKey, str] | None:
        if name in self.tfvars:
            document, path = self.tfvars[name]
            return document, path, ""
        for document in self.documents:
            for label, index, body in _blocks(document.data, "variable"):
                if label == name and body.get("default") is not None:
                    path = ("variable", label, index, "default")
                    return document, path, _DEFAULT_NOTE
        return None

    def _local(self, name: str) -> tuple[Document, PathKey, str] | None:
        for document in self.documents:
            locals_blocks = document.data.get("locals") if isinstance(document.data, dict) else None
            for index, body in enumerate(locals_blocks if isinstance(locals_blocks, list) else []):
                if isinstance(body, dict) and name in body:
                    return document, ("locals", index, name), ""
        return None

    def resolve(
        self, path: PathKey, document: Document | None = None, depth: int = 0
    ) -> Resolved | None:
        """The value at ``path`` with ``var.``/``local.`` references resolved; None when absent."""
        document = document or self.document
        value = document.get(path)
        if value is None:
            return None
        here = document.location(path)
        if not isinstance(value, str):
            return Resolved(value, here)
        match = _REFERENCE.fullmatch(value)
        if match is None:
            return Resolved(value, here, known=not is_placeholder(value))
        kind, name, rest = match.groups()
        found = self._variable(name) if kind == "var" else self._local(name)
        if found is None or depth >= _MAX_DEPTH:
            return Resolved(value, here, known=False)
        target, target_path, note = found
        for step in _STEP.finditer(rest):
            key, index, quoted = step.groups()
            target_path = (
                *target_path,
                int(index) if index is not None else (key if key is not None else quoted),
            )
        resolved = self.resolve(target_path, target, depth + 1)
        if resolved is None:
            return Resolved(value, here, known=False)
        if not resolved.known:
            return Resolved(value, here, known=False)
        where = resolved.location
        detail = f"{value} resolved from {PurePosixPath(where.file).name}:{where.line}{note}"
        if resolved.detail:
            detail = f"{detail}; {resolved.detail}"
        return Resolved(resolved.value, where, detail)

    def block(self, path: PathKey) -> PathKey | None:
        """A nested block (``node_config``) as its first item, or an attribute holding a mapping."""
        value = self.document.get(path)
        if isinstance(value, list) and value and isinstance(value[0], dict):
            return (*path, 0)
        if isinstance(value, dict):
            return path
        return None

    # -- fact recording

    def put(
        self,
        reader: FactReader,
        name: str,
        resolved: Resolved | None,
        value: Any = None,
        detail: str = "",
        source: FactSource = FactSource.DECLARED,
    ) -> None:
        if resolved is None or name in reader.facts:
            return
        if not resolved.known:
            reader.unresolved.setdefault(name, Fact(resolved.value, resolved.location))
            return
        shown = "; ".join(d for d in (detail, resolved.detail) if d)
        reader.facts[name] = Fact(
            resolved.value if value is None else value, resolved.location, source, shown
        )

    def put_number(
        self,
        reader: FactReader,
        name: str,
        resolved: Resolved | None,
        detail: str = "",
        times: int = 1,
    ) -> None:
        if resolved is None:
            return
        count = number(resolved.value) if resolved.known else None
        if resolved.known and count is None:
            return
        self.put(reader, name, resolved, None if count is None else count * times, detail)

    def derived(
        self, reader: FactReader, name: str, value: Any, path: PathKey, detail: str
    ) -> None:
        if name not in reader.facts:
            reader.facts[name] = Fact(
                value, self.document.location(path), FactSource.DERIVED, detail
            )

    def aws_region(self, reader: FactReader) -> None:
        for document in self.documents:
            for label, index, body in _blocks(document.data, "provider"):
                if label == "aws" and "alias" not in body:
                    self.put(
                        reader,
                        "cloud.region",
                        self.resolve(("provider", label, index, "region"), document),
                    )
                    return

    def finish(
        self, reader: FactReader, name: str, kind: str, name_path: PathKey, hints: dict[str, str]
    ) -> Deployment:
        deployment = reader.deployment(
            name=name, kind=kind, format="terraform", name_path=name_path
        )
        return finish(deployment, hints)

    # -- SageMaker

    def endpoint_configuration(
        self, name: str, index: int, body: dict[str, Any]
    ) -> list[Deployment]:
        base: PathKey = ("resource", "aws_sagemaker_endpoint_configuration", name, index)
        variants = [
            (key, i)
            for key in ("production_variants", "shadow_production_variants")
            for i, item in enumerate(_items(body.get(key)))
            if isinstance(item, dict)
        ]
        deployments = []
        for key, i in variants:
            path: PathKey = (*base, key, i)
            reader = FactReader(self.document)
            self.derived(
                reader, "workload", "inference", base, "a SageMaker endpoint serves inference"
            )
            self.derived(reader, "cloud.provider", "aws", base, "an aws_ resource runs on AWS")
            self._sagemaker_facts(reader, path, instance_count="initial_instance_count")
            self._linked_model(reader, (*path, "model_name"))
            self.aws_region(reader)
            reader.anchor("", path)
            reader.anchor("model", (*path, "model_name"), path)
            reader.anchor("hardware", (*path, "instance_type"), path)
            reader.anchor("replicas", (*path, "initial_instance_count"), path)
            reader.anchor("cloud", base)
            variant = self.document.get((*path, "variant_name"))
            shown = f"aws_sagemaker_endpoint_configuration.{name}"
            if len(variants) > 1 or key != "production_variants":
                shown += f"/{variant if isinstance(variant, str) else i}" + (
                    " (shadow)" if key != "production_variants" else ""
                )
            deployments.append(
                self.finish(
                    reader,
                    shown,
                    "aws_sagemaker_endpoint_configuration",
                    path,
                    _sagemaker_hints(
                        "set HF_MODEL_ID in the environment of the aws_sagemaker_model named by model_name"
                    ),
                )
            )
        return deployments

    def _sagemaker_facts(self, reader: FactReader, path: PathKey, instance_count: str) -> None:
        self.put(reader, "hardware.instanceType", self.resolve((*path, "instance_type")))
        autoscaling = self.block((*path, "autoscaling"))
        if (
            autoscaling is not None
            and self.document.get((*autoscaling, "max_capacity")) is not None
        ):
            self.put_number(
                reader,
                "replicas.min",
                self.resolve((*autoscaling, "min_capacity")),
                "autoscaling.min_capacity",
            )
            self.put_number(
                reader,
                "replicas.max",
                self.resolve((*autoscaling, "max_capacity")),
                "autoscaling.max_capacity",
            )
        count = self.resolve((*path, instance_count))
        self.put_number(
            reader, "replicas.min", count, f"{instance_count}: the initial instance count"
        )
        self.put_number(
            reader,
            "replicas.max",
            count,
            f"{instance_count}: the initial instance count; autoscaling, if any, is configured elsewhere",
        )
        serverless = self.block((*path, "serverless_config"))
        if serverless is not None:
            self.put_number(
                reader,
                "rateLimits.concurrency",
                self.resolve((*serverless, "max_concurrency")),
                "serverless_config.max_concurrency",
            )
            self.derived(
                reader,
                "hardware.accelerator",
                "cpu",
                serverless,
                "SageMaker Serverless Inference runs on CPU only",
            )

    def _linked_model(self, reader: FactReader, path: PathKey) -> None:
        reference = self.document.get(path)
        match = _MODEL_REFERENCE.fullmatch(reference) if isinstance(reference, str) else None
        if match is None:
            return
        model = match.group(1) or match.group(2)
        for document in self.documents:
            for label, index, body in _blocks(document.data, "resource", "aws_sagemaker_model"):
                if label != model:
                    continue
                base: PathKey = ("resource", "aws_sagemaker_model", label, index)
                containers = [
                    (key, i)
                    for key in ("primary_container", "container")
                    for i, _ in enumerate(_items(body.get(key)))
                ]
                for key, i in containers:
                    environment: PathKey = (*base, key, i, "environment")
                    via = f"aws_sagemaker_model.{model}"
                    if not isinstance(document.get(environment), dict):
                        self.put(reader, "model.name", self.resolve(environment, document))
                        continue
                    self.put(
                        reader,
                        "model.name",
                        self.resolve((*environment, "HF_MODEL_ID"), document),
                        detail=f"{via} environment HF_MODEL_ID",
                    )
                    self.put_number(
                        reader,
                        "hardware.count",
                        self.resolve((*environment, "SM_NUM_GPUS"), document),
                        f"{via} environment SM_NUM_GPUS",
                    )
                    self._task(
                        reader,
                        self.resolve((*environment, "HF_TASK"), document),
                        f"{via} environment HF_TASK",
                    )
                return

    def _task(self, reader: FactReader, resolved: Resolved | None, detail: str) -> None:
        if resolved is None:
            return
        mapped = task_from_hf(resolved.value) if resolved.known else None
        if mapped is not None:
            self.put(
                reader, "task", resolved, mapped[0], "; ".join(d for d in (detail, mapped[1]) if d)
            )
        elif not resolved.known:
            self.put(reader, "task", resolved)

    def sagemaker_module(self, name: str, index: int, body: dict[str, Any]) -> Deployment:
        base: PathKey = ("module", name, index)
        reader = FactReader(self.document)
        self.derived(reader, "workload", "inference", base, "a SageMaker endpoint serves inference")
        self.put(reader, "model.name", self.resolve((*base, "hf_model_id")))
        self._task(reader, self.resolve((*base, "hf_task")), "hf_task")
        self._sagemaker_facts(reader, base, instance_count="instance_count")
        instance_type = reader.facts.get("hardware.instanceType")
        source = body.get("source")
        sagemaker = (
            (instance_type is not None and str(instance_type.value).startswith("ml."))
            or self.block((*base, "serverless_config")) is not None
            or (isinstance(source, str) and "sagemaker" in source.lower())
        )
        if sagemaker:
            self.derived(
                reader,
                "cloud.provider",
                "aws",
                base,
                "a module deploying a SageMaker endpoint (ml. instance type or serverless_config) runs on AWS",
            )
            self.aws_region(reader)
        reader.anchor("", base)
        reader.anchor("model", (*base, "hf_model_id"), base)
        reader.anchor("hardware", (*base, "instance_type"), base)
        reader.anchor("replicas", (*base, "autoscaling"), (*base, "instance_count"), base)
        hints = _sagemaker_hints("set hf_model_id")
        hints["task"] = (
            f"set hf_task (a Hugging Face task such as text-classification), or {DECLARE}"
        )
        return self.finish(reader, f"module.{name}", "module (SageMaker)", base, hints)

    # -- node pools

    def gke_node_pool(self, name: str, index: int) -> list[Deployment]:
        base: PathKey = ("resource", "google_container_node_pool", name, index)
        config = self.block((*base, "node_config"))
        machine = self.resolve((*config, "machine_type")) if config is not None else None
        accelerator = self.block((*config, "guest_accelerator")) if config is not None else None
        placement = self.block((*base, "placement_policy"))
        topology = self.resolve((*placement, "tpu_topology")) if placement is not None else None
        machine_type = machine.value if machine is not None and machine.known else None
        accelerated = (
            accelerator is not None
            or topology is not None
            or (isinstance(machine_type, str) and bool(_ACCELERATED["gcp"].match(machine_type)))
        )
        if not accelerated:
            return []
        reader = FactReader(self.document)
        self.derived(
            reader, "cloud.provider", "gcp", base, "a google_ resource runs on Google Cloud"
        )
        topology_note = (
            f"TPU slice topology {topology.value} (placement_policy.tpu_topology)"
            if topology is not None and topology.known
            else ""
        )
        self.put(reader, "hardware.instanceType", machine, detail=topology_note)
        if accelerator is not None:
            self.put(
                reader,
                "hardware.accelerator",
                self.resolve((*accelerator, "type")),
                detail="guest_accelerator.type",
            )
            self.put_number(
                reader,
                "hardware.count",
                self.resolve((*accelerator, "count")),
                "guest_accelerator.count (per node)",
            )
        zones = self._gke_region(reader, base)
        self._gke_replicas(reader, base, zones)
        reader.anchor("", base)
        reader.anchor("hardware", *(p for p in (config, base) if p is not None))
        reader.anchor("cloud", (*base, "node_locations"), (*base, "location"), base)
        reader.anchor("replicas", (*base, "autoscaling"), (*base, "node_count"), base)
        return [
            self.finish(
                reader,
                f"google_container_node_pool.{name}",
                "google_container_node_pool",
                base,
                _node_pool_hints(
                    "GKE node pool", "add location (a region or zone) to the node pool"
                ),
            )
        ]

    def _gke_region(self, reader: FactReader, base: PathKey) -> int | None:
        """Record the region; return how many zones the pool spans (None when unknown)."""
        locations = self.resolve((*base, "node_locations"))
        if (
            locations is not None
            and locations.known
            and isinstance(locations.value, list)
            and locations.value
        ):
            zones = [z for z in locations.value if isinstance(z, str)]
            regions = {m.group(1) for z in zones if (m := _ZONE.fullmatch(z))}
            if len(regions) == 1 and len(zones) == len(locations.value):
                region = regions.pop()
                detail = f"node_locations zones {', '.join(zones)} are in region {region}"
                self.put(reader, "cloud.region", locations, region, detail, FactSource.DERIVED)
                return len(zones)
        location = self.resolve((*base, "location"))
        if location is None:
            return None
        if not location.known or not isinstance(location.value, str):
            self.put(reader, "cloud.region", location)
            return None
        zone = _ZONE.fullmatch(location.value)
        if zone is not None:
            detail = f"zone {location.value} is in region {zone.group(1)}"
            self.put(reader, "cloud.region", location, zone.group(1), detail, FactSource.DERIVED)
            return 1
        if _REGION.fullmatch(location.value):
            self.put(reader, "cloud.region", location)
        return None

    def _gke_replicas(self, reader: FactReader, base: PathKey, zones: int | None) -> None:
        autoscaling = self.block((*base, "autoscaling"))
        per_zone = (
            "per zone (a regional pool runs this many in each of its zones)"
            if zones is None
            else ""
        )
        times = zones or 1
        spread = f" x {zones} zones" if zones and zones > 1 else ""
        if autoscaling is not None:
            for bound in ("min", "max"):
                total = self.resolve((*autoscaling, f"total_{bound}_node_count"))
                if total is not None:
                    self.put_number(
                        reader, f"replicas.{bound}", total, f"autoscaling.total_{bound}_node_count"
                    )
                else:
                    detail = f"autoscaling.{bound}_node_count{spread} {per_zone}".strip()
                    self.put_number(
                        reader,
                        f"replicas.{bound}",
                        self.resolve((*autoscaling, f"{bound}_node_count")),
                        detail,
                        times,
                    )
        for key in ("node_count", "initial_node_count"):
            count = self.resolve((*base, key))
            detail = f"{key}{spread} {per_zone}".strip()
            self.put_number(reader, "replicas.min", count, detail, times)
            self.put_number(reader, "replicas.max", count, detail, times)

    def eks_node_group(self, name: str, index: int) -> list[Deployment]:
        base: PathKey = ("resource", "aws_eks_node_group", name, index)
        types = self.resolve((*base, "instance_types"))
        if types is None or not types.known or not isinstance(types.value, list) or not types.value:
            return []
        first = types.value[0]
        if not isinstance(first, str) or not _ACCELERATED["aws"].match(first):
            return []
        reader = FactReader(self.document)
        self.derived(reader, "cloud.provider", "aws", base, "an aws_ resource runs on AWS")
        detail = f"the first of {len(types.value)} instance_types" if len(types.value) > 1 else ""
        self.put(reader, "hardware.instanceType", types, first, detail)
        scaling = self.block((*base, "scaling_config"))
        if scaling is not None:
            self.put_number(
                reader,
                "replicas.min",
                self.resolve((*scaling, "min_size")),
                "scaling_config.min_size",
            )
            self.put_number(
                reader,
                "replicas.max",
                self.resolve((*scaling, "max_size")),
                "scaling_config.max_size",
            )
        self.aws_region(reader)
        reader.anchor("", base)
        reader.anchor("hardware", (*base, "instance_types"), base)
        reader.anchor("replicas", (*base, "scaling_config"), base)
        return [
            self.finish(
                reader,
                f"aws_eks_node_group.{name}",
                "aws_eks_node_group",
                base,
                _node_pool_hints("EKS node group", 'set region in the provider "aws" block'),
            )
        ]

    def aks_node_pool(
        self, base: PathKey, shown: str, location: PathKey | None
    ) -> list[Deployment]:
        size = self.resolve((*base, "vm_size"))
        if (
            size is None
            or not size.known
            or not isinstance(size.value, str)
            or not _ACCELERATED["azure"].match(size.value)
        ):
            return []
        reader = FactReader(self.document)
        self.derived(reader, "cloud.provider", "azure", base, "an azurerm_ resource runs on Azure")
        self.put(reader, "hardware.instanceType", size)
        if location is not None:
            self.put(reader, "cloud.region", self.resolve(location))
        if self.document.get((*base, "max_count")) is not None:
            self.put_number(reader, "replicas.min", self.resolve((*base, "min_count")), "min_count")
            self.put_number(reader, "replicas.max", self.resolve((*base, "max_count")), "max_count")
        count = self.resolve((*base, "node_count"))
        self.put_number(reader, "replicas.min", count, "node_count")
        self.put_number(reader, "replicas.max", count, "node_count")
        reader.anchor("", base)
        reader.anchor("hardware", (*base, "vm_size"), base)
        reader.anchor("replicas", (*base, "node_count"), base)
        return [
            self.finish(
                reader,
                shown,
                str(base[1]),
                base,
                _node_pool_hints(
                    "AKS node pool",
                    "the region is the cluster's location (azurerm_kubernetes_cluster.location)",
                ),
            )
        ]


def _sagemaker_hints(model: str) -> dict[str, str]:
    return {
        "task": f"set HF_TASK in the model container's environment, or {DECLARE}",
        "model.name": f"{model}, or {DECLARE}",
        "model.parameters": f"{model}, or {DECLARE}",
        "cloud.region": f'set region in the provider "aws" block (a literal, or a variable with a default or a terraform.tfvars value), or {DECLARE}',
        "hardware.instanceType": "set instance_type (e.g. ml.g5.2xlarge), or give its variable a default or a terraform.tfvars value",
        "hardware.accelerator": "set instance_type to one greengate's catalog knows, or add it in a catalog extension file (--catalog)",
        "replicas.min": "set initial_instance_count (or autoscaling), or give its variable a default or a terraform.tfvars value",
        "replicas.max": "set initial_instance_count (or autoscaling), or give its variable a default or a terraform.tfvars value",
        "rateLimits.requestsPerMinute": f"a SageMaker endpoint does not limit requests per minute: enforce it at an API Gateway usage plan in front of it and {DECLARE}",
        "rateLimits.tokensPerMinute": f"a SageMaker endpoint does not limit tokens per minute: enforce it at a gateway in front of it and {DECLARE}",
        "owner": f"Terraform has no owner field greengate reads; {DECLARE}",
    }


def _node_pool_hints(what: str, region: str) -> dict[str, str]:
    return {
        "task": f"a {what} does not say which workloads run on it; {DECLARE}",
        "workload": f"a {what} does not say whether it trains or serves; {DECLARE}",
        "model.name": f"a {what} does not say which model runs on it; {DECLARE}",
        "model.parameters": f"a {what} does not say which model runs on it; {DECLARE}",
        "cloud.region": f"{region}, or {DECLARE}",
        "hardware.accelerator": "state the accelerator (guest_accelerator type) or a machine type greengate's catalog knows, or add it in a catalog extension file (--catalog)",
        "rateLimits.requestsPerMinute": f"a {what} does not limit requests; enforce limits at the gateway of the services it runs and {DECLARE}",
        "rateLimits.tokensPerMinute": f"a {what} does not limit tokens; enforce limits at the gateway of the services it runs and {DECLARE}",
        "owner": f"Terraform has no owner field greengate reads; {DECLARE}",
    }
