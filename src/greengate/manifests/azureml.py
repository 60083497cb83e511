"""Azure Machine Learning deployment YAML (CLI v2): online, Kubernetes online, batch; GPU compute.

Recognised by the ``$schema`` URL (``managedOnlineDeployment``,
``kubernetesOnlineDeployment``, ``batchDeployment``/``modelBatchDeployment``,
``amlCompute``) or, without one, by the shape of an online deployment
(``endpoint_name`` and ``instance_type`` with ``instance_count`` or ``model``).

Facts read:

- ``instance_type`` -> ``hardware.instanceType`` (an Azure VM size the catalog
  resolves). In a Kubernetes online deployment it names an instance type of
  the attached cluster (``defaultinstancetype``), not a VM size, so it is not
  taken as one; the GPU count comes from ``resources`` instead.
- ``instance_count`` (or ``scale_settings.{min,max}_instances``; for batch,
  ``resources.instance_count``) -> ``replicas.min``/``replicas.max``.
- ``model`` -> ``model.name``: ``azureml:name:version``, ``azureml:name@latest``,
  ``azureml://registries/<r>/models/<name>/versions/<n>``, or an inline mapping's
  ``name`` (a mapping with only a ``path`` names no model).
- ``request_settings.max_concurrent_requests_per_instance`` -> ``rateLimits.concurrency``.
- ``environment_variables.HF_TASK`` -> ``task``; ``HF_MODEL_ID``/``MODEL_ID`` -> ``model.name``
  when ``model`` names none.
- ``location`` -> ``cloud.region`` when the deployment states one; else, for
  managed online and batch deployments, the ``location`` of the workspace
  defined in the same folder (a workspace YAML, or Terraform's
  ``azurerm_machine_learning_workspace``), derived: see :func:`workspace_region`.
- ``cloud.provider: azure`` (derived) for managed online and batch deployments;
  a Kubernetes online deployment may run on a cluster outside Azure (Arc).
- Compute (``amlCompute``) is capacity, not a deployment: it is read only when
  its ``size`` is a GPU size (``Standard_N*``), with ``location`` -> ``cloud.region``
  and ``min_instances``/``max_instances`` -> replicas. CPU clusters and compute
  instances (development VMs) are not deployments.

The task is never guessed: the azureml-examples repository names folders
after tasks (``inference/summarization/deploy.yml``), but a folder name is not
a declaration, so the task stays unknown and the finding says how to declare it.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any

from greengate.load import Document, PathKey
from greengate.manifests.base import (
    NO_CONTEXT,
    Adapter,
    AdaptResult,
    FactReader,
    ReadContext,
    is_placeholder,
)
from greengate.manifests.common import DECLARE, declare_number, finish
from greengate.manifests.vocab import task_from_hf
from greengate.records.deployment import Fact, FactSource

MANAGED = "ManagedOnlineDeployment"
KUBERNETES = "KubernetesOnlineDeployment"
BATCH = "BatchDeployment"
COMPUTE = "AmlCompute"

# Markers in the $schema URL, most specific first (modelBatchDeployment contains batchDeployment).
_SCHEMAS = (
    ("kubernetesonlinedeployment", KUBERNETES),
    ("managedonlinedeployment", MANAGED),
    ("batchdeployment", BATCH),
    ("amlcompute", COMPUTE),
)
_GPU_SIZE = re.compile(r"standard_n", re.IGNORECASE)
"""Azure's N-series (NC, ND, NV...) are the GPU sizes."""
_GPU_RESOURCES = ("nvidia.com/gpu", "amd.com/gpu")


def _kind(data: Any) -> str | None:
    if not isinstance(data, dict):
        return None
    schema = data.get("$schema")
    if isinstance(schema, str):
        url = schema.lower()
        return next((kind for marker, kind in _SCHEMAS if marker in url), None)
    if (
        "endpoint_name" in data
        and "instance_type" in data
        and ("instance_count" in data or "model" in data)
    ):
        return KUBERNETES if str(data.get("type", "")).lower() == "kubernetes" else MANAGED
    return None


def model_name(reference: str) -> str | None:
    """The model name in an Azure ML model reference (``azureml:name:1``, ``azureml://.../models/name/...``)."""
    text = reference.strip()
    if text.startswith("azureml://"):
        match = re.search(r"/models/([^/]+)", text)
        return match.group(1) if match else None
    if text.lower().startswith("azureml:"):
        name = re.split(r"[:@]", text[len("azureml:") :], maxsplit=1)[0]
        return name or None
    return text or None


