"""The Terraform adapter: which ``.tf`` documents are its format, and which mapper reads each block.

Only the dispatch lives here. Every document is read through one
:class:`~greengate.manifests.terraform.folder.Folder` (the document with the
files of its folder); each block type has its mapper in
:mod:`~greengate.manifests.terraform.sagemaker` or
:mod:`~greengate.manifests.terraform.node_pools`. The order of the loops is
the order deployments are reported in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from greengate.load import Document, PathKey
from greengate.manifests.base import NO_CONTEXT, Adapter, AdaptResult, ReadContext
from greengate.manifests.terraform.eks_module import eks_module, is_eks_module
from greengate.manifests.terraform.folder import Folder, blocks
from greengate.manifests.terraform.node_pools import aks_node_pool, eks_node_group, gke_node_pool
from greengate.manifests.terraform.releases import has_releases, release_documents
from greengate.manifests.terraform.repeat import repeated
from greengate.manifests.terraform.sagemaker import endpoint_configuration, sagemaker_module
from greengate.records.deployment import Deployment

_RESOURCE_TYPES = (
    "aws_sagemaker_endpoint_configuration",
    "google_container_node_pool",
    "aws_eks_node_group",
    "azurerm_kubernetes_cluster_node_pool",
    "azurerm_kubernetes_cluster",
)


def _gke(name: str, index: int) -> Callable[[Folder], list[Deployment]]:
    return lambda folder: gke_node_pool(folder, name, index)


def _eks(name: str, index: int) -> Callable[[Folder], list[Deployment]]:
    return lambda folder: eks_node_group(folder, name, index)


def _aks_pool(name: str, index: int) -> Callable[[Folder], list[Deployment]]:
    base: PathKey = ("resource", "azurerm_kubernetes_cluster_node_pool", name, index)
    return lambda folder: aks_node_pool(
        folder, base, f"azurerm_kubernetes_cluster_node_pool.{name}", None
    )


def _aks_cluster(name: str, index: int) -> Callable[[Folder], list[Deployment]]:
    base: PathKey = ("resource", "azurerm_kubernetes_cluster", name, index)
    return lambda folder: aks_node_pool(
        folder,
        (*base, "default_node_pool", 0),
        f"azurerm_kubernetes_cluster.{name}/default_node_pool",
        (*base, "location"),
    )


_NODE_POOLS: dict[str, Callable[[str, int], Callable[[Folder], list[Deployment]]]] = {
    "google_container_node_pool": _gke,
    "aws_eks_node_group": _eks,
    "azurerm_kubernetes_cluster_node_pool": _aks_pool,
    "azurerm_kubernetes_cluster": _aks_cluster,
}
"""Node pool resource types and their mapper, read through :func:`repeated` (``for_each``/``count``)."""


def _node_pools(data: Any) -> Iterator[tuple[str, str, int]]:
    for kind in _NODE_POOLS:
        for name, index, _ in blocks(data, "resource", kind):
            yield kind, name, index


class TerraformAdapter(Adapter):
    name = "terraform"
    description = "Terraform (.tf, .tf.json): SageMaker endpoint configs and Hugging Face SageMaker modules, GKE/EKS/AKS GPU node pools, EKS module node groups; Helm releases and Kubernetes objects handed to their adapters"

    def matches(self, document: Document) -> bool:
        data = document.data
        if not document.name.lower().endswith((".tf", ".tf.json")) or not isinstance(data, dict):
            return False
        resources = data.get("resource")
        if isinstance(resources, dict) and any(t in resources for t in _RESOURCE_TYPES):
            return True
        if has_releases(data):
            return True
        return any(
            "hf_model_id" in body or is_eks_module(body) for _, _, body in blocks(data, "module")
        )

    def read(self, document: Document, context: ReadContext = NO_CONTEXT) -> AdaptResult:
        folder = Folder(document, context)
        deployments: list[Deployment] = []
        data = document.data
        for name, index, body in blocks(data, "resource", "aws_sagemaker_endpoint_configuration"):
            deployments.extend(endpoint_configuration(folder, name, index, body))
        for name, index, body in blocks(data, "module"):
            if "hf_model_id" in body:
                deployments.append(sagemaker_module(folder, name, index, body))
        for name, index, body in blocks(data, "module"):
            if is_eks_module(body):
                deployments.extend(eks_module(folder, name, index, body))
        for kind, name, index in _node_pools(data):
            base: PathKey = ("resource", kind, name, index)
            address = f"{kind}.{name}"
            deployments.extend(repeated(folder, base, address, _NODE_POOLS[kind](name, index)))
        embedded, problems = release_documents(folder, context)
        return AdaptResult(deployments=deployments, problems=problems, embedded=embedded)
