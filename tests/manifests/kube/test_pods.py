"""Reading a pod spec: accelerators, node selection, model server command lines."""

from __future__ import annotations

import textwrap

import pytest
from support import load_text

from greengate.load import Document
from greengate.manifests.kube.engines import model_id
from greengate.manifests.kube.pods import read_pod
from greengate.manifests.kube.shell import split_shell
from greengate.manifests.kube.values import unresolved
from greengate.manifests.kube.workloads import batch_workload
from greengate.manifests.vocab import task_name
from greengate.records.deployment import FactSource


def document(text: str) -> Document:
    return load_text(text, "pod.yaml")


def pod_of(containers: str, extra: str = "") -> Document:
    return document(
        f"""
        spec:
          {extra}
          containers:
        {textwrap.indent(textwrap.dedent(containers).strip(), "  ")}
        """
    )


def test_vllm_model_from_env_reference_points_at_the_env_value() -> None:
    doc = document(
        """
        spec:
          containers:
          - name: server
            image: vllm/vllm-openai:v0.10.0
            args: ["--model=$(MODEL_ID)", "--served-model-name=chat"]
            env:
            - {name: MODEL_ID, value: google/gemma-3-4b-it}
        """
    )
    pod = read_pod(doc, ("spec",))
    assert pod.model is not None
    assert pod.model.value == "google/gemma-3-4b-it"
    assert pod.model.location.line == 7
    assert "$(MODEL_ID) at line 5" in pod.model.detail
    assert pod.server == "vllm"


def test_served_model_name_is_not_the_model() -> None:
    doc = document(
        """
        spec:
          containers:
          - name: server
            image: vllm/vllm-openai
            args: ["--served-model-name", "gpt-4", "--host", "0.0.0.0"]
        """
    )
    assert read_pod(doc, ("spec",)).model is None


@pytest.mark.parametrize(
    ("command", "model"),
    [
        (
            '["vllm", "serve", "Qwen/Qwen2.5-7B-Instruct", "--port", "8000"]',
            "Qwen/Qwen2.5-7B-Instruct",
        ),
        (
            '["/bin/sh", "-c", "vllm serve mistralai/Mistral-7B-v0.3 --max-num-seqs 8"]',
            "mistralai/Mistral-7B-v0.3",
        ),
        ('["text-generation-launcher", "--model-id", "bigscience/bloom"]', "bigscience/bloom"),
        (
            '["python3", "-m", "sglang.launch_server", "--model-path", "meta-llama/Llama-3.1-8B"]',
            "meta-llama/Llama-3.1-8B",
        ),
        ('["ollama", "run", "llama3.2:1b"]', "llama3.2:1b"),
        ('["llama-server", "-m", "/models/phi-3.gguf"]', "/models/phi-3.gguf"),
        ('["tritonserver", "--model-repository=gs://bucket/repo"]', "gs://bucket/repo"),
        # Unbalanced quotes: still split into words; the --model flag wins over the positional.
        ('["sh", "-c", "vllm serve \\"unbalanced --model x"]', "x"),
    ],
)
def test_model_from_command_lines(command: str, model: str) -> None:
    doc = document(
        f"""
        spec:
          containers:
          - name: server
            image: example/server
            command: {command}
        """
    )
    pod = read_pod(doc, ("spec",))
    assert pod.model is not None and pod.model.value == model


def test_shell_script_in_a_literal_block_points_at_its_own_line() -> None:
    doc = document(
        """
        spec:
          containers:
          - name: server
            image: ubuntu:22.04
            command:
            - /bin/bash
            - -c
            - |
              set -x
              python -m vllm.entrypoints.openai.api_server \\
                --model ${MODEL} \\
                --max-num-seqs 24
            env:
            - {name: MODEL, value: microsoft/Phi-3-mini-4k-instruct}
        """
    )
    pod = read_pod(doc, ("spec",))
    assert pod.server == "vllm"
    assert pod.model is not None and pod.model.value == "microsoft/Phi-3-mini-4k-instruct"
    assert pod.model.location.line == 14  # the env value it resolved to
    assert pod.concurrency is not None and pod.concurrency.value == 24
    assert pod.concurrency.location.line == 12  # inside the script


def test_precedence_is_args_then_env_then_label() -> None:
    doc = document(
        """
        metadata:
          labels: {ai.gke.io/model: label-model}
        spec:
          containers:
          - name: sidecar
            image: busybox
            env: [{name: MODEL_ID, value: sidecar-env-model}]
          - name: server
            image: vllm/vllm-openai
            args: [--model, arg-model]
            env: [{name: MODEL_ID, value: env-model}]
            resources: {limits: {nvidia.com/gpu: 1}}
        """
    )
    pod = read_pod(doc, ("spec",), labels=[("metadata", "labels")])
    assert pod.model is not None and pod.model.value == "arg-model"
    assert "env-model" in pod.model.detail and "label-model" in pod.model.detail
    assert pod.primary is not None and pod.primary.name == "server"


def test_accelerators_are_summed_over_containers_limits_first() -> None:
    doc = document(
        """
        spec:
          containers:
          - name: a
            resources:
              requests: {nvidia.com/gpu: 4}
              limits: {nvidia.com/gpu: 2}
          - name: b
            resources:
              requests: {nvidia.com/gpu: "1"}
          - name: c
            resources:
              limits: {cpu: 2}
        """
    )
    pod = read_pod(doc, ("spec",))
    assert pod.count is not None and pod.count.value == 3
    assert pod.count.location.line == 6
    assert pod.resource == "nvidia.com/gpu"


