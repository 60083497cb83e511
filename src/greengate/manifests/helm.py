"""Helm values files of LLM serving charts.

A values file has no ``kind``: the adapter recognises a chart by the file
name (``values.yaml``, ``values-<anything>.yaml``) together with a top-level
shape only that chart uses, so an arbitrary YAML file is never taken for
Helm values. The vLLM production-stack shape (``servingEngineSpec.modelSpec``
items with a ``modelURL``) is specific enough to be read under any file name:
its own docs pass it as ``production_stack_specification.yaml``.

Charts and the facts read:

- **vLLM production stack** (``vllm/vllm-stack``): one deployment per
  ``servingEngineSpec.modelSpec[]`` item. ``modelURL`` -> ``model.name``;
  ``replicaCount`` -> replicas; ``requestGPU`` -> ``hardware.count`` (``0``
  means CPU-only: ``hardware.accelerator: cpu``); ``vllmConfig.tensorParallelSize``
  -> ``hardware.count`` when ``requestGPU`` is not set; ``vllmConfig.maxNumSeqs``
  -> ``rateLimits.concurrency``; ``vllmConfig.dtype`` -> ``model.precision``;
  ``nodeSelectorTerms`` with a GKE accelerator or instance-type label ->
  ``hardware.accelerator``/``hardware.instanceType``. ``requestGPUType``
  (``amd.com/gpu``) names a resource, not a GPU model, so it is only noted.
  ``vllmConfig.pipelineParallelSize`` multiplies the tensor parallel size
  when it stands for ``requestGPU``. With ``raySpec.enabled`` the chart
  runs one engine over a RayCluster of a head and ``replicaCount`` workers:
  ``hardware.count`` is ``raySpec.headNode.requestGPU`` + ``replicaCount``
  x ``requestGPU`` and there is one replica.
- **Triton Inference Server** (``deploy/*/values.yaml``, or a ``tritonserver``
  image with GPU ``resources``): ``image.numGpus`` (else ``resources.limits``) ->
  ``hardware.count``; ``replicaCount``, ``autoscaling``/``hpa`` ``.{min,max}Replicas`` or
  ``{min,max}ReplicaCount`` -> replicas; ``secret.region`` -> ``cloud.region``
  (the chart expects it base64-encoded; an all-caps value such as
  ``AWS_REGION`` is a placeholder). The model repository
  (``modelRepositoryPath``) may hold many models, so it is not a model name:
  missing model facts point at it.
- **KubeRay cluster** (``head`` + ``worker``/``additionalWorkerGroups``): one
  deployment per enabled worker group that requests GPUs or TPUs:
  ``resources.limits`` -> ``hardware.count``, ``nodeSelector`` -> accelerator,
  ``replicas``/``minReplicas``/``maxReplicas`` -> replicas.
- **Single-model serving chart** (a ``model`` mapping with ``id`` or ``name``,
  and GPU ``resources`` or an accelerator ``nodeSelector``): ``model.id`` ->
  ``model.name``, ``resources.limits`` -> ``hardware.count``, ``nodeSelector``
  -> accelerator, ``hpa``/``autoscaling`` or ``replicaCount`` -> replicas.

A node label ``cloud.google.com/...`` means GKE, so ``cloud.provider: gcp``
(derived). Values files never state a task and almost never a region.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Any

from greengate.load import Document, PathKey
from greengate.manifests.base import (
    NO_CONTEXT,
    Adapter,
    AdaptResult,
    FactReader,
    ReadContext,
    is_placeholder,
)
from greengate.manifests.common import DECLARE, declare_number, finish, number
from greengate.manifests.vocab import precision_name
from greengate.records.deployment import Deployment, Fact, FactSource

_VALUES_NAME = re.compile(r"values(?:[-_.][^/]*)?\.ya?ml", re.IGNORECASE)
_ACCELERATOR_LABELS = (
    "cloud.google.com/gke-accelerator",
    "cloud.google.com/gke-tpu-accelerator",
    "nvidia.com/gpu.product",
)
_INSTANCE_LABELS = ("node.kubernetes.io/instance-type", "beta.kubernetes.io/instance-type")
_ACCELERATOR_RESOURCES = (
    "nvidia.com/gpu",
    "amd.com/gpu",
    "google.com/tpu",
    "aws.amazon.com/neuron",
)
_REGION = re.compile(r"[a-z]{2}(?:-[a-z]+)+-\d+")
"""AWS and OCI region names (``us-east-1``, ``us-ashburn-1``): what the Triton chart's secret holds."""
_ALL_CAPS = re.compile(r"[A-Z][A-Z0-9_]*")


