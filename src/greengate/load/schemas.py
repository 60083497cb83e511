"""The JSON Schemas greengate ships, each read once and compiled into a validator.

Config, policy, catalog-extension and native-manifest files are checked
against schemas packaged as data; reading and compiling one is the same
work for all of them, and worth doing once per process. A schema read for
every document (the native manifest's) also has a fast predicate
(:func:`valid_check`), so that ``jsonschema`` (imported only when needed)
works only on documents with something to report.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import TYPE_CHECKING, Any

from greengate.load.schema_check import Check, compile_check

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError
    from jsonschema.protocols import Validator

__all__ = ["first_error", "valid_check", "validator"]


@functools.cache
def _schema(package: str, name: str) -> Any:
    return json.loads(resources.files(package).joinpath(name).read_text("utf-8"))


@functools.cache
def validator(package: str, name: str) -> Validator:
    """The validator of schema file ``name`` (a path inside ``package``), built on first use.

    The schema's ``$schema`` picks the draft; a schema that names none is
    read as draft 2020-12, the draft every shipped schema is written in.
    """
    import jsonschema

    schema = _schema(package, name)
    validator_class = jsonschema.validators.validator_for(
        schema, default=jsonschema.Draft202012Validator
    )
    return validator_class(schema)


@functools.cache
def valid_check(package: str, name: str) -> Check | None:
    """The fast predicate of schema file ``name``: True only for a value ``validator`` accepts.

    None when the schema uses a keyword :mod:`~greengate.load.schema_check`
    does not implement; the caller then asks the validator every time.
    """
    schema = _schema(package, name)
    if schema.get("$schema", "https://json-schema.org/draft/2020-12/schema") != (
        "https://json-schema.org/draft/2020-12/schema"
    ):
        return None  # the predicate implements draft 2020-12 only
    return compile_check(schema)


def first_error(package: str, name: str, value: Any) -> ValidationError | None:
    """jsonschema's best error of ``value`` under schema file ``name``, None when it is valid.

    A value the fast predicate (:func:`valid_check`) calls valid has no
    error, and costs no ``jsonschema`` import; any other is given to
    ``jsonschema``, whose ``best_match`` is the error reported.
    """
    check = valid_check(package, name)
    if check is not None and check(value):
        return None
    from jsonschema.exceptions import best_match

    error: ValidationError | None = best_match(validator(package, name).iter_errors(value))
    return error
