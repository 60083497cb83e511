from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from greengate.catalog import Catalog
from greengate.errors import ConfigError


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def test_yaml_extension_overrides_and_adds(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "catalog.yaml",
        """
        regions:
          - {provider: aws, region: eu-north-1, grid_gco2e_per_kwh: 8, cfe: 0.98, year: 2025, source: "our PPA report"}
        accelerators:
          - {id: acme-x1, vendor: acme, architecture: x1, generation: 1, aliases: [x1]}
        instance_types:
          - {provider: onprem, instance_type: rack-7, accelerator: x1, count: 4}
        models:
          - {id: my-org/my-model, parameters: 3B}
        pue:
          - {provider: onprem, pue: 1.4, year: 2024, source: "facilities team"}
        """,
    )
    catalog = Catalog.load([path])
    region = catalog.region("eu-north-1")
    assert region is not None
    assert (region.grid_intensity, region.cfe, region.year, region.source) == (
        8,
        0.98,
        2025,
        "our PPA report",
    )
    assert len([r for r in catalog.regions() if r.region == "eu-north-1"]) == 1
    acc = catalog.accelerator("X1")
    assert acc is not None and acc.id == "acme-x1" and acc.generation == 1
    rack = catalog.instance_type("rack-7")
    assert rack is not None and (rack.accelerator, rack.count) == ("acme-x1", 4)
    model = catalog.model("hf://my-org/my-model")
    assert model is not None and (model.parameters, model.via) == (3_000_000_000, "catalog")
    assert model.entry is not None and model.entry.source == f"user catalog {path}:8"
    pue = catalog.pue("onprem")
    assert pue is not None and pue.pue == 1.4
    # The builtin catalog is untouched.
    builtin = Catalog.builtin().region("eu-north-1")
    assert builtin is not None and builtin.source != "our PPA report"
    assert builtin.grid_intensity != 8


def test_later_extension_wins_and_overrides_aliases(tmp_path: Path) -> None:
    first = write(tmp_path, "a.yaml", "models:\n  - {id: acme/llm, parameters: 1B}\n")
    second = write(
        tmp_path,
        "b.yaml",
        "models:\n  - {id: ACME/LLM, parameters: 2B}\n"
        "accelerators:\n  - {id: nvidia-a100, vendor: nvidia, architecture: ampere, generation: 6}\n",
    )
    catalog = Catalog.load([first, second])
    match = catalog.model("acme/llm")
    assert match is not None and match.parameters == 2_000_000_000
    a100 = catalog.accelerator("nvidia-a100")
    assert a100 is not None and a100.aliases == () and a100.tdp_watts is None
    # The replaced entry's aliases no longer resolve; instance types still map to the id.
    assert catalog.accelerator("A100") is a100  # "A100" normalises to the same key as the id
    p4d = catalog.instance_type("p4d.24xlarge")
    assert p4d is not None and p4d.accelerator == "nvidia-a100"


def test_azure_display_name_in_extension_overrides_the_arm_row(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "regions.yaml",
        """
        regions:
          - {provider: Azure, region: Sweden Central, grid_gco2e_per_kwh: 12, year: 2025, source: x}
        """,
    )
    catalog = Catalog.load([path])
    region = catalog.region("swedencentral")
    assert region is not None and (region.region, region.grid_intensity) == ("swedencentral", 12)
    assert len(catalog.regions()) == len(Catalog.builtin().regions())


def test_user_model_takes_an_ambiguous_last_segment(tmp_path: Path) -> None:
    path = write(tmp_path, "models.yaml", "models:\n  - {id: acme/gemma-2b, parameters: 3B}\n")
    match = Catalog.load([path]).model("gs://bucket/gemma-2b")
    assert match is not None and match.parameters == 3_000_000_000


def test_csv_extensions_by_file_name(tmp_path: Path) -> None:
    regions = write(
        tmp_path,
        "team-regions.csv",
        """
        provider,region,grid_gco2e_per_kwh,year,source
        gcp,europe-north1,25.5,2025,internal meter
        """,
    )
    models = write(
        tmp_path,
        "extra_models.csv",
        """
        # our fine-tunes
        id,parameters,active_parameters
        acme/moe,"47B",13B
        """,
    )
    catalog = Catalog.load([regions, models])
    region = catalog.region("europe-north1")
    assert region is not None and (region.grid_intensity, region.cfe) == (25.5, None)
    match = catalog.model("acme/moe")
    assert match is not None and match.entry is not None
    assert (match.parameters, match.entry.active_parameters) == (47_000_000_000, 13_000_000_000)


