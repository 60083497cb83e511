"""Volcano Job (``batch.volcano.sh``): the task holding the accelerators is read.

Corpus files from ``volcano-sh/volcano`` (``example/``) and ``awslabs/ai-on-eks``
(Apache-2.0; commits in ``tests/data/corpus/INDEX.tsv``), checked by eye.
"""

from __future__ import annotations

import pytest
from support import INDEXED, adapt_corpus, adapt_text, assert_facts, no_problems

from greengate.manifests.volcano import VolcanoJobAdapter
from greengate.records.deployment import Deployment

VOLCANO = "volcano-sh__volcano/example/"
TRN1 = "awslabs__ai-on-eks/infra/trainium-inferentia/examples/mlp_train/"


def read(path: str) -> list[Deployment]:
    return no_problems(adapt_corpus(path, VolcanoJobAdapter))


def test_gpu_task_of_an_mpi_gang() -> None:
    """The launcher has no GPU; the 2 workers have 1 each: 1 per pod, 2 replicas."""
    (deployment,) = read(VOLCANO + "MindSpore-example/mindspore_gpu/mindspore-gpu.yaml")
    assert (deployment.name, deployment.format, deployment.kind) == (
        "mindspore-gpu",
        "volcano",
        "Job",
    )
    assert_facts(
        deployment, {"hardware.count": 1, "replicas.min": 2, "replicas.max": 2, "workload": "batch"}
    )
    assert deployment.facts["hardware.count"].location.line == 47
    assert deployment.facts["replicas.min"].location.line == 33
    assert "minAvailable 3" in deployment.facts["replicas.min"].detail
    assert "task mpiworker" in deployment.facts["replicas.min"].detail


@pytest.mark.parametrize(
    "path",
    [TRN1 + "trn1-mlp-karpenter.yaml", TRN1 + "trn1-mlp-cluster-autoscaler.yaml"],
)
def test_trainium_training_job(path: str) -> None:
    (deployment,) = read(path)
    assert deployment.name == "ml-team-a-ns/trn1-mlp-job"
    assert_facts(
        deployment,
        {"hardware.count": 16, "replicas.min": 1, "replicas.max": 1, "workload": "training"},
    )
    assert deployment.facts["hardware.count"].location.line == 82
    assert deployment.facts["replicas.min"].location.line == 64
    assert "Volcano queue ml-team-a-vq" in deployment.facts["replicas.min"].detail
    assert "torchrun" in deployment.facts["workload"].detail


def test_a_job_without_accelerators_is_not_a_deployment() -> None:
    """TensorFlow on CPUs: no accelerator, no model server, as for a Kubernetes Job."""
    assert read(VOLCANO + "integrations/tensorflow/dist-mnist/tf-dist-mnist-example.yaml") == []


def test_fixtures_are_indexed() -> None:
    for path in (
        VOLCANO + "MindSpore-example/mindspore_gpu/mindspore-gpu.yaml",
        VOLCANO + "integrations/tensorflow/dist-mnist/tf-dist-mnist-example.yaml",
        TRN1 + "trn1-mlp-karpenter.yaml",
        TRN1 + "trn1-mlp-cluster-autoscaler.yaml",
    ):
        assert f"files/{path}" in INDEXED


def read_text(text: str) -> list[Deployment]:
    return no_problems(adapt_text(text, VolcanoJobAdapter(), "job.yaml"))


def test_a_serving_gang_is_inference() -> None:
    (deployment,) = read_text(
        """
        apiVersion: batch.volcano.sh/v1alpha1
        kind: Job
        metadata: {name: llama-serve}
        spec:
          minAvailable: 2
          queue: serving
          tasks:
          - name: head
            replicas: 1
            template:
              spec:
                containers:
                - name: vllm
                  image: vllm/vllm-openai:v0.9.0
                  args: ["--model", "meta-llama/Llama-3.1-70B-Instruct", "--tensor-parallel-size", "8"]
                  resources: {limits: {nvidia.com/gpu: 8}}
          - name: worker
            replicas: 3
            template:
              spec:
                nodeSelector: {cloud.google.com/gke-accelerator: nvidia-h100-80gb}
                containers:
                - name: vllm
                  image: vllm/vllm-openai:v0.9.0
                  resources: {limits: {nvidia.com/gpu: 4}}
        """
    )
    assert_facts(
        deployment,
        {
            "workload": "inference",
            "model.name": "meta-llama/Llama-3.1-70B-Instruct",
            "hardware.count": 8,  # the task with the most accelerators per pod
            "replicas.min": 1,
        },
    )
    assert deployment.facts["model.name"].location.line == 15
    assert "Volcano queue serving" in deployment.facts["replicas.min"].detail


def test_fine_tuning_markers_and_a_greengate_annotation() -> None:
    (deployment,) = read_text(
        """
        apiVersion: batch.volcano.sh/v1alpha1
        kind: Job
        metadata:
          name: tune
          annotations: {greengate.dev/accelerator: nvidia-a100}
        spec:
          tasks:
          - name: lora-sft
            replicas: 2
            template:
              spec:
                containers: [{name: main, image: my/trainer:1}]
        """
    )
    assert_facts(
        deployment,
        {"workload": "fine-tuning", "hardware.accelerator": "nvidia-a100", "replicas.min": 2},
    )


@pytest.mark.parametrize(
    "spec",
    [
        "spec: []",
        "spec: {tasks: [1, {replicas: x, template: []}]}",
        "spec: {tasks: [{replicas: '{{ .Values.n }}', template: {spec: {containers: {a: b}}}}]}",
    ],
)
def test_odd_shapes_do_not_crash(spec: str) -> None:
    text = f"apiVersion: batch.volcano.sh/v1alpha1\nkind: Job\nmetadata: {{name: x}}\n{spec}\n"
    adapt_text(text, VolcanoJobAdapter(), "job.yaml")


def test_tasks_not_a_list_is_a_problem() -> None:
    deployments, problems = adapt_text(
        """
        apiVersion: batch.volcano.sh/v1alpha1
        kind: Job
        metadata: {name: x, annotations: {greengate.dev/workload: training}}
        spec:
          tasks: {name: a}
        """,
        VolcanoJobAdapter(),
        "job.yaml",
    )
    assert len(deployments) == 1
    assert [p.location.line for p in problems] == [5]


def test_placeholder_replicas_are_unresolved() -> None:
    (deployment,) = read_text(
        """
        apiVersion: batch.volcano.sh/v1alpha1
        kind: Job
        metadata: {name: x}
        spec:
          tasks:
          - replicas: "${WORKERS}"
            template:
              spec:
                containers: [{name: t, resources: {limits: {nvidia.com/gpu: 1}}}]
        """
    )
    assert "replicas.min" in deployment.unresolved and "replicas.min" not in deployment.facts


def test_other_volcano_kinds_are_not_claimed() -> None:
    deployments, _ = adapt_text(
        "apiVersion: scheduling.volcano.sh/v1beta1\nkind: Queue\nmetadata: {name: q}\n",
        VolcanoJobAdapter(),
        "queue.yaml",
        must_match=False,
    )
    assert deployments == []
