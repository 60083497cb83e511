"""vLLM production-stack operator (``production-stack.vllm.ai``): VLLMRuntime.

A VLLMRuntime is one vLLM Deployment the operator creates; it serves
requests (``workload: inference``). What is read, from ``spec``:

- ``model.modelURL`` -> ``model.name`` (``hf://`` dropped); ``model.dtype``
  -> ``model.precision``; ``model.maxNumSeqs`` -> ``rateLimits.concurrency``;
- ``vllmConfig.tensorParallelSize`` (times ``--pipeline-parallel-size`` of
  ``vllmConfig.extraArgs``, when given): the accelerators the server spreads
  the model over, used as ``hardware.count`` when the GPUs are not
  requested; ``vllmConfig.extraArgs`` are read as vLLM's command line
  (``--max-num-seqs``, ``--quantization``, ``--dtype``...);
- ``deploymentConfig.resources.gpu`` (a count of ``gpuType``, by default
  ``nvidia.com/gpu``) -> ``hardware.count`` per pod;
- ``deploymentConfig.replicas`` -> ``replicas``; with
  ``autoscalingConfig.enabled: true`` the autoscaler's ``minReplicas``
  (else ``replicas``) and ``maxReplicas``;
- ``deploymentConfig.nodeSelectorTerms``: a single term whose ``In``
  expression has one value names the accelerator or the instance type
  (the node labels of :mod:`~greengate.manifests.kube.scheduling`).

Without ``vllmConfig`` or ``deploymentConfig``, their fields are read from
``spec`` itself (``spec.tensorParallelSize``, ``spec.extraArgs``,
``spec.resources.gpu``, ``spec.replicas``): the flat layout of the
production-stack gateway example.
"""

from __future__ import annotations

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
from greengate.manifests.kube.containers import Container, Token, flag_values
from greengate.manifests.kube.engines import (
    CONCURRENCY_FLAGS,
    DTYPE_FLAGS,
    PIPELINE_FLAGS,
    QUANTIZATION_FLAGS,
    model_id,
)
from greengate.manifests.kube.objects import api_group
from greengate.manifests.kube.scheduling import accelerator_of, instance_type_of
from greengate.manifests.kube.values import Found, put, unresolved, whole_number
from greengate.manifests.vocab import precision_name
from greengate.records.deployment import FactSource

GROUP = "production-stack.vllm.ai"
KIND = "VLLMRuntime"
DEFAULT_GPU_TYPE = "nvidia.com/gpu"

HINTS = kubernetes_hints(
    {
        "model.name": "set spec.model.modelURL, or add the annotation greengate.dev/model-name: <model id> to metadata.annotations",
        "hardware.count": "set spec.deploymentConfig.resources.gpu: <n>, or add the annotation greengate.dev/accelerator-count: <n> to metadata.annotations",
        "hardware.accelerator": "add a nodeSelectorTerms entry such as nvidia.com/gpu.product In [<type>] to spec.deploymentConfig, or the annotation greengate.dev/accelerator: <type> to metadata.annotations",
        "replicas.min": "set spec.deploymentConfig.replicas, or add the annotation greengate.dev/replicas-min: <n> to metadata.annotations",
        "replicas.max": "set spec.deploymentConfig.replicas (or spec.autoscalingConfig.maxReplicas), or add the annotation greengate.dev/replicas-max: <n> to metadata.annotations",
    }
)


