"""The type a policy expects of each param: the type of its default in ``spec.params``.

A param set to a value of another type (``maxGridIntensity: "abc"``) would
only show up as an evaluation error on every deployment, or not at all behind
a ``||``; :func:`check_param` refuses it before the run, naming the type.

* ``200.0`` -> a number (an int is a number too); ``10000`` -> an integer
  (an integral float is one too, and so is a count written like the
  parameter counts everywhere else in greengate: ``7B``, ``350M``, which are
  turned into the integer); ``"x"`` -> a string; ``true`` -> a boolean;
  ``[...]`` -> a list; ``{...}`` -> a map; ``null`` -> anything.
* A list's items are checked against the default's items when those are all
  of one type; an empty default list takes any items.
* A map merges key by key (:func:`~greengate.policy.engine.deep_merge`), so a
  key the default does not have is allowed (a new task in ``maxParameters``):
  its value is checked against the default's values when those are all of
  one type.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from greengate.records.units import parse_parameter_count

_ARTICLE = {"integer": "an integer", "map": "a map"}


class ParamTypeError(ValueError):
    """``path`` (``maxParameters.chat``) is not of the ``expected`` type; ``str()`` says so."""

    def __init__(self, path: str, value: Any, expected: str, default: Any, exact: bool) -> None:
        self.path = path
        self.value = value
        self.expected = expected
        self.default = default
        shown = repr(default)
        said = f" (its default is {shown})" if exact and len(shown) <= 40 else ""
        super().__init__(
            f"{path}: {_short(value)} is {_article(kind(value) or 'null')}, but the policy expects"
            f" {_article(expected)}{said}; {_FIX[expected]}"
        )


def _short(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    shown = repr(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."


_FIX = {
    "number": "write a number such as 200 or 0.75",
    "integer": "write a whole number such as 10000, or a count such as 80B or 350M",
    "string": "write a string (quote it if YAML reads it as something else)",
    "boolean": "write true or false",
    "list": "write a list such as [a, b]",
    "map": "write a mapping of key: value lines",
}


def _article(name: str) -> str:
    return _ARTICLE.get(name, f"a {name}")


def kind(value: Any) -> str | None:
    """The param type of a value: number, integer, string, boolean, list, map; None for null."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping):
        return "map"
    if isinstance(value, Sequence):
        return "list"
    return type(value).__name__


def check_param(default: Any, value: Any, path: str, *, exact: bool = True) -> Any:
    """``value`` as the policy reads it (``80B`` -> 80000000000); raise :class:`ParamTypeError`.

    ``exact``: ``default`` is this very param's default, not one like it.
    """
    expected = kind(default)
    if expected is None:
        return value
    got = kind(value)
    if expected == "number" and got in ("number", "integer"):
        return value
    if expected == "integer":
        if got == "integer":
            return value
        if got == "number" and float(value).is_integer():
            return int(value)
        if got == "string" and parse_parameter_count(value) is not None:
            return parse_parameter_count(value)
        raise ParamTypeError(path, value, expected, default, exact)
    if got != expected:
        raise ParamTypeError(path, value, expected, default, exact)
    if expected == "list":
        item = _template(default)
        if item is None:
            return value
        return [check_param(item, v, f"{path}[{i}]", exact=False) for i, v in enumerate(value)]
    if expected == "map":
        item = _template(list(default.values()))
        checked = {}
        for key, v in value.items():
            known = key in default
            template = default[key] if known else item
            checked[key] = (
                v
                if template is None
                else check_param(template, v, f"{path}.{key}", exact=exact and known)
            )
        return checked
    return value


def _template(items: Sequence[Any]) -> Any:
    """A value of the one type all ``items`` share (ints and floats: a number), or None."""
    kinds = {kind(i) for i in items}
    if not kinds or None in kinds:
        return None
    if kinds <= {"integer", "number"} and len(kinds) == 2:
        return 0.0
    if len(kinds) == 1:
        return items[0]
    return None
