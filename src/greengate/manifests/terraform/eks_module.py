"""GPU/Neuron node groups of the ``terraform-aws-modules/eks/aws`` module and its node-group submodules.

Read from a ``module`` block whose ``source`` is the registry module, or that
passes ``eks_managed_node_groups`` / ``self_managed_node_groups`` (the module
called by a local path, as its own examples do, or a wrapper taking the same inputs):

- ``terraform-aws-modules/eks/aws``: every entry of ``eks_managed_node_groups``
  and ``self_managed_node_groups`` (a literal map, or a ``local.``/``var.``
  one followed to where it is written), an attribute missing from the entry
  taken from ``eks_managed_node_group_defaults`` / ``self_managed_node_group_defaults``;
- ``.../eks/aws//modules/eks-managed-node-group`` and
  ``//modules/self-managed-node-group``: the module block is one group.

A group is a deployment when it shows an accelerator: an accelerated
instance family (``g5``, ``p4d``, ``inf2``, ``trn1``...), a GPU/Neuron
``ami_type`` (``AL2_x86_64_GPU``, ``AL2023_x86_64_NVIDIA``,
``BOTTLEROCKET_x86_64_NVIDIA``, ``AL2023_x86_64_NEURON``), a
``nvidia.com/gpu`` / ``aws.amazon.com/neuron`` taint, or ``gpu`` in its
name; or when its instance types are a variable greengate cannot read (see
:func:`~greengate.manifests.terraform.node_pools.unknown`). A CPU-only group
is not an AI deployment. Node groups greengate cannot read at all
(``eks_managed_node_groups = merge(local.a, var.b)``) are one deployment with
its hardware unknown: they may hold a GPU group. Facts: ``instance_types`` (one type is a fact;
several are a choice, see :func:`~greengate.manifests.terraform.node_pools.instance_types`)
or ``instance_type`` (self-managed), ``min_size``/``max_size`` -> replicas,
``cloud.provider: aws``, the region of the folder's ``provider "aws"``. The
Karpenter submodule creates IAM roles and queues, not instances: nothing to read.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from greengate.load import Document, PathKey
from greengate.manifests.base import FactReader, is_placeholder
from greengate.manifests.common import DECLARE, Resolved
from greengate.manifests.terraform.facts import derived, finish_deployment, put, put_number
from greengate.manifests.terraform.folder import Folder
from greengate.manifests.terraform.node_pools import (
    accelerated_types,
    explain_unknown,
    instance_types,
    node_pool_hints,
    resolve_types,
    unknown,
)
from greengate.records.deployment import Deployment

_SOURCE = re.compile(
    r"terraform-aws-modules/eks/aws(?://modules/(eks-managed-node-group|self-managed-node-group))?/?"
)
_GPU_AMI = re.compile(r"GPU|NVIDIA|NEURON", re.IGNORECASE)
_ACCELERATOR_TAINTS = ("nvidia.com/gpu", "aws.amazon.com/neuron", "aws.amazon.com/neuroncore")
_GROUPS = (
    ("eks_managed_node_groups", "eks_managed_node_group_defaults"),
    ("self_managed_node_groups", "self_managed_node_group_defaults"),
)


def is_eks_module(body: dict[str, Any]) -> bool:
    """The registry module (any version), or one called by a local path with its node group inputs."""
    source = body.get("source")
    if isinstance(source, str) and _SOURCE.fullmatch(source.strip()) is not None:
        return True
    return any(attribute in body for attribute, _ in _GROUPS)


def eks_module(folder: Folder, name: str, index: int, body: dict[str, Any]) -> list[Deployment]:
    """One deployment per GPU/Neuron node group the module block creates."""
    base: PathKey = ("module", name, index)
    match = _SOURCE.fullmatch(str(body.get("source", "")).strip())
    host = folder.document
    if match is not None and match.group(1) is not None:
        group = _Group(folder, f"module.{name}", str(match.group(1)), host, base, None)
        return group.read()
    deployments: list[Deployment] = []
    for attribute, defaults_attribute in _GROUPS:
        document, path = folder.locate((*base, attribute))
        groups = document.get(path)
        defaults: tuple[Document, PathKey] | None = folder.locate((*base, defaults_attribute))
        if defaults is not None and not isinstance(defaults[0].get(defaults[1]), dict):
            defaults = None
        if isinstance(groups, str) and is_placeholder(groups):
            deployments.append(_unreadable(folder, name, attribute, document, path, groups))
            continue
        for key in groups if isinstance(groups, dict) else {}:
            if not isinstance(groups[key], dict):
                continue
            address = f'module.{name}.{attribute}["{key}"]'
            group = _Group(folder, address, attribute, document, (*path, key), defaults)
            deployments.extend(group.read())
    return deployments


def _unreadable(
    folder: Folder, name: str, attribute: str, document: Document, path: PathKey, written: str
) -> Deployment:
    """Node groups greengate cannot read (``merge(local.a, var.b)``): one deployment, hardware unknown.

    They may well hold a GPU group; reported rather than passed by omission.
    """
    reader = FactReader(folder.document)
    derived(reader, "cloud.provider", "aws", path, "an EKS node group runs on AWS")
    put(reader, "cloud.region", folder.aws_region())
    reader.document = document
    reader.anchor("", path)
    line = document.location(path).line
    reader.hints["hardware.accelerator"] = (
        f"the node groups are {written} (line {line}), which greengate cannot evaluate: write them as"
        f" a map (or a local/variable holding one), or {DECLARE}"
    )
    return finish_deployment(
        reader,
        f"module.{name}.{attribute}",
        f"terraform-aws-modules/eks {attribute}",
        path,
        node_pool_hints("EKS node group", 'set region in the provider "aws" block'),
    )


class _Group:
    """One node group: its own attributes first, then the module's defaults for the rest."""

    def __init__(
        self,
        folder: Folder,
        address: str,
        kind: str,
        document: Document,
        path: PathKey,
        defaults: tuple[Document, PathKey] | None,
    ) -> None:
        self.folder = folder
        self.address = address
        self.kind = kind
        self.document = document
        self.path = path
        self.defaults = defaults

    def get(self, attribute: str) -> Resolved | None:
        def read(path: PathKey, document: Document) -> Resolved | None:
            if attribute == "instance_types":
                return resolve_types(self.folder, path, document)
            return self.folder.resolve(path, document)

        found = read((*self.path, attribute), self.document)
        if found is None and self.defaults is not None:
            document, path = self.defaults
            found = read((*path, attribute), document)
            if found is not None:
                detail = "; ".join(d for d in (found.detail, "from the node group defaults") if d)
                found = Resolved(found.value, found.location, detail, found.known)
        return found

    def _marked(self, types: Resolved | None, ami: Resolved | None) -> bool:
        if accelerated_types(types):
            return True
        if ami is not None and ami.known and _GPU_AMI.search(str(ami.value)):
            return True
        taints = self.get("taints")
        values = taints.value if taints is not None and taints.known else None
        entries = list(values.values()) if isinstance(values, dict) else values
        for taint in entries if isinstance(entries, list) else []:
            if isinstance(taint, dict) and taint.get("key") in _ACCELERATOR_TAINTS:
                return True
        label = self.get("name")
        names = [str(self.path[-1]), str(label.value) if label is not None else ""]
        return any("gpu" in n.lower() for n in names)

    def read(self) -> list[Deployment]:
        types = self.get("instance_types") or self.get("instance_type")
        ami = self.get("ami_type")
        if not self._marked(types, ami) and not unknown(types):
            return []
        reader = FactReader(self.folder.document)
        derived(reader, "cloud.provider", "aws", self.path, "an EKS node group runs on AWS")
        instance_types(reader, types)
        explain_unknown(reader, types, "instance_types")
        if ami is not None and ami.known and "hardware.instanceType" in reader.facts:
            fact = reader.facts["hardware.instanceType"]
            note = f"ami_type {ami.value}"
            detail = "; ".join(d for d in (fact.detail, note) if d)
            reader.facts["hardware.instanceType"] = replace(fact, detail=detail)
        put_number(reader, "replicas.min", self.get("min_size"), "min_size")
        put_number(reader, "replicas.max", self.get("max_size"), "max_size")
        put(reader, "cloud.region", self.folder.aws_region())
        reader.document = self.document
        reader.anchor("", self.path)
        reader.anchor(
            "hardware", (*self.path, "instance_types"), (*self.path, "instance_type"), self.path
        )
        reader.anchor("replicas", (*self.path, "min_size"), (*self.path, "max_size"), self.path)
        return [
            finish_deployment(
                reader,
                self.address,
                f"terraform-aws-modules/eks {self.kind}",
                self.path,
                node_pool_hints("EKS node group", 'set region in the provider "aws" block'),
            )
        ]
