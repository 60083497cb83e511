"""Terraform (``.tf``): SageMaker endpoints, the Hugging Face SageMaker modules, GPU node pools.

Deployments read (one per block; a block that states no accelerator is not
an AI deployment and is skipped quietly):

- ``aws_sagemaker_endpoint_configuration``: each ``production_variants`` (and
  ``shadow_production_variants``) block: ``instance_type`` -> ``hardware.instanceType``,
  ``initial_instance_count`` -> replicas, ``serverless_config.max_concurrency`` ->
  ``rateLimits.concurrency`` (serverless means CPU: ``hardware.accelerator: cpu``).
  ``model_name = aws_sagemaker_model.<m>.name`` links the variant to that model,
  whose ``primary_container``/``container`` ``environment`` gives ``HF_MODEL_ID`` ->
  ``model.name``, ``HF_TASK`` -> ``task``, ``SM_NUM_GPUS`` -> ``hardware.count``.
- ``module`` blocks with an ``hf_model_id`` input (philschmid's
  ``terraform-aws-sagemaker-huggingface`` and ``terraform-aws-llm-sagemaker``):
  ``hf_model_id``, ``hf_task``, ``instance_type``, ``instance_count``,
  ``autoscaling.{min,max}_capacity``, ``serverless_config.max_concurrency``.
- ``google_container_node_pool`` with a ``guest_accelerator``, a GPU/TPU machine
  type or a TPU ``placement_policy``: ``node_config.machine_type`` ->
  ``hardware.instanceType``, ``guest_accelerator.{type,count}`` ->
  ``hardware.accelerator``/``hardware.count``, ``placement_policy.tpu_topology``
  (noted with the machine type), ``node_locations``/``location`` -> ``cloud.region``
  (a zone such as ``us-central1-a`` is in region ``us-central1``), ``autoscaling``
  or ``node_count`` -> replicas (GKE counts nodes per zone: multiplied by the
  zones when ``node_locations`` lists them).
- ``aws_eks_node_group`` with a GPU/accelerator ``instance_types`` entry,
  ``azurerm_kubernetes_cluster_node_pool`` and ``azurerm_kubernetes_cluster``
  ``default_node_pool`` with a GPU ``vm_size`` (``Standard_N*``).

``cloud.provider`` comes from the resource type; ``cloud.region`` for AWS from
the folder's default ``provider "aws"`` block.

References are resolved only as far as Terraform itself would without
running: ``var.x`` from ``terraform.tfvars`` or ``*.auto.tfvars`` in the same
folder (the files Terraform loads by itself), else from the ``default`` of
``variable "x"`` in the folder's ``.tf`` files; ``local.x`` from a ``locals``
block whose value is a literal. The fact then points where the value is
written and its detail says where it came from; a caller of a module, a
``-var-file`` (``example.tfvars``) or ``-var`` may override a default, which
greengate cannot see. Anything else (function calls, conditionals, resource
attributes) stays unknown and is listed as unresolved. On node pools,
``for_each`` over a map greengate can read gives one deployment per key and
``count = N`` multiplies the replicas (:mod:`~.repeat`); a count greengate
cannot read (``var.enabled ? 1 : 0``) is read as one: a conditionally created
block is reported. A node pool whose machine type cannot be read is reported
with its facts unknown (:func:`~.node_pools.unknown`).

- ``module`` blocks of ``terraform-aws-modules/eks``: one deployment per
  GPU/Neuron node group (:mod:`~.eks_module`).
- Helm values (``helm_release``, ``*_helm_config`` and ``helm_values`` module
  inputs) and Kubernetes objects (``kubernetes_manifest``,
  ``kubectl_manifest``) are not read here: they are handed back to the
  pipeline as embedded documents at their ``.tf`` lines
  (:mod:`~.releases`, :mod:`~.embedded`), and the Helm or Kubernetes adapter reads them.

``*.tf.json`` is read the same way (the loader gives it the ``.tf`` shape).

The package, one concern a module: :mod:`~.adapter` (which documents, which
mapper for which block), :mod:`~.folder` (the document with its folder, and
reference resolution), :mod:`~.facts` (resolved values recorded as facts),
the mappers :mod:`~.sagemaker`, :mod:`~.node_pools` and :mod:`~.eks_module`,
:mod:`~.repeat` (``for_each``/``count``), and the hand-off of embedded
documents, :mod:`~.releases` and :mod:`~.embedded`. Only the adapter
is exported: the rest is how it reads, not an interface.
"""

from __future__ import annotations

from greengate.manifests.terraform.adapter import TerraformAdapter

__all__ = ["TerraformAdapter"]
