"""KubeRay RayService, RayCluster and RayJob, including the YAML inside ``serveConfigV2``.

Corpus files checked by eye; their repositories (ray-project/kuberay,
GoogleCloudPlatform/kubernetes-engine-samples, awslabs/data-on-eks), commits
and licences are in ``tests/data/corpus/INDEX.tsv``.
"""

from __future__ import annotations

from typing import Any

import pytest
from support import INDEX_LINES, INDEXED, adapt_corpus, adapt_text, assert_facts

from greengate.load import load_bytes
from greengate.manifests import ManifestProblem
from greengate.manifests.ray import RayAdapter
from greengate.records.deployment import Deployment, FactSource

KUBERAY = "ray-project__kuberay/ray-operator/config/samples/"
GKE = "GoogleCloudPlatform__kubernetes-engine-samples/ai-ml/gke-ray/"
EKS = "awslabs__data-on-eks/data-stacks/ray-on-eks/examples/ray-batch-inference/"


def read(path: str) -> tuple[list[Deployment], list[ManifestProblem]]:
    return adapt_corpus(path, RayAdapter)


def read_text(text: str) -> tuple[list[Deployment], list[ManifestProblem]]:
    return adapt_text(text, RayAdapter(), "ray.yaml")


CORPUS_CASES = [
    (
        GKE + "rayserve/ap_llama2-70b.yaml",
        {
            "model.name": "meta-llama/Llama-2-70b-chat-hf",  # runtime_env.env_vars.MODEL_ID in serveConfigV2
            "hardware.accelerator": "nvidia-l4",
            "hardware.count": 2,
            "replicas.min": 1,
            "replicas.max": 1,
            "workload": "inference",
        },
        ("model.name", 31),
    ),
    (
        GKE + "rayserve/llm/tpu/ray-service.tpu-v6e-multihost.yaml",
        {
            "model.name": "gemma-4-31B-it",  # the RayService's ai.gke.io/model label
            "hardware.accelerator": "tpu-v6e-slice",
            "hardware.count": 16,  # 4 chips x numOfHosts 4
            "replicas.min": 1,
        },
        ("hardware.accelerator", 161),
    ),
    (
        GKE + "rayserve/stable-diffusion/ray-service-tpu.yaml",
        {
            "hardware.accelerator": "tpu-v4-podslice",
            "hardware.count": 4,
            "replicas.min": 1,
            "replicas.max": 1,
        },
        ("hardware.count", 74),
    ),
    (
        KUBERAY + "ray-service.deepseek.yaml",
        {
            "model.name": "deepseek-ai/DeepSeek-R1",
            "hardware.accelerator": "H100",  # llm_configs accelerator_type
            "hardware.count": 8,
            "replicas.min": 2,
            "rateLimits.concurrency": 40,  # engine_kwargs max_num_seqs
        },
        ("hardware.accelerator", 13),
    ),
    (
        KUBERAY + "ray-service.llm-serve.yaml",
        {
            "model.name": "Qwen/Qwen2.5-7B-Instruct",
            "hardware.count": 4,
            "rateLimits.concurrency": 128,  # max_ongoing_requests
            "model.precision": "bf16",
        },
        ("rateLimits.concurrency", 26),
    ),
    (
        KUBERAY + "ray-service.high-throughput-llm.yaml",
        {
            "model.name": "Qwen/Qwen3.5-4b",
            "hardware.accelerator": "nvidia-l4",
            "hardware.count": 1,
            "replicas.max": 4,
        },
        ("model.name", 27),
    ),
    (
        EKS + "03-rayservice-deepseek-r1-8b.yaml",
        {
            # model_source is s3://$S3_BUCKET/..., a placeholder: model_id names it.
            "model.name": "deepseek-r1-distill-llama-8b",
            "hardware.accelerator": "L40S",
            "hardware.count": 1,
            "replicas.min": 1,  # enableInTreeAutoscaling: minReplicas..maxReplicas
            "replicas.max": 2,
            "rateLimits.concurrency": 128,
        },
        ("replicas.max", 102),
    ),
    (
        KUBERAY + "ray-cluster.tpu-v4-multihost.yaml",
        {
            "hardware.accelerator": "tpu-v4-podslice",
            "hardware.count": 8,
            "replicas.min": 1,
            "workload": None,
        },
        ("hardware.count", 66),
    ),
    (
        KUBERAY + "ray-cluster-label-selector.yaml",
        {
            "hardware.accelerator": "nvidia-tesla-a100",
            "hardware.count": 1,  # the group's Ray resources GPU: "1"
            "replicas.min": 0,
            "replicas.max": 10,
            "cloud.region": "us-central2",  # Ray node label ray.io/region
        },
        ("cloud.region", 91),
    ),
    (
        "GoogleCloudPlatform__kubernetes-engine-samples/ai-ml/gke-ray/tpu/get-started/train/ray-cluster.train-qwen3-v6e.yaml",
        {"hardware.accelerator": "tpu-v6e-slice", "hardware.count": 8, "workload": "fine-tuning"},
        ("hardware.accelerator", 111),
    ),
    (
        GKE + "raytrain/maxtext/ray-cluster.tpu-multi-slice.yaml",
        {"hardware.accelerator": "tpu-v6e-slice", "hardware.count": 16, "replicas.min": 2},
        ("replicas.min", 81),
    ),
    (
        KUBERAY + "ray-job.tpu-v6e-16-multihost.yaml",
        {"hardware.accelerator": "tpu-v6e-slice", "hardware.count": 16, "workload": "batch"},
        ("hardware.accelerator", 75),
    ),
    (
        KUBERAY + "pytorch-resnet-image-classifier/ray-job.pytorch-image-classifier.yaml",
        {"hardware.count": 1, "replicas.min": 4, "workload": "fine-tuning"},
        ("replicas.min", 67),
    ),
    (
        KUBERAY + "ray-job.resources.yaml",
        {
            "hardware.count": 2,
            "replicas.min": None,
            "workload": "batch",
        },  # head rayStartParams num-gpus
        ("hardware.count", 29),
    ),
    (
        KUBERAY + "ray-job.batch-inference.yaml",
        {"hardware.accelerator": "nvidia-tesla-t4", "hardware.count": 4, "workload": "batch"},
        ("hardware.count", 26),
    ),
]


