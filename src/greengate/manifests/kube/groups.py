"""Objects that run several groups of pods, each group N copies of one pod template.

A Volcano Job's ``spec.tasks[*]`` and a Kueue Workload's ``spec.podSets[*]``
are such groups: each has a name, a pod ``template`` and a count of pods
(``replicas``, ``count``). :func:`read_pod_groups` reads them one way:

- the object is a deployment when a group's pods request accelerators,
  select accelerator nodes or run a recognised model server, or when the
  object has a ``greengate.dev/*`` annotation; otherwise it is skipped;
- the group read is the one whose pods request the most accelerators (as for
  a JobSet's replicated jobs), else the first; a replica is one of its pods,
  so ``hardware.count`` is one pod's accelerators and ``replicas`` that
  group's count of pods. The other groups add no hardware; the model and
  the server's settings come from the chosen group, else from the others;
- the workload is ``inference`` when a group runs a model server, else
  ``fine-tuning``, ``training`` or ``batch`` by the markers of
  :func:`~greengate.manifests.kube.workloads.batch_workload`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from greengate.load import Document, PathKey
from greengate.manifests.base import AdaptResult, FactReader, ManifestProblem
from greengate.manifests.kube.annotations import (
    finish,
    has_greengate_annotation,
    read_annotations,
)
from greengate.manifests.kube.pods import Pod, anchor_pod, put_pod, read_pod
from greengate.manifests.kube.values import Found, put, unresolved, whole_number
from greengate.manifests.kube.workloads import batch_workload
from greengate.records.deployment import FactSource


@dataclass(frozen=True)
class PodGroup:
    """One group: where it is written, its name (or its 1-based position), its pod."""

    path: PathKey
    name: str
    pod: Pod


@dataclass(frozen=True)
class GroupedKind:
    """How one kind writes its groups."""

    kind: str
    """The object's kind (``Job``, ``Workload``)."""
    what: str
    """The object in words, for the workload's detail (``a Volcano Job``)."""
    groups: PathKey
    """Where the list of groups is (``("spec", "tasks")``)."""
    group: str
    """One group in words (``task``, ``pod set``), and its plural below."""
    plural: str
    count: str
    """The key of a group's count of pods (``replicas``, ``count``)."""
    notes: Callable[[Document], list[str]] = lambda _document: []
    """More to say in the replicas' detail (a gang's ``minAvailable``, the queue)."""
    batch: str = ""
    """What the object does when no model server runs (``runs to completion``)."""


def read_pod_groups(
    document: Document, shape: GroupedKind, *, format: str, hints: Mapping[str, str]
) -> AdaptResult:
    """The deployment an object of grouped pods is, if it is one (see the module's rules)."""
    problems: list[ManifestProblem] = []
    groups = _groups(document, shape, problems)
    for group in groups:
        problems.extend(group.pod.problems)
    ai = [g for g in groups if g.pod.is_ai]
    if not ai and not has_greengate_annotation(document):
        return AdaptResult(problems=problems)
    reader = FactReader(document)
    problems.extend(read_annotations(reader))
    main = max(ai, key=lambda g: g.pod.devices) if ai else (groups[0] if groups else None)
    if main is not None:
        put_pod(reader, main.pod)
        for other in groups:
            if other is not main:
                put_pod(reader, other.pod, hardware=False)
        _replicas(reader, document, shape, main)
        anchor_pod(reader, main.pod, main.path)
        reader.anchor("replicas", (*main.path, shape.count), main.path, ("spec",))
    _workload(reader, document, shape, groups)
    for prefix in ("hardware", "model", "replicas"):
        reader.anchor(prefix, shape.groups, ("spec",))
    return AdaptResult([finish(reader, kind=shape.kind, format=format, hints=hints)], problems)


def _groups(
    document: Document, shape: GroupedKind, problems: list[ManifestProblem]
) -> list[PodGroup]:
    items = document.get(shape.groups)
    if items is not None and not isinstance(items, list):
        where = ".".join(str(p) for p in shape.groups)
        problems.append(
            ManifestProblem(
                document.location(shape.groups),
                f"{where} must be a list of {shape.plural}, not {type(items).__name__}",
            )
        )
        return []
    groups = []
    for i, item in enumerate(items or []):
        if not isinstance(item, dict):
            continue
        path: PathKey = (*shape.groups, i)
        template = (*path, "template")
        pod = read_pod(document, (*template, "spec"), labels=[(*template, "metadata", "labels")])
        name = item.get("name")
        groups.append(PodGroup(path, name if isinstance(name, str) else str(i + 1), pod))
    return groups


def _replicas(reader: FactReader, document: Document, shape: GroupedKind, group: PodGroup) -> None:
    path = (*group.path, shape.count)
    raw = document.get(path)
    value = whole_number(raw)
    if raw is None or (value is None and not unresolved(raw)) or (value is not None and value < 0):
        return
    notes = [f"{shape.count} of {shape.group} {group.name} (its pods)", *shape.notes(document)]
    found = Found(raw if value is None else value, document.location(path), "; ".join(notes))
    put(reader, "replicas.min", found)
    put(reader, "replicas.max", found)


def _workload(
    reader: FactReader, document: Document, shape: GroupedKind, groups: list[PodGroup]
) -> None:
    where = document.location(("kind",))
    server = next((g.pod.server for g in groups if g.pod.server), None)
    if server is not None:
        why = f"{shape.what} whose {shape.plural} run the model server {server} serves requests"
        put(reader, "workload", Found("inference", where, why, FactSource.DERIVED))
        return
    name = document.get(("metadata", "name")) or document.get(("metadata", "generateName"))
    texts = [str(name or ""), *(g.name for g in groups), *(g.pod.text() for g in groups)]
    workload, why = batch_workload(*texts)
    what = f"{shape.what} {shape.batch}" if shape.batch else shape.what
    put(reader, "workload", Found(workload, where, f"{what}; {why}", FactSource.DERIVED))
