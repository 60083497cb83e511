"""A JSON Schema compiled into one fast yes/no check, for the documents that are valid.

``jsonschema``'s ``iter_errors`` builds an error object, a path and a schema
path for every keyword it visits, which costs about half a millisecond per
native manifest even when nothing is wrong. Most documents are valid, so
they are checked first by a predicate compiled here from the same schema
file; only a document it does not call valid is given to ``jsonschema``,
whose errors (messages, order, locations) are the ones reported. The answer
is therefore never the predicate's own words, only its "valid".

The predicate is built from the schema, not written beside it, so the two
cannot drift. It knows only the keywords below, with the semantics of
draft 2020-12 as ``jsonschema`` implements them; :func:`compile_check`
returns None for a schema using any other keyword (or a ``$ref`` other than
a local JSON pointer), and the caller then asks ``jsonschema`` every time.
It is exact for plain JSON values (``dict`` with ``str`` keys, ``list``,
``str``, ``int``, ``float``, ``bool``, ``None``: what the loaders produce);
a value of any other type makes it answer "not valid", so ``jsonschema``
decides.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["Check", "compile_check"]

Check = Callable[[Any], bool]
"""True when the value is valid under the schema it was compiled from."""

_ANNOTATIONS = frozenset(
    {"$schema", "$id", "$comment", "$defs", "title", "description", "examples", "default"}
)
"""Keywords that never make a value invalid."""

_PLAIN = frozenset({dict, list, str, int, float, bool, type(None)})


class _Unsupported(Exception):
    """The schema uses something the predicate does not implement."""


class _NotPlain(Exception):
    """The value holds a type that is not plain JSON: jsonschema must decide."""


def compile_check(schema: Any) -> Check | None:
    """The predicate of ``schema``, or None if it uses a keyword this module does not know."""
    compiler = _Compiler(schema)
    try:
        inner = compiler.node(schema)
    except _Unsupported:
        return None

    def check(value: Any) -> bool:
        try:
            return inner(value)
        except _NotPlain:
            return False
        except RecursionError:  # deeper than the schema could ever need: let jsonschema say
            return False

    return check


def _plain(value: Any) -> type:
    kind = type(value)
    if kind not in _PLAIN:
        raise _NotPlain
    return kind


def _is_number(kind: type, value: Any) -> bool:
    return kind is int or kind is float


_TYPES: dict[str, Callable[[type, Any], bool]] = {
    "object": lambda kind, value: kind is dict,
    "array": lambda kind, value: kind is list,
    "string": lambda kind, value: kind is str,
    "number": _is_number,
    "integer": lambda kind, value: kind is int or (kind is float and value.is_integer()),
    "boolean": lambda kind, value: kind is bool,
    "null": lambda kind, value: kind is type(None),
}


def _scalar(expected: Any) -> Any:
    """A ``const`` or ``enum`` value the predicate compares (a collection is not one)."""
    if type(expected) not in _PLAIN or type(expected) in (dict, list):
        raise _Unsupported
    return expected


def _same(value: Any, expected: Any) -> bool:
    """``jsonschema``'s equality with a scalar ``expected``: 1 and True differ, 1 and 1.0 do not."""
    kind, expected_kind = _plain(value), type(expected)
    if expected_kind is str or kind is str:
        return kind is expected_kind and value == expected
    if expected_kind is bool or kind is bool or value is None or expected is None:
        return value is expected
    return _is_number(kind, value) and _is_number(expected_kind, expected) and value == expected


class _Compiler:
    def __init__(self, root: Any) -> None:
        self.root = root
        self.refs: dict[str, Check] = {}

    def node(self, schema: Any) -> Check:
        if schema is True:
            return lambda value: True
        if schema is False:
            return lambda value: False
        if not isinstance(schema, Mapping):
            raise _Unsupported
        checks: list[Check] = []
        for keyword, argument in schema.items():
            if keyword == "$id" and schema is not self.root:
                raise _Unsupported  # a nested resource: its references resolve against it
            if keyword in _ANNOTATIONS:
                continue
            build = _KEYWORDS.get(keyword)
            if build is None:
                raise _Unsupported
            checks.append(build(self, argument, schema))
        return _all(checks)

    def ref(self, pointer: Any) -> Check:
        if not isinstance(pointer, str) or not pointer.startswith("#"):
            raise _Unsupported
        compiled = self.refs.get(pointer)
        if compiled is None:
            target: list[Check] = []  # filled below; a recursive reference calls through it
            self.refs[pointer] = lambda value: target[0](value)
            target.append(self.node(_resolve(self.root, pointer[1:])))
            self.refs[pointer] = compiled = target[0]
        return compiled


def _any_plain(value: Any) -> bool:
    _plain(value)
    return True


def _all(checks: list[Check]) -> Check:
    if not checks:
        return _any_plain
    if len(checks) == 1:
        return checks[0]
    every = tuple(checks)

    def check(value: Any) -> bool:
        for each in every:  # noqa: SIM110 - no generator per value: this is the hot path
            if not each(value):
                return False
        return True

    return check


def _resolve(root: Any, pointer: str) -> Any:
    if pointer and not pointer.startswith("/"):
        raise _Unsupported  # an anchor name, not a JSON pointer
    target = root
    for part in pointer.split("/")[1:]:
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(target, Mapping) or part not in target:
            raise _Unsupported
        target = target[part]
    return target


def _type(compiler: _Compiler, argument: Any, schema: Mapping[str, Any]) -> Check:
    names = [argument] if isinstance(argument, str) else argument
    if not isinstance(names, list) or not all(name in _TYPES for name in names):
        raise _Unsupported
    tests = [_TYPES[name] for name in names]

    def check(value: Any) -> bool:
        kind = _plain(value)
        return any(test(kind, value) for test in tests)

    return check