@pytest.mark.parametrize(("path", "facts", "key"), CORPUS_CASES, ids=[c[0] for c in CORPUS_CASES])
def test_corpus_facts(path: str, facts: dict[str, Any], key: tuple[str, int]) -> None:
    (deployment,), problems = read(path)
    assert not problems
    assert deployment.format == "ray"
    assert_facts(deployment, facts)
    fact, line = key
    assert deployment.facts[fact].location.line == line


def test_fixtures_are_indexed() -> None:
    rows = INDEXED
    for path, *_ in CORPUS_CASES:
        assert f"files/{path}" in rows


@pytest.mark.parametrize(
    "path",
    [
        KUBERAY + "ray-service.sample.yaml",
        KUBERAY + "ray-service.high-availability.yaml",
        EKS + "05-rayjob-batch-endpoint.yaml",
    ],
)
def test_ray_objects_that_are_not_ai_are_skipped(path: str) -> None:
    """The fruit-stand Serve samples, and a CPU job that only calls an LLM endpoint."""
    assert read(path) == ([], [])


def test_corpus_ray_objects_read_without_problems() -> None:
    index = INDEX_LINES
    paths = [
        r.split("\t")[0]
        for r in index
        if r.split("\t")[5] in ("rayservice", "raycluster", "rayjob")
    ]
    count = 0
    for path in paths:
        deployments, problems = read(path.removeprefix("files/"))
        assert not problems, path
        count += len(deployments)
    assert count >= 30


SERVE = """
apiVersion: ray.io/v1
kind: RayService
metadata: {name: svc}
spec:
  serveConfigV2: |
    applications:
    - name: first
      runtime_env:
        env_vars: {MODEL_ID: "meta-llama/Llama-3.1-8B-Instruct"}
      deployments:
      - name: llm
        max_ongoing_requests: 64
        ray_actor_options: {num_gpus: 2}
        autoscaling_config: {min_replicas: 1, max_replicas: 6}
    - name: second
      args: {model_id: "BAAI/bge-m3"}
  rayClusterConfig:
    headGroupSpec:
      template: {spec: {containers: [{name: head, image: rayproject/ray:2.40.0}]}}
"""


