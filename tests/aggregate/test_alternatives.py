"""The alternatives of ``greengate audit`` really are lower, by the amount they state.

Every test audits real native manifests written to a temporary folder (the
real pipeline, policies and shipped catalog) and recomputes the stated
saving from the catalog's own figures.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from greengate.aggregate.alternatives import SizeLimits
from greengate.app.audit import AuditOptions, run_audit
from greengate.catalog import Catalog
from greengate.records.audit import Alternative, AuditReport, AuditRow

REPO = Path(__file__).resolve().parents[2]
CATALOG = Catalog.builtin()


def manifest(
    name: str,
    *,
    provider: str = "gcp",
    region: str = "europe-west1",
    accelerator: str = "nvidia-h100",
    count: int = 4,
    task: str = "chat",
    parameters: str = "8B",
    precision: str | None = None,
    extra: str = "",
) -> str:
    precision_line = f"\n    precision: {precision}" if precision else ""
    return f"""apiVersion: greengate.dev/v1
kind: AIDeployment
metadata:
  name: {name}
  owner: team-a
spec:
  workload: inference
  task: {task}
  model:
    name: some-model
    parameters: {parameters}{precision_line}
  cloud:
    provider: {provider}
    region: {region}{extra}
  hardware:
    accelerator: {accelerator}
    count: {count}
  replicas: {{min: 1, max: 2}}
