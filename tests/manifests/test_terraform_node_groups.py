"""Terraform: EKS module node groups, for_each/count node pools, machine types greengate cannot read."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
from support import FILES, adapt_file, assert_facts, no_problems

from greengate.manifests.terraform import TerraformAdapter
from greengate.records.deployment import Deployment

TRAINIUM = "awslabs__data-on-eks/ai-ml/trainium-inferentia/"
JARK = "awslabs__data-on-eks/ai-ml/jark-stack/terraform/"
EKS_TESTS = "terraform-aws-modules__terraform-aws-eks/tests/"
TPU = "GoogleCloudPlatform__kubernetes-engine-samples/ai-ml/gke-ray/tpu/get-started/cluster/"
CPU_65K = "GoogleCloudPlatform__ai-on-gke/benchmarks/infra/65k-cpu-cluster/"


def read(path: Path) -> list[Deployment]:
    return no_problems(adapt_file(path, TerraformAdapter))


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text))
    return path


def at(deployment: Deployment, fact: str) -> str:
    location = deployment.facts[fact].location
    return f"{Path(location.file).name}:{location.line}"


# (file, deployment, facts, {fact: "file:line"}), each checked by opening the files.
CORPUS_CASES: list[tuple[str, str, dict[str, Any], dict[str, str]]] = [
    (
        TRAINIUM + "eks.tf",
        'module.eks.eks_managed_node_groups["trn1-32xl-ng1"]',
        {
            "hardware.instanceType": "trn1.32xlarge",
            "replicas.min": 0,
            "replicas.max": 4,
            "cloud.region": "us-west-2",
            "cloud.provider": "aws",
        },
        {
            "hardware.instanceType": "eks.tf:129",
            "replicas.min": "variables.tf:69",
            "replicas.max": "eks.tf:149",
            "cloud.region": "variables.tf:12",
        },
    ),
    (
        TRAINIUM + "eks.tf",
        'module.eks.eks_managed_node_groups["inf2-24xl-ng"]',
        {"hardware.instanceType": "inf2.24xlarge", "replicas.max": 2},
        {"hardware.instanceType": "eks.tf:246", "replicas.max": "eks.tf:259"},
    ),
    (
        JARK + "eks.tf",
        'module.eks.eks_managed_node_groups["gpu1"]',
        {
            "hardware.instanceType": "g5.12xlarge",
            "replicas.min": 0,
            "replicas.max": 1,
            "cloud.region": "us-west-2",
        },
        {
            "hardware.instanceType": "eks.tf:131",
            "replicas.min": "eks.tf:127",
            "cloud.region": "variables.tf:10",
        },
    ),
    (
        EKS_TESTS + "eks-managed-node-group/main.tf",
        'module.eks.eks_managed_node_groups["efa"]',
        {
            "hardware.instanceType": "p4d.24xlarge",
            "replicas.min": 0,
            "replicas.max": 1,
            "cloud.region": "eu-west-1",
        },
        {"hardware.instanceType": "main.tf:324", "cloud.region": "main.tf:18"},
    ),
    (
        EKS_TESTS + "self-managed-node-group/main.tf",
        'module.eks.self_managed_node_groups["efa"]',
        {"hardware.instanceType": "p4d.24xlarge", "replicas.min": 0, "replicas.max": 1},
        {"hardware.instanceType": "main.tf:315", "replicas.max": "main.tf:319"},
    ),
    (
        # count = var.num_tpu_slices (default 1): one pool.
        TPU + "main.tf",
        "google_container_node_pool.tpu_slices",
        {
            "hardware.instanceType": "ct6e-standard-8t",
            "cloud.region": "us-east5",
            "replicas.min": 1,
            "replicas.max": 1,
        },
        {"hardware.instanceType": "variables.tf:63", "cloud.region": "variables.tf:29"},
    ),
]


@pytest.mark.parametrize(
    ("path", "name", "facts", "where"), CORPUS_CASES, ids=[c[1] for c in CORPUS_CASES]
)
def test_corpus_node_groups(
    path: str, name: str, facts: dict[str, Any], where: dict[str, str]
) -> None:
    deployment = {d.name: d for d in read(FILES / path)}[name]
    assert deployment.format == "terraform"
    assert_facts(deployment, facts)
    for fact, expected in where.items():
        assert at(deployment, fact) == expected, fact


def test_cpu_node_groups_are_not_deployments() -> None:
    # core_node_group (m5.2xlarge, AL2_x86_64) is capacity for add-ons, not an AI deployment.
    assert sorted(d.name for d in read(FILES / TRAINIUM / "eks.tf")) == sorted(
        f'module.eks.eks_managed_node_groups["{k}"]'
        for k in ("trn1-32xl-ng1", "trn1n-32xl-ng", "inf2-24xl-ng", "inf2-48xl-ng")
    )
    assert [d.name for d in read(FILES / EKS_TESTS / "eks-managed-node-group/main.tf")] == [
        'module.eks.eks_managed_node_groups["efa"]'
    ]
    # for_each over a for-expression greengate cannot evaluate, but every pool is e2-medium/n1: CPU.
    assert read(FILES / CPU_65K / "main.tf") == []
    # The CPU pool's machine type is var.cpu_machine_type, whose default is e2-standard-16.
    assert [d.name for d in read(FILES / TPU / "main.tf")] == [
        "google_container_node_pool.tpu_slices"
    ]


def test_the_ami_type_is_noted_with_the_instance_type() -> None:
    (efa,) = read(FILES / EKS_TESTS / "eks-managed-node-group/main.tf")
    assert "ami_type AL2023_x86_64_NVIDIA" in efa.facts["hardware.instanceType"].detail


EKS_MODULE = """\
    provider "aws" {
      region = "eu-north-1"
    }
    locals {
      groups = {
        a100 = {
          instance_types = ["p4d.24xlarge"]
          min_size       = 1
          max_size       = 2
        }
        choice = {
          instance_types = ["g5.xlarge", "g5.2xlarge"]
        }
        default_ami = {
          instance_types = var.gpu_types
        }
        cpu = {
          instance_types = ["m6i.large"]
        }
      }
    }
    variable "gpu_types" {
      type = list(string)
    }
    module "eks" {
      source  = "terraform-aws-modules/eks/aws"
      version = "~> 20.0"
      eks_managed_node_group_defaults = {
        ami_type = "BOTTLEROCKET_x86_64_NVIDIA"
        max_size = 5
      }
      eks_managed_node_groups = local.groups
    }
    module "neuron" {
      source         = "terraform-aws-modules/eks/aws//modules/eks-managed-node-group"
      ami_type       = "AL2023_x86_64_NEURON"
      instance_types = ["inf2.xlarge"]
      desired_size   = 1
      min_size       = 1
      max_size       = 3
    }
