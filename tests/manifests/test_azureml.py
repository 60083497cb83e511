"""Azure ML deployment YAML: corpus files checked by eye, then edge cases."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from support import FILES as CORPUS
from support import adapt_file, adapt_text, assert_facts, no_problems

from greengate.app.pipeline import read_deployments
from greengate.catalog import Catalog
from greengate.load import load_file
from greengate.manifests import adapter_for
from greengate.manifests.azureml import AzureMLAdapter, model_name
from greengate.records.deployment import Deployment, FactSource
from greengate.sources.discover import discover
from greengate.sources.files import SourceFile

CLI = "Azure__azureml-examples/cli/"


def read_file(path: Path) -> list[Deployment]:
    return no_problems(adapt_file(path, AzureMLAdapter))


def read_text(text: str, name: str = "deployment.yml") -> list[Deployment]:
    deployments, _ = adapt_text(text, AzureMLAdapter(), name, lstrip=False, must_match=False)
    return deployments


# Each row was checked by opening the file: (path, kind, facts, (key fact, its line)).
CORPUS_CASES = [
    (
        "foundation-models/meta-llama-3/inference/meta-llama-3-70b-instruct/deploy.yml",
        "ManagedOnlineDeployment",
        {
            "hardware.instanceType": "Standard_NC48ads_A100_v4",
            "replicas.min": 1,
            "replicas.max": 1,
            "cloud.provider": "azure",
            "workload": "inference",
            "model.name": None,
            "task": None,
            "cloud.region": None,
        },
        ("hardware.instanceType", 3),
    ),
    (
        "foundation-models/meta-llama-3/inference/meta-llama-3-8b-instruct/deploy.yml",
        "ManagedOnlineDeployment",
        {"hardware.instanceType": "Standard_NC24ads_A100_v4", "replicas.max": 1, "task": None},
        ("hardware.instanceType", 3),
    ),
    (
        "foundation-models/system/inference/video-multi-object-tracking/deploy.yaml",
        "ManagedOnlineDeployment",
        {"hardware.instanceType": "STANDARD_NC4AS_T4_V3", "replicas.min": 1},
        ("replicas.min", 4),
    ),
    (
        # The folder says "summarization"; the file does not: the task stays unknown.
        "foundation-models/system/inference/summarization/deploy.yml",
        "ManagedOnlineDeployment",
        {"hardware.instanceType": "Standard_DS3_v2", "task": None, "model.name": None},
        ("hardware.instanceType", 3),
    ),
    (
        "foundation-models/system/finetune/text-generation/deploy.yml",
        "ManagedOnlineDeployment",
        {"hardware.instanceType": "Standard_E64S_v3", "replicas.max": 1},
        ("hardware.instanceType", 3),
    ),
    (
        "endpoints/online/triton/single-model/create-managed-deployment.yaml",
        "ManagedOnlineDeployment",
        {
            "model.name": "sample-densenet-onnx-model",
            "hardware.instanceType": "STANDARD_NC4AS_T4_V3",
            "replicas.min": 1,
        },
        ("hardware.instanceType", 10),
    ),
    (
        "endpoints/online/managed/inference-schema/deployment-standard.yml",
        "ManagedOnlineDeployment",
        {
            "model.name": "azureml-infschema",
            "hardware.instanceType": "Standard_DS3_v2",
            "replicas.max": 1,
        },
        ("model.name", 4),
    ),
    (
        "generative-ai/promptflow/deploy-flow/deployment.yaml",
        "ManagedOnlineDeployment",
        {
            "model.name": "basic-chat-model",
            "hardware.instanceType": "Standard_E16s_v3",
            "replicas.min": 1,
        },
        ("hardware.instanceType", 19),
    ),
    (
        "monitoring/azureml-e2e-model-monitoring/endpoints/deployment.yaml",
        "ManagedOnlineDeployment",
        {"model.name": "credit-default-model", "hardware.instanceType": "Standard_F2s_v2"},
        ("model.name", 10),
    ),
    (
        "endpoints/online/ncd/lightgbm-deployment.yaml",
        "ManagedOnlineDeployment",
        {"model.name": "mir-sample-lightgbm-ncd-model", "hardware.instanceType": "Standard_DS3_v2"},
        ("model.name", 5),
    ),
    (
        "endpoints/online/custom-container/tfserving/half-plus-two/tfserving-deployment.yml",
        "ManagedOnlineDeployment",
        {
            "model.name": "tfserving-mounted",
            "hardware.instanceType": "Standard_DS3_v2",
            "replicas.max": 1,
        },
        ("replicas.max", 26),
    ),
    (
        # Model uploaded from a path: no name to size.
        "endpoints/online/managed/sample/blue-deployment.yml",
        "ManagedOnlineDeployment",
        {"model.name": None, "hardware.instanceType": "Standard_DS3_v2"},
        ("hardware.instanceType", 12),
    ),
    (
        # Kubernetes: instance_type names a cluster instance type, not a VM size; the cluster may be off Azure.
        "endpoints/online/kubernetes/kubernetes-green-deployment.yml",
        "KubernetesOnlineDeployment",
        {
            "replicas.min": 1,
            "replicas.max": 3,
            "hardware.instanceType": None,
            "cloud.provider": None,
            "workload": "inference",
        },
        ("replicas.max", 22),
    ),
    (
        "endpoints/batch/deploy-models/imagenet-classifier/deployment-by-batch.yml",
        "BatchDeployment",
        {
            "model.name": "imagenet-classifier",
            "replicas.min": 2,
            "replicas.max": 2,
            "workload": "batch",
            "cloud.provider": "azure",
            "hardware.instanceType": None,
        },
        ("replicas.min", 16),
    ),
    (
        "foundation-models/system/inference/text-generation/batch-deploy.yml",
        "BatchDeployment",
        {"replicas.min": 1, "workload": "batch", "model.name": None, "task": None},
        ("replicas.min", 5),
    ),
]


@pytest.mark.parametrize(
    ("path", "kind", "facts", "key"), CORPUS_CASES, ids=[c[0] for c in CORPUS_CASES]
)
def test_corpus_files(path: str, kind: str, facts: dict[str, Any], key: tuple[str, int]) -> None:
    (deployment,) = read_file(CORPUS / CLI / path)
    assert deployment.kind == kind
    assert deployment.format == "azureml"
    assert_facts(deployment, facts)
    name, line = key
    assert deployment.facts[name].location.line == line


def test_every_corpus_deployment_file_is_read_and_cpu_compute_is_not() -> None:
    read: set[str] = set()
    for path in sorted((CORPUS / CLI).rglob("*.y*ml")):
        loaded = load_file(path)
        if loaded.problems:  # three files are not valid YAML upstream ({{ACR_NAME}}.azurecr.io)
            continue
        if read_file(path):
            read.add(path.relative_to(CORPUS / CLI).as_posix())
    assert len(read) == 33
    assert not any(
        p.startswith("resources/compute/") for p in read
    )  # all four are CPU (DS3_v2) or a dev VM


def test_catalog_resolves_the_raw_vm_size() -> None:
    path = CORPUS / CLI / "endpoints/online/triton/single-model/create-managed-deployment.yaml"
    (deployment,), findings = read_deployments(
        [SourceFile(path.as_posix(), path)], Catalog.load([])
    )
    assert not findings
    assert deployment.value("hardware.accelerator") == "nvidia-t4"
    assert deployment.facts["hardware.accelerator"].location.line == 10


def test_the_registry_picks_this_adapter() -> None:
    path = CORPUS / CLI / "foundation-models/meta-llama-3/inference/meta-llama-3-8b/deploy.yml"
    (document,) = load_file(path).documents
    assert isinstance(adapter_for(document), AzureMLAdapter)


@pytest.mark.parametrize(
    ("reference", "name"),
    [
        ("azureml:azureml-infschema:1", "azureml-infschema"),
        ("azureml:credit-default-model@latest", "credit-default-model"),
        ("azureml://registries/azureml-meta/models/Llama-2-7b-chat/versions/24", "Llama-2-7b-chat"),
        (
            "azureml://subscriptions/x/resourceGroups/y/workspaces/z/models/my-model/versions/1",
            "my-model",
        ),
        ("azureml:", None),
    ],
)
def test_model_references(reference: str, name: str | None) -> None:
    assert model_name(reference) == name


def test_shape_without_schema_and_registry_model() -> None:
    (deployment,) = read_text(
        """
        name: blue
        endpoint_name: chat
        model: azureml://registries/azureml-meta/models/Meta-Llama-3-8B-Instruct/versions/5
        instance_type: Standard_NC24ads_A100_v4
        instance_count: 2
        request_settings:
          max_concurrent_requests_per_instance: 4
        environment_variables:
          HF_TASK: text-generation
        tags: {team: nlp}
        """
    )
    assert_facts(
        deployment,
        {
            "model.name": "Meta-Llama-3-8B-Instruct",
            "replicas.max": 2,
            "rateLimits.concurrency": 4,
            "task": "text-generation",
            "cloud.provider": "azure",
        },
    )
    assert deployment.facts["cloud.provider"].source is FactSource.DERIVED
    assert (
        deployment.facts["cloud.provider"].location.line == 5
    )  # no $schema: the instance_type line
    assert deployment.labels == {"team": "nlp"}
    assert deployment.name == "blue"


def test_placeholders_stay_unknown() -> None:
    (deployment,) = read_text(
        """
        $schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json
        name: "{{DEPLOYMENT_NAME}}"
        endpoint_name: "{{ENDPOINT_NAME}}"
        model: $MODEL_ID
        instance_type: "{{INSTANCE_TYPE}}"
        instance_count: "${COUNT}"
        """
    )
    for name in ("model.name", "hardware.instanceType", "replicas.min"):
        assert name not in deployment.facts
        assert name in deployment.unresolved
    assert deployment.unresolved["hardware.instanceType"].location.line == 6
    assert "placeholder" in deployment.hint("hardware.instanceType")
    assert deployment.name == "deployment"  # the file name, not the placeholder


def test_hints_say_how_to_declare_in_this_format() -> None:
    (deployment,) = read_text(
        """
        $schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json
        name: demo
        model:
          path: ./model
        instance_type: Standard_DS3_v2
        instance_count: 1
        """
    )
    assert "folder names" in deployment.hint("task")
    assert "set task: in a .greengate.yaml defaults entry" in deployment.hint("task")
    assert "path './model'" in deployment.hint("model.parameters")
    assert "workspace's region" in deployment.hint("cloud.region")
    assert "Standard_DS3_v2" in deployment.hint("hardware.accelerator")
    # A missing region points at the deployment, not line 1.
    assert deployment.where("cloud.region").line == 3
    assert deployment.where("model.name").line == 4


def test_gpu_compute_cluster_is_a_deployment() -> None:
    (deployment,) = read_text(
        """
        $schema: https://azuremlschemas.azureedge.net/latest/amlCompute.schema.json
        name: gpu-cluster
        type: amlcompute
        size: Standard_NC6s_v3
        location: swedencentral
        min_instances: 0
        max_instances: 4
        """,
        "cluster.yml",
    )
    assert deployment.kind == "AmlCompute"
    assert_facts(
        deployment,
        {
            "hardware.instanceType": "Standard_NC6s_v3",
            "cloud.region": "swedencentral",
            "replicas.min": 0,
            "replicas.max": 4,
            "workload": None,
        },
    )


def test_kubernetes_gpu_resources_give_the_count() -> None:
    (deployment,) = read_text(
        """
        $schema: https://azuremlschemas.azureedge.net/latest/kubernetesOnlineDeployment.schema.json
        name: green
        endpoint_name: e
        instance_type: gpuinstancetype
        resources:
          limits:
            nvidia.com/gpu: "2"
        """
    )
    assert_facts(deployment, {"hardware.count": 2, "hardware.instanceType": None})
    assert "attached Kubernetes cluster" in deployment.hint("hardware.accelerator")


@pytest.mark.parametrize(
    "text",
    [
        "$schema: 5\nname: x\n",
        "$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json\nmodel: [1, 2]\ninstance_count: many\nscale_settings: 5\nrequest_settings: []\nenvironment_variables: [a]\n",
        "$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json\nname: [x]\nmodel: {name: {a: 1}}\ninstance_type: {a: b}\n",
        "$schema: https://azuremlschemas.azureedge.net/latest/batchDeployment.schema.json\nresources: 3\ncompute: [x]\n",
        "$schema: https://azuremlschemas.azureedge.net/latest/amlCompute.schema.json\nsize: [Standard_NC6]\n",
        "- name: x\n  endpoint_name: y\n",
    ],
)
def test_surprising_shapes_never_crash(text: str) -> None:
    for deployment in read_text(text):
        assert deployment.format == "azureml"


def test_unrelated_yaml_is_not_azure_ml() -> None:
    assert read_text("name: x\ninstance_type: big\n") == []
    assert (
        read_text(
            "$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineEndpoint.schema.json\nname: e\n"
        )
        == []
    )


AML = CORPUS / "Azure__azureml-examples/cli/"


def _region_of(folder: Path) -> Any:
    deployments, findings = read_deployments(discover([folder]), Catalog.load([]))
    assert [f for f in findings if f.status.value == "error"] == []
    (deployment,) = deployments
    return deployment.facts.get("cloud.region")


def test_region_from_the_workspace_yaml_beside_the_deployment(tmp_path: Path) -> None:
    # Two real files, as a project keeps them: the workspace definition next to its deployment.
    shutil.copy(AML / "resources/workspace/basic.yml", tmp_path / "workspace.yml")
    shutil.copy(AML / "endpoints/online/managed/sample/blue-deployment.yml", tmp_path)
    region = _region_of(tmp_path)
    assert region.value == "eastus"
    assert (Path(region.location.file).name, region.location.line) == ("workspace.yml", 3)
    assert region.source is FactSource.DERIVED
    assert "Azure ML workspace defined in workspace.yml" in region.detail


def test_region_from_terraform_workspace_and_literal_location(tmp_path: Path) -> None:
    shutil.copy(AML / "endpoints/online/managed/sample/blue-deployment.yml", tmp_path)
    (tmp_path / "main.tf").write_text(
        'resource "azurerm_resource_group" "rg" {\n  location = var.location\n}\n'
        'variable "location" {\n  default = "swedencentral"\n}\n'
        'resource "azurerm_machine_learning_workspace" "ws" {\n'
        "  location = azurerm_resource_group.rg.location\n}\n"
    )
    region = _region_of(tmp_path)
    assert region.value == "swedencentral"
    assert (Path(region.location.file).name, region.location.line) == ("main.tf", 5)
    # A location the deployment writes itself wins.
    text = (tmp_path / "blue-deployment.yml").read_text() + "location: westeurope\n"
    (tmp_path / "blue-deployment.yml").write_text(text)
    region = _region_of(tmp_path)
    assert (region.value, region.location.line, region.source) == (
        "westeurope",
        14,
        FactSource.DECLARED,
    )


@pytest.mark.parametrize(
    "workspaces",
    [
        # Two workspaces in different regions: which one is not known.
        {"a.yml": "location: eastus", "b.yml": "location: westus"},
        {"a.yml": "location: ${{ region }}"},
        {
            "main.tf": 'resource "azurerm_machine_learning_workspace" "w" {\n  location = var.nowhere\n}\n'
        },
        {"main.tf": 'resource "azurerm_machine_learning_workspace" "w" {\n  location = [1]\n}\n'},
        {
            "main.tf": 'resource "azurerm_machine_learning_workspace" "w" {\n  location = azurerm_resource_group.none.location\n}\n'
        },
    ],
)
def test_no_region_when_the_workspace_does_not_tell(
    tmp_path: Path, workspaces: dict[str, str]
) -> None:
    shutil.copy(AML / "endpoints/online/managed/sample/blue-deployment.yml", tmp_path)
    schema = "$schema: https://azuremlschemas.azureedge.net/latest/workspace.schema.json\n"
    for name, text in workspaces.items():
        (tmp_path / name).write_text(schema + text + "\n" if name.endswith(".yml") else text)
    assert _region_of(tmp_path) is None
