"""NVIDIA NIM Operator (``apps.nvidia.com``): NIMService and NIMPipeline.

A NIMService runs one NIM (an NVIDIA inference microservice) as a
Deployment, or a LeaderWorkerSet when ``multiNode`` is set; a NIMPipeline
holds several NIMServices (``spec.services[*].spec``, each with the same
fields), and each enabled one is a deployment named
``<pipeline>/<service>``. Every one serves requests (``workload:
inference``).

What is read from a NIMService spec (``spec``):

- model: ``env`` ``NIM_MODEL_NAME`` (a multi-LLM NIM is told its model this
  way; ``hf://`` is dropped), or a model flag in ``args``, else the image:
  ``image.repository`` names the model, and the name is normalised to
  the path after the ``nim/`` namespace with the registry host dropped
  (``nvcr.io/nim/meta/llama-3.1-8b-instruct`` -> ``meta/llama-3.1-8b-instruct``;
  the tag is named in the detail). NIM's namespaces are NGC's
  (``meta``), not Hugging Face's (``meta-llama``): the catalog matches the
  model's own name (its last segment), so the NIM name finds the catalog
  entry all the same. The multi-LLM image ``nvidia/llm-nim`` names no
  model;
- accelerators per replica: ``resources.limits`` (else ``requests``)
  ``nvidia.com/gpu`` (see :mod:`~greengate.manifests.kube.resources`);
  with ``multiNode.parallelism`` one replica is a group of pods over
  several nodes, and its accelerators are ``tensor`` x ``pipeline``; else
  the devices of class ``gpu.nvidia.com`` of the claims the operator
  creates (``draResources[].claimCreationSpec.devices[].count``, 1 when left
  out, the CRD's default);
- accelerator type and instance type: ``nodeSelector`` and ``affinity``, as
  for a pod (:mod:`~greengate.manifests.kube.scheduling`);
- replicas: ``spec.replicas``; with ``scale.enabled: true`` the HPA's
  ``scale.hpa.minReplicas``/``maxReplicas`` instead;
- tensor parallelism and precision: ``NIM_TENSOR_PARALLEL_SIZE`` in
  ``env``, else the NIMCache below.

A NIMService usually names a NIMCache by ``storage.nimCache.name``. A
NIMCache is a caching job, not a serving deployment: the operator runs a
download Job whose ``resources`` are only ``cpu`` and ``memory`` (the CRD
has no GPU field), so it is never a deployment and this adapter does not
claim it. What its ``source.ngc.model`` selects says what the service runs
on, though, so when the NIMCache of that name (and namespace, when both
give one) is a document of the same file or of another ``.yaml``/``.yml``
file of the same folder, the service takes from it, for the facts its own
spec does not state: ``gpus[].product`` (one product) as the accelerator,
``tensorParallelism`` as the accelerators per replica,
``precision`` as the precision, and the model from ``modelPuller`` (the
same normalisation) or from ``hf``/``dataStore`` ``modelName``. Each such
fact points at the NIMCache's line and says so in its detail; ``engine``
and ``profiles`` are named in the model's detail.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from greengate.load import Document, PathKey
from greengate.manifests.base import (
    NO_CONTEXT,
    Adapter,
    AdaptResult,
    FactReader,
    ManifestProblem,
    ReadContext,
)
from greengate.manifests.kube.annotations import finish, kubernetes_hints, read_annotations
from greengate.manifests.kube.engines import model_id
from greengate.manifests.kube.objects import api_group, object_name
from greengate.manifests.kube.pods import anchor_pod, put_pod, read_pod
from greengate.manifests.kube.values import Found, put, unresolved, whole_number
from greengate.manifests.vocab import precision_name
from greengate.records.deployment import Deployment, FactSource

GROUP = "apps.nvidia.com"
KINDS = ("NIMService", "NIMPipeline")
CACHE_KIND = "NIMCache"
UNIVERSAL_IMAGES = ("llm-nim",)
"""Multi-LLM NIM images: the image names no model (``NIM_MODEL_NAME`` does)."""

HINTS = kubernetes_hints(
    {
        "model.name": "set spec.image.repository to a model-specific NIM image (nvcr.io/nim/<org>/<model>), or the env NIM_MODEL_NAME: <model id>, or add the annotation greengate.dev/model-name: <model id> to metadata.annotations",
        "hardware.count": "request the GPUs in spec.resources.limits (nvidia.com/gpu: <n>), or add the annotation greengate.dev/accelerator-count: <n> to metadata.annotations",
        "hardware.accelerator": "add a nodeSelector such as nvidia.com/gpu.product: <type> to spec.nodeSelector, select one GPU product in the NIMCache (spec.source.ngc.model.gpus[].product), or add the annotation greengate.dev/accelerator: <type> to metadata.annotations",
        "replicas.min": "set spec.replicas (or spec.scale.hpa.minReplicas with spec.scale.enabled: true), or add the annotation greengate.dev/replicas-min: <n> to metadata.annotations",
        "replicas.max": "set spec.replicas (or spec.scale.hpa.maxReplicas with spec.scale.enabled: true), or add the annotation greengate.dev/replicas-max: <n> to metadata.annotations",
    }
)


class NIMAdapter(Adapter):
    name = "nim"
    description = (
        "NVIDIA NIM Operator NIMService and NIMPipeline (hardware from a NIMCache beside them)"
    )

    def matches(self, document: Document) -> bool:
        group, kind = api_group(document)
        return group == GROUP and kind in KINDS

    def read(self, document: Document, context: ReadContext = NO_CONTEXT) -> AdaptResult:
        _, kind = api_group(document)
        if kind == "NIMPipeline":
            return self._pipeline(document, context)
        reader = FactReader(document)
        problems = read_annotations(reader)
        self._service(reader, document, ("spec",), context, problems)
        return AdaptResult([finish(reader, kind=kind, format=self.name, hints=HINTS)], problems)

    def _pipeline(self, document: Document, context: ReadContext) -> AdaptResult:
        problems: list[ManifestProblem] = []
        services = document.get(("spec", "services"))
        base = object_name(document, "NIMPipeline")[0]
        deployments: list[Deployment] = []
        if services is not None and not isinstance(services, list):
            problems.append(
                ManifestProblem(
                    document.location(("spec", "services")),
                    f"spec.services must be a list of NIM services, not {type(services).__name__}",
                )
            )
        for i, service in enumerate(services if isinstance(services, list) else []):
            if not isinstance(service, dict) or service.get("enabled") is False:
                continue
            reader = FactReader(document)
            annotation_problems = read_annotations(reader)
            if not deployments:
                problems.extend(annotation_problems)
            label = service.get("name")
            name = f"{base}/{label if isinstance(label, str) and label else i + 1}"
            spec: PathKey = ("spec", "services", i, "spec")
            self._service(reader, document, spec, context, problems)
            deployments.append(
                finish(reader, kind="NIMPipeline", format=self.name, hints=HINTS, name=name)
            )
        return AdaptResult(deployments, problems)

    def _service(
        self,
        reader: FactReader,
        document: Document,
        spec: PathKey,
        context: ReadContext,
        problems: list[ManifestProblem],
    ) -> None:
        pod = read_pod(
            document, spec, containers=[spec], labels=[(*spec, "labels"), ("metadata", "labels")]
        )
        problems.extend(pod.problems)
        put(reader, "model.name", pod.model)
        put(reader, "model.name", _image_model(document, (*spec, "image")))
        put(reader, "hardware.count", _multi_node(document, (*spec, "multiNode", "parallelism")))
        put_pod(reader, pod)
        put(reader, "hardware.count", _dra_devices(document, (*spec, "draResources")))
        self._replicas(reader, document, spec)
        cache = _cache(document, spec, context)
        if cache is not None:
            _put_cache(reader, cache)
        put(
            reader,
            "workload",
            Found(
                "inference",
                document.location(("kind",)),
                "a NIM serves requests",
                FactSource.DERIVED,
            ),
        )
        anchor_pod(reader, pod, spec)
        reader.anchor("model", (*spec, "image", "repository"), (*spec, "image"), spec)
        reader.anchor("hardware", (*spec, "resources"), spec)
        reader.anchor("replicas", (*spec, "replicas"), (*spec, "scale"), spec)

    def _replicas(self, reader: FactReader, document: Document, spec: PathKey) -> None:
        if document.get((*spec, "scale", "enabled")) is True:
            hpa = (*spec, "scale", "hpa")
            put(
                reader,
                "replicas.min",
                _whole(document, (*hpa, "minReplicas"), "scale.hpa.minReplicas"),
            )
            put(
                reader,
                "replicas.max",
                _whole(document, (*hpa, "maxReplicas"), "scale.hpa.maxReplicas"),
            )
        replicas = _whole(document, (*spec, "replicas"), "spec.replicas")
        put(reader, "replicas.min", replicas)
        put(reader, "replicas.max", replicas)


def nim_model(image: str) -> str | None:
    """The model a NIM image names: ``nvcr.io/nim/meta/llama-3.1-8b-instruct:1.3`` -> ``meta/llama-3.1-8b-instruct``.

    The registry host (a first segment with a ``.`` or ``:``, or ``localhost``)
    and the tag or digest are dropped, then everything up to the ``nim``
    namespace. A multi-LLM image (``nvidia/llm-nim``) names no model: None.
    """
    text = image.strip()
    if not text or unresolved(text):
        return None
    text = text.split("@", 1)[0]
    segments = [s for s in text.split("/") if s]
    if segments and (":" in segments[-1]):
        segments[-1] = segments[-1].split(":", 1)[0]
    if len(segments) > 1 and (
        "." in segments[0] or ":" in segments[0] or segments[0] == "localhost"
    ):
        segments = segments[1:]
    if "nim" in segments[:-1]:
        segments = segments[segments.index("nim") + 1 :]
    if not segments or segments[-1] in UNIVERSAL_IMAGES:
        return None
    return "/".join(segments)


def _image_model(document: Document, image: PathKey) -> Found | None:
    raw: Any = document.get(image)
    path: PathKey = image
    tag: Any = None
    if isinstance(raw, dict):
        path = (*image, "repository")
        tag = raw.get("tag")
        raw = raw.get("repository")
    if not isinstance(raw, str) or not raw.strip():
        return None
    if unresolved(raw):
        return Found(raw, document.location(path), "image.repository")
    model = nim_model(raw)
    if model is None:
        return None
    detail = f"the NIM image {raw.strip()}" + (f" (tag {tag})" if tag not in (None, "") else "")
    return Found(model, document.location(path), f"{detail} names the model", FactSource.DERIVED)


def _multi_node(document: Document, parallelism: PathKey) -> Found | None:
    """GPUs of one multi-node replica: ``tensor`` x ``pipeline`` of ``multiNode.parallelism``."""
    tensor = whole_number(document.get((*parallelism, "tensor")))
    if tensor is None or tensor <= 0:
        return None
    pipeline = whole_number(document.get((*parallelism, "pipeline")))
    pipeline = pipeline if pipeline is not None and pipeline > 0 else 1
    detail = f"multiNode.parallelism: tensor {tensor} x pipeline {pipeline} GPUs per replica (a group of pods)"
    return Found(
        tensor * pipeline, document.location((*parallelism, "tensor")), detail, FactSource.DERIVED
    )


GPU_DEVICE_CLASS = "gpu.nvidia.com"


def _dra_devices(document: Document, path: PathKey) -> Found | None:
    """GPUs the operator's own DRA claims ask for: ``claimCreationSpec.devices[].count``.

    A device of class ``gpu.nvidia.com`` (the CRD's default class) counts
    ``count`` GPUs, 1 when ``count`` is left out (the CRD's default). Claims
    made elsewhere (``resourceClaimName``, ``resourceClaimTemplateName``) are
    not read here.
    """
    items = document.get(path)
    total = 0
    first: Found | None = None
    for i in range(len(items) if isinstance(items, list) else 0):
        devices_path: PathKey = (*path, i, "claimCreationSpec", "devices")
        devices = document.get(devices_path)
        for j, device in enumerate(devices if isinstance(devices, list) else []):
            if not isinstance(device, dict):
                continue
            device_class = device.get("deviceClassName", GPU_DEVICE_CLASS)
            if device_class != GPU_DEVICE_CLASS:
                continue
            raw = device.get("count", 1)
            count = whole_number(raw)
            if count is None or count < 0:
                continue
            where: PathKey = (*devices_path, j, "count" if "count" in device else "name")
            total += count
            if first is None:
                detail = "draResources claimCreationSpec devices of class gpu.nvidia.com" + (
                    "" if "count" in device else " (count defaults to 1)"
                )
                first = Found(0, document.location(where), detail)
    if first is None:
        return None
    return Found(total, first.location, first.detail)


def _whole(document: Document, path: PathKey, detail: str) -> Found | None:
    raw = document.get(path)
    if raw is None:
        return None
    if unresolved(raw):
        return Found(raw, document.location(path), detail)
    value = whole_number(raw)
    if value is None or value < 0:
        return None
    return Found(value, document.location(path), detail)


def _cache(document: Document, spec: PathKey, context: ReadContext) -> Document | None:
    """The NIMCache the service names, from this file or its folder; None when absent."""
    name = document.get((*spec, "storage", "nimCache", "name"))
    if not isinstance(name, str) or not name.strip() or unresolved(name):
        return None
    namespace = document.get(("metadata", "namespace"))
    for candidate in _documents(document, context):
        group, kind = api_group(candidate)
        if group != GROUP or kind != CACHE_KIND:
            continue
        if candidate.get(("metadata", "name")) != name.strip():
            continue
        other = candidate.get(("metadata", "namespace"))
        if isinstance(namespace, str) and isinstance(other, str) and namespace != other:
            continue
        return candidate
    return None


def _documents(document: Document, context: ReadContext) -> Iterator[Document]:
    """The documents of the folder's YAML files (the document's own file first)."""
    files = context.siblings(lambda name: name.lower().endswith((".yaml", ".yml")))
    own = [f for f in files if f.path == document.file]
    yield from (d for f in own for d in f.documents)
    yield from (d for f in files if f.path != document.file for d in f.documents)


def _put_cache(reader: FactReader, cache: Document) -> None:
    """The facts the NIMCache's model selection states, for those the service left unknown."""
    name = cache.get(("metadata", "name"))
    where = f"NIMCache {name}"
    model: PathKey = ("spec", "source", "ngc", "model")
    settings = cache.get(model)
    settings = settings if isinstance(settings, dict) else {}
    notes = [
        f"{key} {settings[key]}"
        for key in ("engine", "qosProfile")
        if isinstance(settings.get(key), str) and settings[key]
    ]
    profiles = settings.get("profiles")
    if isinstance(profiles, list) and profiles:
        notes.append(f"profiles {', '.join(str(p) for p in profiles)}")
    suffix = f" ({'; '.join(notes)})" if notes else ""
    for found in _cache_models(cache, where):
        put(reader, "model.name", found.described(found.detail + suffix))
    products = _products(cache, (*model, "gpus"))
    if len(products) == 1:
        path, product = next(iter(products.items()))
        put(
            reader,
            "hardware.accelerator",
            Found(product, cache.location(path), f"{where} spec.source.ngc.model.gpus[].product"),
        )
    tensor = _whole(cache, (*model, "tensorParallelism"), f"{where} tensorParallelism")
    if tensor is not None and (unresolved(tensor.value) or tensor.value > 0):
        put(
            reader,
            "hardware.count",
            tensor.described(f"{tensor.detail} (the GPUs the cached model profile needs)"),
        )
    precision = settings.get("precision")
    value = precision_name(precision)
    if value is not None:
        put(
            reader,
            "model.precision",
            Found(value, cache.location((*model, "precision")), f"{where} precision {precision}"),
        )


def _cache_models(cache: Document, where: str) -> Iterator[Found]:
    puller: PathKey = ("spec", "source", "ngc", "modelPuller")
    raw = cache.get(puller)
    if isinstance(raw, str) and raw.strip():
        model = nim_model(raw)
        if model is not None:
            yield Found(
                model,
                cache.location(puller),
                f"{where} modelPuller {raw.strip()} names the model",
                FactSource.DERIVED,
            )
    for source in ("hf", "dataStore"):
        path: PathKey = ("spec", "source", source, "modelName")
        value = cache.get(path)
        if isinstance(value, str) and value.strip():
            yield Found(model_id(value), cache.location(path), f"{where} {source}.modelName")


def _products(cache: Document, gpus: PathKey) -> dict[PathKey, str]:
    """``gpus[].product`` values, one entry per distinct product (the first path of each)."""
    found: dict[PathKey, str] = {}
    items = cache.get(gpus)
    for i, item in enumerate(items if isinstance(items, list) else []):
        product = item.get("product") if isinstance(item, dict) else None
        if (
            isinstance(product, str)
            and product.strip()
            and not unresolved(product)
            and product.strip() not in found.values()
        ):
            path: PathKey = (*gpus, i, "product")
            found[path] = product.strip()
    return found