"""


def test_eks_module_groups_defaults_and_submodule(tmp_path: Path) -> None:
    path = write(tmp_path, "main.tf", EKS_MODULE)
    found = {d.name: d for d in read(path)}
    group = 'module.eks.eks_managed_node_groups["{}"]'
    # cpu has a GPU AMI from the defaults (BOTTLEROCKET_x86_64_NVIDIA): a GPU AMI is a marker.
    assert sorted(found) == sorted(
        [*(group.format(k) for k in ("a100", "choice", "default_ami", "cpu")), "module.neuron"]
    )
    a100 = found[group.format("a100")]
    assert_facts(a100, {"hardware.instanceType": "p4d.24xlarge", "replicas.max": 2})
    assert at(a100, "hardware.instanceType") == "main.tf:7"
    # Several instance types are a choice EKS makes at launch: no instance type fact.
    choice = found[group.format("choice")]
    assert "hardware.instanceType" not in choice.facts
    assert (
        "any of its 2 instance_types (g5.xlarge, g5.2xlarge, line 12)"
        in choice.hints["hardware.instanceType"]
    )
    assert choice.facts["replicas.max"].value == 5
    assert "from the node group defaults" in choice.facts["replicas.max"].detail
    # A variable with no value: reported, the instance type unknown.
    unknown = found[group.format("default_ami")]
    assert unknown.unresolved["hardware.instanceType"].value == "var.gpu_types"
    neuron = found["module.neuron"]
    assert_facts(
        neuron,
        {
            "hardware.instanceType": "inf2.xlarge",
            "replicas.min": 1,
            "replicas.max": 3,
            "cloud.region": "eu-north-1",
        },
    )


def test_a_cpu_group_without_markers_is_not_a_deployment(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "main.tf",
        """\
        module "eks" {
          source = "terraform-aws-modules/eks/aws"
          eks_managed_node_groups = {
            general = { instance_types = ["m6i.large"], ami_type = "AL2023_x86_64_STANDARD" }
            gpu_ops = { instance_types = ["m6i.large"] }
          }
        }
        """,
    )
    # gpu_ops has "gpu" in its name: a marker, even on a CPU type (the catalog then says it is CPU).
    assert [d.name for d in read(path)] == ['module.eks.eks_managed_node_groups["gpu_ops"]']


FOR_EACH = """\
    variable "pools" {
      default = {
        l4 = {
          machine_type = "g2-standard-8"
          nodes        = 2
        }
        cpu = {
          machine_type = "e2-standard-4"
          nodes        = 1
        }
      }
    }
    resource "google_container_node_pool" "pool" {
      for_each   = var.pools
      name       = each.key
      location   = "europe-west4-a"
      node_count = each.value.nodes
      node_config {
        machine_type = each.value.machine_type
      }
    }
    resource "google_container_node_pool" "literal" {
      for_each = {
        a100 = { type = "a2-highgpu-1g" }
      }
      location = "us-central1"
      node_config {
        machine_type = each.value.type
      }
    }
    resource "google_container_node_pool" "unknowable" {
      for_each = toset(var.names)
      node_config {
        machine_type = each.value
      }
    }
