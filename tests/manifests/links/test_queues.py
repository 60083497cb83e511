"""Hardware from the Kueue ResourceFlavor a queued workload is admitted on (links.queues).

Kueue's own examples (whole folders in the corpus) hold the whole chain:
workload -> LocalQueue -> ClusterQueue -> ResourceFlavor; their flavors'
nodeLabels name no accelerator, so they give none, but say so.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from support import FILES, named, read_paths

from greengate.records.deployment import FactSource

EXAMPLES = FILES / "kubernetes-sigs__kueue/site/static/examples"


def test_a_flavor_without_accelerator_labels_gives_nothing_but_says_so() -> None:
    deployments, findings = read_paths(EXAMPLES / "serving-workloads")
    assert not [f for f in findings if f.rule_id != "GG001"]
    burn = named(deployments, "sample-hami.yaml")
    assert "hardware.accelerator" not in burn.facts
    assert burn.hint("hardware.accelerator").endswith(
        "it is admitted on ResourceFlavor hami-flavor (sample-hami.yaml:4), the one flavor of "
        "ClusterQueue hami-queue (sample-hami.yaml:12) for accelerators, behind LocalQueue "
        "user-queue, whose nodeLabels name no accelerator"
    )


def test_the_provisioning_example_links_its_default_flavor() -> None:
    (job,), _ = read_paths(EXAMPLES / "provisioning")
    assert "hardware.accelerator" not in job.facts
    assert "ResourceFlavor default-flavor (provisioning-setup.yaml:4)" in job.hint(
        "hardware.accelerator"
    )


SETUP = """\
apiVersion: kueue.x-k8s.io/v1beta1
kind: ResourceFlavor
metadata:
  name: a100
spec:
  nodeLabels:
    cloud.google.com/gke-accelerator: nvidia-a100-80gb
---
apiVersion: kueue.x-k8s.io/v1beta1
kind: ResourceFlavor
metadata:
  name: l4
spec:
  nodeLabels:
    cloud.google.com/gke-accelerator: nvidia-l4
---
apiVersion: kueue.x-k8s.io/v1beta1
kind: ClusterQueue
metadata:
  name: cq
spec:
  resourceGroups:
    - coveredResources: ["cpu", "memory"]
      flavors:
        - name: l4
    - coveredResources: ["nvidia.com/gpu"]
      flavors:
        - name: a100
---
apiVersion: kueue.x-k8s.io/v1beta1
kind: LocalQueue
metadata:
  name: team
  namespace: ml
spec:
  clusterQueue: cq
"""

JOB = """\
apiVersion: batch/v1
kind: Job
metadata:
  name: finetune
  namespace: {namespace}
  labels:
    kueue.x-k8s.io/queue-name: team
spec:
  template:
    spec:
      containers:
        - name: train
          image: pytorch/pytorch
          resources:
            limits:
              nvidia.com/gpu: 8
"""


def read(tmp_path: Path, setup: str = SETUP, namespace: str = "ml"):  # type: ignore[no-untyped-def]
    (tmp_path / "queues.yaml").write_text(textwrap.dedent(setup))
    (tmp_path / "job.yaml").write_text(JOB.format(namespace=namespace))
    (job,), _ = read_paths(tmp_path)
    return job


def test_the_one_flavor_covering_gpus_gives_the_accelerator(tmp_path: Path) -> None:
    job = read(tmp_path)
    accelerator = job.facts["hardware.accelerator"]
    assert accelerator.source is FactSource.LINKED
    assert (Path(accelerator.location.file).name, accelerator.location.line) == ("queues.yaml", 7)
    assert accelerator.detail.startswith(
        "ResourceFlavor a100 (queues.yaml:4), the one flavor of ClusterQueue cq (queues.yaml:20) "
        "for accelerators, behind LocalQueue team: nodeLabels cloud.google.com/gke-accelerator"
    )


def test_a_local_queue_of_another_namespace_links_nothing(tmp_path: Path) -> None:
    job = read(tmp_path, namespace="other")
    assert "hardware.accelerator" not in job.facts


def test_several_flavors_for_gpus_give_nothing(tmp_path: Path) -> None:
    setup = SETUP.replace("        - name: a100\n", "        - name: a100\n        - name: l4\n")
    job = read(tmp_path, setup)
    assert "hardware.accelerator" not in job.facts
    assert "several flavors of ClusterQueue cq (queues.yaml:20): a100, l4" in job.hint(
        "hardware.accelerator"
    )


def test_bad_shapes_never_crash(tmp_path: Path) -> None:
    setup = """\
    apiVersion: kueue.x-k8s.io/v1beta1
    kind: ClusterQueue
    metadata: {name: cq}
    spec:
      resourceGroups: [1, {coveredResources: gpu}, {coveredResources: [nvidia.com/gpu], flavors: [x, {name: [1]}]}]
    ---
    apiVersion: kueue.x-k8s.io/v1beta1
    kind: LocalQueue
    metadata: {name: team, namespace: ml}
    spec: {clusterQueue: [cq]}
    ---
    apiVersion: kueue.x-k8s.io/v1beta1
    kind: ResourceFlavor
    metadata: {name: a100}
    spec: {nodeLabels: [a]}
    """
    job = read(tmp_path, setup)
    assert "hardware.accelerator" not in job.facts
