"""Adapters, one per manifest format. Adding a format = one module (or subpackage) + one line in ADAPTERS."""

from __future__ import annotations

from greengate.load import Document
from greengate.manifests.azureml import AzureMLAdapter
from greengate.manifests.base import Adapter, AdaptResult, ManifestProblem
from greengate.manifests.generic import GenericAdapter
from greengate.manifests.helm import HelmValuesAdapter
from greengate.manifests.kaito import KaitoAdapter
from greengate.manifests.keda import KedaScaledJobAdapter
from greengate.manifests.kserve import KServeAdapter
from greengate.manifests.kubeflow import KubeflowAdapter
from greengate.manifests.kubernetes import KubernetesAdapter
from greengate.manifests.kueue import KueueWorkloadAdapter
from greengate.manifests.native import NativeAdapter
from greengate.manifests.nim import NIMAdapter
from greengate.manifests.ray import RayAdapter
from greengate.manifests.sagemaker import SageMakerCloudFormationAdapter
from greengate.manifests.seldon import SeldonAdapter
from greengate.manifests.spark import SparkAdapter
from greengate.manifests.terraform import TerraformAdapter
from greengate.manifests.vllm_operator import VLLMRuntimeAdapter
from greengate.manifests.volcano import VolcanoJobAdapter

ADAPTERS: tuple[Adapter, ...] = (
    NativeAdapter(),
    KubernetesAdapter(),
    KServeAdapter(),
    RayAdapter(),
    KubeflowAdapter(),
    SeldonAdapter(),
    SparkAdapter(),
    KaitoAdapter(),
    NIMAdapter(),
    VLLMRuntimeAdapter(),
    VolcanoJobAdapter(),
    KueueWorkloadAdapter(),
    KedaScaledJobAdapter(),
    AzureMLAdapter(),
    HelmValuesAdapter(),
    SageMakerCloudFormationAdapter(),
    TerraformAdapter(),
    GenericAdapter(),  # last: any Kubernetes-style object no adapter above claims
)


def adapter_for(document: Document) -> Adapter | None:
    """The adapter that reads this document, or None when it is not a deployment."""
    for adapter in ADAPTERS:
        if adapter.matches(document):
            return adapter
    return None


__all__ = ["ADAPTERS", "AdaptResult", "Adapter", "ManifestProblem", "adapter_for"]