"""


def test_for_each_pools_one_deployment_per_key(tmp_path: Path) -> None:
    path = write(tmp_path, "main.tf", FOR_EACH)
    found = {d.name: d for d in read(path)}
    assert sorted(found) == [
        'google_container_node_pool.literal["a100"]',
        'google_container_node_pool.pool["l4"]',
        "google_container_node_pool.unknowable",
    ]
    l4 = found['google_container_node_pool.pool["l4"]']
    assert l4.facts["name"].value == 'google_container_node_pool.pool["l4"]'
    assert_facts(l4, {"hardware.instanceType": "g2-standard-8", "replicas.max": 2})
    assert at(l4, "hardware.instanceType") == "main.tf:4"
    assert at(l4, "replicas.min") == "main.tf:5"
    assert "for_each key l4" in l4.facts["hardware.instanceType"].detail
    literal = found['google_container_node_pool.literal["a100"]']
    assert_facts(literal, {"hardware.instanceType": "a2-highgpu-1g", "cloud.region": "us-central1"})
    assert at(literal, "hardware.instanceType") == "main.tf:24"
    # toset(var.names) cannot be read: one deployment, its machine type unknown, not dropped.
    unknowable = found["google_container_node_pool.unknowable"]
    assert "hardware.instanceType" in unknowable.unresolved


def test_for_each_from_tfvars(tmp_path: Path) -> None:
    write(tmp_path, "main.tf", FOR_EACH)
    write(
        tmp_path,
        "terraform.tfvars",
        """\
        pools = {
          h100 = {
            machine_type = "a3-highgpu-8g"
            nodes        = 1
          }
        }
        """,
    )
    names = [d.name for d in read(tmp_path / "main.tf")]
    assert 'google_container_node_pool.pool["h100"]' in names
    h100 = next(d for d in read(tmp_path / "main.tf") if d.name.endswith('["h100"]'))
    assert at(h100, "hardware.instanceType") == "terraform.tfvars:3"


def test_count_multiplies_replicas(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "main.tf",
        """\
        resource "aws_eks_node_group" "three" {
          count          = 3
          instance_types = ["g5.xlarge"]
          scaling_config {
            min_size = 1
            max_size = 2
          }
        }
        resource "aws_eks_node_group" "none" {
          count          = 0
          instance_types = ["g5.xlarge"]
        }
        resource "aws_eks_node_group" "maybe" {
          count          = var.enabled ? 1 : 0
          instance_types = ["g5.xlarge"]
        }
        resource "aws_eks_node_group" "by_variable" {
          count          = var.copies
          instance_types = ["g5.xlarge"]
          scaling_config {
            min_size = 1
            max_size = 1
          }
        }
        variable "copies" {
          default = 2
        }
        """,
    )
    found = {d.name: d for d in read(path)}
    assert sorted(found) == [
        "aws_eks_node_group.by_variable",
        "aws_eks_node_group.maybe",
        "aws_eks_node_group.three",
    ]
    three = found["aws_eks_node_group.three"]
    assert_facts(three, {"replicas.min": 3, "replicas.max": 6})
    assert "x 3 (count = 3 at line 2: 3 identical node pools)" in three.facts["replicas.max"].detail
    assert_facts(found["aws_eks_node_group.by_variable"], {"replicas.max": 2})


@pytest.mark.parametrize(
    "text",
    [
        'resource "google_container_node_pool" "p" {\n  for_each = [1, 2]\n  node_config {\n    machine_type = each.value\n  }\n}\n',
        'resource "google_container_node_pool" "p" {\n  for_each = {a = 1, b = [2]}\n  node_config {\n    machine_type = each.value.x\n  }\n}\n',
        'resource "google_container_node_pool" "p" {\n  count = "three"\n  node_config {\n    machine_type = "g2-standard-8"\n  }\n}\n',
        'resource "aws_eks_node_group" "p" {\n  count = -1\n  instance_types = "g5.xlarge"\n}\n',
        'module "eks" {\n  source = "terraform-aws-modules/eks/aws"\n  eks_managed_node_groups = [1]\n  self_managed_node_groups = {a = 1, b = {taints = 5, name = [1]}}\n}\n',
        'module "eks" {\n  eks_managed_node_groups = local.g\n  eks_managed_node_group_defaults = 3\n}\nlocals {\n  g = {x = {instance_types = [1, 2], ami_type = 4}}\n}\n',
        'module "eks" {\n  eks_managed_node_groups = {a = {instance_types = var.t}}\n}\nvariable "t" {\n  default = var.t\n}\n',
    ],
)
def test_surprising_shapes_never_crash(tmp_path: Path, text: str) -> None:
    path = tmp_path / "main.tf"
    path.write_text(text)
    for deployment in read(path):
        assert deployment.format == "terraform"


def test_node_groups_greengate_cannot_evaluate_are_reported() -> None:
    # local.node_groups_map = merge(local.base_cpu_pool, <gpu ? local.gpu_pool : {}>): may hold GPUs.
    path = FILES / "vllm-project__production-stack/tutorials/terraform/eks/main.tf"
    (deployment,) = read(path)
    assert deployment.name == "module.eks.eks_managed_node_groups"
    assert deployment.location.line == 92
    assert "hardware.instanceType" not in deployment.facts
    hint = deployment.hints["hardware.accelerator"]
    assert "(line 92), which greengate cannot evaluate" in hint
