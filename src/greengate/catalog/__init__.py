"""Shipped reference data (regions, accelerators, instance types, models, PUE) and lookups.

Every entry carries its source and year; see ``data/SOURCES.md``. Users extend
or override the data with their own YAML or CSV files via :meth:`Catalog.load`.

The entries are in :mod:`.model`, the lookup keys in :mod:`.names`, the
tables' field rules in :mod:`.fields`, reading files in :mod:`.readers`,
rows becoming entries in :mod:`.rows`, and the indexed :class:`Catalog` in
:mod:`.store`.
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
