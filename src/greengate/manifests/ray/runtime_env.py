"""Ray runtime environments: the model named in ``env_vars`` and the ML libraries in ``pip``.

A runtime environment is read in two places: a RayJob's ``spec.runtimeEnvYAML``
and each Serve application's ``runtime_env`` in ``serveConfigV2``. Both give
``model.name`` from the ``MODEL_ID`` family of ``env_vars``, and both count as
AI when ``pip`` (a list, or ``{packages: [...]}``) installs an ML library
(torch, transformers, vllm, diffusers, jax[tpu]...).
"""

from __future__ import annotations

import re
from typing import Any

from greengate.load import PathKey
from greengate.manifests.kube.engines import MODEL_ENV, model_id
from greengate.manifests.kube.values import Found
from greengate.manifests.ray.embedded import Embedded

_ML_PACKAGES = re.compile(
    r"^\s*(torch|torchvision|transformers|vllm|diffusers|tensorflow|jax\[tpu\]|sentence-transformers|accelerate|peft|trl|deepspeed|sglang)\b",
    re.I,
)


def env_models(part: Embedded, env: PathKey, where: str) -> list[Found]:
    """The model ids in the ``env_vars`` mapping at ``env``, in :data:`MODEL_ENV` order."""
    values = part.get(env)
    found: list[Found] = []
    if not isinstance(values, dict):
        return found
    for name in MODEL_ENV:
        value = values.get(name)
        if isinstance(value, str) and value.strip():
            found.append(part.found((*env, name), model_id(value), f"{where} env_vars {name}"))
    return found


def runtime_models(runtime: Embedded | None) -> list[Found]:
    """The model ids in a RayJob's ``runtimeEnvYAML`` ``env_vars``."""
    if runtime is None:
        return []
    return env_models(runtime, ("env_vars",), "spec.runtimeEnvYAML")


def ml_packages(runtime: Embedded | None) -> bool:
    """Whether a RayJob's ``runtimeEnvYAML`` installs an ML library."""
    if runtime is None:
        return False
    return has_ml_packages(runtime.get(("pip",)))


def has_ml_packages(pip: Any) -> bool:
    """Whether a runtime environment's ``pip`` value installs an ML library."""
    if isinstance(pip, dict):
        pip = pip.get("packages")
    return isinstance(pip, list) and any(isinstance(p, str) and _ML_PACKAGES.match(p) for p in pip)