class VLLMRuntimeAdapter(Adapter):
    name = "vllm"
    description = "vLLM production-stack operator VLLMRuntime"

    def matches(self, document: Document) -> bool:
        return api_group(document) == (GROUP, KIND)

    def read(self, document: Document, context: ReadContext = NO_CONTEXT) -> AdaptResult:
        reader = FactReader(document)
        problems = read_annotations(reader)
        spec: PathKey = ("spec",)
        model = (*spec, "model")
        vllm = _section(document, (*spec, "vllmConfig"))
        deployment = _section(document, (*spec, "deploymentConfig"))
        url = document.get((*model, "modelURL"))
        if isinstance(url, str) and url.strip():
            put(
                reader,
                "model.name",
                Found(model_id(url), document.location((*model, "modelURL")), "model.modelURL"),
            )
        args = _extra_args(document, (*vllm, "extraArgs"))
        self._hardware(reader, document, deployment, vllm, args, problems)
        concurrency = _whole(document, (*model, "maxNumSeqs"), "model.maxNumSeqs", minimum=1)
        put(reader, "rateLimits.concurrency", concurrency)
        for found in flag_values(args, CONCURRENCY_FLAGS, document):
            number = whole_number(found.value)
            if number is not None and number > 0:
                put(reader, "rateLimits.concurrency", Found(number, found.location, found.detail))
        self._precision(reader, document, (*model, "dtype"), args)
        self._replicas(reader, document, deployment, (*spec, "autoscalingConfig"))
        put(
            reader,
            "workload",
            Found(
                "inference",
                document.location(("kind",)),
                "a VLLMRuntime serves requests",
                FactSource.DERIVED,
            ),
        )
        reader.anchor("model", (*model, "modelURL"), model, spec)
        reader.anchor("hardware", (*deployment, "resources"), deployment, spec)
        reader.anchor("replicas", (*deployment, "replicas"), deployment, spec)
        return AdaptResult([finish(reader, kind=KIND, format=self.name, hints=HINTS)], problems)

    def _hardware(
        self,
        reader: FactReader,
        document: Document,
        deployment: PathKey,
        vllm: PathKey,
        args: Container,
        problems: list[ManifestProblem],
    ) -> None:
        resources = (*deployment, "resources")
        if document.get(resources) is not None and not isinstance(document.get(resources), dict):
            problems.append(
                ManifestProblem(
                    document.location(resources),
                    f"{_named(resources)} must be a mapping (cpu, memory, gpu)",
                )
            )
        gpu_type = document.get((*resources, "gpuType"))
        kind = gpu_type if isinstance(gpu_type, str) and gpu_type.strip() else DEFAULT_GPU_TYPE
        raw = document.get((*resources, "gpu"))
        if raw is not None:
            number = whole_number(raw)
            if unresolved(raw) or (number is not None and number >= 0):
                put(
                    reader,
                    "hardware.count",
                    Found(
                        raw if number is None else number,
                        document.location((*resources, "gpu")),
                        f"{_named((*resources, 'gpu'))} ({kind})",
                    ),
                )
            else:
                problems.append(
                    ManifestProblem(
                        document.location((*resources, "gpu")),
                        f"{_named((*resources, 'gpu'))}: {raw!r} is not a whole number of GPUs",
                    )
                )
        selectors = _node_selector_terms(document, (*deployment, "nodeSelectorTerms"))
        put(reader, "hardware.accelerator", accelerator_of(selectors))
        put(reader, "hardware.instanceType", instance_type_of(selectors))
        tensor_path = (*vllm, "tensorParallelSize")
        tensor = _whole(document, tensor_path, _named(tensor_path))
        if tensor is not None and isinstance(tensor.value, int) and tensor.value > 0:
            pipeline = next(
                (
                    whole_number(f.value)
                    for f in flag_values(args, PIPELINE_FLAGS, document)
                    if whole_number(f.value)
                ),
                None,
            )
            value = tensor.value * (pipeline or 1)
            detail = f"tensor parallel size {tensor.value} ({_named(tensor_path)})" + (
                f" x pipeline parallel size {pipeline}" if pipeline else ""
            )
            put(
                reader,
                "hardware.count",
                Found(value, tensor.location, detail, FactSource.DERIVED),
            )

    def _precision(
        self, reader: FactReader, document: Document, dtype: PathKey, args: Container
    ) -> None:
        for found in flag_values(args, QUANTIZATION_FLAGS, document):
            precision = precision_name(found.value)
            if precision is not None:
                detail = f"{found.detail} {found.value}"
                put(reader, "model.precision", Found(precision, found.location, detail))
        raw = document.get(dtype)
        precision = precision_name(raw)
        if precision is not None:
            put(
                reader,
                "model.precision",
                Found(precision, document.location(dtype), f"model.dtype {raw}"),
            )
        for found in flag_values(args, DTYPE_FLAGS, document):
            precision = precision_name(found.value)
            if precision is not None:
                put(
                    reader,
                    "model.precision",
                    Found(precision, found.location, f"{found.detail} {found.value}"),
                )

    def _replicas(
        self, reader: FactReader, document: Document, deployment: PathKey, autoscaling: PathKey
    ) -> None:
        replicas = _whole(document, (*deployment, "replicas"), _named((*deployment, "replicas")))
        if document.get((*autoscaling, "enabled")) is True:
            low = _whole(document, (*autoscaling, "minReplicas"), "autoscalingConfig.minReplicas")
            high = _whole(document, (*autoscaling, "maxReplicas"), "autoscalingConfig.maxReplicas")
            put(reader, "replicas.min", low or replicas)
            put(reader, "replicas.max", high)
        put(reader, "replicas.min", replicas)
        put(reader, "replicas.max", replicas)


