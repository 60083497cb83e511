"""The catalog: shipped tables plus user extensions, indexed once for fast lookups.

Loading turns every row (shipped CSV, user CSV or user YAML) into a frozen
entry through the same field rules, so a bad user file fails with the same
one-sentence ``path:line: what; how to fix`` message wherever it comes from.
"""

from __future__ import annotations

import csv
import difflib
import functools
import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any, Literal, TypeVar

import jsonschema

from greengate.catalog.model import (
    Accelerator,
    Architecture,
    InstanceType,
    ModelInfo,
    ModelMatch,
    Pue,
    Region,
)
from greengate.catalog.names import (
    accelerator_key,
    accelerator_key_without_topology,
    model_key,
    model_reference_segments,
    parameter_count_in_name,
)
from greengate.errors import ConfigError
from greengate.load import load_file
from greengate.load.schema_errors import Said, SchemaProblem, Wording, schema_message
from greengate.load.schemas import validator
from greengate.records.location import Location
from greengate.records.units import normalise_provider, parse_parameter_count

__all__ = ["Catalog", "normalise_provider"]

T = TypeVar("T")
Kind = Literal["regions", "accelerators", "architectures", "instance_types", "models", "pue"]
TABLES: tuple[Kind, ...] = (
    "regions",
    "accelerators",
    "architectures",
    "instance_types",
    "models",
    "pue",
)
_DATA = "greengate.catalog"
_SCHEMA = "data/extension.schema.json"
_SCHEMA_FIX = "see greengate/catalog/data/extension.schema.json"

# --- keys ---------------------------------------------------------------------

_VENDOR_ALIASES = {"amazon": "aws", "habana": "intel", "xilinx": "amd"}


def _vendor_key(vendor: str) -> str:
    key = vendor.strip().lower()
    return _VENDOR_ALIASES.get(key, key)


def _architecture_key(architecture: str) -> str:
    return re.sub(r"[\s_]+", "-", architecture.strip().lower())


def _region_key(provider: str, region: str) -> str:
    text = region.strip().lower()
    if provider == "azure":
        # Azure accepts display names ("Sweden Central") where ARM wants "swedencentral".
        return re.sub(r"[\s_-]+", "", text)
    return re.sub(r"[\s_]+", "-", text)


# Availability zones name their region: AWS "eu-north-1a", GCP "europe-north1-a".
_ZONE = re.compile(r"^(?:([a-z]{2}(?:-gov)?-[a-z]+-\d+)[a-z]|([a-z]+-[a-z]+\d+)-[a-z])$")
_AWS_REGION = re.compile(r"^[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d+$")
_GCP_REGION = re.compile(r"^[a-z]+-[a-z]+\d+$")


def _instance_key(provider: str, name: str) -> str:
    text = name.strip().lower()
    if provider == "aws":
        # SageMaker hosts the same EC2 types under an "ml." prefix.
        return text.removeprefix("ml.")
    if provider == "azure":
        text = re.sub(r"[\s-]+", "_", text)
        return text.removeprefix("standard_")
    return text


# --- field rules ----------------------------------------------------------------


class _FieldError(ValueError):
    """A value that breaks a field rule; the text says what is wrong."""


def _describe(value: object) -> str:
    return repr(value) if isinstance(value, str) else f"{value!r} ({type(value).__name__})"


def _text(value: object) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise _FieldError(f"must be text, got {_describe(value)}")


def _whole(low: int, high: int | None = None) -> Callable[[object], int]:
    def parse(value: object) -> int:
        number: int | None = None
        if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
            number = int(value)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            number = int(value) if float(value).is_integer() else None
        if number is None:
            raise _FieldError(f"must be a whole number, got {_describe(value)}")
        if number < low or (high is not None and number > high):
            bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
            raise _FieldError(f"must be {bounds}, got {number}")
        return number

    return parse


