"""Kubernetes workloads (Deployment, StatefulSet, Job, CronJob, LeaderWorkerSet, JobSet).

The corpus cases were checked by opening each file and reading the facts by
eye. Every file is unmodified from its repository; ``tests/data/corpus/INDEX.tsv``
records its repository, commit and licence (``test_fixtures_are_indexed``).
"""

from __future__ import annotations

from typing import Any

import pytest
from support import CORPUS, INDEX_LINES, adapt_corpus, adapt_text, assert_facts

from greengate.load import load_bytes, load_file
from greengate.manifests import ManifestProblem, adapter_for
from greengate.manifests.kubernetes import KubernetesAdapter
from greengate.records.deployment import Deployment, FactSource

GKE = "GoogleCloudPlatform__kubernetes-engine-samples/ai-ml/"
STACK = "vllm-project__production-stack/"


def read(path: str) -> tuple[list[Deployment], list[ManifestProblem]]:
    """Every deployment and problem the Kubernetes adapter finds in a corpus file."""
    return adapt_corpus(path, KubernetesAdapter)


def read_text(text: str) -> tuple[list[Deployment], list[ManifestProblem]]:
    return adapt_text(text, KubernetesAdapter(), "inline.yaml", lstrip=False)


# (corpus path, deployment name, facts checked by eye, (key fact, the line it is on)).
CORPUS_CASES = [
    (
        GKE + "adk-vllm/deploy-llm/deploy-llm.yaml",
        "vllm-llama3-deployment",
        {
            "hardware.accelerator": "nvidia-l4",
            "hardware.count": 1,
            "model.name": "meta-llama/Llama-3.1-8B-Instruct",
            "replicas.min": 1,
            "replicas.max": 1,
            "workload": "inference",
            "cloud.region": None,
            "task": None,
        },
        ("model.name", 58),  # --model=$(MODEL_ID) resolved through the env entry
    ),
    (
        GKE + "llm-multiple-gpus/llama2-70b/text-generation-inference.yaml",
        "llm",
        {
            "hardware.accelerator": "nvidia-l4",
            "hardware.count": 2,
            "model.name": "meta-llama/Llama-2-70b-chat-hf",
            "model.precision": "int4",  # QUANTIZE=bitsandbytes-nf4
            "replicas.max": 1,
        },
        ("hardware.count", 41),
    ),
    (
        GKE + "llm-serving-gemma/saxml/saxml-model-server-2x2.yaml",
        "sax-model-server-v5e-2x2",
        {
            "hardware.accelerator": "tpu-v5-lite-podslice",
            "hardware.count": 4,
            "model.name": "gemma-7b-it",  # only the ai.gke.io/model label names it
            "replicas.min": 1,
        },
        ("hardware.accelerator", 37),
    ),
    (
        GKE + "llm-serving-gemma/tgi/tgi-2b-it-a100-40gb.yaml",
        "tgi-gemma-deployment",
        {
            "hardware.accelerator": "nvidia-tesla-a100",
            "hardware.count": 1,
            "model.name": "google/gemma-2b-it",
        },
        ("model.name", 47),
    ),
    (
        GKE + "llm-serving-gemma/tgi/tgi-7b-it-h100-80gb.yaml",
        "tgi-gemma-deployment",
        {
            "hardware.accelerator": "nvidia-h100-80gb",
            "hardware.count": 8,
            "model.name": "google/gemma-7b-it",
        },
        ("hardware.accelerator", 63),
    ),
    (
        GKE + "llm-serving-gemma/tgi/tgi-2-27b-it.yaml",
        "tgi-gemma-deployment",
        {
            "hardware.accelerator": "nvidia-l4",
            "hardware.count": 4,
            "model.name": "google/gemma-2-27b-it",
        },
        ("model.name", 61),
    ),
    (
        GKE + "llm-serving-gemma/vllm/vllm-3-27b-it.yaml",
        "vllm-gemma-deployment",
        {
            "hardware.accelerator": "nvidia-a100-80gb",
            "hardware.count": 1,
            "model.name": "google/gemma-3-27b-it",
            "rateLimits.concurrency": 4,
        },
        ("rateLimits.concurrency", 56),
    ),
    (
        GKE + "llm-serving-llama/vllm/vllm-llama4-maverick-17b-128e-instruct.yaml",
        "llama-deployment",
        {
            "hardware.accelerator": "nvidia-h200-141gb",
            "hardware.count": 8,
            "model.name": "meta-llama/Llama-4-Maverick-17B-128E-Instruct",
            "rateLimits.concurrency": 64,
        },
        ("model.name", 57),
    ),
    (
        GKE + "llm-serving-optimum-tpu/optimum-tpu-llama3-8b-2x4.yaml",
        "tgi-tpu",
        {
            "hardware.accelerator": "tpu-v5-lite-podslice",
            "hardware.count": 8,
            "model.name": "meta-llama/Meta-Llama-3-8B",
            "rateLimits.concurrency": 4,
        },
        ("model.name", 37),
    ),
    (
        GKE + "llm-serving-tpus-jetstream/pytorch/jetstream-pytorch-gemma-7b-it-2x4.yaml",
        "jetstream-pytorch-server",
        {
            "hardware.accelerator": "tpu-v5-lite-podslice",
            "hardware.count": 8,
            "model.name": "google/gemma-7b-it",
            "replicas.min": 2,
            "replicas.max": 2,
        },
        ("replicas.min", 21),
    ),
    (
        GKE + "nemo-rl-on-gke/nemoRL/gemma3-27b-it/nim-gemma-deployment.yaml",
        "nim-gemma-3-27b-deployment",
        {
            "hardware.accelerator": "nvidia-h100-mega-80gb",
            "hardware.count": 8,
            "model.name": "google/gemma-3-27b-it",  # NIM_MODEL_NAME hf://google/gemma-3-27b-it
        },
        ("model.name", 58),
    ),
    (
        GKE + "vllm-tpu/vllm-llama3-70b.yaml",
        "vllm-tpu",
        {
            "hardware.accelerator": "tpu-v6e-slice",
            "hardware.count": 8,
            "model.name": "meta-llama/Llama-3.1-70B",
            "rateLimits.concurrency": 128,
        },
        ("hardware.count", 67),
    ),
    (
        STACK + "src/gateway_inference_extension/configs/vllm/gpu-deployment.yaml",
        "vllm-llama3-1b-instruct",
        {
            "hardware.count": 1,
            "hardware.accelerator": None,
            "model.name": "meta-llama/Llama-3.2-1B-Instruct",
            "replicas.min": 2,
            "rateLimits.concurrency": 1024,  # --max-num-seq, argparse's abbreviation
        },
        ("model.name", 22),
    ),
    (
        STACK + "examples/disaggregated_prefill_orchestrated/decode-deploy.yaml",
        "default/decode",
        {
            # A vLLM server started from a bash script: no accelerator is requested.
            "model.name": "/var/mdl/YOUR-MODEL-PATH",
            "hardware.count": None,
            "replicas.min": 1,
            "workload": "inference",
        },
        ("model.name", 106),
    ),
    (
        GKE + "llm-finetuning-gemma/finetune.yaml",
        "default/finetune-job",
        {
            "hardware.accelerator": "nvidia-l4",
            "hardware.count": 8,
            "model.name": "google/gemma-2b",
            "workload": "fine-tuning",
            "replicas.min": None,
        },
        ("hardware.count", 34),
    ),
    (
        GKE + "llm-training-jax-tpu-gemma3/training_singlehost.yaml",
        "jax-gemma3-train-singlehost",
        {"hardware.accelerator": "tpu-v6e-slice", "hardware.count": 1, "workload": "training"},
        ("hardware.accelerator", 38),
    ),
    (
        "GoogleCloudPlatform__kubernetes-engine-samples/batch/kueue-intro/job-team-a.yaml",
        "team-a/sample-job-team-a-",  # generateName only
        {
            "hardware.accelerator": "nvidia-tesla-t4",
            "hardware.count": 1,
            "replicas.min": 3,
            "replicas.max": 3,
            "workload": "batch",
        },
        ("replicas.max", 25),
    ),
    (
        GKE + "gke-tpu-dynamic-slicing/tpu-job-jax-v7x-64.yaml",
        "tpu-job-jax-v7x-64",
        {
            "hardware.accelerator": "tpu7x",
            "hardware.count": 4,
            "replicas.min": 16,
            "workload": "batch",
        },
        ("hardware.accelerator", 40),
    ),
    (
        GKE + "mix-train-and-inference/workloads/fine-tune-l4.yaml",
        "finetune-gemma-l4",
        {
            "hardware.accelerator": "nvidia-l4",
            "hardware.count": 2,
            "replicas.min": 2,
            "model.name": "google/gemma-2-2b",
            "workload": "fine-tuning",
        },
        ("model.name", 74),
    ),
    (
        GKE + "gke-tpu-dynamic-slicing/tpu-multislice-jax.yaml",
        "tpu-multislice-jax",
        {
            "hardware.accelerator": "tpu7x",
            "hardware.count": 64,  # 4 chips x 16 pods per slice
            "replicas.min": 2,
            "workload": "batch",
        },
        ("replicas.min", 26),
    ),
    (
        GKE + "llm-training-jax-tpu-gemma3/training_multihost_jobset.yaml",
        "jax-gemma3-train-multihost",
        {
            "hardware.accelerator": "tpu-v6e-slice",
            "hardware.count": 8,
            "replicas.max": 1,
            "workload": "training",
        },
        ("hardware.count", 47),
    ),
    (
        GKE + "llm-multihost-tpus-saxml/sax-model-server-set.yaml",
        "sax-model-server-set",
        {"hardware.accelerator": "tpu-v5-lite-podslice", "hardware.count": 32, "replicas.min": 2},
        ("hardware.accelerator", 39),
    ),
    (
        GKE + "llm-multihost-gpus/vllm-deepseek-r1-A3.yaml",
        "vllm",
        {
            "hardware.accelerator": "nvidia-h100-80gb",
            "hardware.count": 16,  # leader 8 + 1 worker x 8
            "model.name": "deepseek-ai/DeepSeek-R1",
            "replicas.min": 1,
            "workload": "inference",
        },
        ("hardware.count", 49),
    ),
    (
        GKE + "llm-multihost-gpus-tensorrt-llm/lws.yaml",
        "tensorrt",
        {"hardware.accelerator": "nvidia-h100-80gb", "hardware.count": 16, "replicas.max": 1},
        ("hardware.accelerator", 31),
    ),
    (
        GKE
        + "llm-serving-tpus-jetstream/pathways/jetstream-pathways-disagg-llama-2-70b-2-2x4.yaml",
        "jetstream-pathways",
        {
            "hardware.accelerator": "tpu-v6e-slice",
            "hardware.count": 16,  # the leader has no TPU; 4 workers x 4
            "model.name": "llama2-70b",  # MaxText model_name=
        },
        ("model.name", 116),
    ),
    (
        "GoogleCloudPlatform__kubernetes-engine-samples/demos/vit-training-example/yamls/spec-gcs.yaml",
        "example/tensorflow",
        {
            "hardware.accelerator": "nvidia-l4",
            "hardware.count": 1,
            "replicas.min": 1,
            "workload": "inference",
        },
        ("hardware.count", 52),
    ),
    # Dynamic Resource Allocation: the ResourceClaimTemplate in the same file.
    (
        "NVIDIA__k8s-dra-driver-gpu/demo/specs/quickstart/v1/gpu-test6.yaml",
        "gpu-test6/pod",
        {
            "hardware.accelerator": "a100",  # productName.lowerAscii().matches('^.*a100.*$')
            "hardware.count": 1,  # one device: ExactCount with no count
            "replicas.max": 4,
            "workload": "inference",
        },
        ("hardware.accelerator", 26),  # the CEL expression
    ),
    (
        "NVIDIA__k8s-dra-driver-gpu/demo/specs/quickstart/v1beta1/gpu-test6.yaml",
        "gpu-test6/pod",
        {"hardware.accelerator": "a100", "hardware.count": 1, "replicas.max": 4},
        ("hardware.count", 22),  # deviceClassName of the v1beta1 request
    ),
    (
        "NVIDIA__k8s-dra-driver-gpu/demo/specs/quickstart/v1/gpu-test4.yaml",
        "gpu-test4/pod",
        {"hardware.count": 4, "hardware.accelerator": None, "replicas.max": 4},  # four MIG claims
        ("hardware.count", 23),
    ),
    # DRA on AWS Neuron: the template is another file of the folder; its CEL names trn2.48xlarge.
    (
        "aws-neuron__aws-neuron-eks-samples/speculative_decoding_trn2_vllm/qwen-sd-vllm-deploy.yaml",
        "default/qwen-sd-vllm",
        {
            "hardware.accelerator": "trn2",
            "hardware.instanceType": "trn2.48xlarge",
            "hardware.count": 8,
            "model.name": "Qwen/Qwen3-32B",
        },
        ("model.name", 39),
    ),
    # AWS Neuron without an instance type: aws-neuron, generation unknown.
    (
        "aws-neuron__aws-neuron-eks-samples/flux_serve/specs/flux-neuron-512x512-model-api.yaml",
        "flux-neuron-512x512-model-api",
        {
            "hardware.accelerator": "aws-neuron",
            "hardware.count": 6,
            "model.name": "black-forest-labs/FLUX.1-dev",
        },
        ("hardware.count", 47),
    ),
    # NeuronCores with no instance family: not converted, the count stays missing.
    (
        "aws-neuron__aws-neuron-eks-samples/tp_dp_trn2_vllm/qwen-vllm-tp2-deploy.yaml",
        "default/qwen-vllm-tp2",
        {"hardware.accelerator": "aws-neuron", "hardware.count": None, "workload": "inference"},
        ("hardware.accelerator", 51),
    ),
    # Region from the environment: AWS_DEFAULT_REGION names an AWS region.
    (
        "awslabs__ai-on-eks/blueprints/inference/vllm-llama3.1-405b-trn1/llama3-405b-vllm-lws-deployment.yaml",
        "default/llama3-405b-lws",
        {
            "cloud.region": "us-west-2",
            "cloud.provider": "aws",
            "hardware.accelerator": "aws-neuron",
            "hardware.count": 64,  # 16 per pod x size 4
        },
        ("cloud.region", 75),
    ),
    # A model server with no accelerator: cpu.
    (
        "kubernetes__examples/AI/model-serving-tensorflow/deployment.yaml",
        "tf-serving",
        {"hardware.accelerator": "cpu", "hardware.count": None, "workload": "inference"},
        ("hardware.accelerator", 19),  # the tensorflow/serving image
    ),
]


