"""Accelerator power and the host: fractional GPUs, the host overhead, chips with no figure.

The host overhead is recomputed here by hand from the shipped instance table's
vCPUs and memory and Cloud Carbon Footprint's published coefficients
(AwsFootprintEstimationConstants.ts @b7a049c: MIN_WATTS_AVG 0.74, MAX_WATTS_AVG
3.5, MEMORY_COEFFICIENT 0.000392 kWh/GB-hour), never taken from greengate.
"""

from __future__ import annotations

import csv
import json
import os
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from greengate.app.explain import explain
from greengate.cli import main
from greengate.records.deployment import Deployment

HOURS = 24 * 365
CCF_AWS_IDLE, CCF_AWS_FULL = 0.74, 3.5  # W per vCPU, Cloud Carbon Footprint 2022
CCF_MEMORY = 0.000392 * 1000  # kWh per GB-hour -> W per GB


def instance_row(name: str) -> dict[str, str]:
    data = resources.files("greengate.catalog").joinpath("data", "instance_types.csv")
    (row,) = [
        r
        for r in csv.DictReader(data.read_text("utf-8").splitlines())
        if r["instance_type"] == name
    ]
    return row


def manifest(name: str, spec: dict[str, object]) -> dict[str, object]:
    return {
        "apiVersion": "greengate.dev/v1",
        "kind": "AIDeployment",
        "metadata": {"name": name},
        "spec": spec,
    }


def read(tmp_path: Path, spec: dict[str, object], name: str = "d") -> Deployment:
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(manifest(name, spec)), encoding="utf-8")
    explained = explain([path])
    assert not explained.problems, explained.problems
    (deployment,) = explained.deployments
    return deployment


def serving(instance: str, provider: str = "aws", **hardware: object) -> dict[str, object]:
    return {
        "workload": "inference",
        "cloud": {"provider": provider, "pue": 1.2, "gridIntensity": 300},
        "hardware": {"instanceType": instance, **hardware},
        "replicas": {"min": 1, "max": 3},
    }


def test_host_overhead_of_a_p4d_follows_ccf(tmp_path: Path) -> None:
    row = instance_row("p4d.24xlarge")
    vcpus, memory, gpus = float(row["vcpus"]), float(row["memory_gb"]), float(row["count"])
    host = vcpus * (CCF_AWS_IDLE + 0.5 * (CCF_AWS_FULL - CCF_AWS_IDLE)) + memory * CCF_MEMORY
    deployment = read(tmp_path, serving("p4d.24xlarge"))
    assert (
        deployment.value("hardware.vcpus") == 96 and deployment.value("hardware.memoryGB") == 1152
    )
    assert deployment.value("estimate.hostWatts") == pytest.approx(host / gpus, abs=0.05)
    host_kwh = 3 * host * 1.2 * HOURS / 1000
    assert deployment.value("estimate.hostKWhPerYearHigh") == pytest.approx(host_kwh, rel=1e-3)
    idle, peak = deployment.value("hardware.idleWatts"), deployment.value("hardware.maxWatts")
    accelerators_kwh = 3 * gpus * (idle + 0.5 * (peak - idle)) * 1.2 * HOURS / 1000
    total = deployment.value("estimate.kWhPerYearHigh")
    assert total == pytest.approx(accelerators_kwh + host_kwh, rel=1e-3)
    assert deployment.value("estimate.tCO2ePerYearHigh") == pytest.approx(
        total * 300 / 1e6, abs=0.05
    )
    detail = deployment.facts["estimate.kWhPerYearHigh"].detail
    assert detail.startswith("accelerators ") and " + host " in detail
    assert "MIN_WATTS_AVG 0.74, MAX_WATTS_AVG 3.5" in deployment.facts["estimate.hostWatts"].detail


def test_the_host_uses_the_declared_utilisation(tmp_path: Path) -> None:
    spec = {**serving("g5.xlarge"), "usage": {"utilisation": 0.9}}
    deployment = read(tmp_path, spec)
    row = instance_row("g5.xlarge")
    host = float(row["vcpus"]) * (CCF_AWS_IDLE + 0.9 * (CCF_AWS_FULL - CCF_AWS_IDLE))
    host += float(row["memory_gb"]) * CCF_MEMORY
    assert deployment.value("estimate.hostWatts") == pytest.approx(host, abs=0.05)


def test_fewer_gpus_than_the_instance_has_get_their_share_of_the_host(tmp_path: Path) -> None:
    deployment = read(tmp_path, serving("p4d.24xlarge", count=2))
    assert deployment.value("hardware.vcpus") == 24 and deployment.value("hardware.memoryGB") == 288
    assert "2 accelerators declared" in deployment.facts["hardware.vcpus"].detail
    whole = read(tmp_path, serving("p4d.24xlarge"), "whole")
    assert deployment.value("estimate.hostWatts") == whole.value("estimate.hostWatts")


def test_an_unknown_host_is_said_not_counted(tmp_path: Path) -> None:
    deployment = read(tmp_path, serving("g6.xlarge"))
    assert "estimate.hostWatts" not in deployment.facts
    detail = deployment.facts["estimate.kWhPerYearHigh"].detail
    assert "host not counted: no vCPUs and memory known" in detail
    assert "hardware.instanceType" in detail


