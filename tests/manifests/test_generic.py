"""The generic fallback: any Kubernetes-style object no other adapter claims.

The corpus cases were checked by opening each file and reading the facts by
eye; the files are unmodified from their repositories (``INDEX.tsv`` records
each one's repository, commit and licence). Inline texts cover kinds and
shapes no permissively licensed real file in reach shows (a Knative Service,
an Argo Workflow, an operator resource) and bad input.
"""

from __future__ import annotations

from typing import Any

import pytest
from support import CORPUS, adapt_corpus, adapt_text, assert_facts

from greengate.load import load_bytes
from greengate.manifests import ADAPTERS, ManifestProblem, adapter_for
from greengate.manifests.generic import MAX_DEPTH, GenericAdapter, pod_spec_paths
from greengate.records.deployment import Deployment, FactSource

DRA = "NVIDIA__k8s-dra-driver-gpu/demo/specs/"
GKE = "GoogleCloudPlatform__ai-on-gke/tutorials-and-examples/"


def read(path: str) -> tuple[list[Deployment], list[ManifestProblem]]:
    return adapt_corpus(path, GenericAdapter)


def read_text(text: str) -> tuple[list[Deployment], list[ManifestProblem]]:
    return adapt_text(text, GenericAdapter(), "inline.yaml", lstrip=False)


def test_generic_is_the_last_adapter() -> None:
    assert isinstance(ADAPTERS[-1], GenericAdapter)
    assert sum(isinstance(a, GenericAdapter) for a in ADAPTERS) == 1


# (corpus path, deployment name, facts checked by eye, (key fact, its line)).
CORPUS_CASES: list[tuple[str, str, dict[str, Any], tuple[str, int]]] = [
    (
        GKE + "gpu-examples/training-single-gpu/src/gke-config/standard-tensorflow-bash.yaml",
        "test-tensorflow-pod",
        {
            "hardware.accelerator": "nvidia-tesla-t4",
            "hardware.count": 1,
            "workload": None,  # a bash Pod: greengate cannot tell what it runs
        },
        ("hardware.count", 35),
    ),
    (
        GKE
        + "tpu-examples/training/mnist-single-tpu/src/gke-config/standard-tensorflow-bash-v5e.yaml",
        "test-tensorflow-pod",
        {"hardware.accelerator": "tpu-v5-lite-podslice", "hardware.count": 4},
        ("hardware.accelerator", 10),
    ),
    (
        DRA + "quickstart/v1/gpu-test1.yaml",
        "gpu-test1/pod1",
        {"hardware.count": 1, "hardware.accelerator": None},
        ("hardware.count", 22),  # deviceClassName inside `exactly:` of the template
    ),
    (
        DRA + "quickstart/v1/gpu-test1.yaml",
        "gpu-test1/pod2",
        {"hardware.count": 1},
        ("hardware.count", 22),
    ),
    (
        DRA + "quickstart/v1/gpu-test2.yaml",
        "gpu-test2/pod",
        {"hardware.count": 1},  # one claim shared by two containers counts once
        ("hardware.count", 22),
    ),
    (
        DRA + "quickstart/gpu-test8.yaml",
        "gpu-test8/gpu-pod",
        {"hardware.count": 2},
        ("hardware.count", 19),  # count: 2 of the v1beta1 request
    ),
    (
        DRA + "selectors/pods.yaml",
        "kubecon-demo/training-pod",
        {"hardware.count": None, "workload": "training"},  # v1alpha2: how many is not said
        ("workload", 29),
    ),
]


@pytest.mark.parametrize(
    ("path", "name", "facts", "key"), CORPUS_CASES, ids=[c[0] + c[1] for c in CORPUS_CASES]
)
def test_corpus_facts(path: str, name: str, facts: dict[str, Any], key: tuple[str, int]) -> None:
    deployments, problems = read(path)
    assert not problems
    (deployment,) = [d for d in deployments if d.name == name]
    assert deployment.format == "generic" and deployment.kind == "Pod"
    assert_facts(deployment, facts)
    fact, line = key
    assert deployment.facts[fact].location.line == line


def test_fixtures_are_indexed() -> None:
    rows = {
        line.split("\t")[0]: line.split("\t")
        for line in (CORPUS / "INDEX.tsv").read_text().splitlines()[1:]
    }
    for path, *_ in CORPUS_CASES:
        row = rows[f"files/{path}"]
        assert len(row[3]) == 40 and row[4] in ("Apache-2.0", "MIT", "MIT-0", "BSD-3-Clause")