@pytest.mark.parametrize(
    ("path", "name", "facts", "key"), CORPUS_CASES, ids=[c[0] for c in CORPUS_CASES]
)
def test_corpus_facts(path: str, name: str, facts: dict[str, Any], key: tuple[str, int]) -> None:
    deployments, problems = read(path)
    assert not problems
    (deployment,) = [d for d in deployments if d.name == name]
    assert deployment.format == "kubernetes"
    assert_facts(deployment, facts)
    fact, line = key
    assert deployment.facts[fact].location.line == line
    assert deployment.facts[fact].location.file.endswith(path)


def test_fixtures_are_indexed() -> None:
    """Every fixture is a corpus file whose source, commit and licence INDEX.tsv records."""
    index = (CORPUS / "INDEX.tsv").read_text().splitlines()
    rows = {line.split("\t")[0]: line.split("\t") for line in index[1:]}
    for path, *_ in CORPUS_CASES:
        row = rows[f"files/{path}"]
        assert (
            row[1]
            and len(row[3]) == 40
            and row[4] in ("Apache-2.0", "MIT", "BSD-3-Clause", "MIT-0")
        )


def test_label_that_disagrees_with_the_model_argument_is_noted() -> None:
    """The GKE adk-vllm sample labels the pod llama3-3-1b-it but serves Llama-3.1-8B."""
    (deployment,), _ = read(GKE + "adk-vllm/deploy-llm/deploy-llm.yaml")
    fact = deployment.facts["model.name"]
    assert fact.value == "meta-llama/Llama-3.1-8B-Instruct"
    assert "--model" in fact.detail and "llama3-3-1b-it" in fact.detail and "line 28" in fact.detail


