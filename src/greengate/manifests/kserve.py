"""KServe: InferenceService (``serving.kserve.io/v1beta1``) and LLMInferenceService.

Every InferenceService and LLMInferenceService is a deployment: they exist
only to serve models.

InferenceService (one deployment, the predictor; transformers and
explainers are pre/post-processing and are not counted):

- model: ``spec.predictor.model.storageUri``, the legacy
  ``spec.predictor.<framework>.storageUri``, or a ``STORAGE_URI`` env of
  a custom container (``hf://org/model`` is read as ``org/model``), then the
  container's own ``--model``/``MODEL_ID`` (see
  :mod:`~greengate.manifests.kube.pods`);
- accelerators: ``resources.limits`` of the model spec and of
  ``spec.predictor.containers[]``; type from the predictor's
  ``nodeSelector``/affinity, else the ``serving.kserve.io/gke-accelerator``
  annotation;
- replicas: ``spec.predictor.minReplicas``/``maxReplicas``;
- concurrency: ``spec.predictor.containerConcurrency`` (a hard limit), then
  ``scaleTarget`` when ``scaleMetric`` is ``concurrency``, then the
  ``autoscaling.knative.dev/target`` annotation (a soft target per pod)
  when the metric is concurrency (Knative's default), then the model
  server's ``--max-num-seqs``;
- task: ``--task`` (``text_generation`` -> ``text-generation``...). The
  ``modelFormat`` alone does not tell the task (``huggingface`` serves
  generation, embedding and classification alike), so it is not used.

LLMInferenceService (``serving.kserve.io/v1alpha1``/``v1alpha2``):

- model: ``spec.model.uri`` when it is ``hf://`` (the id), else
  ``spec.model.name``, else the uri (``pvc://...``);
- a replica is one copy of the model: ``spec.template`` (the leader) plus,
  when ``spec.worker`` is set, ``size - 1`` worker pods, where ``size`` is
  ``parallelism.data / parallelism.dataLocal`` (data parallel) or
  ``parallelism.pipeline`` (as KServe sizes its LeaderWorkerSet);
  ``replicas`` is ``spec.replicas``;
- ``spec.prefill`` (disaggregated prefill) is its own pool of hardware with
  its own replicas: it becomes a second deployment named ``<name>/prefill``;
- KServe's managed Dynamic Resource Allocation (``serving.kserve.io/exp-dra-*``
  annotations, KServe 0.20): ``exp-dra-device-class`` of an accelerator class
  (``gpu.nvidia.com``) asks for ``exp-dra-device-count`` devices (one when no
  count is given), and a ``productName`` in ``exp-dra-cel-selector`` names
  the accelerator (:mod:`~greengate.manifests.kube.claims`).
"""

from __future__ import annotations

from greengate.load import Document, PathKey
from greengate.manifests.base import (
    NO_CONTEXT,
    Adapter,
    AdaptResult,
    FactReader,
    ManifestProblem,
    ReadContext,
)
from greengate.manifests.kube.annotations import (
    annotations_of,
    finish,
    kubernetes_hints,
    read_annotations,
)
from greengate.manifests.kube.claims import ACCELERATOR_CLASS, product_of
from greengate.manifests.kube.containers import container_paths, env_values
from greengate.manifests.kube.engines import model_id
from greengate.manifests.kube.objects import api_group, object_name
from greengate.manifests.kube.pods import Pod, anchor_pod, put_pod, read_pod
from greengate.manifests.kube.values import Found, multiplied, pick, put, unresolved, whole_number
from greengate.records.deployment import Deployment, FactSource

GROUP = "serving.kserve.io"
KINDS = ("InferenceService", "LLMInferenceService")
FRAMEWORKS = (
    "sklearn",
    "xgboost",
    "lightgbm",
    "tensorflow",
    "pytorch",
    "torchserve",
    "triton",
    "onnx",
    "pmml",
    "paddle",
    "huggingface",
    "tensorrt",
)
GKE_ACCELERATOR_ANNOTATION = "serving.kserve.io/gke-accelerator"
TARGET_ANNOTATION = "autoscaling.knative.dev/target"
METRIC_ANNOTATION = "autoscaling.knative.dev/metric"