def _is_vllm_stack(data: dict[str, Any]) -> bool:
    engine = data.get("servingEngineSpec")
    specs = engine.get("modelSpec") if isinstance(engine, dict) else None
    return isinstance(specs, list) and any(isinstance(s, dict) and "modelURL" in s for s in specs)


def _is_triton(data: dict[str, Any]) -> bool:
    image = data.get("image")
    if not isinstance(image, dict):
        return False
    if "numGpus" not in image and not _gpu_resource(data.get("resources")):
        return False
    names = " ".join(str(image.get(k, "")) for k in ("imageName", "repository"))
    return (
        "tritonserver" in names or "modelRepositoryPath" in image or "modelRepositoryPath" in data
    )


def _is_kuberay(data: dict[str, Any]) -> bool:
    head = data.get("head")
    workers = isinstance(data.get("worker"), dict) or isinstance(
        data.get("additionalWorkerGroups"), dict
    )
    return isinstance(head, dict) and "rayStartParams" in head and workers


def _is_single_model(data: dict[str, Any]) -> bool:
    model = data.get("model")
    if not isinstance(model, dict) or not any(
        isinstance(model.get(k), str) for k in ("id", "name")
    ):
        return False
    return bool(_gpu_resource(data.get("resources"))) or _has_label(data.get("nodeSelector"))


def _gpu_resource(resources: Any) -> tuple[str, str] | None:
    """The (section, resource) of the first accelerator resource in ``resources``."""
    if not isinstance(resources, dict):
        return None
    for section in ("limits", "requests"):
        values = resources.get(section)
        if isinstance(values, dict):
            for resource in _ACCELERATOR_RESOURCES:
                if resource in values:
                    return section, resource
    return None


def _has_label(selector: Any) -> bool:
    return isinstance(selector, dict) and any(
        label in selector for label in (*_ACCELERATOR_LABELS, *_INSTANCE_LABELS)
    )


_CHARTS: tuple[tuple[str, Callable[[dict[str, Any]], bool]], ...] = (
    ("triton", _is_triton),
    ("kuberay", _is_kuberay),
    ("single-model", _is_single_model),
)


def _chart(document: Document) -> str | None:
    data = document.data
    if not isinstance(data, dict):
        return None
    if _is_vllm_stack(data):
        return "vllm-stack"
    if not _VALUES_NAME.fullmatch(document.name):
        return None
    return next((chart for chart, test in _CHARTS if test(data)), None)


class HelmValuesAdapter(Adapter):
    name = "helm"
    description = "Helm values of LLM serving charts (vLLM production stack, Triton, KubeRay, single-model charts)"

    def matches(self, document: Document) -> bool:
        return _chart(document) is not None

    def read(self, document: Document, context: ReadContext = NO_CONTEXT) -> AdaptResult:
        chart = _chart(document)
        if chart == "vllm-stack":
            return AdaptResult(deployments=_vllm_stack(document))
        if chart == "triton":
            return AdaptResult(deployments=[_triton(document)])
        if chart == "kuberay":
            return AdaptResult(deployments=_kuberay(document))
        if chart == "single-model":
            return AdaptResult(deployments=[_single_model(document)])
        return AdaptResult()


def _hints(chart: str, model: str) -> dict[str, str]:
    return {
        "task": f"Helm values of the {chart} chart have no task field; {DECLARE}",
        "model.name": model,
        "model.parameters": model,
        "cloud.region": f"Helm values do not say which cluster (and region) the release is installed in; {DECLARE}",
        "cloud.provider": f"Helm values do not say which cloud the cluster runs in; {DECLARE}",
        "hardware.accelerator": (
            "no GPU model is stated: add a nodeSelectorTerms (or nodeSelector) entry on cloud.google.com/gke-accelerator"
            f" or node.kubernetes.io/instance-type where the chart supports it, or {DECLARE}"
        ),
        "rateLimits.requestsPerMinute": f"a serving chart does not limit requests per minute: enforce it at the gateway or router in front of it and {DECLARE}",
        "rateLimits.tokensPerMinute": f"a serving chart does not limit tokens per minute: enforce it at the gateway or router in front of it and {DECLARE}",
        "owner": f"Helm values have no owner field; {DECLARE}",
    }


