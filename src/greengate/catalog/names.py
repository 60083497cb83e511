"""Name normalisation: the keys the catalog indexes its entries by and looks names up with.

Model references, accelerator names, vendors, architectures, regions (and the
zones inside them) and instance types. Everything here is a pure function of
its input so that the catalog can build its indexes once with the same
functions it later applies to each query.
"""

from __future__ import annotations

import re

from greengate.records.units import parse_parameter_count
from greengate.records.units import region_of_zone as zone_region

__all__ = [
    "accelerator_fallback_keys",
    "accelerator_key",
    "accelerator_key_without_topology",
    "active_count_in_name",
    "architecture_key",
    "instance_key",
    "model_key",
    "model_reference_segments",
    "parameter_count_in_name",
    "provider_of_region_id",
    "region_key",
    "region_of_zone",
    "vendor_key",
]

# --- accelerators -----------------------------------------------------------

_VENDOR_PREFIXES = ("nvidia-", "amd-", "google-", "aws-", "amazon-", "intel-", "habana-")
# Suffixes that name a variant of the same chip at the same power, not a different
# part: memory size, SXM form factor, memory type, virtual-workstation licensing.
_VARIANT_SUFFIX = re.compile(r"-(?:sxm\d?|hbm\d?e?|nvlink|vws)$")
_MEMORY_SUFFIX = re.compile(r"-(\d+(?:\.\d+)?gb)$")
# A PCIe card is another part than the SXM module of the same chip (H100 PCIe 350 W
# against SXM 700 W), so "pcie" stays in the key wherever the name writes it.
_PCIE = re.compile(r"-pcie(?=-|$)")
_TOPOLOGY_SUFFIX = re.compile(r"-\d+$")


def accelerator_key(name: str) -> str:
    """Normalise an accelerator name for lookup.

    ``"NVIDIA A100-SXM4-80GB"``, ``"nvidia-tesla-a100"``, ``"a100_80gb"`` and
    ``"A100"`` all give ``"a100"``. A PCIe part keeps its form factor and its
    memory, which set its power: ``"NVIDIA-A100-PCIE-40GB"`` and
    ``"A100 40GB PCIe"`` give ``"a100-pcie-40gb"``, ``"H100 PCIe"`` gives
    ``"h100-pcie"``; :func:`accelerator_fallback_keys` says what to try when
    the catalog has no such entry.
    """
    key = re.sub(r"[\s_]+", "-", name.strip().lower())
    key = re.sub(r"-{2,}", "-", key).strip("-")
    if key.startswith("nvidia-tesla-"):
        key = key[len("nvidia-tesla-") :]
    elif key.startswith("tesla-"):
        key = key[len("tesla-") :]
    for prefix in _VENDOR_PREFIXES:
        if key.startswith(prefix) and len(key) > len(prefix):
            key = key[len(prefix) :]
            break
    chip = _PCIE.sub("", key)
    pcie = bool(chip) and chip != key
    memory = ""
    while True:
        found = _MEMORY_SUFFIX.search(chip)
        if found is not None and found.start() > 0:
            memory = memory or found.group(1)
            chip = chip[: found.start()]
            continue
        shorter = _VARIANT_SUFFIX.sub("", chip)
        if shorter == chip or not shorter:
            break
        chip = shorter
    if not pcie:
        return chip
    return f"{chip}-pcie-{memory}" if memory else f"{chip}-pcie"


def accelerator_fallback_keys(key: str) -> tuple[str, ...]:
    """The keys to try when no entry has ``key``: for a PCIe key, without its memory, then the chip.

    ``"a100-pcie-40gb"`` gives ``("a100-pcie", "a100")``. The catalog takes the
    chip's entry only when it is no SXM module (a T4 or an A10 is a PCIe card
    anyway), so a PCIe name never resolves to the SXM part.
    """
    chip, pcie, _ = key.partition("-pcie")
    return (f"{chip}-pcie", chip) if pcie else ()