class AzureMLAdapter(Adapter):
    name = "azureml"
    description = (
        "Azure ML online (managed, Kubernetes) and batch deployments; GPU compute clusters"
    )

    def matches(self, document: Document) -> bool:
        return _kind(document.data) is not None

    def read(self, document: Document, context: ReadContext = NO_CONTEXT) -> AdaptResult:
        kind = _kind(document.data)
        if kind is None:
            return AdaptResult()
        if kind == COMPUTE:
            return _read_compute(document)
        return _read_deployment(document, kind, context)


def _name(document: Document) -> str:
    name = document.get(("name",))
    if isinstance(name, str | int) and not is_placeholder(name) and str(name).strip():
        return str(name)
    return PurePosixPath(document.file).stem


def _first(document: Document, *paths: PathKey) -> PathKey:
    """The first of ``paths`` the document has (the last one otherwise)."""
    return next((p for p in paths if document.span(p) is not None), paths[-1])


def _read_deployment(document: Document, kind: str, context: ReadContext) -> AdaptResult:
    data: dict[str, Any] = document.data
    reader = FactReader(document)
    top = _first(document, ("$schema",), ("name",), ())
    derived = FactSource.DERIVED
    workload, does = (
        ("batch", "scores data in jobs") if kind == BATCH else ("inference", "serves requests")
    )
    detail = f"an Azure ML {_label(kind)} {does}"
    reader.declare("workload", top, workload, source=derived, detail=detail)
    if kind != KUBERNETES:
        where = _first(document, ("$schema",), ("instance_type",), ("name",), ())
        reader.declare(
            "cloud.provider",
            where,
            "azure",
            source=derived,
            detail=f"an Azure ML {_label(kind)} runs on Azure",
        )
    if kind == MANAGED:
        reader.declare("hardware.instanceType", ("instance_type",))
    if kind == KUBERNETES:
        _gpu_count(reader, document)
    _replicas(reader, document, kind)
    reader.declare("cloud.region", ("location",))
    if "cloud.region" not in reader.facts and kind != KUBERNETES:
        workspace_region(reader, context)
    _model(reader, document)
    env = data.get("environment_variables")
    if isinstance(env, dict):
        hf_task, path = env.get("HF_TASK"), ("environment_variables", "HF_TASK")
        mapped = task_from_hf(hf_task) if not is_placeholder(hf_task) else None
        if mapped is not None:
            reader.declare("task", path, mapped[0], detail=mapped[1])
        elif is_placeholder(hf_task):
            reader.declare("task", path)
    if kind != BATCH:
        path = ("request_settings", "max_concurrent_requests_per_instance")
        declare_number(reader, "rateLimits.concurrency", path, "per instance")
    _anchors(reader, document)
    reader.anchor("hardware", ("instance_type",), ("compute",), ("resources",), ("name",), ())
    deployment = reader.deployment(
        name=_name(document), kind=kind, format="azureml", name_path=("name",), labels=_tags(data)
    )
    return AdaptResult(deployments=[finish(deployment, _hints(document, kind))])


def workspace_region(reader: FactReader, context: ReadContext) -> None:
    """``cloud.region`` from the workspace defined in the deployment's folder, when there is one region.

    An Azure ML deployment runs in its workspace's region. The workspace is
    found beside the deployment: a workspace YAML (``$schema`` ending in
    ``workspace.schema.json``) with ``location``, or Terraform's
    ``azurerm_machine_learning_workspace`` with a literal ``location`` (or
    ``azurerm_resource_group.<name>.location`` of a resource group in the same
    file, or ``var.<name>`` with a default in the folder; a tfvars value or a
    module caller may override that default, which greengate cannot see). Workspaces in different regions, or a location greengate cannot
    read, give no region: the finding then says how to declare it.
    """
    documents = [d for loaded in context.siblings(_workspace_file) for d in loaded.documents]
    found = [where for d in documents for where in _workspace_locations(d, documents)]
    regions = {str(region).strip().lower() for region, _, _ in found}
    if len(regions) != 1:
        return
    region, document, path = found[0]
    where = PurePosixPath(document.file).name
    reader.facts["cloud.region"] = Fact(
        str(region).strip(),
        document.location(path),
        FactSource.DERIVED,
        f"the location of the Azure ML workspace defined in {where}: a deployment runs in its workspace's region",
    )


def _workspace_file(name: str) -> bool:
    return name.lower().endswith((".yml", ".yaml", ".tf", ".tf.json"))


