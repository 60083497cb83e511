"""Turn a JSON Schema error into one located, actionable sentence."""

from __future__ import annotations

import difflib
from typing import Any

from jsonschema.exceptions import ValidationError

from greengate.load import Document
from greengate.records.location import Location


def dotted(path: tuple[Any, ...] | list[Any]) -> str:
    """``("spec", "validations", 0, "id")`` -> ``spec.validations[0].id``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def describe(document: Document, error: ValidationError) -> tuple[Location, str]:
    """Where the error is and what to do, e.g. ``spec.hardware.count: 'two' is not of type 'integer'``."""
    path = tuple(error.absolute_path)
    where = dotted(path) or "document"
    schema = error.schema if isinstance(error.schema, dict) else {}
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = sorted(schema.get("properties", {}))
        extra = sorted(k for k in error.instance if k not in allowed)
        if extra:
            guess = difflib.get_close_matches(extra[0], allowed, n=1)
            fix = f"did you mean '{guess[0]}'?" if guess else f"allowed keys: {', '.join(allowed)}"
            return document.key_location(
                (*path, extra[0])
            ), f"{where}: unknown key '{extra[0]}'; {fix}"
    if error.validator == "required":
        return document.key_location(path), f"{where}: {error.message}"
    if error.validator == "enum":
        values = error.validator_value if isinstance(error.validator_value, list) else []
        options = ", ".join(str(o) for o in values)
        return document.location(path), f"{where}: {error.instance!r} is not one of {options}"
    if error.validator == "oneOf" and path and path[-1] == "parameters":
        return (
            document.location(path),
            f"{where}: {error.instance!r} is not a parameter count; write an integer or a number with k, M, B or T (350M, 7B, 1.5T)",
        )
    return document.location(path), f"{where}: {error.message}"