def _selectors(reader: FactReader, base: PathKey) -> None:
    """Accelerator / instance type from ``nodeSelector`` and ``nodeSelectorTerms`` at ``base``."""
    document = reader.document
    selector = document.get((*base, "nodeSelector"))
    candidates: list[tuple[str, PathKey]] = []
    if isinstance(selector, dict):
        candidates.extend((str(label), (*base, "nodeSelector", label)) for label in selector)
    terms = document.get((*base, "nodeSelectorTerms"))
    for i, term in enumerate(terms if isinstance(terms, list) else []):
        expressions = term.get("matchExpressions") if isinstance(term, dict) else None
        for j, expression in enumerate(expressions if isinstance(expressions, list) else []):
            if not isinstance(expression, dict) or expression.get("operator") != "In":
                continue
            values = expression.get("values")
            if isinstance(values, list) and len(values) == 1:
                path = (*base, "nodeSelectorTerms", i, "matchExpressions", j, "values", 0)
                candidates.append((str(expression.get("key")), path))
    for label, path in candidates:
        if label in _ACCELERATOR_LABELS:
            reader.declare("hardware.accelerator", path, detail=f"node label {label}")
        elif label in _INSTANCE_LABELS:
            reader.declare("hardware.instanceType", path, detail=f"node label {label}")
        else:
            continue
        if label.startswith("cloud.google.com/"):
            reader.declare(
                "cloud.provider",
                path,
                "gcp",
                source=FactSource.DERIVED,
                detail=f"node label {label} is a GKE label",
            )


def _resources_count(reader: FactReader, base: PathKey) -> None:
    found = _gpu_resource(reader.document.get((*base, "resources")))
    if found is not None:
        section, resource = found
        declare_number(
            reader,
            "hardware.count",
            (*base, "resources", section, resource),
            f"resources.{section}[{resource}]",
        )


def _fixed_replicas(reader: FactReader, path: PathKey, detail: str = "") -> None:
    declare_number(reader, "replicas.min", path, detail)
    declare_number(reader, "replicas.max", path, detail)


def _ray_engine(reader: FactReader, base: PathKey) -> None:
    """``raySpec.enabled``: one vLLM engine over a RayCluster of a head and ``replicaCount`` workers.

    The chart makes the head (``raySpec.headNode.requestGPU``) and
    ``replicaCount`` worker pods (``requestGPU`` each) of one engine that
    spreads the model over them (pipeline parallelism), so one replica is the
    whole cluster: its GPUs are the head's plus the workers', and there is
    one replica.
    """
    document = reader.document
    ray = (*base, "raySpec")
    if document.get((*ray, "enabled")) is not True:
        return
    workers = number(document.get((*base, "replicaCount")))
    per_worker = number(document.get((*base, "requestGPU")))
    head = number(document.get((*ray, "headNode", "requestGPU")))
    if workers is not None and per_worker is not None and workers >= 0 and per_worker >= 0:
        total = (head or 0) + workers * per_worker
        detail = (
            f"raySpec: head {head or 0} + {workers} workers (replicaCount) x {per_worker} "
            "(requestGPU): one vLLM engine over a RayCluster"
        )
        reader.declare(
            "hardware.count",
            (*base, "requestGPU"),
            int(total) if float(total).is_integer() else total,
            source=FactSource.DERIVED,
            detail=detail,
        )
    detail = "raySpec.enabled: the RayCluster's pods run one vLLM engine"
    for name in ("replicas.min", "replicas.max"):
        reader.declare(name, (*ray, "enabled"), 1, source=FactSource.DERIVED, detail=detail)


def _parallel_count(reader: FactReader, base: PathKey) -> None:
    """GPUs of one engine when ``requestGPU`` is not set: tensor x pipeline parallel size."""
    document = reader.document
    config = (*base, "vllmConfig")
    tensor = number(document.get((*config, "tensorParallelSize")))
    pipeline = number(document.get((*config, "pipelineParallelSize")))
    if tensor is None or pipeline is None or pipeline <= 1 or tensor <= 0:
        declare_number(
            reader,
            "hardware.count",
            (*config, "tensorParallelSize"),
            "vllmConfig.tensorParallelSize (requestGPU is not set)",
        )
        return
    total = tensor * pipeline
    reader.declare(
        "hardware.count",
        (*config, "tensorParallelSize"),
        int(total) if float(total).is_integer() else total,
        source=FactSource.DERIVED,
        detail=f"vllmConfig.tensorParallelSize {tensor} x pipelineParallelSize {pipeline} (requestGPU is not set)",
    )