def _number(
    low: float, high: float | None = None, *, above: bool = False
) -> Callable[[object], float]:
    def parse(value: object) -> float:
        number: float | None = None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            number = float(value)
        elif isinstance(value, str):
            try:
                number = float(value)
            except ValueError:
                number = None
        if number is None or not math.isfinite(number):
            raise _FieldError(f"must be a number, got {_describe(value)}")
        too_low = number <= low if above else number < low
        if too_low or (high is not None and number > high):
            if high is not None:
                raise _FieldError(f"must be between {low:g} and {high:g}, got {number:g}")
            relation = "greater than" if above else "at least"
            raise _FieldError(f"must be {relation} {low:g}, got {number:g}")
        return number

    return parse


def _aliases(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split("|") if part.strip())
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(item.strip() for item in value if item.strip())
    raise _FieldError(f"must be a list of names or a '|'-separated string, got {_describe(value)}")


def _count(value: object) -> int:
    count = parse_parameter_count(value)
    if count is None:
        raise _FieldError(f"is not a parameter count: {_describe(value)}")
    return count


_YEAR = _whole(1990, 2100)


@dataclass(frozen=True)
class _Field:
    name: str
    parse: Callable[[object], object]
    required: bool = False
    fix: str = ""


_FIELDS: dict[Kind, tuple[_Field, ...]] = {
    "regions": (
        _Field("provider", _text, True, "name the cloud provider, e.g. aws, gcp or azure"),
        _Field("region", _text, True, "write the region id, e.g. eu-north-1"),
        _Field("location", _text),
        _Field(
            "grid_gco2e_per_kwh",
            _number(0),
            True,
            "write the grid carbon intensity in gCO2e/kWh as a plain number, e.g. 250",
        ),
        _Field(
            "cfe",
            _number(0, 1),
            False,
            "write the carbon-free share as a fraction 0-1, or leave it empty",
        ),
        _Field("year", _YEAR, True, "write the year the figure describes, e.g. 2024"),
        _Field("source", _text, True, "say where the figure comes from (report title or URL)"),
    ),
    "accelerators": (
        _Field("id", _text, True, "give the accelerator a lowercase id, e.g. nvidia-a100"),
        _Field("aliases", _aliases, False, "list other names, e.g. [A100, a100-80gb]"),
        _Field("vendor", _text, True, "name the vendor, e.g. nvidia"),
        _Field("architecture", _text, True, "name the architecture, e.g. ampere"),
        _Field("generation", _whole(0), False, "give the rank within the vendor as a whole number"),
        _Field("launch_year", _YEAR, False, "write the launch year, e.g. 2020"),
        _Field("tdp_watts", _number(0, above=True), False, "write the TDP in watts, e.g. 400"),
        _Field("memory_gb", _number(0, above=True), False, "write the memory in GB, e.g. 80"),
        _Field("source", _text),
    ),
    "architectures": (
        _Field("vendor", _text, True, "name the vendor, e.g. nvidia"),
        _Field("architecture", _text, True, "name the architecture, e.g. ampere"),
        _Field("generation", _whole(0), True, "give the rank within the vendor as a whole number"),
        _Field("first_year", _YEAR, False, "write the first year, e.g. 2020"),
        _Field("source", _text),
    ),
    "instance_types": (
        _Field("provider", _text, True, "name the cloud provider, e.g. aws"),
        _Field("instance_type", _text, True, "write the instance type, e.g. g5.2xlarge"),
        _Field("accelerator", _text, True, "name a catalog accelerator, e.g. nvidia-a10g"),
        _Field(
            "count", _number(0, above=True), True, "write the accelerators per instance, e.g. 1"
        ),
        _Field("source", _text),
    ),
    "models": (
        _Field("id", _text, True, "write the model id, e.g. my-org/my-model"),
        _Field("aliases", _aliases, False, "list other names, e.g. [my-model]"),
        _Field("parameters", _count, True, "write an integer or a size such as 7B or 350M"),
        _Field("active_parameters", _count, False, "write an integer or a size such as 13B"),
        _Field("source", _text),
    ),
    "pue": (
        _Field("provider", _text, True, "name the provider, or unknown"),
        _Field("pue", _number(1), True, "write the PUE as a number of at least 1, e.g. 1.1"),
        _Field("year", _YEAR, True, "write the year the figure describes, e.g. 2024"),
        _Field("source", _text),
    ),
}