def accelerator_key_without_topology(name: str) -> str | None:
    """The key without a trailing chip count (TPU ``v5litepod-8``), or None."""
    key = accelerator_key(name)
    shorter = _TOPOLOGY_SUFFIX.sub("", key)
    return shorter if shorter and shorter != key else None


# --- vendors and architectures ----------------------------------------------

_VENDOR_ALIASES = {"amazon": "aws", "habana": "intel", "xilinx": "amd"}


def vendor_key(vendor: str) -> str:
    """A vendor for lookup: lower case, one name per company (``habana`` -> ``intel``)."""
    key = vendor.strip().lower()
    return _VENDOR_ALIASES.get(key, key)


def architecture_key(architecture: str) -> str:
    """An architecture for lookup: lower case, ``-`` for spaces and ``_``."""
    return re.sub(r"[\s_]+", "-", architecture.strip().lower())


# --- regions and instance types ---------------------------------------------


def region_key(provider: str, region: str) -> str:
    """A region id for lookup within ``provider`` (a normalised provider name)."""
    text = region.strip().lower()
    if provider == "azure":
        # Azure accepts display names ("Sweden Central") where ARM wants "swedencentral".
        return re.sub(r"[\s_-]+", "", text)
    return re.sub(r"[\s_]+", "-", text)


_AWS_REGION = re.compile(r"^[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d+$")
_GCP_REGION = re.compile(r"^[a-z]+-[a-z]+\d+$")


def region_of_zone(name: str) -> str | None:
    """The region an AWS or GCP availability zone lies in, or None if ``name`` is no zone."""
    found = zone_region(name)
    return found[0] if found else None


def provider_of_region_id(region: str) -> str | None:
    """``aws`` or ``gcp`` when ``region`` is shaped like that provider's region ids, else None."""
    text = region.strip().lower()
    if _AWS_REGION.match(text):
        return "aws"
    if _GCP_REGION.match(text):
        return "gcp"
    return None


def instance_key(provider: str, name: str) -> str:
    """An instance type for lookup within ``provider`` (a normalised provider name)."""
    text = name.strip().lower()
    if provider == "aws":
        # SageMaker hosts the same EC2 types under an "ml." prefix.
        return text.removeprefix("ml.")
    if provider == "azure":
        text = re.sub(r"[\s-]+", "_", text)
        return text.removeprefix("standard_")
    return text


# --- models -----------------------------------------------------------------

_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_AZUREML_SHORT = re.compile(r"^azureml:(?!//)([^:/]+)(?::[^:]*)?$", re.IGNORECASE)
_HF_CACHE_DIR = re.compile(r"^models--([^/]+?)--(.+)$")
_FILE_SUFFIX = re.compile(
    r"\.(?:gguf|ggml|safetensors|bin|onnx|pt|pth|ckpt|tar\.gz|tgz|zip)$", re.IGNORECASE
)
# Hosts whose first path segment is a bucket or registry, not part of a name.
_BUCKET_SCHEMES = ("s3://", "gs://", "gcs://", "az://", "abfs://", "abfss://", "wasbs://")


def model_key(name: str) -> str:
    """Normalise a model id or alias for lookup (case, ``_`` and spaces)."""
    return re.sub(r"[\s_]+", "-", name.strip().lower())


