"""KServe InferenceService and LLMInferenceService.

Corpus files (``kserve/kserve``, ``docs/samples/``, Apache-2.0; repository,
commit and licence in ``tests/data/corpus/INDEX.tsv``) checked by eye.
"""

from __future__ import annotations

from typing import Any

import pytest
from support import (
    INDEX_LINES,
    INDEXED,
    adapt_corpus,
    adapt_text,
    assert_facts,
    no_problems,
)

from greengate.load import load_bytes
from greengate.manifests import ManifestProblem
from greengate.manifests.kserve import KServeAdapter
from greengate.records.deployment import Deployment, FactSource

SAMPLES = "kserve__kserve/docs/samples/"


def read(path: str) -> tuple[list[Deployment], list[ManifestProblem]]:
    return adapt_corpus(path, KServeAdapter)


def read_text(text: str) -> list[Deployment]:
    return no_problems(adapt_text(text, KServeAdapter(), "isvc.yaml"))


CORPUS_CASES = [
    (
        "accelerators/tensorflow-gpu.yaml",
        "tensorflow-gpu",
        {
            "model.name": "gs://kfserving-examples/models/tensorflow/flowers",
            "hardware.accelerator": "nvidia-tesla-t4",  # serving.kserve.io/gke-accelerator annotation
            "hardware.count": 1,
            "workload": "inference",
            "task": None,
        },
        ("hardware.accelerator", 6),
    ),
    (
        "autoscaling/autoscale.yaml",
        "flowers-sample",
        {"rateLimits.concurrency": 1, "hardware.count": None},
        ("rateLimits.concurrency", 6),
    ),
    (
        "autoscaling/autoscale_gpu.yaml",
        "flowers-sample-gpu",
        {"rateLimits.concurrency": 1, "hardware.count": 1},
        ("hardware.count", 14),
    ),
    (
        "fluid/fluid-isvc.yaml",
        "llama-31-8b-instruct",
        {
            "model.name": "pvc://s3-data/llama-31-8b-instruct",
            "hardware.instanceType": "g5.8xlarge",
            "hardware.count": 1,
            "replicas.min": 0,
            "replicas.max": None,
        },
        ("hardware.instanceType", 9),
    ),
    (
        "fluid/kserve-isvc.yaml",
        "llama-31-8b-instruct",
        {"model.name": None, "hardware.instanceType": "g5.8xlarge", "hardware.count": 1},
        ("hardware.count", 27),
    ),
    (
        "kafka/mnist_kafka_new.yaml",
        "mnist",
        {"model.name": "s3://mnist", "replicas.min": 1},
        ("model.name", 19),
    ),
    (
        "storage/hf/hf_isvc.yaml",
        "huggingface-llama2",
        {
            "model.name": "meta-llama/Llama-2-7b-chat-hf",
            "hardware.count": 1,
        },  # not --model_name=llama2
        ("model.name", 15),
    ),
    (
        "storage/oci-image-volume/inference_service.yaml",
        "kserve-test/sklearn-oci-native",
        {"model.name": "oci+native://ghcr.io/my-org/my-sklearn-model:v1"},
        ("model.name", 57),
    ),
    (
        "v1beta1/torchserve/autoscaling/autoscaling.yaml",
        "torchserve",
        {
            "model.name": "gs://kfserving-examples/models/torchserve/image_classifier/v1",
            "rateLimits.concurrency": 10,
        },
        ("rateLimits.concurrency", 8),
    ),
    (
        "v1beta1/transformer/collocation/collocation.yaml",
        "custom-transformer-collocation",
        {
            "model.name": "gs://kfserving-examples/models/torchserve/image_classifier/v1"
        },  # STORAGE_URI env
        ("model.name", 19),
    ),
    (
        "v1beta1/triton/bert/bert_v1beta1.yaml",
        "bert-v2",
        {
            "model.name": "gs://kfserving-examples/models/triton/bert"
        },  # the predictor's, not the transformer's
        ("model.name", 23),
    ),
    (
        "v1beta1/xgboost/xgboost.yaml",
        "xgboost-iris",
        {"model.name": "gs://kfserving-examples/models/xgboost/iris", "workload": "inference"},
        ("model.name", 9),
    ),
    (
        "v1beta1/torchserve/v1/bloom/bloom-560m.yaml",
        "torchserve-bloom-560m",
        {"model.name": "pvc://model-cache", "hardware.count": 1},
        ("hardware.count", 13),
    ),
    (
        "llmisvc/agentic-tool-calling/llmisvc-single-gpu.yaml",
        "qwen3-coder-tool-calling",
        {
            "model.name": "Qwen/Qwen3-Coder-30B-A3B-Instruct-FP8",
            "hardware.count": 1,
            "replicas.min": 1,
            "replicas.max": 1,
            "workload": "inference",
        },
        ("model.name", 12),
    ),
    (
        "llmisvc/dp-ep/deepseek-r1-gpu-rdma-roce/llm-inference-service-dp-ep-deepseek-r1-gpu-deepep-ht.yaml",
        "deepseek-r1-0528",
        {
            "model.name": "deepseek-ai/DeepSeek-R1-0528",  # uri is pvc://, so spec.model.name
            "hardware.count": 32,  # data 32 / dataLocal 8 = 4 pods of 8 GPUs
            "replicas.min": 1,
        },
        ("hardware.count", 91),
    ),
    (
        "llmisvc/dp-ep/deepseek-r1-gpu-rdma-roce/llm-inference-service-dp-ep-deepseek-r1-pd-gpu-p-deepep-ht-d-deepep-ht.yaml",
        "deepseek-r1-0528-pd/prefill",
        {"model.name": "deepseek-ai/DeepSeek-R1-0528", "hardware.count": 16, "replicas.min": 1},
        ("replicas.min", 216),
    ),
    (
        "llmisvc/e2e-gpt-oss/inference_pd_disaggregation.yaml",
        "gpt-oss-20b/prefill",
        {
            "model.name": "RedHatAI/gpt-oss-20b",
            "hardware.count": 1,
            "replicas.min": 2,
            "replicas.max": 2,
        },
        ("replicas.max", 24),
    ),
    (
        "llmisvc/e2e-gpt-oss/inference_pd_disaggregation.yaml",
        "gpt-oss-20b",
        {"hardware.count": 1, "replicas.min": 1},
        ("hardware.count", 19),
    ),
    (
        "llmisvc/multi-gpu-vendor/llm-inference-service-qwen2-7b-amd-no-scheduler.yaml",
        "qwen2-7b-instruct-amd",
        {
            "model.name": "Qwen/Qwen2.5-7B-Instruct",
            "hardware.count": 1,
            "replicas.min": 2,
            "owner": None,
        },
        ("hardware.count", 28),  # amd.com/gpu
    ),
    (
        "llmisvc/single-node-gpu/llm-inference-service-qwen2-7b-gpu.yaml",
        "qwen2-7b-instruct-single",
        {"model.name": "Qwen/Qwen2.5-7B-Instruct", "hardware.count": 1, "replicas.max": 3},
        ("replicas.max", 10),
    ),
    (
        "llmisvc/lora-adapters/test-examples/01-lora-hf-cpu.yaml",
        "kserve-ci-e2e-test/lora-hf-test",
        {"model.name": "facebook/opt-125m", "hardware.count": None, "replicas.min": 1},
        ("model.name", 8),
    ),
]


