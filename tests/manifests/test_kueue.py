"""Kueue: jobs queued by Kueue are read as the workloads they are; a Workload object is one too.

Corpus files from ``kubernetes-sigs/kueue`` (``site/static/examples``;
Apache-2.0, commit in ``tests/data/corpus/INDEX.tsv``) and
``GoogleCloudPlatform/kubernetes-engine-samples``, checked by eye. Kueue's
repository holds no Workload manifest (Kueue writes them itself), so the
Workload tests use the shape of its documentation's example
(``site/content/en/docs/concepts/workload.md``) inline.
"""

from __future__ import annotations

import pytest
from support import INDEXED, adapt_corpus, adapt_text, assert_facts, load_text, no_problems

from greengate.manifests import adapter_for
from greengate.manifests.kubeflow import KubeflowAdapter
from greengate.manifests.kubernetes import KubernetesAdapter
from greengate.manifests.kueue import KueueWorkloadAdapter
from greengate.records.deployment import Deployment

KUEUE = "kubernetes-sigs__kueue/site/static/examples/"
QUEUE_LABEL = "kueue.x-k8s.io/queue-name"


def read_kubernetes(path: str) -> list[Deployment]:
    return no_problems(adapt_corpus(path, KubernetesAdapter))


def test_a_suspended_queued_job_is_read() -> None:
    """``suspend: true`` only waits for Kueue's admission: the Job is still the workload."""
    path = "GoogleCloudPlatform__kubernetes-engine-samples/batch/kueue-intro/job-team-a.yaml"
    (deployment,) = read_kubernetes(path)
    assert deployment.name == "team-a/sample-job-team-a-"
    assert_facts(
        deployment,
        {"hardware.accelerator": "nvidia-tesla-t4", "replicas.min": 3, "workload": "batch"},
    )
    assert deployment.facts["hardware.accelerator"].location.line == 31
    assert deployment.labels[QUEUE_LABEL] == "lq-team-a"


@pytest.mark.parametrize(
    ("path", "name", "kind", "facts", "lines"),
    [
        (
            "provisioning/sample-job.yaml",
            "default/sample-job-",
            "Job",
            {"hardware.count": 1, "replicas.min": 3, "replicas.max": 3},
            {"hardware.count": 29, "replicas.min": 11},
        ),
        (
            "serving-workloads/sample-hami.yaml",
            "kueue-test/gpu-burn",
            "Deployment",
            {"hardware.count": 2, "replicas.min": 1, "workload": "inference"},
            {"hardware.count": 71, "replicas.min": 51},
        ),
        (
            "serving-workloads/sample-leaderworkerset-tas.yaml",
            "nginx-leaderworkerset",
            "LeaderWorkerSet",
            {"hardware.count": 2, "replicas.min": 2},  # leader 0 + 2 workers x 1
            {"hardware.count": 42, "replicas.min": 9},
        ),
    ],
)
def test_queued_workloads_are_read_by_their_own_adapter(
    path: str, name: str, kind: str, facts: dict[str, int | str], lines: dict[str, int]
) -> None:
    (deployment,) = read_kubernetes(KUEUE + path)
    assert (deployment.name, deployment.kind) == (name, kind)
    assert_facts(deployment, facts)
    for fact, line in lines.items():
        assert deployment.facts[fact].location.line == line, fact
    assert QUEUE_LABEL in deployment.labels


def test_a_queued_pytorch_job_is_read_by_the_kubeflow_adapter() -> None:
    (deployment,) = no_problems(
        adapt_corpus(KUEUE + "jobs/sample-pytorchjob.yaml", KubeflowAdapter)
    )
    assert (deployment.name, deployment.kind) == ("default/pytorch-simple", "PyTorchJob")
    assert deployment.labels[QUEUE_LABEL] == "user-queue"
    assert_facts(deployment, {"workload": "training", "replicas.min": 2})


def test_kueue_queueing_objects_are_not_deployments() -> None:
    for path in ("tas/sample-gpu-queues.yaml", "serving-workloads/sample-hami.yaml"):
        assert no_problems(adapt_corpus(KUEUE + path, KueueWorkloadAdapter)) == []
    deployments, _ = adapt_text(
        "apiVersion: kueue.x-k8s.io/v1beta2\nkind: ClusterQueue\nmetadata: {name: q}\n",
        KueueWorkloadAdapter(),
        "cq.yaml",
        must_match=False,
    )
    assert deployments == []