def test_label_is_the_fallback_when_the_argument_is_a_placeholder() -> None:
    """A kustomize patch passes --model=$(MODEL_ID) without the env: the label names the model."""
    (deployment,), _ = read(GKE + "llm-serving-gemma/vllm/vllm-7b-token/patch.yaml")
    assert deployment.facts["model.name"].value == "gemma-7b-token"
    assert deployment.facts["model.name"].location.line == 23


def test_placeholders_are_unresolved_not_facts() -> None:
    (deployment,), _ = read(
        "GoogleCloudPlatform__kubernetes-engine-samples/autoscaling/custom-compute-classes/reservations/deployment-gpu.yaml"
    )
    assert "hardware.count" not in deployment.facts
    assert deployment.unresolved["hardware.count"].value == "${ACCELERATOR_QUANTITY}"
    assert deployment.unresolved["hardware.count"].location.line == 43
    assert "placeholder" in deployment.hint("hardware.count")
    (job,), _ = read(GKE + "llm-quantize/llm-compressor-gptq/job.yaml")
    assert job.unresolved["model.name"].value == "$MODEL_ID"


def test_other_documents_of_a_file_are_not_deployments() -> None:
    deployments, _ = read(GKE + "llm-serving-gemma/trtllm/deploy-triton-server.yaml")
    assert [d.name for d in deployments] == ["triton-gemma-deployment"]
    assert deployments[0].document == 1