def model_reference_segments(reference: str) -> list[str]:
    """Split a model reference (id, URI, path) into its meaningful path segments.

    Scheme, bucket, Azure ML ``/versions/N`` and file extensions are removed:
    ``azureml://registries/azureml/models/Llama-2-7b/versions/3`` gives
    ``["Llama-2-7b"]`` and ``gs://bucket/path/gemma-2b`` gives
    ``["path", "gemma-2b"]``.
    """
    text = reference.strip()
    short = _AZUREML_SHORT.match(text)
    if short:
        return [short.group(1)]
    lowered = text.lower()
    had_bucket = lowered.startswith(_BUCKET_SCHEMES)
    text = _SCHEME.sub("", text)
    if lowered.startswith(("https://", "http://")) and "huggingface.co/" in lowered:
        text = text.split("/", 1)[1] if "/" in text else ""
        had_bucket = False
    elif lowered.startswith(("https://", "http://")):
        had_bucket = True  # the host name is not part of the model name
    segments = [part for part in text.split("/") if part and part not in (".", "..")]
    if had_bucket and len(segments) > 1:
        segments = segments[1:]
    if "models" in segments:
        # Azure ML registry / workspace URIs: .../models/<name>/versions/<n>.
        index = len(segments) - 1 - segments[::-1].index("models")
        tail = segments[index + 1 :]
        if tail and (len(tail) == 1 or tail[1] in ("versions", "labels")):
            return [tail[0]]
    if len(segments) >= 2 and segments[-2] in ("versions", "labels"):
        segments = segments[:-2]
    cache = _HF_CACHE_DIR.match(segments[-1]) if segments else None
    if cache:
        return [*segments[:-1], cache.group(1), cache.group(2)]
    if segments:
        segments[-1] = _FILE_SUFFIX.sub("", segments[-1])
    return [s for s in segments if s]


# A size token stands alone between separators: "-8B", "_7b", "/350M", "8x7B".
# "k" is not accepted in names because "4k"/"128k" there means context length.
_SIZE_IN_NAME = re.compile(
    r"(?<![a-z0-9.])(?:(\d+)x)?(\d+(?:\.\d+)?)([bm])(?![a-z0-9])", re.IGNORECASE
)
# Mixture-of-experts names state the ACTIVE count, never to be taken for the total:
# Llama 4 "17B-16E" (17B active per token, 16 experts) and Qwen "235B-A22B" (22B active).
_EXPERTS_AFTER = re.compile(r"-(\d+)e(?![a-z0-9])", re.IGNORECASE)
_ACTIVE_IN_NAME = re.compile(r"(?<![a-z0-9.])a(\d+(?:\.\d+)?)([bm])(?![a-z0-9])", re.IGNORECASE)


def parameter_count_in_name(name: str) -> tuple[int, str] | None:
    """Find the total parameter count a model name states.

    Returns ``(count, matched_text)`` for the first token such as ``8B``,
    ``350M`` or ``8x7B`` (experts x size, so 56B), or None. Version numbers
    (``v2``, ``gpt-4``, ``3.1``) never match because a size needs ``B``/``M``.
    A size followed by an expert count (Llama 4's ``17B-16E``) is the active
    count, not the total, and ``A22B`` (Qwen's ``235B-A22B``) is never a size
    token: see :func:`active_count_in_name`.
    """
    for match in _SIZE_IN_NAME.finditer(name):
        if match.group(1) is None and _EXPERTS_AFTER.match(name, match.end()):
            continue
        experts, size, unit = match.groups()
        count = parse_parameter_count(size + unit)
        if count is None:
            continue
        if experts is not None:
            count *= int(experts)
        return count, match.group(0)
    return None


def active_count_in_name(name: str) -> tuple[int, str] | None:
    """The parameters active per token that a mixture-of-experts name states, or None.

    ``Llama-4-Scout-17B-16E`` gives ``(17e9, "17B-16E")`` and
    ``Qwen3-235B-A22B`` gives ``(22e9, "A22B")``.
    """
    for match in _SIZE_IN_NAME.finditer(name):
        experts = _EXPERTS_AFTER.match(name, match.end())
        if match.group(1) is None and experts:
            count = parse_parameter_count(match.group(2) + match.group(3))
            if count is not None:
                return count, match.group(0) + experts.group(0)
    active = _ACTIVE_IN_NAME.search(name)
    if active is not None:
        count = parse_parameter_count(active.group(1) + active.group(2))
        if count is not None:
            return count, active.group(0)
    return None
