from __future__ import annotations

import pytest

from greengate.catalog import Catalog


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.builtin()


def test_builtin_is_cached() -> None:
    assert Catalog.builtin() is Catalog.builtin()
    assert Catalog.load() is Catalog.builtin()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        *[
            (name, "nvidia-a100")
            for name in (
                "nvidia-a100",
                "A100",
                "nvidia-tesla-a100",
                "a100-80gb",
                "NVIDIA A100-SXM4-80GB",
                "nvidia-a100-80gb",
                "a100_80gb",
            )
        ],
        ("nvidia-tesla-t4", "nvidia-t4"),
        ("Tesla-T4", "nvidia-t4"),
        ("Tesla-V100", "nvidia-v100"),
        ("nvidia-tesla-v100", "nvidia-v100"),
        ("nvidia-l4", "nvidia-l4"),
        ("NVIDIA-L4", "nvidia-l4"),
        ("A10G", "nvidia-a10g"),
        ("nvidia-h100-80gb", "nvidia-h100"),
        ("nvidia-h100-mega-80gb", "nvidia-h100"),
        ("H100-SXM5", "nvidia-h100"),
        ("NVIDIA-H100-80GB-HBM3", "nvidia-h100"),
        ("H100 NVL", "nvidia-h100-nvl"),
        ("nvidia-h200-141gb", "nvidia-h200"),
        ("tpu-v5-lite-podslice", "google-tpu-v5e"),
        ("tpu-v5p-slice", "google-tpu-v5p"),
        ("tpu-v4-podslice", "google-tpu-v4"),
        ("tpu-v6e-slice", "google-tpu-v6e"),
        ("tpu7x", "google-tpu-v7"),
        ("v5litepod-8", "google-tpu-v5e"),
        ("inf2", "aws-inferentia2"),
        ("Inferentia2", "aws-inferentia2"),
        ("trn1", "aws-trainium"),
        ("trn2", "aws-trainium2"),
        ("MI300X", "amd-mi300x"),
        ("Gaudi HL-205", "intel-gaudi"),
        ("none", "cpu"),
        ("CPU", "cpu"),
    ],
)
def test_accelerator_aliases_resolve(catalog: Catalog, name: str, expected: str) -> None:
    found = catalog.accelerator(name)
    assert found is not None and found.id == expected


def test_accelerator_unknown_and_topology_only_for_tpus(catalog: Catalog) -> None:
    assert catalog.accelerator("quantum-x9") is None
    assert catalog.accelerator("a100-8") is None  # a chip count only makes sense for TPUs


def test_accelerator_facts(catalog: Catalog) -> None:
    a100 = catalog.accelerator("A100")
    a10g = catalog.accelerator("A10G")
    cpu = catalog.accelerator("none")
    assert a100 is not None and a10g is not None and cpu is not None
    assert (a100.vendor, a100.architecture, a100.launch_year) == ("nvidia", "ampere", 2020)
    assert a100.generation == a10g.generation == 6
    assert (cpu.vendor, cpu.generation) == ("cpu", None)


def test_architecture_rank(catalog: Catalog) -> None:
    assert catalog.architecture_rank("nvidia", "ampere") == 6
    assert catalog.architecture_rank("NVIDIA", "Ada Lovelace") == 7
    assert catalog.architecture_rank("nvidia", "hopper") == 8
    assert catalog.architecture_rank("google", "tpu-v5e") == 5  # an accelerator name works too
    assert catalog.architecture_rank("amazon", "trainium2") == 3
    # One AWS timeline across chip families: Inferentia < Trainium = Inferentia2 < Trainium2.
    assert catalog.architecture_rank("aws", "inferentia") == 1
    assert (
        catalog.architecture_rank("aws", "trainium")
        == catalog.architecture_rank("aws", "inferentia2")
        == 2
    )
    assert catalog.architecture_rank("nvidia", "tpu-v5") is None
    assert catalog.architecture_rank("nvidia", "warp-drive") is None