def test_note_says_the_object_was_read_generically() -> None:
    (pod, _) = read(DRA + "quickstart/v1/gpu-test1.yaml")[0]
    assert pod.notes[0].startswith("read generically: greengate has no adapter for v1 Pod")
    assert pod.notes[1] == "facts from the pod spec at spec (line 32)"


def test_v1alpha2_claim_leaves_the_count_missing_and_says_why() -> None:
    (inference, _training) = read(DRA + "selectors/pods.yaml")[0]
    hint = inference.hints["hardware.count"]
    assert "resource class gpu.nvidia.com at line 9" in hint
    assert "resource.k8s.io/v1alpha2" in hint


def test_compute_domain_channel_is_not_an_accelerator() -> None:
    assert read(DRA + "imex/channel-injection.yaml") == ([], [])


def test_claim_templates_alone_are_not_deployments() -> None:
    assert read(DRA + "selectors/claims.yaml") == ([], [])


# --- inline cases: kinds ----------------------------------------------------------------


def test_knative_service_with_a_gpu() -> None:
    (service,), problems = read_text(
        """
apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: vllm
spec:
  template:
    spec:
      containers:
      - image: vllm/vllm-openai:v0.6.0
        args: ["--model", "Qwen/Qwen2.5-7B-Instruct"]
        resources:
          limits:
            nvidia.com/gpu: "1"
      nodeSelector:
        cloud.google.com/gke-accelerator: nvidia-l4
"""
    )
    assert problems == []
    assert service.kind == "Service" and service.format == "generic"
    assert_facts(
        service,
        {
            "hardware.accelerator": "nvidia-l4",
            "hardware.count": 1,
            "model.name": "Qwen/Qwen2.5-7B-Instruct",
            "workload": "inference",
        },
    )
    assert service.facts["workload"].source is FactSource.DERIVED
    assert "serving.knative.dev/v1 Service" in service.notes[0]
    assert service.notes[1] == "facts from the pod spec at spec.template.spec (line 8)"


def test_argo_workflow_template_with_one_container() -> None:
    (workflow,), _ = read_text(
        """
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: finetune-
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - name: train
        template: train
  - name: train
    nodeSelector:
      node.kubernetes.io/instance-type: g5.2xlarge
    container:
      image: pytorch/pytorch:2.3.0-cuda12.1-cudnn8-runtime
      command: [python, finetune_lora.py]
      resources:
        limits:
          nvidia.com/gpu: 1
"""
    )
    assert_facts(
        workflow,
        {"hardware.instanceType": "g5.2xlarge", "hardware.count": 1, "workload": "fine-tuning"},
    )
    assert workflow.facts["hardware.count"].location.line == 21
    assert "spec.templates[1]" in workflow.notes[1]


def test_operator_resource_with_resources_and_replicas() -> None:
    (nim,), _ = read_text(
        """
apiVersion: apps.example.com/v1alpha1
kind: ModelServer
metadata:
  name: llama
spec:
  image:
    repository: nvcr.io/nim/meta/llama3-8b-instruct
  replicas: 2
  resources:
    limits:
      nvidia.com/gpu: 4
"""
    )
    assert_facts(nim, {"hardware.count": 4, "replicas.min": 2, "replicas.max": 2, "workload": None})
    assert nim.facts["replicas.max"].location.line == 9
    assert "workload" in nim.hints and "generically" in nim.hints["workload"]


def test_several_pods_the_one_with_accelerators_wins() -> None:
    (job,), _ = read_text(
        """
apiVersion: example.com/v1
kind: TrainingRun
metadata:
  name: run
spec:
  launcher:
    replicas: 1
    template:
      spec:
        containers:
        - name: launcher
          image: busybox
  workers:
  - replicas: 3
    template:
      spec:
        containers:
        - name: worker
          image: ghcr.io/example/torchrun:1
          resources:
            limits:
              nvidia.com/gpu: 8
"""
    )
    assert_facts(job, {"hardware.count": 8, "replicas.max": 3, "workload": "training"})
    assert job.facts["replicas.max"].location.line == 15
    assert job.notes[2] == "1 other pod spec(s) not used for the facts (line 10)"


