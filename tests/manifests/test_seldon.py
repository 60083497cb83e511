"""Seldon Core SeldonDeployment (one deployment per predictor) and Seldon Core 2 Model.

Corpus files from ``SeldonIO/seldon-core`` (Apache-2.0; commit in
``tests/data/corpus/INDEX.tsv``), checked by eye.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from support import (
    FILES,
    INDEX_LINES,
    INDEXED,
    adapt_corpus,
    adapt_file,
    adapt_text,
    assert_facts,
    no_problems,
)

from greengate.load import load_bytes
from greengate.manifests.seldon import SeldonAdapter
from greengate.records.deployment import Deployment

SELDON = "SeldonIO__seldon-core/"


def read(path: str) -> list[Deployment]:
    return no_problems(adapt_corpus(path, SeldonAdapter))


def read_text(text: str) -> list[Deployment]:
    return no_problems(adapt_text(text, SeldonAdapter(), "sdep.yaml"))


CORPUS_CASES = [
    (
        "examples/models/gpu_tensorflow_deep_mnist/deep_mnist_gpu.json",
        "deep-mnist-gpu",
        {"hardware.count": 1, "replicas.min": 1, "replicas.max": 1, "workload": "inference"},
        ("hardware.count", 28),
    ),
    (
        "examples/models/autoscaling/model_with_hpa_v2.yaml",
        "seldon-model",
        {"replicas.min": 1, "replicas.max": 3},  # hpaSpec
        ("replicas.max", 10),
    ),
    (
        "examples/keda/model_with_keda_prom.yaml",
        "seldon-model",
        {"replicas.min": 1, "replicas.max": 5},  # kedaSpec
        ("replicas.min", 19),
    ),
    (
        "servers/tfserving/samples/halfplustwo_rest_resources.yaml",
        "hpt",
        {"model.name": "gs://seldon-models/tfserving/half_plus_two", "replicas.min": 1},
        ("model.name", 20),
    ),
    (
        "examples/models/disruption_budgets/model_with_pdb.yaml",
        "seldon-model",
        {"replicas.min": 2, "replicas.max": 2},  # spec.replicas, for every predictor
        ("replicas.min", 7),
    ),
    (
        "examples/mnist_triton_e2e/deployment.yaml",
        "seldon/mnist",
        {"model.name": "s3:triton-models/mnist-model", "replicas.min": 1},
        ("model.name", 13),
    ),
    (
        "examples/outliers/cifar10-od-poetry/cifar10.yaml",
        "cifar10/cifar10",
        {"model.name": "gs://seldon-models/tfserving/cifar10/resnet32"},
        ("model.name", 13),
    ),
    (
        "examples/transformers/v2-protocol/seldondeployment.yaml",
        "gpt2",
        {
            "model.name": "gs://seldon-models/triton/onnx_gpt2",
            "replicas.min": None,
        },  # a child of the graph
        ("model.name", 14),
    ),
    (
        "examples/explainers/imagenet/imagenet_explainer.yaml",
        "image",
        {
            "model.name": "gs://seldon-models/tfserving/imagenet/model"
        },  # not the explainer's modelUri
        ("model.name", 24),
    ),
    (
        "examples/ray/batch-split-proxy/deploy-seldon.yaml",
        "distributed-roberta/seldon-model",
        {"replicas.min": 1},
        ("replicas.min", 81),
    ),
]


@pytest.mark.parametrize(
    ("path", "name", "facts", "key"), CORPUS_CASES, ids=[c[0] for c in CORPUS_CASES]
)
def test_corpus_facts(path: str, name: str, facts: dict[str, Any], key: tuple[str, int]) -> None:
    (deployment,) = [d for d in read(SELDON + path) if d.name == name]
    assert deployment.format == "seldon"
    assert_facts(deployment, facts)
    fact, line = key
    assert deployment.facts[fact].location.line == line


def test_fixtures_are_indexed() -> None:
    rows = INDEXED
    for path, *_ in CORPUS_CASES:
        assert f"files/{SELDON}{path}" in rows


def test_every_corpus_seldon_deployment_is_read() -> None:
    index = INDEX_LINES
    paths = [r.split("\t")[0] for r in index if r.split("\t")[5].startswith("seldon")]
    # Two files hold two SeldonDeployment predictors; k8s/yaml/servers.yaml holds two Servers.
    assert sum(len(read(p.removeprefix("files/"))) for p in paths) == 22


def test_one_deployment_per_predictor() -> None:
    main, canary = read_text(
        """
        apiVersion: machinelearning.seldon.io/v1
        kind: SeldonDeployment
        metadata: {name: iris}
        spec:
          predictors:
          - name: main
            replicas: 3
            graph: {name: clf, implementation: SKLEARN_SERVER, modelUri: "gs://models/iris-v1"}
          - name: canary
            replicas: 1
            traffic: 10
            componentSpecs:
            - spec:
                nodeSelector: {cloud.google.com/gke-accelerator: nvidia-t4}
                containers: [{name: clf, resources: {limits: {nvidia.com/gpu: 1}}}]
            graph: {name: clf, implementation: SKLEARN_SERVER, modelUri: "gs://models/iris-v2"}
        """
    )
    assert (main.name, canary.name) == ("iris/main", "iris/canary")
    assert_facts(
        main, {"model.name": "gs://models/iris-v1", "replicas.min": 3, "hardware.count": None}
    )
    assert_facts(
        canary,
        {
            "model.name": "gs://models/iris-v2",
            "hardware.accelerator": "nvidia-t4",
            "hardware.count": 1,
        },
    )


def test_seldon_core_2_model() -> None:
    (deployment,) = read_text(
        """
        apiVersion: mlops.seldon.io/v1alpha1
        kind: Model
        metadata: {name: iris}
        spec:
          storageUri: "gs://seldon-models/scv2/samples/mlserver_1.3.5/iris-sklearn"
          requirements: [sklearn]
          minReplicas: 1
          maxReplicas: 4
        """
    )
    assert_facts(
        deployment,
        {
            "model.name": "gs://seldon-models/scv2/samples/mlserver_1.3.5/iris-sklearn",
            "replicas.min": 1,
            "replicas.max": 4,
        },
    )
    assert "sklearn" in deployment.facts["model.name"].detail


def test_odd_shapes_do_not_crash() -> None:
    for spec in (
        "predictors: oops",
        "predictors: [3, {graph: [1], componentSpecs: 4}]",
        "predictors: [{graph: {children: [5, {modelUri: 6}]}}]",
    ):
        text = f"apiVersion: machinelearning.seldon.io/v1\nkind: SeldonDeployment\nmetadata: {{name: odd}}\nspec:\n  {spec}\n"
        (document,) = load_bytes(text.encode(), "odd.yaml").documents
        assert SeldonAdapter().read(document).deployments


V2 = SELDON + "samples/"


@pytest.mark.parametrize(
    ("path", "name", "facts", "lines"),
    [
        (
            "samples/servers/triton-gpu.yaml",
            "triton-gpu",
            {"hardware.count": 1, "workload": "inference", "model.name": None},
            {"hardware.count": 13},
        ),
        (
            "k8s/yaml/servers.yaml",
            "triton",
            {"replicas.min": 1, "replicas.max": 1, "hardware.count": None},
            {"replicas.min": 17},
        ),
        (
            "samples/models/tfsimple_scaling.yaml",
            "tfsimple",
            {
                "model.name": "gs://seldon-models/triton/simple",
                "replicas.min": 1,
                "replicas.max": 1,
            },
            {"model.name": 6, "replicas.min": 10, "replicas.max": 11},
        ),
        (
            "samples/models/iris-custom-server.yaml",
            "iris",
            {"model.name": "gs://seldon-models/mlserver/iris", "replicas.min": None},
            {"model.name": 6},
        ),
    ],
)
def test_seldon_core_2_corpus(
    path: str, name: str, facts: dict[str, Any], lines: dict[str, int]
) -> None:
    (deployment,) = [d for d in read(SELDON + path) if d.name == name]
    assert deployment.format == "seldon"
    assert_facts(deployment, facts)
    for fact, line in lines.items():
        assert deployment.facts[fact].location.line == line, fact


def test_seldon_core_2_server_names_its_config_and_capabilities() -> None:
    (server,) = read(V2 + "servers/custom-mlserver-capabilities.yaml")
    assert server.kind == "Server"
    detail = server.facts["workload"].detail
    assert "ServerConfig mlserver" in detail and "capabilities: mlserver-1.3.4" in detail
    assert "Models loaded onto it" in server.hints["model.name"]
    mlserver, triton = read(SELDON + "k8s/yaml/servers.yaml")
    assert (mlserver.name, triton.name) == ("mlserver", "triton")


def test_seldon_core_2_model_details() -> None:
    (model,) = read(V2 + "models/hf-text-gen-custom-gpt2.yaml")
    assert (
        model.facts["model.name"].detail
        == "spec.storageUri (requirements: huggingface; memory 3Gi)"
    )
    (model,) = read(V2 + "models/iris-custom-server.yaml")
    assert model.facts["model.name"].detail == "spec.storageUri (server mlserver-134)"
    # Its Server is in another folder: no hardware is taken from it.
    assert "hardware.count" not in model.facts


def test_seldon_core_2_model_takes_its_server_hardware(tmp_path: Path) -> None:
    server = tmp_path / "server.yaml"
    server.write_text(
        (FILES / SELDON / "samples/servers/triton-gpu.yaml").read_text("utf-8"), encoding="utf-8"
    )
    model = tmp_path / "model.yaml"
    model.write_text(
        "apiVersion: mlops.seldon.io/v1alpha1\nkind: Model\nmetadata:\n  name: m\n"
        "spec:\n  storageUri: gs://b/m\n  server: triton-gpu\n  replicas: 2\n",
        encoding="utf-8",
    )
    (deployment,) = no_problems(adapt_file(model, SeldonAdapter))
    assert_facts(deployment, {"hardware.count": 1, "replicas.min": 2})
    fact = deployment.facts["hardware.count"]
    assert fact.location.file.endswith("server.yaml") and fact.location.line == 13
    assert fact.detail.startswith("Server triton-gpu")


def test_seldon_core_2_server_odd_shapes() -> None:
    for spec in (
        "spec: []",
        "spec: {podSpec: [], replicas: x, capabilities: {a: b}}",
        "spec: {podSpec: {containers: {a: b}}, minReplicas: '{{ .Values.n }}'}",
    ):
        text = (
            f"apiVersion: mlops.seldon.io/v1alpha1\nkind: Server\nmetadata: {{name: s}}\n{spec}\n"
        )
        deployments, _ = adapt_text(text, SeldonAdapter(), "server.yaml")
        assert len(deployments) == 1


def test_component_replicas_of_the_model_component() -> None:
    """The predictor's replicas apply to components without their own (model_replicas.yaml)."""
    example, example2 = read(SELDON + "notebooks/resources/model_replicas.yaml")
    # The graph's root (classifier) runs in the first component, which has no replicas.
    assert_facts(example, {"replicas.min": 2, "replicas.max": 2})
    assert example.facts["replicas.min"].location.line == 29
    assert_facts(example2, {"replicas.min": 1})  # spec.replicas
    gpu = read_text(
        """
        apiVersion: machinelearning.seldon.io/v1
        kind: SeldonDeployment
        metadata: {name: llm}
        spec:
          predictors:
          - name: default
            replicas: 1
            componentSpecs:
            - spec:
                containers: [{name: transformer, image: my/transformer:1}]
            - replicas: 3
              spec:
                containers:
                - name: model
                  resources: {limits: {nvidia.com/gpu: 2}}
            graph:
              name: transformer
              children: [{name: model, implementation: HUGGINGFACE_SERVER, modelUri: "gs://b/m"}]
        """
    )
    (deployment,) = gpu
    assert_facts(deployment, {"replicas.min": 3, "replicas.max": 3, "hardware.count": 2})
    assert deployment.facts["replicas.min"].location.line == 11
    assert "componentSpecs[1]" in deployment.facts["replicas.min"].detail


def test_component_with_the_model_node_without_accelerators() -> None:
    (deployment,) = read_text(
        """
        apiVersion: machinelearning.seldon.io/v1
        kind: SeldonDeployment
        metadata: {name: m}
        spec:
          predictors:
          - replicas: 5
            componentSpecs:
            - spec: {containers: [{name: router}]}
              replicas: 1
            - spec: {containers: [{name: clf}]}
              replicas: 2
            graph:
              name: router
              children: [{name: clf, modelUri: "gs://b/clf"}]
        """
    )
    assert_facts(deployment, {"replicas.min": 2})
    assert deployment.facts["replicas.min"].location.line == 11