def _fix(kind: Kind, name: str) -> str:
    for spec in _FIELDS[kind]:
        if spec.name == name:
            return spec.fix or "see greengate/catalog/data/SOURCES.md for the column meanings"
    return "see greengate/catalog/data/SOURCES.md for the column meanings"


def _error(where: str, what: str, fix: str) -> ConfigError:
    return ConfigError(f"{where}: {what}; {fix}.")


# --- rows -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    """One table row: its fields as read, and where they were read from."""

    kind: Kind
    values: Mapping[str, object]
    path: str
    line: int
    field_lines: Mapping[str, int] = field(default_factory=dict)

    def where(self, name: str | None = None) -> str:
        return f"{self.path}:{self.field_lines.get(name or '', self.line)}"


def _parse_row(row: _Row, *, builtin: bool) -> dict[str, Any]:
    parsed: dict[str, Any] = {}
    for spec in _FIELDS[row.kind]:
        raw = row.values.get(spec.name)
        if isinstance(raw, str) and not raw.strip():
            raw = None
        if raw is None:
            if spec.required or (builtin and spec.name == "source"):
                raise _error(
                    row.where(),
                    f"{row.kind} entry is missing '{spec.name}'",
                    _fix(row.kind, spec.name),
                )
            parsed[spec.name] = None
            continue
        try:
            parsed[spec.name] = spec.parse(raw)
        except _FieldError as exc:
            raise _error(
                row.where(spec.name), f"'{spec.name}' {exc}", _fix(row.kind, spec.name)
            ) from None
    if parsed.get("source") is None:
        parsed["source"] = f"user catalog {row.where()}"
    return parsed


def _build(row: _Row, *, builtin: bool) -> object:
    v = _parse_row(row, builtin=builtin)
    if row.kind == "regions":
        provider = normalise_provider(v["provider"])
        return Region(
            provider=provider,
            # The big three have canonical lower-case ids; other providers keep their spelling.
            region=_region_key(provider, v["region"])
            if provider in ("aws", "gcp", "azure")
            else v["region"],
            location=v["location"] or "",
            grid_intensity=v["grid_gco2e_per_kwh"],
            cfe=v["cfe"],
            year=v["year"],
            source=v["source"],
        )
    if row.kind == "accelerators":
        return Accelerator(
            id=v["id"].lower(),
            aliases=v["aliases"] or (),
            vendor=_vendor_key(v["vendor"]),
            architecture=_architecture_key(v["architecture"]),
            generation=v["generation"],
            launch_year=v["launch_year"],
            tdp_watts=v["tdp_watts"],
            memory_gb=v["memory_gb"],
            source=v["source"],
        )
    if row.kind == "architectures":
        return Architecture(
            vendor=_vendor_key(v["vendor"]),
            architecture=_architecture_key(v["architecture"]),
            generation=v["generation"],
            first_year=v["first_year"],
            source=v["source"],
        )
    if row.kind == "instance_types":
        return InstanceType(
            provider=normalise_provider(v["provider"]),
            instance_type=v["instance_type"],
            accelerator=v["accelerator"],
            count=v["count"],
            source=v["source"],
        )
    if row.kind == "models":
        active = v["active_parameters"]
        if active is not None and active > v["parameters"]:
            raise _error(
                row.where("active_parameters"),
                f"active_parameters ({active}) exceed parameters ({v['parameters']})",
                "give the total count in parameters and the per-token count in active_parameters",
            )
        return ModelInfo(
            id=v["id"],
            aliases=v["aliases"] or (),
            parameters=v["parameters"],
            active_parameters=active,
            source=v["source"],
        )
    return Pue(
        provider=normalise_provider(v["provider"]), pue=v["pue"], year=v["year"], source=v["source"]
    )


