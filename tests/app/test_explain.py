from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from greengate.catalog import Catalog
from greengate.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "deployments"


def explain(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["explain", *args], catch_exceptions=False)
    return result.exit_code, result.stdout


def test_facts_with_their_origin() -> None:
    code, out = explain(str(EXAMPLES / "code-assistant.yaml"), "--format", "json")
    assert code == 0
    (deployment,) = json.loads(out)["deployments"]
    facts = deployment["facts"]
    # Declared where written; derived facts point at what they were derived from.
    assert facts["hardware.instanceType"] == facts["hardware.instanceType"] | {
        "value": "g5.2xlarge",
        "source": "declared",
        "line": 17,
    }
    assert (
        facts["hardware.accelerator"]["source"] == "catalog"
        and facts["hardware.accelerator"]["line"] == 17
    )
    assert "g5.2xlarge has 1 x nvidia-a10g" in facts["hardware.accelerator"]["detail"]
    assert (
        facts["model.parameters"]["source"] == "catalog" and facts["model.parameters"]["line"] == 12
    )
    assert facts["cloud.gridIntensity"]["line"] == 15
    assert "rateLimits.concurrency" in deployment["notStated"]
    assert deployment["missing"] == {}


def test_missing_facts_and_name_pattern(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(
        "apiVersion: greengate.dev/v1\nkind: AIDeployment\nmetadata: {name: x}\nspec:\n  model: {name: acme/widget-13b-chat}\n"
    )
    code, out = explain(str(tmp_path), "--format", "json")
    assert code == 0
    (deployment,) = json.loads(out)["deployments"]
    assert deployment["facts"]["model.parameters"] == deployment["facts"]["model.parameters"] | {
        "value": 13_000_000_000,
        "source": "name-pattern",
    }
    assert deployment["missing"]["cloud.region"] == "declare spec.cloud.region"
    assert deployment["missing"]["hardware.accelerator"] == "declare spec.hardware.accelerator"
    # The vendor, generation... of an undeclared accelerator are not listed again.
    assert "hardware.vendor" not in deployment["missing"]


def test_text_output_and_unreadable_files(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("a: [\n")
    (tmp_path / "ok.yaml").write_text((EXAMPLES / "support-summarizer.yaml").read_text())
    code, out = explain(str(tmp_path))
    assert code == 0
    assert "support-summarizer  (AIDeployment, native)" in out
    assert "ERROR  GG001  invalid YAML" in out
    assert out.rstrip().endswith("1 deployment found, 1 unreadable")


def test_the_json_explanation_is_valid_json_with_non_finite_facts() -> None:
    """A fact that is infinite or NaN (a computed estimate, a catalog extension) is null."""
    from greengate.app.explain import Explanation, render_json, render_text
    from greengate.records.deployment import Deployment, Fact
    from greengate.records.location import Location

    where = Location("deploy/a.yaml", 3, 5)
    deployment = Deployment(
        name="a",
        kind="AIDeployment",
        format="native",
        location=where,
        facts={
            "estimate.powerWatts": Fact(float("inf"), where),
            "estimate.gramsCO2ePerHour": Fact(float("nan"), where),
        },
    )
    explained = Explanation((deployment,), ())

    def refuse(name: str) -> None:
        raise AssertionError(f"{name} is not JSON")

    facts = json.loads(render_json(explained), parse_constant=refuse)["deployments"][0]["facts"]
    assert facts["estimate.powerWatts"]["value"] is None
    assert facts["estimate.gramsCO2ePerHour"]["value"] is None
    assert "estimate.powerWatts" in render_text(explained)


CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus" / "files"
GENERIC_POD = (
    CORPUS
    / "GoogleCloudPlatform__ai-on-gke/tutorials-and-examples/gpu-examples/training-single-gpu"
    / "src/gke-config/standard-tensorflow-bash.yaml"
)


def test_notes_of_a_generically_read_object() -> None:
    code, out = explain(str(GENERIC_POD), "--format", "json")
    assert code == 0
    (deployment,) = json.loads(out)["deployments"]
    assert deployment["format"] == "generic" and deployment["kind"] == "Pod"
    assert deployment["notes"][0].startswith(
        "read generically: greengate has no adapter for v1 Pod"
    )
    code, text = explain(str(GENERIC_POD))
    assert code == 0
    assert "  note: read generically: greengate has no adapter for v1 Pod" in text
    assert "  note: facts from the pod spec at spec (line 21)" in text


def test_deployments_of_known_formats_have_no_notes() -> None:
    _, out = explain(str(EXAMPLES / "code-assistant.yaml"), "--format", "json")
    (deployment,) = json.loads(out)["deployments"]
    assert deployment["notes"] == []


def test_grid_intensity_detail_names_basis_and_the_other_figure(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(
        "apiVersion: greengate.dev/v1\nkind: AIDeployment\nmetadata: {name: x}\n"
        "spec:\n  cloud: {provider: gcp, region: us-west1}\n"
    )
    code, out = explain(str(tmp_path), "--format", "json")
    assert code == 0
    (deployment,) = json.loads(out)["deployments"]
    fact = deployment["facts"]["cloud.gridIntensity"]
    region = Catalog.builtin().region("us-west1", "gcp")
    assert region is not None and region.other_intensity is not None
    # The verdict figure is the lifecycle one; Google's own figure is only shown.
    assert fact["value"] == region.grid_intensity
    assert f"{region.year}, lifecycle" in fact["detail"]
    assert f"other figure: {region.other_intensity:g} gCO2e/kWh operational" in fact["detail"]
