"""Kubeflow training: PyTorchJob, TFJob, MPIJob, XGBoostJob, PaddleJob, JAXJob, MXJob
(``kubeflow.org``), and Trainer v2 TrainJob, TrainingRuntime and ClusterTrainingRuntime
(``trainer.kubeflow.org``).

Every one of them is a deployment with ``workload: training`` (or
``fine-tuning`` when its name, images or commands name a fine-tuning
entrypoint: ``finetune``, ``lora``, ``torchtune``...).

Training-operator jobs (``spec.<kind>ReplicaSpecs.{Master,Chief,Worker,PS,Launcher,...}``):
a replica is one pod of the roles that request accelerators;
``hardware.count`` is the accelerators of one such pod (the largest, when
roles differ) and ``replicas`` the sum of those roles' ``replicas`` (all
roles when none requests accelerators). A PyTorchJob ``elasticPolicy``'s
``minReplicas``/``maxReplicas`` bound the workers.

Trainer v2: a replica is one training node. TrainJob: ``spec.trainer``
(``numNodes``, ``resourcesPerNode``, ``image``/``command``/``args``/``env``)
and ``spec.initializer.model.storageUri`` (``hf://org/model``).
TrainingRuntime/ClusterTrainingRuntime: ``spec.mlPolicy.numNodes``, the
trainer pod of ``spec.template.spec.replicatedJobs`` (named ``node``, or
labelled ``trainjob-ancestor-step: trainer``), and the ``STORAGE_URI`` env
of the ``model-initializer`` (never the dataset initializer's).
"""

from __future__ import annotations

from greengate.load import Document, PathKey
from greengate.manifests.base import (
    NO_CONTEXT,
    Adapter,
    AdaptResult,
    FactReader,
    ManifestProblem,
    ReadContext,
)
from greengate.manifests.kube.annotations import finish, kubernetes_hints, read_annotations
from greengate.manifests.kube.containers import env_values, read_container
from greengate.manifests.kube.engines import model_id
from greengate.manifests.kube.objects import api_group
from greengate.manifests.kube.pods import Pod, anchor_pod, put_pod, read_pod
from greengate.manifests.kube.resources import resource_count
from greengate.manifests.kube.values import Found, pick, put, whole_number
from greengate.manifests.kube.workloads import batch_workload
from greengate.records.deployment import FactSource

V1_GROUP = "kubeflow.org"
V1_KINDS = ("PyTorchJob", "TFJob", "MPIJob", "XGBoostJob", "PaddleJob", "JAXJob", "MXJob")
V2_GROUP = "trainer.kubeflow.org"
V2_KINDS = ("TrainJob", "TrainingRuntime", "ClusterTrainingRuntime")
ANCESTOR_LABEL = "trainer.kubeflow.org/trainjob-ancestor-step"

HINTS = kubernetes_hints(
    {
        "hardware.accelerator": "add a nodeSelector such as cloud.google.com/gke-accelerator: <type> to the worker template's spec, or the annotation greengate.dev/accelerator: <type> to metadata.annotations",
        "hardware.count": "request the accelerators in the worker containers' resources.limits (nvidia.com/gpu: <n>), or add the annotation greengate.dev/accelerator-count: <n> to metadata.annotations",
    }
)


