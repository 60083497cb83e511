"""What a Kubernetes pod spec says about the AI workload it runs.

Shared by every Kubernetes-family adapter: given the path of a pod spec (and
of its containers), :func:`read_pod` finds

- the accelerators each pod requests: the sum over its containers of
  ``resources.limits`` (or, when a container has no limit, ``requests``) for
  ``nvidia.com/gpu``, ``google.com/tpu``, ``aws.amazon.com/neuron``,
  ``aws.amazon.com/neuroncore``, ``amd.com/gpu``, ``habana.ai/gaudi``,
  ``gpu.intel.com/*`` and ``nvidia.com/mig-*`` (:mod:`.resources`);
- the accelerator type and instance type from ``nodeSelector`` and from the
  ``requiredDuringSchedulingIgnoredDuringExecution`` node affinity (a single
  term whose ``In`` expression has exactly one value), in the order of
  :data:`~.scheduling.ACCELERATOR_LABELS` and
  :data:`~.scheduling.INSTANCE_TYPE_LABELS` (:mod:`.scheduling`);
- the model, from the model server's command line (vLLM ``--model X``,
  ``--model=X`` or ``vllm serve X``; TGI ``--model-id``; SGLang
  ``--model-path``; JetStream ``--model_id``; MaxText ``model_name=X``;
  ``ollama run X``), then from the environment (``MODEL_ID``,
  ``HF_MODEL_ID``, ``MODEL_NAME``, ``MODEL``, ``NIM_MODEL_NAME``), then from a
  model directory (Triton ``--model-repository``, TF Serving
  ``--model_base_path``), and last from the ``ai.gke.io/model`` label
  (the servers' flags and environment are in :mod:`.engines`).
  ``--served-model-name`` is only the name clients use, never the model.
  Within each source, the container that requests the accelerators (or runs
  a recognised model server) comes first. The first value that is not a
  placeholder wins; the other values found are named in the fact's
  ``detail`` (so a label that disagrees with ``--model`` shows up there);
- concurrency (``--max-num-seqs``, ``--max-concurrent-requests``,
  ``--max-running-requests``, ``MAX_CONCURRENT_REQUESTS``), tensor and
  pipeline parallelism (``--tensor-parallel-size``, ``--num-shard``,
  ``NUM_SHARD``, ``--pipeline-parallel-size``), the task (``--task``) and the
  weights' precision (``--quantization``/``--quantize``/``QUANTIZE``, then
  ``--dtype``), named in greengate's vocabulary
  (:mod:`greengate.manifests.vocab`).

Arguments are read as Kubernetes runs them: ``$(VAR)`` is replaced by the
container's ``env`` value, and a script passed to a shell
(``["/bin/sh", "-c", "vllm serve ..."]``) is split with :mod:`shlex` (and
still read when its quotes do not balance), with ``$VAR``/``${VAR}`` taken
from the same ``env``. ``VLLM_ADDITIONAL_ARGS`` (llm-d, KServe) is read as
more arguments (:mod:`.shell`, :mod:`.containers`). A value that stays a
variable is a placeholder: it is set aside as unresolved, never used.

Beyond extended resources:

- Dynamic Resource Allocation: a pod with no accelerator resource but
  ``resourceClaims`` counts the devices its claims' templates request
  (:mod:`.claims`, found through the ``claims`` index the adapter passes);
- AWS Neuron: the accelerator is the instance family the node labels name
  (``inf2``, ``trn1``...; :func:`~.scheduling.neuron_family`), else
  ``aws-neuron`` with a hint naming the label to add;
  ``aws.amazon.com/neuroncore`` counts are converted to devices by the
  family's cores per device (:data:`~.resources.NEURON_CORES_PER_DEVICE`)
  and left missing when the family is unknown;
- CPU serving: a recognised model server whose pod requests and selects no
  accelerator (nor an instance type the catalog may resolve) runs on
  ``cpu``, a derived fact whose detail says why;
- region: ``topology.kubernetes.io/region`` (and its ``failure-domain``
  form, or an AWS/GCP-shaped zone) in the required node labels, then the
  containers' ``AWS_REGION``/``AWS_DEFAULT_REGION``/``GOOGLE_CLOUD_REGION``/
  ``CLOUD_ML_REGION``/``AZURE_REGION`` (:func:`put_region`: annotation >
  node selector > env, the others listed in the fact's detail).

:func:`put_pod` then records what the pod says as facts, and
:func:`anchor_pod` points the missing ones at the model container.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from greengate.load import Document, PathKey
from greengate.manifests.base import FactReader, ManifestProblem
from greengate.manifests.kube.claims import ClaimIndex, read_claims
from greengate.manifests.kube.containers import (
    Container,
    container_paths,
    env_values,
    flag_values,
    read_container,
)
from greengate.manifests.kube.engines import (
    CONCURRENCY_ENV,
    CONCURRENCY_FLAGS,
    DTYPE_ENV,
    DTYPE_FLAGS,
    MODEL_DIRECTORY_FLAGS,
    MODEL_ENV,
    MODEL_FLAGS,
    PIPELINE_FLAGS,
    QUANTIZATION_ENV,
    QUANTIZATION_FLAGS,
    TASK_FLAGS,
    TENSOR_ENV,
    TENSOR_FLAGS,
    model_id,
    positional_models,
    server_of,
    server_of_image,
)
from greengate.manifests.kube.resources import NEURON_CORES, NEURON_CORES_PER_DEVICE, is_neuron
from greengate.manifests.kube.scheduling import (
    accelerator_of,
    instance_type_of,
    neuron_family,
    node_count_of,
    node_selectors,
    region_hints,
)
from greengate.manifests.kube.values import Found, pick, put, unresolved, whole_number
from greengate.manifests.vocab import precision_name, task_name
from greengate.records.deployment import Fact, FactSource

# Labels of the pod template or the object (GKE's AI labels) naming the model and its server.
MODEL_LABEL = "ai.gke.io/model"
SERVER_LABEL = "ai.gke.io/inference-server"


@dataclass
class Pod:
    """What one pod spec says; each value knows where it is written."""

    spec: PathKey
    containers: list[Container] = field(default_factory=list)
    count: Found | None = None
    """Accelerators one pod requests (an int, or a placeholder)."""
    resource: str | None = None
    accelerator: Found | None = None
    instance_type: Found | None = None
    node_count: Found | None = None
    """``cloud.google.com/gke-accelerator-count``: accelerators per node, when the pod does not say."""
    model: Found | None = None
    concurrency: Found | None = None
    parallel: Found | None = None
    """Tensor x pipeline parallel size: how many accelerators the model server spreads over."""
    task: Found | None = None
    precision: Found | None = None
    server: str | None = None
    primary: Container | None = None
    selectors: dict[str, Found] = field(default_factory=dict)
    problems: list[ManifestProblem] = field(default_factory=list)
    cores: Found | None = None
    """NeuronCores requested when they could not be converted to devices (the family is unknown)."""
    claimed: Found | None = None
    """The first Dynamic Resource Allocation claim of an accelerator (:mod:`.claims`)."""
    architecture: Found | None = None
    """The accelerator architecture a DRA selector names, when it names no product."""
    cpu: Found | None = None
    """``cpu`` when a recognised model server runs with no accelerator requested or selected."""
    regions: list[Found] = field(default_factory=list)
    """Regions the node labels (then the environment) name, best first (:func:`region_candidates`)."""
    hints: dict[str, str] = field(default_factory=dict)
    """How to declare a fact this pod leaves missing, when it knows better than the format's hint."""

    @property
    def devices(self) -> int:
        """Accelerators per pod as a number (0 when unknown or a placeholder)."""
        value = self.count.value if self.count is not None else 0
        return value if isinstance(value, int) else 0

    @property
    def requests_accelerators(self) -> bool:
        if self.cores is not None or self.claimed is not None:
            return True
        return self.count is not None and (self.devices > 0 or unresolved(self.count.value))

    @property
    def is_ai(self) -> bool:
        """Requests accelerators (even in an unreadable count), selects accelerator nodes, or
        runs a recognised model server."""
        return (
            self.requests_accelerators
            or self.accelerator is not None
            or self.server is not None
            or any(p.accelerator for p in self.problems)
        )

    def text(self) -> str:
        """Names, images and command lines, for recognising what the pod does."""
        parts: list[str] = []
        for container in self.containers:
            parts.extend([container.name, container.image, *container.words])
        return " ".join(parts)