def _workspace_locations(
    document: Document, folder: list[Document]
) -> list[tuple[str, Document, PathKey]]:
    data = document.data
    if not isinstance(data, dict):
        return []
    schema = data.get("$schema")
    if isinstance(schema, str) and schema.lower().endswith("workspace.schema.json"):
        location = data.get("location")
        if isinstance(location, str) and location.strip() and not is_placeholder(location):
            return [(location, document, ("location",))]
        return []
    resources = data.get("resource")
    workspaces = resources.get(_TF_WORKSPACE) if isinstance(resources, dict) else None
    found = []
    for label, items in workspaces.items() if isinstance(workspaces, dict) else ():
        for index in range(len(items) if isinstance(items, list) else 0):
            path: PathKey = ("resource", _TF_WORKSPACE, label, index, "location")
            location = _tf_location(document, path, folder)
            if location is not None:
                found.append(location)
    return found


def _tf_location(
    document: Document, path: PathKey, folder: list[Document]
) -> tuple[str, Document, PathKey] | None:
    """A literal location, through ``azurerm_resource_group.<name>.location`` and ``var.<name>``'s default."""
    for _ in range(3):
        value = document.get(path)
        if not isinstance(value, str):
            return None
        reference = value[2:-1] if value.startswith("${") and value.endswith("}") else value
        group = _TF_GROUP_LOCATION.fullmatch(reference)
        variable = _TF_VARIABLE.fullmatch(reference)
        if group is not None:
            path = ("resource", "azurerm_resource_group", group.group(1), 0, "location")
        elif variable is not None:
            defaults = [
                (d, ("variable", variable.group(1), 0, "default"))
                for d in folder
                if d.get(("variable", variable.group(1), 0, "default")) is not None
            ]
            if not defaults:
                return None
            document, path = defaults[0]
        elif _AZURE_REGION.fullmatch(value.strip()):
            return value, document, path
        else:
            return None
    return None


_TF_WORKSPACE = "azurerm_machine_learning_workspace"
_TF_GROUP_LOCATION = re.compile(r"azurerm_resource_group\.([A-Za-z_][\w-]*)\.location")
_TF_VARIABLE = re.compile(r"var\.([A-Za-z_][\w-]*)")
_AZURE_REGION = re.compile(r"[A-Za-z][A-Za-z0-9 ]*")
"""An Azure region name as written (``eastus``, ``West Europe``): a literal, not an expression."""


def _label(kind: str) -> str:
    return {
        MANAGED: "managed online deployment",
        KUBERNETES: "Kubernetes online deployment",
        BATCH: "batch deployment",
    }.get(kind, "compute")


def _gpu_count(reader: FactReader, document: Document) -> None:
    for section in ("limits", "requests"):
        resources = document.get(("resources", section))
        if not isinstance(resources, dict):
            continue
        for resource in _GPU_RESOURCES:
            if resource in resources:
                path = ("resources", section, resource)
                declare_number(reader, "hardware.count", path, f"resources.{section}[{resource}]")


def _replicas(reader: FactReader, document: Document, kind: str) -> None:
    low, high = ("scale_settings", "min_instances"), ("scale_settings", "max_instances")
    if document.get(low) is not None or document.get(high) is not None:
        declare_number(reader, "replicas.min", low)
        declare_number(reader, "replicas.max", high)
        return
    if kind == BATCH:
        path: PathKey = ("resources", "instance_count")
        detail = "resources.instance_count: the nodes each batch job runs on"
    else:
        path, detail = ("instance_count",), "instance_count: a fixed number of instances"
    declare_number(reader, "replicas.min", path, detail)
    declare_number(reader, "replicas.max", path, detail)


def _model(reader: FactReader, document: Document) -> None:
    model = document.get(("model",))
    if isinstance(model, str):
        if is_placeholder(model):
            reader.declare("model.name", ("model",))
            return
        name = model_name(model)
        if name is not None:
            detail = "" if name == model else f"model reference {model}"
            reader.declare("model.name", ("model",), name, detail=detail)
    elif isinstance(model, dict):
        reader.declare("model.name", ("model", "name"))
    for variable in ("HF_MODEL_ID", "MODEL_ID"):
        reader.declare(
            "model.name",
            ("environment_variables", variable),
            detail=f"environment variable {variable}",
        )


def _anchors(reader: FactReader, document: Document) -> None:
    reader.anchor("", ("name",), ())
    reader.anchor("model", ("model",), ("name",), ())
    reader.anchor("cloud", ("location",), ("name",), ())
    reader.anchor(
        "replicas",
        ("scale_settings",),
        ("instance_count",),
        ("resources", "instance_count"),
        ("min_instances",),
        ("name",),
        (),
    )
    reader.anchor("rateLimits", ("request_settings",), ("name",), ())


