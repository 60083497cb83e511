"""Spark operator SparkApplication / ScheduledSparkApplication.

The corpus file is ``awslabs/data-on-eks``'s RAPIDS example (licence and
commit in ``tests/data/corpus/INDEX.tsv``), checked by eye.
"""

from __future__ import annotations

from support import adapt_corpus, adapt_text, assert_facts, no_problems

from greengate.manifests.spark import SparkAdapter
from greengate.records.deployment import FactSource

RAPIDS = (
    "awslabs__data-on-eks/data-stacks/spark-on-eks/examples/spark-rapids/spark-rapids-app-gpus.yaml"
)


def test_a_rapids_application_is_a_deployment_of_its_gpu_executors() -> None:
    (deployment,) = no_problems(adapt_corpus(RAPIDS, SparkAdapter))
    assert (deployment.name, deployment.kind, deployment.format) == (
        "spark-team-a/spark-rapids-yunikorn",
        "SparkApplication",
        "spark",
    )
    assert_facts(
        deployment,
        {
            "hardware.count": 1,
            "replicas.min": 1,
            "replicas.max": 1,
            "workload": "batch",
            "hardware.accelerator": None,  # NodeGroupType: GPU names no GPU model
        },
    )
    count = deployment.facts["hardware.count"]
    assert (count.location.line, count.detail) == (63, "executor.gpu.quantity (nvidia.com/gpu)")
    assert deployment.facts["replicas.max"].location.line == 59
    assert deployment.facts["workload"].source is FactSource.DERIVED


SCHEDULED = """\
apiVersion: sparkoperator.k8s.io/v1beta2
kind: ScheduledSparkApplication
metadata:
  name: nightly-train
spec:
  schedule: "@daily"
  template:
    image: acme/spark-train:1
    mainApplicationFile: local:///opt/train_model.py
    dynamicAllocation:
      enabled: true
      minExecutors: 2
      maxExecutors: 8
    executor:
      instances: 4
      gpu: {name: nvidia.com/gpu, quantity: "{{ .Values.gpus }}"}
      nodeSelector:
        cloud.google.com/gke-accelerator: nvidia-l4
"""


def test_scheduled_application_dynamic_allocation_and_a_placeholder_count() -> None:
    (deployment,) = no_problems(adapt_text(SCHEDULED, SparkAdapter(), "s.yaml"))
    assert_facts(
        deployment,
        {
            "replicas.min": 2,
            "replicas.max": 8,
            "workload": "training",
            "hardware.accelerator": "nvidia-l4",
            "hardware.count": None,
        },
    )
    assert deployment.facts["replicas.max"].location.line == 13
    assert deployment.unresolved["hardware.count"].location.line == 16


def test_a_cpu_only_spark_job_is_not_a_deployment() -> None:
    text = SCHEDULED.replace("gpu: {name: nvidia.com/gpu, quantity:", "labels: {a: b, c:")
    assert adapt_text(text, SparkAdapter(), "s.yaml") == ([], [])


def test_surprising_shapes_do_not_crash() -> None:
    for body in (
        "spec: [1]",
        "spec: {executor: [1]}",
        "spec: {executor: {gpu: [1]}}",
        "spec: {executor: {gpu: {name: nvidia.com/gpu, quantity: two}}}",
    ):
        text = f"apiVersion: sparkoperator.k8s.io/v1beta2\nkind: SparkApplication\nmetadata: {{name: x}}\n{body}\n"
        deployments, problems = adapt_text(text, SparkAdapter(), "x.yaml")
        assert problems == []
        assert all("hardware.count" not in d.facts for d in deployments)
