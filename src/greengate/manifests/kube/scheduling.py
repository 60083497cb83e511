"""Where a pod is scheduled: the node labels it requires, and what they say about the hardware.

A pod names the nodes it needs in ``nodeSelector`` and in the
``requiredDuringSchedulingIgnoredDuringExecution`` node affinity (read only
when it is a single term, and only an ``In`` expression with exactly one
value: with a choice, either node could be the one). The labels of the
cloud providers and of node autoscalers name the accelerator
(:data:`ACCELERATOR_LABELS`, best first), the instance type
(:data:`INSTANCE_TYPE_LABELS`) and, on GKE, how many accelerators a node
has (:data:`ACCELERATOR_COUNT_LABEL`).

AWS Neuron nodes are named by their EC2 instance family: :func:`neuron_family`
reads ``inf1``, ``inf2``, ``trn1``, ``trn1n``, ``trn2`` from the instance type
(``node.kubernetes.io/instance-type: inf2.xlarge``), from
``karpenter.k8s.aws/instance-family`` or EKS Auto Mode's
``eks.amazonaws.com/instance-family``, or from Karpenter's
``instance-category`` and ``instance-generation`` labels together.

The region a pod must run in: :func:`region_hints` reads
``topology.kubernetes.io/region`` and ``failure-domain.beta.kubernetes.io/region``,
and a ``topology.kubernetes.io/zone`` (or its ``failure-domain.beta`` form)
only when the zone is shaped like an AWS (``us-east-1a``) or GCP
(``us-central1-a``) zone, whose region is then certain.
"""

from __future__ import annotations

from greengate.load import Document, PathKey
from greengate.manifests.kube.values import Found, unresolved, whole_number
from greengate.records.units import region_of_zone

# Node labels naming the accelerator, best first, with how to describe them.
ACCELERATOR_LABELS = (
    ("cloud.google.com/gke-accelerator", "node selector"),
    ("cloud.google.com/gke-tpu-accelerator", "node selector"),
    ("nvidia.com/gpu.product", "node selector (NVIDIA GPU feature discovery)"),
    ("karpenter.k8s.aws/instance-gpu-name", "node selector (Karpenter)"),
    ("kubernetes.azure.com/accelerator", "node selector (AKS)"),
    ("run.googleapis.com/accelerator", "node selector (Cloud Run)"),
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


# --- AWS Neuron ---------------------------------------------------------------

NEURON_FAMILIES = ("inf1", "inf2", "trn1", "trn1n", "trn2", "trn2u", "trn3")
"""EC2 instance families with AWS Neuron devices (Inferentia, Trainium)."""
_KARPENTER_CATEGORY = "karpenter.k8s.aws/instance-category"
_KARPENTER_GENERATION = "karpenter.k8s.aws/instance-generation"
_FAMILY_LABELS = ("karpenter.k8s.aws/instance-family", "eks.amazonaws.com/instance-family")


def neuron_family(selectors: dict[str, Found]) -> Found | None:
    """The AWS Neuron instance family (``inf2``, ``trn1``...) the pod's node labels name, or None."""
    for key in (*INSTANCE_TYPE_LABELS, *_FAMILY_LABELS):
        found = selectors.get(key)
        if found is None:
            continue
        family = str(found.value).strip().lower().split(".", 1)[0]
        if family in NEURON_FAMILIES:
            return Found(family, found.location, f"{found.detail} (instance family {family})")
    category, generation = selectors.get(_KARPENTER_CATEGORY), selectors.get(_KARPENTER_GENERATION)
    if category is not None and generation is not None:
        family = f"{str(category.value).strip().lower()}{str(generation.value).strip()}"
        if family in NEURON_FAMILIES:
            detail = f"{category.detail} {category.value} and {generation.detail} {generation.value} (instance family {family})"
            return Found(family, category.location, detail)
    return None


# --- region -------------------------------------------------------------------

REGION_LABELS = ("topology.kubernetes.io/region", "failure-domain.beta.kubernetes.io/region")
ZONE_LABELS = ("topology.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/zone")


def region_hints(selectors: dict[str, Found]) -> list[Found]:
    """Regions the pod's required node labels name, region labels first, then zones."""
    hints: list[Found] = []
    for key in REGION_LABELS:
        found = selectors.get(key)
        if found is not None and str(found.value).strip():
            hints.append(found)
    for key in ZONE_LABELS:
        found = selectors.get(key)
        if found is None:
            continue
        if unresolved(found.value):
            hints.append(found)
            continue
        region = region_of_zone(str(found.value))
        if region is not None:
            hints.append(
                Found(
                    region[0],
                    found.location,
                    f"{found.detail} {found.value} (a zone of {region[0]})",
                )
            )
    return hints
