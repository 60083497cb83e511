"""Ray Serve's ``serveConfigV2``: the models, accelerator, concurrency and replicas it states.

A RayService's ``spec.serveConfigV2`` (parsed by
:mod:`~greengate.manifests.ray.embedded`) lists applications; :class:`Serve`
sums them up into the facts the adapter records. Read per application: its
``runtime_env`` (``env_vars`` models, ML ``pip`` packages), ``args``
(``model_id``/``model``/``model_name``, and the Serve LLM ``llm_configs``:
``model_loading_config``, ``accelerator_type``, ``engine_kwargs``,
``deployment_config``) and ``deployments[]`` (``max_ongoing_requests``,
``ray_actor_options.num_gpus``, ``autoscaling_config``/``num_replicas``).
The first value found for a fact is kept, except that a deployment's
``max_ongoing_requests`` and ``num_gpus`` win over what ``engine_kwargs``
implies. A Serve LLM config, a GPU per Serve replica or ML packages make the
RayService AI. Accelerators and replica counts here are per Serve replica:
the adapter uses them only when no cluster group holds accelerators.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from greengate.load import PathKey
from greengate.manifests.kube.engines import model_id
from greengate.manifests.kube.values import Found, whole_number
from greengate.manifests.ray.embedded import Embedded
from greengate.manifests.ray.runtime_env import env_models, has_ml_packages
from greengate.manifests.vocab import precision_name
from greengate.records.deployment import FactSource


class Serve:
    """What ``serveConfigV2`` says, summed up over its applications."""

    def __init__(self, part: Embedded | None) -> None:
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

    def _application(self, part: Embedded, path: PathKey, app: dict[str, Any]) -> None:
        self.models.extend(env_models(part, (*path, "runtime_env", "env_vars"), "serveConfigV2"))
        runtime = app.get("runtime_env")
        if isinstance(runtime, dict) and has_ml_packages(runtime.get("pip")):
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

    def _llm_config(self, part: Embedded, path: PathKey, config: dict[str, Any]) -> None:
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

    def _deployment(self, part: Embedded, path: PathKey, deployment: dict[str, Any]) -> None:
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
    part: Embedded, path: PathKey, deployment: dict[str, Any]
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