@pytest.mark.parametrize(
    ("path", "name", "facts", "key"), CORPUS_CASES, ids=[c[0] for c in CORPUS_CASES]
)
def test_corpus_facts(path: str, name: str, facts: dict[str, Any], key: tuple[str, int]) -> None:
    deployments, problems = read(SAMPLES + path)
    assert not problems
    (deployment,) = [d for d in deployments if d.name == name]
    assert deployment.format == "kserve"
    assert_facts(deployment, facts)
    fact, line = key
    assert deployment.facts[fact].location.line == line


def test_fixtures_are_indexed() -> None:
    rows = INDEXED
    for path, *_ in CORPUS_CASES:
        assert f"files/{SAMPLES}{path}" in rows


def test_every_corpus_inference_service_is_a_deployment() -> None:
    index = INDEX_LINES
    paths = [
        r.split("\t")[0] for r in index if r.split("\t")[5] in ("kserve-isvc", "kserve-llmisvc")
    ]
    count = 0
    for path in paths:
        deployments, problems = read(path.removeprefix("files/"))
        assert deployments and not problems, path
        count += len(deployments)
    assert count >= 41


def test_prefill_pool_is_its_own_deployment() -> None:
    deployments, _ = read(
        SAMPLES + "llmisvc/single-node-gpu/llm-inference-service-pd-qwen2-7b-gpu.yaml"
    )
    assert [d.name for d in deployments] == ["qwen2-7b-instruct-pd", "qwen2-7b-instruct-pd/prefill"]
    main, prefill = deployments
    assert (main.value("replicas.min"), prefill.value("replicas.min")) == (1, 2)


def test_container_concurrency_beats_the_autoscaling_target_and_task_from_args() -> None:
    (deployment,) = read_text(
        """
        apiVersion: serving.kserve.io/v1beta1
        kind: InferenceService
        metadata:
          name: summarizer
          annotations: {autoscaling.knative.dev/target: "5"}
        spec:
          predictor:
            containerConcurrency: 8
            minReplicas: 1
            maxReplicas: 4
            nodeSelector: {cloud.google.com/gke-accelerator: nvidia-l4}
            model:
              modelFormat: {name: huggingface}
              args: [--model_id=facebook/bart-large-cnn, --task=text2text_generation]
              resources: {limits: {nvidia.com/gpu: "1"}}
        """
    )
    assert_facts(
        deployment,
        {
            "rateLimits.concurrency": 8,
            "replicas.min": 1,
            "replicas.max": 4,
            "hardware.accelerator": "nvidia-l4",
            "model.name": "facebook/bart-large-cnn",
            "task": "text-generation",
        },
    )
    assert deployment.facts["rateLimits.concurrency"].location.line == 8


