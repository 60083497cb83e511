"""Deployments whose facts contradict each other: GG002 at the fact's line, in every format.

Through the real CLI, so each case is what a user sees.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from greengate.cli import main

NATIVE = """\
apiVersion: greengate.dev/v1
kind: AIDeployment
metadata: {name: svc}
spec:
  task: chat
  model: {parameters: 8B}
  cloud: {provider: gcp, region: europe-north1}
  hardware: {accelerator: nvidia-l4, count: 1}
  rateLimits: {requestsPerMinute: 60, tokensPerMinute: 1000}
  replicas:
    min: 9
    max: 2
"""

KSERVE = """\
apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata:
  name: isvc
spec:
  predictor:
    minReplicas: 9
    maxReplicas: 2
    model:
      modelFormat: {name: huggingface}
      storageUri: hf://meta-llama/Llama-3.1-8B-Instruct
      resources:
        limits: {nvidia.com/gpu: "1"}
"""

HELM = """\
model:
  id: meta-llama/Llama-3.1-8B-Instruct
resources:
  limits:
    nvidia.com/gpu: 1
autoscaling:
  enabled: true
  minReplicas: 9
  maxReplicas: 2
"""


def check(tmp_path: Path, name: str, text: str) -> tuple[int, list[dict[str, Any]]]:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    result = CliRunner().invoke(main, ["check", str(path), "--no-config", "--format", "json"])
    report = json.loads(result.output)
    return result.exit_code, report["findings"]


def gg002(findings: list[dict[str, Any]]) -> list[tuple[int, str]]:
    return [(f["line"], f["message"]) for f in findings if f["ruleId"] == "GG002"]


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [("native.yaml", NATIVE, 11), ("isvc.yaml", KSERVE, 7), ("chart/values.yaml", HELM, 8)],
)
def test_a_minimum_above_the_maximum_is_gg002_at_the_minimum(
    tmp_path: Path, name: str, text: str, line: int
) -> None:
    code, findings = check(tmp_path, name, text)
    assert code == 1
    ((at, message),) = gg002(findings)
    assert at == line
    assert "replicas.min of '" in message
    assert "is 9, greater than replicas.max (2, line" in message
    assert message.endswith("lower the minimum or raise the maximum so that min <= max")
    # The deployment is not judged by the policies: it cannot exist as written.
    assert [f["ruleId"] for f in findings] == ["GG002"]


def test_min_equal_to_max_and_min_below_max_are_fine(tmp_path: Path) -> None:
    for low in ("2", "1"):
        _, findings = check(tmp_path, "native.yaml", NATIVE.replace("min: 9", f"min: {low}"))
        assert gg002(findings) == []


def test_a_negative_count_is_gg002(tmp_path: Path) -> None:
    text = HELM.replace("  minReplicas: 9\n", "  minReplicas: -1\n")
    _, findings = check(tmp_path, "chart/values.yaml", text)
    assert gg002(findings) == [
        (8, "replicas.min of 'chart' is -1, a negative count; write 0 or more"),
    ]


def test_zero_accelerators_of_a_named_accelerator_is_gg002(tmp_path: Path) -> None:
    text = NATIVE.replace("count: 1", "count: 0").replace("min: 9", "min: 1")
    _, findings = check(tmp_path, "native.yaml", text)
    ((line, message),) = gg002(findings)
    assert line == 8
    assert message == (
        "hardware.count of 'svc' is 0, but it names the accelerator nvidia-l4 (line 8);"
        " declare how many it uses (1 or more), or accelerator cpu if it runs on CPUs only"
    )
    cpu = text.replace("accelerator: nvidia-l4", "accelerator: cpu")
    assert gg002(check(tmp_path, "native.yaml", cpu)[1]) == []


def test_embedded_documents_are_followed_only_so_deep(monkeypatch: pytest.MonkeyPatch) -> None:
    """An adapter that keeps finding itself inside itself stops at MAX_EMBEDDING, and names nest."""
    from greengate.app import pipeline
    from greengate.load import Document
    from greengate.manifests.base import Adapter, AdaptResult, EmbeddedDocument, ReadContext
    from greengate.records.deployment import Deployment
    from greengate.records.location import Location

    class Nesting(Adapter):
        name = "nesting"
        description = "test"

        def matches(self, document: Document) -> bool:
            return True

        def read(
            self, document: Document, context: ReadContext = pipeline.NO_CONTEXT
        ) -> AdaptResult:
            found = Deployment(
                name="d", kind="k", format="nesting", location=Location(document.file, 1)
            )
            return AdaptResult(deployments=[found], embedded=[EmbeddedDocument(document, "outer")])

    monkeypatch.setattr(pipeline, "adapter_for", lambda document: Nesting())
    document = Document("main.tf", 0, {}, {})
    deployments, findings = pipeline.adapt(document)
    assert findings == []
    assert [d.name for d in deployments] == ["d", "outer/d", "outer/outer/d"][
        : pipeline.MAX_EMBEDDING + 1
    ]
