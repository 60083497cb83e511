"""The shipped CSVs themselves: provenance on every row, and internal consistency."""

from __future__ import annotations

import csv
import re
from importlib import resources
from pathlib import Path

import pytest

from greengate.catalog import Catalog
from greengate.catalog.names import accelerator_key

DATA = resources.files("greengate.catalog").joinpath("data")
FILES = [
    "regions.csv",
    "accelerators.csv",
    "architectures.csv",
    "instance_types.csv",
    "models.csv",
    "pue.csv",
]
YEAR = re.compile(r"\b(?:19|20)\d\d\b")


def rows(name: str) -> list[dict[str, str]]:
    lines = [
        line
        for line in DATA.joinpath(name).read_text("utf-8").splitlines()
        if not line.startswith("#")
    ]
    return list(csv.DictReader(lines))


@pytest.mark.parametrize("name", FILES)
def test_every_row_has_source_and_year(name: str) -> None:
    table = rows(name)
    assert table, name
    for number, row in enumerate(table, start=2):
        assert row["source"].strip(), f"{name} row {number} has no source"
        if "year" in row:
            assert YEAR.fullmatch(row["year"]), f"{name} row {number} has no year"
        else:
            assert YEAR.search(row["source"]), f"{name} row {number}: source names no year"


def test_models_file_is_marked_mpl() -> None:
    head = DATA.joinpath("models.csv").read_text("utf-8").splitlines()[:3]
    assert head[0] == "# SPDX-License-Identifier: MPL-2.0"
    assert any("ecologits" in line for line in head)


def test_every_shipped_row_loads() -> None:
    catalog = Catalog.builtin()
    assert len(catalog.regions()) == len(rows("regions.csv"))
    assert len(catalog.accelerators()) == len(rows("accelerators.csv"))
    assert len(catalog.architectures()) == len(rows("architectures.csv"))
    assert len(catalog.instance_types()) == len(rows("instance_types.csv"))
    assert len(catalog.models()) == len(rows("models.csv"))
    assert len(catalog.pues()) == len(rows("pue.csv"))


def test_regions_cover_the_three_clouds() -> None:
    providers = {row["provider"] for row in rows("regions.csv")}
    assert providers == {"aws", "gcp", "azure"}
    for row in rows("regions.csv"):
        assert row["region"] == row["region"].lower()
        if row["cfe"]:
            assert 0 <= float(row["cfe"]) <= 1


def test_accelerator_names_do_not_collide() -> None:
    owners: dict[str, str] = {}
    for row in rows("accelerators.csv"):
        for name in [row["id"], *filter(None, row["aliases"].split("|"))]:
            assert owners.setdefault(accelerator_key(name), row["id"]) == row["id"], name


def test_architecture_ranks_agree_with_accelerators() -> None:
    ranks = {
        (r["vendor"], r["architecture"]): int(r["generation"]) for r in rows("architectures.csv")
    }
    for row in rows("accelerators.csv"):
        if row["generation"]:
            assert ranks[(row["vendor"], row["architecture"])] == int(row["generation"]), row["id"]


def test_model_counts_are_plain_integers() -> None:
    for row in rows("models.csv"):
        assert row["parameters"].isdigit(), row["id"]
        assert row["active_parameters"] == "" or row["active_parameters"].isdigit(), row["id"]


def test_pue_has_unknown_and_the_three_clouds() -> None:
    assert {"aws", "gcp", "azure", "unknown"} <= {row["provider"] for row in rows("pue.csv")}


def test_the_package_licence_names_every_licence_of_the_shipped_data() -> None:
    """The wheel's License-Expression covers the data it ships (SOURCES.md's licence column)."""
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    root = Path(__file__).resolve().parents[2]
    project = tomllib.loads((root / "pyproject.toml").read_text("utf-8"))["project"]
    expression = set(project["license"].split(" AND "))
    sources = (root / "src" / "greengate" / "catalog" / "data" / "SOURCES.md").read_text("utf-8")
    column = " ".join(
        line.split("|")[3]
        for line in sources.splitlines()
        if re.match(r"\| `\w+\.(csv|json)`", line)
    )
    spdx = {
        "Apache-2.0": "Apache-2.0",
        "CC BY 4.0": "CC-BY-4.0",
        "MPL-2.0": "MPL-2.0",
        "MIT": "MIT",
        "OGL-Canada": "OGL-Canada-2.0",
    }
    named = {spdx[name] for name in spdx if name in column}
    assert len(named) == 5 and named <= expression
    assert {"LICENSE", "NOTICE"} <= set(project["license-files"])
