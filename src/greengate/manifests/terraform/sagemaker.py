"""SageMaker in Terraform: ``aws_sagemaker_endpoint_configuration`` variants and the Hugging Face SageMaker modules.

Both declare a SageMaker endpoint, so they share how the instance type,
instance count or autoscaling and serverless concurrency are read, and the
hints. A variant names its model only through ``model_name``: the
``aws_sagemaker_model`` it points to, in any ``.tf`` file of the folder,
gives the model, task and GPU count from its container environment. (The
CloudFormation form of the same resources is another adapter,
``greengate.manifests.sagemaker``.)
"""

from __future__ import annotations

import re
from typing import Any

from greengate.load import PathKey
from greengate.manifests.base import FactReader
from greengate.manifests.common import DECLARE, Resolved
from greengate.manifests.terraform.facts import derived, finish_deployment, put, put_number
from greengate.manifests.terraform.folder import Folder, blocks
from greengate.manifests.vocab import task_from_hf
from greengate.records.deployment import Deployment

_MODEL_REFERENCE = re.compile(
    r"\$\{aws_sagemaker_model\.([\w-]+)\.(?:name|id)\}|aws_sagemaker_model\.([\w-]+)\.(?:name|id)"
)


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def endpoint_configuration(
    folder: Folder, name: str, index: int, body: dict[str, Any]
) -> list[Deployment]:
    """One deployment per (shadow) production variant of the endpoint configuration."""
    base: PathKey = ("resource", "aws_sagemaker_endpoint_configuration", name, index)
    variants = [
        (key, i)
        for key in ("production_variants", "shadow_production_variants")
        for i, item in enumerate(_items(body.get(key)))
        if isinstance(item, dict)
    ]
    deployments = []
    for key, i in variants:
        path: PathKey = (*base, key, i)
        reader = FactReader(folder.document)
        derived(reader, "workload", "inference", base, "a SageMaker endpoint serves inference")
        derived(reader, "cloud.provider", "aws", base, "an aws_ resource runs on AWS")
        _sagemaker_facts(folder, reader, path, instance_count="initial_instance_count")
        _linked_model(folder, reader, (*path, "model_name"))
        put(reader, "cloud.region", folder.aws_region())
        reader.anchor("", path)
        reader.anchor("model", (*path, "model_name"), path)
        reader.anchor("hardware", (*path, "instance_type"), path)
        reader.anchor("replicas", (*path, "initial_instance_count"), path)
        reader.anchor("cloud", base)
        variant = folder.document.get((*path, "variant_name"))
        shown = f"aws_sagemaker_endpoint_configuration.{name}"
        if len(variants) > 1 or key != "production_variants":
            shown += f"/{variant if isinstance(variant, str) else i}" + (
                " (shadow)" if key != "production_variants" else ""
            )
        deployments.append(
            finish_deployment(
                reader,
                shown,
                "aws_sagemaker_endpoint_configuration",
                path,
                _sagemaker_hints(
                    "set HF_MODEL_ID in the environment of the aws_sagemaker_model named by model_name"
                ),
            )
        )
    return deployments


def _sagemaker_facts(
    folder: Folder, reader: FactReader, path: PathKey, instance_count: str
) -> None:
    put(reader, "hardware.instanceType", folder.resolve((*path, "instance_type")))
    autoscaling = folder.block((*path, "autoscaling"))
    if autoscaling is not None and folder.document.get((*autoscaling, "max_capacity")) is not None:
        put_number(
            reader,
            "replicas.min",
            folder.resolve((*autoscaling, "min_capacity")),
            "autoscaling.min_capacity",
        )
        put_number(
            reader,
            "replicas.max",
            folder.resolve((*autoscaling, "max_capacity")),
            "autoscaling.max_capacity",
        )
    count = folder.resolve((*path, instance_count))
    put_number(reader, "replicas.min", count, f"{instance_count}: the initial instance count")
    put_number(
        reader,
        "replicas.max",
        count,
        f"{instance_count}: the initial instance count; autoscaling, if any, is configured elsewhere",
    )
    serverless = folder.block((*path, "serverless_config"))
    if serverless is not None:
        put_number(
            reader,
            "rateLimits.concurrency",
            folder.resolve((*serverless, "max_concurrency")),
            "serverless_config.max_concurrency",
        )
        derived(
            reader,
            "hardware.accelerator",
            "cpu",
            serverless,
            "SageMaker Serverless Inference runs on CPU only",
        )


