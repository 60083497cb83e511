"""Hardware from the Karpenter NodePool a workload's pods select.

A ``karpenter.sh/v1`` (or ``v1beta1``) ``NodePool`` of the workload's folder
says which nodes it makes: ``spec.template.spec.requirements`` (``key``,
``operator: In``, ``values``) and ``spec.template.metadata.labels``; every
node it makes also carries ``karpenter.sh/nodepool: <name>``.

A pod spec of the workload selects a NodePool when its ``nodeSelector`` (or
its single required node-affinity term, read as for the workload itself)
names ``karpenter.sh/nodepool: <name>`` or one of the NodePool's template
labels, and no other label it requires contradicts the NodePool. When exactly
one NodePool is selected, the requirements with exactly ONE value become
what a node selector of that label would say: the accelerator
(``karpenter.k8s.aws/instance-gpu-name``, else
``karpenter.k8s.aws/instance-family``) and the instance type
(``node.kubernetes.io/instance-type``), each at the line of its value, and
only when the workload does not state it itself. A requirement with several
values is a choice Karpenter makes at run time: nothing is recorded, and the
hint of the missing fact names the NodePool and its values. Taints (a
``nvidia.com/gpu`` or ``aws.amazon.com/neuron`` taint) are named in the
detail.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from greengate.load import Document, PathKey
from greengate.manifests.kube.objects import api_group
from greengate.manifests.kube.scheduling import (
    ACCELERATOR_LABELS,
    INSTANCE_TYPE_LABELS,
    accelerator_of,
    instance_type_of,
    node_selectors,
)
from greengate.manifests.kube.values import Found, unresolved
from greengate.manifests.links.workloads import Workload, origin, text
from greengate.records.deployment import Fact, FactSource

NODEPOOL_LABEL = "karpenter.sh/nodepool"
_ACCELERATOR_TAINTS = ("nvidia.com/gpu", "aws.amazon.com/neuron", "amd.com/gpu")
_MAX_DEPTH = 12
_INSTANCE_SHAPE = ("karpenter.k8s.aws/instance-family", "karpenter.k8s.aws/instance-size")
"""Requirements that narrow the instance type without naming it (a hint names their values)."""


@dataclass
class NodePool:
    document: Document
    name: str
    labels: dict[str, Found] = field(default_factory=dict)
    """Labels every node of the pool has: the template's, single-valued requirements, its name."""
    choices: dict[str, tuple[list[str], int]] = field(default_factory=dict)
    """Requirements with several values: the values and the line they are written at."""
    taints: list[str] = field(default_factory=list)

    def allows(self, key: str, value: str) -> bool:
        if key in self.labels:
            return str(self.labels[key].value) == value
        if key in self.choices:
            return value in self.choices[key][0]
        return True


def is_nodepool(document: Document) -> bool:
    return api_group(document) == ("karpenter.sh", "NodePool")


def read_nodepool(document: Document) -> NodePool | None:
    name = text(document.get(("metadata", "name")))
    if name is None or unresolved(name):
        return None
    pool = NodePool(document, name)
    template: PathKey = ("spec", "template")
    labels = document.get((*template, "metadata", "labels"))
    for key, value in labels.items() if isinstance(labels, dict) else ():
        if isinstance(value, str | int) and not isinstance(value, bool) and not unresolved(value):
            path = (*template, "metadata", "labels", key)
            pool.labels[str(key)] = Found(str(value), document.location(path), f"label {key}")
    requirements = document.get((*template, "spec", "requirements"))
    for i, requirement in enumerate(requirements if isinstance(requirements, list) else []):
        _requirement(pool, document, i, requirement)
    pool.labels[NODEPOOL_LABEL] = Found(
        name, document.location(("metadata", "name")), NODEPOOL_LABEL
    )
    taints = document.get((*template, "spec", "taints"))
    for taint in taints if isinstance(taints, list) else []:
        key = text(taint.get("key")) if isinstance(taint, dict) else None
        if key in _ACCELERATOR_TAINTS:
            pool.taints.append(key)
    return pool