@pytest.mark.parametrize(
    ("name", "provider", "found", "accelerator", "count"),
    [
        ("p4d.24xlarge", None, "p4d.24xlarge", "nvidia-a100", 8),
        ("g5.2xlarge", "aws", "g5.2xlarge", "nvidia-a10g", 1),
        ("ml.g5.2xlarge", None, "g5.2xlarge", "nvidia-a10g", 1),
        ("ml.p4d.24xlarge", "aws", "p4d.24xlarge", "nvidia-a100", 8),
        ("g6e.xlarge", None, "g6e.xlarge", "nvidia-l40s", 1),
        ("inf2.48xlarge", None, "inf2.48xlarge", "aws-inferentia2", 12),
        ("trn1.32xlarge", None, "trn1.32xlarge", "aws-trainium", 16),
        ("p5.48xlarge", None, "p5.48xlarge", "nvidia-h100", 8),
        ("g2-standard-8", "gcp", "g2-standard-8", "nvidia-l4", 1),
        ("a3-highgpu-8g", None, "a3-highgpu-8g", "nvidia-h100", 8),
        ("a3-megagpu-8g", None, "a3-megagpu-8g", "nvidia-h100", 8),
        ("a2-ultragpu-4g", None, "a2-ultragpu-4g", "nvidia-a100", 4),
        ("ct5lp-hightpu-4t", None, "ct5lp-hightpu-4t", "google-tpu-v5e", 4),
        ("ct5p-hightpu-4t", None, "ct5p-hightpu-4t", "google-tpu-v5p", 4),
        ("ct6e-standard-8t", None, "ct6e-standard-8t", "google-tpu-v6e", 8),
        ("Standard_NC6s_v3", "azure", "Standard_NC6s_v3", "nvidia-v100-pcie", 1),
        ("STANDARD_NC6s_v3", None, "Standard_NC6s_v3", "nvidia-v100-pcie", 1),
        ("standard_nc4as_t4_v3", None, "Standard_NC4as_T4_v3", "nvidia-t4", 1),
        ("Standard_ND96isr_H100_v5", None, "Standard_ND96isr_H100_v5", "nvidia-h100", 8),
        ("Standard_NC48ads_A100_v4", None, "Standard_NC48ads_A100_v4", "nvidia-a100-pcie", 2),
        ("Standard_NV36ads_A10_v5", None, "Standard_NV36ads_A10_v5", "nvidia-a10", 1),
        ("Standard_NV6ads_A10_v5", None, "Standard_NV6ads_A10_v5", "nvidia-a10", 1 / 6),
        ("Standard_ND96isr_MI300X_v5", None, "Standard_ND96isr_MI300X_v5", "amd-mi300x", 8),
        ("Standard_ND96asr_v4", None, "Standard_ND96asr_v4", "nvidia-a100", 8),
    ],
)
def test_instance_types(
    catalog: Catalog,
    name: str,
    provider: str | None,
    found: str,
    accelerator: str,
    count: float,
) -> None:
    entry = catalog.instance_type(name, provider)
    assert entry is not None
    assert (entry.instance_type, entry.accelerator, entry.count) == (found, accelerator, count)
    assert entry.source


def test_instance_type_wrong_provider_or_unknown(catalog: Catalog) -> None:
    assert catalog.instance_type("g5.2xlarge", "gcp") is None
    assert catalog.instance_type("m5.large") is None


def test_region_aws(catalog: Catalog) -> None:
    region = catalog.region("eu-north-1")
    assert region is not None
    # Ember/OWID, Sweden 2024: 35.80 gCO2e/kWh (lifecycle), rounded to 0.1.
    assert (region.provider, region.grid_intensity, region.cfe) == ("aws", 35.8, None)
    assert region.year == 2024 and "Our World in Data" in region.source
    assert region.basis == "lifecycle"


def test_region_aws_us_uses_balancing_authority(catalog: Catalog) -> None:
    region = catalog.region("us-east-1", "aws")
    # eco-router us-egrid.ts, US-MIDA-PJM 2023: 385.8 lifecycle; eGRID2022 SRVC direct 283.9.
    assert region is not None and region.grid_intensity == pytest.approx(385.8)
    assert "US-MIDA-PJM" in region.source and region.year == 2023
    assert (region.other_intensity, region.other_basis) == (pytest.approx(283.9), "direct")


def test_region_gcp_has_cfe(catalog: Catalog) -> None:
    region = catalog.region("europe-north1", "gcp")
    assert region is not None
    # Verdict figure: Ember/OWID Finland 2024 (lifecycle); Google's own 2025 figure and
    # CFE (region-carbon-info 2025.csv: 0.98, 29.84) are kept beside it.
    assert (region.location, region.cfe, region.year, region.basis) == (
        "Finland",
        0.98,
        2024,
        "lifecycle",
    )
    assert (region.other_intensity, region.other_basis, region.other_year) == (
        29.84,
        "operational",
        2025,
    )


