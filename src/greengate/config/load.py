"""Find, read and validate ``.greengate.yaml``.

Every problem raises :class:`~greengate.errors.ConfigError` with one sentence,
``file:line:column: what is wrong; how to fix``, naming the key.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path, PurePath
from typing import Any, TypeVar

from greengate.config.model import Config, Sourced
from greengate.enrich.defaults import DefaultFact, DefaultsEntry
from greengate.errors import ConfigError
from greengate.findings.waivers import Waiver, parse_date
from greengate.load import Document, PathKey, load_file
from greengate.load.schema_errors import (
    PARAMETER_COUNT_FIX,
    Said,
    SchemaProblem,
    Wording,
    dotted,
    schema_message,
)
from greengate.load.schemas import first_error, validator
from greengate.records.deployment import DEFAULT_FIELDS
from greengate.records.finding import Severity
from greengate.records.units import parse_parameter_count
from greengate.sources.files import display_path

CONFIG_NAMES = (".greengate.yaml", ".greengate.yml")
"""Names of the config file, in the order they are looked for in each folder."""
README = "see 'Configuration' in the README"


_SCHEMA = ("greengate.schemas", "config.schema.json")


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
    error = first_error(*_SCHEMA, data)
    if error is not None:
        raise ConfigError(schema_message(document, error, _WORDING))
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
        budget=at(float(policies["budgetSeconds"]), "policies", "budgetSeconds")
        if "budgetSeconds" in policies
        else None,
        cel_engine=at(policies["celEngine"], "policies", "celEngine")
        if "celEngine" in policies
        else None,
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
        inline_waivers=(
            at(data["inlineWaivers"], "inlineWaivers") if "inlineWaivers" in data else None
        ),
        baseline=_paths(document, root, ("baseline",), "baseline file", must_exist=False)[0]
        if "baseline" in data
        else None,
    )


def _paths(
    document: Document, root: Path, keys: PathKey, what: str, *, must_exist: bool = True
) -> tuple[Sourced[Path], ...]:
    """The paths written at ``keys``, relative to the config's folder.

    ``must_exist=False`` for a file greengate itself writes (the baseline:
    `greengate baseline create` makes it; a check then says it is missing).
    """
    found = []
    written = document.get(keys)
    listed = not isinstance(written, str)
    for index, text in enumerate(written or () if listed else (written,)):
        key: PathKey = (*keys, index) if listed else keys
        where = document.location(key)
        path = root / text
        if must_exist and not path.exists():
            raise ConfigError(
                f"{where}: {dotted(key)}: {what} '{text}' does not exist (paths are relative to the folder of {document.file}); correct the path or remove it"
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


def _config_case(problem: SchemaProblem) -> Said | None:
    """The config's own cases: waivers, dates, parameter counts, names and globs."""
    path, keyword, instance = problem.path, problem.keyword, problem.instance
    where = dotted(path)
    in_waiver = len(path) == 2 and path[0] == "waivers"
    if in_waiver and keyword == "anyOf":
        what = f"{where}: a waiver needs a target (path glob) or a deployment (name glob)"
        return problem.location(), what, "add one"
    if in_waiver and keyword == "required" and "reason" not in instance:
        what = f"{where}: a waiver needs a reason"
        return problem.location(), what, "add reason: why the exception is acceptable"
    if path[-1:] == ("reason",) and keyword == "pattern":
        what = f"{where}: the reason is empty"
        return problem.location(), what, "say why the exception is acceptable"
    if path[-1:] == ("expires",) and keyword == "pattern":
        return problem.location(), f"{where}: {instance!r} is not a date", "write YYYY-MM-DD"
    if path[-1:] == ("modelParameters",):
        what = f"{where}: {instance!r} is not a parameter count"
        return problem.location(), what, PARAMETER_COUNT_FIX
    if "propertyNames" in problem.error.schema_path:
        name = "policy name" if path[:1] == ("params",) else "rule id or glob"
        what = f"{where}: {instance!r} is not a {name}"
        return problem.key_location(str(instance)), what, "correct the key"
    if keyword == "pattern" and path[:1] in (("rules",), ("policies",), ("waivers",)):
        what = f"{where}: {instance!r} is not a name or glob"
        return (
            problem.location(),
            what,
            "use letters, digits, '-', '_', '.', and the wildcards * ? [ ]",
        )
    if not path and keyword == "type":
        schema: Any = validator(*_SCHEMA).schema
        what = f"a config file is a mapping of keys ({', '.join(schema['properties'])})"
        return problem.location(), what, "write key: value lines"
    return None


_WORDING = Wording(
    readme=README,
    fixes={"additionalProperties": None, "required": "add it", "enum": "use one of them"},
    type_fixes={
        "array": "write a list, e.g. [a, b]",
        "object": "write a mapping of keys to values",
        "boolean": "write true or false",
        "string": "write text",
        "integer": "write a whole number",
    },
    # The whole file is the config: a problem at its top needs no "document:".
    name_root=False,
    special=_config_case,
)
"""How schema errors in a config file are worded."""
