"""``greengate catalog ...``: look up what the catalog knows, with its source and year.

Wiring only: every lookup is a :class:`~greengate.catalog.Catalog` method.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from greengate.catalog.model import ModelMatch
from greengate.catalog.store import Catalog
from greengate.cli.options import catalog_option, format_option
from greengate.errors import ExitCode
from greengate.records.text import dumps, printable
from greengate.records.units import normalise_provider

__all__ = ["catalog"]

F = TypeVar("F", bound=Callable[..., Any])

EXIT_STATUS = (
    "Exit status: 0 when found; 1 when not found (close matches are named on stderr); "
    "2 for bad arguments or an invalid --catalog file."
)
_LIST_KINDS = {
    "regions": Catalog.regions,
    "accelerators": Catalog.accelerators,
    "architectures": Catalog.architectures,
    "instance-types": Catalog.instance_types,
    "models": Catalog.models,
    "pue": Catalog.pues,
}


def _common_options(command: F) -> F:
    return format_option(["text", "json"])(catalog_option("extensions")(command))


def _load(extensions: Sequence[Path]) -> Catalog:
    return Catalog.load(extensions)


def _plain(value: object) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    return value


# Units shown after a value in text output.
_UNITS = {
    "grid_intensity": " gCO2e/kWh",
    "other_intensity": " gCO2e/kWh",
    "tdp_watts": " W",
    "idle_watts": " W",
    "max_watts": " W",
    "average_watts": " W",
    "memory_gb": " GB",
    "fp16_tflops": " TFLOPS",
}


def _count_text(value: object) -> str:
    if not isinstance(value, int):
        return _text_value(value)
    for unit, size in (("T", 10**12), ("B", 10**9), ("M", 10**6), ("k", 10**3)):
        if value >= size:
            return f"{value} ({value / size:.3g}{unit})"
    return str(value)


def _tuple(value: object) -> object:
    return tuple(value) if isinstance(value, list) else value


def _text_value(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, tuple):
        return ", ".join(map(str, value)) or "-"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float) and 0 < value < 1:  # a fractional GPU: 1/6 (0.167)
        share = Fraction(value).limit_denominator(64)
        if abs(float(share) - value) < 1e-9:
            return f"{share} ({value:.3g})"
    return str(value)


def _emit(kind: str, entry: object, output_format: str) -> None:
    if output_format == "json":
        click.echo(dumps({"kind": kind, **_plain(entry)}, indent=2))
        return
    fields = _plain(entry)
    if isinstance(entry, ModelMatch):
        nested = fields.pop("entry") or {}
        fields = {**fields, **{k: v for k, v in nested.items() if k != "parameters"}}
    width = max(map(len, fields))
    for name, value in fields.items():
        if name in ("parameters", "active_parameters"):
            shown = _count_text(value)
        else:
            shown = _text_value(_tuple(value))
            shown += _UNITS.get(name, "") if value is not None else ""
        click.echo(f"{name.replace('_', ' '):<{width}}  {printable(shown)}")


def _not_found(found: Catalog, kind: str, name: str, listing: str) -> NoReturn:
    matches = found.close_matches(kind, name)
    hint = (
        f"did you mean {', '.join(matches)}?"
        if matches
        else f"see 'greengate catalog list {listing}'."
    )
    click.echo(printable(f"no {kind} '{name}' in the catalog; {hint}"), err=True)
    raise click.exceptions.Exit(int(ExitCode.FAILED))


@click.group("catalog", epilog=EXIT_STATUS)
def catalog() -> None:
    """Look up regions, accelerators, instance types, models and PUE in the catalog.

    Every answer shows where its figure comes from and the year it describes.
    """


@catalog.command("region", epilog=EXIT_STATUS)
@click.argument("parts", nargs=-1, required=True, metavar="[PROVIDER] REGION")
@_common_options
def region_command(
    parts: tuple[str, ...], output_format: str, extensions: tuple[Path, ...]
) -> None:
    """Grid carbon intensity and carbon-free-energy share of a cloud region."""
    if len(parts) > 2:
        raise click.UsageError("give at most a provider and a region, e.g. 'gcp europe-north1'")
    provider, name = (parts[0], parts[1]) if len(parts) == 2 else (None, parts[0])
    found = _load(extensions)
    entry = found.region(name, provider)
    if entry is None:
        _not_found(found, "region", name, "regions")
    _emit("region", entry, output_format)


@catalog.command("accelerator", epilog=EXIT_STATUS)
@click.argument("name")
@_common_options
def accelerator_command(name: str, output_format: str, extensions: tuple[Path, ...]) -> None:
    """Vendor, architecture, generation rank, launch year and power of an accelerator."""
    found = _load(extensions)
    entry = found.accelerator(name)
    if entry is None:
        _not_found(found, "accelerator", name, "accelerators")
    _emit("accelerator", entry, output_format)


@catalog.command("instance-type", epilog=EXIT_STATUS)
@click.argument("name")
@click.option("--provider", help="Cloud provider (aws, gcp, azure); by default any that has it.")
@_common_options
def instance_type_command(
    name: str, provider: str | None, output_format: str, extensions: tuple[Path, ...]
) -> None:
    """Accelerator and count of a cloud instance type or VM size."""
    found = _load(extensions)
    entry = found.instance_type(name, provider)
    if entry is None:
        _not_found(found, "instance-type", name, "instance-types")
    _emit("instance-type", entry, output_format)


@catalog.command("model", epilog=EXIT_STATUS)
@click.argument("name")
@_common_options
def model_command(name: str, output_format: str, extensions: tuple[Path, ...]) -> None:
    """Parameter count of a model id, URI or path (catalog first, then a size in the name)."""
    found = _load(extensions)
    match = found.model(name)
    if match is None:
        _not_found(found, "model", name, "models")
    _emit("model", match, output_format)


@catalog.command("pue", epilog=EXIT_STATUS)
@click.argument("provider")
@_common_options
def pue_command(provider: str, output_format: str, extensions: tuple[Path, ...]) -> None:
    """Power usage effectiveness of a provider (the 'unknown' default when it has none)."""
    found = _load(extensions)
    entry = found.pue(provider)
    if entry is None:
        _not_found(found, "pue", provider, "pue")
    if entry.provider != normalise_provider(provider):
        click.echo(f"no PUE for '{provider}'; showing the '{entry.provider}' default.", err=True)
    _emit("pue", entry, output_format)


@catalog.command("list", epilog=EXIT_STATUS)
@click.argument("kind", type=click.Choice(list(_LIST_KINDS)))
@_common_options
def list_command(kind: str, output_format: str, extensions: tuple[Path, ...]) -> None:
    """Every entry of one table, with its source."""
    entries = _LIST_KINDS[kind](_load(extensions))
    if output_format == "json":
        click.echo(dumps([_plain(e) for e in entries], indent=2))
        return
    for entry in entries:
        click.echo("\t".join(printable(_text_value(_tuple(v))) for v in _plain(entry).values()))
