"""Helm values of LLM serving charts: corpus files checked by eye, then edge cases."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from support import FILES as CORPUS
from support import INDEX_LINES, adapt_file, adapt_text, assert_facts

from greengate.load import load_file
from greengate.manifests import adapter_for
from greengate.manifests.helm import HelmValuesAdapter
from greengate.records.deployment import Deployment, FactSource

STACK = "vllm-project__production-stack/"
TRITON = "triton-inference-server__server/deploy/"
GKE = "GoogleCloudPlatform__kubernetes-engine-samples/"


def read_file(path: Path) -> list[Deployment]:
    deployments, _ = adapt_file(path, HelmValuesAdapter)
    return deployments


def read_text(text: str, name: str = "values.yaml") -> list[Deployment]:
    deployments, _ = adapt_text(text, HelmValuesAdapter(), name, lstrip=False, must_match=False)
    return deployments


# Checked by opening each file: (path, deployment name, facts, (key fact, its line)).
CORPUS_CASES = [
    (
        STACK + "tutorials/assets/values-01-minimal-example.yaml",
        "opt125m",
        {
            "model.name": "facebook/opt-125m",
            "replicas.min": 1,
            "replicas.max": 1,
            "hardware.count": 1,
            "workload": "inference",
            "hardware.accelerator": None,
            "task": None,
        },
        ("hardware.count", 13),
    ),
    (
        STACK + "tutorials/assets/values-04-multiple-models.yaml",
        "llama3",
        {
            "model.name": "meta-llama/Llama-3.1-8B-Instruct",
            "hardware.count": 1,
            "rateLimits.concurrency": 32,
        },
        ("rateLimits.concurrency", 17),
    ),
    (
        STACK + "tutorials/assets/values-04-multiple-models.yaml",
        "mistral",
        {
            "model.name": "mistralai/Mistral-7B-Instruct-v0.2",
            "hardware.count": 1,
            "rateLimits.concurrency": 32,
        },
        ("model.name", 25),
    ),
    (
        STACK + "tutorials/assets/values-25-v100-multi-gpu-tp2.yaml",
        "qwen7b",
        {
            "model.name": "Qwen/Qwen2.5-7B-Instruct",
            "hardware.count": 2,
            "model.precision": "fp16",
            "replicas.max": 1,
        },
        ("hardware.count", 32),
    ),
    (
        STACK + "tutorials/assets/gke-example/values-01-offload-kv-cache-local-disk.yaml",
        "llama3",
        {
            "model.name": "meta-llama/Llama-3.3-70B-Instruct",
            "hardware.count": 8,
            "model.precision": "bf16",
        },
        ("hardware.count", 13),
    ),
    (
        # requestGPU: 0 states CPU-only serving.
        STACK + "deployment_on_cloud/gcp/OPT125_CPU/production_stack_specification_ql.yaml",
        "opt125m",
        {"model.name": "facebook/opt-125m", "hardware.count": 0, "hardware.accelerator": "cpu"},
        ("hardware.accelerator", 13),
    ),
    (
        STACK + "deployment_on_cloud/aws/production_stack_specification.yaml",
        "llama8b",
        {
            "model.name": "meta-llama/Llama-3.1-8B",
            "replicas.min": 2,
            "replicas.max": 2,
            "hardware.count": 1,
            "cloud.provider": None,
        },
        ("replicas.min", 9),
    ),
    (
        STACK + "tutorials/assets/values-09-lora-helm.yaml",
        "llama3",
        {"model.name": "meta-llama/Llama-3.1-8B-Instruct", "replicas.max": 2, "hardware.count": 1},
        ("replicas.max", 37),
    ),
    (
        # requestGPUType names a resource (amd.com/gpu), not a GPU model.
        STACK + "tutorials/assets/values-01-minimal-amd-example.yaml",
        "opt125m",
        {"hardware.count": 1, "hardware.accelerator": None},
        ("hardware.count", 12),
    ),
    (
        # raySpec: one engine over a RayCluster, head 1 GPU + replicaCount 1 worker x 1 GPU.
        STACK + "tutorials/assets/values-15-a-minimal-pipeline-parallel-example-raycluster.yaml",
        "distilgpt2-raycluster",
        {"hardware.count": 2, "replicas.min": 1, "replicas.max": 1},
        ("hardware.count", 13),
    ),
    (
        STACK
        + "tutorials/assets/values-15-b-minimal-pipeline-parallel-example-multiple-modelspec.yaml",
        "opt125m-deployment",
        {"hardware.count": 1, "replicas.min": 1, "model.name": "facebook/opt-125m"},
        ("hardware.count", 36),
    ),
    (
        STACK + "tutorials/assets/values-25-v100-multi-gpu-tp4.yaml",
        "qwen14b",
        {"model.name": "Qwen/Qwen2.5-14B-Instruct", "hardware.count": 4, "model.precision": "fp16"},
        ("hardware.count", 31),
    ),
    (
        # The chart's own defaults: a MIG slice type is a resource name, not a GPU model.
        STACK + "helm/values.yaml",
        "mistral",
        {
            "model.name": "mistralai/Mistral-7B-Instruct-v0.2",
            "hardware.count": 1,
            "hardware.accelerator": None,
            "replicas.min": 1,
            "rateLimits.concurrency": 32,
            "model.precision": "bf16",
        },
        ("hardware.count", 65),
    ),
    (
        # Half a GPU per engine pod (two engines share one GPU): the count is what is requested.
        STACK + "tutorials/assets/values-01-2pods-minimal-example.yaml",
        "opt125m",
        {"hardware.count": 0.5, "replicas.min": 2, "model.name": "facebook/opt-125m"},
        ("hardware.count", 13),
    ),
    (
        STACK + "tutorials/assets/values-17-kv-aware.yaml",
        "gpt-oss-20b",
        {"model.name": "openai/gpt-oss-20b", "hardware.count": 1, "replicas.max": 2},
        ("replicas.max", 8),
    ),
    (
        # requestGPU is commented out in both engines.
        STACK + "tutorials/assets/values-16-disagg-prefill.yaml",
        "llama-decode",
        {
            "model.name": "meta-llama/Llama-3.1-8B-Instruct",
            "hardware.count": None,
            "replicas.min": 1,
        },
        ("model.name", 40),
    ),
    (
        TRITON + "aws/values.yaml",
        "triton-inference-server",
        {
            "hardware.count": 1,
            "replicas.min": 1,
            "replicas.max": 1,
            "cloud.region": None,
            "model.name": None,
        },
        ("hardware.count", 33),
    ),
    (
        TRITON + "k8s-onprem/values.yaml",
        "triton-inference-server",
        {"hardware.count": 1, "replicas.min": 1, "replicas.max": 3},
        ("replicas.max", 58),
    ),
    (
        TRITON + "gke-marketplace-app/server-deployer/chart/triton/values.yaml",
        "triton-inference-server",
        {"hardware.count": 1, "replicas.min": 1, "replicas.max": 3},
        ("hardware.count", 44),
    ),
    (
        GKE + "ai-ml/nemo-rl-on-gke/nemoRL/values.yaml",
        "kuberay/worker-grp-0",
        {
            "hardware.count": 8,
            "hardware.accelerator": "nvidia-b200",
            "replicas.min": 4,
            "replicas.max": 4,
            "cloud.provider": "gcp",
            "workload": None,
        },
        ("hardware.accelerator", 184),
    ),
    (
        GKE + "app-design-center/ai-inference/values.yaml",
        "ai-inference",
        {
            "model.name": "google/gemma-7b-it",
            "hardware.count": 1,
            "hardware.accelerator": "nvidia-l4",
            "replicas.min": 1,
            "replicas.max": 10,
            "cloud.provider": "gcp",
        },
        ("hardware.accelerator", 37),
    ),
]


@pytest.mark.parametrize(
    ("path", "name", "facts", "key"), CORPUS_CASES, ids=[f"{c[0]}:{c[1]}" for c in CORPUS_CASES]
)
def test_corpus_files(path: str, name: str, facts: dict[str, Any], key: tuple[str, int]) -> None:
    deployments = {d.name: d for d in read_file(CORPUS / path)}
    deployment = deployments[name]
    assert deployment.format == "helm"
    assert_facts(deployment, facts)
    fact, line = key
    assert deployment.facts[fact].location.line == line


def test_one_deployment_per_model_spec() -> None:
    path = (
        CORPUS
        / STACK
        / "tutorials/assets/values-15-b-minimal-pipeline-parallel-example-multiple-modelspec.yaml"
    )
    assert [d.name for d in read_file(path)] == ["distilgpt2-raycluster", "opt125m-deployment"]


def test_triton_region_placeholder_and_model_repository() -> None:
    (deployment,) = read_file(CORPUS / TRITON / "aws/values.yaml")
    assert deployment.unresolved["cloud.region"].value == "AWS_REGION"
    assert deployment.unresolved["cloud.region"].location.line == 39
    assert "placeholder" in deployment.hint("cloud.region")
    # The model repository holds many models: missing model facts point at it and name it.
    assert deployment.where("model.parameters").line == 32
    assert "s3://triton-inference-server-repository/model_repository" in deployment.hint(
        "model.parameters"
    )


def test_every_corpus_values_file_is_read_but_not_the_schema() -> None:
    rows = [line.split("\t") for line in INDEX_LINES]
    values = [CORPUS.parent / row[0] for row in rows if row[5] == "helm-values"]
    assert len(values) == 32
    assert all(read_file(path) for path in values)
    (schema,) = [CORPUS.parent / row[0] for row in rows if row[5].startswith("helm-values-schema")]
    assert read_file(schema) == []  # the marketplace schema states nothing about a deployment


def test_the_registry_picks_this_adapter() -> None:
    (document,) = load_file(
        CORPUS / STACK / "tutorials/assets/values-02-basic-config.yaml"
    ).documents
    assert isinstance(adapter_for(document), HelmValuesAdapter)


def test_node_selector_terms_and_base64_region() -> None:
    (engine,) = read_text(
        """
        servingEngineSpec:
          modelSpec:
          - name: llama
            modelURL: meta-llama/Llama-3.1-8B-Instruct
            requestGPU: 1
            nodeSelectorTerms:
              - matchExpressions:
                  - key: cloud.google.com/gke-accelerator
                    operator: In
                    values: [nvidia-l4]
        """,
        "production_stack_specification.yaml",
    )
    assert_facts(engine, {"hardware.accelerator": "nvidia-l4", "cloud.provider": "gcp"})
    assert engine.facts["hardware.accelerator"].location.line == 11
    assert engine.facts["cloud.provider"].source is FactSource.DERIVED
    (triton,) = read_text(
        """
        replicaCount: 2
        image:
          imageName: nvcr.io/nvidia/tritonserver:24.01-py3
          numGpus: 1
        secret:
          region: dXMtd2VzdC0y
        """
    )
    assert_facts(triton, {"cloud.region": "us-west-2", "replicas.max": 2})
    assert "base64" in triton.facts["cloud.region"].detail


def test_placeholders_stay_unknown() -> None:
    (engine,) = read_text(
        """
        servingEngineSpec:
          modelSpec:
          - name: "{{ .Values.name }}"
            modelURL: $MODEL_ID
            replicaCount: "${REPLICAS}"
            requestGPU: 1
        """,
        "values-prod.yaml",
    )
    assert "model.name" in engine.unresolved
    assert "replicas.min" in engine.unresolved
    assert engine.name == "modelSpec[0]"
    assert "placeholder" in engine.hint("model.name")


@pytest.mark.parametrize(
    ("text", "name"),
    [
        # Generic chart values: no recognised shape.
        (
            "replicaCount: 1\nimage: {repository: nginx}\nresources: {limits: {cpu: 1}}\n",
            "values.yaml",
        ),
        # A recognised shape under another file name (only the vLLM stack is read anywhere).
        (
            "replicaCount: 1\nimage: {imageName: tritonserver, numGpus: 1, modelRepositoryPath: /m}\n",
            "config.yaml",
        ),
        (
            "model: {id: google/gemma-7b-it}\nresources: {limits: {nvidia.com/gpu: 1}}\n",
            "settings.yaml",
        ),
        ("servingEngineSpec: {modelSpec: {name: x}}\n", "values.yaml"),
    ],
)
def test_random_yaml_is_never_helm_values(text: str, name: str) -> None:
    assert read_text(text, name) == []


@pytest.mark.parametrize(
    "text",
    [
        "servingEngineSpec:\n  modelSpec: [1, x, null, {modelURL: [a], requestGPU: lots, vllmConfig: 3, nodeSelectorTerms: {a: b}}]\n",
        "servingEngineSpec:\n  modelSpec:\n  - modelURL: m\n    nodeSelectorTerms: [1, {matchExpressions: [x, {key: k, operator: In, values: 5}]}]\n",
        "image: {imageName: tritonserver, numGpus: [1]}\nsecret: {region: [x]}\nautoscaling: 5\n",
        "head: {rayStartParams: {}}\nworker: {resources: {limits: {nvidia.com/gpu: two}}}\nadditionalWorkerGroups: {g: 3, h: {resources: {limits: {nvidia.com/gpu: 1}}, replicas: many}}\n",
        "model: {id: m}\nresources: {limits: {nvidia.com/gpu: x}}\nhpa: {enabled: true, minReplicas: [1]}\n",
    ],
)
def test_surprising_shapes_never_crash(text: str) -> None:
    for deployment in read_text(text):
        assert deployment.format == "helm"


def test_pipeline_parallel_size_counts_gpus_without_request_gpu() -> None:
    (deployment,) = read_text(
        "servingEngineSpec:\n  modelSpec:\n  - name: big\n    modelURL: m/big\n"
        "    vllmConfig:\n      tensorParallelSize: 4\n      pipelineParallelSize: 2\n"
    )
    fact = deployment.facts["hardware.count"]
    assert (fact.value, fact.location.line, fact.source) == (8, 6, FactSource.DERIVED)


def test_ray_engine_counts_head_and_workers() -> None:
    (deployment,) = read_text(
        "servingEngineSpec:\n  modelSpec:\n  - name: pp\n    modelURL: m/pp\n"
        "    replicaCount: 3\n    requestGPU: 2\n"
        "    raySpec:\n      enabled: true\n      headNode: {requestGPU: 2}\n"
    )
    assert_facts(deployment, {"hardware.count": 8, "replicas.min": 1, "replicas.max": 1})
    assert deployment.facts["replicas.min"].location.line == 8
    # A placeholder or a missing GPU count leaves the count to requestGPU's own reading.
    (deployment,) = read_text(
        "servingEngineSpec:\n  modelSpec:\n  - name: pp\n    modelURL: m/pp\n"
        "    replicaCount: '{{ .Values.n }}'\n    requestGPU: 1\n"
        "    raySpec: {enabled: true, headNode: []}\n"
    )
    assert_facts(deployment, {"hardware.count": 1, "replicas.min": 1})
