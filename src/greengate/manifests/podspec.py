"""What a Kubernetes pod spec says about the AI workload it runs.

Shared by every Kubernetes-family adapter: given the path of a pod spec (and
of its containers), :func:`read_pod` finds

- the accelerators each pod requests: the sum over its containers of
  ``resources.limits`` (or, when a container has no limit, ``requests``) for
  ``nvidia.com/gpu``, ``google.com/tpu``, ``aws.amazon.com/neuron``,
  ``aws.amazon.com/neuroncore``, ``amd.com/gpu``, ``habana.ai/gaudi``,
  ``gpu.intel.com/*`` and ``nvidia.com/mig-*``;
- the accelerator type and instance type from ``nodeSelector`` and from the
  ``requiredDuringSchedulingIgnoredDuringExecution`` node affinity (a single
  term whose ``In`` expression has exactly one value), in the order of
  :data:`ACCELERATOR_LABELS` and :data:`INSTANCE_TYPE_LABELS`;
- the model, from the model server's command line (vLLM ``--model X``,
  ``--model=X`` or ``vllm serve X``; TGI ``--model-id``; SGLang
  ``--model-path``; JetStream ``--model_id``; MaxText ``model_name=X``;
  ``ollama run X``), then from the environment (``MODEL_ID``,
  ``HF_MODEL_ID``, ``MODEL_NAME``, ``MODEL``, ``NIM_MODEL_NAME``), then from a
  model directory (Triton ``--model-repository``, TF Serving
  ``--model_base_path``), and last from the ``ai.gke.io/model`` label.
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
  ``--dtype``).

Arguments are read as Kubernetes runs them: ``$(VAR)`` is replaced by the
container's ``env`` value, and a script passed to a shell
(``["/bin/sh", "-c", "vllm serve ..."]``) is split with :mod:`shlex` (and
still read when its quotes do not balance), with ``$VAR``/``${VAR}`` taken
from the same ``env``. ``VLLM_ADDITIONAL_ARGS`` (llm-d, KServe) is read as
more arguments. A value that stays a variable is a placeholder: it is set
aside as unresolved, never used.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from greengate.load import Document, PathKey
from greengate.manifests.annotations import whole_number
from greengate.manifests.base import FactReader, ManifestProblem, is_placeholder
from greengate.manifests.vocab import HF_TASKS
from greengate.records.deployment import Fact, FactSource
from greengate.records.location import Location

ACCELERATOR_RESOURCES = (
    "nvidia.com/gpu",
    "google.com/tpu",
    "aws.amazon.com/neuron",
    "aws.amazon.com/neurondevice",
    "aws.amazon.com/neuroncore",
    "amd.com/gpu",
    "habana.ai/gaudi",
)
ACCELERATOR_RESOURCE_PREFIXES = ("gpu.intel.com/", "nvidia.com/mig-")

# Node labels naming the accelerator, best first, with how to describe them.
ACCELERATOR_LABELS = (
    ("cloud.google.com/gke-accelerator", "node selector"),
    ("cloud.google.com/gke-tpu-accelerator", "node selector"),
    ("nvidia.com/gpu.product", "node selector (NVIDIA GPU feature discovery)"),
    ("karpenter.k8s.aws/instance-gpu-name", "node selector (Karpenter)"),
    ("kubernetes.azure.com/accelerator", "node selector (AKS)"),
    (
        "karpenter.k8s.aws/instance-family",
        "node selector (an EC2 instance family, not a GPU model; the catalog resolves it if it knows the family)",
    ),
)
INSTANCE_TYPE_LABELS = ("node.kubernetes.io/instance-type", "beta.kubernetes.io/instance-type")
TPU_TOPOLOGY_LABEL = "cloud.google.com/gke-tpu-topology"
ACCELERATOR_COUNT_LABEL = "cloud.google.com/gke-accelerator-count"
MODEL_LABEL = "ai.gke.io/model"
SERVER_LABEL = "ai.gke.io/inference-server"
_VENDOR_ONLY = frozenset({"nvidia", "amd", "intel", "gpu", "true"})

# Command-line flags, best first.
MODEL_FLAGS = (
    "--model",
    "--model-id",
    "--model_id",
    "--model-path",
    "--model_path_or_id",
    "--model-name-or-path",
    "--model_name_or_path",
    "--pretrained_model_name_or_path",
    "--hf-repo",
)
MODEL_DIRECTORY_FLAGS = ("--model-repository", "--model_repository", "--model_base_path")
MODEL_ENV = ("MODEL_ID", "HF_MODEL_ID", "MODEL_NAME", "MODEL", "NIM_MODEL_NAME")
CONCURRENCY_FLAGS = (
    "--max-num-seqs",
    "--max-num-seq",
    "--max_num_seqs",
    "--max-concurrent-requests",
    "--max_concurrent_requests",
    "--max-running-requests",
)
CONCURRENCY_ENV = ("MAX_CONCURRENT_REQUESTS", "MAX_NUM_SEQS")
TENSOR_FLAGS = (
    "--tensor-parallel-size",
    "--tensor_parallel_size",
    "-tp",
    "--tp",
    "--tp-size",
    "--num-shard",
    "--num_shard",
)
TENSOR_ENV = ("NUM_SHARD", "TENSOR_PARALLEL_SIZE", "NIM_TENSOR_PARALLEL_SIZE")
PIPELINE_FLAGS = (
    "--pipeline-parallel-size",
    "--pipeline_parallel_size",
    "-pp",
    "--pp",
    "--pp-size",
)
TASK_FLAGS = ("--task",)
QUANTIZATION_FLAGS = ("--quantization", "--quantize")
QUANTIZATION_ENV = ("QUANTIZE", "QUANTIZATION")
DTYPE_FLAGS = ("--dtype", "--torch_dtype", "--torch-dtype")
DTYPE_ENV = ("DTYPE",)
EXTRA_ARGS_ENV = ("VLLM_ADDITIONAL_ARGS",)

# --task values (vLLM, KServe's Hugging Face server, transformers pipelines) -> greengate task.
TASKS = {
    # Serving engines' own task names (vLLM --task, TEI, Triton); Hugging Face's
    # task names are in greengate.manifests.vocab, shared by every adapter.
    "generate": "text-generation",
    "embed": "embedding",
    "embedding": "embedding",
    "text-embedding": "embedding",
    "classify": "classification",
    "classification": "classification",
    "sequence-classification": "classification",
    "score": "reranking",
    "rerank": "reranking",
    "transcription": "speech",
}

PRECISIONS = {
    "bfloat16": "bf16",
    "bf16": "bf16",
    "float16": "fp16",
    "half": "fp16",
    "fp16": "fp16",
    "float32": "fp32",
    "float": "fp32",
    "fp32": "fp32",
    "fp8": "fp8",
    "fp8_e4m3": "fp8",
    "fp8_e5m2": "fp8",
    "awq": "int4",
    "gptq": "int4",
    "bitsandbytes-nf4": "int4",
    "bitsandbytes-fp4": "fp4",
    "bitsandbytes": "int8",
    "eetq": "int8",
    "int8": "int8",
    "int4": "int4",
}

# Model servers, recognised by image or command.
_SERVER_IMAGES = (
    ("vllm", re.compile(r"vllm", re.I)),
    ("tgi", re.compile(r"text-generation-inference|/tgi[-:/]|tgi-tpu", re.I)),
    ("triton", re.compile(r"tritonserver|triton", re.I)),
    ("torchserve", re.compile(r"torchserve", re.I)),
    ("tf-serving", re.compile(r"tensorflow/serving|tensorflow-serving|tf-serving", re.I)),
    ("sglang", re.compile(r"sglang", re.I)),
    ("llama.cpp", re.compile(r"llama\.?cpp|llama-cpp", re.I)),
    ("ollama", re.compile(r"ollama", re.I)),
    ("jetstream", re.compile(r"jetstream", re.I)),
    ("saxml", re.compile(r"sax-model-server", re.I)),
    ("nim", re.compile(r"nvcr\.io/nim/", re.I)),
    ("lmdeploy", re.compile(r"lmdeploy", re.I)),
    ("llm-d", re.compile(r"llm-d", re.I)),
    ("ray-llm", re.compile(r"ray-llm", re.I)),
    ("kserve", re.compile(r"huggingfaceserver", re.I)),
)
_SERVER_COMMANDS = (
    ("vllm", re.compile(r"^(?:.*/)?vllm$|^vllm\.entrypoints")),
    ("tgi", re.compile(r"^(?:.*/)?text-generation-launcher$")),
    ("triton", re.compile(r"^(?:.*/)?tritonserver$")),
    ("torchserve", re.compile(r"^(?:.*/)?torchserve$")),
    ("tf-serving", re.compile(r"^(?:.*/)?tensorflow_model_server$")),
    ("sglang", re.compile(r"^sglang\.launch_server$")),
    ("llama.cpp", re.compile(r"^(?:.*/)?llama-server$")),
    ("ollama", re.compile(r"^(?:.*/)?ollama$")),
)

_K8S_VAR = re.compile(r"(?<!\$)\$\(([A-Za-z_][A-Za-z0-9_]*)\)")
_SHELL_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)")
_ONE_VAR = re.compile(r"^\$(?:\(([A-Za-z_]\w*)\)|\{([A-Za-z_]\w*)\}|([A-Za-z_]\w*))$")
_ANY_VAR = re.compile(r"\$(?:\(|\{)?[A-Za-z_]")


def unresolved(value: Any) -> bool:
    """A placeholder, or text that still holds a variable (``s3://$BUCKET/x``)."""
    return is_placeholder(value) or (isinstance(value, str) and bool(_ANY_VAR.search(value)))


@dataclass(frozen=True)
class Found:
    """A value read from the manifest, where it is written, and how it was found."""

    value: Any
    location: Location
    detail: str = ""
    source: FactSource = FactSource.DECLARED

    def described(self, detail: str) -> Found:
        return Found(self.value, self.location, detail, self.source)


def put(reader: FactReader, name: str, found: Found | None) -> None:
    """Record ``found`` as fact ``name`` unless the fact is known (placeholders go to unresolved)."""
    if found is None or found.value is None or name in reader.facts:
        return
    fact = Fact(found.value, found.location, found.source, found.detail)
    if unresolved(found.value):
        reader.unresolved.setdefault(name, fact)
        return
    reader.facts[name] = fact


def pick(candidates: Iterable[Found], what: str = "") -> Found | None:
    """The first candidate that is not a placeholder, naming the other values in its detail."""
    found = [c for c in candidates if c.value is not None and c.value != ""]
    if not found:
        return None
    chosen = next((c for c in found if not unresolved(c.value)), found[0])
    others: list[str] = []
    seen = {str(chosen.value)}
    short = str(chosen.value).rstrip("/").rsplit("/", 1)[-1].lower()
    for candidate in found:
        text = str(candidate.value)
        if text in seen or unresolved(candidate.value) or text.lower() == short:
            continue
        seen.add(text)
        others.append(f"{candidate.detail or what} says '{text}' (line {candidate.location.line})")
    if not others:
        return chosen
    note = "; also " + "; ".join(others)
    return chosen.described(f"{chosen.detail}{note}")


# --- containers -----------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    """One word of a container's command line, after Kubernetes' ``$(VAR)`` expansion."""

    text: str
    raw: str
    location: Location


@dataclass
class Container:
    path: PathKey
    name: str
    image: str
    tokens: list[Token]
    env: dict[str, tuple[str, PathKey]]
    count: Found | None = None
    resource: str | None = None

    @property
    def words(self) -> list[str]:
        return [t.text for t in self.tokens]


def _env(document: Document, path: PathKey) -> dict[str, tuple[str, PathKey]]:
    env: dict[str, tuple[str, PathKey]] = {}
    items = document.get((*path, "env"))
    if not isinstance(items, list):
        return env
    for i, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            continue
        value = item.get("value")
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            env[item["name"]] = (str(value), (*path, "env", i, "value"))
    return env


def _expand_k8s(text: str, env: Mapping[str, tuple[str, PathKey]]) -> str:
    return _K8S_VAR.sub(lambda m: env[m.group(1)][0] if m.group(1) in env else m.group(0), text)


def _expand_shell(text: str, env: Mapping[str, tuple[str, PathKey]]) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        return env[name][0] if name in env else match.group(0)

    return _SHELL_VAR.sub(replace, text)


def split_shell(script: str) -> list[str]:
    """Words of a shell script, as ``sh`` would split them (and still when quotes do not balance)."""
    text = script.replace("\\\r\n", " ").replace("\\\n", " ")
    # Whole-line comments only: shlex would also cut a word at a '#' inside it (a URL fragment).
    text = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    try:
        words = shlex.split(text)
    except ValueError:
        words = [w.strip("'\"") for w in text.split()]
    out: list[str] = []
    for word in words:
        word = word.strip(";")
        if word and word not in ("&&", "||", "|", "&"):
            out.append(word)
    return out


def _script_location(
    document: Document, path: PathKey, raw: str, word: str, cursor: int
) -> tuple[Location, int]:
    """Where ``word`` sits inside the (block) scalar at ``path``; the scalar's start when unknown."""
    base = document.location(path)
    span = document.span(path)
    pos = raw.find(word, cursor) if word else -1
    if pos < 0 or span is None:
        return base, cursor
    if span.style == "|":
        line = base.line + 1 + raw.count("\n", 0, pos)
        return Location(base.file, line, 1), pos + len(word)
    return base, pos + len(word)


def tokens_of(
    document: Document, path: PathKey, env: Mapping[str, tuple[str, PathKey]]
) -> list[Token]:
    """The command line of the container at ``path``: ``command`` then ``args``."""
    tokens: list[Token] = []
    for key in ("command", "args"):
        items = document.get((*path, key))
        if isinstance(items, str | int | float) and not isinstance(items, bool):
            items = [items]
        if not isinstance(items, list):
            continue
        for i, item in enumerate(items):
            if item is None or isinstance(item, dict | list):
                continue
            tokens.extend(_item_tokens(document, (*path, key, i), str(item), env))
    for name in EXTRA_ARGS_ENV:
        if name in env:
            text, env_path = env[name]
            tokens.extend(_item_tokens(document, env_path, text, env, script=True))
    return tokens


def _item_tokens(
    document: Document,
    path: PathKey,
    raw: str,
    env: Mapping[str, tuple[str, PathKey]],
    *,
    script: bool = False,
) -> list[Token]:
    expanded = _expand_k8s(raw, env)
    if not script and not any(c.isspace() for c in expanded.strip()):
        return [Token(expanded.strip(), raw.strip(), document.location(path))]
    out: list[Token] = []
    cursor = 0
    for word in split_shell(expanded):
        location, cursor = _script_location(document, path, raw, word, cursor)
        out.append(Token(_expand_shell(word, env), word, location))
    return out


def accelerator_resource(name: str) -> bool:
    return name in ACCELERATOR_RESOURCES or name.startswith(ACCELERATOR_RESOURCE_PREFIXES)


def resource_count(
    document: Document, resources: PathKey, problems: list[ManifestProblem]
) -> tuple[Found | None, str | None]:
    """Accelerators requested at ``resources`` (``limits``, else ``requests``), summed over kinds."""
    total = 0
    first: Found | None = None
    kinds: list[str] = []
    placeholder: Found | None = None
    for section in ("limits", "requests"):
        values = document.get((*resources, section))
        if values is None:
            continue
        if not isinstance(values, dict):
            problems.append(
                ManifestProblem(
                    document.location((*resources, section)),
                    f"resources.{section} must be a mapping of resource names to quantities, not {type(values).__name__}",
                )
            )
            continue
        for key, raw in values.items():
            if not accelerator_resource(str(key)) or str(key) in kinds:
                continue
            path = (*resources, section, key)
            if raw is None:
                continue
            if unresolved(raw):
                placeholder = placeholder or Found(
                    raw, document.location(path), f"resources.{section} {key}"
                )
                kinds.append(str(key))
                continue
            number = whole_number(raw)
            if number is None or number < 0:
                problems.append(
                    ManifestProblem(
                        document.location(path),
                        f"resources.{section} {key}: {raw!r} is not a whole number of devices",
                    )
                )
                continue
            kinds.append(str(key))
            total += number
            if first is None:
                first = Found(number, document.location(path), f"resources.{section} {key}")
    if first is not None:
        detail = first.detail if len(kinds) == 1 else f"resources {', '.join(kinds)}"
        return Found(total, first.location, detail), kinds[0]
    if placeholder is not None:
        return placeholder, None
    return None, None


def read_container(
    document: Document, path: PathKey, problems: list[ManifestProblem]
) -> Container | None:
    data = document.get(path)
    if not isinstance(data, dict):
        return None
    env = _env(document, path)
    name = data.get("name")
    image = data.get("image")
    container = Container(
        path=path,
        name=str(name) if isinstance(name, str) else "",
        image=str(image) if isinstance(image, str) else "",
        tokens=tokens_of(document, path, env),
        env=env,
    )
    resources = document.get((*path, "resources"))
    if resources is not None and not isinstance(resources, dict):
        problems.append(
            ManifestProblem(
                document.location((*path, "resources")),
                "resources must be a mapping with limits and requests",
            )
        )
    elif resources is not None:
        container.count, container.resource = resource_count(
            document, (*path, "resources"), problems
        )
    return container


def container_paths(
    document: Document, spec: PathKey, problems: list[ManifestProblem], key: str = "containers"
) -> list[PathKey]:
    items = document.get((*spec, key))
    if items is None:
        return []
    if not isinstance(items, list):
        problems.append(
            ManifestProblem(
                document.location((*spec, key)),
                f"{key} must be a list of containers, not {type(items).__name__}",
            )
        )
        return []
    return [(*spec, key, i) for i in range(len(items))]


# --- command-line facts -----------------------------------------------------------------


def flag_values(container: Container, names: Sequence[str], document: Document) -> list[Found]:
    """Values given to any of ``names`` (``--x v`` or ``--x=v``), in command-line order."""
    found: list[Found] = []
    tokens = container.tokens
    for i, token in enumerate(tokens):
        text = token.text
        for name in names:
            if text == name and i + 1 < len(tokens) and not tokens[i + 1].text.startswith("--"):
                nxt = tokens[i + 1]
                found.append(
                    _located(
                        nxt.text, nxt.raw, nxt.location, container, document, f"{name} argument"
                    )
                )
                break
            if text.startswith(name + "="):
                raw = token.raw.split("=", 1)[1] if "=" in token.raw else text
                found.append(
                    _located(
                        text[len(name) + 1 :],
                        raw,
                        token.location,
                        container,
                        document,
                        f"{name} argument",
                    )
                )
                break
    return found


def _located(
    value: str, raw: str, location: Location, container: Container, document: Document, detail: str
) -> Found:
    """A value, pointing at the env entry it came from when it was only ``$(VAR)``/``$VAR``."""
    value = value.strip().strip("'\"")
    reference = raw.strip().strip("'\"")
    match = _ONE_VAR.match(reference)
    if match:
        name = match.group(1) or match.group(2) or match.group(3)
        if name in container.env and not unresolved(value):
            _, env_path = container.env[name]
            note = f"{reference} at line {location.line}, set by env {name}"
            return Found(value, document.location(env_path), f"{detail} ({note})")
    return Found(value, location, detail)


def _positional_models(container: Container) -> list[Found]:
    found: list[Found] = []
    tokens = container.tokens
    for i, token in enumerate(tokens):
        base = token.text.rsplit("/", 1)[-1]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        after = tokens[i + 2] if i + 2 < len(tokens) else None
        if (
            base == "vllm"
            and nxt is not None
            and nxt.text == "serve"
            and after is not None
            and not after.text.startswith("-")
        ):
            found.append(Found(after.text, after.location, "vllm serve argument"))
        elif (
            base == "ollama"
            and nxt is not None
            and nxt.text in ("run", "pull")
            and after is not None
        ):
            found.append(Found(after.text, after.location, f"ollama {nxt.text} argument"))
        elif token.text.startswith("model_name=") and len(token.text) > len("model_name="):
            found.append(Found(token.text.split("=", 1)[1], token.location, "model_name= argument"))
        elif (
            base.startswith("llama") and nxt is not None and nxt.text == "-m" and after is not None
        ):
            found.append(Found(after.text, after.location, "-m argument"))
    return found


def env_values(container: Container, names: Sequence[str], document: Document) -> list[Found]:
    found: list[Found] = []
    for name in names:
        if name in container.env:
            value, path = container.env[name]
            found.append(Found(value.strip(), document.location(path), f"env {name}"))
    return found


def model_id(value: str) -> str:
    """The model id a reference names: ``hf://org/model`` -> ``org/model``; others unchanged."""
    text = value.strip()
    return text[len("hf://") :] if text.lower().startswith("hf://") else text


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


def server_of(container: Container) -> str | None:
    for server, pattern in _SERVER_IMAGES:
        if pattern.search(container.image):
            return server
    for word in container.words:
        for server, pattern in _SERVER_COMMANDS:
            if pattern.search(word):
                return server
    return None


# --- the pod ------------------------------------------------------------------------------


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

    @property
    def devices(self) -> int:
        """Accelerators per pod as a number (0 when unknown or a placeholder)."""
        value = self.count.value if self.count is not None else 0
        return value if isinstance(value, int) else 0

    @property
    def requests_accelerators(self) -> bool:
        return self.count is not None and (self.devices > 0 or unresolved(self.count.value))

    @property
    def is_ai(self) -> bool:
        """Requests accelerators, selects accelerator nodes, or runs a recognised model server."""
        return self.requests_accelerators or self.accelerator is not None or self.server is not None

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
) -> Pod:
    """Read the pod spec at ``spec`` (its ``containers``, or the given container paths).

    ``labels`` are label mappings to look in for ``ai.gke.io/model`` (the pod
    template's, the object's).
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
    _selectors(document, spec, pod)
    _label_server(document, labels, pod)
    pod.model = pick(_model_candidates(document, ordered, labels), "model")
    pod.concurrency = pick(
        _numbers(_flag_and_env(document, ordered, CONCURRENCY_FLAGS, CONCURRENCY_ENV))
    )
    pod.parallel = _parallel(document, ordered)
    pod.task = _task(document, ordered)
    pod.precision = _precision(document, ordered)
    return pod


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


def _model_candidates(
    document: Document, ordered: Sequence[Container], labels: Sequence[PathKey]
) -> list[Found]:
    found: list[Found] = []
    for container in ordered:
        found.extend(flag_values(container, MODEL_FLAGS, document))
        found.extend(_positional_models(container))
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


def task_name(value: Any) -> str | None:
    text = str(value).strip().lower().replace("_", "-")
    return TASKS.get(text) or HF_TASKS.get(text)


def _task(document: Document, ordered: Sequence[Container]) -> Found | None:
    for found in _flag_and_env(document, ordered, TASK_FLAGS, ()):
        task = task_name(found.value)
        if task is not None:
            return Found(task, found.location, f"{found.detail} {found.value}")
    return None


def precision_name(value: Any) -> str | None:
    return PRECISIONS.get(str(value).strip().lower())


def _precision(document: Document, ordered: Sequence[Container]) -> Found | None:
    for flags, env in ((QUANTIZATION_FLAGS, QUANTIZATION_ENV), (DTYPE_FLAGS, DTYPE_ENV)):
        for found in _flag_and_env(document, ordered, flags, env):
            precision = precision_name(found.value)
            if precision is not None:
                return Found(precision, found.location, f"{found.detail} {found.value}")
    return None


def _selectors(document: Document, spec: PathKey, pod: Pod) -> None:
    """Node labels the pod requires: ``nodeSelector``, then a single required affinity term."""
    selectors: dict[str, Found] = {}
    node_selector = document.get((*spec, "nodeSelector"))
    if isinstance(node_selector, dict):
        for key, value in node_selector.items():
            if isinstance(value, str | int | float) and not isinstance(value, bool):
                path = (*spec, "nodeSelector", key)
                selectors[str(key)] = Found(
                    str(value).strip(), document.location(path), f"nodeSelector {key}"
                )
    terms_path = (
        *spec,
        "affinity",
        "nodeAffinity",
        "requiredDuringSchedulingIgnoredDuringExecution",
        "nodeSelectorTerms",
    )
    terms = document.get(terms_path)
    if isinstance(terms, list) and len(terms) == 1 and isinstance(terms[0], dict):
        expressions = terms[0].get("matchExpressions")
        for i, expression in enumerate(expressions if isinstance(expressions, list) else []):
            if not isinstance(expression, dict) or expression.get("operator") != "In":
                continue
            values = expression.get("values")
            key = expression.get("key")
            if (
                isinstance(key, str)
                and isinstance(values, list)
                and len(values) == 1
                and values[0] is not None
            ):
                path = (*terms_path, 0, "matchExpressions", i, "values", 0)
                selectors.setdefault(
                    key,
                    Found(
                        str(values[0]).strip(), document.location(path), f"node affinity {key} In"
                    ),
                )
    pod.selectors = selectors
    for key, description in ACCELERATOR_LABELS:
        found = selectors.get(key)
        if found is None or str(found.value).lower() in _VENDOR_ONLY:
            continue
        detail = f"{description} {key}"
        topology = selectors.get(TPU_TOPOLOGY_LABEL)
        if key == "cloud.google.com/gke-tpu-accelerator" and topology is not None:
            detail = f"{detail}, topology {topology.value}"
        pod.accelerator = found.described(detail)
        break
    for key in INSTANCE_TYPE_LABELS:
        if key in selectors:
            pod.instance_type = selectors[key]
            break
    count = selectors.get(ACCELERATOR_COUNT_LABEL)
    if count is not None:
        number = whole_number(count.value)
        if number is not None and number > 0:
            pod.node_count = Found(
                number, count.location, f"{count.detail} (accelerators per node)"
            )


def _label_server(document: Document, labels: Sequence[PathKey], pod: Pod) -> None:
    if pod.server is not None:
        return
    for path in labels:
        value = document.get((*path, SERVER_LABEL))
        if isinstance(value, str) and value.strip():
            pod.server = value.strip()
            return


# --- writing facts ----------------------------------------------------------------------------


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
        put(reader, "hardware.instanceType", pod.instance_type)
        if not skip_count:
            put(reader, "hardware.count", count or pod.count or pod.node_count or pod.parallel)
    put(reader, "rateLimits.concurrency", pod.concurrency)
    put(reader, "task", pod.task)
    put(reader, "model.precision", pod.precision)


def anchor_pod(reader: FactReader, pod: Pod, fallback: PathKey) -> None:
    """Missing hardware facts point at the model container's ``resources:`` (or the pod spec)."""
    primary = pod.primary
    if primary is not None:
        reader.anchor("hardware", (*primary.path, "resources"), primary.path, pod.spec, fallback)
        reader.anchor("model", primary.path, pod.spec, fallback)
    else:
        reader.anchor("hardware", pod.spec, fallback)
        reader.anchor("model", pod.spec, fallback)