"""


def audit(tmp_path: Path, files: dict[str, str], config: str = "") -> AuditReport:
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    if config:
        (tmp_path / ".greengate.yaml").write_text(config, encoding="utf-8")
    report, _ = run_audit(AuditOptions(paths=[tmp_path]))
    return report


def only_row(report: AuditReport) -> AuditRow:
    assert len(report.rows) == 1, report.rows
    return report.rows[0]


def of_kind(row: AuditRow, kind: str) -> Alternative | None:
    return next((a for a in row.alternatives if a.kind == kind), None)


def high(row: AuditRow) -> float:
    figure = row.estimate.tco2e_year_high
    assert figure is not None and figure > 0, row
    return figure


def rounding(figure: float) -> float:
    """Half the last digit kept: three decimals below 10 tCO2e, one above (as the estimates)."""
    return 0.0005001 if figure < 10 else 0.05001


def assert_lower_by_stated(row: AuditRow, alt: Alternative, ratio: float) -> None:
    """After = high x ratio, saving = high - after, percent = 1 - ratio (as rounded)."""
    assert alt.tco2e_year == pytest.approx(high(row) * ratio, abs=rounding(alt.tco2e_year))
    assert alt.saving_tco2e_year == pytest.approx(
        high(row) - alt.tco2e_year, abs=rounding(alt.saving_tco2e_year)
    )
    assert alt.saving_percent == pytest.approx((1 - ratio) * 100, abs=0.05)
    assert 0 < alt.tco2e_year < high(row)


# --- region -----------------------------------------------------------------------------


def test_region_is_the_lowest_carbon_of_the_provider_on_the_continent(tmp_path: Path) -> None:
    row = only_row(audit(tmp_path, {"a.yaml": manifest("a", provider="aws", region="ap-south-1")}))
    alt = of_kind(row, "region")
    assert alt is not None
    here = CATALOG.region("ap-south-1", "aws")
    assert here is not None and here.continent == "Asia"
    same = [r for r in CATALOG.regions() if r.provider == "aws" and r.continent == "Asia"]
    best = min(same, key=lambda r: r.grid_intensity)
    target = CATALOG.region(alt.value, "aws")
    assert target is not None and target == best
    assert target.provider == "aws" and target.continent == here.continent
    assert row.grid_intensity is not None and target.grid_intensity < row.grid_intensity
    assert_lower_by_stated(row, alt, target.grid_intensity / row.grid_intensity)
    assert f"{target.grid_intensity:g}" in alt.detail and target.source in alt.detail


def test_no_region_alternative_in_the_best_region_already(tmp_path: Path) -> None:
    europe = [r for r in CATALOG.regions() if r.provider == "gcp" and r.continent == "Europe"]
    best = min(europe, key=lambda r: (r.grid_intensity, r.region))
    row = only_row(audit(tmp_path, {"a.yaml": manifest("a", region=best.region)}))
    assert row.estimate.tco2e_year_high is not None
    assert of_kind(row, "region") is None


def test_no_region_alternative_for_a_region_the_catalog_does_not_know(tmp_path: Path) -> None:
    text = manifest("a", region="on-prem-basement", extra="\n    gridIntensity: 400")
    row = only_row(audit(tmp_path, {"a.yaml": text}))
    assert row.grid_intensity == 400 and row.estimate.tco2e_year_high is not None
    assert of_kind(row, "region") is None


def test_every_shipped_region_has_a_continent() -> None:
    assert [r.region for r in CATALOG.regions() if not r.continent] == []


# --- accelerator ------------------------------------------------------------------------


def watts_per_tflops(accelerator_id: str) -> float:
    acc = CATALOG.accelerator(accelerator_id)
    assert acc is not None and acc.tdp_watts and acc.fp16_tflops
    return acc.tdp_watts / acc.fp16_tflops


def test_accelerator_is_the_newest_generation_by_watts_for_the_same_work(tmp_path: Path) -> None:
    row = only_row(audit(tmp_path, {"a.yaml": manifest("a", accelerator="nvidia-a100")}))
    alt = of_kind(row, "accelerator")
    assert alt is not None
    old, new = CATALOG.accelerator("nvidia-a100"), CATALOG.accelerator(alt.value)
    assert old is not None and new is not None
    offered = {it.accelerator for it in CATALOG.instance_types() if it.provider == "gcp"}
    nvidia = [
        a
        for a in CATALOG.accelerators()
        if a.vendor == "nvidia" and a.id in offered and a.tdp_watts and a.fp16_tflops
    ]
    newest = max(a.generation or 0 for a in nvidia)
    assert new.vendor == "nvidia" and new.generation == newest and new.id in offered
    assert new.generation > (old.generation or 0)
    assert watts_per_tflops(new.id) < watts_per_tflops(old.id)  # less energy per FLOP ...
    assert (new.tdp_watts or 0) > (old.tdp_watts or 0)  # ... though the newer part draws more
    count = row.count or 0
    needed = math.ceil(count * (old.fp16_tflops or 0) / (new.fp16_tflops or 1))  # whole parts
    assert needed < count
    ratio = needed * (new.tdp_watts or 0) / (count * (old.tdp_watts or 0))
    assert ratio < 1
    assert_lower_by_stated(row, alt, ratio)
    assert f"run on {needed} x {new.id}" in alt.summary
    assert "compute-bound" in alt.detail and "FP16" in alt.detail


def test_two_old_cards_do_not_become_a_fraction_of_a_new_one(tmp_path: Path) -> None:
    """Parts are whole: 2 V100 (600 W) would need one B200 (1,000 W), which saves nothing."""
    text = manifest("a", accelerator="nvidia-v100", count=2)
    row = only_row(audit(tmp_path, {"a.yaml": text}))
    assert row.estimate.tco2e_year_high is not None
    assert of_kind(row, "accelerator") is None


def test_no_accelerator_alternative_on_the_newest_generation(tmp_path: Path) -> None:
    row = only_row(audit(tmp_path, {"a.yaml": manifest("a", accelerator="nvidia-b200")}))
    assert row.estimate.tco2e_year_high is not None
    assert of_kind(row, "accelerator") is None


def test_no_accelerator_alternative_without_the_flops_of_the_part(tmp_path: Path) -> None:
    t4 = CATALOG.accelerator("nvidia-t4")
    assert t4 is not None and t4.fp16_tflops is None
    text = manifest("a", provider="aws", region="us-east-1", accelerator="nvidia-t4", count=1)
    row = only_row(audit(tmp_path, {"a.yaml": text}))
    assert row.estimate.tco2e_year_high is not None
    assert of_kind(row, "accelerator") is None


# --- model ------------------------------------------------------------------------------


def test_model_within_the_limit_needs_fewer_accelerators(tmp_path: Path) -> None:
    text = manifest("a", task="classification", parameters="70B", precision="bf16")
    row = only_row(audit(tmp_path, {"a.yaml": text}))
    assert "GG101" in row.failing
    alt = of_kind(row, "model")
    assert alt is not None and alt.value == "<= 1B"
    h100 = CATALOG.accelerator("nvidia-h100")
    assert h100 is not None and h100.memory_gb
    needed = math.ceil(1e9 * 2 / (h100.memory_gb * 1e9))
    assert needed == 1
    assert_lower_by_stated(row, alt, needed / 4)


def test_model_limit_and_precision_come_from_the_config_and_manifest(tmp_path: Path) -> None:
    config = "params:\n  model-size:\n    maxParameters: {classification: 50B}\n"
    text = manifest("a", task="classification", parameters="70B", precision="fp32")
    row = only_row(audit(tmp_path, {"a.yaml": text}, config))
    alt = of_kind(row, "model")
    assert alt is not None and alt.value == "<= 50B"
    needed = math.ceil(50e9 * 4 / 80e9)  # fp32: 4 bytes a weight, 80 GB per H100
    assert needed == 3
    assert_lower_by_stated(row, alt, needed / 4)
    assert "4 bytes (fp32)" in alt.detail


def test_no_model_alternative_within_the_limit(tmp_path: Path) -> None:
    config = "params:\n  model-size:\n    maxParameters: {classification: 100B}\n"
    text = manifest("a", task="classification", parameters="70B")
    row = only_row(audit(tmp_path, {"a.yaml": text}, config))
    assert "GG101" not in row.failing
    assert of_kind(row, "model") is None


def test_no_model_alternative_without_the_accelerator_memory(tmp_path: Path) -> None:
    gh200 = CATALOG.accelerator("nvidia-gh200")
    assert gh200 is not None and gh200.memory_gb is None
    text = manifest("a", task="classification", parameters="70B", accelerator="nvidia-gh200")
    row = only_row(audit(tmp_path, {"a.yaml": text}))
    assert "GG101" in row.failing and row.estimate.tco2e_year_high is not None
    assert of_kind(row, "model") is None


def test_size_limits_ignore_values_that_are_not_counts() -> None:
    limits = SizeLimits.from_params(
        {"maxParameters": {"chat": "lots", "speech": 2e9}, "defaultMaxParameters": True}
    )
    assert limits.per_task == {"speech": 2_000_000_000}
    assert limits.default is None and limits.of("chat") is None


# --- all kinds --------------------------------------------------------------------------


def test_largest_saving_first_and_none_without_an_estimate(tmp_path: Path) -> None:
    files = {
        "a.yaml": manifest("a", task="classification", parameters="70B", accelerator="nvidia-a100"),
        "b.yaml": manifest("b", region="somewhere-unknown"),  # no grid: no tCO2e, no saving
    }
    report = audit(tmp_path, files)
    rows = {r.name: r for r in report.rows}
    savings = [a.saving_tco2e_year for a in rows["a"].alternatives]
    assert len(savings) == 3 and savings == sorted(savings, reverse=True)
    assert rows["b"].estimate.tco2e_year_high is None and rows["b"].alternatives == ()
    assert report.top_savings[0].alternative == rows["a"].alternatives[0]


@pytest.mark.parametrize("folder", ["examples", "tests/data/corpus"])
def test_every_alternative_of_a_real_audit_is_lower_by_its_saving(folder: str) -> None:
    report, _ = run_audit(AuditOptions(paths=[REPO / folder]))
    alternatives = [(row, alt) for row in report.rows for alt in row.alternatives]
    assert alternatives, "the audit found no alternative at all"
    for row, alt in alternatives:
        assert alt.tco2e_year < high(row), (row.name, alt)
        assert alt.saving_tco2e_year == pytest.approx(
            high(row) - alt.tco2e_year, abs=rounding(alt.saving_tco2e_year)
        )
        assert alt.saving_percent == pytest.approx(
            alt.saving_tco2e_year / high(row) * 100, abs=0.1 + 0.1 / high(row)
        )
        assert alt.saving_tco2e_year > 0 and alt.summary and alt.detail
    kinds = {alt.kind for _, alt in alternatives}
    assert kinds >= {"region", "accelerator"}
