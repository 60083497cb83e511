"""KEDA ScaledJob: a Job per unit of queued work, read as a workload (greengate.manifests.keda)."""

from __future__ import annotations

import pytest
from support import adapt_corpus, adapt_text, assert_facts

from greengate.manifests import adapter_for
from greengate.manifests.keda import KedaScaledJobAdapter
from greengate.records.deployment import FactSource

SAMPLES = "kedacore__keda/config/samples/"


def test_keda_samples_are_not_ai_workloads() -> None:
    # the sample's jobTargetRef.template is empty: no pod, nothing to judge, no crash
    deployments, problems = adapt_corpus(
        SAMPLES + "keda_v1alpha1_scaledjob.yaml", KedaScaledJobAdapter
    )
    assert (deployments, problems) == ([], [])
    deployments, problems = adapt_corpus(
        SAMPLES + "keda_v1alpha1_scaledobject.yaml", KedaScaledJobAdapter
    )
    assert (deployments, problems) == ([], [])  # a ScaledObject is linked, not adapted


SCALED_JOB = """\
apiVersion: keda.sh/v1alpha1
kind: ScaledJob
metadata:
  name: batch-embeddings
  namespace: ml
spec:
  jobTargetRef:
    parallelism: 2
    template:
      spec:
        nodeSelector:
          cloud.google.com/gke-accelerator: nvidia-l4
        containers:
          - name: embed
            image: vllm/vllm-openai
            args: ["--model", "BAAI/bge-large-en-v1.5"]
            resources:
              limits:
                nvidia.com/gpu: 1
        restartPolicy: Never
  maxReplicaCount: 8
  triggers:
    - type: rabbitmq
"""


def read(text: str):  # type: ignore[no-untyped-def]
    return adapt_text(text, KedaScaledJobAdapter(), "job.yaml", lstrip=False)


def test_a_gpu_scaled_job_is_a_workload() -> None:
    (deployment,), problems = read(SCALED_JOB)
    assert problems == []
    assert deployment.name == "ml/batch-embeddings"
    assert deployment.format == "keda"
    assert_facts(
        deployment,
        {
            "hardware.accelerator": "nvidia-l4",
            "hardware.count": 2,  # 1 per pod x parallelism 2
            "model.name": "BAAI/bge-large-en-v1.5",
            "replicas.min": 0,
            "replicas.max": 8,
            "workload": "batch",
        },
    )
    assert deployment.facts["replicas.max"].location.line == 21
    assert deployment.facts["replicas.min"].location.line == 7  # the jobTargetRef key
    assert deployment.facts["hardware.accelerator"].location.line == 12


def test_max_replica_count_defaults_to_100() -> None:
    (deployment,), _ = read(SCALED_JOB.replace("  maxReplicaCount: 8\n", ""))
    high = deployment.facts["replicas.max"]
    assert (high.value, high.source) == (100, FactSource.DERIVED)
    assert "KEDA's default" in high.detail


def test_adapter_for_claims_scaled_jobs_only() -> None:
    from support import load_text

    assert isinstance(adapter_for(load_text(SCALED_JOB, "a.yaml")), KedaScaledJobAdapter)
    so = "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {name: x}\n"
    scaled_object = load_text(so, "b.yaml")
    adapter = adapter_for(scaled_object)
    # A ScaledObject is not a workload: only the generic fallback sees it, and it finds no pod.
    assert not isinstance(adapter, KedaScaledJobAdapter)
    assert adapter is None or adapter.read(scaled_object).deployments == []


@pytest.mark.parametrize(
    "spec",
    [
        "spec: [1]\n",
        "spec:\n  jobTargetRef: 3\n",
        "spec:\n  jobTargetRef:\n    template: {spec: {containers: {a: 1}}}\n",
        "spec:\n  jobTargetRef:\n    template: {spec: {containers: [{name: a, image: vllm/vllm-openai, resources: {limits: {nvidia.com/gpu: 1}}}]}}\n  maxReplicaCount: '{{ .Values.max }}'\n",
        "spec:\n  jobTargetRef:\n    parallelism: lots\n    template: {spec: {containers: [{name: a, image: x, resources: {limits: {nvidia.com/gpu: 1}}}]}}\n  maxReplicaCount: -3\n",
    ],
)
def test_bad_shapes_never_crash(spec: str) -> None:
    text = "apiVersion: keda.sh/v1alpha1\nkind: ScaledJob\nmetadata: {name: j}\n" + spec
    deployments, _ = read(text)
    for deployment in deployments:
        assert "replicas.max" not in deployment.facts or deployment.facts["replicas.max"].value >= 0
