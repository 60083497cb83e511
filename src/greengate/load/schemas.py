"""The JSON Schemas greengate ships, each read once and compiled into a validator.

Config, policy, catalog-extension and native-manifest files are checked
against schemas packaged as data; reading and compiling one is the same
work for all of them, and worth doing once per process.
"""

from __future__ import annotations

import functools
import json
from importlib import resources

import jsonschema
from jsonschema.protocols import Validator

__all__ = ["validator"]


@functools.cache
def validator(package: str, name: str) -> Validator:
    """The validator of schema file ``name`` (a path inside ``package``), built on first use.

    The schema's ``$schema`` picks the draft; a schema that names none is
    read as draft 2020-12, the draft every shipped schema is written in.
    """
    schema = json.loads(resources.files(package).joinpath(name).read_text("utf-8"))
    validator_class = jsonschema.validators.validator_for(
        schema, default=jsonschema.Draft202012Validator
    )
    return validator_class(schema)