def _vllm_stack(document: Document) -> list[Deployment]:
    deployments = []
    specs = document.get(("servingEngineSpec", "modelSpec"))
    for i, spec in enumerate(specs):
        if not isinstance(spec, dict):
            continue
        base: PathKey = ("servingEngineSpec", "modelSpec", i)
        reader = FactReader(document)
        reader.declare(
            "workload",
            base,
            "inference",
            source=FactSource.DERIVED,
            detail="a vLLM serving engine serves inference",
        )
        reader.declare("model.name", (*base, "modelURL"))
        _ray_engine(reader, base)
        _fixed_replicas(
            reader, (*base, "replicaCount"), "replicaCount: a fixed number of engine pods"
        )
        gpu_type = spec.get("requestGPUType")
        resource = gpu_type if isinstance(gpu_type, str) and gpu_type else "nvidia.com/gpu"
        requested = number(spec.get("requestGPU"))
        declare_number(
            reader,
            "hardware.count",
            (*base, "requestGPU"),
            f"requestGPU ({resource} per engine pod)",
        )
        if requested == 0:
            detail = "requestGPU: 0 requests no GPU: CPU-only serving"
            reader.declare(
                "hardware.accelerator",
                (*base, "requestGPU"),
                "cpu",
                source=FactSource.DERIVED,
                detail=detail,
            )
        _parallel_count(reader, base)
        declare_number(
            reader,
            "rateLimits.concurrency",
            (*base, "vllmConfig", "maxNumSeqs"),
            "vllmConfig.maxNumSeqs: sequences in flight per engine pod",
        )
        dtype = document.get((*base, "vllmConfig", "dtype"))
        precision = precision_name(dtype) if isinstance(dtype, str) else None
        if precision is not None:
            reader.declare(
                "model.precision",
                (*base, "vllmConfig", "dtype"),
                precision,
                detail=f"vllmConfig.dtype {dtype}",
            )
        _selectors(reader, base)
        reader.anchor("", base)
        reader.anchor("model", (*base, "modelURL"), base)
        reader.anchor("hardware", (*base, "requestGPU"), base)
        reader.anchor("replicas", (*base, "replicaCount"), base)
        reader.anchor("rateLimits", (*base, "vllmConfig"), base)
        name = spec.get("name")
        shown = (
            str(name)
            if isinstance(name, str | int) and not is_placeholder(name)
            else f"modelSpec[{i}]"
        )
        deployment = reader.deployment(
            name=shown,
            kind="vLLM modelSpec",
            format="helm",
            name_path=(*base, "name"),
            labels=spec.get("labels"),
        )
        model_hint = f"add modelURL (a Hugging Face model id) to this modelSpec entry, or {DECLARE}"
        deployments.append(finish(deployment, _hints("vLLM production-stack", model_hint)))
    return deployments


def _chart_name(document: Document, default: str) -> str:
    for key in ("fullnameOverride", "nameOverride"):
        value = document.get((key,))
        if isinstance(value, str) and value.strip() and not is_placeholder(value):
            return value
    return default


def _triton(document: Document) -> Deployment:
    reader = FactReader(document)
    reader.declare(
        "workload",
        (),
        "inference",
        source=FactSource.DERIVED,
        detail="Triton Inference Server serves inference",
    )
    declare_number(
        reader, "hardware.count", ("image", "numGpus"), "image.numGpus (GPUs per Triton pod)"
    )
    _resources_count(reader, ())
    autoscaler = next(
        (
            section
            for section in ("autoscaling", "hpa")
            if document.get((section, "minReplicas")) is not None
            or document.get((section, "maxReplicas")) is not None
        ),
        None,
    )
    if autoscaler is not None:
        declare_number(reader, "replicas.min", (autoscaler, "minReplicas"))
        declare_number(reader, "replicas.max", (autoscaler, "maxReplicas"))
    elif (
        document.get(("minReplicaCount",)) is not None
        or document.get(("maxReplicaCount",)) is not None
    ):
        declare_number(reader, "replicas.min", ("minReplicaCount",))
        declare_number(reader, "replicas.max", ("maxReplicaCount",))
    else:
        _fixed_replicas(reader, ("replicaCount",), "replicaCount: a fixed number of Triton pods")
    _secret_region(reader, ("secret", "region"))
    _selectors(reader, ())
    repository: PathKey = (
        ("image", "modelRepositoryPath")
        if document.get(("image", "modelRepositoryPath")) is not None
        else ("modelRepositoryPath",)
    )
    reader.anchor("", ("image",), ())
    reader.anchor("model", repository, ("image",), ())
    reader.anchor("hardware", ("image", "numGpus"), ("image",), ())
    reader.anchor(
        "replicas", ("autoscaling",), ("hpa",), ("minReplicaCount",), ("replicaCount",), ()
    )
    reader.anchor("cloud", ("secret",), ())
    path = document.get(repository)
    if isinstance(path, str):
        model_hint = f"the Triton chart serves every model in the repository {path}, which greengate cannot look into; {DECLARE}"
    else:
        model_hint = f"the Triton chart serves the models of its model repository, which greengate cannot look into; {DECLARE}"
    deployment = reader.deployment(
        name=_chart_name(document, "triton-inference-server"),
        kind="Triton values",
        format="helm",
        name_path=(),
    )
    return finish(deployment, _hints("Triton", model_hint))