def _linked_model(folder: Folder, reader: FactReader, path: PathKey) -> None:
    reference = folder.document.get(path)
    match = _MODEL_REFERENCE.fullmatch(reference) if isinstance(reference, str) else None
    if match is None:
        return
    model = match.group(1) or match.group(2)
    for document in folder.documents:
        for label, index, body in blocks(document.data, "resource", "aws_sagemaker_model"):
            if label != model:
                continue
            base: PathKey = ("resource", "aws_sagemaker_model", label, index)
            containers = [
                (key, i)
                for key in ("primary_container", "container")
                for i, _ in enumerate(_items(body.get(key)))
            ]
            for key, i in containers:
                environment: PathKey = (*base, key, i, "environment")
                via = f"aws_sagemaker_model.{model}"
                if not isinstance(document.get(environment), dict):
                    put(reader, "model.name", folder.resolve(environment, document))
                    continue
                put(
                    reader,
                    "model.name",
                    folder.resolve((*environment, "HF_MODEL_ID"), document),
                    detail=f"{via} environment HF_MODEL_ID",
                )
                put_number(
                    reader,
                    "hardware.count",
                    folder.resolve((*environment, "SM_NUM_GPUS"), document),
                    f"{via} environment SM_NUM_GPUS",
                )
                _task(
                    reader,
                    folder.resolve((*environment, "HF_TASK"), document),
                    f"{via} environment HF_TASK",
                )
            return


def _task(reader: FactReader, resolved: Resolved | None, detail: str) -> None:
    if resolved is None:
        return
    mapped = task_from_hf(resolved.value) if resolved.known else None
    if mapped is not None:
        put(reader, "task", resolved, mapped[0], "; ".join(d for d in (detail, mapped[1]) if d))
    elif not resolved.known:
        put(reader, "task", resolved)


def sagemaker_module(folder: Folder, name: str, index: int, body: dict[str, Any]) -> Deployment:
    """The endpoint a ``module`` with an ``hf_model_id`` input deploys."""
    base: PathKey = ("module", name, index)
    reader = FactReader(folder.document)
    derived(reader, "workload", "inference", base, "a SageMaker endpoint serves inference")
    put(reader, "model.name", folder.resolve((*base, "hf_model_id")))
    _task(reader, folder.resolve((*base, "hf_task")), "hf_task")
    _sagemaker_facts(folder, reader, base, instance_count="instance_count")
    instance_type = reader.facts.get("hardware.instanceType")
    source = body.get("source")
    # The inputs are the module's own: only these signs say it deploys to SageMaker (AWS).
    sagemaker = (
        (instance_type is not None and str(instance_type.value).startswith("ml."))
        or folder.block((*base, "serverless_config")) is not None
        or (isinstance(source, str) and "sagemaker" in source.lower())
    )
    if sagemaker:
        derived(
            reader,
            "cloud.provider",
            "aws",
            base,
            "a module deploying a SageMaker endpoint (ml. instance type or serverless_config) runs on AWS",
        )
        put(reader, "cloud.region", folder.aws_region())
    reader.anchor("", base)
    reader.anchor("model", (*base, "hf_model_id"), base)
    reader.anchor("hardware", (*base, "instance_type"), base)
    reader.anchor("replicas", (*base, "autoscaling"), (*base, "instance_count"), base)
    hints = _sagemaker_hints("set hf_model_id")
    hints["task"] = f"set hf_task (a Hugging Face task such as text-classification), or {DECLARE}"
    return finish_deployment(reader, f"module.{name}", "module (SageMaker)", base, hints)


def _sagemaker_hints(model: str) -> dict[str, str]:
    return {
        "task": f"set HF_TASK in the model container's environment, or {DECLARE}",
        "model.name": f"{model}, or {DECLARE}",
        "model.parameters": f"{model}, or {DECLARE}",
        "cloud.region": f'set region in the provider "aws" block (a literal, or a variable with a default or a terraform.tfvars value), or {DECLARE}',
        "hardware.instanceType": "set instance_type (e.g. ml.g5.2xlarge), or give its variable a default or a terraform.tfvars value",
        "hardware.accelerator": "set instance_type to one greengate's catalog knows, or add it in a catalog extension file (--catalog)",
        "replicas.min": "set initial_instance_count (or autoscaling), or give its variable a default or a terraform.tfvars value",
        "replicas.max": "set initial_instance_count (or autoscaling), or give its variable a default or a terraform.tfvars value",
        "rateLimits.requestsPerMinute": f"a SageMaker endpoint does not limit requests per minute: enforce it at an API Gateway usage plan in front of it and {DECLARE}",
        "rateLimits.tokensPerMinute": f"a SageMaker endpoint does not limit tokens per minute: enforce it at a gateway in front of it and {DECLARE}",
        "owner": f"Terraform has no owner field greengate reads; {DECLARE}",
    }