def _entry_key(entry: object) -> tuple[str, ...]:
    """The identity a later layer overrides."""
    if isinstance(entry, Region):
        return ("regions", entry.provider, _region_key(entry.provider, entry.region))
    if isinstance(entry, Accelerator):
        return ("accelerators", accelerator_key(entry.id))
    if isinstance(entry, Architecture):
        return ("architectures", entry.vendor, entry.architecture)
    if isinstance(entry, InstanceType):
        return (
            "instance_types",
            entry.provider,
            _instance_key(entry.provider, entry.instance_type),
        )
    if isinstance(entry, ModelInfo):
        return ("models", model_key(entry.id))
    assert isinstance(entry, Pue)
    return ("pue", entry.provider)


# --- reading files ----------------------------------------------------------------


def _csv_rows(kind: Kind, text: str, path: str) -> Iterator[_Row]:
    """Rows of a CSV table; ``#`` lines are comments (licence headers), one row per line."""
    numbered = [
        (number, line)
        for number, line in enumerate(text.lstrip("\ufeff").splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not numbered:
        return
    header_line = numbered[0][0]
    header = [name.strip() for name in next(csv.reader([numbered[0][1]]))]
    known = [spec.name for spec in _FIELDS[kind]]
    for name in header:
        if name not in known:
            raise _error(
                f"{path}:{header_line}",
                f"unknown column '{name}' in {kind} file",
                f"use only the columns {', '.join(known)}",
            )
    for spec in _FIELDS[kind]:
        if spec.required and spec.name not in header:
            required = ", ".join(s.name for s in _FIELDS[kind] if s.required)
            raise _error(
                f"{path}:{header_line}",
                f"missing required column '{spec.name}' in {kind} file",
                f"add it to the header ({required} are required)",
            )
    for number, line in numbered[1:]:
        # Parsed line by line so that every error names the physical line.
        cells = next(csv.reader([line]))
        if len(cells) != len(header):
            raise _error(
                f"{path}:{number}",
                f"row has {len(cells)} cells but the header has {len(header)}",
                "quote cells that contain commas and keep one row per line",
            )
        yield _Row(kind, dict(zip(header, cells, strict=True)), path, number)


def _csv_kind(path: Path) -> Kind:
    stem = path.name.lower().replace("-", "_")
    kinds = [kind for kind in TABLES if kind in stem]
    if len(kinds) != 1:
        found = "none" if not kinds else " and ".join(kinds)
        raise _error(
            f"{path}:1",
            f"cannot tell which table this CSV extends (its name mentions {found})",
            "put exactly one table name in the file name, e.g. regions.csv or team-models.csv",
        )
    return kinds[0]


def _extension_case(problem: SchemaProblem) -> Said:
    """A schema error in an extension, in the words of the table and field it is about."""
    path, instance = problem.path, problem.instance
    kind = path[0] if path and path[0] in TABLES else None
    # The field the error is about: the last key below the table, if any.
    field_name = next((p for p in reversed(path[1:]) if isinstance(p, str)), None)
    at = problem.key_location()
    if problem.keyword == "additionalProperties" and isinstance(instance, dict):
        allowed = problem.allowed_keys()
        unknown = str(problem.unknown_keys()[0])
        at = problem.key_location(unknown)
        if kind is None:
            return at, f"unknown top-level key '{unknown}'", f"use only {', '.join(TABLES)}"
        return at, f"unknown field '{unknown}' in {kind} entry", f"use only {', '.join(allowed)}"
    if problem.keyword == "required" and isinstance(instance, dict) and kind is not None:
        required = problem.error.validator_value
        names = required if isinstance(required, list) else []
        missing = next(str(name) for name in names if name not in instance)
        return at, f"{kind} entry is missing '{missing}'", _fix(kind, missing)
    if kind is not None and field_name is not None:
        if problem.keyword == "type":
            wanted = problem.error.validator_value
            wanted = " or ".join(wanted) if isinstance(wanted, list) else wanted
            what = f"'{field_name}' must be of type {wanted}, got {_describe(instance)}"
        else:
            what = f"'{field_name}' is not valid ({problem.error.message})"
        return at, what, _fix(kind, field_name)
    if kind is not None and len(path) == 1:
        return at, f"'{kind}' must be a list of entries", f"write {kind}: followed by '- ' items"
    if kind is not None:
        return at, f"each {kind} entry must be a mapping", "write field: value pairs"
    return at, problem.error.message, _SCHEMA_FIX


def _line_sentence(location: Location, what: str, how: str | None) -> str:
    # Laid out like a bad CSV cell: file and line, no column.
    return str(_error(f"{location.file}:{location.line}", what, how or ""))


_WORDING = Wording(readme=_SCHEMA_FIX, special=_extension_case, layout=_line_sentence)
"""Extension schema errors are all worded by the catalog: its case never passes one on."""


def _yaml_rows(path: Path) -> Iterator[_Row]:
    loaded = load_file(path, display=str(path))
    if loaded.problems:
        problem = loaded.problems[0]
        where = f"{problem.location.file}:{problem.location.line}"
        raise _error(where, problem.message, "fix the file at that line")
    for document in loaded.documents:
        data = document.data
        if not isinstance(data, dict):
            raise _error(
                f"{document.file}:{document.location(()).line}",
                "a catalog extension must be a mapping of tables",
                f"start with one of {', '.join(TABLES)} as a top-level key",
            )
        error = jsonschema.exceptions.best_match(validator(_DATA, _SCHEMA).iter_errors(data))
        if error is not None:
            raise ConfigError(schema_message(document, error, _WORDING))
        for kind in TABLES:
            for index, item in enumerate(data.get(kind) or ()):
                lines = {name: document.key_location((kind, index, name)).line for name in item}
                line = document.location((kind, index)).line
                yield _Row(kind, item, document.file, line, lines)


def _extension_rows(path: Path) -> list[_Row]:
    suffix = path.suffix.lower()
    if suffix not in (".yaml", ".yml", ".csv"):
        raise _error(
            str(path), f"unsupported catalog extension type '{suffix}'", "use .yaml, .yml or .csv"
        )
    if not path.is_file():
        raise _error(str(path), "catalog extension file not found", "check the path")
    if suffix != ".csv":
        return list(_yaml_rows(path))
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _error(
            str(path), f"cannot read catalog extension ({exc})", "check the file"
        ) from None
    return list(_csv_rows(_csv_kind(path), text, str(path)))


@functools.cache
def _builtin_rows() -> tuple[_Row, ...]:
    rows: list[_Row] = []
    data = resources.files(_DATA).joinpath("data")
    for kind in TABLES:
        name = f"{kind}.csv"
        rows.extend(
            _csv_rows(
                kind, data.joinpath(name).read_text("utf-8"), f"greengate/catalog/data/{name}"
            )
        )
    return tuple(rows)


# --- the catalog ----------------------------------------------------------------------


class Catalog:
    """Reference data with indexed lookups. Build with :meth:`builtin` or :meth:`load`."""

    def __init__(self, layers: Sequence[Sequence[_Row]]) -> None:
        merged: dict[tuple[str, ...], tuple[object, _Row, int]] = {}
        for layer_number, layer in enumerate(layers):
            for row in layer:
                entry = _build(row, builtin=layer_number == 0)
                key = _entry_key(entry)
                merged.pop(key, None)  # an override moves to the end: later layers win ties
                merged[key] = (entry, row, layer_number)

        def entries(cls: type[T]) -> list[tuple[T, _Row]]:
            return [(e, row) for e, row, _ in merged.values() if isinstance(e, cls)]

        self._accelerators = tuple(e for e, _ in entries(Accelerator))
        self._accelerator_index: dict[str, Accelerator] = {}
        for acc in self._accelerators:
            for name in (acc.id, *acc.aliases):
                self._accelerator_index[accelerator_key(name)] = acc

        instance_types = []
        for it, row in entries(InstanceType):
            attached = self.accelerator(it.accelerator)
            if attached is None:
                raise _error(
                    row.where("accelerator"),
                    f"instance type {it.instance_type} names unknown accelerator '{it.accelerator}'",
                    "add it under accelerators or use a catalog accelerator id",
                )
            instance_types.append(replace(it, accelerator=attached.id))
        self._instance_types = tuple(instance_types)
        self._instance_index = {
            (it.provider, _instance_key(it.provider, it.instance_type)): it
            for it in self._instance_types
        }

        self._regions = tuple(e for e, _ in entries(Region))
        self._region_index = {
            (r.provider, _region_key(r.provider, r.region)): r for r in self._regions
        }
        self._providers = tuple(dict.fromkeys(r.provider for r in self._regions))
        self._instance_providers = tuple(dict.fromkeys(it.provider for it in self._instance_types))

        self._architectures = tuple(e for e, _ in entries(Architecture))
        self._architecture_index = {(a.vendor, a.architecture): a for a in self._architectures}
        self._pues = {p.provider: p for p, _ in entries(Pue)}

        models = [(e, n) for e, _, n in merged.values() if isinstance(e, ModelInfo)]
        self._models = tuple(e for e, _ in models)
        self._model_index: dict[str, ModelInfo] = {}
        # Last path segment -> model, so "gs://bucket/gemma-2b" finds "google/gemma-2b".
        # Two models of one layer sharing a segment but not a size make it ambiguous
        # (None); a later layer's model replaces an earlier layer's.
        self._model_tails: dict[str, ModelInfo | None] = {}
        tail_layer: dict[str, int] = {}
        for model, layer_number in models:
            for name in (model.id, *model.aliases):
                self._model_index[model_key(name)] = model
                tail = model_key(name.rsplit("/", 1)[-1])
                known = self._model_tails.get(tail, model)
                same_size = known is not None and known.parameters == model.parameters
                newer = tail_layer.get(tail, layer_number) < layer_number
                self._model_tails[tail] = model if same_size or newer else None
                tail_layer[tail] = layer_number

    # -- construction --

    @classmethod
    def builtin(cls) -> Catalog:
        """The shipped catalog, loaded on first use and cached."""
        return _builtin_catalog()

    @classmethod
    def load(cls, extensions: Sequence[Path] = ()) -> Catalog:
        """The shipped catalog plus user files (YAML or CSV); later files override earlier rows."""
        if not extensions:
            return cls.builtin()
        return cls([_builtin_rows(), *(_extension_rows(Path(p)) for p in extensions)])

    # -- lookups --

    def region(self, region: str, provider: str | None = None) -> Region | None:
        """A region by id (case-insensitive, Azure display names, zones); None if unknown or ambiguous."""
        providers = (normalise_provider(provider),) if provider else self._providers
        found = self._regions_matching(region, providers)
        if not found:
            zone = _ZONE.match(region.strip().lower())
            if zone:
                found = self._regions_matching(zone.group(1) or zone.group(2), providers)
        return found[0] if len(found) == 1 else None

    def _regions_matching(self, region: str, providers: Sequence[str]) -> list[Region]:
        found = (self._region_index.get((p, _region_key(p, region))) for p in providers)
        return [r for r in found if r is not None]

    def provider_of_region(self, region: str) -> str | None:
        """The provider a region id belongs to, when only one fits."""
        found = self.region(region)
        if found is not None:
            return found.provider
        text = region.strip().lower()
        if _AWS_REGION.match(text):
            return "aws"
        if _GCP_REGION.match(text):
            return "gcp"
        return None

    def accelerator(self, name: str) -> Accelerator | None:
        """An accelerator by id or alias, ignoring case, memory and form-factor suffixes."""
        found = self._accelerator_index.get(accelerator_key(name))
        if found is None:
            # TPU accelerator types carry a chip count: v5litepod-8, tpu7x-8.
            shorter = accelerator_key_without_topology(name)
            candidate = self._accelerator_index.get(shorter) if shorter else None
            if candidate is not None and candidate.vendor == "google":
                found = candidate
        return found

    def instance_type(self, name: str, provider: str | None = None) -> InstanceType | None:
        """An instance type (AWS ``ml.`` prefix and Azure case/``Standard_`` are ignored)."""
        providers = (normalise_provider(provider),) if provider else self._instance_providers
        found = [
            it
            for p in providers
            if (it := self._instance_index.get((p, _instance_key(p, name)))) is not None
        ]
        return found[0] if len(found) == 1 else None

    def model(self, name: str) -> ModelMatch | None:
        """Parameter count for a model reference: catalog first, then a size in the name."""
        segments = model_reference_segments(name)
        if not segments:
            return None
        for candidate in dict.fromkeys(("/".join(segments), "/".join(segments[-2:]), segments[-1])):
            entry = self._model_index.get(model_key(candidate))
            if entry is not None:
                return ModelMatch(entry.parameters, "catalog", entry, candidate)
        entry = self._model_tails.get(model_key(segments[-1]))
        if entry is not None:
            return ModelMatch(entry.parameters, "catalog", entry, segments[-1])
        for segment in reversed(segments):
            sized = parameter_count_in_name(segment)
            if sized is not None:
                return ModelMatch(sized[0], "name-pattern", None, sized[1])
        return None

    def pue(self, provider: str) -> Pue | None:
        """A provider's PUE, or the ``unknown`` default when the provider has none."""
        return self._pues.get(normalise_provider(provider)) or self._pues.get("unknown")

    def architecture_rank(self, vendor: str, architecture: str) -> int | None:
        """The generation rank of an architecture (or of an accelerator named instead)."""
        vendor_key = _vendor_key(vendor)
        arch = self._architecture_index.get((vendor_key, _architecture_key(architecture)))
        if arch is not None:
            return arch.generation
        acc = self.accelerator(architecture)
        return acc.generation if acc is not None and acc.vendor == vendor_key else None

    # -- iteration (CLI, docs) --

    def regions(self) -> tuple[Region, ...]:
        return self._regions

    def accelerators(self) -> tuple[Accelerator, ...]:
        return self._accelerators

    def architectures(self) -> tuple[Architecture, ...]:
        return self._architectures

    def instance_types(self) -> tuple[InstanceType, ...]:
        return self._instance_types

    def models(self) -> tuple[ModelInfo, ...]:
        return self._models

    def pues(self) -> tuple[Pue, ...]:
        return tuple(self._pues.values())

    def close_matches(self, kind: str, name: str, limit: int = 3) -> list[str]:
        """Names of this kind that look like ``name`` (for "did you mean" messages)."""
        names: list[str]
        if kind == "region":
            names = [r.region for r in self._regions]
        elif kind == "accelerator":
            names = [n for a in self._accelerators for n in (a.id, *a.aliases)]
        elif kind == "instance-type":
            names = [it.instance_type for it in self._instance_types]
        elif kind == "model":
            names = [n for m in self._models for n in (m.id, *m.aliases)]
        else:
            names = list(self._pues)
        by_lower = {n.lower(): n for n in names}
        query = name.strip().lower()
        return [by_lower[n] for n in difflib.get_close_matches(query, list(by_lower), limit, 0.6)]


@functools.cache
def _builtin_catalog() -> Catalog:
    return Catalog([_builtin_rows()])