def read_pod(
    document: Document,
    spec: PathKey,
    *,
    containers: Sequence[PathKey] | None = None,
    labels: Sequence[PathKey] = (),
    claims: ClaimIndex | None = None,
) -> Pod:
    """Read the pod spec at ``spec`` (its ``containers``, or the given container paths).

    ``labels`` are label mappings to look in for ``ai.gke.io/model`` (the pod
    template's, the object's). ``claims`` finds the ResourceClaimTemplates the
    pod's DRA claims name (in its file and folder); without it, a claim is
    known to ask for accelerators but not how many.
    """
    pod = Pod(spec)
    paths = (
        list(containers)
        if containers is not None
        else container_paths(document, spec, pod.problems)
    )
    for path in paths:
        container = read_container(document, path, pod.problems)
        if container is not None:
            pod.containers.append(container)
    counts = [c.count for c in pod.containers if c.count is not None]
    numbers = [c for c in counts if isinstance(c.value, int)]
    if numbers:
        first = numbers[0]
        detail = first.detail
        if len(numbers) > 1:
            detail = f"{detail}, summed over {len(numbers)} containers"
        pod.count = Found(sum(c.value for c in numbers), first.location, detail)
        pod.resource = next(c.resource for c in pod.containers if c.count is first)
    elif counts:
        pod.count = counts[0]
    ordered = _primary_first(pod)
    pod.primary = ordered[0] if ordered else None
    pod.server = next((s for s in (server_of(c) for c in ordered) if s), None)
    pod.selectors = node_selectors(document, spec)
    pod.accelerator = accelerator_of(pod.selectors)
    pod.instance_type = instance_type_of(pod.selectors)
    pod.node_count = node_count_of(pod.selectors)
    if pod.count is None:
        _claims(document, pod, paths, claims)
    _neuron(pod)
    _label_server(document, labels, pod)
    pod.model = pick(_model_candidates(document, ordered, labels), "model")
    pod.concurrency = pick(
        _numbers(_flag_and_env(document, ordered, CONCURRENCY_FLAGS, CONCURRENCY_ENV))
    )
    pod.parallel = _parallel(document, ordered)
    pod.task = _task(document, ordered)
    pod.precision = _precision(document, ordered)
    pod.regions = region_hints(pod.selectors) + _env_regions(document, ordered)
    _cpu(document, pod)
    return pod