def test_fixtures_are_indexed() -> None:
    for path in (
        "provisioning/sample-job.yaml",
        "serving-workloads/sample-hami.yaml",
        "serving-workloads/sample-leaderworkerset-tas.yaml",
        "tas/sample-gpu-queues.yaml",
        "jobs/sample-pytorchjob.yaml",
    ):
        assert f"files/{KUEUE}{path}" in INDEXED


WORKLOAD = """
apiVersion: kueue.x-k8s.io/v1beta2
kind: Workload
metadata:
  name: sample-job
  namespace: team-a
spec:
  active: true
  queueName: team-a-queue
  podSets:
  - count: 1
    name: launcher
    template:
      spec:
        containers:
        - name: launcher
          image: mpioperator/mpi-pi:openmpi
  - count: 4
    name: worker
    template:
      spec:
        nodeSelector:
          cloud.google.com/gke-accelerator: nvidia-l4
        containers:
        - name: trainer
          image: my/train:1
          command: ["torchrun", "train.py"]
          resources:
            limits:
              nvidia.com/gpu: 2
        restartPolicy: Never
"""


def test_workload_reads_the_pod_set_with_accelerators() -> None:
    (deployment,) = no_problems(
        adapt_text(WORKLOAD, KueueWorkloadAdapter(), "wl.yaml", lstrip=False)
    )
    assert (deployment.name, deployment.format, deployment.kind) == (
        "team-a/sample-job",
        "kueue",
        "Workload",
    )
    assert_facts(
        deployment,
        {
            "hardware.count": 2,
            "hardware.accelerator": "nvidia-l4",
            "replicas.min": 4,
            "replicas.max": 4,
            "workload": "training",
        },
    )
    assert deployment.facts["hardware.count"].location.line == 30
    assert deployment.facts["replicas.min"].location.line == 18
    assert deployment.facts["hardware.accelerator"].location.line == 23
    assert "Kueue queue team-a-queue" in deployment.facts["replicas.min"].detail


def test_workload_is_claimed_by_the_kueue_adapter() -> None:
    assert isinstance(adapter_for(load_text(WORKLOAD, "wl.yaml")), KueueWorkloadAdapter)


def test_workload_without_accelerators_is_not_a_deployment() -> None:
    text = WORKLOAD.replace("nvidia.com/gpu: 2", "cpu: 2").replace(
        "cloud.google.com/gke-accelerator: nvidia-l4", "kubernetes.io/os: linux"
    )
    assert no_problems(adapt_text(text, KueueWorkloadAdapter(), "wl.yaml")) == []


def test_workload_serving_pods_are_inference() -> None:
    text = WORKLOAD.replace(
        'command: ["torchrun", "train.py"]', 'args: ["vllm", "serve", "Qwen/Qwen2.5-7B"]'
    )
    (deployment,) = no_problems(adapt_text(text, KueueWorkloadAdapter(), "wl.yaml"))
    assert_facts(deployment, {"workload": "inference", "model.name": "Qwen/Qwen2.5-7B"})


@pytest.mark.parametrize(
    "spec",
    [
        "spec: []",
        "spec: {podSets: [1, {count: x, template: []}]}",
        "spec: {podSets: [{count: '{{ .Values.n }}', template: {spec: {containers: [{resources: {limits: {nvidia.com/gpu: 1}}}]}}}]}",
    ],
)
def test_odd_shapes_do_not_crash(spec: str) -> None:
    text = f"apiVersion: kueue.x-k8s.io/v1beta1\nkind: Workload\nmetadata: {{name: x}}\n{spec}\n"
    adapt_text(text, KueueWorkloadAdapter(), "wl.yaml")


def test_pod_sets_not_a_list_is_a_problem() -> None:
    deployments, problems = adapt_text(
        """
        apiVersion: kueue.x-k8s.io/v1beta1
        kind: Workload
        metadata: {name: x}
        spec:
          podSets: {count: 1}
        """,
        KueueWorkloadAdapter(),
        "wl.yaml",
    )
    assert deployments == [] and [p.location.line for p in problems] == [5]
