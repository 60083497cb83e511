"""Hugging Face task names (``HF_TASK``, ``hf_task``) -> greengate's task vocabulary.

greengate's tasks are the keys the model-size policy sets limits for
(``classification``, ``embedding``, ``speech``...). Serving containers name
the task the Hugging Face way; this one table maps them, so every adapter
reads ``HF_TASK`` the same way.
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
