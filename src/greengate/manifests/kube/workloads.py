"""What a run-to-completion workload does: fine-tuning, training, or another batch job.

A Job, a JobSet, a RayJob or a Kubeflow training job does not say whether it
trains a model, fine-tunes one or runs some other batch work; the names,
images and command lines of its containers usually do. :func:`batch_workload`
looks for the markers of each, fine-tuning first (a fine-tuning script is
also a training script).
"""

from __future__ import annotations

import re

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