class KubeflowAdapter(Adapter):
    name = "kubeflow"
    description = "Kubeflow training jobs (PyTorchJob, TFJob, MPIJob, ...) and Trainer v2 TrainJob and training runtimes"

    def matches(self, document: Document) -> bool:
        group, kind = api_group(document)
        return (group == V1_GROUP and kind in V1_KINDS) or (group == V2_GROUP and kind in V2_KINDS)

    def read(self, document: Document, context: ReadContext = NO_CONTEXT) -> AdaptResult:
        _, kind = api_group(document)
        reader = FactReader(document)
        problems = read_annotations(reader)
        if kind in V1_KINDS:
            pods = self._replica_specs(document, reader, problems)
        elif kind == "TrainJob":
            pods = self._train_job(document, reader, problems)
        else:
            pods = self._runtime(document, reader, problems)
        name = (
            document.get(("metadata", "name")) or document.get(("metadata", "generateName")) or ""
        )
        workload, why = batch_workload(str(name), *(p.text() for p in pods))
        if workload == "batch":
            workload, why = "training", f"{kind} is a training job"
        put(
            reader,
            "workload",
            Found(workload, document.location(("kind",)), why, FactSource.DERIVED),
        )
        return AdaptResult([finish(reader, kind=kind, format=self.name, hints=HINTS)], problems)

    def _replica_specs(
        self, document: Document, reader: FactReader, problems: list[ManifestProblem]
    ) -> list[Pod]:
        spec = document.get(("spec",))
        roles: list[tuple[str, PathKey, Pod]] = []
        if isinstance(spec, dict):
            for key, value in spec.items():
                if not str(key).endswith("ReplicaSpecs") or not isinstance(value, dict):
                    continue
                for role, role_spec in value.items():
                    if isinstance(role_spec, dict):
                        path: PathKey = ("spec", key, role)
                        pod = read_pod(
                            document,
                            (*path, "template", "spec"),
                            labels=[(*path, "template", "metadata", "labels")],
                        )
                        problems.extend(pod.problems)
                        roles.append((str(role), path, pod))
        if not roles:
            return []
        accelerated = [r for r in roles if r[2].devices > 0]
        main = (
            max(accelerated, key=lambda r: r[2].devices)
            if accelerated
            else next((r for r in roles if r[2].is_ai), roles[0])
        )
        put_pod(reader, main[2])
        for _, _, pod in roles:
            put_pod(reader, pod, skip_count=True)
        counted = accelerated or roles
        total = 0
        where = None
        names: list[str] = []
        for role, path, _ in counted:
            replicas = whole_number(document.get((*path, "replicas")))
            replicas = replicas if replicas is not None and replicas >= 0 else 1
            total += replicas
            names.append(f"{role} {replicas}")
            where = where or (
                document.location((*path, "replicas"))
                if document.get((*path, "replicas")) is not None
                else None
            )
        detail = f"pods of {' + '.join(names)}" + (
            " (the roles that request accelerators)" if accelerated else ""
        )
        elastic = self._elastic(document, counted)
        for name in ("replicas.min", "replicas.max"):
            put(reader, name, elastic.get(name))
            if where is not None:
                put(reader, name, Found(total, where, detail))
        anchor_pod(reader, main[2], main[1])
        reader.anchor("replicas", (*main[1], "replicas"), main[1])
        return [r[2] for r in roles]

    def _elastic(
        self, document: Document, counted: list[tuple[str, PathKey, Pod]]
    ) -> dict[str, Found]:
        """``elasticPolicy`` bounds the workers; the other roles keep their replicas."""
        out: dict[str, Found] = {}
        others = 0
        for role, path, _ in counted:
            if role != "Worker":
                value = whole_number(document.get((*path, "replicas")))
                others += value if value is not None and value >= 0 else 1
        for name, key in (("replicas.min", "minReplicas"), ("replicas.max", "maxReplicas")):
            path = ("spec", "elasticPolicy", key)
            value = whole_number(document.get(path))
            if value is not None and value >= 0:
                detail = f"elasticPolicy.{key}" + (
                    f" workers + {others} other pods" if others else " workers"
                )
                out[name] = Found(value + others, document.location(path), detail)
        return out

    def _train_job(
        self, document: Document, reader: FactReader, problems: list[ManifestProblem]
    ) -> list[Pod]:
        trainer: PathKey = ("spec", "trainer")
        uri_path = ("spec", "initializer", "model", "storageUri")
        uri = document.get(uri_path)
        if isinstance(uri, str) and uri.strip():
            put(
                reader,
                "model.name",
                Found(
                    model_id(uri), document.location(uri_path), "spec.initializer.model.storageUri"
                ),
            )
        pod = Pod(trainer)
        container = read_container(document, trainer, problems)
        if container is not None:
            pod.containers.append(container)
            pod.count, pod.resource = resource_count(
                document, (*trainer, "resourcesPerNode"), problems
            )
            pod.primary = container
        put(reader, "hardware.count", pod.count)
        nodes = whole_number(document.get((*trainer, "numNodes")))
        if nodes is not None and nodes >= 0:
            found = Found(
                nodes,
                document.location((*trainer, "numNodes")),
                "spec.trainer.numNodes (training nodes)",
            )
            put(reader, "replicas.min", found)
            put(reader, "replicas.max", found)
        runtime = document.get(("spec", "runtimeRef", "name"))
        reader.anchor("hardware", (*trainer, "resourcesPerNode"), trainer, ("spec",))
        reader.anchor("model", ("spec", "initializer"), ("spec",))
        if isinstance(runtime, str):
            reader.anchor("replicas", (*trainer, "numNodes"), ("spec", "runtimeRef"))
        return [pod]

    def _runtime(
        self, document: Document, reader: FactReader, problems: list[ManifestProblem]
    ) -> list[Pod]:
        jobs_path: PathKey = ("spec", "template", "spec", "replicatedJobs")
        jobs = document.get(jobs_path)
        pods: list[tuple[str, PathKey, Pod]] = []
        for i, job in enumerate(jobs if isinstance(jobs, list) else []):
            if not isinstance(job, dict):
                continue
            template: PathKey = (*jobs_path, i, "template")
            step = document.get((*template, "metadata", "labels", ANCESTOR_LABEL))
            pod = read_pod(document, (*template, "spec", "template", "spec"))
            problems.extend(pod.problems)
            pods.append((str(step or job.get("name") or ""), template, pod))
        initializers = [p for name, _, p in pods if name == "model-initializer"]
        models = [
            Found(model_id(f.value), f.location, f.detail)
            for pod in initializers
            for container in pod.containers
            for f in env_values(container, ("STORAGE_URI",), document)
        ]
        trainers = [p for name, _, p in pods if name in ("trainer", "node")]
        main = trainers[0] if trainers else next((p for _, _, p in pods if p.devices > 0), None)
        if main is not None and main.model is not None:
            models.append(main.model)
        put(reader, "model.name", pick(models, "model"))
        if main is not None:
            put_pod(reader, main)
            anchor_pod(reader, main, ("spec", "template"))
        nodes_path = ("spec", "mlPolicy", "numNodes")
        nodes = whole_number(document.get(nodes_path))
        if nodes is not None and nodes >= 0:
            found = Found(
                nodes, document.location(nodes_path), "spec.mlPolicy.numNodes (training nodes)"
            )
            put(reader, "replicas.min", found)
            put(reader, "replicas.max", found)
        reader.anchor("replicas", nodes_path, ("spec", "mlPolicy"), ("spec",))
        return [p for _, _, p in pods if all(p is not i for i in initializers)]
