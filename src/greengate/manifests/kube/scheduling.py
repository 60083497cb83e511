"""Where a pod is scheduled: the node labels it requires, and what they say about the hardware.

A pod names the nodes it needs in ``nodeSelector`` and in the
``requiredDuringSchedulingIgnoredDuringExecution`` node affinity (read only
when it is a single term, and only an ``In`` expression with exactly one
value: with a choice, either node could be the one). The labels of the
cloud providers and of node autoscalers name the accelerator
(:data:`ACCELERATOR_LABELS`, best first), the instance type
(:data:`INSTANCE_TYPE_LABELS`) and, on GKE, how many accelerators a node
has (:data:`ACCELERATOR_COUNT_LABEL`).
"""

from __future__ import annotations

from greengate.load import Document, PathKey
from greengate.manifests.kube.values import Found, whole_number

# Node labels naming the accelerator, best first, with how to describe them.
ACCELERATOR_LABELS = (
    ("cloud.google.com/gke-accelerator", "node selector"),
    ("cloud.google.com/gke-tpu-accelerator", "node selector"),
    ("nvidia.com/gpu.product", "node selector (NVIDIA GPU feature discovery)"),
    ("karpenter.k8s.aws/instance-gpu-name", "node selector (Karpenter)"),
    ("kubernetes.azure.com/accelerator", "node selector (AKS)"),
    (
        "karpenter.k8s.aws/instance-family",
        "node selector (an EC2 instance family, not a GPU model; the catalog resolves it if it knows the family)",
    ),
)
INSTANCE_TYPE_LABELS = ("node.kubernetes.io/instance-type", "beta.kubernetes.io/instance-type")
TPU_TOPOLOGY_LABEL = "cloud.google.com/gke-tpu-topology"
ACCELERATOR_COUNT_LABEL = "cloud.google.com/gke-accelerator-count"
_VENDOR_ONLY = frozenset({"nvidia", "amd", "intel", "gpu", "true"})


def node_selectors(document: Document, spec: PathKey) -> dict[str, Found]:
    """Node labels the pod requires: ``nodeSelector``, then a single required affinity term."""
    selectors: dict[str, Found] = {}
    node_selector = document.get((*spec, "nodeSelector"))
    if isinstance(node_selector, dict):
        for key, value in node_selector.items():
            if isinstance(value, str | int | float) and not isinstance(value, bool):
                path = (*spec, "nodeSelector", key)
                selectors[str(key)] = Found(
                    str(value).strip(), document.location(path), f"nodeSelector {key}"
                )
    terms_path = (
        *spec,
        "affinity",
        "nodeAffinity",
        "requiredDuringSchedulingIgnoredDuringExecution",
        "nodeSelectorTerms",
    )
    terms = document.get(terms_path)
    if isinstance(terms, list) and len(terms) == 1 and isinstance(terms[0], dict):
        expressions = terms[0].get("matchExpressions")
        for i, expression in enumerate(expressions if isinstance(expressions, list) else []):
            if not isinstance(expression, dict) or expression.get("operator") != "In":
                continue
            values = expression.get("values")
            key = expression.get("key")
            if (
                isinstance(key, str)
                and isinstance(values, list)
                and len(values) == 1
                and values[0] is not None
            ):
                path = (*terms_path, 0, "matchExpressions", i, "values", 0)
                selectors.setdefault(
                    key,
                    Found(
                        str(values[0]).strip(), document.location(path), f"node affinity {key} In"
                    ),
                )
    return selectors


def accelerator_of(selectors: dict[str, Found]) -> Found | None:
    """The accelerator the first of :data:`ACCELERATOR_LABELS` present names (not a vendor alone)."""
    for key, description in ACCELERATOR_LABELS:
        found = selectors.get(key)
        if found is None or str(found.value).lower() in _VENDOR_ONLY:
            continue
        detail = f"{description} {key}"
        topology = selectors.get(TPU_TOPOLOGY_LABEL)
        if key == "cloud.google.com/gke-tpu-accelerator" and topology is not None:
            detail = f"{detail}, topology {topology.value}"
        return found.described(detail)
    return None


def instance_type_of(selectors: dict[str, Found]) -> Found | None:
    """The instance type the first of :data:`INSTANCE_TYPE_LABELS` present names."""
    for key in INSTANCE_TYPE_LABELS:
        if key in selectors:
            return selectors[key]
    return None


def node_count_of(selectors: dict[str, Found]) -> Found | None:
    """``cloud.google.com/gke-accelerator-count``: accelerators per node, when a whole number > 0."""
    count = selectors.get(ACCELERATOR_COUNT_LABEL)
    if count is not None:
        number = whole_number(count.value)
        if number is not None and number > 0:
            return Found(number, count.location, f"{count.detail} (accelerators per node)")
    return None
