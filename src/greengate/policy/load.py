"""Read policy files, validate them against the shipped schema, compile their CEL.

Any problem stops the run with a :class:`~greengate.errors.PolicyError` whose
message is ``file:line:column: what is wrong; how to fix``.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from greengate.errors import PolicyError
from greengate.load import Document, PathKey, load_file
from greengate.load.schema_errors import Said, SchemaProblem, Wording, dotted, schema_message
from greengate.load.schemas import first_error
from greengate.policy.cel import default_backend, selected_engine
from greengate.policy.cel.backend import CompileError, Program, Reference
from greengate.policy.facts import CATALOG_FIELDS, deployment_problem, suggest
from greengate.policy.model import Example, NamedExpression, Policy, Validation
from greengate.records.finding import Severity
from greengate.records.location import Location

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

POLICY_SUFFIXES = (".yaml", ".yml")
TEST_SUFFIXES = (".greengate-test.yaml", ".greengate-test.yml")
"""Test files of ``greengate test``: beside policies, never read as policies."""
CEL_NAMES = ("deployment", "params", "variables", "catalog")


_SCHEMA = ("greengate.schemas", "policy.schema.json")


def builtin_pack_dir() -> Path:
    """The built-in policy pack: inside the wheel, or ``policies/`` of a source checkout."""
    packaged = resources.files("greengate").joinpath("builtin_policies")
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[3] / "policies"


def builtin_pack() -> tuple[Policy, ...]:
    """The built-in policies, loaded and compiled once per process and CEL engine (they never change)."""
    return _builtin_pack(selected_engine())


@functools.cache
def _builtin_pack(engine: str) -> tuple[Policy, ...]:
    return tuple(load_policies([builtin_pack_dir()], builtin=True))


def policy_files(paths: Iterable[Path]) -> list[Path]:
    """Expand files and folders (recursively) into policy files, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                sorted(
                    p
                    for p in path.rglob("*")
                    if p.suffix in POLICY_SUFFIXES
                    and not p.name.lower().endswith(TEST_SUFFIXES)
                    and p.is_file()
                )
            )
        elif path.is_file():
            found.append(path)
        else:
            raise PolicyError(f"{path}: no such policy file or folder; check the --policy path")
    return found


def load_policies(
    paths: Sequence[Path], *, builtin: bool = False, display_root: Path | None = None
) -> list[Policy]:
    policies: list[Policy] = []
    for file in policy_files(paths):
        shown = _display(file, display_root)
        loaded = load_file(file, shown)
        lines = (
            tuple(file.read_text("utf-8", errors="replace").splitlines())
            if not loaded.problems
            else ()
        )
        if loaded.problems:
            problem = loaded.problems[0]
            raise PolicyError(f"{problem.location}: {problem.message}; fix the policy file's YAML")
        for document in loaded.documents:
            if document.data is None:
                continue
            policies.append(
                parse_policy(document, builtin=builtin, lines=lines, folder=file.parent)
            )
    check_unique(policies)
    return policies


