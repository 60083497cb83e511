"""Values every stage reads the same way: parameter counts (``7B``) and provider names.

Adapters, the config loader and the catalog all parse these; one definition
keeps a ``7B`` in a manifest, a config default and a catalog row the same number.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation

_MULTIPLIERS = {"": 1, "k": 10**3, "m": 10**6, "b": 10**9, "t": 10**12}
_COUNT = re.compile(r"^([0-9]+(?:\.[0-9]+)?(?:e[0-9]+)?)\s*([kmbt]?)$")


def parse_parameter_count(value: object) -> int | None:
    """Return a parameter count as an int, or None when ``value`` is not one.

    Accepts positive integers, integral floats, and strings such as ``"7B"``,
    ``"7.5b"``, ``"350M"``, ``"1.5T"``, ``"125k"``, ``"7000000000"`` or
    ``"7_000_000_000"``. Booleans, zero, negatives, fractions of a parameter
    and anything else give None.
    """
    if isinstance(value, bool):
        return None  # bool is an int subclass; True is not "1 parameter".
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, float):
        if not math.isfinite(value) or value <= 0 or not value.is_integer():
            return None
        return int(value)
    if not isinstance(value, str):
        return None
    text = value.strip().lower().replace("_", "").replace(",", "")
    match = _COUNT.match(text)
    if match is None:
        return None
    try:
        # Decimal keeps "7.1B" exact (7100000000), where float would not.
        number = Decimal(match.group(1)) * _MULTIPLIERS[match.group(2)]
    except InvalidOperation:
        return None
    if number <= 0 or number != number.to_integral_value():
        return None
    return int(number)


_PROVIDER_ALIASES = {
    "amazon": "aws",
    "amazon-web-services": "aws",
    "ec2": "aws",
    "sagemaker": "aws",
    "google": "gcp",
    "google-cloud": "gcp",
    "googlecloud": "gcp",
    "gce": "gcp",
    "gke": "gcp",
    "vertex": "gcp",
    "microsoft": "azure",
    "microsoft-azure": "azure",
    "aks": "azure",
    "azureml": "azure",
    "oci": "oracle",
    "oracle-cloud": "oracle",
    "ovh": "ovhcloud",
}


def normalise_provider(provider: str) -> str:
    """``"Google Cloud"`` -> ``"gcp"``; unknown providers are lower-cased as they are."""
    key = re.sub(r"[\s_]+", "-", provider.strip().lower())
    return _PROVIDER_ALIASES.get(key, key)


# Availability zones that name their region without doubt: AWS "us-east-1a", GCP "us-central1-a".
_AWS_ZONE = re.compile(r"^([a-z]{2}(?:-gov)?-[a-z]+-\d+)[a-z]$")
_GCP_ZONE = re.compile(r"^([a-z]+-[a-z]+\d+)-[a-z]$")


def region_of_zone(zone: str) -> tuple[str, str] | None:
    """``(region, provider)`` of an AWS or GCP availability zone, or None when ``zone`` is none."""
    text = zone.strip().lower()
    for provider, pattern in (("aws", _AWS_ZONE), ("gcp", _GCP_ZONE)):
        match = pattern.match(text)
        if match:
            return match.group(1), provider
    return None
