"""Cloud and region from the Terraform that creates the cluster (greengate.manifests.links.clusters).

``autopilot/networking-tutorial`` of kubernetes-engine-samples is a real folder
with a GKE cluster beside its manifests (whole, in the corpus); its own
Deployment is not an AI workload, so a real GPU manifest is put beside a copy
of its ``main.tf``.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
from support import FILES, read_paths

from greengate.records.deployment import FactSource

GKE = FILES / "GoogleCloudPlatform__kubernetes-engine-samples"
TUTORIAL = GKE / "autopilot/networking-tutorial"
TPU = GKE / "ai-ml/vllm-tpu/vllm-llama3-70b.yaml"


def where(deployment, name):  # type: ignore[no-untyped-def]
    fact = deployment.facts[name]
    return fact.value, Path(fact.location.file).name, fact.location.line


def test_the_real_folder_reads_without_errors() -> None:
    deployments, findings = read_paths(TUTORIAL)
    assert deployments == []  # a web app, not an AI workload
    assert not [f for f in findings if f.rule_id != "GG001"]


def test_a_gke_cluster_beside_a_workload_gives_its_region(tmp_path: Path) -> None:
    shutil.copy(TUTORIAL / "main.tf", tmp_path)
    shutil.copy(TPU, tmp_path)
    (deployment,), _ = read_paths(tmp_path)
    assert where(deployment, "cloud.provider") == ("gcp", "main.tf", 26)
    assert where(deployment, "cloud.region") == ("us-central1", "main.tf", 26)
    region = deployment.facts["cloud.region"]
    assert region.source is FactSource.LINKED
    assert region.detail == (
        "Terraform cluster google_container_cluster.default in main.tf: "
        "location var.region (its default)"
    )
    assert "cloud.gridIntensity" in deployment.facts  # the catalog knows the region


MANIFEST = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: vllm
{annotations}spec:
  template:
    spec:
      containers:
        - name: vllm
          image: vllm/vllm-openai
          resources:
            limits:
              nvidia.com/gpu: 1
"""


def read(tmp_path: Path, terraform: dict[str, str], annotations: str = ""):  # type: ignore[no-untyped-def]
    (tmp_path / "deploy.yaml").write_text(MANIFEST.format(annotations=annotations))
    for name, text in terraform.items():
        (tmp_path / name).write_text(textwrap.dedent(text))
    (deployment,), findings = read_paths(tmp_path)
    assert not [f for f in findings if f.rule_id != "GG001"], findings
    return deployment


def test_a_zone_names_its_region(tmp_path: Path) -> None:
    tf = 'resource "google_container_cluster" "gpu" {\n  name     = "gpu"\n  location = "europe-west4-a"\n}\n'
    deployment = read(tmp_path, {"main.tf": tf})
    assert where(deployment, "cloud.region") == ("europe-west4", "main.tf", 3)
    assert "(zone europe-west4-a)" in deployment.facts["cloud.region"].detail


def test_an_eks_module_takes_the_aws_provider_region(tmp_path: Path) -> None:
    tf = """\
    provider "aws" {
      region = "eu-north-1"
    }
    provider "aws" {
      alias  = "virginia"
      region = "us-east-1"
    }
    module "eks" {
      source  = "terraform-aws-modules/eks/aws"
      version = "~> 20.0"
    }
    """
    deployment = read(tmp_path, {"eks.tf": tf})
    assert where(deployment, "cloud.provider") == ("aws", "eks.tf", 2)
    assert where(deployment, "cloud.region") == ("eu-north-1", "eks.tf", 2)
    assert deployment.facts["cloud.region"].detail == (
        'Terraform cluster module.eks in eks.tf: provider "aws" region'
    )


def test_an_eks_cluster_resource_and_a_region_variable_in_another_file(tmp_path: Path) -> None:
    files = {
        "main.tf": 'provider "aws" {\n  region = var.region\n}\nresource "aws_eks_cluster" "c" {\n  name = "c"\n}\n',
        "variables.tf": 'variable "region" {\n  default = "us-west-2"\n}\n',
    }
    deployment = read(tmp_path, files)
    assert where(deployment, "cloud.region") == ("us-west-2", "variables.tf", 2)


def test_an_aks_cluster(tmp_path: Path) -> None:
    tf = 'resource "azurerm_kubernetes_cluster" "aks" {\n  name     = "aks"\n  location = "swedencentral"\n}\n'
    deployment = read(tmp_path, {"aks.tf": tf})
    assert where(deployment, "cloud.provider") == ("azure", "aks.tf", 3)
    assert where(deployment, "cloud.region") == ("swedencentral", "aks.tf", 3)


@pytest.mark.parametrize(
    "tf",
    [
        'resource "google_container_cluster" "a" {\n  location = local.region\n}\n',
        'resource "google_container_cluster" "a" {\n  location = "${var.region}-a"\n}\n',
        'resource "google_container_cluster" "a" {\n  location = var.missing\n}\n',
        'resource "google_container_cluster" "a" {\n  name = "no location"\n}\n',
        'module "eks" {\n  source = "terraform-aws-modules/eks/aws"\n}\n',  # no provider region
        'resource "google_container_cluster" "a" {\n  location = "us-central1"\n}\n'
        'resource "google_container_cluster" "b" {\n  location = "europe-west4"\n}\n',
        'resource "google_container_cluster" "a" {\n  location = ["us-central1"]\n}\n',
    ],
)
def test_an_unknown_or_ambiguous_place_gives_nothing(tmp_path: Path, tf: str) -> None:
    deployment = read(tmp_path, {"main.tf": tf})
    assert "cloud.region" not in deployment.facts
    assert "cloud.provider" not in deployment.facts


def test_the_workload_own_region_wins(tmp_path: Path) -> None:
    tf = 'resource "google_container_cluster" "a" {\n  location = "us-central1"\n}\n'
    annotations = "  annotations:\n    greengate.dev/region: europe-north1\n"
    deployment = read(tmp_path, {"main.tf": tf}, annotations)
    assert deployment.facts["cloud.region"].value == "europe-north1"
    assert deployment.facts["cloud.region"].source is FactSource.ANNOTATION
    assert "cloud.provider" not in deployment.facts or (
        deployment.facts["cloud.provider"].source is not FactSource.LINKED
    )


def test_terraform_in_another_folder_gives_nothing(tmp_path: Path) -> None:
    (tmp_path / "infra").mkdir()
    shutil.copy(TUTORIAL / "main.tf", tmp_path / "infra")
    (tmp_path / "k8s").mkdir()
    shutil.copy(TPU, tmp_path / "k8s")
    deployments, _ = read_paths(tmp_path)
    (deployment,) = [d for d in deployments if d.kind == "Deployment"]
    assert "cloud.region" not in deployment.facts
