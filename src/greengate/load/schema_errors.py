"""Turn a JSON Schema error into one located, actionable sentence.

:func:`describe` says where an error is and what is wrong, e.g.
``spec.hardware.count: 'two' is not of type 'integer'``; the native manifest
adapter reports just that. Files that stop the run (the config file, policy
files, catalog extensions) also say how to fix it, each in the words of its
own documentation. :func:`schema_message` is the one translator for them:
the caller passes a :class:`Wording` holding its fix texts as data and its
own cases as small hooks, and gets ``file:line:column: what; how to fix``.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from greengate.load.document import Document, PathKey
from greengate.records.location import Location

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

__all__ = [
    "PARAMETER_COUNT_FIX",
    "Case",
    "Said",
    "SchemaProblem",
    "Wording",
    "describe",
    "dotted",
    "schema_message",
]

ROOT = "document"
"""How a message names the top of the file, where the path is empty."""

PARAMETER_COUNT_FIX = "write an integer or a number with k, M, B or T (350M, 7B, 1.5T)"
"""How to write a parameter count, wherever a schema asks for one."""


def dotted(path: tuple[Any, ...] | list[Any]) -> str:
    """``("spec", "validations", 0, "id")`` -> ``spec.validations[0].id``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


@dataclass(frozen=True)
class SchemaProblem:
    """A schema error and the document it is in, read for what a sentence about it needs."""

    document: Document
    error: ValidationError

    @property
    def path(self) -> PathKey:
        """Where the failing value is, from the top of the document."""
        return tuple(self.error.absolute_path)

    @property
    def where(self) -> str:
        """The value's dotted path, or ``document`` at the top of the file."""
        return dotted(self.path) or ROOT

    @property
    def keyword(self) -> str:
        """The JSON Schema keyword that failed: ``type``, ``required``, ``enum`` ..."""
        return str(self.error.validator)

    @property
    def instance(self) -> Any:
        """The failing value."""
        return self.error.instance

    @property
    def schema(self) -> Mapping[str, Any]:
        """The (sub)schema that failed; empty for a boolean schema."""
        return self.error.schema if isinstance(self.error.schema, dict) else {}

    def allowed_keys(self) -> list[str]:
        """The keys the failing schema's ``properties`` name, in schema order."""
        return list(self.schema.get("properties", {}))

    def unknown_keys(self) -> list[Any]:
        """The failing mapping's keys that ``properties`` does not name, in written order."""
        allowed = self.allowed_keys()
        return [key for key in self.instance if key not in allowed]

    def location(self, *below: str | int) -> Location:
        """Where the failing value (or one below it) is written."""
        return self.document.location((*self.path, *below))

    def key_location(self, *below: str | int) -> Location:
        """Where the key of the failing value (or of one below it) is written."""
        return self.document.key_location((*self.path, *below))


def _describe(problem: SchemaProblem) -> tuple[Location, str]:
    error, where = problem.error, problem.where
    if problem.keyword == "additionalProperties" and isinstance(problem.instance, dict):
        allowed = sorted(problem.allowed_keys())
        extra = sorted(problem.unknown_keys())
        if extra:
            guess = difflib.get_close_matches(extra[0], allowed, n=1)
            fix = f"did you mean '{guess[0]}'?" if guess else f"allowed keys: {', '.join(allowed)}"
            return problem.key_location(extra[0]), f"{where}: unknown key '{extra[0]}'; {fix}"
    if problem.keyword == "required":
        return problem.key_location(), f"{where}: {error.message}"
    if problem.keyword == "enum":
        values = error.validator_value if isinstance(error.validator_value, list) else []
        options = ", ".join(str(o) for o in values)
        return problem.location(), f"{where}: {problem.instance!r} is not one of {options}"
    if problem.keyword in ("pattern", "maxLength") and isinstance(
        problem.schema.get("description"), str
    ):
        # A pattern says nothing to a reader; the schema's description says what is allowed.
        return (
            problem.location(),
            f"{where}: {problem.instance!r} is not allowed here: {problem.schema['description']}",
        )
    if problem.keyword == "oneOf" and problem.path[-1:] == ("parameters",):
        return (
            problem.location(),
            f"{where}: {problem.instance!r} is not a parameter count; {PARAMETER_COUNT_FIX}",
        )
    return problem.location(), f"{where}: {error.message}"


def describe(document: Document, error: ValidationError) -> tuple[Location, str]:
    """Where the error is and what to do, e.g. ``spec.hardware.count: 'two' is not of type 'integer'``."""
    return _describe(SchemaProblem(document, error))


Said = tuple[Location, str, str | None]
"""A message in parts: where, what is wrong, and how to fix it (None: the what says it)."""

Case = Callable[[SchemaProblem], Said | None]
"""A format's own case: its message in parts, or None when the case does not apply."""


def _sentence(location: Location, what: str, how: str | None) -> str:
    return f"{location}: {what}" if how is None else f"{location}: {what}; {how}"


@dataclass(frozen=True)
class Wording:
    """How one file format words its schema errors.

    The shared cases are :func:`describe`'s sentences (unknown key with a
    did-you-mean, missing key, value not among the allowed ones, parameter
    count, anything else in jsonschema's words); the format adds the fix
    from ``fixes``, ``type_fixes`` or ``readme``. Its ``special`` cases come first.
    """

    readme: str
    """The fix when no other applies: where the format is documented."""
    fixes: Mapping[str, str | None] = field(default_factory=dict)
    """The fix per failing keyword (``required``, ``enum`` ...); None adds no fix."""
    type_fixes: Mapping[str, str] = field(default_factory=dict)
    """The fix for a ``type`` error, per the one JSON type the schema wants."""
    name_root: bool = True
    """Whether an error at the top of the file begins ``document:`` as describe() words it."""
    special: Case | None = None
    """The format's own cases, tried before the shared ones."""
    layout: Callable[[Location, str, str | None], str] = _sentence
    """How the parts make one sentence: ``file:line:column: what; how`` unless told otherwise."""

    def fix(self, problem: SchemaProblem) -> str | None:
        """The fix added to a shared case's sentence."""
        if problem.keyword == "type":
            wanted = problem.error.validator_value
            return (
                self.type_fixes.get(wanted, self.readme) if isinstance(wanted, str) else self.readme
            )
        return self.fixes.get(problem.keyword, self.readme)


def schema_message(document: Document, error: ValidationError, wording: Wording) -> str:
    """One sentence for a schema error: where, what is wrong, how to fix it, in ``wording``."""
    problem = SchemaProblem(document, error)
    said = wording.special(problem) if wording.special is not None else None
    if said is not None:
        return wording.layout(*said)
    location, message = _describe(problem)
    if not wording.name_root:
        message = message.removeprefix(f"{ROOT}: ")
    return wording.layout(location, message, wording.fix(problem))