@pytest.mark.parametrize(
    "resource",
    [
        "google.com/tpu",
        "aws.amazon.com/neuron",
        "aws.amazon.com/neuroncore",
        "amd.com/gpu",
        "habana.ai/gaudi",
        "gpu.intel.com/i915",
        "nvidia.com/mig-1g.10gb",
    ],
)
def test_every_accelerator_resource_is_counted(resource: str) -> None:
    doc = document(
        f"""
        spec:
          containers:
          - name: a
            resources: {{limits: {{{resource}: 2}}}}
        """
    )
    pod = read_pod(doc, ("spec",))
    if resource == "aws.amazon.com/neuroncore":
        # NeuronCores are not devices: without the instance family they stay unconverted.
        assert pod.devices == 0 and pod.cores is not None and pod.cores.value == 2 and pod.is_ai
    else:
        assert pod.devices == 2 and pod.is_ai


@pytest.mark.parametrize(
    ("selector", "accelerator", "instance_type"),
    [
        ("nodeSelector: {cloud.google.com/gke-accelerator: nvidia-l4}", "nvidia-l4", None),
        (
            "nodeSelector: {cloud.google.com/gke-tpu-accelerator: tpu-v6e-slice, cloud.google.com/gke-tpu-topology: 2x4}",
            "tpu-v6e-slice",
            None,
        ),
        (
            "nodeSelector: {nvidia.com/gpu.product: NVIDIA-A100-SXM4-80GB}",
            "NVIDIA-A100-SXM4-80GB",
            None,
        ),
        ("nodeSelector: {karpenter.k8s.aws/instance-gpu-name: a10g}", "a10g", None),
        ("nodeSelector: {karpenter.k8s.aws/instance-family: g6e}", "g6e", None),
        ("nodeSelector: {kubernetes.azure.com/accelerator: nvidia}", None, None),
        ("nodeSelector: {node.kubernetes.io/instance-type: g5.xlarge}", None, "g5.xlarge"),
        ("nodeSelector: {beta.kubernetes.io/instance-type: p4d.24xlarge}", None, "p4d.24xlarge"),
    ],
)
def test_node_selectors(selector: str, accelerator: str | None, instance_type: str | None) -> None:
    doc = document(
        f"""
        spec:
          {selector}
          containers: [{{name: a}}]
        """
    )
    pod = read_pod(doc, ("spec",))
    assert (pod.accelerator.value if pod.accelerator else None) == accelerator
    assert (pod.instance_type.value if pod.instance_type else None) == instance_type
    if accelerator and "tpu" in accelerator:
        assert pod.accelerator is not None and "topology 2x4" in pod.accelerator.detail


def test_required_node_affinity_with_one_value() -> None:
    doc = document(
        """
        spec:
          affinity:
            nodeAffinity:
              requiredDuringSchedulingIgnoredDuringExecution:
                nodeSelectorTerms:
                - matchExpressions:
                  - {key: cloud.google.com/gke-accelerator, operator: In, values: [nvidia-h100-80gb]}
                  - {key: node.kubernetes.io/instance-type, operator: In, values: [g6e.2xlarge, g6e.4xlarge]}
                  - {key: karpenter.k8s.aws/instance-gpu-name, operator: NotIn, values: [t4]}
          containers: [{name: a}]
        """
    )
    pod = read_pod(doc, ("spec",))
    assert pod.accelerator is not None and pod.accelerator.value == "nvidia-h100-80gb"
    assert pod.accelerator.location.line == 7
    assert pod.instance_type is None  # two values: either could be chosen


def test_tensor_and_pipeline_parallel_size() -> None:
    doc = document(
        """
        spec:
          containers:
          - name: a
            image: vllm/vllm-openai
            args: [--model, deepseek-ai/DeepSeek-R1, --tensor-parallel-size, "8", --pipeline-parallel-size=2]
        """
    )
    pod = read_pod(doc, ("spec",))
    assert pod.parallel is not None and pod.parallel.value == 16
    assert pod.parallel.source is FactSource.DERIVED


def test_task_and_precision_flags() -> None:
    doc = document(
        """
        spec:
          containers:
          - name: a
            image: vllm/vllm-openai
            args: [--model, BAAI/bge-m3, --task, embed, --dtype, bfloat16, --quantization, fp8]
        """
    )
    pod = read_pod(doc, ("spec",))
    assert pod.task is not None and pod.task.value == "embedding"
    assert pod.precision is not None and pod.precision.value == "fp8"


def test_helpers() -> None:
    assert split_shell("a 'b c' ;d && e # not a comment\n# a comment\nf") == [
        "a",
        "b c",
        "d",
        "e",
        "#",
        "not",
        "a",
        "comment",
        "f",
    ]
    assert split_shell('vllm serve "x') == ["vllm", "serve", "x"]
    assert model_id("hf://meta-llama/Llama-3.1-8B") == "meta-llama/Llama-3.1-8B"
    assert model_id("pvc://cache/model") == "pvc://cache/model"
    assert unresolved("s3://$BUCKET/model") and unresolved("${X}") and not unresolved("nvidia-l4")
    assert task_name("text_generation") == "text-generation"
    assert task_name("sequence_classification") == "classification"
    assert task_name("nonsense") is None
    assert batch_workload("my-job", "python lora_sft.py")[0] == "fine-tuning"
    assert batch_workload("pretrain-job")[0] == "training"
    assert batch_workload("x", "python train_step_demo.sh")[0] == "batch"
    assert batch_workload("x", "torchrun main.py")[0] == "training"
