"""KubeRay: RayService, RayCluster and RayJob (``ray.io``).

One deployment per object: a RayService's applications share one Ray
cluster, so the cluster is the hardware and the first application that
names a model gives ``model.name`` (the others are named in its detail).

The hardware is the worker group that holds the accelerators (the most per
replica; the head group when only it has any). Per pod, accelerators are
read from the container limits, else ``rayStartParams.num-gpus``, else the
group's Ray ``resources`` (``GPU``/``TPU``). A replica is one group replica:
``hardware.count`` is the per-pod count times ``numOfHosts`` (multi-host TPU
slices), and ``replicas`` is ``minReplicas``/``maxReplicas`` when the
cluster autoscales (``enableInTreeAutoscaling``), else ``replicas``.
The accelerator type comes from the group's node selector, else a Serve LLM
config's ``accelerator_type``, else the group label
``ray.io/accelerator-type``; the region from the group label
``ray.io/region``.

``spec.serveConfigV2`` (RayService) and ``spec.runtimeEnvYAML`` (RayJob) are
YAML documents inside a string: they are parsed with
:func:`greengate.load.documents.load_bytes`, and a fact found in them points at
its line in the host file (the block's first line plus the inner line).
Read from them: ``applications[].args.llm_configs[].model_loading_config``
(``model_source``, else ``model_id``), ``accelerator_type``,
``engine_kwargs`` (``max_num_seqs``, ``dtype``), ``deployment_config``
and ``deployments[].max_ongoing_requests`` (concurrency),
``deployments[].ray_actor_options.num_gpus``, and the ``MODEL_ID`` family
of ``runtime_env.env_vars``. When no cluster group holds accelerators,
``num_gpus`` per Serve replica and the Serve replica counts are used.

A Ray object is a deployment only when it looks like AI: accelerators
somewhere, an accelerator node selector, a model server image (ray-llm,
vLLM...), a Serve LLM config, ML libraries in its runtime environment
(torch, transformers, vllm, diffusers, jax[tpu]...) or a ``greengate.dev/*``
annotation. A Ray sample that sells fruit is skipped.

Workload: RayService ``inference``; RayJob ``fine-tuning``/``training`` when
its name, entrypoint, images or commands say so, else ``batch``; RayCluster
the same markers, else not stated (a bare cluster runs whatever is
submitted to it: declare it with ``greengate.dev/workload``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from greengate.load import Document, PathKey, load_bytes
from greengate.manifests.base import (
    NO_CONTEXT,
    Adapter,
    AdaptResult,
    FactReader,
    ManifestProblem,
    ReadContext,
)
from greengate.manifests.kube.annotations import (
    finish,
    has_greengate_annotation,
    kubernetes_hints,
    read_annotations,
)
from greengate.manifests.kube.engines import MODEL_ENV, model_id
from greengate.manifests.kube.objects import api_group
from greengate.manifests.kube.pods import Pod, anchor_pod, put_pod, read_pod
from greengate.manifests.kube.values import Found, multiplied, pick, put, unresolved, whole_number
from greengate.manifests.kube.workloads import batch_workload
from greengate.manifests.vocab import precision_name
from greengate.records.deployment import FactSource
from greengate.records.location import Location

GROUP = "ray.io"
CLUSTER_PATHS: dict[str, PathKey] = {
    "RayCluster": ("spec",),
    "RayService": ("spec", "rayClusterConfig"),
    "RayJob": ("spec", "rayClusterSpec"),
}
_ML_PACKAGES = re.compile(
    r"^\s*(torch|torchvision|transformers|vllm|diffusers|tensorflow|jax\[tpu\]|sentence-transformers|accelerate|peft|trl|deepspeed|sglang)\b",
    re.I,
)

HINTS = kubernetes_hints(
    {
        "hardware.accelerator": "add a nodeSelector such as cloud.google.com/gke-accelerator: <type> to the worker group's template.spec, or the annotation greengate.dev/accelerator: <type> to metadata.annotations",
        "hardware.count": "request the accelerators in the worker group's container resources.limits (nvidia.com/gpu: <n>), or add the annotation greengate.dev/accelerator-count: <n> to metadata.annotations",
    }
)


@dataclass
class _Group:
    path: PathKey
    name: str
    pod: Pod
    count: Found | None
    hosts: int
    head: bool

    @property
    def devices(self) -> int:
        value = self.count.value if self.count is not None else 0
        return value * self.hosts if isinstance(value, int) else 0


@dataclass
class _Embedded:
    """A YAML document held in a string of the host document, with a way back to host lines."""

    host: Document
    path: PathKey
    inner: Document | None
    problems: list[ManifestProblem] = field(default_factory=list)

    def location(self, path: PathKey) -> Location:
        host = self.host.location(self.path)
        span = self.host.span(self.path)
        if self.inner is None or span is None or span.style != "|":
            return host
        inner = self.inner.location(path)
        key_column = span.key_column or host.column
        return Location(host.file, host.line + inner.line, key_column + 1 + inner.column)

    def get(self, path: PathKey, default: Any = None) -> Any:
        return self.inner.get(path, default) if self.inner is not None else default

    def found(self, path: PathKey, value: Any, detail: str) -> Found:
        return Found(value, self.location(path), detail)


def embedded(document: Document, path: PathKey, what: str) -> _Embedded | None:
    """Parse the YAML string at ``path``; invalid YAML is a problem at its line in the host."""
    text = document.get(path)
    if not isinstance(text, str) or not text.strip():
        return None
    loaded = load_bytes(text.encode("utf-8"), f"{document.file}#{what}.yaml")
    result = _Embedded(document, path, loaded.documents[0] if loaded.documents else None)
    host = document.location(path)
    span = document.span(path)
    for problem in loaded.problems:
        inner = problem.location.line
        where = (
            Location(host.file, host.line + inner, 1)
            if span is not None and span.style == "|"
            else host
        )
        message = problem.message.replace("invalid YAML: ", "")
        result.problems.append(
            ManifestProblem(
                where, f"{what} is not valid YAML (line {inner} of the embedded text): {message}"
            )
        )
    return result


class RayAdapter(Adapter):
    name = "ray"
    description = "KubeRay RayService, RayCluster and RayJob with accelerators or model servers"

    def matches(self, document: Document) -> bool:
        group, kind = api_group(document)
        return group == GROUP and kind in CLUSTER_PATHS

    def read(self, document: Document, context: ReadContext = NO_CONTEXT) -> AdaptResult:
        _, kind = api_group(document)
        cluster = CLUSTER_PATHS[kind]
        problems: list[ManifestProblem] = []
        groups = _groups(document, cluster)
        for group in groups:
            problems.extend(group.pod.problems)
        serve = (
            embedded(document, ("spec", "serveConfigV2"), "spec.serveConfigV2")
            if kind == "RayService"
            else None
        )
        runtime = (
            embedded(document, ("spec", "runtimeEnvYAML"), "spec.runtimeEnvYAML")
            if kind == "RayJob"
            else None
        )
        for part in (serve, runtime):
            if part is not None:
                problems.extend(part.problems)
        apps = _Serve(serve) if serve is not None else _Serve(None)
        if not (
            any(
                g.devices or g.pod.is_ai or (g.count is not None and unresolved(g.count.value))
                for g in groups
            )
            or apps.is_ai
            or _ml_packages(runtime)
            or has_greengate_annotation(document)
        ):
            return AdaptResult(problems=problems)
        reader = FactReader(document)
        problems.extend(read_annotations(reader))
        primary = _primary(groups)
        put(
            reader,
            "model.name",
            pick([*apps.models, *_runtime_models(runtime), *_pod_models(groups)], "model"),
        )
        if primary is not None:
            count = multiplied(primary.count, primary.hosts, f"{primary.hosts} hosts (numOfHosts)")
            put_pod(reader, primary.pod, count=count)
            self._replicas(reader, document, cluster, primary)
            _labels(reader, document, primary)
        else:
            put(reader, "hardware.count", apps.gpus)
            put(reader, "replicas.min", apps.replicas_min)
            put(reader, "replicas.max", apps.replicas_max)
        put(reader, "hardware.accelerator", apps.accelerator)
        if primary is not None:
            _labels(reader, document, primary, accelerator=True)
        put(reader, "rateLimits.concurrency", apps.concurrency)
        put(reader, "model.precision", apps.precision)
        for group in groups:
            put_pod(reader, group.pod, hardware=False)
        self._workload(reader, document, kind, groups)
        if primary is not None:
            anchor_pod(reader, primary.pod, primary.path)
            reader.anchor("replicas", (*primary.path, "replicas"), primary.path)
        reader.anchor("hardware", (*cluster, "workerGroupSpecs"), cluster, ("spec",))
        reader.anchor("model", ("spec", "serveConfigV2"), ("spec",))
        return AdaptResult([finish(reader, kind=kind, format=self.name, hints=HINTS)], problems)

    def _replicas(
        self, reader: FactReader, document: Document, cluster: PathKey, group: _Group
    ) -> None:
        if group.head:
            return
        autoscaling = document.get((*cluster, "enableInTreeAutoscaling")) is True
        keys = ("minReplicas", "maxReplicas") if autoscaling else ("replicas", "replicas")
        for name, key in zip(("replicas.min", "replicas.max"), keys, strict=True):
            path = (*group.path, key)
            value = whole_number(document.get(path))
            if value is None and not autoscaling:
                path = (*group.path, "minReplicas" if name == "replicas.min" else "maxReplicas")
                value = whole_number(document.get(path))
            if value is not None and value >= 0:
                why = "the cluster autoscales" if autoscaling else "the cluster does not autoscale"
                put(
                    reader,
                    name,
                    Found(
                        value,
                        document.location(path),
                        f"worker group {group.name} {path[-1]} ({why})",
                    ),
                )

    def _workload(
        self, reader: FactReader, document: Document, kind: str, groups: list[_Group]
    ) -> None:
        where = document.location(("kind",))
        if kind == "RayService":
            put(
                reader,
                "workload",
                Found("inference", where, "a RayService serves requests", FactSource.DERIVED),
            )
            return
        name = (
            document.get(("metadata", "name")) or document.get(("metadata", "generateName")) or ""
        )
        entrypoint = document.get(("spec", "entrypoint"))
        texts = [str(name), str(entrypoint or ""), *(g.pod.text() for g in groups)]
        workload, why = batch_workload(*texts)
        if kind == "RayCluster" and workload == "batch":
            return  # a bare cluster runs whatever is submitted to it
        what = "a RayJob runs to completion" if kind == "RayJob" else "a RayCluster"
        put(reader, "workload", Found(workload, where, f"{what}; {why}", FactSource.DERIVED))


def _groups(document: Document, cluster: PathKey) -> list[_Group]:
    groups: list[_Group] = []
    head = (*cluster, "headGroupSpec")
    if isinstance(document.get(head), dict):
        groups.append(_group(document, head, "head", head=True))
    workers = document.get((*cluster, "workerGroupSpecs"))
    for i, worker in enumerate(workers if isinstance(workers, list) else []):
        if isinstance(worker, dict):
            path = (*cluster, "workerGroupSpecs", i)
            name = worker.get("groupName")
            groups.append(_group(document, path, str(name) if name else f"#{i + 1}", head=False))
    return groups


def _group(document: Document, path: PathKey, name: str, *, head: bool) -> _Group:
    pod = read_pod(
        document,
        (*path, "template", "spec"),
        labels=[(*path, "template", "metadata", "labels"), ("metadata", "labels")],
    )
    count = pod.count
    if count is None or (isinstance(count.value, int) and count.value == 0):
        count = _ray_gpus(document, path) or count
    hosts = whole_number(document.get((*path, "numOfHosts")))
    return _Group(path, name, pod, count, hosts if hosts is not None and hosts > 0 else 1, head)


def _ray_gpus(document: Document, group: PathKey) -> Found | None:
    """Accelerators Ray is told a pod has: ``rayStartParams.num-gpus``, then ``resources``."""
    for path, detail in (
        ((*group, "rayStartParams", "num-gpus"), "rayStartParams num-gpus"),
        ((*group, "resources", "GPU"), "Ray resources GPU"),
        ((*group, "resources", "TPU"), "Ray resources TPU"),
    ):
        raw = document.get(path)
        number = whole_number(raw)
        if number is not None and number > 0:
            return Found(number, document.location(path), detail)
    return None


def _primary(groups: list[_Group]) -> _Group | None:
    workers = [g for g in groups if not g.head and g.devices > 0]
    if workers:
        return max(workers, key=lambda g: g.devices)
    head = next((g for g in groups if g.head and g.devices > 0), None)
    if head is not None:
        return head
    for group in groups:
        if not group.head and (
            group.pod.is_ai or (group.count is not None and unresolved(group.count.value))
        ):
            return group
    return next((g for g in groups if g.pod.is_ai), None)


def _labels(
    reader: FactReader, document: Document, group: _Group, *, accelerator: bool = False
) -> None:
    """Ray node labels of the group: ``ray.io/region``, or ``ray.io/accelerator-type``."""
    key, fact = (
        ("ray.io/accelerator-type", "hardware.accelerator")
        if accelerator
        else ("ray.io/region", "cloud.region")
    )
    path = (*group.path, "labels", key)
    value = document.get(path)
    if isinstance(value, str) and value.strip():
        put(
            reader,
            fact,
            Found(
                value.strip(),
                document.location(path),
                f"Ray node label {key} of group {group.name}",
            ),
        )


def _pod_models(groups: list[_Group]) -> list[Found]:
    return [g.pod.model for g in groups if g.pod.model is not None]


def _env_models(part: _Embedded, env: PathKey, where: str) -> list[Found]:
    values = part.get(env)
    found: list[Found] = []
    if not isinstance(values, dict):
        return found
    for name in MODEL_ENV:
        value = values.get(name)
        if isinstance(value, str) and value.strip():
            found.append(part.found((*env, name), model_id(value), f"{where} env_vars {name}"))
    return found


def _runtime_models(runtime: _Embedded | None) -> list[Found]:
    if runtime is None:
        return []
    return _env_models(runtime, ("env_vars",), "spec.runtimeEnvYAML")


def _ml_packages(runtime: _Embedded | None) -> bool:
    if runtime is None:
        return False
    return _has_ml_packages(runtime.get(("pip",)))


def _has_ml_packages(pip: Any) -> bool:
    if isinstance(pip, dict):
        pip = pip.get("packages")
    return isinstance(pip, list) and any(isinstance(p, str) and _ML_PACKAGES.match(p) for p in pip)


class _Serve:
    """What ``serveConfigV2`` says, summed up over its applications."""

    def __init__(self, part: _Embedded | None) -> None:
        self.models: list[Found] = []
        self.accelerator: Found | None = None
        self.concurrency: Found | None = None
        self.precision: Found | None = None
        self.gpus: Found | None = None
        self.replicas_min: Found | None = None
        self.replicas_max: Found | None = None
        self.is_ai = False
        if part is None:
            return
        apps = part.get(("applications",))
        for i, app in enumerate(apps if isinstance(apps, list) else []):
            if isinstance(app, dict):
                self._application(part, ("applications", i), app)

    def _application(self, part: _Embedded, path: PathKey, app: dict[str, Any]) -> None:
        self.models.extend(_env_models(part, (*path, "runtime_env", "env_vars"), "serveConfigV2"))
        runtime = app.get("runtime_env")
        if isinstance(runtime, dict) and _has_ml_packages(runtime.get("pip")):
            self.is_ai = True
        args = app.get("args")
        if isinstance(args, dict):
            for key in ("model_id", "model", "model_name"):
                if isinstance(args.get(key), str):
                    self.models.append(
                        part.found(
                            (*path, "args", key), model_id(args[key]), f"serveConfigV2 args.{key}"
                        )
                    )
            configs = args.get("llm_configs")
            for j, config in enumerate(configs if isinstance(configs, list) else []):
                if isinstance(config, dict):
                    self.is_ai = True
                    self._llm_config(part, (*path, "args", "llm_configs", j), config)
        deployments = app.get("deployments")
        for j, deployment in enumerate(deployments if isinstance(deployments, list) else []):
            if isinstance(deployment, dict):
                self._deployment(part, (*path, "deployments", j), deployment)

    def _llm_config(self, part: _Embedded, path: PathKey, config: dict[str, Any]) -> None:
        loading = config.get("model_loading_config")
        if isinstance(loading, dict):
            for key in ("model_source", "model_id"):
                if isinstance(loading.get(key), str) and loading[key].strip():
                    value = model_id(loading[key])
                    self.models.append(
                        part.found(
                            (*path, "model_loading_config", key),
                            value,
                            f"serveConfigV2 llm_configs {key}",
                        )
                    )
        accelerator = config.get("accelerator_type")
        if self.accelerator is None and isinstance(accelerator, str) and accelerator.strip():
            self.accelerator = part.found(
                (*path, "accelerator_type"),
                accelerator.strip(),
                "serveConfigV2 llm_configs accelerator_type",
            )
        engine = config.get("engine_kwargs")
        if isinstance(engine, dict):
            seqs = whole_number(engine.get("max_num_seqs"))
            if self.concurrency is None and seqs:
                self.concurrency = part.found(
                    (*path, "engine_kwargs", "max_num_seqs"),
                    seqs,
                    "serveConfigV2 engine_kwargs max_num_seqs",
                )
            for key in ("quantization", "dtype"):
                precision = precision_name(engine.get(key)) if engine.get(key) else None
                if self.precision is None and precision:
                    self.precision = part.found(
                        (*path, "engine_kwargs", key),
                        precision,
                        f"serveConfigV2 engine_kwargs {key} {engine[key]}",
                    )
            parallel = (whole_number(engine.get("tensor_parallel_size")) or 1) * (
                whole_number(engine.get("pipeline_parallel_size")) or 1
            )
            if self.gpus is None:
                where = (*path, "engine_kwargs")
                self.gpus = Found(
                    parallel,
                    part.location(where),
                    "serveConfigV2 engine_kwargs tensor x pipeline parallel size",
                    FactSource.DERIVED,
                )
        settings = config.get("deployment_config")
        if isinstance(settings, dict):
            self._deployment(part, (*path, "deployment_config"), settings)

    def _deployment(self, part: _Embedded, path: PathKey, deployment: dict[str, Any]) -> None:
        ongoing = whole_number(deployment.get("max_ongoing_requests"))
        if ongoing and (self.concurrency is None or "max_num_seqs" in self.concurrency.detail):
            self.concurrency = part.found(
                (*path, "max_ongoing_requests"),
                ongoing,
                "serveConfigV2 max_ongoing_requests (per replica)",
            )
        options = deployment.get("ray_actor_options")
        if isinstance(options, dict):
            gpus = options.get("num_gpus")
            if isinstance(gpus, int | float) and not isinstance(gpus, bool) and gpus > 0:
                self.is_ai = True
                if self.gpus is None or self.gpus.source is FactSource.DERIVED:
                    value = int(gpus) if float(gpus).is_integer() else gpus
                    self.gpus = part.found(
                        (*path, "ray_actor_options", "num_gpus"),
                        value,
                        "serveConfigV2 ray_actor_options num_gpus (per Serve replica)",
                    )
        for name, found in _serve_replicas(part, path, deployment):
            if getattr(self, name) is None:
                setattr(self, name, found)


def _serve_replicas(
    part: _Embedded, path: PathKey, deployment: dict[str, Any]
) -> Iterator[tuple[str, Found]]:
    scaling = deployment.get("autoscaling_config")
    if isinstance(scaling, dict):
        for name, key in (("replicas_min", "min_replicas"), ("replicas_max", "max_replicas")):
            value = whole_number(scaling.get(key))
            if value is not None and value >= 0:
                yield (
                    name,
                    part.found(
                        (*path, "autoscaling_config", key),
                        value,
                        f"serveConfigV2 autoscaling_config {key}",
                    ),
                )
    replicas = whole_number(deployment.get("num_replicas"))
    if replicas is not None and replicas >= 0:
        found = part.found((*path, "num_replicas"), replicas, "serveConfigV2 num_replicas")
        yield "replicas_min", found
        yield "replicas_max", found
