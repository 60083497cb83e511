"""KAITO Workspace, InferenceSet and RAGEngine.

Corpus files from ``kaito-project/kaito`` (``examples/``; licence and commit
in ``tests/data/corpus/INDEX.tsv``), checked by eye.
"""

from __future__ import annotations

import textwrap
from typing import Any

import pytest
from support import CORPUS, INDEX_LINES, INDEXED, adapt_corpus, assert_facts, no_problems

from greengate.app.pipeline import read_deployments
from greengate.catalog import Catalog
from greengate.load import load_bytes
from greengate.manifests.kaito import KaitoAdapter
from greengate.records.deployment import Deployment, FactSource
from greengate.sources.discover import discover

KAITO = "kaito-project__kaito/examples/"


def read(path: str) -> Deployment:
    (deployment,) = no_problems(adapt_corpus(path, KaitoAdapter))
    return deployment


CORPUS_CASES = [
    (
        "inference/kaito_workspace_deepseek_r1.yaml",
        {
            "hardware.instanceType": "Standard_NC80adis_H100_v5",
            "cloud.provider": "azure",
            "replicas.min": 6,  # resource.count: nodes
            "replicas.max": 6,
            "model.name": "deepseek-r1-0528",
            "workload": "inference",
        },
        ("hardware.instanceType", 7),
    ),
    (
        "inference/kaito_workspace_llama-3.3_70b_instruct.yaml",
        {
            "hardware.instanceType": "Standard_NC48ads_A100_v4",
            "replicas.min": 2,
            "model.name": "llama-3.3-70b-instruct",
        },
        ("model.name", 34),
    ),
    (
        "inference/kaito_workspace_phi_3_mini_4k.yaml",
        {
            "hardware.instanceType": "Standard_NC24ads_A100_v4",
            "model.name": "phi-3-mini-4k-instruct",
            "replicas.min": None,
        },
        ("model.name", 12),
    ),
    (
        "inference/kaito_workspace_qwen_2.5_coder_32b-instruct.yaml",
        {"model.name": "qwen2.5-coder-32b-instruct", "task": None},
        ("model.name", 12),
    ),
    (
        "fine-tuning/kaito_workspace_tuning_falcon_7b_mental.yaml",
        {
            "hardware.instanceType": "Standard_NC12s_v3",
            "model.name": "falcon-7b",
            "workload": "fine-tuning",
        },
        ("model.name", 12),
    ),
    (
        "fine-tuning/kaito_workspace_tuning_phi_3_with_pvc_volume.yaml",
        {
            "hardware.instanceType": "Standard_NC6s_v3",
            "model.name": "phi-3-mini-128k-instruct",
            "workload": "fine-tuning",
        },
        ("hardware.instanceType", 30),
    ),
    (
        "custom-model-integration/custom-model-deployment.yaml",
        {
            "hardware.instanceType": "Standard_NC24ads_A100_v4",
            "hardware.count": 1,
            "task": "text-generation",  # --pipeline text-generation
            "model.precision": "fp16",  # --torch_dtype float16
            "model.name": None,  # <MODEL_ID> is a placeholder
        },
        ("task", 53),
    ),
    (
        "inference/kaito_inferenceset_llama-3.1_8b_instruct.yaml",
        {
            "hardware.instanceType": "Standard_NC24ads_A100_v4",
            "replicas.min": 2,
            "replicas.max": 10,  # nodeCountLimit
            "model.name": "llama-3.1-8b-instruct",
            "workload": "inference",
        },
        ("replicas.max", 20),
    ),
    (
        "inference/kaito_inferenceset_mig_mixed_strategy.yaml",
        {
            "hardware.instanceType": None,
            "cloud.provider": None,
            "replicas.min": 2,
            "model.name": "phi-4-mini-instruct",
        },
        ("model.name", 19),
    ),
    (
        "RAG/kaito_ragengine_phi_3.yaml",
        {
            "hardware.instanceType": "Standard_NC6s_v3",
            "model.name": "BAAI/bge-small-en-v1.5",
            "task": "embedding",
            "workload": "inference",
        },
        ("model.name", 13),
    ),
]


@pytest.mark.parametrize(("path", "facts", "key"), CORPUS_CASES, ids=[c[0] for c in CORPUS_CASES])
def test_corpus_facts(path: str, facts: dict[str, Any], key: tuple[str, int]) -> None:
    deployment = read(KAITO + path)
    assert deployment.format == "kaito"
    assert_facts(deployment, facts)
    fact, line = key
    assert deployment.facts[fact].location.line == line


def test_fixtures_are_indexed() -> None:
    rows = INDEXED
    for path, *_ in CORPUS_CASES:
        assert f"files/{KAITO}{path}" in rows


def test_provider_is_derived_from_the_azure_vm_size() -> None:
    deployment = read(KAITO + "inference/kaito_workspace_deepseek_r1.yaml")
    provider = deployment.facts["cloud.provider"]
    assert provider.source is FactSource.DERIVED
    assert provider.location == deployment.facts["hardware.instanceType"].location


def test_the_catalog_resolves_the_vm_size() -> None:
    """Through the whole pipeline: the VM size gives the accelerator and its count per node."""
    path = CORPUS / "files" / KAITO / "inference/kaito_workspace_llama-3.3_70b_instruct.yaml"
    (deployment,), findings = read_deployments(discover([path]), Catalog.builtin())
    assert findings == []
    assert_facts(
        deployment,
        {"hardware.accelerator": "nvidia-a100-pcie", "hardware.count": 2, "replicas.max": 2},
    )
    assert deployment.facts["hardware.accelerator"].location.line == 28


def test_every_corpus_kaito_object_is_a_deployment() -> None:
    index = INDEX_LINES
    paths = [r.split("\t")[0] for r in index if r.split("\t")[5].startswith("kaito")]
    assert len([read(p.removeprefix("files/")) for p in paths]) == 23


def test_non_azure_instance_type_sets_no_provider() -> None:
    text = textwrap.dedent(
        """
        apiVersion: kaito.sh/v1beta1
        kind: Workspace
        metadata: {name: ws}
        resource: {instanceType: g5.12xlarge, count: 1}
        inference: {preset: {name: phi-4-mini-instruct}}
        """
    )
    (document,) = load_bytes(text.encode(), "ws.yaml").documents
    (deployment,) = KaitoAdapter().read(document).deployments
    assert_facts(
        deployment,
        {"hardware.instanceType": "g5.12xlarge", "cloud.provider": None, "replicas.min": 1},
    )


def test_odd_shapes_do_not_crash() -> None:
    for body in (
        "resource: 3\ninference: [1]",
        "tuning: {preset: {name: 7}}",
        "spec: {template: 3, replicas: x}",
        "inference: {template: {spec: {containers: oops}}}",
    ):
        for kind in ("Workspace", "InferenceSet", "RAGEngine"):
            text = f"apiVersion: kaito.sh/v1beta1\nkind: {kind}\nmetadata: {{name: odd}}\n{body}\n"
            (document,) = load_bytes(text.encode(), "odd.yaml").documents
            assert KaitoAdapter().read(document).deployments[0].name == "odd"
