"""The linking stage as the pipeline runs it: cheap without a source, never mixing sources."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import load_text, read_paths

from greengate.app import pipeline
from greengate.load import folders
from greengate.manifests.kubernetes import KubernetesAdapter
from greengate.manifests.links import is_source, is_target, link

GPU = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
spec:
  template:
    spec:
      containers:
        - name: vllm
          image: vllm/vllm-openai
          resources:
            limits:
              nvidia.com/gpu: 1
"""


def test_what_is_a_source_and_what_is_a_target() -> None:
    hpa = load_text("apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\n", "h.yaml")
    pool = load_text("apiVersion: karpenter.sh/v1\nkind: NodePool\n", "p.yaml")
    native = load_text("apiVersion: greengate.dev/v1\nkind: AIDeployment\n", "n.yaml")
    deployment = load_text(GPU.format(name="a"), "d.yaml")
    assert is_source(hpa) and is_source(pool)
    assert not is_source(deployment) and not is_source(native)
    assert is_target(deployment) and is_target(hpa)  # any Kubernetes object may be scaled
    assert not is_target(native)


def test_link_without_a_source_returns_the_same_deployments() -> None:
    document = load_text(GPU.format(name="a"), "d.yaml")
    (deployment,) = KubernetesAdapter().read(document).deployments
    other = load_text(GPU.format(name="b"), "e.yaml")
    (same,) = link([(deployment, document)], [document, other])
    assert same is deployment


def test_a_folder_without_sources_reads_each_file_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in "abc":
        (tmp_path / f"{name}.yaml").write_text(GPU.format(name=name))
    reads: list[str] = []
    real = pipeline.load_source

    def counting(source, *args):  # type: ignore[no-untyped-def]
        reads.append(source.path.name)
        return real(source, *args)

    monkeypatch.setattr(pipeline, "load_source", counting)
    monkeypatch.setattr(folders, "load_source", counting)
    deployments, _ = read_paths(tmp_path)
    assert len(deployments) == 3
    assert sorted(reads) == ["a.yaml", "b.yaml", "c.yaml"]


def test_a_folder_with_a_scaler_re_reads_its_workload_files_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in "ab":
        (tmp_path / f"{name}.yaml").write_text(GPU.format(name=name))
    (tmp_path / "hpa.yaml").write_text(
        "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: h}\n"
        "spec:\n  scaleTargetRef: {kind: Deployment, name: a}\n  maxReplicas: 3\n"
    )
    reads: list[str] = []
    real = pipeline.load_source

    def counting(source, *args):  # type: ignore[no-untyped-def]
        reads.append(source.path.name)
        return real(source, *args)

    monkeypatch.setattr(pipeline, "load_source", counting)
    monkeypatch.setattr(folders, "load_source", counting)
    deployments, _ = read_paths(tmp_path)
    scaled = {d.name: d.value("replicas.max") for d in deployments}
    assert scaled == {"a": 3, "b": None}
    # Each file once to check it, then again to link (the scaler's documents are not
    # kept in memory for the whole run: only the folder that links reads them again).
    assert sorted(reads) == ["a.yaml", "a.yaml", "b.yaml", "b.yaml", "hpa.yaml", "hpa.yaml"]