def test_corpus_files_read_without_problems() -> None:
    """Every Kubernetes workload in the corpus reads without a crash or a problem."""
    index = INDEX_LINES
    paths = [row.split("\t")[0] for row in index if row.split("\t")[5].startswith("k8s-")]
    found = 0
    for path in paths:
        loaded = load_file(CORPUS / path)
        for document in loaded.documents:
            adapter = adapter_for(document)
            if isinstance(adapter, KubernetesAdapter):
                result = adapter.read(document)
                assert not result.problems, path
                found += len(result.deployments)
    assert found >= 45


def test_neuron_and_cpu_facts_say_why() -> None:
    (neuron,) = read(
        "aws-neuron__aws-neuron-eks-samples/flux_serve/specs/flux-neuron-512x512-model-api.yaml"
    )[0]
    assert neuron.facts["hardware.accelerator"].source is FactSource.DERIVED
    assert "karpenter.k8s.aws/instance-family" in neuron.hints["hardware.generation"]
    (cores,) = read("aws-neuron__aws-neuron-eks-samples/tp_dp_trn2_vllm/qwen-vllm-tp2-deploy.yaml")[
        0
    ]
    assert "counts NeuronCores, not devices" in cores.hints["hardware.count"]
    assert "line 51" in cores.hints["hardware.count"]
    (cpu,) = read("kubernetes__examples/AI/model-serving-tensorflow/deployment.yaml")[0]
    fact = cpu.facts["hardware.accelerator"]
    assert fact.source is FactSource.DERIVED
    assert fact.detail == (
        "no accelerator requested or selected; tf-serving server image tensorflow/serving:2.19.0"
    )