def test_cpu_only_unknown_kind_is_not_a_deployment() -> None:
    assert read_text(
        """
apiVersion: example.com/v1
kind: WebApp
metadata:
  name: shop
spec:
  template:
    spec:
      containers:
      - image: nginx
        resources: "lots"
"""
    ) == ([], [])


def test_cpu_model_server_in_an_unknown_kind_runs_on_cpu() -> None:
    (server,), _ = read_text(
        """
apiVersion: example.com/v1
kind: Assistant
metadata:
  name: ollama
spec:
  podSpec:
    containers:
    - name: ollama
      image: ollama/ollama:0.5.7
"""
    )
    assert_facts(server, {"hardware.accelerator": "cpu", "workload": "inference"})
    assert server.facts["hardware.accelerator"].location.line == 10
    assert "ollama server image ollama/ollama:0.5.7" in server.facts["hardware.accelerator"].detail


def test_greengate_annotation_makes_a_deployment() -> None:
    (app,), _ = read_text(
        """
apiVersion: example.com/v1
kind: Agent
metadata:
  name: helper
  annotations:
    greengate.dev/model-name: gpt-4o-mini
"""
    )
    assert_facts(app, {"model.name": "gpt-4o-mini"})


@pytest.mark.parametrize(
    "kind", ["ServingRuntime", "ClusterServingRuntime", "PodTemplate", "CustomResourceDefinition"]
)
def test_templates_for_others_are_not_read(kind: str) -> None:
    document = load_bytes(
        f"apiVersion: x/v1\nkind: {kind}\nspec:\n  containers:\n  - image: vllm/vllm-openai\n".encode(),
        "t.yaml",
    ).documents[0]
    assert not GenericAdapter().matches(document)


def test_documents_without_kind_are_not_generic() -> None:
    document = load_bytes(b"containers:\n- image: vllm/vllm-openai\n", "values.yaml").documents[0]
    assert not isinstance(adapter_for(document), GenericAdapter)


# --- inline cases: region ---------------------------------------------------------------


def test_region_precedence_and_detail() -> None:
    (pod,), _ = read_text(
        """
apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  nodeSelector:
    topology.kubernetes.io/zone: us-central1-a
  containers:
  - image: vllm/vllm-openai
    env:
    - name: AWS_REGION
      value: us-east-1
    resources: {limits: {nvidia.com/gpu: 1}}
"""
    )
    region = pod.facts["cloud.region"]
    assert (region.value, region.location.line) == ("us-central1", 8)
    assert "env AWS_REGION (aws) says 'us-east-1' (line 13, differs)" in region.detail
    assert "cloud.provider" not in pod.facts  # the env hint did not win


def test_annotation_wins_and_lists_the_node_selector() -> None:
    (pod,), _ = read_text(
        """
apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    greengate.dev/region: europe-west4
spec:
  nodeSelector:
    topology.kubernetes.io/region: europe-west4
  containers:
  - image: vllm/vllm-openai
"""
    )
    region = pod.facts["cloud.region"]
    assert region.source is FactSource.ANNOTATION and region.location.line == 7
    assert region.detail == (
        "annotation greengate.dev/region; also nodeSelector topology.kubernetes.io/region "
        "says 'europe-west4' (line 10, agrees)"
    )


def test_region_placeholder_is_unresolved() -> None:
    (pod,), _ = read_text(
        """
apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
  - image: vllm/vllm-openai
    env:
    - name: AWS_REGION
      value: ${AWS_REGION}
"""
    )
    assert "cloud.region" not in pod.facts and "cloud.region" in pod.unresolved
    assert "cloud.provider" not in pod.facts


# --- bad input --------------------------------------------------------------------------


def test_surprising_shapes_become_problems_not_crashes() -> None:
    (pod,), problems = read_text(
        """
apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  resourceClaims: [{name: gpu, resourceClaimTemplateName: "{{ .Values.claim }}"}, 7, null]
  nodeSelector: [a, b]
  containers:
  - image: vllm/vllm-openai
    resources:
      limits:
        nvidia.com/gpu: two
  - "not a container"
  - image: busybox
    resources: [1, 2]
"""
    )
    messages = sorted((p.location.line, p.message.split(":")[0]) for p in problems)
    assert messages == [
        (13, "resources.limits nvidia.com/gpu"),
        (16, "resources must be a mapping with limits and requests"),
    ]
    assert "hardware.count" not in pod.facts
    assert "placeholder" in pod.hints["hardware.count"]


