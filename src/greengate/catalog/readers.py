"""Reading table rows: the shipped CSV tables, and user extensions in CSV or YAML.

Every reader yields :class:`~greengate.catalog.rows.Row` values that remember
the file line of each field, so a bad value is reported where it is written.
A YAML extension is first checked against ``data/extension.schema.json``; its
schema errors are worded like the field errors of a CSV row (``regions entry
is missing 'year'; write the year ...``), so a user gets the same sentence
whichever format they wrote.
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

from greengate.catalog.fields import FIELDS, TABLES, Kind, describe_value, error, fix, sentence
from greengate.catalog.rows import Row
from greengate.errors import ConfigError
from greengate.load import load_file
from greengate.load.schema_errors import Said, SchemaProblem, Wording, schema_message
from greengate.load.schemas import first_error
from greengate.records.location import Location

__all__ = ["builtin_rows", "extension_rows"]

_DATA = "greengate.catalog"
_SCHEMA = "data/extension.schema.json"
_SCHEMA_FIX = "see greengate/catalog/data/extension.schema.json"

# --- CSV --------------------------------------------------------------------------


def _csv_rows(kind: Kind, text: str, path: str) -> Iterator[Row]:
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
    known = [spec.name for spec in FIELDS[kind]]
    for name in header:
        if name not in known:
            raise error(
                f"{path}:{header_line}",
                f"unknown column '{name}' in {kind} file",
                f"use only the columns {', '.join(known)}",
            )
    for spec in FIELDS[kind]:
        if spec.required and spec.name not in header:
            required = ", ".join(s.name for s in FIELDS[kind] if s.required)
            raise error(
                f"{path}:{header_line}",
                f"missing required column '{spec.name}' in {kind} file",
                f"add it to the header ({required} are required)",
            )
    for number, line in numbered[1:]:
        # Parsed line by line so that every error names the physical line.
        cells = next(csv.reader([line]))
        if len(cells) != len(header):
            raise error(
                f"{path}:{number}",
                f"row has {len(cells)} cells but the header has {len(header)}",
                "quote cells that contain commas and keep one row per line",
            )
        yield Row(kind, dict(zip(header, cells, strict=True)), path, number)


def _csv_kind(path: Path) -> Kind:
    stem = path.name.lower().replace("-", "_")
    kinds = [kind for kind in TABLES if kind in stem]
    if len(kinds) != 1:
        found = "none" if not kinds else " and ".join(kinds)
        raise error(
            f"{path}:1",
            f"cannot tell which table this CSV extends (its name mentions {found})",
            "put exactly one table name in the file name, e.g. regions.csv or team-models.csv",
        )
    return kinds[0]


# --- YAML -------------------------------------------------------------------------


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
        return at, f"{kind} entry is missing '{missing}'", fix(kind, missing)
    if kind is not None and field_name is not None:
        if problem.keyword == "type":
            wanted = problem.error.validator_value
            wanted = " or ".join(wanted) if isinstance(wanted, list) else wanted
            what = f"'{field_name}' must be of type {wanted}, got {describe_value(instance)}"
        else:
            what = f"'{field_name}' is not valid ({problem.error.message})"
        return at, what, fix(kind, field_name)
    if kind is not None and len(path) == 1:
        return at, f"'{kind}' must be a list of entries", f"write {kind}: followed by '- ' items"
    if kind is not None:
        return at, f"each {kind} entry must be a mapping", "write field: value pairs"
    return at, problem.error.message, _SCHEMA_FIX


def _line_sentence(location: Location, what: str, how: str | None) -> str:
    # Laid out like a bad CSV cell: file and line, no column.
    return sentence(f"{location.file}:{location.line}", what, how or "")


_WORDING = Wording(readme=_SCHEMA_FIX, special=_extension_case, layout=_line_sentence)
"""Extension schema errors are all worded by the catalog: its case never passes one on."""


def _yaml_rows(path: Path) -> Iterator[Row]:
    loaded = load_file(path, display=str(path))
    if loaded.problems:
        problem = loaded.problems[0]
        where = f"{problem.location.file}:{problem.location.line}"
        raise error(where, problem.message, "fix the file at that line")
    for document in loaded.documents:
        data = document.data
        if not isinstance(data, dict):
            raise error(
                f"{document.file}:{document.location(()).line}",
                "a catalog extension must be a mapping of tables",
                f"start with one of {', '.join(TABLES)} as a top-level key",
            )
        schema_error = first_error(_DATA, _SCHEMA, data)
        if schema_error is not None:
            raise ConfigError(schema_message(document, schema_error, _WORDING))
        for kind in TABLES:
            for index, item in enumerate(data.get(kind) or ()):
                lines = {name: document.key_location((kind, index, name)).line for name in item}
                line = document.location((kind, index)).line
                yield Row(kind, item, document.file, line, lines)


# --- files ------------------------------------------------------------------------


def extension_rows(path: Path) -> list[Row]:
    """The rows of one user extension file (``.yaml``, ``.yml`` or ``.csv``)."""
    suffix = path.suffix.lower()
    if suffix not in (".yaml", ".yml", ".csv"):
        raise error(
            str(path), f"unsupported catalog extension type '{suffix}'", "use .yaml, .yml or .csv"
        )
    if not path.is_file():
        raise error(str(path), "catalog extension file not found", "check the path")
    if suffix != ".csv":
        return list(_yaml_rows(path))
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise error(str(path), f"cannot read catalog extension ({exc})", "check the file") from None
    return list(_csv_rows(_csv_kind(path), text, str(path)))


@functools.cache
def builtin_rows() -> tuple[Row, ...]:
    """The rows of the shipped tables, read once per process."""
    rows: list[Row] = []
    data = resources.files(_DATA).joinpath("data")
    for kind in TABLES:
        name = f"{kind}.csv"
        rows.extend(
            _csv_rows(
                kind, data.joinpath(name).read_text("utf-8"), f"greengate/catalog/data/{name}"
            )
        )
    return tuple(rows)