def _tags(data: dict[str, Any]) -> dict[str, Any] | None:
    tags = data.get("tags")
    return tags if isinstance(tags, dict) else None


def _hints(document: Document, kind: str) -> dict[str, str]:
    label = _label(kind)
    model = document.get(("model",))
    if isinstance(model, dict) and "name" not in model and isinstance(model.get("path"), str):
        model_hint = f"its model is uploaded from path '{model['path']}' and has no name greengate can size; {DECLARE}"
    else:
        model_hint = (
            f"this {label} names no registered model (model: azureml:<name>:<version>); {DECLARE}"
        )
    instance_type = document.get(("instance_type",))
    if kind == KUBERNETES:
        accelerator = (
            f"instance_type '{instance_type}' names an instance type of the attached Kubernetes cluster, not a VM size; {DECLARE}"
            if isinstance(instance_type, str)
            else f"a Kubernetes online deployment runs on the attached cluster's nodes, which this file does not describe; {DECLARE}"
        )
    elif kind == BATCH:
        compute = document.get(("compute",))
        accelerator = (
            f"the batch deployment runs on compute '{compute}', whose VM size is set where that compute is defined; {DECLARE}"
            if isinstance(compute, str)
            else f"the batch deployment names no compute; {DECLARE}"
        )
    else:
        accelerator = _size_hint("instance_type")
    return {
        "task": f"an Azure ML {label} has no task field, and greengate does not guess one from folder names; {DECLARE}",
        "model.name": model_hint,
        "model.parameters": model_hint,
        "cloud.region": f"an Azure ML {label} runs in its workspace's region, which neither this file nor a workspace definition beside it (a workspace YAML or azurerm_machine_learning_workspace with location) states; {DECLARE}",
        "cloud.provider": f"a Kubernetes online deployment runs on an attached cluster that may be outside Azure (Azure Arc); {DECLARE}",
        "hardware.accelerator": accelerator,
        "hardware.instanceType": accelerator
        if kind != MANAGED
        else "add instance_type (an Azure VM size, e.g. Standard_NC24ads_A100_v4)",
        "rateLimits.requestsPerMinute": f"Azure ML request_settings cap only concurrency, not requests per minute: enforce the limit at a gateway in front of the endpoint (e.g. Azure API Management) and {DECLARE}",
        "rateLimits.tokensPerMinute": f"Azure ML has no tokens-per-minute limit: enforce it at a gateway in front of the endpoint and {DECLARE}",
        "rateLimits.concurrency": "add request_settings.max_concurrent_requests_per_instance",
        "owner": f"an Azure ML {label} has no owner field; {DECLARE}",
    }


def _size_hint(field: str) -> str:
    # When the size is there, the hint is never used: the catalog resolved it, or the
    # shared catalog clause (_common.finish) says the catalog does not know it.
    return f"add {field} (an Azure VM size, e.g. Standard_NC24ads_A100_v4), or {DECLARE}"


def _read_compute(document: Document) -> AdaptResult:
    size = document.get(("size",))
    if not isinstance(size, str) or not _GPU_SIZE.match(size.strip()):
        return AdaptResult()  # a CPU cluster is capacity for jobs, not an AI deployment
    reader = FactReader(document)
    reader.declare("hardware.instanceType", ("size",))
    reader.declare("cloud.region", ("location",))
    reader.declare(
        "cloud.provider",
        _first(document, ("$schema",), ("size",)),
        "azure",
        source=FactSource.DERIVED,
        detail="an Azure ML compute cluster runs on Azure",
    )
    declare_number(reader, "replicas.min", ("min_instances",))
    declare_number(reader, "replicas.max", ("max_instances",))
    _anchors(reader, document)
    reader.anchor("hardware", ("size",), ("name",), ())
    deployment = reader.deployment(
        name=_name(document),
        kind=COMPUTE,
        format="azureml",
        name_path=("name",),
        labels=_tags(document.data),
    )
    hints = {
        "task": f"an Azure ML compute cluster runs jobs and does not say for which task; {DECLARE}",
        "workload": f"an Azure ML compute cluster does not say whether it trains or serves; {DECLARE}",
        "model.name": f"an Azure ML compute cluster does not say which model runs on it; {DECLARE}",
        "model.parameters": f"an Azure ML compute cluster does not say which model runs on it; {DECLARE}",
        "cloud.region": "add location (an Azure region, e.g. swedencentral) to the compute definition",
        "hardware.accelerator": _size_hint("size"),
        "owner": f"an Azure ML compute definition has no owner field; {DECLARE}",
    }
    return AdaptResult(deployments=[finish(deployment, hints)])
