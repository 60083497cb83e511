"""Terraform: corpus files checked by eye, then edge cases."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
from support import FILES as CORPUS
from support import adapt_file, assert_facts, no_problems

from greengate.app.pipeline import read_deployments
from greengate.catalog import Catalog
from greengate.load import load_file
from greengate.manifests import adapter_for
from greengate.manifests.terraform import TerraformAdapter
from greengate.records.deployment import Deployment, FactSource
from greengate.sources.discover import discover

LLM = "philschmid__terraform-aws-llm-sagemaker/"
HF = "philschmid__terraform-aws-sagemaker-huggingface/examples/"
GKE_RAY = "GoogleCloudPlatform__kubernetes-engine-samples/ai-ml/gke-ray/gke-platform/modules/gke_standard/"
VLLM_GKE = "vllm-project__production-stack/tutorials/terraform/gke/gke-infrastructure/"


def read_file(path: Path) -> list[Deployment]:
    return no_problems(adapt_file(path, TerraformAdapter))


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text))
    return path


# Checked by opening each file (and the variables.tf next to it):
# (path, deployment, facts, (key fact, "file:line" where its value is written)).
CORPUS_CASES = [
    (
        LLM + "examples/basic/main.tf",
        "module.sagemaker_endpoint",
        {
            "model.name": "meta-llama/Meta-Llama-3.1-8B-Instruct",
            "hardware.instanceType": "ml.g5.2xlarge",
            "cloud.region": "us-east-1",
            "cloud.provider": "aws",
            "replicas.min": None,
        },
        ("cloud.region", "main.tf:6"),
    ),
    (
        # provider "aws" is commented out: no region (the corpus index's hint says us-east-1).
        HF + "autoscaling_example/main.tf",
        "module.huggingface_sagemaker",
        {
            "model.name": "distilbert-base-uncased-finetuned-sst-2-english",
            "task": "classification",
            "hardware.instanceType": "ml.g4dn.xlarge",
            "replicas.min": 1,
            "replicas.max": 4,
            "cloud.region": None,
        },
        ("replicas.max", "main.tf:21"),
    ),
    (
        HF + "deploy_from_hub/main.tf",
        "module.huggingface_sagemaker",
        {
            "task": "classification",
            "hardware.instanceType": "ml.g4dn.xlarge",
            "replicas.min": 1,
            "replicas.max": 1,
        },
        ("task", "main.tf:18"),
    ),
    (
        HF + "serverless_inference/main.tf",
        "module.huggingface_sagemaker",
        {
            "model.name": "distilbert-base-uncased-finetuned-sst-2-english",
            "rateLimits.concurrency": 1,
            "hardware.accelerator": "cpu",
            "hardware.instanceType": None,
        },
        ("rateLimits.concurrency", "main.tf:13"),
    ),
    (
        # instance_type = var.instance_type has a null default; instance_count defaults to 1.
        LLM + "main.tf",
        "aws_sagemaker_endpoint_configuration.llm",
        {
            "replicas.min": 1,
            "replicas.max": 1,
            "hardware.instanceType": None,
            "model.name": None,
            "cloud.provider": "aws",
        },
        ("replicas.min", "variables.tf:52"),
    ),
    (
        GKE_RAY + "main.tf",
        "google_container_node_pool.gpu_pool",
        {
            "hardware.instanceType": "n1-standard-16",
            "hardware.accelerator": "nvidia-tesla-t4",
            "hardware.count": 2,
            "cloud.region": "us-central1",
            "replicas.min": 3,
            "replicas.max": 9,
            "cloud.provider": "gcp",
        },
        ("hardware.accelerator", "variables.tf:73"),
    ),
    (
        # TPU v4 is only in us-central2-b: node_locations wins over location = var.region.
        GKE_RAY + "main.tf",
        "google_container_node_pool.tpu_pool",
        {
            "hardware.instanceType": "ct4p-hightpu-4t",
            "cloud.region": "us-central2",
            "replicas.min": 1,
            "hardware.accelerator": None,
        },
        ("cloud.region", "main.tf:140"),
    ),
    (
        VLLM_GKE + "node_pools.tf",
        "google_container_node_pool.primary_nodes",
        {
            "hardware.instanceType": "g2-standard-8",
            "hardware.accelerator": "nvidia-l4",
            "hardware.count": 1,
            "cloud.region": "us-central1",
            "replicas.min": 1,
            "replicas.max": 1,
        },
        ("hardware.instanceType", "variables.tf:53"),
    ),
]


@pytest.mark.parametrize(
    ("path", "name", "facts", "key"), CORPUS_CASES, ids=[f"{c[0]}:{c[1]}" for c in CORPUS_CASES]
)
def test_corpus_files(path: str, name: str, facts: dict[str, Any], key: tuple[str, str]) -> None:
    deployments = {d.name: d for d in read_file(CORPUS / path)}
    deployment = deployments[name]
    assert deployment.format == "terraform"
    assert_facts(deployment, facts)
    fact, where = key
    location = deployment.facts[fact].location
    assert f"{Path(location.file).name}:{location.line}" == where


def test_cpu_node_pools_are_not_deployments() -> None:
    names = [d.name for d in read_file(CORPUS / GKE_RAY / "main.tf")]
    assert names == ["google_container_node_pool.gpu_pool", "google_container_node_pool.tpu_pool"]
    assert [d.name for d in read_file(CORPUS / VLLM_GKE / "node_pools.tf")] == [
        "google_container_node_pool.primary_nodes"
    ]


def test_corpus_terraform_yields_deployments_only_where_stated() -> None:
    files = [f for f in discover([CORPUS]) if f.path.suffix in (".tf", ".tfvars")]
    with_deployments = sorted(
        f.path.relative_to(CORPUS).as_posix() for f in files if read_file(f.path)
    )
    assert with_deployments == sorted(
        [
            GKE_RAY + "main.tf",
            LLM + "examples/basic/main.tf",
            LLM + "main.tf",
            HF + "autoscaling_example/main.tf",
            HF + "deploy_from_hub/main.tf",
            HF + "serverless_inference/main.tf",
            VLLM_GKE + "node_pools.tf",
            # EKS module GPU/Neuron node groups, and a TPU pool with count.
            "awslabs__data-on-eks/ai-ml/trainium-inferentia/eks.tf",
            "awslabs__data-on-eks/ai-ml/jark-stack/terraform/eks.tf",
            "terraform-aws-modules__terraform-aws-eks/tests/eks-managed-node-group/main.tf",
            "terraform-aws-modules__terraform-aws-eks/tests/self-managed-node-group/main.tf",
            "GoogleCloudPlatform__kubernetes-engine-samples/ai-ml/gke-ray/tpu/get-started/cluster/main.tf",
            # eks_managed_node_groups = local.node_groups_map, a merge(): unreadable, so reported.
            "vllm-project__production-stack/tutorials/terraform/eks/main.tf",
        ]
    )


def test_details_say_where_a_variable_value_came_from() -> None:
    (gpu, _) = read_file(CORPUS / GKE_RAY / "main.tf")
    region = gpu.facts["cloud.region"]
    assert region.source is FactSource.DERIVED
    assert (
        "node_locations zones us-central1-a, us-central1-c, us-central1-f are in region us-central1"
        in region.detail
    )
    assert (
        "var.gpu_pool_node_locations resolved from variables.tf:79 (the variable's default"
        in region.detail
    )
    assert "x 3 zones" in gpu.facts["replicas.max"].detail
    (pool,) = read_file(CORPUS / VLLM_GKE / "node_pools.tf")
    assert "zone us-central1-a is in region us-central1" in pool.facts["cloud.region"].detail


def test_catalog_resolves_module_instance_type() -> None:
    path = CORPUS / HF / "deploy_from_hub/main.tf"
    (deployment,), findings = read_deployments(discover([path]), Catalog.load([]))
    assert not findings
    assert deployment.value("hardware.accelerator") == "nvidia-t4"


def test_linked_model_and_provider_region(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "main.tf",
        """\
        provider "aws" {
          region = var.region
        }

        resource "aws_sagemaker_model" "m" {
          name = "m"
          primary_container {
            image = "x"
            environment = {
              HF_MODEL_ID = "Qwen/Qwen2.5-7B-Instruct"
              HF_TASK     = "text-generation"
              SM_NUM_GPUS = "4"
            }
          }
        }

        resource "aws_sagemaker_endpoint_configuration" "c" {
          name = "c"
          production_variants {
            variant_name           = "a"
            model_name             = aws_sagemaker_model.m.name
            instance_type          = "ml.g5.12xlarge"
            initial_instance_count = 1
          }
          production_variants {
            variant_name     = "b"
            model_name       = aws_sagemaker_model.m.name
            serverless_config {
              max_concurrency   = 5
              memory_size_in_mb = 2048
            }
          }
        }
        """,
    )
    a, b = read_file(path)
    assert (a.name, b.name) == (
        "aws_sagemaker_endpoint_configuration.c/a",
        "aws_sagemaker_endpoint_configuration.c/b",
    )
    assert_facts(
        a,
        {
            "model.name": "Qwen/Qwen2.5-7B-Instruct",
            "task": "text-generation",
            "hardware.count": 4,
            "hardware.instanceType": "ml.g5.12xlarge",
            "cloud.region": None,
        },
    )
    assert a.facts["model.name"].location.line == 10
    assert a.unresolved["cloud.region"].value == "var.region"
    assert "'var.region' at line 2 is a placeholder" in a.hint("cloud.region")
    assert_facts(b, {"rateLimits.concurrency": 5, "hardware.accelerator": "cpu"})
    # A variable default in the folder resolves it; terraform.tfvars wins over the default.
    write(tmp_path, "variables.tf", 'variable "region" {\n  default = "us-east-1"\n}\n')
    (a, _) = read_file(path)
    assert a.value("cloud.region") == "us-east-1"
    assert a.facts["cloud.region"].location.file.endswith("variables.tf")
    write(tmp_path, "example.tfvars", 'region = "ap-south-1"\n')  # only with -var-file: not applied
    (a, _) = read_file(path)
    assert a.value("cloud.region") == "us-east-1"
    write(tmp_path, "terraform.tfvars", '\nregion = "eu-north-1"\n')
    (a, _) = read_file(path)
    assert a.value("cloud.region") == "eu-north-1"
    assert "var.region resolved from terraform.tfvars:2" in a.facts["cloud.region"].detail


def test_eks_and_aks_gpu_node_pools(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "main.tf",
        """\
        provider "aws" {
          region = "eu-north-1"
        }
        resource "aws_eks_node_group" "gpu" {
          instance_types = ["g5.xlarge", "g5.2xlarge"]
          scaling_config {
            min_size     = 0
            desired_size = 1
            max_size     = 4
          }
        }
        resource "aws_eks_node_group" "cpu" {
          instance_types = ["m6i.large"]
        }
        resource "azurerm_kubernetes_cluster" "aks" {
          location = "swedencentral"
          default_node_pool {
            name       = "gpu"
            vm_size    = "Standard_NC24ads_A100_v4"
            node_count = 2
          }
        }
        resource "azurerm_kubernetes_cluster_node_pool" "t4" {
          vm_size   = "Standard_NC4as_T4_v3"
          min_count = 1
          max_count = 3
        }
        """,
    )
    eks, aks_default, aks_pool = sorted(read_file(path), key=lambda d: d.name)
    assert eks.name == "aws_eks_node_group.gpu"
    assert_facts(
        eks,
        {
            "hardware.instanceType": None,
            "replicas.min": 0,
            "replicas.max": 4,
            "cloud.region": "eu-north-1",
            "cloud.provider": "aws",
        },
    )
    # Two instance types are a choice EKS makes at launch: the first is not a fact.
    assert (
        "any of its 2 instance_types (g5.xlarge, g5.2xlarge, line 5)"
        in eks.hints["hardware.instanceType"]
    )
    assert_facts(
        aks_default,
        {
            "hardware.instanceType": "Standard_NC24ads_A100_v4",
            "cloud.region": "swedencentral",
            "replicas.max": 2,
        },
    )
    assert_facts(
        aks_pool,
        {
            "hardware.instanceType": "Standard_NC4as_T4_v3",
            "replicas.min": 1,
            "replicas.max": 3,
            "cloud.region": None,
        },
    )


def test_gke_zone_location_and_regional_pool(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "gke.tf",
        """\
        resource "google_container_node_pool" "zonal" {
          location   = "europe-north1-a"
          node_count = 2
          node_config {
            machine_type = "g2-standard-8"
          }
        }
        resource "google_container_node_pool" "regional" {
          location = "europe-west4"
          autoscaling {
            min_node_count = 1
            max_node_count = 2
          }
          node_config {
            machine_type = "a3-highgpu-8g"
          }
        }
        resource "google_container_node_pool" "unknown" {
          node_config {
            machine_type = var.machine
          }
        }
        """,
    )
    zonal, regional, unknown = read_file(path)
    # A machine type greengate cannot read may be a GPU machine: reported, facts unknown.
    assert unknown.name == "google_container_node_pool.unknown"
    assert unknown.unresolved["hardware.instanceType"].value == "var.machine"
    assert "hardware.instanceType" not in unknown.facts
    assert (
        "node_config.machine_type is var.machine (line 20)" in unknown.hints["hardware.accelerator"]
    )
    assert_facts(
        zonal,
        {
            "cloud.region": "europe-north1",
            "replicas.max": 2,
            "hardware.instanceType": "g2-standard-8",
        },
    )
    assert_facts(regional, {"cloud.region": "europe-west4", "replicas.min": 1, "replicas.max": 2})
    assert "per zone" in regional.facts["replicas.max"].detail


def test_placeholders_stay_unknown(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "main.tf",
        """\
        module "llm" {
          source         = "philschmid/sagemaker-huggingface/aws"
          hf_model_id    = var.model
          hf_task        = "${var.task}"
          instance_type  = local.instance
          instance_count = var.count
        }
        """,
    )
    (deployment,) = read_file(path)
    for name in ("model.name", "task", "hardware.instanceType", "replicas.min"):
        assert name not in deployment.facts, name
        assert name in deployment.unresolved, name
    assert deployment.value("cloud.provider") == "aws"  # the module source names SageMaker
    assert deployment.where("model.name").line == 3


def test_the_registry_picks_this_adapter() -> None:
    (document,) = load_file(CORPUS / VLLM_GKE / "node_pools.tf").documents
    assert isinstance(adapter_for(document), TerraformAdapter)


def test_an_unparsable_file_is_an_error_finding(tmp_path: Path) -> None:
    write(tmp_path, "main.tf", 'resource "google_container_node_pool" "p" {\n  node_count = \n}\n')
    deployments, findings = read_deployments(discover([tmp_path]), Catalog.load([]))
    assert deployments == []
    (finding,) = findings
    assert finding.status.value == "error"
    assert finding.location.line == 2
    assert "invalid HCL" in finding.message


@pytest.mark.parametrize(
    "text",
    [
        'resource "aws_sagemaker_endpoint_configuration" "c" {\n  production_variants = 5\n}\n',
        'resource "aws_sagemaker_endpoint_configuration" "c" {\n  production_variants {\n    model_name = aws_sagemaker_model.missing.name\n    instance_type = [1]\n    initial_instance_count = "many"\n  }\n}\n',
        'resource "google_container_node_pool" "p" {\n  node_config = [1]\n  node_locations = [1, "x"]\n  placement_policy {\n    tpu_topology = "2x2"\n  }\n  autoscaling {\n    min_node_count = "a"\n  }\n}\n',
        'resource "aws_eks_node_group" "g" {\n  instance_types = var.types\n}\nvariable "types" {\n  default = [{a = 1}]\n}\n',
        'module "m" {\n  hf_model_id = {a = 1}\n  autoscaling = "x"\n  serverless_config = [1]\n}\n',
        'resource "aws_sagemaker_endpoint_configuration" "c" {\n  production_variants {\n    instance_type = var.a\n  }\n}\nvariable "a" {\n  default = var.a\n}\n',
    ],
)
def test_surprising_shapes_never_crash(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, "main.tf", text)
    for deployment in read_file(path):
        assert deployment.format == "terraform"