HINTS = kubernetes_hints(
    {
        "hardware.accelerator": "add a nodeSelector such as cloud.google.com/gke-accelerator: <type> or node.kubernetes.io/instance-type: <type> under spec.predictor, or the annotation greengate.dev/accelerator: <type> to metadata.annotations",
        "hardware.count": "request the accelerators in spec.predictor.model.resources.limits (nvidia.com/gpu: <n>), or add the annotation greengate.dev/accelerator-count: <n> to metadata.annotations",
    }
)
LLM_HINTS = kubernetes_hints(
    {
        "hardware.accelerator": "add a nodeSelector such as cloud.google.com/gke-accelerator: <type> to spec.template, or the annotation greengate.dev/accelerator: <type> to metadata.annotations",
        "hardware.count": "request the accelerators in spec.template.containers[].resources.limits (nvidia.com/gpu: <n>), or add the annotation greengate.dev/accelerator-count: <n> to metadata.annotations",
    }
)


class KServeAdapter(Adapter):
    name = "kserve"
    description = "KServe InferenceService and LLMInferenceService"

    def matches(self, document: Document) -> bool:
        group, kind = api_group(document)
        return group == GROUP and kind in KINDS

    def read(self, document: Document, context: ReadContext = NO_CONTEXT) -> AdaptResult:
        _, kind = api_group(document)
        if kind == "InferenceService":
            return self._inference_service(document)
        return self._llm_inference_service(document)

    # --- InferenceService ------------------------------------------------------------------

    def _inference_service(self, document: Document) -> AdaptResult:
        predictor: PathKey = ("spec", "predictor")
        reader = FactReader(document)
        problems = read_annotations(reader)
        model_spec = _model_spec(document, predictor)
        containers: list[PathKey] = [model_spec] if model_spec else []
        containers.extend(container_paths(document, predictor, problems))
        labels = [(*predictor, "labels"), ("metadata", "labels")]
        pod = read_pod(document, predictor, containers=containers, labels=labels)
        problems.extend(pod.problems)
        candidates: list[Found] = []
        for path in containers:
            uri = document.get((*path, "storageUri"))
            if isinstance(uri, str) and uri.strip():
                candidates.append(
                    Found(model_id(uri), document.location((*path, "storageUri")), "storageUri")
                )
        for container in pod.containers:
            candidates.extend(
                Found(model_id(f.value), f.location, f.detail)
                for f in env_values(container, ("STORAGE_URI",), document)
            )
        if pod.model is not None:
            candidates.append(pod.model)
        put(reader, "model.name", pick(candidates, "model"))
        annotation = annotations_of(document).get(GKE_ACCELERATOR_ANNOTATION)
        if pod.accelerator is None and isinstance(annotation, str) and annotation.strip():
            path = ("metadata", "annotations", GKE_ACCELERATOR_ANNOTATION)
            pod.accelerator = Found(
                annotation.strip(),
                document.location(path),
                f"annotation {GKE_ACCELERATOR_ANNOTATION}",
            )
        for name, key in (("replicas.min", "minReplicas"), ("replicas.max", "maxReplicas")):
            put(reader, name, _number(document, (*predictor, key), f"spec.predictor.{key}"))
        put(reader, "rateLimits.concurrency", _concurrency(document, predictor))
        put_pod(reader, pod)
        put(
            reader,
            "workload",
            Found(
                "inference",
                document.location(("kind",)),
                "an InferenceService serves requests",
                FactSource.DERIVED,
            ),
        )
        anchor_pod(reader, pod, predictor)
        if model_spec:
            reader.anchor("model", model_spec, predictor)
            reader.anchor("hardware", (*model_spec, "resources"), model_spec, predictor)
        reader.anchor("replicas", (*predictor, "minReplicas"), predictor, ("spec",))
        return AdaptResult(
            [finish(reader, kind="InferenceService", format=self.name, hints=HINTS)], problems
        )

    # --- LLMInferenceService ----------------------------------------------------------------

    def _llm_inference_service(self, document: Document) -> AdaptResult:
        problems: list[ManifestProblem] = []
        deployments = [self._llm_pool(document, ("spec",), None, problems)]
        if isinstance(document.get(("spec", "prefill")), dict):
            deployments.append(self._llm_pool(document, ("spec", "prefill"), "prefill", problems))
        return AdaptResult(deployments, problems)

    def _llm_pool(
        self, document: Document, pool: PathKey, role: str | None, problems: list[ManifestProblem]
    ) -> Deployment:
        reader = FactReader(document)
        annotation_problems = read_annotations(reader)
        if role is None:  # the same annotations are read again for the prefill pool
            problems.extend(annotation_problems)
        labels = [("spec", "labels"), ("metadata", "labels")]
        leader = read_pod(document, (*pool, "template"), labels=labels)
        has_worker = isinstance(document.get((*pool, "worker")), dict)
        worker = read_pod(document, (*pool, "worker"), labels=labels) if has_worker else None
        problems.extend(leader.problems)
        if worker is not None:
            problems.extend(worker.problems)
        put(reader, "model.name", _llm_model(document))
        _managed_dra(reader, problems if role is None else [])
        size, why = _group_size(document, pool) if worker is not None else (1, "")
        count = _llm_count(leader, worker, size, why)
        main = leader if leader.is_ai or worker is None else worker
        put_pod(reader, main, count=count)
        if worker is not None:
            put_pod(reader, worker, skip_count=True)
        replicas = _number(document, (*pool, "replicas"), f"{_show(pool)}.replicas")
        put(reader, "replicas.min", replicas)
        put(reader, "replicas.max", replicas)
        what = "the prefill pool of an LLMInferenceService" if role else "an LLMInferenceService"
        workload = Found(
            "inference", document.location(("kind",)), f"{what} serves requests", FactSource.DERIVED
        )
        put(reader, "workload", workload)
        anchor_pod(reader, main, pool)
        reader.anchor("model", ("spec", "model"), ("spec",))
        reader.anchor("replicas", (*pool, "replicas"), pool)
        name = None
        if role is not None:
            name = f"{object_name(document, 'LLMInferenceService')[0]}/{role}"
        return finish(
            reader, kind="LLMInferenceService", format=self.name, hints=LLM_HINTS, name=name
        )