def _named(path: PathKey) -> str:
    """A path as the manifest's author writes it, without the leading ``spec``."""
    return ".".join(str(p) for p in (path[1:] if len(path) > 1 else path))


def _section(document: Document, path: PathKey) -> PathKey:
    """``path`` when it is a mapping, else ``spec`` (the flat layout keeps its fields there)."""
    return path if isinstance(document.get(path), dict) else path[:-1]


def _whole(document: Document, path: PathKey, detail: str, minimum: int = 0) -> Found | None:
    raw = document.get(path)
    if raw is None:
        return None
    if unresolved(raw):
        return Found(raw, document.location(path), detail)
    value = whole_number(raw)
    if value is None or value < minimum:
        return None
    return Found(value, document.location(path), detail)


def _extra_args(document: Document, path: PathKey) -> Container:
    """``vllmConfig.extraArgs`` as the command line of a vLLM container."""
    holder = path[:-1]
    raw: Any = document.get(path)
    tokens: list[Token] = []
    for i, item in enumerate(raw if isinstance(raw, list) else []):
        if isinstance(item, str | int | float) and not isinstance(item, bool):
            tokens.extend(_words(document, (*path, i), str(item)))
    return Container(path=holder, name="vllm", image="", tokens=tokens, env={})


def _words(document: Document, path: PathKey, text: str) -> list[Token]:
    """One item of ``extraArgs`` (``"--max-num-seqs 64"`` may hold a flag and its value)."""
    location = document.location(path)
    return [Token(word, word, location) for word in text.split()]


def _node_selector_terms(document: Document, path: PathKey) -> dict[str, Found]:
    """Node labels a single ``nodeSelectorTerms`` term requires (``In`` with one value)."""
    selectors: dict[str, Found] = {}
    terms = document.get(path)
    if not isinstance(terms, list) or len(terms) != 1 or not isinstance(terms[0], dict):
        return selectors
    expressions = terms[0].get("matchExpressions")
    for i, expression in enumerate(expressions if isinstance(expressions, list) else []):
        if not isinstance(expression, dict) or expression.get("operator") != "In":
            continue
        key, values = expression.get("key"), expression.get("values")
        if isinstance(key, str) and isinstance(values, list) and len(values) == 1:
            if values[0] is None:
                continue
            where = (*path, 0, "matchExpressions", i, "values", 0)
            selectors.setdefault(
                key,
                Found(
                    str(values[0]).strip(),
                    document.location(where),
                    f"{_named(path)} {key} In",
                ),
            )
    return selectors
