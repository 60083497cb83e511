"""Accelerator power in the shipped catalog: variants, instance mapping, fractions, gaps stated."""

from __future__ import annotations

import csv
from importlib import resources

import pytest

from greengate.catalog import Catalog

DATA = resources.files("greengate.catalog").joinpath("data")


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.builtin()


def _rows(name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(DATA.joinpath(name).read_text("utf-8").splitlines()))


@pytest.mark.parametrize(
    ("id_", "tdp"),
    [
        ("nvidia-h100", 700),
        ("nvidia-h100-pcie", 350),
        ("nvidia-h100-nvl", 400),
        ("nvidia-a100", 400),
        ("nvidia-a100-pcie", 300),
        ("nvidia-a100-pcie-40gb", 250),
        ("nvidia-v100", 300),
        ("nvidia-v100-pcie", 250),
    ],
)
def test_sxm_and_pcie_parts_have_their_own_tdp(catalog: Catalog, id_: str, tdp: float) -> None:
    entry = catalog.accelerator(id_)
    assert entry is not None and entry.id == id_ and entry.tdp_watts == tdp


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # NVIDIA GPU feature discovery: nvidia.com/gpu.product
        ("NVIDIA-A100-SXM4-80GB", "nvidia-a100"),
        ("NVIDIA-A100-SXM4-40GB", "nvidia-a100"),
        ("NVIDIA-A100-PCIE-40GB", "nvidia-a100-pcie-40gb"),
        ("NVIDIA-A100-80GB-PCIe", "nvidia-a100-pcie"),
        ("Tesla-V100-SXM2-16GB", "nvidia-v100"),
        ("Tesla-V100-PCIE-16GB", "nvidia-v100-pcie"),
        ("Tesla-V100-PCIE-32GB", "nvidia-v100-pcie"),
        ("NVIDIA-H100-80GB-HBM3", "nvidia-h100"),
        ("NVIDIA-H100-PCIe", "nvidia-h100-pcie"),
        ("NVIDIA-H100-NVL", "nvidia-h100-nvl"),
        # GKE cloud.google.com/gke-accelerator
        ("nvidia-tesla-a100", "nvidia-a100"),
        ("nvidia-a100-80gb", "nvidia-a100"),
        ("nvidia-h100-80gb", "nvidia-h100"),
        ("nvidia-tesla-v100", "nvidia-v100"),
        # Karpenter karpenter.k8s.aws/instance-gpu-name (AWS parts are SXM)
        ("a100", "nvidia-a100"),
        ("h100", "nvidia-h100"),
        ("v100", "nvidia-v100"),
        ("a10g", "nvidia-a10g"),
        # Bare names stay the SXM part; PCIe cards with no SXM sibling keep their entry.
        ("A100", "nvidia-a100"),
        ("A100 PCIe", "nvidia-a100-pcie"),
        ("H100 PCIe", "nvidia-h100-pcie"),
        ("NVIDIA-A10-PCIE-24GB", "nvidia-a10"),
        ("Tesla-P100-PCIE-16GB", "nvidia-p100"),
        ("Tesla-T4-PCIe", "nvidia-t4"),
    ],
)
def test_names_real_manifests_use_resolve_to_their_variant(
    catalog: Catalog, name: str, expected: str
) -> None:
    found = catalog.accelerator(name)
    assert found is not None and found.id == expected


def test_a_pcie_name_never_resolves_to_an_sxm_part(catalog: Catalog) -> None:
    sxm = {"nvidia-a100", "nvidia-h100", "nvidia-v100", "nvidia-h200", "nvidia-h800"}
    for chip in ("A100", "H100", "V100", "H200", "H800"):
        for suffix in ("-PCIe", "-PCIE-80GB", "-PCIe-94GB", " PCIe 40GB"):
            found = catalog.accelerator(chip + suffix)
            assert found is None or found.id not in sxm, chip + suffix


@pytest.mark.parametrize(
    ("instance", "accelerator"),
    [
        ("p3.2xlarge", "nvidia-v100"),
        ("p3dn.24xlarge", "nvidia-v100"),
        ("p4d.24xlarge", "nvidia-a100"),
        ("p4de.24xlarge", "nvidia-a100"),
        ("p5.48xlarge", "nvidia-h100"),
        ("p5e.48xlarge", "nvidia-h200"),
        ("p5en.48xlarge", "nvidia-h200"),
        ("Standard_NC6s_v3", "nvidia-v100-pcie"),
        ("Standard_NC12s_v3", "nvidia-v100-pcie"),
        ("Standard_NC24s_v3", "nvidia-v100-pcie"),
        ("Standard_NC24rs_v3", "nvidia-v100-pcie"),
        ("Standard_NC24ads_A100_v4", "nvidia-a100-pcie"),
        ("Standard_NC48ads_A100_v4", "nvidia-a100-pcie"),
        ("Standard_NC96ads_A100_v4", "nvidia-a100-pcie"),
        ("Standard_ND96asr_v4", "nvidia-a100"),
        ("Standard_ND96amsr_A100_v4", "nvidia-a100"),
        ("Standard_ND96isr_H100_v5", "nvidia-h100"),
        ("Standard_NC40ads_H100_v5", "nvidia-h100-nvl"),
        ("Standard_NC80adis_H100_v5", "nvidia-h100-nvl"),
        ("Standard_ND40rs_v2", "nvidia-v100"),
        ("a2-highgpu-1g", "nvidia-a100"),
        ("a2-ultragpu-8g", "nvidia-a100"),
        ("a3-highgpu-8g", "nvidia-h100"),
        ("a3-megagpu-8g", "nvidia-h100"),
    ],
)
def test_instance_types_have_the_variant_the_provider_documents(
    catalog: Catalog, instance: str, accelerator: str
) -> None:
    entry = catalog.instance_type(instance)
    assert entry is not None and entry.accelerator == accelerator
    assert "variant:" in entry.source and "documentation, 2025" in entry.source


