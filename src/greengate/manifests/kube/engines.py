"""The model servers greengate recognises, and the flags and environment they are configured by.

A container runs a model server when :func:`server_of` recognises its image
or command (vLLM, TGI, Triton, TorchServe, TF Serving, SGLang, llama.cpp,
Ollama, JetStream, NIM...). The
tables below name, best first, the command-line flags and environment
variables by which those servers are told the model (vLLM ``--model``, TGI
``--model-id``, SGLang ``--model-path``, JetStream ``--model_id``;
``MODEL_ID``, ``HF_MODEL_ID``, ``MODEL_NAME``, ``MODEL``,
``NIM_MODEL_NAME``), a model directory (Triton ``--model-repository``, TF
Serving ``--model_base_path``), their concurrency, tensor and pipeline
parallelism, task and the weights' precision. ``--served-model-name`` is
only the name clients use, never the model, so it is in no table.
:func:`positional_models` reads the servers that take the model as a
plain argument (``vllm serve X``, ``ollama run X``, MaxText
``model_name=X``, llama.cpp ``-m X``).
"""

from __future__ import annotations

import re

from greengate.manifests.kube.containers import Container
from greengate.manifests.kube.values import Found

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


def model_id(value: str) -> str:
    """The model id a reference names: ``hf://org/model`` -> ``org/model``; others unchanged."""
    text = value.strip()
    return text[len("hf://") :] if text.lower().startswith("hf://") else text


def server_of_image(image: str) -> str | None:
    """The model server an image name shows (``vllm/vllm-openai`` -> ``vllm``), or None."""
    for server, pattern in _SERVER_IMAGES:
        if pattern.search(image):
            return server
    return None


def server_of(container: Container) -> str | None:
    """The model server ``container`` runs, by its image first, then by its command words."""
    by_image = server_of_image(container.image)
    if by_image is not None:
        return by_image
    for word in container.words:
        for server, pattern in _SERVER_COMMANDS:
            if pattern.search(word):
                return server
    return None


def positional_models(container: Container) -> list[Found]:
    """Models given as a plain argument: ``vllm serve X``, ``ollama run X``, ``model_name=X``, ``-m X``."""
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
