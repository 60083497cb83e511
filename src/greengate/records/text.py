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


def dumps(value: Any, **options: Any) -> str:
    """``json.dumps`` of ``value`` made :func:`finite`: never ``NaN`` or ``Infinity``, always valid JSON.

    Printed in a terminal or a CI log it is as safe as :func:`printable`:
    every character that function escapes is a ``\\u`` escape, every line
    starts with a blank, a quote or a bracket, and a ``##[`` (only ever
    inside a string) is written ``#\\u0023[``, the same string.
    """
    options.setdefault("ensure_ascii", False)
    default = options.pop("default", None)
    if default is not None:
        options["default"] = lambda item: finite(default(item))
    text = json.dumps(finite(value), allow_nan=False, **options)
    return _JSON_UNSAFE.sub(_json_escape, text).replace("##[", "#\\u0023[")


# json.dumps already writes every C0 control character inside a string as an escape.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match[0]):04x}"
