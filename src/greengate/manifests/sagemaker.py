"""SageMaker endpoints declared in CloudFormation (YAML or JSON templates).

A template is read when its ``Resources`` hold an ``AWS::SageMaker::EndpointConfig``.
Each item of ``ProductionVariants`` (and ``ShadowProductionVariants``, which
run on hardware of their own) is one deployment:

- ``InstanceType`` -> ``hardware.instanceType`` (``ml.g5.2xlarge``; the catalog
  resolves the accelerator);
- ``InitialInstanceCount`` -> ``replicas.min``/``replicas.max`` (autoscaling, when
  configured, lives in other resources);
- ``ServerlessConfig.MaxConcurrency`` -> ``rateLimits.concurrency``, and a serverless
  variant runs on CPU (SageMaker Serverless Inference has no GPUs):
  ``hardware.accelerator: cpu``;
- ``ModelName`` -> the ``AWS::SageMaker::Model`` it names (``!GetAtt M.ModelName``,
  ``!Ref M`` or the model's literal ``ModelName``), whose container
  ``Environment`` gives ``HF_MODEL_ID`` -> ``model.name``, ``HF_TASK`` -> ``task``
  and ``SM_NUM_GPUS`` -> ``hardware.count``;
- ``cloud.provider: aws`` (derived). A template never states its region.

``!Ref Param`` is resolved from a parameters file next to the template (the
CodePipeline ``{"Parameters": {...}}`` form or the CLI
``[{"ParameterKey": ..., "ParameterValue": ...}]`` form) or else from the
parameter's ``Default``; the fact then points where the value is written and
its detail says ``!Ref Param resolved from <file>:<line>``. Each parameters
file is a stage (``staging-config.json``, ``prod-config.json``): every variant
is reported once per stage. ``!If`` is followed when its condition can be
evaluated from those values; a reference that cannot be resolved stays
unknown (listed as unresolved), never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from greengate.load import Document, PathKey
from greengate.manifests.base import NO_CONTEXT, Adapter, AdaptResult, FactReader, ReadContext
from greengate.manifests.common import DECLARE, Resolved, finish, number
from greengate.manifests.vocab import task_from_hf
from greengate.records.deployment import Deployment, Fact, FactSource
from greengate.records.location import Location

ENDPOINT_CONFIG = "AWS::SageMaker::EndpointConfig"
MODEL = "AWS::SageMaker::Model"
_VARIANT_LISTS = (("ProductionVariants", ""), ("ShadowProductionVariants", " (shadow)"))
_MAX_CONDITION_DEPTH = 20


def _resources(data: Any) -> dict[str, Any]:
    resources = data.get("Resources") if isinstance(data, dict) else None
    return resources if isinstance(resources, dict) else {}


def _type(resource: Any) -> Any:
    return resource.get("Type") if isinstance(resource, dict) else None


@dataclass(frozen=True)
class _Stage:
    """Parameter values from one parameters file next to the template."""

    file: str
    values: dict[str, tuple[Any, Location]] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return PurePosixPath(self.file).name


class SageMakerCloudFormationAdapter(Adapter):
    name = "sagemaker"
    description = "SageMaker endpoint configs in CloudFormation templates (parameters resolved from Defaults and stage files)"

    def matches(self, document: Document) -> bool:
        return any(_type(r) == ENDPOINT_CONFIG for r in _resources(document.data).values())

    def read(self, document: Document, context: ReadContext = NO_CONTEXT) -> AdaptResult:
        template_parameters = document.data.get("Parameters")
        names = set(template_parameters) if isinstance(template_parameters, dict) else set()
        stages: list[_Stage | None] = list(_stages(context, names)) or [None]
        deployments: list[Deployment] = []
        for stage in stages:
            resolver = _Resolver(document, stage)
            for logical_id, resource in _resources(document.data).items():
                if _type(resource) == ENDPOINT_CONFIG:
                    deployments.extend(resolver.endpoint_config(str(logical_id)))
        return AdaptResult(deployments=deployments)


def _stages(context: ReadContext, names: set[str]) -> list[_Stage]:
    """Parameters files next to the template that set some of its parameters."""
    stages = []
    for loaded in context.siblings(lambda name: name.lower().endswith(".json")):
        if not loaded.documents:
            continue
        document = loaded.documents[0]
        values = _parameter_values(document)
        if values and names & set(values):
            stages.append(_Stage(loaded.path, values))
    return stages


def _parameter_values(document: Document) -> dict[str, tuple[Any, Location]]:
    data = document.data
    if isinstance(data, dict) and isinstance(data.get("Parameters"), dict):
        return {
            str(k): (v, document.location(("Parameters", k))) for k, v in data["Parameters"].items()
        }
    if (
        isinstance(data, list)
        and data
        and all(isinstance(i, dict) and "ParameterKey" in i for i in data)
    ):
        return {
            str(item["ParameterKey"]): (
                item.get("ParameterValue"),
                document.location((n, "ParameterValue")),
            )
            for n, item in enumerate(data)
        }
    return {}


def _text(value: Any) -> str:
    """How CloudFormation compares values: as strings, booleans as true/false."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class _Resolver:
    """Resolves ``!Ref``/``!If`` in one template for one stage (or the Defaults alone)."""

    def __init__(self, document: Document, stage: _Stage | None) -> None:
        self.document = document
        self.stage = stage
        data = document.data
        parameters = data.get("Parameters")
        self.parameters: dict[str, Any] = parameters if isinstance(parameters, dict) else {}
        conditions = data.get("Conditions")
        self.conditions: dict[str, Any] = conditions if isinstance(conditions, dict) else {}
        self.resources = _resources(data)
        self.why = ""
        """Why the Properties read are the ones they are (``condition IsShadow is false``)."""

    # -- paths: a short-form tag (!If) has no position of its own, the JSON form does

    def _inner(self, path: PathKey, function: str) -> PathKey:
        nested = (*path, function)
        return nested if self.document.span(nested) is not None else path

    def child(self, value: Any, path: PathKey, key: str | int) -> tuple[Any, PathKey]:
        if isinstance(value, dict) and isinstance(key, str) and key in value:
            return value[key], (*path, key)
        if isinstance(value, list) and isinstance(key, int) and 0 <= key < len(value):
            return value[key], (*path, key)
        return None, (*path, key)

    # -- values

    def parameter(self, name: str) -> tuple[Any, Location, str] | None:
        """A parameter's value, where it is written, and which file gave it."""
        if self.stage is not None and name in self.stage.values:
            value, location = self.stage.values[name]
            return value, location, self.stage.file
        declared = self.parameters.get(name)
        if isinstance(declared, dict) and "Default" in declared:
            path = ("Parameters", name, "Default")
            return declared["Default"], self.document.location(path), self.document.file
        return None

    def resolve(self, value: Any, path: PathKey) -> Resolved | None:
        """The value at ``path`` with ``!Ref``/``!If`` resolved; None when absent."""
        if value is None:
            return None
        here = self.document.location(path)
        if not (isinstance(value, dict) and len(value) == 1):
            return Resolved(value, here)
        function, argument = next(iter(value.items()))
        if function == "Ref" and isinstance(argument, str):
            if argument == "AWS::NoValue":
                return None
            found = self.parameter(argument)
            if found is None:
                return Resolved(f"!Ref {argument}", here, known=False)
            resolved, location, file = found
            detail = f"!Ref {argument} resolved from {PurePosixPath(file).name}:{location.line}"
            return Resolved(resolved, location, detail)
        if function == "Fn::If":
            chosen = self.select(value, path)
            if chosen is None:
                return Resolved(_short(value), here, known=False)
            inner, inner_path, why = chosen
            result = self.resolve(inner, inner_path)
            if result is None or not result.known:
                return result
            detail = f"{result.detail}; {why}" if result.detail else why
            return Resolved(result.value, result.location, detail)
        if isinstance(function, str) and (function == "Ref" or function.startswith("Fn::")):
            return Resolved(_short(value), here, known=False)
        return Resolved(value, here)

    def select(self, value: Any, path: PathKey) -> tuple[Any, PathKey, str] | None:
        """Follow ``!If`` on a structure; None when its condition cannot be evaluated."""
        why = ""
        for _ in range(_MAX_CONDITION_DEPTH):
            if value == {"Ref": "AWS::NoValue"}:
                return None, path, why
            if not (isinstance(value, dict) and len(value) == 1 and "Fn::If" in value):
                return value, path, why
            arguments = value["Fn::If"]
            inner = self._inner(path, "Fn::If")
            if not (
                isinstance(arguments, list)
                and len(arguments) == 3
                and isinstance(arguments[0], str)
            ):
                return None
            chosen = self.condition(arguments[0], 0)
            if chosen is None:
                return None
            branch = 1 if chosen else 2
            value, path = arguments[branch], (*inner, branch)
            why = f"condition {arguments[0]} is {'true' if chosen else 'false'}"
        return None

    def scalar(self, value: Any) -> str | None:
        if isinstance(value, dict) and len(value) == 1 and "Ref" in value:
            found = self.parameter(str(value["Ref"]))
            return None if found is None else _text(found[0])
        if isinstance(value, dict | list) or value is None:
            return None
        return _text(value)

    def condition(self, expression: Any, depth: int) -> bool | None:
        if depth > _MAX_CONDITION_DEPTH:
            return None
        if isinstance(expression, str):
            return self.condition(self.conditions.get(expression), depth + 1)
        if not (isinstance(expression, dict) and len(expression) == 1):
            return None
        function, argument = next(iter(expression.items()))
        # JSON templates write {"Condition": name}; the YAML tag !Condition loads as Fn::Condition.
        if function in ("Condition", "Fn::Condition"):
            return self.condition(argument, depth + 1)
        if function == "Fn::Equals" and isinstance(argument, list) and len(argument) == 2:
            left, right = self.scalar(argument[0]), self.scalar(argument[1])
            return None if left is None or right is None else left == right
        if function == "Fn::Not" and isinstance(argument, list) and len(argument) == 1:
            inner = self.condition(argument[0], depth + 1)
            return None if inner is None else not inner
        if function in ("Fn::And", "Fn::Or") and isinstance(argument, list):
            results = [self.condition(a, depth + 1) for a in argument]
            decisive: bool = function == "Fn::Or"
            if decisive in results:
                return decisive
            return None if None in results else not decisive
        return None

    # -- deployments

    def endpoint_config(self, logical_id: str) -> list[Deployment]:
        resource_path: PathKey = ("Resources", logical_id)
        properties, properties_path = self.child(
            self.resources[logical_id], resource_path, "Properties"
        )
        chosen = self.select(properties, properties_path)
        deployments = []
        if chosen is None or not isinstance(chosen[0], dict):
            reader = self._reader(resource_path)
            reason = (
                f"the Properties of {logical_id} depend on a condition greengate cannot evaluate"
                if chosen is None
                else f"{logical_id} has no Properties greengate can read"
            )
            return [self._finish(reader, logical_id, resource_path, reason)]
        properties, properties_path, self.why = chosen
        for key, suffix in _VARIANT_LISTS:
            variants, variants_path = self.child(properties, properties_path, key)
            selected = self.select(variants, variants_path)
            if selected is None or not isinstance(selected[0], list):
                continue
            for i, item in enumerate(selected[0]):
                picked = self.select(item, (*selected[1], i))
                if picked is None or not isinstance(picked[0], dict):
                    continue
                deployments.append(self.variant(logical_id, picked[0], picked[1], suffix))
        if not deployments:
            reader = self._reader(resource_path)
            reason = f"{logical_id} declares no ProductionVariants greengate can read"
            deployments.append(self._finish(reader, logical_id, resource_path, reason))
        return deployments

    def _reader(self, resource_path: PathKey) -> FactReader:
        reader = FactReader(self.document)
        type_path = (*resource_path, "Type")
        reader.declare(
            "workload",
            type_path,
            "inference",
            source=FactSource.DERIVED,
            detail="a SageMaker endpoint serves inference",
        )
        reader.declare(
            "cloud.provider",
            type_path,
            "aws",
            source=FactSource.DERIVED,
            detail="a SageMaker endpoint runs on AWS",
        )
        reader.anchor("", resource_path)
        reader.anchor("cloud", type_path, resource_path)
        return reader

    def _put(
        self,
        reader: FactReader,
        name: str,
        resolved: Resolved | None,
        value: Any = None,
        detail: str = "",
    ) -> None:
        if resolved is None or name in reader.facts:
            return
        shown_detail = "; ".join(d for d in (detail, resolved.detail, self.why) if d)
        if not resolved.known:
            reader.unresolved.setdefault(name, Fact(resolved.value, resolved.location))
            return
        reader.facts[name] = Fact(
            resolved.value if value is None else value,
            resolved.location,
            FactSource.DECLARED,
            shown_detail,
        )

    def _put_number(
        self, reader: FactReader, name: str, resolved: Resolved | None, detail: str = ""
    ) -> None:
        if resolved is None:
            return
        if not resolved.known:
            self._put(reader, name, resolved)
            return
        count = number(resolved.value)
        if count is not None:
            self._put(reader, name, resolved, count, detail)

    def variant(
        self, logical_id: str, variant: dict[str, Any], path: PathKey, suffix: str
    ) -> Deployment:
        resource_path: PathKey = ("Resources", logical_id)
        reader = self._reader(resource_path)
        reader.anchor("", path)

        def field(key: str) -> Resolved | None:
            value, where = self.child(variant, path, key)
            return self.resolve(value, where)

        self._put(reader, "hardware.instanceType", field("InstanceType"))
        count = field("InitialInstanceCount")
        self._put_number(reader, "replicas.min", count, "initial instance count")
        self._put_number(
            reader,
            "replicas.max",
            count,
            "initial instance count; autoscaling, if any, is configured in other resources",
        )
        serverless, serverless_path = self.child(variant, path, "ServerlessConfig")
        if isinstance(serverless, dict):
            concurrency, concurrency_path = self.child(
                serverless, serverless_path, "MaxConcurrency"
            )
            self._put_number(
                reader,
                "rateLimits.concurrency",
                self.resolve(concurrency, concurrency_path),
                "ServerlessConfig.MaxConcurrency",
            )
            cpu = Resolved(
                "cpu",
                self.document.location(serverless_path),
                "SageMaker Serverless Inference runs on CPU only",
            )
            reader.facts.setdefault(
                "hardware.accelerator",
                Fact(cpu.value, cpu.location, FactSource.DERIVED, cpu.detail),
            )
        self._model(reader, variant, path)
        reader.anchor("model", (*path, "ModelName"), path)
        reader.anchor("hardware", (*path, "InstanceType"), (*path, "ServerlessConfig"), path)
        reader.anchor("replicas", (*path, "InitialInstanceCount"), path)
        reader.anchor("rateLimits", (*path, "ServerlessConfig"), path)
        name = variant.get("VariantName")
        shown = f"{logical_id}/{name}" if isinstance(name, str) else f"{logical_id}/{path[-1]}"
        return self._finish(reader, shown + suffix, (*path, "VariantName"), "")

    def _model(self, reader: FactReader, variant: dict[str, Any], path: PathKey) -> None:
        reference = variant.get("ModelName")
        model_id = self._model_resource(reference)
        if model_id is None:
            return
        model_path: PathKey = ("Resources", model_id, "Properties")
        properties = self.select(self.resources[model_id].get("Properties"), model_path)
        if properties is None or not isinstance(properties[0], dict):
            return
        props, props_path, _ = properties
        containers: list[tuple[Any, PathKey]] = [self.child(props, props_path, "PrimaryContainer")]
        listed, listed_path = self.child(props, props_path, "Containers")
        if isinstance(listed, list):
            containers.extend(self.child(listed, listed_path, i) for i in range(len(listed)))
        for container, container_path in containers:
            environment, env_path = self.child(container, container_path, "Environment")
            if not isinstance(environment, dict):
                continue
            via = f"model {model_id}"
            hf_model, gpus, task = (
                self.resolve(*self.child(environment, env_path, key))
                for key in ("HF_MODEL_ID", "SM_NUM_GPUS", "HF_TASK")
            )
            self._put(reader, "model.name", hf_model, detail=f"{via}, environment HF_MODEL_ID")
            self._put_number(reader, "hardware.count", gpus, f"{via}, environment SM_NUM_GPUS")
            mapped = task_from_hf(task.value) if task is not None and task.known else None
            if mapped is not None:
                self._put(
                    reader,
                    "task",
                    task,
                    mapped[0],
                    "; ".join(d for d in (f"{via}, environment HF_TASK", mapped[1]) if d),
                )
            elif task is not None and not task.known:
                self._put(reader, "task", task)

    def _model_resource(self, reference: Any) -> str | None:
        """The logical id of the AWS::SageMaker::Model a variant's ModelName points to."""
        target: Any = None
        if isinstance(reference, dict) and len(reference) == 1:
            function, argument = next(iter(reference.items()))
            if function == "Fn::GetAtt":
                target = (
                    argument.split(".", 1)[0]
                    if isinstance(argument, str)
                    else (argument[0] if isinstance(argument, list) and argument else None)
                )
            elif function == "Ref":
                target = argument
        elif isinstance(reference, str):
            for logical_id, resource in self.resources.items():
                props = resource.get("Properties") if isinstance(resource, dict) else None
                if (
                    _type(resource) == MODEL
                    and isinstance(props, dict)
                    and props.get("ModelName") == reference
                ):
                    target = logical_id
        if isinstance(target, str) and _type(self.resources.get(target)) == MODEL:
            return target
        return None

    def _finish(self, reader: FactReader, name: str, name_path: PathKey, reason: str) -> Deployment:
        if self.stage is not None:
            name = f"{name} [{self.stage.label}]"
        kind = ENDPOINT_CONFIG
        deployment = reader.deployment(
            name=name, kind=kind, format="sagemaker", name_path=name_path
        )
        return finish(deployment, _hints(reason))