def test_region_detail_names_the_other_hints() -> None:
    (lws,) = read(
        "awslabs__ai-on-eks/blueprints/inference/vllm-llama3.1-405b-trn1/llama3-405b-vllm-lws-deployment.yaml"
    )[0]
    assert lws.facts["cloud.region"].detail == "env AWS_DEFAULT_REGION (aws)"
    assert lws.facts["cloud.provider"].location.line == 75


# --- inline cases ------------------------------------------------------------------------


def test_plain_web_server_is_not_a_deployment() -> None:
    deployments, problems = read_text(
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          replicas: 3
          template:
            spec:
              containers:
              - name: nginx
                image: nginx:1.27
                resources: {limits: {cpu: "1"}}
        """
    )
    assert deployments == [] and problems == []


def test_greengate_annotation_makes_any_workload_a_deployment_and_wins() -> None:
    (deployment,), problems = read_text(
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: scorer
          namespace: ml
          annotations:
            greengate.dev/region: europe-north1
            greengate.dev/task: classification
            greengate.dev/replicas-max: "8"
        spec:
          replicas: 2
          template:
            spec:
              containers:
              - name: scorer
                image: example/scorer:1
        """
    )
    assert problems == []
    assert deployment.name == "ml/scorer"
    assert deployment.facts["cloud.region"].source is FactSource.ANNOTATION
    assert deployment.facts["cloud.region"].location.line == 8  # the text starts with a newline
    assert deployment.facts["replicas.max"].value == 8  # the annotation wins over spec.replicas
    assert deployment.facts["replicas.min"].value == 2
    assert deployment.facts["task"].value == "classification"