@pytest.mark.parametrize(
    "name", ["swedencentral", "Sweden Central", "SWEDEN_CENTRAL", "SwedenCentral"]
)
def test_region_azure_names(catalog: Catalog, name: str) -> None:
    region = catalog.region(name)
    assert region is not None and (region.provider, region.region) == ("azure", "swedencentral")
    sweden = catalog.region("eu-north-1", "aws")  # the same country figure (Ember/OWID 2024)
    assert sweden is not None and region.grid_intensity == sweden.grid_intensity


def test_region_azure_northeurope_with_provider_alias(catalog: Catalog) -> None:
    region = catalog.region("North Europe", "Microsoft")
    assert region is not None and region.region == "northeurope"


def test_region_zone_and_case(catalog: Catalog) -> None:
    zone = catalog.region("EU-NORTH-1A")
    gcp_zone = catalog.region("europe-north1-b")
    assert zone is not None and zone.region == "eu-north-1"
    assert gcp_zone is not None and gcp_zone.region == "europe-north1"


def test_region_unknown_or_wrong_provider(catalog: Catalog) -> None:
    assert catalog.region("mars-north-1") is None
    assert catalog.region("eu-north-1", "gcp") is None


def test_provider_of_region(catalog: Catalog) -> None:
    assert catalog.provider_of_region("eu-north-1") == "aws"
    assert catalog.provider_of_region("europe-north1") == "gcp"
    assert catalog.provider_of_region("swedencentral") == "azure"
    assert catalog.provider_of_region("ap-southeast-7") == "aws"  # by shape
    assert catalog.provider_of_region("moon-base") is None


@pytest.mark.parametrize(
    ("reference", "parameters", "entry_id"),
    [
        (
            "meta-llama/Llama-3.1-8B-Instruct",
            8_030_000_000,
            "meta-llama/Meta-Llama-3.1-8B-Instruct",
        ),
        (
            "META-LLAMA/llama-3.1-8b-instruct",
            8_030_000_000,
            "meta-llama/Meta-Llama-3.1-8B-Instruct",
        ),
        ("hf://mistralai/Mistral-7B-v0.1", 7_240_000_000, "mistralai/Mistral-7B-v0.1"),
        ("gs://bucket/path/gemma-2b", 2_510_000_000, "google/gemma-2b"),
        ("s3://my-bucket/weights/llama-3-8b/", 8_030_000_000, "meta-llama/Meta-Llama-3-8B"),
        ("/models/gemma-7b", 8_540_000_000, "google/gemma-7b"),
        (
            "azureml://registries/azureml/models/Llama-2-7b/versions/3",
            7_000_000_000,
            "meta-llama/Llama-2-7b",
        ),
        ("azureml:Llama-2-7b-chat:2", 7_000_000_000, "meta-llama/Llama-2-7b-chat"),
        ("Salesforce/codegen25-7b-mono", 7_000_000_000, "Salesforce/codegen25-7b-mono"),
        ("Salesforce/codegen-350M-mono", 350_000_000, "Salesforce/codegen-350M-mono"),
        ("bert-base-uncased", 110_000_000, "google-bert/bert-base-uncased"),
        (
            "sentence-transformers/all-MiniLM-L6-v2",
            22_700_000,
            "sentence-transformers/all-MiniLM-L6-v2",
        ),
        ("openai/whisper-large-v3", 1_550_000_000, "openai/whisper-large-v3"),
        ("mixtral-8x7b", 46_700_000_000, "mistralai/Mixtral-8x7B-v0.1"),
        ("deepseek-ai/DeepSeek-R1", 671_000_000_000, "deepseek-ai/DeepSeek-R1"),
        ("gpt2", 124_000_000, "openai-community/gpt2"),
    ],
)
def test_model_catalog_lookups(
    catalog: Catalog, reference: str, parameters: int, entry_id: str
) -> None:
    match = catalog.model(reference)
    assert match is not None
    assert (match.parameters, match.via) == (parameters, "catalog")
    assert match.entry is not None and match.entry.id == entry_id