def _short(value: Any) -> str:
    if isinstance(value, dict) and len(value) == 1:
        function, argument = next(iter(value.items()))
        short = "!" + str(function).removeprefix("Fn::")
        return f"{short} {argument}" if isinstance(argument, str) else f"{short} ..."
    return str(value)


def _hints(reason: str) -> dict[str, str]:
    prefix = f"{reason}; " if reason else ""
    parameter = 'give the parameter a Default, or a value in a parameters file next to the template ({"Parameters": {...}})'
    return {
        "task": f"{prefix}set Environment.HF_TASK on the variant's AWS::SageMaker::Model container, or {DECLARE}",
        "model.name": f"{prefix}set Environment.HF_MODEL_ID on the variant's AWS::SageMaker::Model container, or {DECLARE}",
        "model.parameters": f"{prefix}set Environment.HF_MODEL_ID on the variant's AWS::SageMaker::Model container, or {DECLARE}",
        "cloud.region": f"a CloudFormation template runs in whatever region its stack is deployed to; {DECLARE}",
        "hardware.instanceType": f"{prefix}set the variant's InstanceType (e.g. ml.g5.2xlarge) or {parameter}",
        "hardware.accelerator": f"{prefix}set the variant's InstanceType to one greengate's catalog knows (or {parameter}), or add it in a catalog extension file (--catalog)",
        "replicas.min": f"{prefix}set the variant's InitialInstanceCount or {parameter}",
        "replicas.max": f"{prefix}set the variant's InitialInstanceCount or {parameter}",
        "rateLimits.requestsPerMinute": f"a SageMaker endpoint does not limit requests per minute: enforce it at an API Gateway usage plan in front of it and {DECLARE}",
        "rateLimits.tokensPerMinute": f"a SageMaker endpoint does not limit tokens per minute: enforce it at a gateway in front of it and {DECLARE}",
        "owner": f"a SageMaker endpoint config has no owner field; {DECLARE}",
    }
