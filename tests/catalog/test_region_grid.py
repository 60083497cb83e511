"""Catalog v2 regions: one basis for every verdict, current figures, same grid -> same figure.

The figures compared are those the shipped ``regions.csv`` carries; the test
states which regions share a grid (from the providers' published locations)
and requires their verdict figures to agree within 30%, or says why not.
"""

from __future__ import annotations

import pytest

from greengate.catalog import Catalog
from greengate.catalog.model import Region

AGREE_WITHIN = 0.30

# Regions on the same grid (country, or US balancing authority / Canadian province).
SAME_GRID: list[tuple[str, list[tuple[str, str]]]] = [
    ("Oregon, Bonneville", [("aws", "us-west-2"), ("gcp", "us-west1")]),
    ("Sweden", [("aws", "eu-north-1"), ("gcp", "europe-north2"), ("azure", "swedencentral")]),
    ("Quebec", [("aws", "ca-central-1"), ("gcp", "northamerica-northeast1"), ("azure", "canadaeast")]),
    ("Ontario", [("gcp", "northamerica-northeast2"), ("azure", "canadacentral")]),
    ("United Kingdom", [("aws", "eu-west-2"), ("gcp", "europe-west2"), ("azure", "uksouth")]),
    ("Germany", [("aws", "eu-central-1"), ("gcp", "europe-west3"), ("azure", "germanywestcentral")]),
    ("France", [("aws", "eu-west-3"), ("gcp", "europe-west9"), ("azure", "francecentral")]),
    ("Switzerland", [("aws", "eu-central-2"), ("gcp", "europe-west6"), ("azure", "switzerlandnorth")]),
    ("Spain", [("aws", "eu-south-2"), ("gcp", "europe-southwest1"), ("azure", "spaincentral")]),
    ("Italy", [("aws", "eu-south-1"), ("gcp", "europe-west8"), ("azure", "italynorth")]),
    ("Poland", [("gcp", "europe-central2"), ("azure", "polandcentral")]),
    ("Israel", [("aws", "il-central-1"), ("gcp", "me-west1"), ("azure", "israelcentral")]),
    ("Qatar", [("gcp", "me-central1"), ("azure", "qatarcentral")]),
    ("Mexico", [("aws", "mx-central-1"), ("gcp", "northamerica-south1"), ("azure", "mexicocentral")]),
    ("Chile", [("gcp", "southamerica-west1"), ("azure", "chilecentral")]),
    ("Brazil", [("aws", "sa-east-1"), ("gcp", "southamerica-east1"), ("azure", "brazilsouth")]),
    ("Japan", [("aws", "ap-northeast-1"), ("gcp", "asia-northeast1"), ("azure", "japaneast")]),
    ("Singapore", [("aws", "ap-southeast-1"), ("gcp", "asia-southeast1"), ("azure", "southeastasia")]),
    ("India", [("aws", "ap-south-1"), ("aws", "ap-south-2"), ("gcp", "asia-south1"), ("azure", "centralindia")]),
    ("Indonesia", [("aws", "ap-southeast-3"), ("gcp", "asia-southeast2"), ("azure", "indonesiacentral")]),
    ("Taiwan", [("aws", "ap-east-2"), ("gcp", "asia-east1")]),
    ("Thailand", [("aws", "ap-southeast-7"), ("gcp", "asia-southeast3")]),
    ("Australia", [("aws", "ap-southeast-2"), ("aws", "ap-southeast-4"), ("gcp", "australia-southeast1"), ("azure", "australiaeast")]),
    ("PJM", [("aws", "us-east-1"), ("gcp", "us-east4"), ("azure", "eastus")]),
    ("MISO (Iowa)", [("gcp", "us-central1"), ("azure", "centralus")]),
    ("ERCOT", [("gcp", "us-south1"), ("azure", "southcentralus")]),
    ("CAISO", [("aws", "us-west-1"), ("gcp", "us-west2"), ("azure", "westus")]),
]  # fmt: skip