def multiplied(found: Found | None, factor: int, detail: str) -> Found | None:
    """``found`` (a per-pod count) times ``factor``, described; placeholders pass through."""
    if found is None or factor == 1 or not isinstance(found.value, int):
        return found
    return Found(
        found.value * factor,
        found.location,
        f"{found.detail}: {found.value} x {detail}",
        FactSource.DERIVED,
    )


TRAINING = re.compile(
    r"\btrain(?:ing|er|s)?\b|train\w*\.py|torchrun|torch\.distributed|deepspeed|megatron|pretrain",
    re.I,
)
FINE_TUNING = re.compile(
    r"fine[-_ ]?tun|finetun|torchtune|\btune run\b"
    r"|(?<![a-z0-9])(?:q?lora|sft|dpo|grpo|peft)(?![a-z0-9])",
    re.I,
)


def batch_workload(*texts: str) -> tuple[str, str]:
    """``fine-tuning``, ``training`` or ``batch`` for a run-to-completion workload, and why.

    Fine-tuning markers (``finetune``, ``fine_tune``, ``lora``, ``sft``,
    ``dpo``, ``torchtune``...) are looked for first, then training markers
    (the word ``train``/``training``/``trainer``, a ``train*.py`` script,
    ``torchrun``, ``torch.distributed``, ``deepspeed``, ``megatron``,
    ``pretrain``) in the object's name, container names, images and command
    lines; without either, the workload is ``batch``.
    """
    joined = " ".join(texts)
    for workload, pattern in (("fine-tuning", FINE_TUNING), ("training", TRAINING)):
        match = pattern.search(joined)
        if match:
            return workload, f"'{match.group(0)}' in its name, image or command"
    return "batch", "no training or fine-tuning entrypoint recognised"