def test_autoscaling_target_on_another_metric_is_not_concurrency() -> None:
    (deployment,) = read_text(
        """
        apiVersion: serving.kserve.io/v1beta1
        kind: InferenceService
        metadata:
          name: rps
          annotations: {autoscaling.knative.dev/metric: rps, autoscaling.knative.dev/target: "100"}
        spec:
          predictor:
            sklearn: {storageUri: "gs://bucket/model"}
        """
    )
    assert "rateLimits.concurrency" not in deployment.facts


def test_llm_worker_with_pipeline_parallelism() -> None:
    (deployment,) = read_text(
        """
        apiVersion: serving.kserve.io/v1alpha1
        kind: LLMInferenceService
        metadata: {name: big}
        spec:
          model: {uri: "hf://meta-llama/Llama-3.1-405B-Instruct"}
          replicas: 2
          parallelism: {tensor: 8, pipeline: 2}
          template:
            containers: [{name: main, resources: {limits: {nvidia.com/gpu: "8"}}}]
          worker:
            containers: [{name: main, resources: {limits: {nvidia.com/gpu: "8"}}}]
        """
    )
    assert_facts(
        deployment,
        {
            "hardware.count": 16,
            "replicas.min": 2,
            "model.name": "meta-llama/Llama-3.1-405B-Instruct",
        },
    )
    assert deployment.facts["hardware.count"].source is FactSource.DERIVED


def test_odd_shapes_do_not_crash() -> None:
    for spec in (
        "predictor: oops",
        "predictor: {model: [1, 2]}",
        "model: 3\n  template: []",
        "prefill: {template: 7}",
    ):
        text = f"apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata: {{name: odd}}\nspec:\n  {spec}\n"
        (document,) = load_bytes(text.encode(), "odd.yaml").documents
        assert KServeAdapter().read(document).deployments[0].name == "odd"
        llm = text.replace("v1beta1\nkind: InferenceService", "v1alpha1\nkind: LLMInferenceService")
        (document,) = load_bytes(llm.encode(), "odd.yaml").documents
        assert KServeAdapter().read(document).deployments[0].name == "odd"


# --- KServe managed Dynamic Resource Allocation (serving.kserve.io/exp-dra-*) ---------


def test_managed_dra_device_class_alone_is_one_device() -> None:
    (deployment,), problems = read(
        SAMPLES + "llmisvc/managed-dra/llm-inference-service-managed-dra-minimal.yaml"
    )
    assert not problems
    count = deployment.facts["hardware.count"]
    assert (count.value, count.location.line, count.source) == (1, 7, FactSource.DERIVED)
    assert "KServe managed DRA, device class gpu.nvidia.com" in count.detail
    assert deployment.facts["model.name"].value == "Qwen/Qwen2.5-7B-Instruct"
    assert "hardware.accelerator" not in deployment.facts  # no image: no server, no cpu guess


def test_managed_dra_device_count() -> None:
    (deployment,), problems = read(
        SAMPLES + "llmisvc/managed-dra/llm-inference-service-managed-dra-multi-device.yaml"
    )
    assert not problems
    count = deployment.facts["hardware.count"]
    assert (count.value, count.location.line) == (2, 8)
    # The selector compares ['type'], not the product name: no accelerator is taken from it.
    assert "hardware.accelerator" not in deployment.facts


def test_managed_dra_selector_product_and_bad_count() -> None:
    deployments, problems = adapt_text(
        """
        apiVersion: serving.kserve.io/v1alpha2
        kind: LLMInferenceService
        metadata:
          name: x
          annotations:
            serving.kserve.io/exp-dra-device-class: gpu.nvidia.com
            serving.kserve.io/exp-dra-device-count: two
            serving.kserve.io/exp-dra-cel-selector: device.attributes['gpu.nvidia.com']['productName'] == 'NVIDIA H100 80GB HBM3'
        spec:
          model: {uri: hf://Qwen/Qwen2.5-7B-Instruct}
        """,
        KServeAdapter(),
        "llmisvc.yaml",
    )
    (deployment,) = deployments
    assert [(p.location.line, p.message.split(":")[0]) for p in problems] == [
        (7, "annotation serving.kserve.io/exp-dra-device-count")
    ]
    assert deployment.facts["hardware.accelerator"].value == "NVIDIA H100 80GB HBM3"
    assert "hardware.count" not in deployment.facts