CASES = [
    # (file name, content, line, words that must appear)
    ("bad.yaml", "regions:\n  - {provider: aws\n", 3, ["invalid YAML"]),
    (
        "bad.yaml",
        "regions: []\nmodel:\n  - {id: x, parameters: 1B}\n",
        2,
        ["unknown top-level key 'model'"],
    ),
    (
        "bad.yaml",
        "regions:\n  - provider: aws\n    region: eu-north-1\n    grid_gco2e_per_kwh: 8\n    year: 2025\n",
        2,
        ["missing 'source'"],
    ),
    (
        "bad.yaml",
        "regions:\n  - provider: aws\n    region: eu-north-1\n    grid_gco2e_per_kwh: lots\n"
        "    year: 2025\n    source: x\n",
        4,
        ["'grid_gco2e_per_kwh'", "gCO2e/kWh"],
    ),
    (
        "bad.yaml",
        "regions:\n  - {provider: aws, region: x, grid_gco2e_per_kwh: 1, year: 2025, source: s, cfe: 1.5}\n",
        2,
        ["'cfe'", "fraction"],
    ),
    ("bad.yaml", "models:\n  - id: a\n    parameters: lots\n", 3, ["parameter count", "7B"]),
    (
        "bad.yaml",
        "models:\n  - id: a\n    parameters: 1B\n    size: 2\n",
        4,
        ["unknown field 'size'"],
    ),
    ("bad.yaml", "models: {id: a}\n", 1, ["must be a list"]),
    ("bad.yaml", "- regions\n", 1, ["mapping of tables"]),
    (
        "bad.yaml",
        "models:\n  - {id: a, parameters: 1B, active_parameters: 2B}\n",
        2,
        ["active_parameters", "exceed"],
    ),
    (
        "bad.yaml",
        "instance_types:\n  - {provider: aws, instance_type: z1, accelerator: warp-core, count: 1}\n",
        2,
        ["unknown accelerator 'warp-core'"],
    ),
    (
        "regions.csv",
        "provider,region,grid_gco2e_per_kwh,year\naws,eu-north-1,8,2025\n",
        1,
        ["missing required column 'source'"],
    ),
    (
        "regions.csv",
        "provider,region,grid_gco2e_per_kwh,year,source\n\naws,eu-north-1,eight,2025,s\n",
        3,
        ["'grid_gco2e_per_kwh' must be a number"],
    ),
    ("regions.csv", "provider,region,intensity\n", 1, ["unknown column 'intensity'"]),
    ("pue.csv", "provider,pue,year\naws,1.2,2025,extra\n", 2, ["4 cells"]),
    ("pue.csv", "provider,pue,year\naws,0.9,2025\n", 2, ["'pue' must be at least 1"]),
    ("notes.csv", "a,b\n", 1, ["cannot tell which table"]),
    ("regions-and-models.csv", "a,b\n", 1, ["cannot tell which table"]),
]


@pytest.mark.parametrize(("name", "text", "line", "words"), CASES)
def test_bad_extension_files(
    tmp_path: Path, name: str, text: str, line: int, words: list[str]
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        Catalog.load([path])
    message = str(caught.value)
    assert message.startswith(f"{path}:{line}: "), message
    assert "; " in message and message.endswith(".") and "\n" not in message
    for word in words:
        assert word in message


def test_missing_and_unsupported_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"missing\.yaml: catalog extension file not found; "):
        Catalog.load([tmp_path / "missing.yaml"])
    other = write(tmp_path, "catalog.toml", "x = 1\n")
    with pytest.raises(ConfigError, match=r"catalog\.toml: unsupported catalog extension type"):
        Catalog.load([other])


def test_empty_yaml_is_an_empty_extension(tmp_path: Path) -> None:
    path = write(tmp_path, "empty.yaml", "# nothing yet\n")
    assert len(Catalog.load([path]).regions()) == len(Catalog.builtin().regions())


def test_user_instance_types_may_give_a_share_and_the_host(tmp_path: Path) -> None:
    yaml_file = write(
        tmp_path,
        "catalog.yaml",
        """
        instance_types:
          - {provider: onprem, instance_type: slice-3, accelerator: a10, count: "1/3", vcpus: 12, memory_gb: 110}
        """,
    )
    csv_file = write(
        tmp_path,
        "team-instance_types.csv",
        """
        provider,instance_type,accelerator,count,source,vcpus,memory_gb
        onprem,slice-4,a10,1/4,rack inventory 2025,8,
        """,
    )
    catalog = Catalog.load([yaml_file, csv_file])
    third, quarter = catalog.instance_type("slice-3"), catalog.instance_type("slice-4")
    assert third is not None and quarter is not None
    assert (third.count, third.vcpus, third.memory_gb) == (pytest.approx(1 / 3), 12, 110)
    assert (quarter.count, quarter.vcpus, quarter.memory_gb) == (0.25, 8, None)


@pytest.mark.parametrize("count", ["0/3", "1/0", "one third"])
def test_a_bad_share_is_refused(tmp_path: Path, count: str) -> None:
    path = write(
        tmp_path,
        "instance_types.csv",
        f"provider,instance_type,accelerator,count\nonprem,s,a10,{count}\n",
    )
    with pytest.raises(ConfigError, match="count"):
        Catalog.load([path])
