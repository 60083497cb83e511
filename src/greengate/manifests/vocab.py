"""greengate's task and precision vocabulary, and the names manifests use for them.

greengate's tasks are the keys the model-size policy sets limits for
(``classification``, ``embedding``, ``speech``...), and its precisions the
values of the ``model.precision`` fact (``bf16``, ``fp8``, ``int4``...).
Manifests name them their own way: serving containers the Hugging Face way
(``HF_TASK``, ``hf_task``: :data:`HF_TASKS`, :func:`task_from_hf`), serving
engines by their own flag values (vLLM ``--task embed``: :data:`TASKS`,
:func:`task_name`; ``--dtype``/``--quantization``: :data:`PRECISIONS`,
:func:`precision_name`). These tables map them, so every adapter reads a
task or a precision the same way.
"""

from __future__ import annotations

import re
from typing import Any

HF_TASKS: dict[str, str] = {
    "text-generation": "text-generation",
    "text2text-generation": "text-generation",
    "conversational": "chat",
    "text-classification": "classification",
    "sentiment-analysis": "classification",
    "zero-shot-classification": "classification",
    "image-classification": "classification",
    "zero-shot-image-classification": "classification",
    "audio-classification": "classification",
    "token-classification": "token-classification",
    "ner": "token-classification",
    "feature-extraction": "embedding",
    "sentence-similarity": "embedding",
    "summarization": "summarization",
    "translation": "translation",
    "automatic-speech-recognition": "speech",
    "text-to-speech": "speech",
    "text-to-audio": "speech",
    "question-answering": "question-answering",
    "table-question-answering": "question-answering",
    "document-question-answering": "question-answering",
    "visual-question-answering": "question-answering",
    "text-to-image": "image-generation",
    "fill-mask": "fill-mask",
}

_TASK_NAME = re.compile(r"[a-z][a-z0-9-]*")


def task_from_hf(value: Any) -> tuple[str, str] | None:
    """greengate's task for a Hugging Face task name, and how it was mapped.

    ``translation_en_to_fr`` is ``translation``; a task the table does not
    know is used as written (lower case, dashes), and the detail says so.
    """
    if not isinstance(value, str) or not value.strip():
        return None
    name = value.strip().lower().replace("_", "-")
    if name.startswith("translation-"):
        name = "translation"
    task = HF_TASKS.get(name)
    if task is not None:
        same = task == value.strip()
        return (
            task,
            "" if same else f"Hugging Face task '{value.strip()}' is greengate task '{task}'",
        )
    if _TASK_NAME.fullmatch(name):
        return (
            name,
            f"Hugging Face task '{value.strip()}' (not in greengate's task table; used as is)",
        )
    return None


# --task values (vLLM, KServe's Hugging Face server, transformers pipelines) -> greengate task.
TASKS = {
    # Serving engines' own task names (vLLM --task, TEI, Triton); Hugging Face's
    # task names are in HF_TASKS, which task_name falls back to.
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


def task_name(value: Any) -> str | None:
    """greengate's task for a serving engine's task name, else for a Hugging Face one; None if neither."""
    text = str(value).strip().lower().replace("_", "-")
    return TASKS.get(text) or HF_TASKS.get(text)


def precision_name(value: Any) -> str | None:
    """greengate's precision for a ``--dtype`` or quantization name; None when it is not one."""
    return PRECISIONS.get(str(value).strip().lower())
