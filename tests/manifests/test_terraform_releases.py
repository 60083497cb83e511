"""Terraform: Helm values and Kubernetes objects handed to the other adapters, at their .tf lines."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from support import FILES, work_tree_context

from greengate.app.pipeline import read_deployments
from greengate.catalog import Catalog
from greengate.load import load_file
from greengate.manifests.terraform.folder import Folder
from greengate.manifests.terraform.releases import release_documents
from greengate.records.deployment import Deployment
from greengate.records.finding import Finding
from greengate.sources.discover import discover

TRITON = "awslabs__ai-on-eks/infra/nvidia-triton-server/"
PYTORCH = "awslabs__data-on-eks/ai-ml/ray/terraform/examples/pytorch/"
JARK = "awslabs__data-on-eks/ai-ml/jark-stack/terraform/"
KUBERAY = "GoogleCloudPlatform__ai-on-gke/modules/kuberay-cluster/"


def pipeline(folder: Path) -> tuple[list[Deployment], list[Finding]]:
    return read_deployments(discover([folder]), Catalog.load([]))


def at(deployment: Deployment, fact: str) -> str:
    location = deployment.facts[fact].location
    return f"{Path(location.file).name}:{location.line}:{location.column}"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text))
    return path


def test_triton_values_in_a_module_helm_config_heredoc() -> None:
    deployments, findings = pipeline(FILES / TRITON)
    assert [f for f in findings if f.status.value == "error"] == []
    (triton,) = deployments
    assert (
        triton.name
        == "module.triton_server_vllm.nvidia_triton_server_helm_config/triton-inference-server"
    )
    assert triton.facts["name"].value == triton.name
    assert triton.format == "helm"
    assert triton.facts["workload"].value == "inference"
    # Positions inside the <<-EOT heredoc are the .tf file's: line and column as a reader sees them.
    assert triton.facts["hardware.count"].value == 4
    assert at(triton, "hardware.count") == "nvidia-triton-server.tf:56:27"
    assert (triton.facts["replicas.min"].value, at(triton, "replicas.min")) == (
        1,
        "nvidia-triton-server.tf:65:22",
    )
    assert (triton.facts["replicas.max"].value, at(triton, "replicas.max")) == (
        5,
        "nvidia-triton-server.tf:66:22",
    )


def test_yamlencode_values_keep_their_hcl_lines() -> None:
    path = FILES / PYTORCH / "main.tf"
    (document,) = load_file(path).documents
    (embedded,), problems = release_documents(
        Folder(document, work_tree_context(path)), work_tree_context(path)
    )
    assert problems == []
    assert embedded.name == "module.pytorch_cluster.helm_values"
    values = embedded.document
    assert values.read_as == "values.yaml"
    assert values.name == "values.yaml"
    assert values.get(("image", "repository")) == "rayproject/ray-ml"
    assert values.location(("image", "repository")).line == 51
    assert values.get(("worker", "maxReplicas")) == "30"
    assert values.location(("worker", "maxReplicas")).line == 107
    # CPU-only Ray workers: the Helm adapter finds no AI deployment in these values.
    deployments, findings = pipeline(FILES / PYTORCH)
    assert deployments == []
    assert [f for f in findings if f.status.value == "error"] == []


def test_addon_helm_configs_are_read_but_are_not_deployments() -> None:
    path = FILES / JARK / "addons.tf"
    (document,) = load_file(path).documents
    embedded, problems = release_documents(
        Folder(document, work_tree_context(path)), work_tree_context(path)
    )
    assert problems == []
    names = [e.name for e in embedded]
    assert "module.data_addons.kuberay_operator_helm_config" in names
    kuberay = embedded[names.index("module.data_addons.kuberay_operator_helm_config")]
    assert kuberay.document.get(("batchScheduler", "enabled")) is True
    assert kuberay.document.key_location(("batchScheduler",)).line == 211
    deployments, _ = pipeline(FILES / JARK)
    # Only the EKS GPU node group: the add-on charts (KubeRay operator, device plugin) deploy no model.
    assert [d.name for d in deployments] == ['module.eks.eks_managed_node_groups["gpu1"]']


def test_a_template_that_is_not_yaml_until_rendered_is_skipped() -> None:
    deployments, findings = pipeline(FILES / KUBERAY)
    assert deployments == []
    # values.yaml is reported once, as the file it is; main.tf's templatefile() of it adds nothing.
    (finding,) = findings
    assert finding.rule_id == "GG001"
    assert Path(finding.location.file).name == "values.yaml"


MODEL_VALUES = """\
    resource "helm_release" "llm" {
      name  = "llm"
      chart = "./charts/llm"
      values = [
        <<-EOT
        model:
          id: mistralai/Mistral-7B-Instruct-v0.3
        resources:
          limits:
            nvidia.com/gpu: 1
        EOT
        ,
        yamlencode({
          replicaCount = 2
        })
      ]
      set {
        name  = "resources.limits.nvidia\\\\.com/gpu"
        value = "2"
      }
      set {
        name  = "servingEngineSpec.modelSpec[0].replicaCount"
        value = "9"
      }
    }