MANAGED_DRA = "serving.kserve.io/exp-dra-"


def _managed_dra(reader: FactReader, problems: list[ManifestProblem]) -> None:
    """KServe's managed DRA annotations: the device class, the count and a CEL product selector."""
    document = reader.document
    annotations = annotations_of(document)
    device_class = annotations.get(f"{MANAGED_DRA}device-class")
    if not isinstance(device_class, str) or not ACCELERATOR_CLASS.search(device_class):
        return
    path: PathKey = ("metadata", "annotations", f"{MANAGED_DRA}device-class")
    note = f"KServe managed DRA, device class {device_class.strip()}"
    raw = annotations.get(f"{MANAGED_DRA}device-count")
    count_path: PathKey = ("metadata", "annotations", f"{MANAGED_DRA}device-count")
    if raw is None:
        put(
            reader,
            "hardware.count",
            Found(
                1,
                document.location(path),
                f"{note}: one device (no {MANAGED_DRA}device-count)",
                FactSource.DERIVED,
            ),
        )
    elif unresolved(raw):
        put(reader, "hardware.count", Found(raw, document.location(count_path), note))
    else:
        number = whole_number(raw)
        if number is None or number < 1:
            problems.append(
                ManifestProblem(
                    document.location(count_path),
                    f"annotation {MANAGED_DRA}device-count: {raw!r} is not a whole number of devices",
                )
            )
        else:
            detail = f"annotation {MANAGED_DRA}device-count ({note})"
            put(reader, "hardware.count", Found(number, document.location(count_path), detail))
    selector = annotations.get(f"{MANAGED_DRA}cel-selector")
    product = product_of(selector) if isinstance(selector, str) else None
    if product is not None:
        where = document.location(("metadata", "annotations", f"{MANAGED_DRA}cel-selector"))
        put(
            reader,
            "hardware.accelerator",
            Found(product, where, f"productName in annotation {MANAGED_DRA}cel-selector"),
        )


