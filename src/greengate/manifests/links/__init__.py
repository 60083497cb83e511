"""Facts written in other documents: scalers, node pools and clusters linked to their workloads.

An adapter reads one document. But a workload's replicas are often in the
``HorizontalPodAutoscaler`` or KEDA ``ScaledObject`` beside it
(:mod:`.scalers`), its hardware in the Karpenter ``NodePool`` it selects
(:mod:`.nodepools`) or the Kueue ResourceFlavor it is admitted on
(:mod:`.queues`), and its region in the Terraform that creates the
cluster (:mod:`.clusters`). After the documents of a folder are adapted, the
pipeline hands :func:`link` the Kubernetes-shaped deployments of that folder
with their documents, and every document of the folder (the files checked
and the others beside them, read from the same ``FileSource``: the work tree
or the commit being checked, never both). Each linked fact points at the
line of the document it came from and names that object in its detail
(``HorizontalPodAutoscaler vllm-hpa (hpa.yaml:8)``); its source is
``linked``. Nothing is kept between runs.

Precedence: what the workload states itself (its own fields, its
annotations) wins over a linked fact, except replicas, where the scaler wins
(it decides what runs). A link whose target is not in the folder links
nothing, and a choice (several NodePools, several values, clusters in
several regions) is never resolved by guessing.

:func:`is_source` is the cheap test the pipeline asks of every document, so
a folder without a scaler, a NodePool or a cluster costs nothing more.
"""

from __future__ import annotations

from collections.abc import Sequence

from greengate.load import Document
from greengate.manifests.links.clusters import is_terraform, link_clusters
from greengate.manifests.links.nodepools import is_nodepool, link_nodepools
from greengate.manifests.links.queues import is_queue_object, link_queues
from greengate.manifests.links.scalers import is_scaler, link_scalers
from greengate.manifests.links.workloads import Workload
from greengate.records.deployment import Deployment

_LINKERS = (link_scalers, link_nodepools, link_queues, link_clusters)


def is_source(document: Document) -> bool:
    """Whether ``document`` may give facts to another one (cheap: kind or Terraform blocks)."""
    return (
        is_scaler(document)
        or is_nodepool(document)
        or is_queue_object(document)
        or is_terraform(document)
    )


def is_target(document: Document) -> bool:
    """Whether a deployment read from ``document`` can be linked: a Kubernetes object."""
    data = document.data
    return (
        isinstance(data, dict)
        and isinstance(data.get("kind"), str)
        and isinstance(data.get("apiVersion"), str)
        and not str(data.get("apiVersion")).startswith("greengate.dev/")
    )


def link(
    targets: Sequence[tuple[Deployment, Document]], documents: Sequence[Document]
) -> list[Deployment]:
    """``targets``' deployments, in order, with the facts ``documents`` give them."""
    sources = [d for d in documents if is_source(d)]
    if not sources:
        return [d for d, _ in targets]
    workloads = [Workload(d, document) for d, document in targets]
    for linker in _LINKERS:
        linker(workloads, sources)
    return [w.result() for w in workloads]


__all__ = ["is_source", "is_target", "link"]
