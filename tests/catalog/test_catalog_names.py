from __future__ import annotations

import pytest

from greengate.catalog import parse_parameter_count
from greengate.catalog.names import (
    accelerator_fallback_keys,
    accelerator_key,
    active_count_in_name,
    model_reference_segments,
    parameter_count_in_name,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (7_000_000_000, 7_000_000_000),
        ("7B", 7_000_000_000),
        ("7b", 7_000_000_000),
        ("7.5B", 7_500_000_000),
        ("350M", 350_000_000),
        ("1.5T", 1_500_000_000_000),
        ("125k", 125_000),
        ("7000000000", 7_000_000_000),
        (" 8.03B ", 8_030_000_000),
        ("7_000_000_000", 7_000_000_000),
        ("22.7M", 22_700_000),
        (7e9, 7_000_000_000),
        ("7e9", 7_000_000_000),
    ],
)
def test_parse_parameter_count_accepts_counts_and_sizes(value: object, expected: int) -> None:
    assert parse_parameter_count(value) == expected


@pytest.mark.parametrize(
    "value",
    [True, False, -7, 0, "-7B", "0B", "", "seven", "7X", "B", "7.5", 7.5, float("nan"), None, [7]],
)
def test_parse_parameter_count_rejects_everything_else(value: object) -> None:
    assert parse_parameter_count(value) is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("llama-3-8B", (8_000_000_000, "8B")),
        ("Llama-2-70b-chat", (70_000_000_000, "70b")),
        ("codegen-350M-mono", (350_000_000, "350M")),
        ("my_model_7b", (7_000_000_000, "7b")),
        ("my-moe-8x7B", (56_000_000_000, "8x7B")),
        ("qwen2.5-1.5b-instruct", (1_500_000_000, "1.5b")),
        ("qwen2.5-7b-instruct-1m", (7_000_000_000, "7b")),
        ("llama3:8b", (8_000_000_000, "8b")),
    ],
)
def test_size_token_in_name(name: str, expected: tuple[int, str]) -> None:
    assert parameter_count_in_name(name) == expected


@pytest.mark.parametrize(
    ("name", "total", "active"),
    [
        ("Llama-4-Scout-17B-16E-Instruct", None, (17_000_000_000, "17B-16E")),
        ("Llama-4-Maverick-17B-128E-Instruct-FP8", None, (17_000_000_000, "17B-128E")),
        ("Qwen3-235B-A22B-Instruct-2507", (235_000_000_000, "235B"), (22_000_000_000, "A22B")),
        ("Qwen3-30B-A3B", (30_000_000_000, "30B"), (3_000_000_000, "A3B")),
        ("Qwen3-Next-80B-A3B-Thinking", (80_000_000_000, "80B"), (3_000_000_000, "A3B")),
        ("Mixtral-8x7B-Instruct-v0.1", (56_000_000_000, "8x7B"), None),
        ("llama-3-8B", (8_000_000_000, "8B"), None),
    ],
)
def test_mixture_of_experts_names_never_give_the_active_count_as_the_total(
    name: str, total: tuple[int, str] | None, active: tuple[int, str] | None
) -> None:
    assert parameter_count_in_name(name) == total
    assert active_count_in_name(name) == active


@pytest.mark.parametrize(
    "name", ["gpt-4", "bert-v2", "llama-3.1", "phi-3-mini-4k-instruct", "gemma-3n-e4b", "t5-base"]
)
def test_versions_and_context_lengths_are_not_sizes(name: str) -> None:
    assert parameter_count_in_name(name) is None


@pytest.mark.parametrize(
    ("reference", "segments"),
    [
        ("meta-llama/Llama-3.1-8B", ["meta-llama", "Llama-3.1-8B"]),
        ("hf://mistralai/Mistral-7B-v0.1", ["mistralai", "Mistral-7B-v0.1"]),
        ("https://huggingface.co/google/gemma-2b", ["google", "gemma-2b"]),
        ("gs://bucket/path/gemma-2b", ["path", "gemma-2b"]),
        ("s3://bucket/llama-3-8b/", ["llama-3-8b"]),
        ("/models/gemma-7b", ["gemma-7b"]),
        ("azureml://registries/azureml/models/Llama-2-7b/versions/3", ["Llama-2-7b"]),
        ("azureml:foo:1", ["foo"]),
        ("/cache/models--google--gemma-2b", ["cache", "google", "gemma-2b"]),
        ("/srv/llama-2-7b.Q4_K_M.gguf", ["srv", "llama-2-7b.Q4_K_M"]),
        ("", []),
    ],
)
def test_model_reference_segments(reference: str, segments: list[str]) -> None:
    assert model_reference_segments(reference) == segments


@pytest.mark.parametrize(
    "name",
    [
        "nvidia-a100",
        "A100",
        "nvidia-tesla-a100",
        "a100-80gb",
        "NVIDIA A100-SXM4-80GB",
        "nvidia-a100-80gb",
        "a100_80gb",
        "NVIDIA-A100-SXM4-40GB",
    ],
)
def test_accelerator_key_strips_vendor_and_variant(name: str) -> None:
    assert accelerator_key(name) == "a100"


@pytest.mark.parametrize(
    ("name", "key"),
    [
        # A PCIe card keeps its form factor and memory wherever the name writes them.
        ("A100 PCIe", "a100-pcie"),
        ("NVIDIA-A100-PCIE-40GB", "a100-pcie-40gb"),
        ("NVIDIA-A100-80GB-PCIe", "a100-pcie-80gb"),
        ("A100 40GB PCIe", "a100-pcie-40gb"),
        ("Tesla-V100-PCIE-16GB", "v100-pcie-16gb"),
        ("NVIDIA-H100-PCIe", "h100-pcie"),
        ("nvidia_h100_pcie", "h100-pcie"),
    ],
)
def test_accelerator_key_keeps_pcie(name: str, key: str) -> None:
    assert accelerator_key(name) == key


def test_accelerator_fallback_keys() -> None:
    assert accelerator_fallback_keys("a100-pcie-40gb") == ("a100-pcie", "a100")
    assert accelerator_fallback_keys("h100-pcie") == ("h100-pcie", "h100")
    assert accelerator_fallback_keys("a100") == ()
