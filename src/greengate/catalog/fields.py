"""The catalog's tables, their fields, and how a written value becomes a field's value.

One table of rules per kind (:data:`FIELDS`) serves the shipped CSV, user CSV
and user YAML alike, so a bad value gets the same message, with the same fix,
whichever file it is in. A rule raises :class:`FieldError` saying what is
wrong; the caller adds where (:func:`error`) and how to fix it (:func:`fix`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from greengate.errors import ConfigError
from greengate.records.units import parse_parameter_count

__all__ = [
    "FIELDS",
    "TABLES",
    "Field",
    "FieldError",
    "Kind",
    "describe_value",
    "error",
    "fix",
    "sentence",
]

Kind = Literal["regions", "accelerators", "architectures", "instance_types", "models", "pue"]
TABLES: tuple[Kind, ...] = (
    "regions",
    "accelerators",
    "architectures",
    "instance_types",
    "models",
    "pue",
)
"""The tables, in the order they are read and listed."""

_COLUMNS_FIX = "see greengate/catalog/data/SOURCES.md for the column meanings"


class FieldError(ValueError):
    """A value that breaks a field rule; the text says what is wrong."""


def describe_value(value: object) -> str:
    """A written value as a message quotes it; non-text values also name their type."""
    return repr(value) if isinstance(value, str) else f"{value!r} ({type(value).__name__})"


def _text(value: object) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise FieldError(f"must be text, got {describe_value(value)}")


_MAX_DIGITS = 30
"""A whole number written with more digits than this is refused (no catalog figure needs them)."""
_MAX_COUNT = 10**18
"""The largest parameter count accepted: a billion billion."""


def _finite(value: object) -> bool:
    """Whether a number read from a file is a real, finite number a float can hold."""
    if isinstance(value, float):
        return math.isfinite(value)
    return not isinstance(value, int) or abs(value) <= _FLOAT_MAX


_FLOAT_MAX = 1.7976931348623157e308
_WHOLE = re.compile(rf"\s*-?\d{{1,{_MAX_DIGITS}}}\s*")


def _whole(low: int, high: int | None = None) -> Callable[[object], int]:
    def parse(value: object) -> int:
        number: int | None = None
        written = isinstance(value, str) and _WHOLE.fullmatch(value) is not None
        real = (
            isinstance(value, (int, float))
            and not isinstance(value, bool)
            and _finite(value)
            and float(value).is_integer()
        )
        if written or real:
            number = int(value)  # type: ignore[call-overload]
        if number is None:
            raise FieldError(f"must be a whole number, got {_shown(value)}")
        if number < low or (high is not None and number > high):
            bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
            raise FieldError(f"must be {bounds}, got {number}")
        return number

    return parse


def _number(
    low: float, high: float | None = None, *, above: bool = False
) -> Callable[[object], float]:
    def parse(value: object) -> float:
        number: float | None = None
        if isinstance(value, (int, float)) and not isinstance(value, bool) and _finite(value):
            number = float(value)
        elif isinstance(value, str) and len(value) <= 400:
            try:
                number = float(value)
            except ValueError:
                number = None
        if number is None or not math.isfinite(number):
            raise FieldError(f"must be a number, got {_shown(value)}")
        too_low = number <= low if above else number < low
        if too_low or (high is not None and number > high):
            if high is not None:
                raise FieldError(f"must be between {low:g} and {high:g}, got {number:g}")
            relation = "greater than" if above else "at least"
            raise FieldError(f"must be {relation} {low:g}, got {number:g}")
        return number

    return parse


_FRACTION = re.compile(r"\s*\d{1,6}\s*/\s*\d{1,6}\s*")


def _share(value: object) -> float:
    """Accelerators per instance: a number, or an exact fraction such as ``1/6`` of one GPU."""
    if isinstance(value, str) and _FRACTION.fullmatch(value):
        top, bottom = (int(part) for part in value.split("/"))
        if bottom == 0 or top == 0:
            raise FieldError(f"must be a fraction above 0, got {_shown(value)}")
        return float(Fraction(top, bottom))
    return _number(0, above=True)(value)


def _aliases(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split("|") if part.strip())
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(item.strip() for item in value if item.strip())
    raise FieldError(
        f"must be a list of names or a '|'-separated string, got {describe_value(value)}"
    )


def _count(value: object) -> int:
    if (isinstance(value, str) and len(value) > 400) or not _finite(value):
        raise FieldError(f"is not a parameter count: {_shown(value)}")
    count = parse_parameter_count(value)
    if count is None:
        raise FieldError(f"is not a parameter count: {_shown(value)}")
    if count > _MAX_COUNT:
        raise FieldError(
            f"is out of range: at most {_MAX_COUNT:.0e} parameters, got {_shown(value)}"
        )
    return count


def _shown(value: object) -> str:
    """A value as a message quotes it, shortened when it is very long."""
    text = (
        describe_value(value)
        if not isinstance(value, int) or abs(value) < 10**30
        else "a number of over 30 digits"
    )
    return text if len(text) <= 60 else f"{text[:30]}...{text[-10:]} ({len(text):,} characters)"


_YEAR = _whole(1990, 2100)


@dataclass(frozen=True)
class Field:
    """One column of a table: how its value is read, and how to fix a bad one."""

    name: str
    parse: Callable[[object], object]
    required: bool = False
    fix: str = ""


FIELDS: dict[Kind, tuple[Field, ...]] = {
    "regions": (
        Field("provider", _text, True, "name the cloud provider, e.g. aws, gcp or azure"),
        Field("region", _text, True, "write the region id, e.g. eu-north-1"),
        Field("location", _text),
        Field(
            "grid_gco2e_per_kwh",
            _number(0),
            True,
            "write the grid carbon intensity in gCO2e/kWh as a plain number, e.g. 250",
        ),
        Field(
            "cfe",
            _number(0, 1),
            False,
            "write the carbon-free share as a fraction 0-1, or leave it empty",
        ),
        Field("year", _YEAR, True, "write the year the figure describes, e.g. 2024"),
        Field("source", _text, True, "say where the figure comes from (report title or URL)"),
        Field("basis", _text, False, "write lifecycle, direct or operational, or leave it empty"),
        Field(
            "other_gco2e_per_kwh",
            _number(0),
            False,
            "write the other figure in gCO2e/kWh as a plain number, or leave it empty",
        ),
        Field("other_basis", _text, False, "write the other figure's basis, e.g. direct"),
        Field("other_year", _YEAR, False, "write the year the other figure describes"),
        Field("other_source", _text, False, "say where the other figure comes from"),
        Field("continent", _text, False, "name the continent, e.g. Europe, or leave it empty"),
    ),
    "accelerators": (
        Field("id", _text, True, "give the accelerator a lowercase id, e.g. nvidia-a100"),
        Field("aliases", _aliases, False, "list other names, e.g. [A100, a100-80gb]"),
        Field("vendor", _text, True, "name the vendor, e.g. nvidia"),
        Field("architecture", _text, True, "name the architecture, e.g. ampere"),
        Field("generation", _whole(0), False, "give the rank within the vendor as a whole number"),
        Field("launch_year", _YEAR, False, "write the launch year, e.g. 2020"),
        Field("tdp_watts", _number(0, above=True), False, "write the TDP in watts, e.g. 400"),
        Field("memory_gb", _number(0, above=True), False, "write the memory in GB, e.g. 80"),
        Field("source", _text),
        Field("idle_watts", _number(0), False, "write the idle power in watts, e.g. 46"),
        Field(
            "max_watts", _number(0, above=True), False, "write the maximum power in watts, e.g. 407"
        ),
        Field(
            "average_watts",
            _number(0, above=True),
            False,
            "write a measured average power in watts, e.g. 330",
        ),
        Field(
            "power_source", _text, False, "say where the power figures come from, and their year"
        ),
        Field(
            "fp16_tflops",
            _number(0, above=True),
            False,
            "write the dense FP16/BF16 tensor peak in TFLOPS, e.g. 312",
        ),
    ),
    "architectures": (
        Field("vendor", _text, True, "name the vendor, e.g. nvidia"),
        Field("architecture", _text, True, "name the architecture, e.g. ampere"),
        Field("generation", _whole(0), True, "give the rank within the vendor as a whole number"),
        Field("first_year", _YEAR, False, "write the first year, e.g. 2020"),
        Field("source", _text),
    ),
    "instance_types": (
        Field("provider", _text, True, "name the cloud provider, e.g. aws"),
        Field("instance_type", _text, True, "write the instance type, e.g. g5.2xlarge"),
        Field("accelerator", _text, True, "name a catalog accelerator, e.g. nvidia-a10g"),
        Field(
            "count",
            _share,
            True,
            "write the accelerators per instance, e.g. 1, or the share of one, e.g. 1/6",
        ),
        Field("source", _text),
        Field("vcpus", _whole(1), False, "write the instance's vCPUs as a whole number, e.g. 8"),
        Field("memory_gb", _number(0, above=True), False, "write the instance's memory in GB"),
    ),
    "models": (
        Field("id", _text, True, "write the model id, e.g. my-org/my-model"),
        Field("aliases", _aliases, False, "list other names, e.g. [my-model]"),
        Field("parameters", _count, True, "write an integer or a size such as 7B or 350M"),
        Field("active_parameters", _count, False, "write an integer or a size such as 13B"),
        Field("source", _text),
    ),
    "pue": (
        Field("provider", _text, True, "name the provider, or unknown"),
        Field("pue", _number(1), True, "write the PUE as a number of at least 1, e.g. 1.1"),
        Field("year", _YEAR, True, "write the year the figure describes, e.g. 2024"),
        Field("source", _text),
    ),
}
"""The fields of each table, in column order; the shipped CSV headers follow it."""


def fix(kind: Kind, name: str) -> str:
    """How to fix a bad value of field ``name`` in table ``kind``."""
    for spec in FIELDS[kind]:
        if spec.name == name:
            return spec.fix or _COLUMNS_FIX
    return _COLUMNS_FIX


def sentence(where: str, what: str, how: str) -> str:
    """The catalog's one sentence for a problem: ``where: what; how to fix.``."""
    return f"{where}: {what}; {how}."


def error(where: str, what: str, how: str) -> ConfigError:
    """A bad catalog file: the error that stops the run, with its :func:`sentence`."""
    return ConfigError(sentence(where, what, how))