def _requirement(pool: NodePool, document: Document, i: int, requirement: Any) -> None:
    if not isinstance(requirement, dict) or requirement.get("operator") != "In":
        return
    key, values = text(requirement.get("key")), requirement.get("values")
    if key is None or not isinstance(values, list):
        return
    strings = [
        str(v).strip() for v in values if isinstance(v, str | int) and not isinstance(v, bool)
    ]
    if not strings or len(strings) != len(values) or any(unresolved(v) for v in strings):
        return
    path: PathKey = ("spec", "template", "spec", "requirements", i, "values")
    if len(strings) == 1:
        pool.labels.setdefault(
            key, Found(strings[0], document.location((*path, 0)), f"requirement {key} In")
        )
    else:
        pool.choices[key] = (strings, document.location(path).line)


def link_nodepools(workloads: Sequence[Workload], documents: Sequence[Document]) -> None:
    """Give each workload that selects exactly one NodePool the hardware that pool fixes."""
    pools = [p for p in (read_nodepool(d) for d in documents if is_nodepool(d)) if p is not None]
    if not pools:
        return
    for workload in workloads:
        selected: list[NodePool] = []
        for selectors in _pod_selectors(workload.document):
            selected.extend(p for p in pools if _selects(selectors, p) and p not in selected)
        if len(selected) > 1:
            names = ", ".join(origin(p.document, ("metadata", "name")) for p in selected)
            for name in ("hardware.accelerator", "hardware.instanceType"):
                workload.note(name, f"its pods select several NodePools ({names})")
        elif selected:
            _apply(workload, selected[0])


def _pod_selectors(document: Document) -> Iterator[dict[str, Found]]:
    """The required node labels of every pod spec in the document (a mapping with containers)."""
    for path in _pod_specs(document.data, (), 0):
        selectors = node_selectors(document, path)
        if selectors:
            yield selectors


def _pod_specs(value: Any, path: PathKey, depth: int) -> Iterator[PathKey]:
    if depth > _MAX_DEPTH:
        return
    if isinstance(value, dict):
        if isinstance(value.get("containers"), list):
            yield path
        for key, child in value.items():
            if isinstance(child, dict | list):
                yield from _pod_specs(child, (*path, key), depth + 1)
    elif isinstance(value, list):
        for i, child in enumerate(value):
            if isinstance(child, dict | list):
                yield from _pod_specs(child, (*path, i), depth + 1)


def _selects(selectors: dict[str, Found], pool: NodePool) -> bool:
    named = selectors.get(NODEPOOL_LABEL)
    if named is not None and str(named.value) != pool.name:
        return False
    chosen = named is not None or any(
        key in pool.labels and key != NODEPOOL_LABEL and _template_label(pool, key)
        for key in selectors
    )
    return chosen and all(pool.allows(key, str(found.value)) for key, found in selectors.items())


def _template_label(pool: NodePool, key: str) -> bool:
    return pool.labels[key].detail.startswith("label ")


def _apply(workload: Workload, pool: NodePool) -> None:
    link = origin(pool.document, ("metadata", "name"))
    taints = f" (tainted {', '.join(pool.taints)})" if pool.taints else ""
    for name, found in (
        ("hardware.accelerator", accelerator_of(pool.labels)),
        ("hardware.instanceType", instance_type_of(pool.labels)),
    ):
        if found is not None:
            said = next(
                (f.detail for f in pool.labels.values() if f.location == found.location),
                found.detail,
            )
            detail = f"{link} its pods select{taints}: {said} {found.value}"
            workload.give(name, Fact(found.value, found.location, FactSource.LINKED, detail))
            continue
        offered = _choices(pool, name)
        if offered:
            workload.note(
                name,
                f"the {link} its pods select allows several: {offered}",
            )


def _choices(pool: NodePool, name: str) -> str:
    keys = (
        [key for key, _ in ACCELERATOR_LABELS]
        if name == "hardware.accelerator"
        else [*INSTANCE_TYPE_LABELS, *_INSTANCE_SHAPE]
    )
    return "; ".join(
        f"{key} In [{', '.join(pool.choices[key][0])}] (line {pool.choices[key][1]})"
        for key in keys
        if key in pool.choices
    )
