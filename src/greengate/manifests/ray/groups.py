"""The head and worker groups of a Ray cluster: their pods, accelerators and node labels.

:func:`read_groups` reads every group (``headGroupSpec``, then each
``workerGroupSpecs`` entry) as a :class:`Group`: its pod template through
:func:`~greengate.manifests.kube.pods.read_pod`, its accelerators per pod (the
container limits, else ``rayStartParams.num-gpus``, else the Ray
``resources`` ``GPU``/``TPU``) and its ``numOfHosts``. :func:`primary_group` picks
the group that is the deployment's hardware, and :func:`put_node_labels`
records a group's Ray node labels ``ray.io/region`` and
``ray.io/accelerator-type``. A group's replica counts depend on the cluster's
autoscaling and are read by the adapter.
"""

from __future__ import annotations

from dataclasses import dataclass

from greengate.load import Document, PathKey
from greengate.manifests.base import FactReader
from greengate.manifests.kube.pods import Pod, read_pod
from greengate.manifests.kube.values import Found, put, unresolved, whole_number


@dataclass
class Group:
    """One head or worker group: its pod, accelerators per pod and hosts per replica."""

    path: PathKey
    name: str
    pod: Pod
    count: Found | None
    hosts: int
    head: bool

    @property
    def devices(self) -> int:
        value = self.count.value if self.count is not None else 0
        return value * self.hosts if isinstance(value, int) else 0


def read_groups(document: Document, cluster: PathKey) -> list[Group]:
    """The head group (when there is one), then the worker groups, of the cluster at ``cluster``."""
    found: list[Group] = []
    head = (*cluster, "headGroupSpec")
    if isinstance(document.get(head), dict):
        found.append(_group(document, head, "head", head=True))
    workers = document.get((*cluster, "workerGroupSpecs"))
    for i, worker in enumerate(workers if isinstance(workers, list) else []):
        if isinstance(worker, dict):
            path = (*cluster, "workerGroupSpecs", i)
            name = worker.get("groupName")
            found.append(_group(document, path, str(name) if name else f"#{i + 1}", head=False))
    return found


def _group(document: Document, path: PathKey, name: str, *, head: bool) -> Group:
    pod = read_pod(
        document,
        (*path, "template", "spec"),
        labels=[(*path, "template", "metadata", "labels"), ("metadata", "labels")],
    )
    count = pod.count
    if count is None or (isinstance(count.value, int) and count.value == 0):
        count = _ray_gpus(document, path) or count
    hosts = whole_number(document.get((*path, "numOfHosts")))
    return Group(path, name, pod, count, hosts if hosts is not None and hosts > 0 else 1, head)


def _ray_gpus(document: Document, group: PathKey) -> Found | None:
    """Accelerators Ray is told a pod has: ``rayStartParams.num-gpus``, then ``resources``."""
    for path, detail in (
        ((*group, "rayStartParams", "num-gpus"), "rayStartParams num-gpus"),
        ((*group, "resources", "GPU"), "Ray resources GPU"),
        ((*group, "resources", "TPU"), "Ray resources TPU"),
    ):
        raw = document.get(path)
        number = whole_number(raw)
        if number is not None and number > 0:
            return Found(number, document.location(path), detail)
    return None


def primary_group(groups: list[Group]) -> Group | None:
    """The group that is the hardware, or None.

    The worker group with the most accelerators (per pod times hosts), else
    the head group when it has any, else the first worker group that looks
    like AI (a model server, an accelerator node selector, an unresolved
    count), else the first group that does.
    """
    workers = [g for g in groups if not g.head and g.devices > 0]
    if workers:
        return max(workers, key=lambda g: g.devices)
    head = next((g for g in groups if g.head and g.devices > 0), None)
    if head is not None:
        return head
    for group in groups:
        if not group.head and (
            group.pod.is_ai or (group.count is not None and unresolved(group.count.value))
        ):
            return group
    return next((g for g in groups if g.pod.is_ai), None)


def put_node_labels(
    reader: FactReader, document: Document, group: Group, *, accelerator: bool = False
) -> None:
    """Ray node labels of the group: ``ray.io/region``, or ``ray.io/accelerator-type``."""
    key, fact = (
        ("ray.io/accelerator-type", "hardware.accelerator")
        if accelerator
        else ("ray.io/region", "cloud.region")
    )
    path = (*group.path, "labels", key)
    value = document.get(path)
    if isinstance(value, str) and value.strip():
        put(
            reader,
            fact,
            Found(
                value.strip(),
                document.location(path),
                f"Ray node label {key} of group {group.name}",
            ),
        )


def pod_models(groups: list[Group]) -> list[Found]:
    """The models the groups' pods name (model server arguments, env, labels), head first."""
    return [g.pod.model for g in groups if g.pod.model is not None]