def _claims(
    document: Document, pod: Pod, containers: Sequence[PathKey], index: ClaimIndex | None
) -> None:
    claims = read_claims(document, pod.spec, list(containers), index)
    if claims.requested is None:
        return
    pod.claimed = claims.requested
    pod.count = claims.count
    pod.accelerator = pod.accelerator or claims.accelerator
    pod.instance_type = pod.instance_type or claims.instance_type
    if pod.accelerator is not None and pod.accelerator.value == "aws-neuron":
        note = (
            "the DRA claim asks for an AWS Neuron device without its generation; add a CEL selector "
            'device.attributes["neuron.aws.com"].instanceType == "<trn2.48xlarge, inf2.xlarge, ...>" '
            "to the ResourceClaimTemplate, or the annotation greengate.dev/accelerator: <aws-trainium2, aws-inferentia2, ...>"
        )
        for name in ("hardware.generation", "hardware.tdpWatts", "hardware.launchYear"):
            pod.hints[name] = note
    pod.architecture = claims.architecture if pod.accelerator is None else None
    pod.hints.update(claims.hints)


_SELECT_NEURON = "node.kubernetes.io/instance-type: <inf2.xlarge, trn1.32xlarge, ...> or karpenter.k8s.aws/instance-family: <inf2|trn1|trn2> to the pod's nodeSelector"


