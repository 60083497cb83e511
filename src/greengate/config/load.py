"""Find, read and validate ``.greengate.yaml``.

Every problem raises :class:`~greengate.errors.ConfigError` with one sentence,
``file:line:column: what is wrong; how to fix``, naming the key.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from importlib import resources
from pathlib import Path, PurePath
from typing import Any, TypeVar

import jsonschema
from jsonschema.exceptions import ValidationError, best_match

from greengate.config.model import Config, Sourced
from greengate.enrich.defaults import DefaultFact, DefaultsEntry
from greengate.errors import ConfigError
from greengate.findings.waivers import Waiver, parse_date
from greengate.load import Document, PathKey, load_file
from greengate.load.schema_errors import describe, dotted
from greengate.records.deployment import DEFAULT_FIELDS
from greengate.records.finding import Severity
from greengate.records.units import parse_parameter_count
from greengate.sources.files import display_path

CONFIG_NAMES = (".greengate.yaml", ".greengate.yml")
"""Names of the config file, in the order they are looked for in each folder."""
README = "see 'Configuration' in the README"


@functools.cache
def _validator() -> jsonschema.Draft202012Validator:
    text = resources.files("greengate.schemas").joinpath("config.schema.json").read_text("utf-8")
    return jsonschema.Draft202012Validator(json.loads(text))


P = TypeVar("P", bound=PurePath)


def walk_up(folder: P, exists: Callable[[P], bool]) -> P | None:
    """The first config file in ``folder`` or a folder above it for which ``exists`` holds.

    The one walk every lookup uses: on disk (:func:`find_config`) and in a
    git commit (``--policies-from``), so both find the same file.
    """
    for candidate in (folder, *folder.parents):
        for name in CONFIG_NAMES:
            path = candidate / name
            if exists(path):
                return path
    return None


def find_config(start: Path) -> Path | None:
    """The first config file in ``start`` (a file's folder) or a folder above it, up to the root."""
    folder = start.resolve()
    if not folder.is_dir():
        folder = folder.parent
    return walk_up(folder, Path.is_file)


def load_config(path: Path) -> Config:
    display = display_path(path)
    if not path.is_file():
        raise ConfigError(f"{display}: no such config file; check the --config path")
    loaded = load_file(path, display)
    if loaded.problems:
        problem = loaded.problems[0]
        raise ConfigError(f"{problem.location}: {problem.message}; fix the config file's YAML")
    documents = [d for d in loaded.documents if d.data is not None]
    if len(documents) > 1:
        raise ConfigError(
            f"{documents[1].location(())}: a config file holds one YAML document; remove the '---' and merge the documents"
        )
    if not documents:
        return Config(path=path.resolve(), display=display)
    return parse_config(documents[0], path.resolve())


def parse_config(document: Document, path: Path) -> Config:
    """A config from its (single) document; ``path`` is the absolute config file."""
    data = document.data
    error = best_match(_validator().iter_errors(data))
    if error is not None:
        raise ConfigError(schema_message(document, error))
    root = path.parent

    def at(value: Any, *keys: str | int) -> Sourced[Any]:
        return Sourced.at(value, document.location(keys))

    def strings(*keys: str) -> tuple[Sourced[str], ...]:
        return tuple(at(v, *keys, i) for i, v in enumerate(document.get(keys) or ()))

    policies = data.get("policies") or {}
    rules = data.get("rules") or {}
    return Config(
        path=path,
        display=document.file,
        fail_on=at(Severity(data["failOn"]), "failOn") if "failOn" in data else None,
        include=strings("include"),
        exclude=strings("exclude"),
        builtin=at(policies["builtin"], "policies", "builtin") if "builtin" in policies else None,
        policy_paths=_paths(document, root, ("policies", "paths"), "policy file or folder"),
        disable_policies=strings("policies", "disable"),
        disable_rules=strings("rules", "disable"),
        severity=tuple(
            (name, at(Severity(value), "rules", "severity", name))
            for name, value in (rules.get("severity") or {}).items()
        ),
        params=tuple(
            (name, Sourced.at(value, document.key_location(("params", name))))
            for name, value in (data.get("params") or {}).items()
        ),
        param_locations={
            (name, key): document.key_location(("params", name, key))
            for name, value in (data.get("params") or {}).items()
            for key in value
        },
        catalog_files=_paths(document, root, ("catalog",), "catalog extension file"),
        defaults=tuple(
            _defaults(document, i, entry) for i, entry in enumerate(data.get("defaults") or ())
        ),
        waivers=tuple(
            _waiver(document, i, entry) for i, entry in enumerate(data.get("waivers") or ())
        ),
    )


def _paths(document: Document, root: Path, keys: PathKey, what: str) -> tuple[Sourced[Path], ...]:
    found = []
    for index, text in enumerate(document.get(keys) or ()):
        where = document.location((*keys, index))
        path = root / text
        if not path.exists():
            raise ConfigError(
                f"{where}: {dotted((*keys, index))}: {what} '{text}' does not exist (paths are relative to the folder of {document.file}); correct the path or remove it"
            )
        found.append(Sourced.at(path, where))
    return tuple(found)


def _defaults(document: Document, index: int, entry: dict[str, Any]) -> DefaultsEntry:
    base: PathKey = ("defaults", index)
    facts = []
    for key, name in DEFAULT_FIELDS.items():
        if key not in entry:
            continue
        written = entry[key]
        value = parse_parameter_count(written) if key == "modelParameters" else written
        if value is None:
            raise ConfigError(
                f"{document.location((*base, key))}: {dotted((*base, key))}: {written!r} is not a whole number of parameters; write an integer or 350M, 7B, 1.5T"
            )
        facts.append(
            DefaultFact(
                name, value, document.location((*base, key)), written if value != written else None
            )
        )
    if not facts:
        raise ConfigError(
            f"{document.location(base)}: {dotted(base)}: sets no fact; add one of {', '.join(DEFAULT_FIELDS)}"
        )
    return DefaultsEntry(index, tuple(entry["paths"]), tuple(facts), document.location(base))


def _waiver(document: Document, index: int, entry: dict[str, Any]) -> Waiver:
    base: PathKey = ("waivers", index)
    expires = None
    if "expires" in entry:
        try:
            expires = parse_date(str(entry["expires"]))
        except ValueError as exc:
            where = document.location((*base, "expires"))
            raise ConfigError(
                f"{where}: {dotted((*base, 'expires'))}: {exc}; write the waiver's last day as YYYY-MM-DD"
            ) from None
    return Waiver(
        rule=entry["rule"],
        reason=" ".join(entry["reason"].split()),
        location=document.location(base),
        target=entry.get("target"),
        deployment=entry.get("deployment"),
        owner=entry.get("owner", ""),
        expires=expires,
    )


_TYPE_FIXES = {
    "array": "write a list, e.g. [a, b]",
    "object": "write a mapping of keys to values",
    "boolean": "write true or false",
    "string": "write text",
    "integer": "write a whole number",
}


def schema_message(document: Document, error: ValidationError) -> str:
    """One sentence for a schema error: where, what, how to fix."""
    path = tuple(error.absolute_path)
    where = dotted(path)
    in_waiver = len(path) == 2 and path[0] == "waivers"
    if in_waiver and error.validator == "anyOf":
        return f"{document.location(path)}: {where}: a waiver needs a target (path glob) or a deployment (name glob); add one"
    instance: Any = error.instance
    if in_waiver and error.validator == "required" and "reason" not in instance:
        return f"{document.location(path)}: {where}: a waiver needs a reason; add reason: why the exception is acceptable"
    if path[-1:] == ("reason",) and error.validator == "pattern":
        return f"{document.location(path)}: {where}: the reason is empty; say why the exception is acceptable"
    if path[-1:] == ("expires",) and error.validator == "pattern":
        return f"{document.location(path)}: {where}: {error.instance!r} is not a date; write YYYY-MM-DD"
    if path[-1:] == ("modelParameters",):
        return f"{document.location(path)}: {where}: {error.instance!r} is not a parameter count; write an integer or a number with k, M, B or T (350M, 7B, 1.5T)"
    if "propertyNames" in error.schema_path:
        what = "policy name" if path[:1] == ("params",) else "rule id or glob"
        location = document.key_location((*path, str(error.instance)))
        return f"{location}: {where}: {error.instance!r} is not a {what}; correct the key"
    if error.validator == "pattern" and path[:1] in (("rules",), ("policies",), ("waivers",)):
        return f"{document.location(path)}: {where}: {error.instance!r} is not a name or glob; use letters, digits, '-', '_', '.', and the wildcards * ? [ ]"
    if not path and error.validator == "type":
        schema: Any = _validator().schema
        keys = ", ".join(schema["properties"])
        return f"{document.location(path)}: a config file is a mapping of keys ({keys}); write key: value lines"
    location, message = describe(document, error)
    if message.startswith("document: "):
        message = message[len("document: ") :]
    if error.validator == "additionalProperties":
        return f"{location}: {message}"
    if error.validator == "required":
        return f"{location}: {message}; add it"
    if error.validator == "enum":
        return f"{location}: {message}; use one of them"
    if error.validator == "type":
        wanted = error.validator_value
        fix = _TYPE_FIXES.get(wanted, README) if isinstance(wanted, str) else README
        return f"{location}: {message}; {fix}"
    return f"{location}: {message}; {README}"