def test_deep_documents_do_not_exhaust_the_stack() -> None:
    text = "apiVersion: x/v1\nkind: Deep\nspec:\n" + "".join(
        "  " * (i + 1) + f"k{i}:\n" for i in range(150)
    )
    text += "  " * 151 + "containers: [{image: vllm/vllm-openai}]\n"
    document = load_bytes(text.encode(), "deep.yaml").documents[0]
    assert pod_spec_paths(document.data) == []  # deeper than MAX_DEPTH
    assert MAX_DEPTH < 150
    assert GenericAdapter().read(document).deployments == []


def test_huge_documents_are_walked_within_bounds() -> None:
    items = ", ".join("{a: [1, 2, {b: c}]}" for _ in range(30000))
    text = f"apiVersion: x/v1\nkind: Big\nspec:\n  items: [{items}]\n"
    document = load_bytes(text.encode(), "big.yaml").documents[0]
    assert GenericAdapter().read(document).deployments == []


def test_a_list_is_read_item_by_item() -> None:
    deployments, problems = read_text(
        """
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: settings}
  data: {a: b}
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: vllm-a, annotations: {greengate.dev/region: us-east-1}}
  spec:
    replicas: 2
    template:
      spec:
        containers:
        - image: vllm/vllm-openai
          resources: {limits: {nvidia.com/gpu: 1}}
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: vllm-b}
  spec:
    template:
      spec:
        containers:
        - image: vllm/vllm-openai
          resources: {limits: {nvidia.com/gpu: 4}}
- 42
"""
    )
    assert problems == []
    a, b = deployments
    assert (a.name, a.kind, b.name) == ("vllm-a", "Deployment", "vllm-b")
    assert_facts(a, {"hardware.count": 1, "replicas.max": 2, "cloud.region": "us-east-1"})
    assert a.facts["replicas.max"].location.line == 13
    assert_facts(b, {"hardware.count": 4, "replicas.max": None, "workload": "inference"})
    assert b.notes[0].startswith("read generically: apps/v1 Deployment, item 2 of a List")


def test_cloud_run_service_names_its_gpu() -> None:
    (service,), _ = read_text(
        """
apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: ollama-gemma
spec:
  template:
    spec:
      containers:
      - image: ollama/ollama:0.6.0
        resources:
          limits: {cpu: "8", nvidia.com/gpu: "1"}
      nodeSelector:
        run.googleapis.com/accelerator: nvidia-l4
"""
    )
    assert_facts(service, {"hardware.accelerator": "nvidia-l4", "hardware.count": 1})
    assert service.facts["hardware.accelerator"].location.line == 14
    assert "Cloud Run" in service.facts["hardware.accelerator"].detail


def test_keda_scaled_job_embeds_its_job_template() -> None:
    (job,), _ = read_text(
        """
apiVersion: keda.sh/v1alpha1
kind: ScaledJob
metadata:
  name: batch-embeddings
spec:
  maxReplicaCount: 10
  jobTargetRef:
    parallelism: 1
    template:
      spec:
        containers:
        - name: worker
          image: ghcr.io/example/embedder:1
          resources:
            limits:
              nvidia.com/gpu: 1
        restartPolicy: Never
"""
    )
    assert job.kind == "ScaledJob"
    assert_facts(job, {"hardware.count": 1, "replicas.max": None, "workload": None})
    assert job.notes[1] == "facts from the pod spec at spec.jobTargetRef.template.spec (line 11)"


def test_an_unreadable_accelerator_count_in_an_unknown_kind_is_an_error_not_ignored() -> None:
    """A workload that requests an accelerator is never ignored, even when the count is bad."""
    deployments, problems = read_text(
        """
apiVersion: example.com/v1
kind: WebApp
metadata:
  name: shop
spec:
  template:
    spec:
      containers:
      - image: nginx
        resources:
          limits:
            nvidia.com/gpu: "two"
"""
    )
    assert [d.name for d in deployments] == ["shop"]
    assert [(p.location.line, p.accelerator) for p in problems] == [(13, True)]
    assert "'two' is not a whole number of devices" in problems[0].message
