"""What a Kubernetes object's ``metadata`` says: its ``greengate.dev/*`` annotations and owner.

Every Kubernetes-family adapter (Deployments, KServe, Ray, Kubeflow, Seldon,
KAITO) calls :func:`read_annotations` *before* it reads the object's body,
so that the user's explicit statements win: a fact stated in an annotation
is recorded first (``FactSource.ANNOTATION``) and a value read later from the
body never replaces it.

Annotations, all optional, all strings (Kubernetes requires that):

========================================  =================================
``greengate.dev/task``                    ``task`` (chat, embedding, ...)
``greengate.dev/workload``                ``workload`` (inference, training, fine-tuning, batch)
``greengate.dev/model-name``              ``model.name``
``greengate.dev/model-parameters``        ``model.parameters`` (``7B``, ``350M``, an integer)
``greengate.dev/provider``                ``cloud.provider``
``greengate.dev/region``                  ``cloud.region``
``greengate.dev/accelerator``             ``hardware.accelerator``
``greengate.dev/accelerator-count``       ``hardware.count`` (per replica)
``greengate.dev/instance-type``           ``hardware.instanceType``
``greengate.dev/owner``                   ``owner``
``greengate.dev/requests-per-minute``     ``rateLimits.requestsPerMinute``
``greengate.dev/tokens-per-minute``       ``rateLimits.tokensPerMinute``
``greengate.dev/concurrency``             ``rateLimits.concurrency``
``greengate.dev/replicas-min``            ``replicas.min``
``greengate.dev/replicas-max``            ``replicas.max``
========================================  =================================

A value that cannot be what its annotation needs (``replicas-max: lots``,
``model-parameters: big``, ``workload: serving``) is a :class:`ManifestProblem`
at that line; the rest of the object is still read. Other ``greengate.dev/``
keys are left alone (waivers and future keys live there too).

Owner: the annotation ``greengate.dev/owner`` first, then the labels ``owner``
and ``team``. ``app.kubernetes.io/part-of`` is *not* an owner: it names the
application an object belongs to (KServe puts ``part-of: llminferenceservice``
on its own objects), not the people answerable for it.

:func:`finish` builds the deployment: named after the object
(:func:`~greengate.manifests.kube.objects.object_name`), with its owner,
and a hint on how to declare each fact still missing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from greengate.load import Document, PathKey
from greengate.manifests.base import FactReader, ManifestProblem, is_placeholder
from greengate.manifests.kube.objects import object_name
from greengate.manifests.kube.values import whole_number
from greengate.records.deployment import Deployment, FactSource
from greengate.records.units import normalise_provider, parse_parameter_count

PREFIX = "greengate.dev/"
WORKLOADS = ("inference", "training", "fine-tuning", "batch")
_TASK = re.compile(r"^[a-z][a-z0-9-]*$")

OWNER_LABELS = ("owner", "team")
"""Labels read as the owner when no ``greengate.dev/owner`` annotation is given."""


def _text(value: Any) -> tuple[Any, str | None]:
    if isinstance(value, str) and value.strip():
        return value.strip(), None
    return None, "must be a non-empty string"


def _task(value: Any) -> tuple[Any, str | None]:
    text = str(value).strip().lower().replace("_", "-").replace(" ", "-")
    if _TASK.match(text):
        return text, None
    return (
        None,
        "must be a task name in lowercase with dashes (chat, embedding, code-generation, ...)",
    )


def _workload(value: Any) -> tuple[Any, str | None]:
    text = str(value).strip().lower()
    if text in WORKLOADS:
        return text, None
    return None, f"must be one of {', '.join(WORKLOADS)}"


def _provider(value: Any) -> tuple[Any, str | None]:
    if isinstance(value, str) and value.strip():
        return normalise_provider(value), None
    return None, "must be a provider name (aws, gcp, azure, ...)"


def _parameters(value: Any) -> tuple[Any, str | None]:
    count = parse_parameter_count(value)
    if count is None:
        return None, "must be a parameter count such as 7B, 350M, 1.5T or 7000000000"
    return count, None


def _whole(minimum: int) -> Callable[[Any], tuple[Any, str | None]]:
    def parse(value: Any) -> tuple[Any, str | None]:
        number = whole_number(value)
        if number is None or number < minimum:
            return None, f"must be a whole number of at least {minimum}"
        return number, None

    return parse


# Annotation suffix -> (fact, how to read the value).
ANNOTATIONS: dict[str, tuple[str, Callable[[Any], tuple[Any, str | None]]]] = {
    "task": ("task", _task),
    "workload": ("workload", _workload),
    "model-name": ("model.name", _text),
    "model-parameters": ("model.parameters", _parameters),
    "provider": ("cloud.provider", _provider),
    "region": ("cloud.region", _text),
    "accelerator": ("hardware.accelerator", _text),
    "accelerator-count": ("hardware.count", _whole(0)),
    "instance-type": ("hardware.instanceType", _text),
    "owner": ("owner", _text),
    "requests-per-minute": ("rateLimits.requestsPerMinute", _whole(1)),
    "tokens-per-minute": ("rateLimits.tokensPerMinute", _whole(1)),
    "concurrency": ("rateLimits.concurrency", _whole(1)),
    "replicas-min": ("replicas.min", _whole(0)),
    "replicas-max": ("replicas.max", _whole(0)),
}


def annotations_of(document: Document, metadata: PathKey = ("metadata",)) -> Mapping[str, Any]:
    values = document.get((*metadata, "annotations"))
    return values if isinstance(values, dict) else {}


def has_greengate_annotation(document: Document, metadata: PathKey = ("metadata",)) -> bool:
    return any(str(key).startswith(PREFIX) for key in annotations_of(document, metadata))


def read_annotations(
    reader: FactReader, metadata: PathKey = ("metadata",)
) -> list[ManifestProblem]:
    """Record the ``greengate.dev/*`` annotations as facts; call it before reading the body."""
    document = reader.document
    problems: list[ManifestProblem] = []
    for key, raw in annotations_of(document, metadata).items():
        if not str(key).startswith(PREFIX):
            continue
        known = ANNOTATIONS.get(str(key)[len(PREFIX) :])
        if known is None:
            continue
        name, parse = known
        path = (*metadata, "annotations", key)
        detail = f"annotation {key}"
        if raw is None:
            continue
        if is_placeholder(raw):
            reader.declare(name, path, raw, source=FactSource.ANNOTATION, detail=detail)
            continue
        value, error = parse(raw)
        if error is not None:
            problems.append(
                ManifestProblem(document.location(path), f"annotation {key}: {raw!r} {error}")
            )
            continue
        if name == "model.parameters":
            detail = f"{detail}: {raw}"
        reader.declare(name, path, value, source=FactSource.ANNOTATION, detail=detail)
    return problems


def read_owner(reader: FactReader, metadata: PathKey = ("metadata",)) -> None:
    """The owner from the labels ``owner`` or ``team`` (after the annotation, which wins)."""
    labels = reader.document.get((*metadata, "labels"))
    if not isinstance(labels, dict):
        return
    for label in OWNER_LABELS:
        value = labels.get(label)
        if isinstance(value, str) and value.strip():
            path = (*metadata, "labels", label)
            reader.declare("owner", path, value.strip(), detail=f"label {label}")
            return


# How to declare each fact a policy may need, in any Kubernetes-family manifest.
_HINTS = {
    "task": "add the annotation greengate.dev/task: <task> (chat, code-generation, summarization, embedding, ...) to metadata.annotations",
    "model.parameters": "add the annotation greengate.dev/model-parameters: <count, e.g. 7B> to metadata.annotations (or greengate.dev/model-name: <a model id the catalog knows>)",
    "model.name": "add the annotation greengate.dev/model-name: <model id> to metadata.annotations",
    "cloud.region": "add the annotation greengate.dev/region: <region> to metadata.annotations, or a topology.kubernetes.io/region node selector to the pod spec, or set a default region in .greengate.yaml (or keep the Terraform that creates the cluster in the same folder)",
    "cloud.provider": "add the annotation greengate.dev/provider: <aws|gcp|azure> to metadata.annotations, or set a default provider in .greengate.yaml",
    "hardware.accelerator": "add a nodeSelector such as cloud.google.com/gke-accelerator: <type> or node.kubernetes.io/instance-type: <type> to the pod spec, or the annotation greengate.dev/accelerator: <type> to metadata.annotations",
    "hardware.count": "request the accelerators in the container's resources.limits (nvidia.com/gpu: <n>), or add the annotation greengate.dev/accelerator-count: <n> to metadata.annotations",
    "rateLimits.requestsPerMinute": "add the annotation greengate.dev/requests-per-minute: <n> to metadata.annotations (the limit your gateway enforces)",
    "rateLimits.tokensPerMinute": "add the annotation greengate.dev/tokens-per-minute: <n> to metadata.annotations (the limit your gateway enforces)",
    "rateLimits.concurrency": "add the annotation greengate.dev/concurrency: <n> to metadata.annotations",
    "owner": "add the annotation greengate.dev/owner: <team> (or the label team: <team>) to metadata",
    "workload": "add the annotation greengate.dev/workload: <inference|training|fine-tuning|batch> to metadata.annotations",
    "replicas.min": "add the annotation greengate.dev/replicas-min: <n> to metadata.annotations",
    "replicas.max": "add the annotation greengate.dev/replicas-max: <n> to metadata.annotations",
}


def kubernetes_hints(overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    """The hints for a Kubernetes-family format, with ``overrides`` for its own fields."""
    return {**_HINTS, **(overrides or {})}


# A hint is used only when its fact is still missing after catalog enrichment, so a
# missing fact next to the one it is derived from means the catalog does not know that.
_LOOKED_UP = {
    "model.parameters": ("model.name", "model"),
    "hardware.accelerator": ("hardware.instanceType", "instance type"),
    "hardware.count": ("hardware.instanceType", "instance type"),
}


def _hint(reader: FactReader, field: str, text: str) -> str:
    placeholder = reader.unresolved.get(field)
    if placeholder is not None and field not in reader.facts:
        line = placeholder.location.line
        return f"its value {placeholder.value!r} at line {line} is a placeholder greengate cannot resolve; {text}"
    base, what = _LOOKED_UP.get(field, ("", ""))
    known = reader.facts.get(base)
    if known is not None:
        return (
            f"greengate's catalog does not know the {what} '{known.value}'; {text}, "
            "or add it to a catalog extension file (--catalog)"
        )
    return text


def finish(
    reader: FactReader,
    *,
    kind: str,
    format: str,
    hints: Mapping[str, str],
    metadata: PathKey = ("metadata",),
    name: str | None = None,
) -> Deployment:
    """Anchor the metadata-level facts, attach the hints, and build the Deployment.

    ``name`` overrides the object's own name (one object that holds several
    deployments names each of them). A hint for a fact whose value is a
    placeholder says so before saying how to declare it.
    """
    document = reader.document
    own_name, name_path = object_name(document, kind, metadata)
    shown = name or own_name
    reader.declare("name", name_path, shown)
    for prefix in ("", "cloud", "rateLimits", "owner", "task", "workload"):
        if prefix not in reader.anchors:
            reader.anchor(prefix, metadata, ())
    read_owner(reader, metadata)
    for field, text in hints.items():
        reader.hints.setdefault(field, _hint(reader, field, text))
    meta = document.get(metadata)
    meta = meta if isinstance(meta, dict) else {}
    return reader.deployment(
        name=shown,
        kind=kind,
        format=format,
        name_path=name_path,
        labels=meta.get("labels") if isinstance(meta.get("labels"), dict) else None,
        annotations=meta.get("annotations") if isinstance(meta.get("annotations"), dict) else None,
        annotations_path=(*metadata, "annotations"),
    )
