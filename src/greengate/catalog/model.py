"""The catalog's entries: small frozen records, each carrying its source."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "Accelerator",
    "Architecture",
    "InstanceType",
    "ModelInfo",
    "ModelMatch",
    "Pue",
    "Region",
]


@dataclass(frozen=True)
class Region:
    """A cloud region's grid carbon intensity (gCO2e/kWh) and carbon-free-energy share.

    ``grid_intensity`` is the figure verdicts use; the shipped rows all give it on
    one ``basis`` (lifecycle). ``other_*`` is a second published figure for the
    same grid on another basis (eGRID's direct rate, Google's own operational
    figure), shown beside it and never used by a verdict.
    """

    provider: str
    region: str
    location: str
    grid_intensity: float
    cfe: float | None  # 0-1; None when the provider does not publish it
    year: int  # the year the figures describe
    source: str
    basis: str | None = None  # lifecycle | direct | operational; None when a user row omits it
    other_intensity: float | None = None
    other_basis: str | None = None
    other_year: int | None = None
    other_source: str | None = None
    continent: str = ""
    """UN M49 continent (Americas split North/South); empty when a user row omits it."""


@dataclass(frozen=True)
class Accelerator:
    """An AI accelerator (GPU, TPU, ...) or the ``cpu`` pseudo-entry."""

    id: str
    aliases: tuple[str, ...]
    vendor: str
    architecture: str
    generation: int | None  # rank within the vendor; higher is newer
    launch_year: int | None
    tdp_watts: float | None
    memory_gb: float | None
    source: str
    idle_watts: float | None = None
    """Watts at idle (Cloud Carbon Footprint's per-GPU minimum), for W(utilisation)."""
    max_watts: float | None = None
    """Watts at full load (Cloud Carbon Footprint's per-GPU maximum), for W(utilisation)."""
    average_watts: float | None = None
    """A published measured average per accelerator while training (Patterson et al. 2021)."""
    power_source: str = ""
    """Source and year of ``idle_watts``, ``max_watts`` and ``average_watts``."""
    fp16_tflops: float | None = None
    """Dense tensor FP16/BF16 peak in TFLOPS (Epoch AI), for performance per watt."""


@dataclass(frozen=True)
class Architecture:
    """An accelerator architecture and its rank within its vendor."""

    vendor: str
    architecture: str
    generation: int
    first_year: int | None
    source: str


@dataclass(frozen=True)
class InstanceType:
    """A cloud instance / VM size and the accelerators attached to it."""

    provider: str
    instance_type: str
    accelerator: str  # an Accelerator.id
    count: float
    """Accelerators per instance; a fractional-GPU size has its share (1/6 is 0.1666...)."""
    source: str
    vcpus: int | None = None
    """vCPUs of the instance, for the host's power (Cloud Carbon Footprint's method)."""
    memory_gb: float | None = None
    """Memory of the instance in GB, for the host's power."""


@dataclass(frozen=True)
class ModelInfo:
    """A model and its parameter count (total; ``active_parameters`` for MoE)."""

    id: str
    aliases: tuple[str, ...]
    parameters: int
    active_parameters: int | None
    source: str


@dataclass(frozen=True)
class Pue:
    """A provider's power usage effectiveness."""

    provider: str
    pue: float
    year: int
    source: str


@dataclass(frozen=True)
class ModelMatch:
    """The answer to "how many parameters has this model?" and how it was found."""

    parameters: int | None
    """The total; None when the name states only the active count (``17B-16E``)."""
    via: Literal["catalog", "name-pattern"]
    entry: ModelInfo | None  # None when the count came from the name
    matched: str  # the part of the reference that matched: an id, alias or "8B"
    active_parameters: int | None = None
    """Parameters active per token (mixture of experts), from the catalog or the name."""
