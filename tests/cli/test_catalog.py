from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from greengate.cli import main

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run() -> Run:
    runner = CliRunner()

    def invoke(*args: str) -> tuple[int, str, str]:
        result = runner.invoke(main, ["catalog", *args])
        return result.exit_code, result.stdout, result.stderr

    return invoke


def test_region_text_shows_source_and_year(run: Run) -> None:
    code, out, err = run("region", "gcp", "europe-north1")
    assert (code, err) == (0, "")
    assert "29.84" in out and "0.98" in out and "2025" in out and "region-carbon-info" in out


def test_region_json(run: Run) -> None:
    code, out, _ = run("region", "swedencentral", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["kind"] == "region" and data["provider"] == "azure"
    assert data["year"] >= 2022 and "Ember" in data["source"]
    assert data["basis"] == "lifecycle"


def test_accelerator_and_instance_type(run: Run) -> None:
    code, out, _ = run("accelerator", "nvidia-tesla-t4", "--format", "json")
    assert code == 0 and json.loads(out)["id"] == "nvidia-t4"
    code, out, _ = run(
        "instance-type", "STANDARD_NC6s_v3", "--provider", "azure", "--format", "json"
    )
    data = json.loads(out)
    assert code == 0 and (data["accelerator"], data["count"]) == ("nvidia-v100-pcie", 1)


def test_model_json_says_how_it_was_found(run: Run) -> None:
    code, out, _ = run("model", "acme/bot-13b", "--format", "json")
    data = json.loads(out)
    assert code == 0
    assert (data["parameters"], data["via"], data["matched"], data["entry"]) == (
        13_000_000_000,
        "name-pattern",
        "13b",
        None,
    )
    code, out, _ = run("model", "meta-llama/Llama-3.1-8B-Instruct")
    assert code == 0 and "catalog" in out and "8030000000" in out


def test_pue_falls_back_with_a_note(run: Run) -> None:
    code, out, err = run("pue", "acme")
    assert code == 0 and "1.56" in out and "'unknown' default" in err


def test_list_json(run: Run) -> None:
    code, out, _ = run("list", "instance-types", "--format", "json")
    rows = json.loads(out)
    assert code == 0 and len(rows) > 100 and all(row["source"] for row in rows)
    code, out, _ = run("list", "regions")
    assert code == 0 and "eu-north-1" in out


def test_not_found_names_close_matches(run: Run) -> None:
    code, out, err = run("region", "eu-nrth-1")
    assert (code, out) == (1, "")
    assert "no region 'eu-nrth-1'" in err and "eu-north-1" in err
    code, _, err = run("accelerator", "nvidia-a101")
    assert code == 1 and "did you mean" in err


def test_invalid_extension_exits_2_with_one_sentence(run: Run, tmp_path: Path) -> None:
    bad = tmp_path / "catalog.yaml"
    bad.write_text("regionz: []\n", encoding="utf-8")
    code, out, err = run("region", "eu-north-1", "--catalog", str(bad))
    assert (code, out) == (2, "")
    assert (
        err.strip()
        == f"greengate: error: {bad}:1: unknown top-level key 'regionz'; use only "
        + ("regions, accelerators, architectures, instance_types, models, pue.")
    )


def test_extension_is_used(run: Run, tmp_path: Path) -> None:
    extra = tmp_path / "regions.csv"
    extra.write_text("provider,region,grid_gco2e_per_kwh,year,source\nonprem,dc-1,12,2025,meter\n")
    code, out, _ = run("region", "dc-1", "--catalog", str(extra), "--format", "json")
    assert code == 0 and json.loads(out)["source"] == "meter"


def test_usage_errors_exit_2(run: Run) -> None:
    assert run("region", "a", "b", "c")[0] == 2
    assert run("list", "widgets")[0] == 2


def test_help_documents_exit_codes(run: Run) -> None:
    code, out, _ = run("model", "--help")
    assert code == 0 and "Exit status" in out and "1 when not found" in out


def test_region_aws_us_west_2_shows_year_source_and_other_figure(run: Run) -> None:
    code, out, _ = run("region", "aws", "us-west-2")
    assert code == 0

    data = json.loads(run("region", "aws", "us-west-2", "--format", "json")[1])
    assert data["year"] >= 2023 and "eGRID2023" in data["source"]
    assert f"year             {data['year']}" in out and data["source"] in out
    assert "basis            lifecycle" in out and "other basis      direct" in out


def test_a_fractional_gpu_shows_as_a_fraction() -> None:
    from click.testing import CliRunner

    from greengate.cli import main

    result = CliRunner().invoke(main, ["catalog", "instance-type", "Standard_NV12ads_A10_v5"])
    assert result.exit_code == 0
    assert "count          1/3 (0.333)" in result.stdout