def test_cronjob_reads_its_job_template() -> None:
    (deployment,), _ = read_text(
        """
        apiVersion: batch/v1
        kind: CronJob
        metadata: {name: nightly-finetune}
        spec:
          schedule: "0 2 * * *"
          jobTemplate:
            spec:
              parallelism: 2
              template:
                spec:
                  nodeSelector: {cloud.google.com/gke-accelerator: nvidia-l4}
                  containers:
                  - name: train
                    image: example/trainer:1
                    command: ["accelerate", "launch", "finetune.py"]
                    resources: {limits: {nvidia.com/gpu: 1}}
        """
    )
    assert_facts(
        deployment,
        {
            "hardware.accelerator": "nvidia-l4",
            "hardware.count": 1,
            "replicas.min": 2,
            "workload": "fine-tuning",
        },
    )


def test_leaderworkerset_without_leader_template_multiplies_the_worker() -> None:
    (deployment,), _ = read_text(
        """
        apiVersion: leaderworkerset.x-k8s.io/v1
        kind: LeaderWorkerSet
        metadata: {name: lws}
        spec:
          replicas: 2
          leaderWorkerTemplate:
            size: 4
            workerTemplate:
              spec:
                containers:
                - name: vllm
                  image: vllm/vllm-openai:v0.8.5
                  args: ["--model", "meta-llama/Llama-3.1-405B-Instruct"]
                  resources: {limits: {nvidia.com/gpu: "8"}}
        """
    )
    assert_facts(
        deployment,
        {
            "hardware.count": 32,
            "replicas.min": 2,
            "model.name": "meta-llama/Llama-3.1-405B-Instruct",
        },
    )
    assert deployment.facts["hardware.count"].source is FactSource.DERIVED


def test_no_name_is_named_by_kind_and_document() -> None:
    (deployment,), _ = read_text(
        """
        apiVersion: apps/v1
        kind: StatefulSet
        spec:
          template:
            spec:
              containers:
              - {name: tgi, image: ghcr.io/huggingface/text-generation-inference:2.4, args: [--model-id, bigscience/bloom-560m]}
        """
    )
    assert deployment.name == "StatefulSet#1"
    assert deployment.facts["model.name"].value == "bigscience/bloom-560m"


