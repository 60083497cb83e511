"""Replicas from the HPA or KEDA ScaledObject beside a workload (greengate.manifests.links.scalers).

The corpus folders are whole folders of their repository (every manifest of
it, unmodified; ``tests/data/corpus/INDEX.tsv`` names repository, commit
and licence). Values and lines were read by eye.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
from support import FILES, named, read_paths

from greengate.records.deployment import FactSource

GKE = FILES / "GoogleCloudPlatform__kubernetes-engine-samples/ai-ml"


def fact(deployment, name):  # type: ignore[no-untyped-def]
    found = deployment.facts[name]
    return found.value, Path(found.location.file).name, found.location.line


def test_an_hpa_beside_a_deployment_gives_its_replicas() -> None:
    deployments, _ = read_paths(GKE / "t5-model-serving/kubernetes")
    gpu = named(deployments, "serving-gpu.yaml")
    assert fact(gpu, "replicas.min") == (1, "hpa.yaml", 24)
    assert fact(gpu, "replicas.max") == (5, "hpa.yaml", 25)
    max_ = gpu.facts["replicas.max"]
    assert max_.source is FactSource.LINKED
    assert max_.detail.startswith(
        "HorizontalPodAutoscaler t5-inference (hpa.yaml:25): maxReplicas 5"
    )
    assert (
        "spec.replicas 1 (line 25) is the initial count the HorizontalPodAutoscaler overrides"
        in (max_.detail)
    )
    # the hardware is still the Deployment's own
    assert fact(gpu, "hardware.accelerator") == ("nvidia-l4", "serving-gpu.yaml", 39)
    # the estimate counts what the HPA may run
    assert "x 5 replicas" in gpu.facts["estimate.powerWatts"].detail


def test_an_hpa_of_a_leader_worker_set_scales_groups() -> None:
    deployments, _ = read_paths(GKE / "llm-multihost-gpus")
    lws = [d for d in deployments if d.kind == "LeaderWorkerSet"]
    assert (
        len(lws) == 4
    )  # four alternative LeaderWorkerSets named vllm: the HPA scales whichever runs
    for deployment in lws:
        assert fact(deployment, "replicas.min") == (1, "vllm-hpa.yaml", 22)
        assert fact(deployment, "replicas.max") == (2, "vllm-hpa.yaml", 23)
    jobs = [d for d in deployments if d.kind == "Job"]
    for job in jobs:  # the HPA targets a LeaderWorkerSet, not the download Jobs
        assert job.facts.get("replicas.max") is None or job.facts["replicas.max"].source is not (
            FactSource.LINKED
        )


def test_an_hpa_of_a_tpu_deployment() -> None:
    deployments, _ = read_paths(GKE / "vllm-tpu")
    (tpu,) = deployments
    assert fact(tpu, "replicas.min") == (1, "vllm-hpa.yaml", 26)
    assert fact(tpu, "replicas.max") == (2, "vllm-hpa.yaml", 27)


def test_the_scaler_is_found_when_only_the_workload_file_is_checked() -> None:
    # PR mode checks the changed files; the HPA beside them still governs them.
    deployments, _ = read_paths(GKE / "vllm-tpu/vllm-llama3-70b.yaml")
    (tpu,) = deployments
    assert fact(tpu, "replicas.max") == (2, "vllm-hpa.yaml", 27)


def test_a_scaler_whose_target_is_elsewhere_links_nothing() -> None:
    # production-stack's HPA and ScaledObject name a Deployment its Helm chart makes
    deployments, findings = read_paths(FILES / "vllm-project__production-stack/tutorials/assets")
    assert not [f for f in findings if f.rule_id != "GG001"]
    assert all(
        fact.source is not FactSource.LINKED for d in deployments for fact in d.facts.values()
    )


GPU_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: vllm
{namespace}spec:
  replicas: 3
  template:
    spec:
      containers:
        - name: vllm
          image: vllm/vllm-openai
          resources:
            limits:
              nvidia.com/gpu: 1
"""


