"""Accelerators a pod asks for by Dynamic Resource Allocation (DRA) instead of an extended resource.

A pod names claims in ``spec.resourceClaims[*]`` (``resourceClaimTemplateName``
or ``resourceClaimName``; in the older API under ``source:``), and its
containers use them in ``resources.claims[*].name``. Each claim is a
``ResourceClaimTemplate`` or ``ResourceClaim`` (``resource.k8s.io``
``v1alpha3``, ``v1beta1``, ``v1beta2``, ``v1``) written in the same file or
in another file of the same folder (read through the
:class:`~greengate.manifests.base.ReadContext`, never from disk directly).
Its ``devices.requests[*]`` (or, in ``v1``, their ``exactly:`` and the first
of ``firstAvailable:``) say

- the device class: ``deviceClassName`` (``v1alpha2``: ``resourceClassName``);
  only a class naming a GPU, TPU, Neuron, Gaudi or MIG device counts
  (:data:`ACCELERATOR_CLASS`), so a ComputeDomain channel or a NIC is not an
  accelerator;
- how many: ``count`` with ``allocationMode: ExactCount`` (the default, with a
  count of 1 when none is written); ``allocationMode: All`` leaves the count
  unknown (every matching device of a node);
- the instance type, for AWS Neuron devices (``neuron.aws.com``): a CEL
  selector ``device.attributes["neuron.aws.com"].instanceType == "trn2.48xlarge"``
  (its family names the chip; a Neuron class without it is ``aws-neuron``);
- which product: a CEL selector ``selectors[*].cel.expression`` comparing
  ``device.attributes["gpu.nvidia.com"].productName`` (``== "NVIDIA A100-SXM4-40GB"``,
  ``.contains("A100")``, ``.lowerAscii().matches("^.*a100.*$")``), or only its
  ``architecture`` (``== "Ampere"``).

:func:`read_claims` adds them up for one pod. A claim whose template or
claim object cannot be found still means accelerators were asked for: the
count stays unknown (never guessed) and the hint says which object to add;
a template that a NVIDIA ``ComputeDomain`` of the file or folder creates
(``spec.channel.resourceClaimTemplate.name``) is an IMEX channel, not an
accelerator.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from greengate.load import Document, PathKey
from greengate.manifests.base import NO_CONTEXT, ReadContext, is_placeholder
from greengate.manifests.kube.values import Found, whole_number
from greengate.records.deployment import FactSource

CLAIM_KINDS = ("ResourceClaimTemplate", "ResourceClaim")
ACCELERATOR_CLASS = re.compile(r"gpu|tpu|neuron|gaudi|(?:^|\.)mig(?:\.|-|$)", re.I)
"""Device classes whose devices are accelerators (``gpu.nvidia.com``, ``mig.nvidia.com``...)."""

_STRING = r"""["']([^"']+)["']"""
_PRODUCT = re.compile(
    r"""(?:\.productName|\[\s*["']productName["']\s*\])\s*(?:\.\s*lowerAscii\(\s*\)\s*)?"""
    rf"(?:==\s*{_STRING}|\.\s*(?:contains|startsWith|endsWith|matches)\(\s*{_STRING}\s*\))"
)
_ARCHITECTURE = re.compile(
    rf"architecture\s*(?:==\s*{_STRING}|\.\s*(?:contains|matches)\(\s*{_STRING}\s*\))"
)
_INSTANCE_TYPE = re.compile(rf"instanceType\s*==\s*{_STRING}")
_MAX_REQUESTS = 64
NEURON_FAMILIES = ("inf1", "inf2", "trn1", "trn1n", "trn2", "trn2u", "trn3")


@dataclass(frozen=True)
class DeviceRequest:
    """One ``devices.requests`` entry of a claim: its class, count and product, each located."""

    device_class: Found
    count: Found | None
    accelerator: Found | None = None
    architecture: Found | None = None
    instance_type: Found | None = None
    unknown_count: str = ""
    """Why the count is unknown (``allocationMode: All``, an old API), when it is."""

    @property
    def is_accelerator(self) -> bool:
        return bool(ACCELERATOR_CLASS.search(str(self.device_class.value)))


@dataclass
class PodClaims:
    """What a pod's DRA claims add up to."""

    count: Found | None = None
    accelerator: Found | None = None
    architecture: Found | None = None
    instance_type: Found | None = None
    requested: Found | None = None
    """The first accelerator claim of the pod (set whenever one was found or could not be read)."""
    hints: dict[str, str] = field(default_factory=dict)


def product_of(expression: str) -> str | None:
    """The product a CEL expression compares ``productName`` to, or None."""
    return _product(expression)


def _product(expression: str) -> str | None:
    match = _PRODUCT.search(expression)
    if match is None:
        return None
    text = (match.group(1) or match.group(2) or "").strip()
    # A regular expression such as '^.*a100.*$' names the product between its wildcards.
    text = re.sub(r"^\^?(?:\.\*)?|(?:\.\*)?\$?$", "", text).strip()
    return text if re.fullmatch(r"[\w][\w .-]*", text) else None


def _architecture(expression: str) -> str | None:
    match = _ARCHITECTURE.search(expression)
    if match is None:
        return None
    text = (match.group(1) or match.group(2) or "").strip()
    return text.lower() if re.fullmatch(r"[A-Za-z][\w-]*", text) else None


def _selectors(
    document: Document, base: PathKey
) -> tuple[Found | None, Found | None, Found | None]:
    items = document.get((*base, "selectors"))
    accelerator: Found | None = None
    architecture: Found | None = None
    instance_type: Found | None = None
    for i, _item in enumerate(items if isinstance(items, list) else []):
        path: PathKey = (*base, "selectors", i, "cel", "expression")
        expression = document.get(path)
        if not isinstance(expression, str):
            continue
        where = document.location(path)
        product = _product(expression)
        if product is not None and accelerator is None:
            accelerator = Found(product, where, "DRA selector on productName")
        arch = _architecture(expression)
        if arch is not None and architecture is None:
            architecture = Found(arch, where, "DRA selector on architecture")
        instance = _INSTANCE_TYPE.search(expression)
        if instance is not None and instance_type is None:
            value = (instance.group(1) or "").strip()
            instance_type = Found(value, where, "DRA selector on instanceType")
    return accelerator, architecture, instance_type


def _request(document: Document, path: PathKey) -> DeviceRequest | None:
    data = document.get(path)
    if not isinstance(data, dict):
        return None
    base = path
    if isinstance(data.get("exactly"), dict):
        base = (*path, "exactly")
    elif (
        isinstance(data.get("firstAvailable"), list)
        and data["firstAvailable"]
        and isinstance(data["firstAvailable"][0], dict)
    ):
        base = (*path, "firstAvailable", 0)
    cls = document.get((*base, "deviceClassName"))
    if not isinstance(cls, str) or not cls.strip():
        return None
    device_class = Found(
        cls.strip(), document.location((*base, "deviceClassName")), "deviceClassName"
    )
    accelerator, architecture, instance_type = _selectors(document, base)
    if accelerator is None and "neuron" in cls.lower():
        # AWS Neuron devices: the instance family names the chip (trn2.48xlarge -> trn2).
        family = str(instance_type.value).lower().split(".", 1)[0] if instance_type else ""
        if instance_type is not None and family in NEURON_FAMILIES:
            accelerator = Found(
                family, instance_type.location, f"{instance_type.detail} (instance family {family})"
            )
        else:
            accelerator = Found(
                "aws-neuron",
                device_class.location,
                "an AWS Neuron device class, generation not stated",
                FactSource.DERIVED,
            )
    mode = document.get((*base, "allocationMode"))
    if isinstance(mode, str) and mode.strip() == "All":
        reason = f"allocationMode All at line {document.location((*base, 'allocationMode')).line} takes every matching device of a node"
        return DeviceRequest(device_class, None, accelerator, architecture, instance_type, reason)
    raw = document.get((*base, "count"))
    if raw is None:
        count = Found(
            1,
            device_class.location,
            "DRA request of one device (ExactCount, no count)",
            FactSource.DERIVED,
        )
    else:
        number = whole_number(raw)
        if number is None or number < 1:
            where = document.location((*base, "count"))
            return DeviceRequest(
                device_class,
                None,
                accelerator,
                architecture,
                instance_type,
                f"count {raw!r} at line {where.line} is not a whole number",
            )
        count = Found(number, document.location((*base, "count")), "DRA request count")
    return DeviceRequest(device_class, count, accelerator, architecture, instance_type)


def claim_requests(document: Document) -> list[DeviceRequest]:
    """The device requests of a ResourceClaimTemplate or ResourceClaim document."""
    kind = document.get(("kind",))
    devices: PathKey = ("spec", "spec") if kind == "ResourceClaimTemplate" else ("spec",)
    requests = document.get((*devices, "devices", "requests"))
    out: list[DeviceRequest] = []
    if isinstance(requests, list):
        for i in range(min(len(requests), _MAX_REQUESTS)):
            request = _request(document, (*devices, "devices", "requests", i))
            if request is not None:
                out.append(request)
        return out
    old = document.get((*devices, "resourceClassName"))
    if isinstance(old, str) and old.strip():
        where = document.location((*devices, "resourceClassName"))
        out.append(
            DeviceRequest(
                Found(old.strip(), where, "resourceClassName"),
                None,
                unknown_count=f"the resource class {old.strip()} at line {where.line} (resource.k8s.io/v1alpha2) does not say how many devices",
            )
        )
    return out


def _is_manifest(name: str) -> bool:
    return name.lower().endswith((".yaml", ".yml", ".json"))


class ClaimIndex:
    """The ResourceClaimTemplates and ResourceClaims of a document's file and folder, read on first use."""

    def __init__(self, document: Document, context: ReadContext = NO_CONTEXT) -> None:
        self._document = document
        self._context = context
        self._index: dict[tuple[str, str], list[Document]] | None = None
        self._channels: set[str] = set()

    def _documents(self) -> Iterator[Document]:
        """The document, the rest of its file, then the other files of its folder."""
        yield self._document
        others: list[Document] = []
        for loaded in self._context.siblings(_is_manifest):
            for document in loaded.documents:
                if document.file == self._document.file:
                    yield document
                else:
                    others.append(document)
        yield from others

    def find(self, kind: str, name: str) -> Document | None:
        """The claim object called ``name``: in the pod's namespace first, its own file before its folder."""
        if self._index is None:
            self._index = {}
            for document in self._documents():
                data = document.data
                if isinstance(data, dict) and data.get("kind") == "ComputeDomain":
                    channel = document.get(("spec", "channel", "resourceClaimTemplate", "name"))
                    if isinstance(channel, str):
                        self._channels.add(channel)
                if not isinstance(data, dict) or data.get("kind") not in CLAIM_KINDS:
                    continue
                api = data.get("apiVersion")
                if not isinstance(api, str) or not api.startswith("resource.k8s.io/"):
                    continue
                own = document.get(("metadata", "name"))
                if isinstance(own, str):
                    self._index.setdefault((str(data["kind"]), own), []).append(document)
        candidates = self._index.get((kind, name), [])
        namespace = self._document.get(("metadata", "namespace"))
        same = [d for d in candidates if d.get(("metadata", "namespace")) == namespace]
        found = same or candidates
        return found[0] if found else None

    def is_channel(self, kind: str, name: str) -> bool:
        """Whether a NVIDIA ComputeDomain of the file or folder makes this template (IMEX channels, no GPU)."""
        self.find(kind, name)
        return kind == "ResourceClaimTemplate" and name in self._channels


def _claim_reference(entry: dict[str, Any]) -> tuple[str, str, str] | None:
    """``(kind, name, field)`` a pod's ``resourceClaims`` entry points to."""
    for holder, prefix in ((entry, ""), (entry.get("source"), "source.")):
        if not isinstance(holder, dict):
            continue
        for key, kind in (
            ("resourceClaimTemplateName", "ResourceClaimTemplate"),
            ("resourceClaimName", "ResourceClaim"),
        ):
            value = holder.get(key)
            if isinstance(value, str) and value.strip():
                return kind, value.strip(), f"{prefix}{key}"
    return None


def _used_claims(document: Document, containers: list[PathKey]) -> set[str] | None:
    """Names of claims the containers use (``resources.claims``), None when none says."""
    used: set[str] = set()
    for path in containers:
        claims = document.get((*path, "resources", "claims"))
        for claim in claims if isinstance(claims, list) else []:
            if isinstance(claim, dict) and isinstance(claim.get("name"), str):
                used.add(claim["name"])
    return used or None


def read_claims(
    document: Document, spec: PathKey, containers: list[PathKey], index: ClaimIndex | None
) -> PodClaims:
    """The accelerators the pod at ``spec`` claims through DRA, summed over its claims."""
    result = PodClaims()
    entries = document.get((*spec, "resourceClaims"))
    if not isinstance(entries, list):
        return result
    used = _used_claims(document, containers)
    total = 0
    first: Found | None = None
    unknown: list[str] = []
    for i, entry in enumerate(entries[:_MAX_REQUESTS]):
        if not isinstance(entry, dict):
            continue
        if used is not None and entry.get("name") not in used:
            continue
        reference = _claim_reference(entry)
        if reference is None:
            continue
        kind, name, key = reference
        where_path: PathKey = (*spec, "resourceClaims", i, *key.split("."))
        where = document.location(where_path)
        if is_placeholder(name):
            result.requested = result.requested or Found(name, where, f"resourceClaims {key}")
            unknown.append(f"the claim {name!r} at line {where.line} is a placeholder")
            continue
        claim = index.find(kind, name) if index is not None else None
        if claim is None and index is not None and index.is_channel(kind, name):
            continue
        if claim is None:
            result.requested = result.requested or Found(name, where, f"resourceClaims {key}")
            unknown.append(
                f"the {kind} {name} named at line {where.line} is not in this file or its folder"
            )
            continue
        for request in claim_requests(claim):
            if not request.is_accelerator:
                continue
            found_at = f"{kind} {name}"
            result.requested = result.requested or Found(name, where, f"resourceClaims {key}")
            if result.accelerator is None and request.accelerator is not None:
                result.accelerator = request.accelerator.described(
                    f"{request.accelerator.detail} of {found_at} (device class {request.device_class.value})"
                )
            if result.instance_type is None and request.instance_type is not None:
                result.instance_type = request.instance_type.described(
                    f"{request.instance_type.detail} of {found_at}"
                )
            if result.architecture is None and request.architecture is not None:
                result.architecture = request.architecture.described(
                    f"{request.architecture.detail} of {found_at}"
                )
            if request.count is None:
                unknown.append(request.unknown_count)
                continue
            total += request.count.value
            if first is None:
                first = request.count.described(
                    f"{request.count.detail} of {found_at} ({request.device_class.value}), claimed at line {where.line}"
                )
    if unknown:
        result.hints["hardware.count"] = (
            f"the pod asks for accelerators by Dynamic Resource Allocation, but {'; '.join(unknown)}; "
            "add the ResourceClaimTemplate beside the pod, or the annotation greengate.dev/accelerator-count: <n> to metadata.annotations"
        )
    elif first is not None:
        result.count = (
            first
            if total == first.value
            else Found(
                total,
                first.location,
                f"{first.detail}, summed over the pod's claims",
                FactSource.DERIVED,
            )
        )
    return result