"""


def test_heredoc_yamlencode_and_set_merge_in_order(tmp_path: Path) -> None:
    write(tmp_path, "main.tf", MODEL_VALUES)
    (deployment,), findings = pipeline(tmp_path)
    assert [f for f in findings if f.status.value == "error"] == []
    assert deployment.name == "helm_release.llm/" + tmp_path.name
    assert deployment.format == "helm"
    assert deployment.facts["model.name"].value == "mistralai/Mistral-7B-Instruct-v0.3"
    assert at(deployment, "model.name") == "main.tf:7:11"
    # set wins over the heredoc, typed as Helm's --set types it; the escaped dot is one key.
    assert deployment.facts["hardware.count"].value == 2
    assert at(deployment, "hardware.count") == "main.tf:19:13"
    assert deployment.facts["replicas.min"].value == 2
    assert at(deployment, "replicas.min") == "main.tf:14:22"


def test_a_values_file_beside_the_release(tmp_path: Path) -> None:
    write(
        tmp_path,
        "main.tf",
        """\
        resource "helm_release" "a" {
          values = [file("${path.module}/serving.yaml")]
        }
        resource "helm_release" "b" {
          values = [templatefile("${path.module}/values.yaml", { gpu = 1 })]
        }
        """,
    )
    model = "model:\n  id: Qwen/Qwen2.5-7B-Instruct\nresources:\n  limits:\n    nvidia.com/gpu: 1\n"
    write(tmp_path, "serving.yaml", model)
    write(tmp_path, "values.yaml", model)
    deployments, findings = pipeline(tmp_path)
    assert [f for f in findings if f.status.value == "error"] == []
    names = sorted(d.name for d in deployments)
    # serving.yaml is Helm values only through the release; values.yaml is read as itself, once.
    assert names == [f"helm_release.a/{tmp_path.name}", tmp_path.name]
    through = next(d for d in deployments if d.name.startswith("helm_release.a"))
    assert at(through, "model.name") == "serving.yaml:2:7"


def test_kubernetes_objects_written_in_terraform(tmp_path: Path) -> None:
    write(
        tmp_path,
        "k8s.tf",
        """\
        resource "kubernetes_manifest" "vllm" {
          manifest = {
            apiVersion = "apps/v1"
            kind       = "Deployment"
            metadata   = { name = "vllm" }
            spec = {
              replicas = 2
              template = {
                spec = {
                  containers = [{
                    name  = "vllm"
                    image = "vllm/vllm-openai:v0.6.3"
                    args  = ["--model", "meta-llama/Llama-3.1-8B-Instruct"]
                    resources = { limits = { "nvidia.com/gpu" = 1 } }
                  }]
                }
              }
            }
          }
        }
        resource "kubectl_manifest" "tgi" {
          yaml_body = <<-YAML
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: tgi
            spec:
              replicas: 3
              template:
                spec:
                  containers:
                    - name: tgi
                      image: ghcr.io/huggingface/text-generation-inference:2.4
                      resources:
                        limits:
                          nvidia.com/gpu: 1
          YAML
        }
        """,
    )
    deployments, findings = pipeline(tmp_path)
    assert [f for f in findings if f.status.value == "error"] == []
    by_name = {d.name: d for d in deployments}
    vllm, tgi = by_name["kubernetes_manifest.vllm/vllm"], by_name["kubectl_manifest.tgi/tgi"]
    assert vllm.format == tgi.format == "kubernetes"
    assert (vllm.facts["replicas.min"].value, at(vllm, "replicas.min")) == (2, "k8s.tf:7:18")
    assert (tgi.facts["replicas.min"].value, at(tgi, "replicas.min")) == (3, "k8s.tf:28:17")
    assert at(tgi, "hardware.count") == "k8s.tf:36:35"


def test_invalid_yaml_in_a_heredoc_is_a_problem_at_its_line(tmp_path: Path) -> None:
    write(
        tmp_path,
        "main.tf",
        """\
        resource "helm_release" "bad" {
          values = [
            <<-EOT
            model:
              id: [unclosed
            EOT
          ]
        }
        """,
    )
    deployments, findings = pipeline(tmp_path)
    assert deployments == []
    (finding,) = findings
    assert finding.status.value == "error"
    assert finding.location.line in (5, 6)
    assert "values[0] of helm_release.bad is not valid YAML" in finding.message


def test_a_one_line_yaml_string_points_at_the_string(tmp_path: Path) -> None:
    write(
        tmp_path,
        "main.tf",
        """\
        resource "helm_release" "inline" {
          values = ["model:\\n  id: google/gemma-2-9b-it\\nresources:\\n  limits:\\n    nvidia.com/gpu: 1\\n"]
        }
        """,
    )
    (deployment,), _ = pipeline(tmp_path)
    assert deployment.facts["model.name"].value == "google/gemma-2-9b-it"
    assert deployment.facts["model.name"].location.line == 2


@pytest.mark.parametrize(
    "body",
    [
        'values = "model: x"',
        'values = [1, {a = 1}, [2], null, var.values, ""]',
        "set = 5",
        'set = [1, {name = 2, value = 3}, {name = "${var.k}", value = 1}, {name = "a"}]',
        'set {\n    name  = "a..b"\n    value = "1"\n  }\n  set {\n    name  = "a"\n    value = "2"\n  }',
        "values = [<<-EOT\n  EOT\n  ]",
        'values = [file("${path.module}/missing.yaml"), templatefile(var.path, {})]',
        'values = ["- a\\n- b\\n", "just text", "{{ .Values.x }}"]',
    ],
)
def test_surprising_release_shapes_never_crash(tmp_path: Path, body: str) -> None:
    write(
        tmp_path,
        "main.tf",
        f'resource "helm_release" "r" {{\n  {body}\n}}\nresource "kubernetes_manifest" "m" {{\n  manifest = 5\n}}\n',
    )
    deployments, findings = pipeline(tmp_path)
    assert deployments == []
    assert not any("could not read this" in f.message for f in findings)


def test_a_heredoc_template_is_not_reported_as_invalid_yaml(tmp_path: Path) -> None:
    write(
        tmp_path,
        "main.tf",
        """\
        resource "helm_release" "templated" {
          values = [
            <<-EOT
            %{ if var.gpu }
            resources: {limits: {nvidia.com/gpu: 1}
            %{ endif }
            EOT
          ]
        }
        """,
    )
    assert pipeline(tmp_path) == ([], [])


def test_values_from_a_variable_default(tmp_path: Path) -> None:
    write(
        tmp_path,
        "main.tf",
        """\
        resource "helm_release" "llm" {
          values = var.values
        }
        """,
    )
    write(
        tmp_path,
        "variables.tf",
        """\
        variable "values" {
          default = [
            <<-EOT
            model:
              id: microsoft/Phi-3-mini-4k-instruct
            resources:
              limits:
                nvidia.com/gpu: 1
            EOT
          ]
        }
        """,
    )
    (deployment,), _ = pipeline(tmp_path)
    assert deployment.name.startswith("helm_release.llm/")
    assert at(deployment, "model.name") == "variables.tf:5:11"