def folder(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (tmp_path / name).write_text(textwrap.dedent(text))
    return tmp_path


def deployment_with(tmp_path: Path, scaler: str, namespace: str = ""):  # type: ignore[no-untyped-def]
    path = folder(
        tmp_path,
        {"deploy.yaml": GPU_DEPLOYMENT.format(namespace=namespace), "scaler.yaml": scaler},
    )
    deployments, findings = read_paths(path)
    (deployment,) = deployments
    return deployment, findings


HPA = """\
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: vllm-hpa
{namespace}spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: vllm
  maxReplicas: 4
"""


def test_min_replicas_absent_is_the_kubernetes_default(tmp_path: Path) -> None:
    deployment, _ = deployment_with(tmp_path, HPA.format(namespace=""))
    low = deployment.facts["replicas.min"]
    assert (low.value, low.location.line) == (1, 6)  # the scaleTargetRef key
    assert "minReplicas 1, the Kubernetes default when minReplicas is absent" in low.detail
    assert fact(deployment, "replicas.max") == (4, "scaler.yaml", 10)


@pytest.mark.parametrize(
    ("workload_ns", "scaler_ns"),
    [("  namespace: a\n", ""), ("", "  namespace: a\n"), ("  namespace: a\n", "  namespace: b\n")],
)
def test_a_scaler_of_another_namespace_links_nothing(
    tmp_path: Path, workload_ns: str, scaler_ns: str
) -> None:
    deployment, _ = deployment_with(tmp_path, HPA.format(namespace=scaler_ns), workload_ns)
    assert fact(deployment, "replicas.max")[:2] == (3, "deploy.yaml")


def test_the_same_namespace_links(tmp_path: Path) -> None:
    ns = "  namespace: serving\n"
    deployment, _ = deployment_with(tmp_path, HPA.format(namespace=ns), ns)
    assert fact(deployment, "replicas.max") == (4, "scaler.yaml", 11)
    assert fact(deployment, "replicas.min")[:2] == (1, "scaler.yaml")


def test_another_kind_or_group_links_nothing(tmp_path: Path) -> None:
    scaler = HPA.format(namespace="").replace("kind: Deployment", "kind: StatefulSet")
    deployment, _ = deployment_with(tmp_path, scaler)
    assert fact(deployment, "replicas.max") == (3, "deploy.yaml", 6)
    scaler = HPA.format(namespace="").replace("apps/v1", "example.com/v1")
    deployment, _ = deployment_with(tmp_path, scaler)
    assert fact(deployment, "replicas.max") == (3, "deploy.yaml", 6)


def test_a_scaled_object_uses_keda_defaults(tmp_path: Path) -> None:
    scaler = """\
    apiVersion: keda.sh/v1alpha1
    kind: ScaledObject
    metadata:
      name: vllm-so
    spec:
      scaleTargetRef:
        name: vllm
    """
    deployment, _ = deployment_with(tmp_path, scaler)
    assert deployment.facts["replicas.min"].value == 0
    assert deployment.facts["replicas.max"].value == 100
    assert "KEDA's default" in deployment.facts["replicas.max"].detail


def test_a_scaled_object_with_an_idle_count(tmp_path: Path) -> None:
    scaler = """\
    apiVersion: keda.sh/v1alpha1
    kind: ScaledObject
    metadata:
      name: vllm-so
    spec:
      scaleTargetRef:
        name: vllm
        kind: Deployment
      idleReplicaCount: 0
      minReplicaCount: 1
      maxReplicaCount: 6
    """
    deployment, _ = deployment_with(tmp_path, scaler)
    assert fact(deployment, "replicas.min") == (0, "scaler.yaml", 9)
    assert "idleReplicaCount" in deployment.facts["replicas.min"].detail
    assert fact(deployment, "replicas.max") == (6, "scaler.yaml", 11)


def test_two_scalers_of_one_workload_link_nothing(tmp_path: Path) -> None:
    two = HPA.format(namespace="") + "---\n" + HPA.format(namespace="").replace("vllm-hpa", "b")
    deployment, _ = deployment_with(tmp_path, two)
    assert fact(deployment, "replicas.max") == (3, "deploy.yaml", 6)


def test_the_scaler_wins_over_an_annotation(tmp_path: Path) -> None:
    annotated = GPU_DEPLOYMENT.format(
        namespace="  annotations:\n    greengate.dev/replicas-max: '5'\n"
    )
    path = folder(tmp_path, {"deploy.yaml": annotated, "scaler.yaml": HPA.format(namespace="")})
    (deployment,), _ = read_paths(path)
    assert fact(deployment, "replicas.max") == (4, "scaler.yaml", 10)
    assert deployment.facts["replicas.max"].detail.endswith(
        "the annotation's 5 (line 6) is overridden: the HorizontalPodAutoscaler decides what runs"
    )


@pytest.mark.parametrize(
    "spec",
    [
        "  scaleTargetRef: [vllm]\n  maxReplicas: 4\n",
        "  scaleTargetRef: {kind: Deployment}\n  maxReplicas: 4\n",
        "  scaleTargetRef: {kind: Deployment, name: vllm}\n  maxReplicas: '{{ .Values.max }}'\n",
        "  scaleTargetRef: {kind: Deployment, name: vllm}\n  maxReplicas: lots\n",
        "  scaleTargetRef: {kind: Deployment, name: vllm}\n  minReplicas: -1\n  maxReplicas: 4\n",
        "  scaleTargetRef: {kind: Deployment, name: vllm}\n",
        "  - 1\n",
    ],
)
def test_a_scaler_of_a_bad_shape_links_nothing_and_never_crashes(tmp_path: Path, spec: str) -> None:
    scaler = (
        "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: h}\nspec:\n"
        + spec
    )
    deployment, findings = deployment_with(tmp_path, scaler)
    assert fact(deployment, "replicas.max") == (3, "deploy.yaml", 6)
    assert not [f for f in findings if "bug" in f.message]


def test_a_scaler_whose_bounds_contradict_is_an_error(tmp_path: Path) -> None:
    scaler = HPA.format(namespace="").replace("maxReplicas: 4", "minReplicas: 9\n  maxReplicas: 4")
    path = folder(tmp_path, {"deploy.yaml": GPU_DEPLOYMENT.format(namespace=""), "s.yaml": scaler})
    deployments, findings = read_paths(path)
    assert deployments == []
    (finding,) = findings
    assert finding.rule_id == "GG002"
    assert Path(finding.location.file).name == "s.yaml"


def test_a_copy_of_a_real_folder_is_read_the_same(tmp_path: Path) -> None:
    shutil.copytree(GKE / "vllm-tpu", tmp_path / "vllm-tpu")
    (tpu,), _ = read_paths(tmp_path / "vllm-tpu")
    assert fact(tpu, "replicas.max") == (2, "vllm-hpa.yaml", 27)


def test_explain_shows_the_linked_origin() -> None:
    from click.testing import CliRunner

    from greengate.cli import main

    result = CliRunner().invoke(main, ["explain", str(GKE / "vllm-tpu")], catch_exceptions=False)
    assert result.exit_code == 0
    (line,) = [row for row in result.stdout.splitlines() if row.strip().startswith("replicas.max")]
    assert "linked" in line
    assert line.rstrip().endswith(
        "vllm-hpa.yaml:27:15  HorizontalPodAutoscaler vllm-hpa (vllm-hpa.yaml:27): maxReplicas 2; "
        "spec.replicas 1 (line 22) is the initial count the HorizontalPodAutoscaler overrides"
    )