def test_serve_config_facts_point_into_the_host_file() -> None:
    (deployment,), problems = read_text(SERVE)
    assert problems == []
    assert_facts(
        deployment,
        {
            "model.name": "meta-llama/Llama-3.1-8B-Instruct",
            "rateLimits.concurrency": 64,
            "hardware.count": 2,  # no group holds accelerators: num_gpus per Serve replica
            "replicas.min": 1,
            "replicas.max": 6,
        },
    )
    model = deployment.facts["model.name"]
    assert model.location.line == 9
    assert (
        model.location.column == 30
    )  # '"meta-llama...' inside the block, shifted by its indentation
    assert "BAAI/bge-m3" in model.detail  # the second application's model is named
    assert deployment.facts["hardware.count"].location.line == 13


def test_invalid_serve_config_is_a_problem_at_its_line() -> None:
    text = SERVE.replace("      deployments:", "      deployments: [unclosed")
    deployments, problems = read_text(text)
    (problem,) = problems
    assert "spec.serveConfigV2 is not valid YAML" in problem.message
    assert problem.location.line > 6
    assert deployments == []  # without it nothing says this cluster is AI


def test_invalid_serve_config_still_reads_the_cluster() -> None:
    text = """
    apiVersion: ray.io/v1
    kind: RayService
    metadata: {name: svc}
    spec:
      serveConfigV2: "applications: [: :"
      rayClusterConfig:
        workerGroupSpecs:
        - groupName: gpu
          replicas: 2
          template:
            spec:
              nodeSelector: {cloud.google.com/gke-accelerator: nvidia-l4}
              containers: [{name: w, resources: {limits: {nvidia.com/gpu: 1}}}]
    """
    (deployment,), (problem,) = read_text(text)
    assert problem.location.line == 5  # a quoted scalar: its own line
    assert_facts(
        deployment, {"hardware.accelerator": "nvidia-l4", "hardware.count": 1, "replicas.min": 2}
    )


def test_odd_shapes_do_not_crash() -> None:
    for spec in (
        "serveConfigV2: 42",
        "serveConfigV2: '- a list'",
        "serveConfigV2: 'applications: {a: b}'",
        "serveConfigV2: 'applications: [1, {args: {llm_configs: [3, {model_loading_config: 4, engine_kwargs: 5}]}}]'",
        "rayClusterConfig: {workerGroupSpecs: [7, {template: 3, numOfHosts: x}], headGroupSpec: []}",
    ):
        text = f"apiVersion: ray.io/v1\nkind: RayService\nmetadata: {{name: odd, annotations: {{greengate.dev/task: chat}}}}\nspec:\n  {spec}\n"
        (document,) = load_bytes(text.encode(), "odd.yaml").documents
        result = RayAdapter().read(document)
        assert result.deployments[0].name == "odd"


def test_workload_markers_for_jobs_and_clusters() -> None:
    job = """
    apiVersion: ray.io/v1
    kind: RayJob
    metadata: {name: job}
    spec:
      entrypoint: python train.py --epochs 3
      rayClusterSpec:
        headGroupSpec:
          template: {spec: {containers: [{name: h, resources: {limits: {nvidia.com/gpu: 1}}}]}}
    """
    (deployment,), _ = read_text(job)
    assert deployment.facts["workload"].value == "training"
    assert deployment.facts["workload"].source is FactSource.DERIVED
    cluster = """
    apiVersion: ray.io/v1
    kind: RayCluster
    metadata: {name: c}
    spec:
      headGroupSpec:
        template: {spec: {containers: [{name: h, resources: {limits: {nvidia.com/gpu: 1}}}]}}
    """
    (deployment,), _ = read_text(cluster)
    assert "workload" not in deployment.facts
    assert "greengate.dev/workload" in deployment.hint("workload")
