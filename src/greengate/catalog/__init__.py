"""Shipped reference data (regions, accelerators, instance types, models, PUE) and lookups.

Every entry carries its source and year; see ``data/SOURCES.md``. Users extend
or override the data with their own YAML or CSV files via :meth:`Catalog.load`.
"""

from __future__ import annotations

from greengate.catalog.model import (
    Accelerator,
    Architecture,
    InstanceType,
    ModelInfo,
    ModelMatch,
    Pue,
    Region,
)
from greengate.catalog.store import Catalog
from greengate.records.units import normalise_provider, parse_parameter_count

__all__ = [
    "Accelerator",
    "Architecture",
    "Catalog",
    "InstanceType",
    "ModelInfo",
    "ModelMatch",
    "Pue",
    "Region",
    "normalise_provider",
    "parse_parameter_count",
]