@pytest.mark.parametrize(
    ("pod", "message"),
    [
        ("containers: vllm", "containers must be a list"),
        (
            "containers: [{name: a, image: vllm/vllm-openai, resources: {limits: [nvidia.com/gpu]}}]",
            "resources.limits must be a mapping",
        ),
        (
            "containers: [{name: a, resources: {limits: {nvidia.com/gpu: many}}}]",
            "not a whole number",
        ),
    ],
)
def test_clearly_broken_pod_specs_are_problems(pod: str, message: str) -> None:
    deployments, problems = read_text(
        f"""
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: broken
          annotations: {{greengate.dev/region: us-east-1}}
        spec:
          template:
            spec:
              {pod}
        """
    )
    assert [message in p.message for p in problems] == [True]
    assert problems[0].location.line >= 9
    assert len(deployments) == 1  # the annotation still makes it a deployment


def test_surprising_shapes_do_not_crash() -> None:
    """Numbers in args, a string for env, a list for nodeSelector, null containers."""
    for spec in (
        "containers: [{name: a, image: vllm/vllm-openai, args: [--model, 7, --max-num-seqs, 16], env: oops}]",
        "nodeSelector: [a, b]\n              containers: [{name: a, image: vllm/vllm-openai}]",
        "containers: null",
        "containers: [null, 3, {name: x, image: vllm/vllm-openai, command: {a: b}}]",
        "affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: oops}}}",
    ):
        text = f"""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {{name: odd}}
        spec:
          replicas: lots
          template:
            spec:
              {spec}
        """
        deployments, _ = read_text(text)
        for deployment in deployments:
            assert deployment.name == "odd"


def test_numbers_in_args_are_read_as_text() -> None:
    (deployment,), _ = read_text(
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: odd}
        spec:
          template:
            spec:
              containers: [{name: a, image: vllm/vllm-openai, args: [--model, 7, --max-num-seqs, 16]}]
        """
    )
    assert deployment.facts["model.name"].value == "7"
    assert deployment.facts["rateLimits.concurrency"].value == 16


def test_matches_only_looks_at_kind_and_api_version() -> None:
    adapter = KubernetesAdapter()
    for text, expected in (
        ("apiVersion: apps/v1\nkind: Deployment\n", True),
        ("apiVersion: batch/v1\nkind: Job\n", True),
        ("apiVersion: jobset.x-k8s.io/v1alpha2\nkind: JobSet\n", True),
        ("apiVersion: v1\nkind: Service\n", False),
        ("apiVersion: apps/v1\nkind: DaemonSet\n", False),
        ("kind: Deployment\n", False),
        ("- a list\n", False),
    ):
        (document,) = load_bytes(text.encode(), "x.yaml").documents
        assert adapter.matches(document) is expected, text


def test_anchors_and_hints_point_at_the_right_place() -> None:
    (deployment,), _ = read(GKE + "llm-serving-gemma/vllm/vllm-3-1b-it.yaml")
    assert deployment.where("cloud.region").line == 18  # metadata:
    assert deployment.where("rateLimits.requestsPerMinute").line == 18
    assert "greengate.dev/region" in deployment.hint("cloud.region")
    assert "greengate.dev/task" in deployment.hint("task")
    for field in (
        "task",
        "model.parameters",
        "cloud.region",
        "cloud.provider",
        "hardware.accelerator",
        "rateLimits.requestsPerMinute",
        "rateLimits.tokensPerMinute",
        "owner",
    ):
        assert field in deployment.hints
    (no_gpu,), _ = read(STACK + "src/gateway_inference_extension/configs/vllm/gpu-deployment.yaml")
    assert no_gpu.where("hardware.accelerator").line == 142  # the container's resources:
    assert "nodeSelector" in no_gpu.hint("hardware.accelerator")