def _show(path: PathKey) -> str:
    return ".".join(str(p) for p in path)


def _model_spec(document: Document, predictor: PathKey) -> PathKey | None:
    """``spec.predictor.model``, or the legacy ``spec.predictor.<framework>``."""
    if isinstance(document.get((*predictor, "model")), dict):
        return (*predictor, "model")
    for framework in FRAMEWORKS:
        if isinstance(document.get((*predictor, framework)), dict):
            return (*predictor, framework)
    return None


def _number(document: Document, path: PathKey, detail: str) -> Found | None:
    raw = document.get(path)
    if raw is None:
        return None
    number = whole_number(raw)
    if number is not None and number >= 0:
        return Found(number, document.location(path), detail)
    return Found(raw, document.location(path), detail) if unresolved(raw) else None


def _concurrency(document: Document, predictor: PathKey) -> Found | None:
    hard = _number(
        document,
        (*predictor, "containerConcurrency"),
        "spec.predictor.containerConcurrency (hard limit per pod)",
    )
    if hard is not None and hard.value != 0:
        return hard
    metric = document.get((*predictor, "scaleMetric"))
    if metric in (None, "concurrency"):
        target = _number(
            document,
            (*predictor, "scaleTarget"),
            "spec.predictor.scaleTarget (autoscaling target per pod)",
        )
        if target is not None and target.value != 0:
            return target
    annotations = annotations_of(document)
    if (
        annotations.get(METRIC_ANNOTATION, "concurrency") == "concurrency"
        and TARGET_ANNOTATION in annotations
    ):
        path = ("metadata", "annotations", TARGET_ANNOTATION)
        target = _number(
            document, path, f"annotation {TARGET_ANNOTATION} (autoscaling target per pod)"
        )
        if target is not None and target.value != 0:
            return target
    return None


def _llm_model(document: Document) -> Found | None:
    uri = document.get(("spec", "model", "uri"))
    name = document.get(("spec", "model", "name"))
    candidates: list[Found] = []
    if isinstance(uri, str) and uri.strip().lower().startswith("hf://"):
        candidates.append(
            Found(model_id(uri), document.location(("spec", "model", "uri")), "spec.model.uri")
        )
    if isinstance(name, str) and name.strip():
        candidates.append(
            Found(name.strip(), document.location(("spec", "model", "name")), "spec.model.name")
        )
    if isinstance(uri, str) and uri.strip() and not uri.strip().lower().startswith("hf://"):
        candidates.append(
            Found(uri.strip(), document.location(("spec", "model", "uri")), "spec.model.uri")
        )
    return pick(candidates, "model")


def _group_size(document: Document, pool: PathKey) -> tuple[int, str]:
    """Pods per replica when a worker is set, as KServe sizes its LeaderWorkerSet."""
    parallelism = (*pool, "parallelism")
    data = whole_number(document.get((*parallelism, "data")))
    local = whole_number(document.get((*parallelism, "dataLocal")))
    pipeline = whole_number(document.get((*parallelism, "pipeline")))
    if (data or 0) > 0 or (local or 0) > 0:
        size = max(max(data or 1, 1) // max(local or 1, 1), 1)
        return size, f"parallelism.data {data or 1} / dataLocal {local or 1}"
    if (pipeline or 0) > 0:
        assert pipeline is not None
        return pipeline, f"parallelism.pipeline {pipeline}"
    return 1, ""


def _llm_count(leader: Pod, worker: Pod | None, size: int, why: str) -> Found | None:
    if worker is None or size <= 1:
        return leader.count
    first = leader.count if leader.devices else worker.count
    if first is None or not isinstance(first.value, int):
        return multiplied(leader.count, size, f"{size} pods ({why})")
    total = leader.devices + worker.devices * (size - 1)
    detail = (
        f"template {leader.devices} + {size - 1} workers x {worker.devices} ({size} pods: {why})"
    )
    return Found(total, first.location, detail, FactSource.DERIVED)