def _neuron(pod: Pod) -> None:
    """AWS Neuron: the accelerator from the instance family; NeuronCores converted to devices."""
    if not is_neuron(pod.resource) or pod.count is None:
        return
    family = neuron_family(pod.selectors)
    if pod.accelerator is None:
        if family is not None:
            pod.accelerator = family.described(f"{family.detail}: AWS Neuron {pod.resource}")
        else:
            pod.accelerator = Found(
                "aws-neuron",
                pod.count.location,
                f"{pod.count.detail}: an AWS Neuron device of no stated generation",
                FactSource.DERIVED,
            )
            note = f"{pod.resource} is requested without the Neuron generation (Inferentia or Trainium, and which); add {_SELECT_NEURON}"
            for name in ("hardware.generation", "hardware.tdpWatts", "hardware.launchYear"):
                pod.hints[name] = note
    if pod.resource != NEURON_CORES or not isinstance(pod.count.value, int):
        return
    cores = pod.count
    per = NEURON_CORES_PER_DEVICE.get(str(family.value)) if family is not None else None
    if family is None or per is None:
        pod.count, pod.cores = None, cores
        pod.hints["hardware.count"] = (
            f"{NEURON_CORES}: {cores.value} at line {cores.location.line} counts NeuronCores, not devices, "
            f"and the instance family that says how many cores a device has is not stated; add {_SELECT_NEURON}, "
            "or the annotation greengate.dev/accelerator-count: <devices> to metadata.annotations"
        )
        return
    devices = -(-cores.value // per)
    rounded = "" if cores.value % per == 0 else ", rounded up to whole devices"
    detail = f"{cores.detail}: {cores.value} NeuronCores / {per} per {family.value} device{rounded}"
    pod.count = Found(devices, cores.location, detail, FactSource.DERIVED)


# Environment variables naming the region a workload runs in, and the provider each implies.
REGION_ENV = (
    ("AWS_REGION", "aws"),
    ("AWS_DEFAULT_REGION", "aws"),
    ("GOOGLE_CLOUD_REGION", "gcp"),
    ("CLOUD_ML_REGION", "gcp"),
    ("AZURE_REGION", "azure"),
)


def _env_regions(document: Document, ordered: Sequence[Container]) -> list[Found]:
    found: list[Found] = []
    for name, provider in REGION_ENV:
        for container in ordered:
            for value in env_values(container, (name,), document):
                if value.value:
                    found.append(value.described(f"env {name} ({provider})"))
    return found


def provider_of_env(found: Found) -> str | None:
    """The provider an ``env`` region hint names (``env AWS_REGION (aws)`` -> ``aws``)."""
    for name, provider in REGION_ENV:
        if found.detail == f"env {name} ({provider})":
            return provider
    return None


def _cpu(document: Document, pod: Pod) -> None:
    """A recognised model server with no accelerator requested or selected runs on CPUs."""
    if (
        pod.server is None
        or pod.requests_accelerators
        or pod.accelerator is not None
        or pod.architecture is not None
        or pod.instance_type is not None
        or pod.node_count is not None
        or (pod.count is not None and unresolved(pod.count.value))
    ):
        return
    container = next((c for c in _primary_first(pod) if server_of(c) is not None), pod.primary)
    if container is None:
        return
    if container.image and server_of_image(container.image):
        why, path = f"{pod.server} server image {container.image}", (*container.path, "image")
    else:
        why, path = f"runs the {pod.server} server", container.path
    pod.cpu = Found(
        "cpu",
        document.location(path),
        f"no accelerator requested or selected; {why}",
        FactSource.DERIVED,
    )


def _primary_first(pod: Pod) -> list[Container]:
    def rank(container: Container) -> int:
        count = container.count.value if container.count is not None else 0
        if isinstance(count, int) and count > 0:
            return 0
        if server_of(container) is not None:
            return 1
        return 2

    return sorted(pod.containers, key=rank)


def _flag_and_env(
    document: Document, ordered: Sequence[Container], flags: Sequence[str], env: Sequence[str]
) -> list[Found]:
    found: list[Found] = []
    for container in ordered:
        found.extend(flag_values(container, flags, document))
    for container in ordered:
        found.extend(env_values(container, env, document))
    return found


def _numbers(candidates: Iterable[Found]) -> list[Found]:
    out: list[Found] = []
    for found in candidates:
        if unresolved(found.value):
            out.append(found)
            continue
        number = whole_number(found.value)
        if number is not None and number > 0:
            out.append(Found(number, found.location, found.detail, found.source))
    return out


def _model_candidates(
    document: Document, ordered: Sequence[Container], labels: Sequence[PathKey]
) -> list[Found]:
    found: list[Found] = []
    for container in ordered:
        found.extend(flag_values(container, MODEL_FLAGS, document))
        found.extend(positional_models(container))
    for container in ordered:
        found.extend(env_values(container, MODEL_ENV, document))
    for container in ordered:
        found.extend(
            f.described(f"{f.detail} (a model directory)")
            for f in flag_values(container, MODEL_DIRECTORY_FLAGS, document)
        )
    for path in labels:
        value = document.get((*path, MODEL_LABEL))
        if isinstance(value, str) and value.strip():
            found.append(
                Found(
                    value.strip(), document.location((*path, MODEL_LABEL)), f"label {MODEL_LABEL}"
                )
            )
    return [
        Found(model_id(f.value), f.location, f.detail, f.source)
        for f in found
        if isinstance(f.value, str) and f.value
    ]


def _parallel(document: Document, ordered: Sequence[Container]) -> Found | None:
    tensor = pick(_numbers(_flag_and_env(document, ordered, TENSOR_FLAGS, TENSOR_ENV)))
    pipeline = pick(_numbers(_flag_and_env(document, ordered, PIPELINE_FLAGS, ())))
    if tensor is None or unresolved(tensor.value):
        return None
    if pipeline is None or unresolved(pipeline.value):
        return Found(
            tensor.value,
            tensor.location,
            f"tensor parallel size {tensor.value} ({tensor.detail})",
            FactSource.DERIVED,
        )
    value = tensor.value * pipeline.value
    detail = f"tensor parallel size {tensor.value} x pipeline parallel size {pipeline.value}"
    return Found(value, tensor.location, detail, FactSource.DERIVED)


def _task(document: Document, ordered: Sequence[Container]) -> Found | None:
    for found in _flag_and_env(document, ordered, TASK_FLAGS, ()):
        task = task_name(found.value)
        if task is not None:
            return Found(task, found.location, f"{found.detail} {found.value}")
    return None


def _precision(document: Document, ordered: Sequence[Container]) -> Found | None:
    for flags, env in ((QUANTIZATION_FLAGS, QUANTIZATION_ENV), (DTYPE_FLAGS, DTYPE_ENV)):
        for found in _flag_and_env(document, ordered, flags, env):
            precision = precision_name(found.value)
            if precision is not None:
                return Found(precision, found.location, f"{found.detail} {found.value}")
    return None


def _label_server(document: Document, labels: Sequence[PathKey], pod: Pod) -> None:
    if pod.server is not None:
        return
    for path in labels:
        value = document.get((*path, SERVER_LABEL))
        if isinstance(value, str) and value.strip():
            pod.server = value.strip()
            return


def put_pod(
    reader: FactReader,
    pod: Pod,
    *,
    count: Found | None = None,
    skip_count: bool = False,
    hardware: bool = True,
) -> None:
    """Record what ``pod`` says as facts.

    ``count`` replaces the pod's own accelerator count; ``skip_count`` leaves
    the count out (a pod of a group whose count was computed already), and
    ``hardware=False`` all hardware facts (a pod on other nodes than the model's).
    """
    put(reader, "model.name", pod.model)
    if hardware:
        put(reader, "hardware.accelerator", pod.accelerator)
        put(reader, "hardware.architecture", pod.architecture)
        put(reader, "hardware.instanceType", pod.instance_type)
        counted = "hardware.count" in reader.facts  # an annotation, or a count read before
        if not skip_count and (pod.cores is None or count is not None):
            put(reader, "hardware.count", count or pod.count or pod.node_count or pod.parallel)
        if pod.cpu is not None and not skip_count and not counted and not (count and count.value):
            put(reader, "hardware.accelerator", pod.cpu)
        for name, hint in pod.hints.items():
            if name not in reader.facts:
                reader.hints.setdefault(name, hint)
    put(reader, "rateLimits.concurrency", pod.concurrency)
    put(reader, "task", pod.task)
    put(reader, "model.precision", pod.precision)
    put_region(reader, pod.regions)


def put_region(reader: FactReader, regions: Sequence[Found]) -> None:
    """``cloud.region`` from the pod's hints, precedence annotation > node selector > env.

    The winning fact's detail lists every other hint, agreeing or not, so
    ``greengate explain`` shows which one won. ``cloud.provider`` comes from
    an ``env`` hint (``AWS_REGION`` -> ``aws``) only when that hint is the
    one that won: a GKE pod given ``AWS_REGION`` to reach S3 does not run on AWS.
    """
    if not regions:
        return
    existing = reader.facts.get("cloud.region")
    known = [r for r in regions if not unresolved(r.value)]
    chosen: Found | None
    if existing is not None:
        chosen = None
        winner_value, winner_detail = existing.value, existing.detail
    else:
        chosen = known[0] if known else regions[0]
        winner_value, winner_detail = chosen.value, chosen.detail
    others = [
        f"{r.detail} says '{r.value}' (line {r.location.line}, "
        f"{'agrees' if str(r.value).strip().lower() == str(winner_value).strip().lower() else 'differs'})"
        for r in known
        if r is not chosen
        and (existing is None or r.location != existing.location)
        and f"(line {r.location.line}," not in winner_detail
    ]
    detail = f"{winner_detail}; also {'; '.join(others)}" if others else winner_detail
    if existing is not None:
        if others:
            reader.facts["cloud.region"] = Fact(
                existing.value, existing.location, existing.source, detail
            )
        return
    assert chosen is not None
    put(reader, "cloud.region", chosen.described(detail))
    provider = provider_of_env(chosen)
    if provider is not None and "cloud.region" in reader.facts:
        put(
            reader,
            "cloud.provider",
            Found(
                provider,
                chosen.location,
                f"{chosen.detail.split(' (')[0]} names a region of {provider}",
                FactSource.DERIVED,
            ),
        )


def anchor_pod(reader: FactReader, pod: Pod, fallback: PathKey) -> None:
    """Missing hardware facts point at the model container's ``resources:`` (or the pod spec)."""
    primary = pod.primary
    if primary is not None:
        reader.anchor("hardware", (*primary.path, "resources"), primary.path, pod.spec, fallback)
        reader.anchor("model", primary.path, pod.spec, fallback)
    else:
        reader.anchor("hardware", pod.spec, fallback)
        reader.anchor("model", pod.spec, fallback)