def _secret_region(reader: FactReader, path: PathKey) -> None:
    raw = reader.document.get(path)
    if not isinstance(raw, str) or not raw.strip():
        return
    value = raw.strip()
    if _REGION.fullmatch(value):
        reader.declare("cloud.region", path, value)
        return
    try:
        decoded = base64.b64decode(value, validate=True).decode("ascii").strip()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        decoded = ""
    if _REGION.fullmatch(decoded):
        reader.declare(
            "cloud.region", path, decoded, detail=f"secret.region {value} is base64 for {decoded}"
        )
    elif _ALL_CAPS.fullmatch(value) or is_placeholder(value):
        reader.unresolved.setdefault("cloud.region", Fact(raw, reader.document.location(path)))


def _kuberay(document: Document) -> list[Deployment]:
    groups: list[tuple[str, PathKey]] = [("worker", ("worker",))]
    extra = document.get(("additionalWorkerGroups",))
    if isinstance(extra, dict):
        groups.extend((str(name), ("additionalWorkerGroups", name)) for name in extra)
    cluster = _chart_name(document, "ray-cluster")
    deployments = []
    for group, base in groups:
        spec = document.get(base)
        if not isinstance(spec, dict) or spec.get("disabled") is True:
            continue
        found = _gpu_resource(spec.get("resources"))
        if found is None or not number(spec["resources"][found[0]][found[1]]):
            continue  # a CPU group is not where the model runs
        reader = FactReader(document)
        _resources_count(reader, base)
        if spec.get("minReplicas") is not None or spec.get("maxReplicas") is not None:
            declare_number(reader, "replicas.min", (*base, "minReplicas"))
            declare_number(reader, "replicas.max", (*base, "maxReplicas"))
        else:
            _fixed_replicas(reader, (*base, "replicas"), "replicas of this worker group")
        _selectors(reader, base)
        reader.anchor("", base)
        reader.anchor("hardware", (*base, "resources"), base)
        reader.anchor("replicas", (*base, "replicas"), base)
        deployment = reader.deployment(
            name=f"{cluster}/{group}", kind="KubeRay values", format="helm", name_path=base
        )
        model_hint = f"a Ray cluster's values do not say which model its jobs run; {DECLARE}"
        hints = _hints("KubeRay", model_hint)
        hints["workload"] = (
            f"a Ray cluster's values do not say whether it trains or serves; {DECLARE}"
        )
        deployments.append(finish(deployment, hints))
    return deployments


def _single_model(document: Document) -> Deployment:
    reader = FactReader(document)
    for key in ("id", "name"):
        reader.declare("model.name", ("model", key))
    _resources_count(reader, ())
    declare_number(
        reader,
        "hardware.count",
        ("tensorParallelSize",),
        "tensorParallelSize (no GPU resources set)",
    )
    for section in ("hpa", "autoscaling"):
        if document.get((section, "enabled")) is True:
            declare_number(reader, "replicas.min", (section, "minReplicas"))
            declare_number(reader, "replicas.max", (section, "maxReplicas"))
    _fixed_replicas(reader, ("replicaCount",), "replicaCount: a fixed number of pods")
    _selectors(reader, ())
    reader.anchor("", ("model",), ())
    reader.anchor("model", ("model",), ())
    reader.anchor("hardware", ("resources",), ("nodeSelector",), ())
    reader.anchor("replicas", ("hpa",), ("autoscaling",), ("replicaCount",), ())
    name = _chart_name(document, PurePosixPath(document.file).parent.name or "release")
    deployment = reader.deployment(
        name=name, kind="Helm values", format="helm", name_path=("model",)
    )
    return finish(
        deployment,
        _hints("serving", f"add model.id (a Hugging Face model id) to the values, or {DECLARE}"),
    )
