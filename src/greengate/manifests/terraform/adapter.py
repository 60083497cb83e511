"""The Terraform adapter: which ``.tf`` documents are its format, and which mapper reads each block.

Only the dispatch lives here. Every document is read through one
:class:`~greengate.manifests.terraform.folder.Folder` (the document with the
files of its folder); each block type has its mapper in
:mod:`~greengate.manifests.terraform.sagemaker` or
:mod:`~greengate.manifests.terraform.node_pools`. The order of the loops is
the order deployments are reported in.
"""

from __future__ import annotations

from greengate.load import Document, PathKey
from greengate.manifests.base import NO_CONTEXT, Adapter, AdaptResult, ReadContext
from greengate.manifests.terraform.folder import Folder, blocks
from greengate.manifests.terraform.node_pools import aks_node_pool, eks_node_group, gke_node_pool
from greengate.manifests.terraform.releases import has_releases, release_documents
from greengate.manifests.terraform.sagemaker import endpoint_configuration, sagemaker_module
from greengate.records.deployment import Deployment

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
        if not document.name.lower().endswith(".tf") or not isinstance(data, dict):
            return False
        resources = data.get("resource")
        if isinstance(resources, dict) and any(t in resources for t in _RESOURCE_TYPES):
            return True
        if has_releases(data):
            return True
        return any("hf_model_id" in body for _, _, body in blocks(data, "module"))

    def read(self, document: Document, context: ReadContext = NO_CONTEXT) -> AdaptResult:
        folder = Folder(document, context)
        deployments: list[Deployment] = []
        data = document.data
        for name, index, body in blocks(data, "resource", "aws_sagemaker_endpoint_configuration"):
            deployments.extend(endpoint_configuration(folder, name, index, body))
        for name, index, body in blocks(data, "module"):
            if "hf_model_id" in body:
                deployments.append(sagemaker_module(folder, name, index, body))
        for name, index, _ in blocks(data, "resource", "google_container_node_pool"):
            deployments.extend(gke_node_pool(folder, name, index))
        for name, index, _ in blocks(data, "resource", "aws_eks_node_group"):
            deployments.extend(eks_node_group(folder, name, index))
        for name, index, _ in blocks(data, "resource", "azurerm_kubernetes_cluster_node_pool"):
            deployments.extend(
                aks_node_pool(
                    folder,
                    ("resource", "azurerm_kubernetes_cluster_node_pool", name, index),
                    f"azurerm_kubernetes_cluster_node_pool.{name}",
                    None,
                )
            )
        for name, index, _ in blocks(data, "resource", "azurerm_kubernetes_cluster"):
            base: PathKey = ("resource", "azurerm_kubernetes_cluster", name, index)
            deployments.extend(
                aks_node_pool(
                    folder,
                    (*base, "default_node_pool", 0),
                    f"azurerm_kubernetes_cluster.{name}/default_node_pool",
                    (*base, "location"),
                )
            )
        embedded, problems = release_documents(document, context)
        return AdaptResult(deployments=deployments, problems=problems, embedded=embedded)
