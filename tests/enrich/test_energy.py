"""Energy and emissions: greengate's arithmetic against published training footprints.

Each case is a native manifest built from the inputs a publication states; the
test computes the result through the whole pipeline (load, adapt, enrich) and
compares it with the figure the publication reports. Nothing here is a
greengate result written down: only the publications' inputs and outputs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from greengate.app.explain import explain
from greengate.config import load_config
from greengate.enrich.energy import DEFAULT_UTILISATION
from greengate.records.deployment import Deployment


def read(tmp_path: Path, spec: dict[str, object], name: str = "d") -> Deployment:
    manifest = {
        "apiVersion": "greengate.dev/v1",
        "kind": "AIDeployment",
        "metadata": {"name": name},
        "spec": spec,
    }
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(manifest), encoding="utf-8")
    explained = explain([path])
    assert not explained.problems, explained.problems
    (deployment,) = explained.deployments
    return deployment


@dataclass(frozen=True)
class Published:
    """One training run as a publication states it."""

    name: str
    citation: str
    accelerator: str
    accelerator_hours: float
    watts: float
    pue: float
    pue_convention: str
    grams_per_kwh: float | None
    """None when the publication states no intensity (then only kWh is checked)."""
    mwh: float | None
    tco2e: float
    tolerance: float = 0.01


# Patterson et al. 2021, "Carbon Emissions and Large Neural Network Training"
# (arXiv:2104.10350), Table 4: processors x days x 24 = accelerator-hours, average
# system power per processor, the data centre's PUE and the net tCO2e/MWh of its grid.
PATTERSON = "Patterson et al. 2021, Table 4"
PATTERSON_PUE = "the data centre's measured PUE, applied on top of the system power"
TABLE_4 = [
    Published(
        "gpt-3",
        PATTERSON + ": GPT-3, 10,000 V100 x 14.8 days (figures as stated by OpenAI/Microsoft)",
        "nvidia-v100",
        3_552_000,
        330,
        1.10,
        PATTERSON_PUE,
        429,
        1_287,
        552,
    ),
    Published(
        "t5",
        PATTERSON + ": T5, 512 TPU v3 x 20 days",
        "google-tpu-v3",
        512 * 20 * 24,
        310,
        1.12,
        PATTERSON_PUE,
        545,
        85.7,
        46.7,
    ),
    Published(
        "meena",
        PATTERSON + ": Meena, 1024 TPU v3 x 30 days",
        "google-tpu-v3",
        1024 * 30 * 24,
        289,
        1.09,
        PATTERSON_PUE,
        415,
        232,
        96.4,
    ),
    Published(
        "gshard-600b",
        PATTERSON + ": GShard-600B, 1024 TPU v3 x 3.1 days",
        "google-tpu-v3",
        1024 * 3.1 * 24,
        288,
        1.09,
        PATTERSON_PUE,
        177,
        24.1,
        4.3,
        # The table rounds the days (3.1) and the tCO2e (4.3) to two significant figures.
        0.02,
    ),
    Published(
        "switch-transformer",
        PATTERSON + ": Switch Transformer, 1024 TPU v3 x 27 days",
        "google-tpu-v3",
        1024 * 27 * 24,
        245,
        1.10,
        PATTERSON_PUE,
        330,
        179,
        59.1,
    ),
]

# Luccioni, Viguier and Ligozat 2022, "Estimating the Carbon Footprint of BLOOM, a 176B
# Parameter Language Model" (arXiv:2211.02001), Table 2 and section 4: 1,082,990 A100
# GPU-hours at the 400 W TDP, French grid 57 gCO2e/kWh; the "dynamic power consumption"
# of 433 MWh and 24.69 tCO2e are the GPUs alone: the paper counts Jean Zay's PUE 1.2
# (idle and infrastructure) as a separate line, so the dynamic figure is at PUE 1.
BLOOM = Published(
    "bloom",
    "Luccioni et al. 2022, Table 2: BLOOM dynamic power consumption",
    "nvidia-a100",
    1_082_990,
    400,
    1.0,
    "PUE 1: the dynamic figure excludes the data centre (its PUE 1.2 is counted apart)",
    57,
    433.196,
    24.69,
)


def test_gpt3_reproduces_patterson_table_4_within_one_percent(tmp_path: Path) -> None:
    """The issue's public check: 1,287 MWh and 552 tCO2e from the stated inputs."""
    gpt3 = TABLE_4[0]
    deployment = training(tmp_path, gpt3, count=10_000)  # 10,000 V100, as the paper states
    assert deployment.value("estimate.trainingKWh") / 1000 == pytest.approx(1_287, rel=0.01)
    assert deployment.value("estimate.trainingTCO2e") == pytest.approx(552, rel=0.01)
    assert "330 W declared average" in deployment.facts["estimate.trainingKWh"].detail


