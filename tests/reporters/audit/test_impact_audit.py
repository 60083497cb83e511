"""The Impact Framework manifest: its structure, and the real ``if-run`` recomputing it.

The second half runs the Green Software Foundation's own ``if-run`` (npm
package ``@grnsft/if``, installed by ``.ci/run``) on the manifest of the real
audit of ``examples/`` and checks that its energy and carbon per component
are greengate's estimates. It skips only where no ``if-run`` exists and CI
is unset; in CI a missing ``if-run`` fails.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from greengate.app.audit import AuditOptions, run_audit
from greengate.records.audit import AuditReport, AuditRow, EnergyInputs
from greengate.reporters.audit import AuditFormat
from greengate.reporters.audit.impact_audit import PLUGINS, YEAR_SECONDS, manifest

from .conftest import HOSTILE

REPO = Path(__file__).resolve().parents[3]
LOCAL_IF_RUN = REPO / ".ci" / "node" / "node_modules" / ".bin" / "if-run"


def loaded(report: AuditReport) -> dict:
    return yaml.safe_load(AuditFormat.IMPACT.render(report))


def test_every_estimated_deployment_is_a_component_with_one_year(
    hostile_report: AuditReport,
) -> None:
    data = loaded(hostile_report)
    children = data["tree"]["children"]
    assert sorted(children) == ["chat", "hyperlink-http-evil-example-a1-x-rm-script-alert-1-script"]
    for component in children.values():
        (observation,) = component["inputs"]
        assert observation["duration"] == YEAR_SECONDS == 31_536_000
        assert observation["accelerator/power"] == 72.0
        assert observation["replicas/min"] == 1 and observation["replicas/max"] == 3
        assert observation["pue"] == 1.1 and observation["grid/carbon-intensity"] == 300.0
        assert component["sources"]["pue"] == "PUE 1.1 (catalog)"
        for step in component["pipeline"]["compute"]:
            assert step in data["initialize"]["plugins"]
    assert set(data["initialize"]["plugins"]) <= set(PLUGINS)
    assert data["aggregation"] == {"metrics": ["energy", "carbon"], "type": "both"}


def test_a_deployment_without_an_estimate_is_listed_with_no_inputs(
    hostile_report: AuditReport,
) -> None:
    data = loaded(hostile_report)
    (missing,) = data["tree"]["not-estimated"]
    assert missing["name"] == "unknown-one"
    assert "could not estimate" in missing["why"] and "accelerator" in missing["why"]
    assert "unknown-one" not in data["tree"]["children"]
    assert "1 deployment has no emissions estimate" in data["description"]


def test_energy_without_emissions_is_listed_with_what_greengate_knows(
    make_row: Callable[..., AuditRow], make_audit: Callable[..., AuditReport]
) -> None:
    data = loaded(make_audit([make_row("a"), make_row("b", grid_intensity=None, region="")]))
    assert data["aggregation"]["metrics"] == ["energy", "carbon"]
    assert list(data["tree"]["children"]) == ["a"]
    (missing,) = data["tree"]["not-estimated"]
    assert missing["name"] == "b"
    assert "no grid intensity known for its region (aws)" in missing["why"]
    assert "1666.67 to 5000 kWh/year but no emissions" in missing["why"]


def test_names_are_safe_and_unique_and_text_cannot_start_a_line(
    make_row: Callable[..., AuditRow], make_audit: Callable[..., AuditReport]
) -> None:
    rows = [make_row("Chat API"), make_row("chat_api", file="b.yaml"), make_row("\n::x\n##[y")]
    text = AuditFormat.IMPACT.render(make_audit(rows))
    names = list(yaml.safe_load(text)["tree"]["children"])
    assert sorted(names) == ["chat-api", "chat-api-2", "x-y"]
    assert all(re.fullmatch(r"[a-z0-9-]+", n) for n in names)
    assert not any(line.lstrip().startswith("::") for line in text.splitlines())
    assert "##[" not in text


def test_the_same_report_gives_the_same_bytes(hostile_report: AuditReport) -> None:
    assert AuditFormat.IMPACT.render(hostile_report) == AuditFormat.IMPACT.render(hostile_report)
    assert HOSTILE not in AuditFormat.IMPACT.render(hostile_report)


def test_training_only_deployments_get_the_training_pipeline(
    make_row: Callable[..., AuditRow], make_audit: Callable[..., AuditReport]
) -> None:
    training = EnergyInputs(pue=1.1, training_watts=400.0, accelerator_hours=1000.0)
    data = manifest(make_audit([make_row("train", workload="training", inputs=training)]))
    component = data["tree"]["children"]["train"]
    assert component["pipeline"]["compute"] == [
        "training-watt-hours",
        "training-energy",
        "training-carbon",
        "energy-of-training",
        "carbon-of-training",
    ]
    assert component["inputs"][0]["training/accelerator-hours"] == 1000.0
    assert "accelerator/power" not in component["inputs"][0]


# --- the real if-run --------------------------------------------------------------------


def if_run() -> str | None:
    if LOCAL_IF_RUN.exists():
        return str(LOCAL_IF_RUN)
    return shutil.which("if-run")


def close(computed: float, greengate: float) -> bool:
    """Within 0.1%, or within the rounding greengate's figure was written with (3 decimals
    below 10, 1 decimal above: ``enrich/energy.py``), whichever is wider."""
    rounding = 0.0005 if abs(greengate) < 10 else 0.05
    return abs(computed - greengate) <= max(1e-3 * abs(greengate), rounding + 1e-9)


@pytest.fixture(scope="module")
def examples_audit() -> AuditReport:
    report, _ = run_audit(AuditOptions(paths=[REPO / "examples"]))
    return report


def test_if_run_recomputes_greengates_estimates(
    examples_audit: AuditReport, tmp_path: Path
) -> None:
    command = if_run()
    if command is None:
        if os.environ.get("CI"):
            pytest.fail("if-run (npm @grnsft/if) is missing in CI: .ci/run installs it")
        pytest.skip("no if-run here (npm install @grnsft/if); CI installs it")
    source = tmp_path / "audit.yml"
    source.write_text(AuditFormat.IMPACT.render(examples_audit), encoding="utf-8")
    result = subprocess.run(
        [command, "--manifest", str(source), "--output", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    computed = yaml.safe_load((tmp_path / "out.yaml").read_text(encoding="utf-8"))
    # if-run exits 0 even when the pipeline fails; its verdict is in the output.
    assert computed["execution"]["status"] == "success", computed["execution"].get("error")
    children = computed["tree"]["children"]
    names = manifest(examples_audit)["tree"]["children"]
    rows = {(r.repository, r.file, str(r.line), r.name): r for r in examples_audit.rows}
    checked = 0
    for name, component in children.items():
        identity = names[name]["greengate"]
        row = rows[(identity["repository"], identity["file"], identity["line"], identity["name"])]
        (output,) = component["outputs"]
        e = row.estimate
        pairs = [
            (output.get("energy/yearly-high"), e.kwh_year_high),
            (output.get("energy/yearly-low"), e.kwh_year_low),
            (output.get("energy/training"), e.training_kwh),
            (_tonnes(output.get("carbon/yearly-high")), e.tco2e_year_high),
            (_tonnes(output.get("carbon/yearly-low")), e.tco2e_year_low),
            (_tonnes(output.get("carbon/training")), e.training_tco2e),
        ]
        for got, expected in pairs:
            assert (got is None) == (expected is None), (name, got, expected)
            if got is not None and expected is not None:
                assert close(got, expected), (name, got, expected)
                checked += 1
    estimated = [
        r for r in examples_audit.rows if r.estimate.kwh_year_high or r.estimate.training_kwh
    ]
    assert len(children) == len(estimated) >= 5
    assert checked >= 2 * len(estimated)
    overall = examples_audit.overall
    aggregated = computed["tree"]["aggregated"]
    assert close(aggregated["energy"], overall.kwh_year_high + overall.training_kwh)
    assert close(aggregated["carbon"] / 1e6, overall.tco2e_year_high + overall.training_tco2e)


def _tonnes(grams: float | None) -> float | None:
    return None if grams is None else grams / 1e6
