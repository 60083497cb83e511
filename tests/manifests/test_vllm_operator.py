"""vLLM production-stack operator VLLMRuntime.

Corpus files from ``vllm-project/production-stack`` (``operator/config/samples``
and the gateway example; Apache-2.0, commit in ``tests/data/corpus/INDEX.tsv``),
checked by eye.
"""

from __future__ import annotations

from typing import Any

import pytest
from support import INDEXED, adapt_corpus, adapt_text, assert_facts, no_problems

from greengate.manifests.vllm_operator import VLLMRuntimeAdapter
from greengate.records.deployment import Deployment

STACK = "vllm-project__production-stack/"


def read(path: str) -> list[Deployment]:
    return no_problems(adapt_corpus(STACK + path, VLLMRuntimeAdapter))


CORPUS_CASES = [
    (
        "operator/config/samples/production-stack_v1alpha1_vllmruntime.yaml",
        "vllmruntime-sample",
        {
            "model.name": "meta-llama/Llama-3.1-8B-Instruct",
            "model.precision": "bf16",
            "rateLimits.concurrency": 32,
            "hardware.count": 1,
            "replicas.min": 2,
            "replicas.max": 2,
            "workload": "inference",
        },
        {
            "model.name": 12,
            "model.precision": 17,
            "rateLimits.concurrency": 18,
            "hardware.count": 53,
            "replicas.min": 64,
        },
    ),
    (
        "operator/config/samples/production-stack_v1alpha1_vllmruntime_autoscaling.yaml",
        "vllmruntime-autoscaling-minimal",
        # autoscalingConfig without minReplicas: the deployment's replicas are the floor
        {"replicas.min": 1, "replicas.max": 2, "hardware.count": 1},
        {"replicas.min": 18, "replicas.max": 27, "hardware.count": 20},
    ),
    (
        "operator/config/samples/production-stack_v1alpha1_vllmruntime_autoscaling.yaml",
        "vllmruntime-autoscaling-scale-to-zero",
        {"replicas.min": 0, "replicas.max": 2},
        {"replicas.min": 56, "replicas.max": 57},
    ),
    (
        "operator/config/samples/production-stack_v1alpha1_vllmruntime_autoscaling.yaml",
        "vllmruntime-autoscaling-sample",
        {"replicas.min": 1, "replicas.max": 4, "model.precision": "bf16"},
        {"replicas.min": 108, "replicas.max": 109, "model.precision": 76},
    ),
    (
        # the flat layout: vLLM and deployment fields directly under spec
        "src/gateway_inference_extension/configs/vllm/vllm-runtime.yaml",
        "vllm-llama3-1b-instruct",
        {
            "model.name": "meta-llama/Llama-3.2-1B-Instruct",
            "hardware.count": 1,
            "replicas.min": 2,
            "rateLimits.concurrency": 1024,  # extraArgs --max-num-seq
        },
        {"hardware.count": 49, "replicas.min": 63, "rateLimits.concurrency": 16},
    ),
]


@pytest.mark.parametrize(
    ("path", "name", "facts", "lines"), CORPUS_CASES, ids=[c[1] for c in CORPUS_CASES]
)
def test_corpus_facts(path: str, name: str, facts: dict[str, Any], lines: dict[str, int]) -> None:
    (deployment,) = [d for d in read(path) if d.name == name]
    assert (deployment.format, deployment.kind) == ("vllm", "VLLMRuntime")
    assert_facts(deployment, facts)
    for fact, line in lines.items():
        assert deployment.facts[fact].location.line == line, fact


def test_fixtures_are_indexed() -> None:
    for path, *_ in CORPUS_CASES:
        assert f"files/{STACK}{path}" in INDEXED


def test_every_runtime_of_the_autoscaling_samples_is_read() -> None:
    names = [
        d.name
        for d in read(
            "operator/config/samples/production-stack_v1alpha1_vllmruntime_autoscaling.yaml"
        )
    ]
    assert names == [
        "vllmruntime-autoscaling-minimal",
        "vllmruntime-autoscaling-scale-to-zero",
        "vllmruntime-autoscaling-sample",
    ]