def training(
    tmp_path: Path, run: Published, declare_watts: bool = True, count: int = 8
) -> Deployment:
    cloud: dict[str, object] = {"provider": "other", "pue": run.pue}
    if run.grams_per_kwh is not None:
        cloud["gridIntensity"] = run.grams_per_kwh
    hardware: dict[str, object] = {"accelerator": run.accelerator, "count": count}
    if declare_watts:
        hardware["powerWatts"] = run.watts
    return read(
        tmp_path,
        {
            "workload": "training",
            "cloud": cloud,
            "hardware": hardware,
            "training": {"acceleratorHours": run.accelerator_hours},
        },
        run.name,
    )


@pytest.mark.parametrize("run", [*TABLE_4, BLOOM], ids=lambda run: run.name)
def test_published_training_footprints(tmp_path: Path, run: Published) -> None:
    deployment = training(tmp_path, run)
    kwh = deployment.value("estimate.trainingKWh")
    if run.mwh is not None:
        assert kwh / 1000 == pytest.approx(run.mwh, rel=run.tolerance), run.citation
    assert deployment.value("estimate.trainingTCO2e") == pytest.approx(
        run.tco2e, rel=run.tolerance
    ), f"{run.citation}; {run.pue_convention}"
    # Accelerator-hours already include the chips: hardware.count (8) is not a factor.
    assert kwh == pytest.approx(run.accelerator_hours * run.watts * run.pue / 1000, rel=1e-3)


# The Llama model cards: "Time: total GPU time required for training each model. Power
# Consumption: peak power capacity per GPU device for the GPUs used adjusted for power
# usage efficiency", i.e. the TDP with the PUE folded in, so greengate applies PUE 1 on
# top. The cards state no grid intensity: it is derived from one row and must reproduce
# the other rows, which differ in hours and watts.
# Llama 2 (meta-llama/llama MODEL_CARD.md @ 8b266e477e66bf86f28f1fca3222037b90f61906, 2023):
# A100-80GB; 7B 184,320 h at 400 W -> 31.22 t; 13B 368,640 h at 400 W -> 62.44 t; 70B
# 1,720,320 h at 400 W -> 291.42 t. The card has no 34B row; its total (3,311,616 h,
# 539.00 t) counts 1,038,336 h more than those three rows, so it is not reproduced here.
LLAMA_2 = [
    ("llama-2-7b", 184_320, 400, 31.22),
    ("llama-2-13b", 368_640, 400, 62.44),
    ("llama-2-70b", 1_720_320, 400, 291.42),
]
# Llama 3 (meta-llama/llama3, MODEL_CARD.md, 2024): H100-80GB at 700 W; 8B 1.3M h ->
# 390 t; 70B 6.4M h -> 1,900 t; total 7.7M h -> 2,290 t. The hours are rounded to two
# significant figures, so rows agree only to about 1.5%.
LLAMA_3 = [
    ("llama-3-total", 7_700_000, 700, 2_290.0),
    ("llama-3-8b", 1_300_000, 700, 390.0),
    ("llama-3-70b", 6_400_000, 700, 1_900.0),
]


@pytest.mark.parametrize(
    ("rows", "accelerator", "tolerance"),
    [(LLAMA_2, "nvidia-a100", 0.001), (LLAMA_3, "nvidia-h100", 0.015)],
    ids=["llama-2", "llama-3"],
)
def test_llama_model_cards(
    tmp_path: Path, rows: list[tuple[str, float, float, float]], accelerator: str, tolerance: float
) -> None:
    _, hours, watts, tco2e = rows[0]
    intensity = tco2e * 1e6 / (hours * watts / 1000)  # gCO2e/kWh implied by the first row
    for name, hours, watts, tco2e in rows[1:]:
        run = Published(
            name,
            "Llama model card",
            accelerator,
            hours,
            watts,
            1.0,
            "PUE folded into the card's watts",
            intensity,
            None,
            tco2e,
            tolerance,
        )
        deployment = training(tmp_path, run)
        assert deployment.value("estimate.trainingTCO2e") == pytest.approx(tco2e, rel=tolerance)


def test_average_watts_fall_back_to_the_catalog_then_to_tdp(tmp_path: Path) -> None:
    gpt3 = TABLE_4[0]
    catalog = training(tmp_path, gpt3, declare_watts=False)
    assert "catalog measured average" in catalog.facts["estimate.trainingKWh"].detail
    assert catalog.value("estimate.trainingKWh") / 1000 == pytest.approx(1_287, rel=0.01)
    h100 = read(
        tmp_path,
        {
            "workload": "fine-tuning",
            "hardware": {"accelerator": "nvidia-h100", "count": 8},
            "training": {"acceleratorHours": 1000},
        },
        "h100",
    )
    tdp = h100.value("hardware.tdpWatts")
    assert "TDP" in h100.facts["estimate.trainingKWh"].detail
    assert "PUE 1 (no PUE known" in h100.facts["estimate.trainingKWh"].detail
    assert h100.value("estimate.trainingKWh") == pytest.approx(1000 * tdp / 1000)
    assert "estimate.trainingTCO2e" not in h100.facts  # no grid intensity known
    assert "estimate.kWhPerYearHigh" not in h100.facts  # a training job has no yearly range