@pytest.mark.parametrize(
    ("instance", "share"),
    [
        ("Standard_NV6ads_A10_v5", 1 / 6),
        ("Standard_NV12ads_A10_v5", 1 / 3),
        ("Standard_NV18ads_A10_v5", 1 / 2),
        ("Standard_NV36ads_A10_v5", 1),
        ("Standard_NV36adms_A10_v5", 1),
        ("Standard_NV72ads_A10_v5", 2),
    ],
)
def test_fractional_gpu_sizes_count_their_share(
    catalog: Catalog, instance: str, share: float
) -> None:
    entry = catalog.instance_type(instance, "azure")
    assert entry is not None and entry.accelerator == "nvidia-a10"
    assert entry.count == pytest.approx(share, abs=1e-12)


def test_fractions_are_written_exactly_in_the_csv() -> None:
    counts = {r["instance_type"]: r["count"] for r in _rows("instance_types.csv")}
    assert counts["Standard_NV6ads_A10_v5"] == "1/6"
    assert counts["Standard_NV12ads_A10_v5"] == "1/3"
    assert counts["Standard_NV18ads_A10_v5"] == "1/2"


@pytest.mark.parametrize(
    "id_",
    [
        "aws-inferentia",
        "aws-inferentia2",
        "aws-trainium",
        "google-tpu-v5p",
        "google-tpu-v6e",
        "aws-neuron",
    ],
)
def test_chips_without_a_published_power_say_so(catalog: Catalog, id_: str) -> None:
    entry = catalog.accelerator(id_)
    assert entry is not None
    assert entry.tdp_watts is None and entry.idle_watts is None and entry.average_watts is None
    assert entry.power_source.startswith("no power figure:")
    assert "declare hardware.powerWatts" in entry.power_source


@pytest.mark.parametrize(
    "id_", ["nvidia-v100-pcie", "nvidia-a100-pcie", "nvidia-a100-pcie-40gb", "nvidia-h100-pcie"]
)
def test_pcie_cards_have_no_idle_and_max_and_say_why(catalog: Catalog, id_: str) -> None:
    entry = catalog.accelerator(id_)
    assert entry is not None and (entry.idle_watts, entry.max_watts) == (None, None)
    assert "describe the SXM module" in entry.power_source


def test_tpu_v3_and_v4_keep_tdp_and_measured_average_apart(catalog: Catalog) -> None:
    v3, v4 = catalog.accelerator("TPU v3"), catalog.accelerator("TPU v4")
    assert v3 is not None and v4 is not None
    assert (v3.tdp_watts, v3.average_watts) == (220, 283)
    assert (v4.tdp_watts, v4.average_watts) == (170, None)
    assert "no TPU v4 run" in v4.power_source


def test_every_accelerator_without_any_power_figure_explains_why(catalog: Catalog) -> None:
    for entry in catalog.accelerators():
        known = (entry.tdp_watts, entry.idle_watts, entry.max_watts, entry.average_watts)
        if entry.id != "cpu" and all(value is None for value in known):
            assert entry.power_source.startswith("no power figure:"), entry.id


@pytest.mark.parametrize(
    ("instance", "vcpus", "memory"),
    [("p4d.24xlarge", 96, 1152), ("g5.xlarge", 4, 16), ("Standard_NC24ads_A100_v4", 24, 220)],
)
def test_instance_types_carry_vcpus_and_memory_from_ccf(
    catalog: Catalog, instance: str, vcpus: int, memory: float
) -> None:
    entry = catalog.instance_type(instance)
    assert entry is not None and (entry.vcpus, entry.memory_gb) == (vcpus, memory)
    assert "vCPUs and memory: Cloud Carbon Footprint" in entry.source


def test_gcp_types_have_vcpus_but_no_memory_figure(catalog: Catalog) -> None:
    entry = catalog.instance_type("a2-highgpu-1g")
    assert entry is not None and (entry.vcpus, entry.memory_gb) == (12, None)
    assert "no memory figure" in entry.source