# Near each other but not on the same grid: the figures may differ, and this says why.
DIFFERENT_GRID = {
    (("aws", "us-west-2"), ("azure", "westus2")): (
        "Quincy, Washington is served by Grant County PUD (mostly hydro), a balancing "
        "authority of its own; Oregon's Boardman is in Bonneville's"
    ),
    (("aws", "ca-central-1"), ("aws", "ca-west-1")): "Quebec (hydro) and Alberta (gas) grids",
}

# Named in issue 12 as missing before Catalog v2.
NEW_AWS = ["ap-south-2", "ap-southeast-4", "ap-southeast-5", "ap-southeast-7", "ap-east-2",
           "eu-central-2", "eu-south-2", "il-central-1", "ca-west-1", "mx-central-1"]  # fmt: skip
NEW_AZURE = ["qatarcentral", "polandcentral", "italynorth", "israelcentral", "spaincentral",
             "mexicocentral", "newzealandnorth", "indonesiacentral", "malaysiawest",
             "chilecentral"]  # fmt: skip


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.builtin()


def _region(catalog: Catalog, provider: str, name: str) -> Region:
    region = catalog.region(name, provider)
    assert region is not None, f"{provider} {name} is not in the catalog"
    return region


def _agree(a: float, b: float) -> bool:
    return abs(a - b) <= AGREE_WITHIN * max(a, b)


@pytest.mark.parametrize(("grid", "members"), SAME_GRID, ids=[g for g, _ in SAME_GRID])
def test_same_grid_same_verdict_figure(
    catalog: Catalog, grid: str, members: list[tuple[str, str]]
) -> None:
    regions = [_region(catalog, provider, name) for provider, name in members]
    assert {r.basis for r in regions} == {"lifecycle"}
    figures = [r.grid_intensity for r in regions]
    for region in regions:
        assert _agree(region.grid_intensity, max(figures)), (grid, region)


@pytest.mark.parametrize(("pair", "why"), list(DIFFERENT_GRID.items()))
def test_different_grids_say_why(
    catalog: Catalog, pair: tuple[tuple[str, str], tuple[str, str]], why: str
) -> None:
    a, b = (_region(catalog, *member) for member in pair)
    assert why and not _agree(a.grid_intensity, b.grid_intensity)


def test_every_region_is_current_on_one_basis(catalog: Catalog) -> None:
    regions = catalog.regions()
    assert {r.provider for r in regions} == {"aws", "azure", "gcp"}
    for region in regions:
        assert region.basis == "lifecycle", region
        assert region.year >= 2022 and str(region.year) in region.source, region
        assert "Cloud Carbon Footprint" not in region.source, region
        if region.other_intensity is not None:
            assert region.other_basis in ("direct", "operational"), region
            assert region.other_year and region.other_source, region


def test_issue_12_regions_are_present(catalog: Catalog) -> None:
    for name in NEW_AWS:
        assert _region(catalog, "aws", name).year >= 2023
    for name in NEW_AZURE:
        assert _region(catalog, "azure", name).year >= 2023


def test_us_west_2_is_current_with_the_direct_figure_beside_it(catalog: Catalog) -> None:
    region = _region(catalog, "aws", "us-west-2")
    assert region.year >= 2023 and "eGRID2023" in region.source
    assert region.other_basis == "direct" and "eGRID2022" in (region.other_source or "")


def test_google_keeps_its_own_figure_and_cfe(catalog: Catalog) -> None:
    for region in catalog.regions():
        if region.provider == "gcp":
            assert region.cfe is not None and region.other_basis == "operational", region
            assert "region-carbon-info" in (region.other_source or ""), region


def test_fleet_pue_is_current(catalog: Catalog) -> None:
    for provider in ("aws", "azure", "gcp"):
        pue = catalog.pue(provider)
        assert pue is not None and pue.provider == provider and pue.year >= 2023
        assert "Cloud Carbon Footprint" not in pue.source
    other = catalog.pue("on-prem")
    assert other is not None and other.provider == "unknown" and "Uptime" in other.source
