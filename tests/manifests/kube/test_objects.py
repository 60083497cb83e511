"""Names of Kubernetes objects."""

from __future__ import annotations

from support import load_text

from greengate.load import Document
from greengate.manifests.kube.objects import object_name


def document(text: str) -> Document:
    return load_text(text, "object.yaml")


def test_names() -> None:
    assert object_name(document("metadata: {name: a, namespace: b}"), "Job") == (
        "b/a",
        ("metadata", "name"),
    )
    assert object_name(document("metadata: {generateName: job-}"), "Job")[0] == "job-"
    assert object_name(document("metadata: {namespace: $NS, name: a}"), "Job")[0] == "a"
    assert object_name(document("spec: {}"), "Job") == ("Job#1", ("kind",))
    assert object_name(document("metadata: [x]"), "Job")[0] == "Job#1"
