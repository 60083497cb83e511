"""What greengate prints of what it read: escaped for terminals and CI logs, and JSON that parses.

Manifest strings (deployment names, fact values, file names, the messages
that quote them) are untrusted: a value may hold ANSI escapes, carriage
returns or newlines followed by a GitHub workflow command. :func:`printable`
is the one escaping function every text-like output uses, and
:func:`dumps` the one way greengate writes JSON.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable
from json.encoder import encode_basestring
from typing import Any

# C0 and C1 control characters and DEL (ANSI escapes, \r, \n, BEL...), the line and
# paragraph separators, and the bidirectional overrides that reorder what a terminal shows.
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
"""The characters :func:`printable` escapes (and the Markdown reporter drops)."""
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escape_char(char: str) -> str:
    """One unsafe character as it is shown: ``\\n``, ``\\x1b``, ``\\u202e``."""
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def escape_controls(value: object, *, keep: str = "") -> str:
    """``str(value)`` with control characters, line separators and bidi overrides shown as escapes.

    The characters in ``keep`` are left for the caller to encode (the GitHub
    reporter %-encodes ``\\r`` and ``\\n``; XML attributes carry them as
    character references). Enough where a value can never begin a line;
    elsewhere use :func:`printable`.
    """
    return UNSAFE.sub(lambda m: m[0] if m[0] in keep else escape_char(m[0]), str(value))


def printable(value: object) -> str:
    """``str(value)`` safe to print in a terminal or a CI log, as one piece of one line.

    Control characters, line separators and bidirectional overrides are shown
    as escapes (``\\x1b``, ``\\n``, :func:`escape_controls`), and the value
    can never start a GitHub workflow command: a leading ``::`` (the runner
    ignores blanks before it) is shown as ``\\x3a:``, and the legacy ``##[``
    form, recognised anywhere in a line, as ``#\\x23[``.
    """
    text = escape_controls(value)
    stripped = text.lstrip()
    if stripped.startswith("::"):
        start = len(text) - len(stripped)
        text = f"{text[:start]}\\x3a{text[start + 1 :]}"
    return text.replace("##[", "#\\x23[")


def finite(value: Any) -> Any:
    """``value`` with every infinite or NaN float replaced by ``None`` (JSON ``null``).

    JSON has no ``NaN`` or ``Infinity``; this is what ``JSON.stringify`` does
    with them. Dicts, lists and tuples are walked; everything else is kept.
    """
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(item) for item in value]
    return value


def dumps(
    value: Any, *, indent: int | None = None, default: Callable[[Any], Any] | None = None
) -> str:
    """``json.dumps`` of ``value`` made :func:`finite`: never ``NaN`` or ``Infinity``, always valid JSON.

    Printed in a terminal or a CI log it is as safe as :func:`printable`:
    every character that function escapes is a ``\\u`` escape, every line
    starts with a blank, a quote or a bracket, and a ``##[`` (only ever
    inside a string) is written ``#\\u0023[``, the same string. Non-ASCII
    characters are kept (``ensure_ascii=False``). ``default`` converts what
    JSON cannot hold, as in ``json.dumps``; what it returns is made finite too.
    """
    if indent is not None:
        return Indented(indent, default).dumps(value)
    convert = None if default is None else _finite_default(default)
    try:  # the C encoder refuses a NaN: only then is the value walked to replace it
        text = json.dumps(value, ensure_ascii=False, allow_nan=False, default=convert)
    except ValueError:
        text = json.dumps(finite(value), ensure_ascii=False, allow_nan=False, default=convert)
    return _safe(text)


class Indented:
    """The text of ``json.dumps(indent=...)``, as :func:`dumps` makes it safe, written fast.

    Python's ``json`` uses its C encoder only without ``indent``; with it,
    a pure-Python generator writes every value (most of the time of a JSON
    report of 100,000 findings). Here each container whose items are all
    scalars or empty containers (a finding, a location) is written whole by
    the C encoder, its item separator carrying the newline and the
    indentation of its depth; only containers holding containers are walked
    in Python. The text is the same, character for character (a test
    compares it with ``json.dumps`` on many values). One instance serves
    many calls: the JSON report writes its findings one by one with it.
    """

    def __init__(self, indent: int, default: Callable[[Any], Any] | None = None) -> None:
        self._unit = " " * indent
        self._default = None if default is None else _finite_default(default)
        self._breaks = ["\n"]
        """``"\\n"`` and the indentation of each depth, by depth."""
        self._flat: list[Callable[[Any], str]] = []
        """By depth: the C encoder of a container of scalars at that depth."""

    def dumps(self, value: Any, level: int = 0) -> str:
        """``value`` as :func:`dumps` writes it, as if it sat ``level`` deep in a document.

        A container's inner lines are indented for that depth and its
        closing bracket for ``level``; the first line is not indented.
        """
        parts: list[str] = []
        self._encode(value, level, parts.append)
        return _safe("".join(parts))

    def _depth(self, level: int) -> None:
        while len(self._breaks) <= level + 1:
            self._breaks.append(self._breaks[-1] + self._unit)
        while len(self._flat) <= level:
            separator = "," + self._breaks[len(self._flat) + 1]
            encoder = json.JSONEncoder(
                ensure_ascii=False, allow_nan=False, separators=(separator, ": ")
            )
            self._flat.append(encoder.encode)

    def _encode(self, value: Any, level: int, append: Callable[[str], None]) -> None:
        # The order of the tests is json's: a str or int subclass is written as one.
        if isinstance(value, str):
            append(encode_basestring(value))
        elif value is None:
            append("null")
        elif value is True:
            append("true")
        elif value is False:
            append("false")
        elif isinstance(value, int):
            append(int.__repr__(value))
        elif isinstance(value, float):
            append(float.__repr__(value) if math.isfinite(value) else "null")
        elif isinstance(value, (list, tuple, dict)):
            self._container(value, level, append)
        elif self._default is not None:
            self._encode(self._default(value), level, append)
        else:
            raise TypeError(f"Object of type {value.__class__.__name__} is not JSON serializable")

    def _container(
        self,
        value: list[Any] | tuple[Any, ...] | dict[Any, Any],
        level: int,
        append: Callable[[str], None],
    ) -> None:
        is_dict = isinstance(value, dict)
        items = value.values() if isinstance(value, dict) else value
        if not value:
            append("{}" if is_dict else "[]")
            return
        self._depth(level)
        inner = self._breaks[level + 1]
        if _flat(items):
            encode = self._flat[level]
            try:  # only a NaN or an infinity makes the C encoder refuse
                text = encode(value)
            except ValueError:
                text = encode(finite(value))
            append(f"{text[0]}{inner}{text[1:-1]}{self._breaks[level]}{text[-1]}")
            return
        separator = inner
        if isinstance(value, dict):
            append("{")
            for key, item in value.items():
                append(separator)
                append(_key(key))
                append(": ")
                self._encode(item, level + 1, append)
                separator = "," + inner
            append(self._breaks[level] + "}")
        else:
            append("[")
            for item in value:
                append(separator)
                self._encode(item, level + 1, append)
                separator = "," + inner
            append(self._breaks[level] + "]")


_SCALARS = (str, int, float)
_CONTAINERS = (list, tuple, dict)


def _flat(items: Iterable[Any]) -> bool:
    """Whether every item is a scalar or an empty container: the C encoder writes them all as
    ``indent`` would."""
    for item in items:
        if item is None or isinstance(item, _SCALARS):
            continue
        if not isinstance(item, _CONTAINERS) or item:
            return False
    return True


def _key(key: Any) -> str:
    """A mapping key as ``json.dumps`` writes it (a number or ``None`` becomes a string)."""
    if isinstance(key, str):
        return encode_basestring(key)
    if key is None or isinstance(key, (int, float)):
        return encode_basestring(json.dumps(key, allow_nan=False))
    raise TypeError(f"keys must be str, int, float, bool or None, not {key.__class__.__name__}")


def _finite_default(default: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda item: finite(default(item))


def _safe(text: str) -> str:
    return _JSON_UNSAFE.sub(_json_escape, text).replace("##[", "#\\u0023[")


# json.dumps already writes every C0 control character inside a string as an escape.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match[0]):04x}"