def test_declared_vcpus_and_memory_count_the_host(tmp_path: Path) -> None:
    spec: dict[str, object] = {
        "workload": "inference",
        "cloud": {"provider": "gcp", "pue": 1.1, "gridIntensity": 100},
        "hardware": {"accelerator": "nvidia-l4", "count": 2, "vcpus": 24, "memoryGB": 96},
    }
    deployment = read(tmp_path, spec)
    host = 24 * (0.68 + 0.5 * (4.11 - 0.68)) + 96 * CCF_MEMORY  # CCF GCP medians
    assert deployment.value("estimate.hostWatts") == pytest.approx(host / 2, abs=0.05)
    on_prem = read(tmp_path, {**spec, "cloud": {"provider": "other", "pue": 1.5}}, "on-prem")
    assert "estimate.hostWatts" not in on_prem.facts
    assert "provider 'other'" in on_prem.facts["estimate.kWhPerYearHigh"].detail


def test_training_counts_no_host(tmp_path: Path) -> None:
    spec = {**serving("p4d.24xlarge"), "workload": "training", "training": {"acceleratorHours": 80}}
    deployment = read(tmp_path, spec)
    assert "estimate.hostWatts" not in deployment.facts
    assert deployment.value("estimate.trainingKWh") == pytest.approx(80 * 400 * 1.2 / 1000)


def test_a_fractional_gpu_counts_its_share(tmp_path: Path) -> None:
    deployment = read(tmp_path, serving("Standard_NV6ads_A10_v5", provider="azure"))
    assert deployment.value("hardware.count") == pytest.approx(1 / 6)
    assert "1/6 x nvidia-a10" in deployment.facts["hardware.count"].detail
    tdp = deployment.value("hardware.tdpWatts")
    expected = 3 * tdp / 6 * 1.2 * HOURS / 1000
    assert deployment.value("estimate.kWhPerYearHigh") == pytest.approx(expected, rel=1e-3)


def check(root: Path) -> dict[str, Any]:
    old = Path.cwd()
    os.chdir(root)
    try:
        result = CliRunner().invoke(main, ["check", ".", "--format", "json"])
    finally:
        os.chdir(old)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def test_the_whole_pack_evaluates_a_fractional_deployment(tmp_path: Path) -> None:
    (tmp_path / ".greengate.yaml").write_text(
        "params:\n  carbon-budget: {maxTCO2ePerYear: 0.5, maxTrainingTCO2e: 1}\n", encoding="utf-8"
    )
    spec = {
        **serving("Standard_NV6ads_A10_v5", provider="azure"),
        "cloud": {"provider": "azure", "region": "swedencentral"},
        "task": "chat",
        "model": {"name": "meta-llama/Llama-3.1-8B"},
        "rateLimits": {"requestsPerMinute": 60, "tokensPerMinute": 6000},
    }
    (tmp_path / "frac.yaml").write_text(yaml.safe_dump(manifest("frac", spec)), encoding="utf-8")
    findings = check(tmp_path)["findings"]
    assert findings and all(f["status"] != "error" for f in findings), findings
    budget = [f for f in findings if f["ruleId"] == "GG601"]
    assert budget and budget[0]["status"] == "pass"


@pytest.mark.parametrize("instance", ["trn1.32xlarge", "inf2.xlarge", "ct5p-hightpu-4t"])
def test_a_chip_with_no_published_power_asks_for_its_power(tmp_path: Path, instance: str) -> None:
    provider = "gcp" if instance.startswith("ct") else "aws"
    deployment = read(tmp_path, serving(instance, provider=provider))
    assert "estimate.kWhPerYearHigh" not in deployment.facts
    hint = deployment.hint("estimate.tCO2ePerYearHigh")
    assert hint.startswith("no power figure for ") and "declare spec.hardware.powerWatts" in hint
    assert deployment.hint("hardware.tdpWatts") == hint
    declared = read(tmp_path, serving(instance, provider=provider, powerWatts=150), "declared")
    assert declared.value("estimate.kWhPerYearHigh") > 0


def test_carbon_budget_fails_a_chip_with_no_power_and_says_how_to_declare_it(
    tmp_path: Path,
) -> None:
    (tmp_path / ".greengate.yaml").write_text(
        "params:\n  carbon-budget: {maxTCO2ePerYear: 10}\n", encoding="utf-8"
    )
    (tmp_path / "trn.yaml").write_text(
        yaml.safe_dump(manifest("trn", serving("trn1.32xlarge"))), encoding="utf-8"
    )
    (finding,) = [f for f in check(tmp_path)["findings"] if f["ruleId"] == "GG601"]
    assert finding["status"] == "fail"
    assert "no power figure for aws-trainium" in finding["message"]
    assert "declare spec.hardware.powerWatts" in finding["message"]


def test_explain_shows_the_host_facts(tmp_path: Path) -> None:
    path = tmp_path / "p4d.yaml"
    path.write_text(yaml.safe_dump(manifest("p4d", serving("p4d.24xlarge"))), encoding="utf-8")
    result = CliRunner().invoke(main, ["explain", str(path)])
    for name in ("hardware.vcpus", "estimate.hostWatts", "estimate.hostKWhPerYearHigh"):
        assert name in result.output
    assert "host not counted" not in result.output
