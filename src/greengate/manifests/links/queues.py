"""Hardware from the Kueue ResourceFlavor a queued workload is admitted on.

A workload labelled ``kueue.x-k8s.io/queue-name: <queue>`` is admitted
through the ``LocalQueue`` of that name in its namespace, whose
``spec.clusterQueue`` names a ``ClusterQueue``; among its
``spec.resourceGroups``, the group whose ``coveredResources`` include an
accelerator resource (``nvidia.com/gpu``, ``google.com/tpu``...) lists the
``flavors`` Kueue may assign. Only when exactly one flavor covers the
accelerators is it the flavor the workload runs on: its ``ResourceFlavor``'s
``spec.nodeLabels`` are read like a node selector
(``cloud.google.com/gke-accelerator: nvidia-a100-80gb`` -> the accelerator,
``node.kubernetes.io/instance-type`` -> the instance type), each fact at its
label's line, and only when the workload does not state it. Several flavors
are a choice Kueue makes at admission: nothing is recorded, and the hint
names them. All four objects must be in the workload's folder.
"""

from __future__ import annotations

from collections.abc import Sequence

from greengate.load import Document
from greengate.manifests.kube.objects import api_group
from greengate.manifests.kube.resources import accelerator_resource
from greengate.manifests.kube.scheduling import accelerator_of, instance_type_of
from greengate.manifests.kube.values import Found, unresolved
from greengate.manifests.links.workloads import Workload, namespace_of, origin, text
from greengate.records.deployment import Fact, FactSource

GROUP = "kueue.x-k8s.io"
QUEUE_LABEL = "kueue.x-k8s.io/queue-name"
KINDS = frozenset({"LocalQueue", "ClusterQueue", "ResourceFlavor"})


def is_queue_object(document: Document) -> bool:
    group, kind = api_group(document)
    return group == GROUP and kind in KINDS


def link_queues(workloads: Sequence[Workload], documents: Sequence[Document]) -> None:
    """Give each queued workload the node labels of the one flavor that covers its accelerators."""
    objects = [d for d in documents if is_queue_object(d)]
    if not objects:
        return
    for workload in workloads:
        labels = workload.document.get(("metadata", "labels"))
        queue = text(labels.get(QUEUE_LABEL)) if isinstance(labels, dict) else None
        if queue is None or unresolved(queue):
            continue
        local = _named(objects, "LocalQueue", queue, workload.namespace, namespaced=True)
        cluster_name = text(local.get(("spec", "clusterQueue"))) if local is not None else None
        cluster = _named(objects, "ClusterQueue", cluster_name, None) if cluster_name else None
        if local is None or cluster is None:
            continue
        flavors = _accelerator_flavors(cluster)
        if len(flavors) > 1:
            names = ", ".join(flavors)
            for name in ("hardware.accelerator", "hardware.instanceType"):
                workload.note(
                    name,
                    f"Kueue may admit it on several flavors of {origin(cluster, ('metadata', 'name'))}: {names}",
                )
            continue
        flavor = _named(objects, "ResourceFlavor", flavors[0], None) if flavors else None
        if flavor is not None:
            _apply(workload, flavor, cluster, queue)


def _named(
    objects: Sequence[Document],
    kind: str,
    name: str | None,
    namespace: str | None,
    *,
    namespaced: bool = False,
) -> Document | None:
    """The one object of ``kind`` named ``name`` (in ``namespace`` when it is namespaced)."""
    found = [
        d
        for d in objects
        if api_group(d)[1] == kind
        and text(d.get(("metadata", "name"))) == name
        and (not namespaced or namespace_of(d) == namespace)
    ]
    return found[0] if len(found) == 1 else None


def _accelerator_flavors(cluster: Document) -> list[str]:
    """The flavor names of the resource groups that cover an accelerator resource."""
    groups = cluster.get(("spec", "resourceGroups"))
    names: list[str] = []
    for group in groups if isinstance(groups, list) else []:
        if not isinstance(group, dict):
            continue
        covered = group.get("coveredResources")
        if not isinstance(covered, list) or not any(
            isinstance(r, str) and accelerator_resource(r) for r in covered
        ):
            continue
        flavors = group.get("flavors")
        for flavor in flavors if isinstance(flavors, list) else []:
            name = text(flavor.get("name")) if isinstance(flavor, dict) else None
            if name is not None and name not in names:
                names.append(name)
    return names


def _apply(workload: Workload, flavor: Document, cluster: Document, queue: str) -> None:
    labels = flavor.get(("spec", "nodeLabels"))
    found: dict[str, Found] = {}
    for key, value in labels.items() if isinstance(labels, dict) else ():
        if isinstance(value, str | int) and not isinstance(value, bool) and not unresolved(value):
            path = ("spec", "nodeLabels", key)
            found[str(key)] = Found(str(value), flavor.location(path), f"nodeLabels {key}")
    via = (
        f"{origin(flavor, ('metadata', 'name'))}, the one flavor of "
        f"{origin(cluster, ('metadata', 'name'))} for accelerators, behind LocalQueue {queue}"
    )
    for name, fact in (
        ("hardware.accelerator", accelerator_of(found)),
        ("hardware.instanceType", instance_type_of(found)),
    ):
        if fact is None:
            if name == "hardware.accelerator" and not workload.states(name):
                workload.note(
                    name, f"it is admitted on {via}, whose nodeLabels name no accelerator"
                )
            continue
        said = next((f.detail for f in found.values() if f.location == fact.location), fact.detail)
        detail = f"{via}: {said} {fact.value}"
        workload.give(name, Fact(fact.value, fact.location, FactSource.LINKED, detail))