@pytest.mark.parametrize(
    ("reference", "total", "active"),
    [
        ("deepseek-ai/DeepSeek-V3", 671_000_000_000, 37_000_000_000),
        ("deepseek-ai/DeepSeek-V3.1", 671_000_000_000, 37_000_000_000),
        ("meta-llama/Llama-4-Scout-17B-16E-Instruct", 109_000_000_000, 17_000_000_000),
        ("meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8", 400_000_000_000, 17_000_000_000),
        ("hf://Qwen/Qwen3-235B-A22B-Instruct-2507", 235_000_000_000, 22_000_000_000),
        ("Qwen/Qwen3-30B-A3B", 30_500_000_000, 3_300_000_000),
        ("moonshotai/Kimi-K2-Instruct", 1_000_000_000_000, 32_000_000_000),
        ("mistralai/Mixtral-8x7B-Instruct-v0.1", 46_700_000_000, 12_900_000_000),
        ("openai/gpt-oss-120b", 117_000_000_000, 5_100_000_000),
    ],
)
def test_model_moe_records_total_and_active_parameters(
    catalog: Catalog, reference: str, total: int, active: int
) -> None:
    match = catalog.model(reference)
    assert match is not None and match.via == "catalog"
    assert (match.parameters, match.active_parameters) == (total, active)


def test_dense_models_added_with_their_card_sizes(catalog: Catalog) -> None:
    sizes = {
        name: getattr(catalog.model(name), "parameters", None)
        for name in ("bigscience/bloom", "microsoft/phi-4", "Qwen/Qwen3-8B")
    }
    assert sizes == {
        "bigscience/bloom": 176_000_000_000,
        "microsoft/phi-4": 14_700_000_000,
        "Qwen/Qwen3-8B": 8_200_000_000,
    }


@pytest.mark.parametrize(
    ("reference", "parameters", "matched"),
    [
        ("acme/support-bot-8B", 8_000_000_000, "8B"),
        ("s3://bucket/team-model-70b/", 70_000_000_000, "70b"),
        ("internal_coder_350M", 350_000_000, "350M"),
        ("my_finetune_7b", 7_000_000_000, "7b"),
        ("acme/my-moe-8x7B", 56_000_000_000, "8x7B"),
        ("/models/custom-13b/checkpoint", 13_000_000_000, "13b"),
    ],
)
def test_model_size_from_name(
    catalog: Catalog, reference: str, parameters: int, matched: str
) -> None:
    match = catalog.model(reference)
    assert match is not None
    assert (match.parameters, match.via, match.entry, match.matched) == (
        parameters,
        "name-pattern",
        None,
        matched,
    )


@pytest.mark.parametrize(
    "reference", ["gpt-4", "acme/classifier-v2", "azureml:foo:1", "", "claude-3-opus"]
)
def test_model_unknown(catalog: Catalog, reference: str) -> None:
    assert catalog.model(reference) is None


def test_pue_and_fallback(catalog: Catalog) -> None:
    aws, gcp, other = catalog.pue("aws"), catalog.pue("Google"), catalog.pue("acme-cloud")
    # AWS: "In 2025, our data centers reported an average global PUE of 1.14".
    assert aws is not None and (aws.pue, aws.year) == (pytest.approx(1.14), 2025)
    assert gcp is not None and gcp.provider == "gcp"
    assert other is not None and other.provider == "unknown" and other.year == 2024


def test_close_matches(catalog: Catalog) -> None:
    assert "eu-north-1" in catalog.close_matches("region", "eu-nrth-1")
    assert catalog.close_matches("accelerator", "zzzzzz") == []


def test_a_remembered_answer_is_the_answer_of_a_fresh_catalog() -> None:
    """Asked twice, the catalog answers from memory what a new one computes (None included)."""
    from greengate.catalog.readers import builtin_rows

    asked = Catalog.builtin()
    questions = [
        ("region", ("eu-north-1", None)),
        ("region", ("europe-west4-a", "gcp")),
        ("region", ("nowhere-1", None)),
        ("accelerator", ("nvidia-a100-80gb-pcie",)),
        ("accelerator", ("v5litepod-8",)),
        ("accelerator", ("no-such-chip",)),
        ("instance_type", ("ml.g5.2xlarge", None)),
        ("instance_type", ("Standard_NC24ads_A100_v4", "azure")),
        ("model", ("gs://bucket/gemma-2b",)),
        ("model", ("acme/private-13b",)),
        ("model", ("acme/unsized",)),
    ]
    for _ in range(2):
        for method, args in questions:
            fresh = getattr(Catalog([builtin_rows()]), method)(*args)
            assert getattr(asked, method)(*args) == fresh, (method, args)


def test_a_catalog_keeps_at_most_its_limit_of_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    from greengate.catalog import store
    from greengate.catalog.readers import builtin_rows

    monkeypatch.setattr(store, "MAX_REMEMBERED", 2)
    catalog = Catalog([builtin_rows()])
    for name in ("us-east-1", "eu-west-1", "eu-north-1", "us-east-1"):
        assert catalog.region(name) is not None
    assert len(catalog._answers) == 2