def read_text(text: str) -> Deployment:
    (deployment,) = no_problems(adapt_text(text, VLLMRuntimeAdapter(), "runtime.yaml"))
    return deployment


def test_tensor_parallelism_counts_the_gpus_when_none_are_requested() -> None:
    deployment = read_text(
        """
        apiVersion: production-stack.vllm.ai/v1alpha1
        kind: VLLMRuntime
        metadata: {name: big}
        spec:
          model: {modelURL: "hf://meta-llama/Llama-3.1-70B-Instruct"}
          vllmConfig:
            tensorParallelSize: 4
            extraArgs: ["--pipeline-parallel-size", "2", "--quantization fp8"]
          deploymentConfig:
            replicas: 1
            nodeSelectorTerms:
            - matchExpressions:
              - {key: nvidia.com/gpu.product, operator: In, values: [NVIDIA-H100-80GB-HBM3]}
        """
    )
    assert_facts(
        deployment,
        {
            "model.name": "meta-llama/Llama-3.1-70B-Instruct",
            "hardware.count": 8,
            "hardware.accelerator": "NVIDIA-H100-80GB-HBM3",
            "model.precision": "fp8",
        },
    )
    assert deployment.facts["hardware.count"].location.line == 7
    assert deployment.facts["hardware.accelerator"].location.line == 13
    assert deployment.facts["model.precision"].location.line == 8


def test_requested_gpus_win_over_tensor_parallelism() -> None:
    deployment = read_text(
        """
        apiVersion: production-stack.vllm.ai/v1alpha1
        kind: VLLMRuntime
        metadata: {name: x}
        spec:
          model: {modelURL: m/x}
          vllmConfig: {tensorParallelSize: 2}
          deploymentConfig: {resources: {gpu: "2", gpuType: amd.com/gpu}}
        """
    )
    assert deployment.facts["hardware.count"].value == 2
    assert (
        deployment.facts["hardware.count"].detail == "deploymentConfig.resources.gpu (amd.com/gpu)"
    )


@pytest.mark.parametrize(
    "spec",
    [
        "spec: []",
        "spec: {model: [x], deploymentConfig: {resources: [1], replicas: many}}",
        "spec: {vllmConfig: {extraArgs: {a: b}, tensorParallelSize: x}}",
        "spec: {deploymentConfig: {nodeSelectorTerms: {a: b}}, autoscalingConfig: {enabled: true}}",
        "spec: {model: {modelURL: '{{ .Values.model }}'}, deploymentConfig: {replicas: '${N}'}}",
    ],
)
def test_odd_shapes_do_not_crash(spec: str) -> None:
    text = f"apiVersion: production-stack.vllm.ai/v1alpha1\nkind: VLLMRuntime\nmetadata: {{name: x}}\n{spec}\n"
    deployments, _ = adapt_text(text, VLLMRuntimeAdapter(), "runtime.yaml")
    assert len(deployments) == 1


def test_bad_gpu_count_is_a_problem_at_its_line() -> None:
    deployments, problems = adapt_text(
        """
        apiVersion: production-stack.vllm.ai/v1alpha1
        kind: VLLMRuntime
        metadata: {name: x}
        spec:
          deploymentConfig:
            resources: {gpu: "1.5"}
        """,
        VLLMRuntimeAdapter(),
        "runtime.yaml",
    )
    assert len(deployments) == 1 and "hardware.count" not in deployments[0].facts
    assert [p.location.line for p in problems] == [6]


def test_placeholder_model_is_unresolved() -> None:
    (deployment,), _ = adapt_text(
        """
        apiVersion: production-stack.vllm.ai/v1alpha1
        kind: VLLMRuntime
        metadata: {name: x}
        spec:
          model: {modelURL: "{{ .Values.model }}"}
        """,
        VLLMRuntimeAdapter(),
        "runtime.yaml",
    )
    assert "model.name" in deployment.unresolved and "model.name" not in deployment.facts