def _const(compiler: _Compiler, argument: Any, schema: Mapping[str, Any]) -> Check:
    expected = _scalar(argument)
    return lambda value: _same(value, expected)


def _enum(compiler: _Compiler, argument: Any, schema: Mapping[str, Any]) -> Check:
    if not isinstance(argument, list):
        raise _Unsupported
    choices = [_scalar(each) for each in argument]
    return lambda value: any(_same(value, each) for each in choices)


def _bound(compare: Callable[[Any, Any], bool]) -> Callable[[_Compiler, Any, Any], Check]:
    def build(compiler: _Compiler, argument: Any, schema: Mapping[str, Any]) -> Check:
        if type(argument) not in (int, float) or not math.isfinite(argument):
            raise _Unsupported

        def check(value: Any) -> bool:
            kind = _plain(value)
            return not _is_number(kind, value) or compare(value, argument)

        return check

    return build


def _length(longest: bool) -> Callable[[_Compiler, Any, Any], Check]:
    def build(compiler: _Compiler, argument: Any, schema: Mapping[str, Any]) -> Check:
        if type(argument) is not int:
            raise _Unsupported

        def check(value: Any) -> bool:
            if _plain(value) is not str:
                return True
            return len(value) <= argument if longest else len(value) >= argument

        return check

    return build


def _count(longest: bool) -> Callable[[_Compiler, Any, Any], Check]:
    def build(compiler: _Compiler, argument: Any, schema: Mapping[str, Any]) -> Check:
        if type(argument) is not int:
            raise _Unsupported

        def check(value: Any) -> bool:
            if _plain(value) is not list:
                return True
            return len(value) <= argument if longest else len(value) >= argument

        return check

    return build


def _pattern(compiler: _Compiler, argument: Any, schema: Mapping[str, Any]) -> Check:
    if not isinstance(argument, str):
        raise _Unsupported
    search = re.compile(argument).search
    return lambda value: _plain(value) is not str or search(value) is not None


def _required(compiler: _Compiler, argument: Any, schema: Mapping[str, Any]) -> Check:
    if not isinstance(argument, list):
        raise _Unsupported
    names = tuple(argument)
    return lambda value: _plain(value) is not dict or all(name in value for name in names)


def _properties(compiler: _Compiler, argument: Any, schema: Mapping[str, Any]) -> Check:
    if not isinstance(argument, Mapping):
        raise _Unsupported
    children = {name: compiler.node(sub) for name, sub in argument.items()}

    def check(value: Any) -> bool:
        if _plain(value) is not dict:
            return True
        for name, child in children.items():
            if name in value and not child(value[name]):
                return False
        return True

    return check


def _additional(compiler: _Compiler, argument: Any, schema: Mapping[str, Any]) -> Check:
    if "patternProperties" in schema:
        raise _Unsupported
    known = frozenset(schema.get("properties", {}))
    child = compiler.node(argument)

    def check(value: Any) -> bool:
        if _plain(value) is not dict:
            return True
        for name, item in value.items():
            if type(name) is not str:
                raise _NotPlain
            if name not in known and not child(item):
                return False
        return True

    return check


def _property_names(compiler: _Compiler, argument: Any, schema: Mapping[str, Any]) -> Check:
    child = compiler.node(argument)

    def check(value: Any) -> bool:
        if _plain(value) is not dict:
            return True
        for name in value:
            if type(name) is not str:
                raise _NotPlain
            if not child(name):
                return False
        return True

    return check


def _one_of(compiler: _Compiler, argument: Any, schema: Mapping[str, Any]) -> Check:
    if not isinstance(argument, list) or not argument:
        raise _Unsupported
    children = [compiler.node(sub) for sub in argument]
    return lambda value: sum(1 for child in children if child(value)) == 1


def _any_of(compiler: _Compiler, argument: Any, schema: Mapping[str, Any]) -> Check:
    if not isinstance(argument, list) or not argument:
        raise _Unsupported
    children = [compiler.node(sub) for sub in argument]
    return lambda value: any(child(value) for child in children)


def _all_of(compiler: _Compiler, argument: Any, schema: Mapping[str, Any]) -> Check:
    if not isinstance(argument, list) or not argument:
        raise _Unsupported
    return _all([compiler.node(sub) for sub in argument])


def _not(compiler: _Compiler, argument: Any, schema: Mapping[str, Any]) -> Check:
    child = compiler.node(argument)
    return lambda value: not child(value)


def _items(compiler: _Compiler, argument: Any, schema: Mapping[str, Any]) -> Check:
    if "prefixItems" in schema:
        raise _Unsupported
    child = compiler.node(argument)
    return lambda value: _plain(value) is not list or all(child(item) for item in value)


def _ref(compiler: _Compiler, argument: Any, schema: Mapping[str, Any]) -> Check:
    return compiler.ref(argument)


_KEYWORDS: dict[str, Callable[[_Compiler, Any, Mapping[str, Any]], Check]] = {
    "type": _type,
    "const": _const,
    "enum": _enum,
    "minimum": _bound(lambda value, bound: value >= bound),
    "maximum": _bound(lambda value, bound: value <= bound),
    "exclusiveMinimum": _bound(lambda value, bound: value > bound),
    "exclusiveMaximum": _bound(lambda value, bound: value < bound),
    "minLength": _length(longest=False),
    "maxLength": _length(longest=True),
    "minItems": _count(longest=False),
    "maxItems": _count(longest=True),
    "pattern": _pattern,
    "required": _required,
    "properties": _properties,
    "additionalProperties": _additional,
    "propertyNames": _property_names,
    "oneOf": _one_of,
    "anyOf": _any_of,
    "allOf": _all_of,
    "not": _not,
    "items": _items,
    "$ref": _ref,
}