def inference(tmp_path: Path, **spec: object) -> Deployment:
    base: dict[str, object] = {
        "workload": "inference",
        "cloud": {"provider": "other", "pue": 1.2, "gridIntensity": 300},
        "hardware": {"accelerator": "nvidia-a100", "count": 2},
    }
    return read(tmp_path, {**base, **spec}, "serve")


def test_inference_is_a_yearly_range_from_min_to_max_replicas(tmp_path: Path) -> None:
    deployment = inference(tmp_path, replicas={"min": 0, "max": 4})
    idle, peak = deployment.value("hardware.idleWatts"), deployment.value("hardware.maxWatts")
    watts = idle + DEFAULT_UTILISATION * (peak - idle)
    per_replica = 2 * watts * 1.2 * 24 * 365 / 1000
    assert deployment.value("estimate.kWhPerYearLow") == 0  # 0 replicas count as 0, not 1
    assert deployment.value("estimate.kWhPerYearHigh") == pytest.approx(4 * per_replica, rel=1e-4)
    assert deployment.value("estimate.tCO2ePerYearHigh") == pytest.approx(
        4 * per_replica * 300 / 1e6, rel=1e-3
    )
    detail = deployment.facts["estimate.kWhPerYearHigh"].detail
    assert "utilisation 0.5 assumed" in detail and "replicas.max" in detail


def test_usage_sets_utilisation_and_hours(tmp_path: Path) -> None:
    busy = inference(
        tmp_path,
        replicas={"min": 3, "max": 3},
        usage={"utilisation": 0.8, "schedule": {"hoursPerDay": 10, "daysPerWeek": 5}},
    )
    idle, peak = busy.value("hardware.idleWatts"), busy.value("hardware.maxWatts")
    expected = 3 * 2 * (idle + 0.8 * (peak - idle)) * 1.2 * 10 * 5 * 365 / 7 / 1000
    assert busy.value("estimate.kWhPerYearLow") == pytest.approx(expected, rel=1e-4)
    assert busy.value("estimate.kWhPerYearHigh") == busy.value("estimate.kWhPerYearLow")
    declared = inference(tmp_path, hardware={"accelerator": "nvidia-h100", "count": 1, "powerWatts": 450}, usage={"hoursPerDay": 12})  # fmt: skip
    assert declared.value("estimate.kWhPerYearHigh") == pytest.approx(
        450 * 1.2 * 12 * 365 / 1000, rel=1e-4
    )
    assert "450 W declared average" in declared.facts["estimate.kWhPerYearHigh"].detail


def test_without_idle_and_max_figures_inference_uses_tdp(tmp_path: Path) -> None:
    l4 = inference(tmp_path, hardware={"accelerator": "nvidia-l4", "count": 1})
    assert "hardware.idleWatts" not in l4.facts
    tdp = l4.value("hardware.tdpWatts")
    assert l4.value("estimate.kWhPerYearHigh") == pytest.approx(tdp * 1.2 * 8760 / 1000, rel=1e-4)
    assert "TDP" in l4.facts["estimate.kWhPerYearHigh"].detail


def test_zero_max_replicas_gives_zero_power(tmp_path: Path) -> None:
    off = inference(tmp_path, replicas={"min": 0, "max": 0})
    assert off.value("estimate.powerWatts") == 0
    assert off.value("estimate.kWhPerYearHigh") == 0


def test_hours_per_day_and_a_schedule_exclude_each_other(tmp_path: Path) -> None:
    path = tmp_path / "both.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "greengate.dev/v1",
                "kind": "AIDeployment",
                "metadata": {"name": "both"},
                "spec": {"usage": {"hoursPerDay": 8, "schedule": {"hoursPerDay": 8}}},
            }
        ),
        encoding="utf-8",
    )
    assert explain([path]).problems


def test_config_defaults_supply_usage_and_pue_for_any_format(tmp_path: Path) -> None:
    (tmp_path / ".greengate.yaml").write_text(
        "defaults:\n  - paths: ['**']\n    pue: 1.3\n    utilisation: 0.7\n    hoursPerDay: 12\n",
        encoding="utf-8",
    )
    path = tmp_path / "serve.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "greengate.dev/v1",
                "kind": "AIDeployment",
                "metadata": {"name": "serve"},
                "spec": {"hardware": {"accelerator": "nvidia-t4", "count": 1}},
            }
        ),
        encoding="utf-8",
    )
    (deployment,) = explain([path], config=load_config(tmp_path / ".greengate.yaml")).deployments
    idle, peak = deployment.value("hardware.idleWatts"), deployment.value("hardware.maxWatts")
    expected = (idle + 0.7 * (peak - idle)) * 1.3 * 12 * 365 / 1000
    assert deployment.value("estimate.kWhPerYearHigh") == pytest.approx(expected, rel=1e-3)
    assert "utilisation 0.7 config-default" in deployment.facts["estimate.kWhPerYearHigh"].detail
