"""Replicas from the autoscaler that scales a workload: an HPA or a KEDA ScaledObject.

Read from a document of the workload's folder (or file):

- ``autoscaling/v1|v2`` ``HorizontalPodAutoscaler``: ``spec.scaleTargetRef``
  ``{apiVersion, kind, name}`` names the workload; ``replicas.min`` is
  ``minReplicas`` (1 when absent, the Kubernetes default, said in the
  detail), ``replicas.max`` is ``maxReplicas``.
- ``keda.sh/v1alpha1`` ``ScaledObject``: ``spec.scaleTargetRef {name, kind
  (Deployment when absent), apiVersion}``; ``replicas.min`` is
  ``idleReplicaCount`` when set (what runs with no activity), else
  ``minReplicaCount`` (0 when absent), ``replicas.max`` is
  ``maxReplicaCount`` (100 when absent), KEDA's defaults.

The target is the workload of that kind and name in the same namespace (or
both without one), and of the same API group when the scaler names one. The
scaler's replicas replace ``spec.replicas`` (the initial count it overrides,
said in the detail): what runs is what the scaler decides. A scaler whose
target is not in the folder links nothing (the target may live elsewhere);
two scalers of one workload link nothing either (which one runs is unclear).
A value that is not a whole number (a placeholder) is not used.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from greengate.load import Document, PathKey
from greengate.manifests.kube.objects import api_group
from greengate.manifests.kube.values import whole_number
from greengate.manifests.links.workloads import Workload, namespace_of, origin, text
from greengate.records.deployment import Fact, FactSource

HPA = ("autoscaling", "HorizontalPodAutoscaler")
SCALED_OBJECT = ("keda.sh", "ScaledObject")
_UNSCALED = frozenset({"InferenceService", "LLMInferenceService"})
"""Kinds an HPA does not scale directly (KServe makes its own)."""


@dataclass(frozen=True)
class _Bound:
    value: int
    path: PathKey
    detail: str
    default: bool = False


@dataclass(frozen=True)
class Scaler:
    document: Document
    kind: str
    name: str
    group: str | None
    namespace: str | None
    low: _Bound
    high: _Bound


def is_scaler(document: Document) -> bool:
    return api_group(document) in (HPA, SCALED_OBJECT)


def link_scalers(workloads: Sequence[Workload], documents: Sequence[Document]) -> None:
    """Give each workload scaled by exactly one scaler of ``documents`` its replicas."""
    scalers = [s for s in (read_scaler(d) for d in documents if is_scaler(d)) if s is not None]
    if not scalers:
        return
    for workload in workloads:
        if workload.kind in _UNSCALED:
            continue
        mine = [s for s in scalers if _targets(s, workload)]
        if len(mine) > 1:
            names = ", ".join(
                origin(s.document, ("spec", "scaleTargetRef"), key=True) for s in mine
            )
            for name in ("replicas.min", "replicas.max"):
                workload.note(name, f"several autoscalers scale it ({names}); none was used")
            continue
        if mine:
            _apply(workload, mine[0])


def read_scaler(document: Document) -> Scaler | None:
    """The target and bounds of an HPA or ScaledObject; None when it has no usable target."""
    _, kind = api_group(document)
    ref = document.get(("spec", "scaleTargetRef"))
    if not isinstance(ref, dict):
        return None
    name = text(ref.get("name"))
    target_kind = text(ref.get("kind"))
    if kind == "ScaledObject" and ref.get("kind") is None:
        target_kind = "Deployment"
    if name is None or target_kind is None:
        return None
    api = text(ref.get("apiVersion"))
    target_group = (api.split("/", 1)[0] if "/" in api else "") if api is not None else None
    if kind == "HorizontalPodAutoscaler":
        low = _bound(
            document, "minReplicas", 1, "the Kubernetes default when minReplicas is absent"
        )
        high = _bound(document, "maxReplicas", None, "")
    else:
        idle = _bound(document, "idleReplicaCount", None, "")
        low = (
            _Bound(
                idle.value,
                idle.path,
                "idleReplicaCount (replicas while there is no activity)",
            )
            if idle is not None
            else _bound(
                document, "minReplicaCount", 0, "KEDA's default when minReplicaCount is absent"
            )
        )
        high = _bound(
            document, "maxReplicaCount", 100, "KEDA's default when maxReplicaCount is absent"
        )
    if low is None or high is None:
        return None
    return Scaler(document, target_kind, name, target_group, namespace_of(document), low, high)


def _bound(document: Document, key: str, default: int | None, why: str) -> _Bound | None:
    path: PathKey = ("spec", key)
    raw = document.get(path)
    if raw is None:
        if default is None:
            return None
        return _Bound(default, ("spec", "scaleTargetRef"), f"{key} {default}, {why}", True)
    value = whole_number(raw)
    if value is None or value < 0:
        return None
    return _Bound(value, path, f"{key} {value}")


def _targets(scaler: Scaler, workload: Workload) -> bool:
    if scaler.kind != workload.kind or scaler.name != workload.name:
        return False
    if scaler.namespace != workload.namespace:
        return False
    return scaler.group is None or scaler.group == workload.group


def _apply(workload: Workload, scaler: Scaler) -> None:
    kind = api_group(scaler.document)[1]
    for name, bound in (("replicas.min", scaler.low), ("replicas.max", scaler.high)):
        where = (
            scaler.document.key_location(bound.path)
            if bound.default
            else scaler.document.location(bound.path)
        )
        link = origin(scaler.document, bound.path, key=bound.default)
        detail = f"{link}: {bound.detail}{_overridden(workload, name, kind)}"
        workload.override(name, Fact(bound.value, where, FactSource.LINKED, detail))


def _overridden(workload: Workload, name: str, kind: str) -> str:
    """What the scaler's value replaces: the initial ``spec.replicas``, or an annotation."""
    own = workload.deployment.facts.get(name) or workload.deployment.unresolved.get(name)
    if own is None:
        return ""
    if own.source is FactSource.ANNOTATION:
        return (
            f"; the annotation's {own.value} (line {own.location.line}) is overridden: "
            f"the {kind} decides what runs"
        )
    return (
        f"; {own.detail or 'replicas'} {own.value} (line {own.location.line}) is the "
        f"initial count the {kind} overrides"
    )
