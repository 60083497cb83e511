"""Kubeflow training jobs and Trainer v2 runtimes.

Corpus files from ``kubeflow/trainer`` (Apache-2.0; commit in
``tests/data/corpus/INDEX.tsv``), checked by eye.
"""

from __future__ import annotations

from typing import Any

import pytest
from support import INDEXED, adapt_corpus, adapt_text, assert_facts, no_problems

from greengate.load import load_bytes
from greengate.manifests.kubeflow import KubeflowAdapter
from greengate.records.deployment import Deployment

TRAINER = "kubeflow__trainer/"


def read(path: str) -> Deployment:
    (deployment,) = no_problems(adapt_corpus(path, KubeflowAdapter))
    return deployment


def read_text(text: str) -> Deployment:
    (deployment,), _ = adapt_text(text, KubeflowAdapter(), "job.yaml")
    return deployment


CORPUS_CASES = [
    (
        "examples/paddlepaddle/simple-gpu.yaml",
        "kubeflow/paddle-simple-gpu",
        {"hardware.count": 2, "replicas.min": 2, "replicas.max": 2, "workload": "training"},
        ("hardware.count", 28),
    ),
    (
        "examples/pytorch/deepspeed-demo/pytorch_deepspeed_demo.yaml",
        "pytorch-deepspeed-demo",
        {"hardware.count": 1, "replicas.min": 2, "workload": "training"},  # Master 1 + Worker 1
        ("hardware.count", 22),
    ),
    (
        "examples/pytorch/mnist/v1/pytorch_job_mnist_nccl.yaml",
        "pytorch-dist-mnist-nccl",
        {"hardware.count": 1, "replicas.max": 2},
        ("hardware.count", 18),
    ),
    (
        "examples/pytorch/elastic/imagenet/imagenet.yaml",
        "elastic-example-imagenet",
        {"hardware.count": None, "replicas.min": 1, "replicas.max": 3},  # elasticPolicy
        ("replicas.max", 9),
    ),
    (
        "examples/tensorflow/dist-mnist/tf_job_mnist.yaml",
        "dist-mnist-for-e2e-test",
        {"hardware.count": None, "replicas.min": 4},  # Chief 1 + PS 1 + Worker 2, no accelerators
        ("replicas.min", 8),
    ),
    (
        "examples/tensorflow/distribution_strategy/multi_worker_tfjob.yaml",
        "multi-worker",
        {"hardware.count": 1, "replicas.min": 2},
        ("replicas.min", 10),
    ),
    (
        "manifests/base/runtimes/torchtune/llama3_2/llama3_2_1B.yaml",
        "torchtune-llama3.2-1b",
        {
            "model.name": "meta-llama/Llama-3.2-1B-Instruct",  # model-initializer, not the dataset's hf://tatsu-lab/alpaca
            "hardware.count": 2,
            "replicas.min": 1,  # mlPolicy.numNodes
            "workload": "fine-tuning",
        },
        ("model.name", 67),
    ),
    (
        "manifests/base/runtimes/torchtune/qwen2_5/qwen2_5_1.5B.yaml",
        "torchtune-qwen2.5-1.5b",
        {
            "model.name": "Qwen/Qwen2.5-1.5B-Instruct",
            "hardware.count": 2,
            "workload": "fine-tuning",
        },
        ("hardware.count", 103),
    ),
    (
        "examples/mpi/tensorflow-mnist.yaml",
        "tensorflow-mnist",
        {"replicas.min": 3, "workload": "training"},
        ("replicas.min", 11),
    ),
    (
        "examples/xgboost/xgboostjob.yaml",
        "xgboost-dist-iris-test-train",
        {"replicas.min": 3, "workload": "training"},
        ("replicas.min", 8),
    ),
    (
        "examples/jax/cpu-demo/demo.yaml",
        "kubeflow/jaxjob-simple",
        {"replicas.min": 2, "workload": "training"},
        ("replicas.min", 9),
    ),
]


@pytest.mark.parametrize(
    ("path", "name", "facts", "key"), CORPUS_CASES, ids=[c[0] for c in CORPUS_CASES]
)
def test_corpus_facts(path: str, name: str, facts: dict[str, Any], key: tuple[str, int]) -> None:
    deployment = read(TRAINER + path)
    assert deployment.name == name
    assert deployment.format == "kubeflow"
    assert_facts(deployment, facts)
    fact, line = key
    assert deployment.facts[fact].location.line == line


def test_fixtures_are_indexed() -> None:
    rows = INDEXED
    for path, *_ in CORPUS_CASES:
        assert f"files/{TRAINER}{path}" in rows


def test_train_job() -> None:
    deployment = read_text(
        """
        apiVersion: trainer.kubeflow.org/v1alpha1
        kind: TrainJob
        metadata: {name: tune-llama, namespace: ml}
        spec:
          runtimeRef: {name: torchtune-llama3.2-1b}
          initializer:
            model: {storageUri: "hf://meta-llama/Llama-3.2-1B-Instruct"}
          trainer:
            numNodes: 2
            resourcesPerNode:
              limits: {nvidia.com/gpu: 4}
        """
    )
    assert deployment.name == "ml/tune-llama"
    assert_facts(
        deployment,
        {
            "model.name": "meta-llama/Llama-3.2-1B-Instruct",
            "hardware.count": 4,
            "replicas.min": 2,
            "workload": "training",
        },
    )


def test_roles_with_different_accelerators() -> None:
    deployment = read_text(
        """
        apiVersion: kubeflow.org/v1
        kind: PyTorchJob
        metadata: {name: mixed}
        spec:
          pytorchReplicaSpecs:
            Master:
              replicas: 1
              template: {spec: {containers: [{name: pytorch, resources: {limits: {nvidia.com/gpu: 1}}}]}}
            Worker:
              replicas: 3
              template:
                spec:
                  nodeSelector: {cloud.google.com/gke-accelerator: nvidia-h100-80gb}
                  containers: [{name: pytorch, resources: {limits: {nvidia.com/gpu: 8}}}]
        """
    )
    assert_facts(
        deployment,
        {"hardware.count": 8, "hardware.accelerator": "nvidia-h100-80gb", "replicas.min": 4},
    )


def test_odd_shapes_do_not_crash() -> None:
    for spec in (
        "pytorchReplicaSpecs: [1]",
        "pytorchReplicaSpecs: {Worker: 3}",
        "tfReplicaSpecs: {Worker: {replicas: x, template: []}}",
    ):
        text = f"apiVersion: kubeflow.org/v1\nkind: PyTorchJob\nmetadata: {{name: odd}}\nspec:\n  {spec}\n"
        (document,) = load_bytes(text.encode(), "odd.yaml").documents
        assert KubeflowAdapter().read(document).deployments[0].facts["workload"].value == "training"
    text = "apiVersion: trainer.kubeflow.org/v1alpha1\nkind: ClusterTrainingRuntime\nmetadata: {name: odd}\nspec: {template: {spec: {replicatedJobs: [3, {name: node}]}}}\n"
    (document,) = load_bytes(text.encode(), "odd.yaml").documents
    assert KubeflowAdapter().read(document).deployments[0].name == "odd"
