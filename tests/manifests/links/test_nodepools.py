"""Hardware from the Karpenter NodePool a workload selects (greengate.manifests.links.nodepools).

The real NodePools are data-on-eks' (the whole ``infra/terraform/manifests/karpenter``
folder is in the corpus); its RayService selects the ``gpu`` NodePool by name.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
from support import FILES, read_paths

from greengate.records.deployment import FactSource

DOE = FILES / "awslabs__data-on-eks"
POOLS = DOE / "infra/terraform/manifests/karpenter"
RAY = DOE / "data-stacks/ray-on-eks/examples/ray-batch-inference/03-rayservice-deepseek-r1-8b.yaml"


def test_the_real_nodepool_folder_alone_is_not_a_deployment() -> None:
    deployments, findings = read_paths(POOLS)
    assert deployments == []
    assert not [f for f in findings if f.rule_id != "GG001"]


def test_a_nodepool_with_several_families_gives_no_accelerator_but_says_which(
    tmp_path: Path,
) -> None:
    shutil.copy(RAY, tmp_path)
    shutil.copy(POOLS / "nodepool-gpu-g6.yaml", tmp_path)
    shutil.copy(POOLS / "nodepool-general-purpose.yaml", tmp_path)
    (ray,), _ = read_paths(tmp_path)
    # its own accelerator (serveConfigV2) wins; the NodePool fixes no instance type
    accelerator = ray.facts["hardware.accelerator"]
    assert (Path(accelerator.location.file).name, accelerator.location.line) == (RAY.name, 39)
    assert "hardware.instanceType" not in ray.facts
    hint = ray.hint("hardware.instanceType")
    assert "the NodePool gpu (nodepool-gpu-g6.yaml:4) its pods select allows several" in hint
    assert "karpenter.k8s.aws/instance-family In [g5, g6, g6e, g7e] (line 43)" in hint
    assert "karpenter.k8s.aws/instance-size In [xlarge, 2xlarge" in hint


def test_the_real_gpu_nodepool_names_its_families_for_a_deployment(tmp_path: Path) -> None:
    shutil.copy(POOLS / "nodepool-gpu-g6.yaml", tmp_path)
    deployment = read(tmp_path, "        karpenter.sh/nodepool: gpu")
    assert "hardware.accelerator" not in deployment.facts
    hint = deployment.hint("hardware.accelerator")
    assert hint.startswith("add a nodeSelector such as")
    assert hint.endswith(
        "the NodePool gpu (nodepool-gpu-g6.yaml:4) its pods select allows several: "
        "karpenter.k8s.aws/instance-family In [g5, g6, g6e, g7e] (line 43)"
    )


GPU_POOL = """\
apiVersion: karpenter.sh/v1
kind: NodePool
metadata:
  name: gpu-a10g
spec:
  template:
    metadata:
      labels:
        team: llm
    spec:
      requirements:
        - key: karpenter.k8s.aws/instance-gpu-name
          operator: In
          values: ["a10g"]
        - key: node.kubernetes.io/instance-type
          operator: In
          values: ["g5.2xlarge"]
        - key: karpenter.sh/capacity-type
          operator: In
          values: ["spot", "on-demand"]
      taints:
        - key: nvidia.com/gpu
          effect: NoSchedule
"""

WORKLOAD = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: vllm
spec:
  template:
    spec:
      nodeSelector:
{selector}
      containers:
        - name: vllm
          image: vllm/vllm-openai
          resources:
            limits:
              nvidia.com/gpu: 1
"""


def read(tmp_path: Path, selector: str, *pools: str):  # type: ignore[no-untyped-def]
    (tmp_path / "deploy.yaml").write_text(WORKLOAD.format(selector=selector))
    for i, pool in enumerate(pools):
        (tmp_path / f"pool{i}.yaml").write_text(textwrap.dedent(pool))
    (deployment,), findings = read_paths(tmp_path)
    assert not [f for f in findings if "bug" in f.message]
    return deployment


@pytest.mark.parametrize(
    "selector", ["        karpenter.sh/nodepool: gpu-a10g", "        team: llm"]
)
def test_a_selected_nodepool_with_one_value_gives_the_hardware(
    tmp_path: Path, selector: str
) -> None:
    deployment = read(tmp_path, selector, GPU_POOL)
    accelerator = deployment.facts["hardware.accelerator"]
    where = (Path(accelerator.location.file).name, accelerator.location.line)
    assert (accelerator.value, where) == ("nvidia-a10g", ("pool0.yaml", 14))  # a10g, in the catalog
    assert accelerator.source is FactSource.LINKED
    assert accelerator.detail.startswith(
        "NodePool gpu-a10g (pool0.yaml:4) its pods select (tainted nvidia.com/gpu): "
        "requirement karpenter.k8s.aws/instance-gpu-name In a10g"
    )
    instance = deployment.facts["hardware.instanceType"]
    assert (instance.value, instance.location.line) == ("g5.2xlarge", 17)


def test_the_workload_own_accelerator_wins(tmp_path: Path) -> None:
    selector = "        karpenter.sh/nodepool: gpu-a10g\n        nvidia.com/gpu.product: NVIDIA-L4"
    deployment = read(tmp_path, selector, GPU_POOL)
    assert deployment.facts["hardware.accelerator"].location.file.endswith("deploy.yaml")


def test_a_workload_selecting_another_pool_gets_nothing(tmp_path: Path) -> None:
    deployment = read(tmp_path, "        karpenter.sh/nodepool: cpu", GPU_POOL)
    assert "hardware.accelerator" not in deployment.facts


def test_a_contradicting_label_selects_nothing(tmp_path: Path) -> None:
    selector = "        team: llm\n        node.kubernetes.io/instance-type: p4d.24xlarge"
    deployment = read(tmp_path, selector, GPU_POOL)
    assert deployment.facts["hardware.instanceType"].value == "p4d.24xlarge"
    assert deployment.facts["hardware.accelerator"].source is FactSource.CATALOG  # from p4d


def test_two_selected_pools_give_nothing(tmp_path: Path) -> None:
    other = GPU_POOL.replace("gpu-a10g", "gpu-l4").replace('"a10g"', '"l4"')
    deployment = read(tmp_path, "        team: llm", GPU_POOL, other)
    assert "hardware.accelerator" not in deployment.facts
    assert "several NodePools" in deployment.hint("hardware.accelerator")


def test_a_workload_selecting_no_pool_label_gets_nothing(tmp_path: Path) -> None:
    deployment = read(tmp_path, "        kubernetes.io/arch: amd64", GPU_POOL)
    assert "hardware.accelerator" not in deployment.facts


@pytest.mark.parametrize(
    "spec",
    [
        "spec: [1]\n",
        "spec:\n  template:\n    spec:\n      requirements: {a: 1}\n",
        "spec:\n  template:\n    metadata: {labels: [x]}\n    spec:\n      requirements: [1, {key: 3}, {key: a, operator: In, values: x}]\n",
        "spec:\n  template:\n    spec:\n      requirements:\n        - {key: karpenter.k8s.aws/instance-gpu-name, operator: In, values: ['{{ .Values.gpu }}']}\n      taints: [x, {key: [1]}]\n",
    ],
)
def test_a_nodepool_of_a_bad_shape_never_crashes(tmp_path: Path, spec: str) -> None:
    pool = "apiVersion: karpenter.sh/v1\nkind: NodePool\nmetadata:\n  name: gpu-a10g\n" + spec
    deployment = read(tmp_path, "        karpenter.sh/nodepool: gpu-a10g", pool)
    assert "hardware.accelerator" not in deployment.facts
