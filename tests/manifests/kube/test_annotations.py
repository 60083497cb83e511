"""``greengate.dev/*`` annotations and owner labels on any Kubernetes object."""

from __future__ import annotations

import textwrap

import pytest
from support import load_text

from greengate.load import Document
from greengate.manifests.base import FactReader
from greengate.manifests.kube.annotations import (
    ANNOTATIONS,
    finish,
    kubernetes_hints,
    read_annotations,
)
from greengate.records.deployment import FactSource


def document(text: str) -> Document:
    return load_text(text, "object.yaml")


def annotated(annotations: str) -> Document:
    """A Deployment whose ``metadata.annotations`` (from line 6 on) are the given lines."""
    lines = textwrap.dedent(annotations).strip().splitlines()
    head = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: svc\n  annotations:\n"
    return document(head + "".join(f"    {line}\n" for line in lines))


def test_every_annotation_becomes_its_fact() -> None:
    doc = annotated(
        """
        greengate.dev/task: Chat
        greengate.dev/workload: inference
        greengate.dev/model-name: meta-llama/Llama-3.1-8B-Instruct
        greengate.dev/model-parameters: 8B
        greengate.dev/provider: Google Cloud
        greengate.dev/region: europe-north1
        greengate.dev/accelerator: nvidia-l4
        greengate.dev/accelerator-count: "2"
        greengate.dev/instance-type: g2-standard-24
        greengate.dev/owner: team-search
        greengate.dev/requests-per-minute: "600"
        greengate.dev/tokens-per-minute: "100000"
        greengate.dev/concurrency: "32"
        greengate.dev/replicas-min: "1"
        greengate.dev/replicas-max: "4"
        """
    )
    reader = FactReader(doc)
    assert read_annotations(reader) == []
    values = {name: fact.value for name, fact in reader.facts.items()}
    assert values == {
        "task": "chat",
        "workload": "inference",
        "model.name": "meta-llama/Llama-3.1-8B-Instruct",
        "model.parameters": 8_000_000_000,
        "cloud.provider": "gcp",
        "cloud.region": "europe-north1",
        "hardware.accelerator": "nvidia-l4",
        "hardware.count": 2,
        "hardware.instanceType": "g2-standard-24",
        "owner": "team-search",
        "rateLimits.requestsPerMinute": 600,
        "rateLimits.tokensPerMinute": 100000,
        "rateLimits.concurrency": 32,
        "replicas.min": 1,
        "replicas.max": 4,
    }
    assert len(values) == len(ANNOTATIONS)
    assert all(f.source is FactSource.ANNOTATION for f in reader.facts.values())
    assert reader.facts["cloud.region"].location.line == 11
    assert reader.facts["model.parameters"].detail.endswith("8B")


@pytest.mark.parametrize(
    ("annotation", "message"),
    [
        ("greengate.dev/replicas-max: lots", "whole number"),
        ("greengate.dev/requests-per-minute: '0'", "at least 1"),
        ("greengate.dev/concurrency: '2.5'", "whole number"),
        ("greengate.dev/accelerator-count: '-1'", "at least 0"),
        ("greengate.dev/model-parameters: big", "parameter count"),
        ("greengate.dev/workload: serving", "inference, training, fine-tuning, batch"),
        ("greengate.dev/task: 'Chat bot!'", "task name"),
        ("greengate.dev/region: ''", "non-empty"),
    ],
)
def test_a_bad_value_is_a_problem_at_its_line(annotation: str, message: str) -> None:
    doc = annotated(f"greengate.dev/owner: me\n{annotation}")
    reader = FactReader(doc)
    (problem,) = read_annotations(reader)
    assert message in problem.message
    assert problem.message.startswith(f"annotation {annotation.split(':')[0]}")
    assert problem.location.line == 7
    assert reader.facts["owner"].value == "me"  # the other annotations are still read


def test_placeholders_and_other_keys() -> None:
    doc = annotated(
        """
        greengate.dev/region: "{{ .Values.region }}"
        greengate.dev/replicas-max: ${MAX}
        greengate.dev/waive-GG201: reason
        kubernetes.io/change-cause: x
        """
    )
    reader = FactReader(doc)
    assert read_annotations(reader) == []
    assert reader.facts == {}
    assert set(reader.unresolved) == {"cloud.region", "replicas.max"}


def test_annotations_win_over_the_body() -> None:
    doc = annotated("greengate.dev/accelerator: nvidia-h100")
    reader = FactReader(doc)
    read_annotations(reader)
    reader.declare("hardware.accelerator", ("metadata", "name"), "nvidia-t4")
    assert reader.facts["hardware.accelerator"].value == "nvidia-h100"


def test_owner_from_labels_but_not_part_of() -> None:
    doc = document(
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: svc
          labels: {app.kubernetes.io/part-of: llminferenceservice, team: search}
        """
    )
    deployment = finish(
        FactReader(doc), kind="Deployment", format="kubernetes", hints=kubernetes_hints()
    )
    assert deployment.facts["owner"].value == "search"
    assert deployment.facts["owner"].detail == "label team"
    part_of = document(
        """
        kind: Deployment
        metadata: {name: svc, labels: {app.kubernetes.io/part-of: llminferenceservice}}
        """
    )
    deployment = finish(
        FactReader(part_of), kind="Deployment", format="kubernetes", hints=kubernetes_hints()
    )
    assert "owner" not in deployment.facts
    assert "greengate.dev/owner" in deployment.hint("owner")


def test_hint_of_a_placeholder_names_it() -> None:
    doc = annotated("greengate.dev/region: ${REGION}")
    reader = FactReader(doc)
    read_annotations(reader)
    deployment = finish(reader, kind="Deployment", format="kubernetes", hints=kubernetes_hints())
    hint = deployment.hint("cloud.region")
    assert hint.startswith("its value '${REGION}' at line 6 is a placeholder")
    assert "greengate.dev/region" in hint


def test_hint_when_the_catalog_does_not_know_a_declared_name() -> None:
    doc = annotated("greengate.dev/model-name: acme/secret-model")
    reader = FactReader(doc)
    read_annotations(reader)
    deployment = finish(reader, kind="Deployment", format="kubernetes", hints=kubernetes_hints())
    hint = deployment.hint("model.parameters")
    assert "does not know the model 'acme/secret-model'" in hint
    assert "greengate.dev/model-parameters" in hint