def _display(file: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return file.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return file.as_posix()


def check_unique(policies: Sequence[Policy]) -> None:
    names: dict[str, Policy] = {}
    rules: dict[str, Location] = {}
    for policy in policies:
        if policy.name in names:
            first = names[policy.name].location
            raise PolicyError(
                f"{policy.location}: policy name '{policy.name}' is already used by {first}; give one of them another metadata.name"
            )
        names[policy.name] = policy
        for validation in policy.validations:
            if validation.id in rules:
                raise PolicyError(
                    f"{validation.location}: rule id '{validation.id}' is already used at {rules[validation.id]}; rule ids must be unique across all policies"
                )
            rules[validation.id] = validation.location


def parse_policy(
    document: Document,
    *,
    builtin: bool = False,
    lines: Sequence[str] = (),
    folder: Path | None = None,
) -> Policy:
    """One policy from its document; ``lines`` (the file's text) locate CEL errors in block scalars.

    ``folder`` is the policy file's: examples name their ``file:`` relative to it.
    """
    data = document.data
    error = first_error(*_SCHEMA, data)
    if error is not None:
        raise PolicyError(_schema_message(document, error))
    meta = data["metadata"]
    spec = data["spec"]
    severity = Severity(spec.get("severity", "medium"))
    names = Declared(
        frozenset(spec.get("params", {})),
        frozenset(item["name"] for item in spec.get("variables", [])),
    )
    match = tuple(
        _named(document, lines, ("spec", "matchConditions", i), item, names)
        for i, item in enumerate(spec.get("matchConditions", []))
    )
    variables = tuple(
        _named(document, lines, ("spec", "variables", i), item, names)
        for i, item in enumerate(spec.get("variables", []))
    )
    _check_unique_names(document, "matchConditions", match)
    _check_unique_names(document, "variables", variables)
    validations = tuple(
        _validation(document, lines, i, item, severity, names)
        for i, item in enumerate(spec["validations"])
    )
    examples = tuple(
        _example(document, i, item, folder) for i, item in enumerate(spec.get("examples", []))
    )
    return Policy(
        name=meta["name"],
        title=meta.get("title", meta["name"]),
        description=meta.get("description", "").strip(),
        references=tuple(meta.get("references", ())),
        severity=severity,
        params=spec.get("params", {}),
        match_conditions=match,
        variables=variables,
        validations=validations,
        examples=examples,
        location=document.location(("metadata", "name")),
        builtin=builtin,
        source=data,
    )


def _example(
    document: Document, index: int, item: Mapping[str, Any], folder: Path | None
) -> Example:
    """One example; an inline manifest keeps its positions, so findings point into the policy."""
    path: PathKey = ("spec", "examples", index)
    manifest = None
    if "manifest" in item:
        at = (*path, "manifest")
        spans = {
            key[len(at) :]: span for key, span in document.spans.items() if key[: len(at)] == at
        }
        manifest = Document(document.file, document.index, item["manifest"], spans)
    return Example(
        name=item["name"],
        expect=item["expect"],
        rules=tuple(item.get("rules", ())),
        params=item.get("params", {}),
        manifest=manifest,
        location=document.location(path),
        file=(folder or Path()) / item["file"] if "file" in item else None,
        message=item.get("message", ""),
        line=item.get("line"),
    )


def _check_unique_names(document: Document, what: str, items: Sequence[NamedExpression]) -> None:
    seen: set[str] = set()
    for item in items:
        if item.name in seen:
            raise PolicyError(
                f"{item.location}: {what} name '{item.name}' is defined twice; rename one"
            )
        seen.add(item.name)


def _named(
    document: Document,
    lines: Sequence[str],
    path: PathKey,
    item: Mapping[str, Any],
    names: Declared,
) -> NamedExpression:
    return NamedExpression(
        item["name"],
        _compile(document, lines, (*path, "expression"), item["expression"], names),
        document.location(path),
    )


def _validation(
    document: Document,
    lines: Sequence[str],
    index: int,
    item: Mapping[str, Any],
    severity: Severity,
    names: Declared,
) -> Validation:
    path: PathKey = ("spec", "validations", index)
    program = _compile(document, lines, (*path, "expression"), item["expression"], names)
    message_program = None
    if "messageExpression" in item:
        message_program = _compile(
            document, lines, (*path, "messageExpression"), item["messageExpression"], names
        )
    return Validation(
        id=item["id"],
        title=item.get("title", item["id"]),
        program=program,
        message=item.get("message", ""),
        message_program=message_program,
        field=item.get("field", ""),
        remediation=item.get("remediation", "").strip(),
        severity=Severity(item["severity"]) if "severity" in item else severity,
        location=document.location((*path, "id")),
    )


def _compile(
    document: Document, lines: Sequence[str], path: PathKey, source: str, names: Declared
) -> Program:
    try:
        program = default_backend().compile(source)
    except CompileError as exc:
        where = _cel_position(document, lines, path, source, exc.line, exc.column)
        raise PolicyError(f"{where}: {exc}; fix the CEL expression") from None
    _check_names(document, lines, path, source, program, names)
    return program


def _check_names(
    document: Document,
    lines: Sequence[str],
    path: PathKey,
    source: str,
    program: Program,
    names: Declared,
) -> None:
    """Refuse an identifier the engine does not bind (``limitz``, ``deploymnt``) at load.

    Evaluation would only meet it on a path it takes (never behind a ``||``
    that is already true); the backend names every top-level identifier
    from the parse tree, so each one is checked here, before any deployment.
    """
    for reference in program.references():
        if reference.name in CEL_NAMES:
            _check_path(document, lines, path, source, reference, names)
            continue
        if reference.name in CEL_TYPE_NAMES:
            continue
        guess = difflib.get_close_matches(reference.name, CEL_NAMES, n=1, cutoff=0.7)
        where = _cel_position(document, lines, path, source, reference.line, reference.column)
        mean = f" (did you mean '{guess[0]}'?)" if guess else ""
        raise PolicyError(
            f"{where}: undeclared reference to '{reference.name}'{mean}; expressions can use {', '.join(CEL_NAMES)}, and the variable a macro such as all(x, ...) binds; correct the name"
        )


@dataclass(frozen=True)
class Declared:
    """What a policy declares that its expressions may read: its params and variables."""

    params: frozenset[str] = frozenset()
    variables: frozenset[str] = frozenset()


def _check_path(
    document: Document,
    lines: Sequence[str],
    path: PathKey,
    source: str,
    reference: Reference,
    names: Declared,
) -> None:
    """Refuse a field the engine never binds: a fact, param, variable or catalog entry that is not."""
    fields = [f.name for f in reference.path]
    if not fields:
        return
    problem: tuple[int, str] | None = None
    if reference.name == "deployment":
        problem = deployment_problem(fields)
    elif reference.name == "params" and fields[0] not in names.params:
        listed = ", ".join(sorted(names.params)) or "none"
        problem = (
            0,
            f"params.{fields[0]} is not declared in spec.params{suggest(fields[0], names.params)}; the policy declares {listed}: declare it with a default",
        )
    elif reference.name == "variables" and fields[0] not in names.variables:
        listed = ", ".join(sorted(names.variables)) or "none"
        problem = (
            0,
            f"variables.{fields[0]} is not in spec.variables{suggest(fields[0], names.variables)}; the policy has {listed}",
        )
    elif reference.name == "catalog" and fields[0] not in CATALOG_FIELDS:
        problem = (
            0,
            f"catalog.{fields[0]} is not in the catalog view{suggest(fields[0], CATALOG_FIELDS)}; it has {', '.join(CATALOG_FIELDS)}",
        )
    if problem is None:
        return
    index, why = problem
    at = reference.path[index]
    where = _cel_position(document, lines, path, source, at.line, at.column)
    raise PolicyError(f"{where}: {why}; correct the name")


CEL_TYPE_NAMES = frozenset(
    {"bool", "bytes", "double", "int", "list", "map", "null_type", "string", "type", "uint"}
)
"""CEL's type names, which an expression may use as values (``type(x) == int``)."""


def _offset(source: str, line: int, column: int) -> int:
    """0-based offset of a 1-based line/column in ``source``."""
    lines = source.split("\n")
    return sum(len(text) + 1 for text in lines[: line - 1]) + column - 1


def _cel_position(
    document: Document, lines: Sequence[str], path: PathKey, source: str, line: int, column: int
) -> Location:
    """Map a 1-based line/column inside a CEL string to the file."""
    span = document.span(path)
    if span is None:
        return document.location(path)
    if span.style in ("|", ">"):
        # Block scalar: content starts on the line after the indicator.
        indent = _block_indent(lines, span.line + 1)
        if span.style == ">":
            # Folded: CEL saw the lines joined by spaces; walk the raw lines to the column.
            offset = _offset(source, line, column)
            for row, text in enumerate(lines[span.line : span.end_line]):
                width = len(text.strip())
                if offset <= width:
                    return Location(document.file, span.line + 1 + row, indent + offset + 1)
                offset -= width + 1
            return Location(document.file, span.line + 1, indent + 1)
        return Location(document.file, span.line + line, indent + column)
    quote = 1 if span.style in ('"', "'") else 0
    if line == 1:
        return Location(document.file, span.line, span.column + quote + column - 1)
    return Location(document.file, span.line + line - 1, column)


def _block_indent(lines: Sequence[str], line: int) -> int:
    if 0 < line <= len(lines):
        text = lines[line - 1]
        return len(text) - len(text.lstrip(" "))
    return 0


def _schema_message(document: Document, error: ValidationError) -> str:
    return schema_message(document, error, _WORDING)


def _validation_message(problem: SchemaProblem) -> Said | None:
    path = problem.path
    if problem.keyword == "anyOf" and len(path) >= 2 and path[-2] == "validations":
        what = f"{dotted(path)}: a validation needs a 'message' or a 'messageExpression'"
        return problem.location(), what, "add one"
    if problem.keyword == "oneOf" and len(path) >= 2 and path[-2] == "examples":
        what = f"{dotted(path)}: an example needs either a 'manifest' (inline) or a 'file'"
        return problem.location(), what, "give exactly one of them"
    return None


_WORDING = Wording(
    readme="see 'Writing a policy' in the README",
    fixes={"required": "add it"},
    special=_validation_message,
)
