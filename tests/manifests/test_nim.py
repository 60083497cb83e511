"""NVIDIA NIM Operator NIMService and NIMPipeline, with hardware facts from a NIMCache beside them.

Corpus files from ``NVIDIA/k8s-nim-operator`` (``config/samples/nim``;
Apache-2.0, commit in ``tests/data/corpus/INDEX.tsv``), checked by eye.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
from support import INDEXED, adapt_corpus, adapt_file, adapt_text, assert_facts, no_problems

from greengate.catalog import Catalog
from greengate.manifests.nim import NIMAdapter, nim_model
from greengate.records.deployment import Deployment, FactSource

NIM = "NVIDIA__k8s-nim-operator/config/samples/nim/"


def read(path: str) -> list[Deployment]:
    return no_problems(adapt_corpus(NIM + path, NIMAdapter))


CORPUS_CASES = [
    (
        "serving/standalone/basic/llm.yaml",
        "nim-service/meta-llama-3-2-1b-instruct",
        {
            "model.name": "meta/llama-3.2-1b-instruct",
            "hardware.count": 1,
            "replicas.min": 1,
            "replicas.max": 1,
            "workload": "inference",
        },
        {"model.name": 33, "hardware.count": 46, "replicas.min": 43, "workload": 27},
    ),
    (
        "serving/standalone/autoscaling/llm.yaml",
        "nim-service/meta-llama-3-2-1b-instruct",
        {"replicas.min": 1, "replicas.max": 2, "hardware.count": 1},  # scale.hpa
        {"replicas.min": 61, "replicas.max": 60},
    ),
    (
        "serving/advanced/multi-node/multi-node-nimservice.yaml",
        "nim-service/deepseek-r1",
        # 8 GPUs a pod; one replica spreads over tensor 8 x pipeline 2 GPUs
        {"model.name": "deepseek-ai/deepseek-r1", "hardware.count": 16, "replicas.max": 1},
        {"hardware.count": 92, "model.name": 70},
    ),
    (
        "serving/standalone/no-precaching/multi-llm-hf.yaml",
        "nim-service/meta-llama-3-2-1b-instruct",
        # the multi-LLM image names no model; NIM_MODEL_NAME does (hf:// dropped)
        {"model.name": "meta-llama/Llama-3.2-1B-Instruct", "hardware.count": 1},
        {"model.name": 18, "hardware.count": 27, "replicas.min": 34},
    ),
]


@pytest.mark.parametrize(
    ("path", "name", "facts", "lines"), CORPUS_CASES, ids=[c[0] for c in CORPUS_CASES]
)
def test_corpus_facts(path: str, name: str, facts: dict[str, Any], lines: dict[str, int]) -> None:
    (deployment,) = read(path)
    assert (deployment.name, deployment.format, deployment.kind) == (name, "nim", "NIMService")
    assert_facts(deployment, facts)
    for fact, line in lines.items():
        assert deployment.facts[fact].location.line == line, fact


def test_gpus_of_the_claims_the_operator_creates() -> None:
    """DRA: a device of class gpu.nvidia.com without ``count`` is one GPU (the CRD's default)."""
    (deployment,) = read("serving/advanced/dra/auto-creation/example1/llm.yaml")
    fact = deployment.facts["hardware.count"]
    assert (fact.value, fact.location.line) == (1, 47)
    assert "count defaults to 1" in fact.detail


def test_gpus_from_the_nimcache_in_the_same_file() -> None:
    """A pre-created claim template is not read here; the NIMCache's profile says 1 GPU."""
    (deployment,) = read("serving/advanced/dra/manual/llm.yaml")
    fact = deployment.facts["hardware.count"]
    assert (fact.value, fact.location.line) == (1, 33)
    assert fact.detail.startswith("NIMCache meta-llama3-2-1b-instruct tensorParallelism")
    assert deployment.facts["model.name"].location.line == 50


def test_fixtures_are_indexed() -> None:
    for path, *_ in CORPUS_CASES:
        assert f"files/{NIM}{path}" in INDEXED
    for path in (
        "pipelines/rag/nimcache-llm.yaml",
        "pipelines/rag/rag-pipeline.yaml",
        "serving/advanced/dra/manual/llm.yaml",
        "serving/advanced/dra/auto-creation/example1/llm.yaml",
    ):
        assert f"files/{NIM}{path}" in INDEXED


def test_image_names_the_model_as_derived() -> None:
    (deployment,) = read("serving/standalone/basic/llm.yaml")
    fact = deployment.facts["model.name"]
    assert fact.source == FactSource.DERIVED
    assert "nvcr.io/nim/meta/llama-3.2-1b-instruct (tag 1.12.0)" in fact.detail


def test_the_normalised_nim_name_finds_the_catalog_model() -> None:
    """NGC's ``meta/`` is not Hugging Face's ``meta-llama/``: the model's own name matches."""
    match = Catalog.builtin().model("meta/llama-3.2-1b-instruct")
    assert match is not None and match.parameters == 1_240_000_000
    match = Catalog.builtin().model("meta/llama-3.1-8b-instruct")
    assert match is not None and match.parameters == 8_030_000_000


def test_pipeline_is_one_deployment_per_enabled_service() -> None:
    llm, embed, rerank = read("pipelines/rag/rag-pipeline.yaml")
    assert [d.name for d in (llm, embed, rerank)] == [
        "nim-service/rag-pipeline/meta-llama3-8b-instruct",
        "nim-service/rag-pipeline/nv-embedqa-1b-v2",
        "nim-service/rag-pipeline/nv-rerankqa-1b-v2",
    ]
    assert_facts(llm, {"model.name": "meta/llama-3.1-8b-instruct", "hardware.count": 1})
    assert_facts(embed, {"model.name": "nvidia/llama-3.2-nv-embedqa-1b-v2"})
    assert_facts(rerank, {"model.name": "nvidia/llama-3.2-nv-rerankqa-1b-v2", "replicas.min": 1})
    assert (llm.facts["model.name"].location.line, embed.facts["hardware.count"].location.line) == (
        12,
        47,
    )
    assert rerank.facts["replicas.min"].location.line == 68


def test_nimcache_is_not_a_deployment() -> None:
    """A NIMCache runs a download Job (cpu and memory only): nothing to read."""
    assert read("pipelines/rag/nimcache-llm.yaml") == []
    # In a file with a NIMService, only the service is a deployment.
    assert [d.kind for d in read("serving/standalone/basic/llm.yaml")] == ["NIMService"]


@pytest.mark.parametrize(
    ("image", "model"),
    [
        ("nvcr.io/nim/meta/llama-3.1-8b-instruct", "meta/llama-3.1-8b-instruct"),
        ("nvcr.io/nim/meta/llama-3.1-8b-instruct:1.3.3", "meta/llama-3.1-8b-instruct"),
        (
            "registry.local:5000/nim/mistralai/mistral-7b-instruct-v0.3",
            "mistralai/mistral-7b-instruct-v0.3",
        ),
        ("nvcr.io/nim/nvidia/llm-nim", None),  # multi-LLM: names no model
        ("nvcr.io/nim/deepseek-ai/deepseek-r1@sha256:abc", "deepseek-ai/deepseek-r1"),
        ("{{ .Values.image }}", None),
        ("", None),
    ],
)
def test_nim_model_names(image: str, model: str | None) -> None:
    assert nim_model(image) == model


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


SERVICE = """
    apiVersion: apps.nvidia.com/v1alpha1
    kind: NIMService
    metadata: {name: llm, namespace: nim}
    spec:
      image: {repository: nvcr.io/nim/nvidia/llm-nim, tag: "1.12"}
      storage:
        nimCache: {name: llm-cache}
      replicas: 2
"""

CACHE = """
    apiVersion: apps.nvidia.com/v1alpha1
    kind: NIMCache
    metadata: {name: llm-cache, namespace: nim}
    spec:
      source:
        ngc:
          modelPuller: nvcr.io/nim/meta/llama-3.1-70b-instruct:1.3.3
          model:
            engine: tensorrt_llm
            precision: fp8
            tensorParallelism: "4"
            gpus:
            - product: h100
"""


def test_hardware_from_the_nimcache_in_the_folder(tmp_path: Path) -> None:
    service = write(tmp_path, "service.yaml", SERVICE)
    cache = write(tmp_path, "cache.yaml", CACHE)
    (deployment,) = no_problems(adapt_file(service, NIMAdapter))
    assert_facts(
        deployment,
        {
            "model.name": "meta/llama-3.1-70b-instruct",
            "hardware.count": 4,
            "hardware.accelerator": "h100",
            "model.precision": "fp8",
            "replicas.min": 2,
        },
    )
    for fact, line in (
        ("model.name", 7),
        ("hardware.count", 11),
        ("hardware.accelerator", 13),
        ("model.precision", 10),
    ):
        assert deployment.facts[fact].location.file == str(cache) or deployment.facts[
            fact
        ].location.file.endswith("cache.yaml")
        assert deployment.facts[fact].location.line == line, fact
    assert "NIMCache llm-cache" in deployment.facts["hardware.accelerator"].detail
    assert "engine tensorrt_llm" in deployment.facts["model.name"].detail


def test_nimcache_in_the_same_file_and_the_service_own_facts_win(tmp_path: Path) -> None:
    text = textwrap.dedent(CACHE).lstrip("\n") + "---\n" + textwrap.dedent(SERVICE).lstrip("\n")
    text = text.replace("replicas: 2", "replicas: 2\n  resources:\n    limits: {nvidia.com/gpu: 8}")
    path = tmp_path / "llm.yaml"
    path.write_text(text, encoding="utf-8")
    (deployment,) = no_problems(adapt_file(path, NIMAdapter))
    assert_facts(deployment, {"hardware.count": 8, "hardware.accelerator": "h100"})
    assert deployment.facts["hardware.count"].location.line == 24


def test_nimcache_of_another_namespace_or_name_is_not_used(tmp_path: Path) -> None:
    service = write(tmp_path, "service.yaml", SERVICE)
    write(tmp_path, "cache.yaml", CACHE.replace("namespace: nim}", "namespace: other}"))
    (deployment,) = no_problems(adapt_file(service, NIMAdapter))
    assert_facts(deployment, {"hardware.count": None, "model.name": None})
    assert "NIM_MODEL_NAME" in deployment.hints["model.name"]


def test_gpu_product_choice_is_not_a_fact(tmp_path: Path) -> None:
    service = write(tmp_path, "service.yaml", SERVICE)
    write(tmp_path, "cache.yaml", CACHE + "            - product: a100\n")
    (deployment,) = no_problems(adapt_file(service, NIMAdapter))
    assert_facts(deployment, {"hardware.accelerator": None, "hardware.count": 4})


def test_scale_disabled_keeps_spec_replicas() -> None:
    (deployment,) = no_problems(
        adapt_text(
            """
            apiVersion: apps.nvidia.com/v1alpha1
            kind: NIMService
            metadata: {name: llm}
            spec:
              image: {repository: nvcr.io/nim/meta/llama-3.1-8b-instruct, tag: "1.3.3"}
              replicas: 3
              nodeSelector: {nvidia.com/gpu.product: NVIDIA-L40S}
              resources: {limits: {nvidia.com/gpu: 2}}
              scale:
                enabled: false
                hpa: {minReplicas: 1, maxReplicas: 9}
            """,
            NIMAdapter(),
            "nim.yaml",
        )
    )
    assert_facts(
        deployment,
        {
            "replicas.min": 3,
            "replicas.max": 3,
            "hardware.accelerator": "NVIDIA-L40S",
            "hardware.count": 2,
        },
    )
    assert deployment.facts["hardware.accelerator"].location.line == 7


@pytest.mark.parametrize(
    "spec",
    [
        "spec: []",
        "spec: {image: [a, b], resources: [x], replicas: lots}",
        "spec: {image: {repository: '{{ .Values.image }}'}, replicas: '${REPLICAS}'}",
        "spec: {storage: {nimCache: []}, multiNode: {parallelism: {tensor: many}}}",
        "spec: {scale: {enabled: true, hpa: [1]}, env: {NIM_MODEL_NAME: x}}",
    ],
)
def test_odd_shapes_do_not_crash(spec: str) -> None:
    text = (
        f"apiVersion: apps.nvidia.com/v1alpha1\nkind: NIMService\nmetadata: {{name: x}}\n{spec}\n"
    )
    deployments, _ = adapt_text(text, NIMAdapter(), "nim.yaml")
    assert len(deployments) == 1


def test_placeholders_are_unresolved_not_facts() -> None:
    (deployment,), _ = adapt_text(
        """
        apiVersion: apps.nvidia.com/v1alpha1
        kind: NIMService
        metadata: {name: x}
        spec:
          image: {repository: "{{ .Values.nim.image }}"}
          replicas: "${REPLICAS}"
        """,
        NIMAdapter(),
        "nim.yaml",
    )
    assert "model.name" not in deployment.facts and "model.name" in deployment.unresolved
    assert "replicas.min" in deployment.unresolved


def test_pipeline_bad_shapes() -> None:
    deployments, problems = adapt_text(
        """
        apiVersion: apps.nvidia.com/v1alpha1
        kind: NIMPipeline
        metadata: {name: p}
        spec:
          services: {a: b}
        """,
        NIMAdapter(),
        "pipeline.yaml",
    )
    assert deployments == [] and problems[0].location.line == 5
    deployments, problems = adapt_text(
        """
        apiVersion: apps.nvidia.com/v1alpha1
        kind: NIMPipeline
        metadata: {name: p}
        spec:
          services:
          - 3
          - {name: off, enabled: false, spec: {replicas: 1}}
          - {name: llm, spec: {replicas: 1}}
        """,
        NIMAdapter(),
        "pipeline.yaml",
    )
    assert [d.name for d in deployments] == ["p/llm"] and problems == []


def test_dra_devices_of_other_classes_and_counts() -> None:
    (deployment,) = no_problems(
        adapt_text(
            """
            apiVersion: apps.nvidia.com/v1alpha1
            kind: NIMService
            metadata: {name: x}
            spec:
              draResources:
              - claimCreationSpec:
                  devices:
                  - {name: nic, deviceClassName: rdma.example.com, count: 4}
                  - {name: gpu, count: 2}
                  - {name: more, deviceClassName: gpu.nvidia.com, count: 2}
                  - {name: bad, count: many}
              - claimCreationSpec: {devices: {a: b}}
              - resourceClaimName: shared
            """,
            NIMAdapter(),
            "nim.yaml",
        )
    )
    fact = deployment.facts["hardware.count"]
    assert (fact.value, fact.location.line) == (4, 9)
