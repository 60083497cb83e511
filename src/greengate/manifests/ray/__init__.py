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

The package, one concern a module: :mod:`~.adapter` (which objects, whether
one is AI, the facts in the order they are recorded, replicas and workload),
:mod:`~.groups` (head and worker groups: pods, accelerators, node labels),
:mod:`~.embedded` (YAML inside a string, with host line numbers),
:mod:`~.serve` (what ``serveConfigV2`` says) and :mod:`~.runtime_env`
(models and ML packages of a runtime environment). Only the adapter is
exported: the rest is how it reads, not an interface.
"""

from __future__ import annotations

from greengate.manifests.ray.adapter import RayAdapter

__all__ = ["RayAdapter"]
