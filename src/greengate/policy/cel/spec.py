"""The CEL spec's semantics where cel-python 0.5 differs: the functions the cel-python backend binds.

Each function takes and returns cel-python values and is a plain module-level
function, so that cel-python's compiled runner can call it by its dotted name
as well as the interpreter (see :mod:`greengate.policy.cel.celpython`); a
Python exception inside one becomes a CEL error value. What they bring, as
the cel-spec conformance files check it:

* **Heterogeneous equality**: ``int``, ``uint`` and ``double`` compare as
  numbers, inside lists and maps and for ``in`` too (``[1] == [1.0]``,
  ``dyn(3u) in [5, 4, 3]``, ``{1u: 'x'}[1]``); values of different types are
  unequal rather than an error (``dyn(1) == null`` is ``false``); NaN equals
  nothing, itself included.
* **Ordering across numbers** (``1 < 1.5``, ``2u > -1``).
* **string()** of a bool is ``true``/``false``, of a duration ``1.5s``, of a
  double as cel-go writes it (``200``, not ``200.0``).
* **The strings extension** of cel-go (version 4): ``charAt``, ``indexOf``
  and ``lastIndexOf`` with an optional start, ``lowerAscii``/``upperAscii``
  on ASCII letters only, ``replace`` and ``split`` with a limit,
  ``substring``, ``trim`` (Unicode white space), ``join``, ``reverse``,
  ``quote`` and ``format``.
"""

from __future__ import annotations

import datetime
import decimal
import math
import operator
from collections.abc import Callable
from typing import Any

from celpy import celtypes
from celpy.evaluation import CELEvalError

_NUMBERS = (celtypes.IntType, celtypes.UintType, celtypes.DoubleType)


def _is_number(value: Any) -> bool:
    return isinstance(value, _NUMBERS) and not isinstance(value, celtypes.BoolType)


def equal(left: Any, right: Any) -> bool:
    """CEL's ``==`` on two values (heterogeneous: different types are unequal)."""
    if _is_number(left) and _is_number(right):
        if isinstance(left, celtypes.DoubleType) or isinstance(right, celtypes.DoubleType):
            return float(left) == float(right)
        return int(left) == int(right)
    if isinstance(left, celtypes.BoolType) or isinstance(right, celtypes.BoolType):
        return type(left) is type(right) and bool(left) == bool(right)
    if left is None or right is None:
        return left is None and right is None
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(
            equal(a, b) for a, b in zip(left, right, strict=True)
        )
    if isinstance(left, dict) and isinstance(right, dict):
        if len(left) != len(right):
            return False
        for key, value in left.items():
            found = _lookup(right, key)
            if found is _ABSENT or not equal(value, found):
                return False
        return True
    if isinstance(left, type) or isinstance(right, type):
        return bool(_TYPES.get(left, left) == _TYPES.get(right, right))
    if isinstance(left, str) and isinstance(right, str):
        return str(left) == str(right)
    if type(left) is not type(right) and not (
        isinstance(left, type(right)) or isinstance(right, type(left))
    ):
        return False
    return bool(left == right)


_ABSENT = object()
_TYPES: dict[Any, Any] = {}
"""Classes standing for a cel-python type: :class:`String` is ``StringType``."""


def _lookup(mapping: dict[Any, Any], key: Any) -> Any:
    """The value of ``key`` in a CEL map, numeric keys matching across int, uint and double."""
    if not (_is_number(key) or isinstance(key, str | celtypes.BoolType)):
        raise TypeError(f"unsupported key type: {type(key).__name__}")
    for candidate, value in mapping.items():
        if equal(candidate, key):
            return value
    return _ABSENT


def _errors_first(left: Any, right: Any) -> Any:
    if isinstance(left, CELEvalError):
        return left
    if isinstance(right, CELEvalError):
        return right
    return None


def eq(left: Any, right: Any) -> Any:
    """``_==_``."""
    return _errors_first(left, right) or celtypes.BoolType(equal(left, right))


def ne(left: Any, right: Any) -> Any:
    """``_!=_``."""
    return _errors_first(left, right) or celtypes.BoolType(not equal(left, right))


def _compare(op: Callable[[Any, Any], bool], left: Any, right: Any) -> Any:
    error = _errors_first(left, right)
    if error is not None:
        return error
    if _is_number(left) and _is_number(right):
        if isinstance(left, celtypes.DoubleType) or isinstance(right, celtypes.DoubleType):
            return celtypes.BoolType(op(float(left), float(right)))
        return celtypes.BoolType(op(int(left), int(right)))
    if type(left) is not type(right):
        raise TypeError(f"no such overload: {type(left).__name__} and {type(right).__name__}")
    return celtypes.BoolType(op(left, right))


def lt(left: Any, right: Any) -> Any:
    """``_<_``."""
    return _compare(operator.lt, left, right)


def le(left: Any, right: Any) -> Any:
    """``_<=_``."""
    return _compare(operator.le, left, right)


def gt(left: Any, right: Any) -> Any:
    """``_>_``."""
    return _compare(operator.gt, left, right)


def ge(left: Any, right: Any) -> Any:
    """``_>=_``."""
    return _compare(operator.ge, left, right)


def contains(item: Any, container: Any) -> Any:
    """``_in_``: a list element or a map key equal to ``item``."""
    error = _errors_first(item, container)
    if error is not None:
        return error
    if isinstance(container, dict):
        try:
            return celtypes.BoolType(_lookup(container, item) is not _ABSENT)
        except TypeError:
            return celtypes.BoolType(False)
    if isinstance(container, list):
        return celtypes.BoolType(any(equal(item, element) for element in container))
    raise TypeError(f"no such overload: in {type(container).__name__}")


def index(container: Any, key: Any) -> Any:
    """``_[_]``: a list by an integral number, a map by a key equal to ``key``."""
    error = _errors_first(container, key)
    if error is not None:
        return error
    if isinstance(container, dict):
        found = _lookup(container, key)
        if found is _ABSENT:
            raise KeyError(f"no such key in mapping: {key!r}")
        return found
    if isinstance(container, list):
        if not _is_number(key) or (isinstance(key, float) and not float(key).is_integer()):
            raise TypeError(f"no such overload: list index {type(key).__name__}")
        position = int(key)
        if not 0 <= position < len(container):
            raise IndexError(f"index out of range: {position}")  # what cel-python's [] catches
        return container[position]
    return container[key]


class String(celtypes.StringType):
    """``string()``: ``true``/``false`` for bools, ``1.5s`` for durations, as the spec writes them.

    A class, not a function: cel-python resolves the identifier ``string``
    (``type(x) == string``) through the same table as the call ``string(x)``,
    so what is bound there must also stand for the type. It never makes an
    instance of itself: the value is a plain ``StringType``; :func:`equal`
    takes this class for ``StringType``.
    """

    def __new__(cls, value: Any = "") -> Any:
        if isinstance(value, CELEvalError):
            return value
        if isinstance(value, celtypes.BoolType):
            return celtypes.StringType("true" if value else "false")
        if isinstance(value, celtypes.DurationType):
            seconds = value.days * 86400 + value.seconds
            if value.microseconds:
                text = f"{seconds + value.microseconds / 1_000_000:.6f}".rstrip("0")
                return celtypes.StringType(f"{text}s")
            return celtypes.StringType(f"{seconds}s")
        if isinstance(value, celtypes.DoubleType):
            return celtypes.StringType(format_double(float(value)))
        return celtypes.StringType(value)


def format_double(number: float) -> str:
    """A double as cel-go's ``string()`` writes it (Go's ``%g``, shortest): ``200``, ``1e+06``.

    The shortest digits that read back as the same double; an exponent when
    it is below -4 or 6 and above, as Go's ``strconv.FormatFloat(x, 'g', -1, 64)``
    (and cel-cpp) write it.
    """
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "+Inf" if number > 0 else "-Inf"
    if number == 0:
        return "-0" if math.copysign(1.0, number) < 0 else "0"
    sign = "-" if number < 0 else ""
    shortest = decimal.Decimal(repr(abs(number))).normalize().as_tuple()
    digits = "".join(str(d) for d in shortest.digits)
    point = len(digits) + int(shortest.exponent)
    exponent = point - 1
    if exponent < -4 or exponent >= 6:
        mantissa = digits[0] + (f".{digits[1:]}" if len(digits) > 1 else "")
        return f"{sign}{mantissa}e{'+' if exponent >= 0 else '-'}{abs(exponent):02d}"
    if point <= 0:
        return f"{sign}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return f"{sign}{digits}{'0' * (point - len(digits))}"
    return f"{sign}{digits[:point]}.{digits[point:]}"


_TYPES[String] = celtypes.StringType


_MAX_DURATION = datetime.timedelta(microseconds=(2**63 - 1) // 1000)
"""cel-go's duration range: what a signed 64-bit count of nanoseconds holds (about 292 years)."""


def _in_range(value: Any) -> Any:
    if isinstance(value, datetime.timedelta) and not -_MAX_DURATION <= value <= _MAX_DURATION:
        raise OverflowError("duration out of range")
    return value


def add(left: Any, right: Any) -> Any:
    """``_+_``, with a duration result held to cel-go's range."""
    return _in_range(operator.add(left, right))


def subtract(left: Any, right: Any) -> Any:
    """``_-_``, with a duration result held to cel-go's range (``timestamp - timestamp`` too)."""
    return _in_range(operator.sub(left, right))


def quote(namespace: Any, text: Any = None) -> Any:
    """``strings.quote(s)``: a double-quoted CEL string literal that reads back as ``s``.

    cel-python calls it as a method of the identifier ``strings``, which the
    backend binds to :data:`STRINGS`.
    """
    if not isinstance(namespace, Namespace) or text is None:
        raise TypeError("no such overload: quote is strings.quote(string)")
    return celtypes.StringType('"' + "".join(_QUOTED.get(c, c) for c in _str(text)) + '"')


class Namespace(celtypes.MapType):
    """The value of a function namespace's name (``strings`` in ``strings.quote``)."""


STRINGS = Namespace()
"""What the identifier ``strings`` stands for: only ``strings.quote(s)`` reads it."""


def divide(left: Any, right: Any) -> Any:
    """``_/_``: IEEE 754 for doubles (``0.0/0.0`` is NaN, ``-1.0/0.0`` is ``-inf``)."""
    if isinstance(left, celtypes.DoubleType) and isinstance(right, celtypes.DoubleType):
        if float(right) == 0.0:
            if float(left) == 0.0 or math.isnan(float(left)):
                return celtypes.DoubleType(math.nan)
            sign = math.copysign(1.0, float(left)) * math.copysign(1.0, float(right))
            return celtypes.DoubleType(math.inf * sign)
        return celtypes.DoubleType(float(left) / float(right))
    return operator.truediv(left, right)


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"no such overload: expected a string, got {type(value).__name__}")
    return str(value)


def _int(value: Any) -> int:
    if not isinstance(value, celtypes.IntType) or isinstance(value, celtypes.BoolType):
        raise TypeError(f"no such overload: expected an int, got {type(value).__name__}")
    return int(value)


def char_at(text: Any, position: Any) -> Any:
    """``s.charAt(i)``: the character at ``i``, ``''`` at the end, an error beyond."""
    value, at = _str(text), _int(position)
    if not 0 <= at <= len(value):
        raise ValueError(f"index out of range: {at}")
    return celtypes.StringType(value[at : at + 1])


def index_of(text: Any, part: Any, start: Any = None) -> Any:
    """``s.indexOf(t[, start])``: where ``t`` first appears, from ``start``; -1 if not."""
    value, needle = _str(text), _str(part)
    begin = 0 if start is None else _int(start)
    if not 0 <= begin <= len(value):
        raise ValueError(f"index out of range: {begin}")
    return celtypes.IntType(value.find(needle, begin))


def last_index_of(text: Any, part: Any, start: Any = None) -> Any:
    """``s.lastIndexOf(t[, start])``: where ``t`` last appears at or before ``start``; -1 if not."""
    value, needle = _str(text), _str(part)
    end = len(value) if start is None else _int(start)
    if not 0 <= end <= len(value):
        raise ValueError(f"index out of range: {end}")
    return celtypes.IntType(value.rfind(needle, 0, end + len(needle)))


def _ascii(text: Any, shift: Callable[[str], str], letters: str) -> Any:
    return celtypes.StringType("".join(shift(c) if c in letters else c for c in _str(text)))


_LOWER = "abcdefghijklmnopqrstuvwxyz"
_UPPER = _LOWER.upper()


def lower_ascii(text: Any) -> Any:
    """``s.lowerAscii()``: ASCII letters only; ``Æ`` stays."""
    return _ascii(text, str.lower, _UPPER)


def upper_ascii(text: Any) -> Any:
    """``s.upperAscii()``: ASCII letters only."""
    return _ascii(text, str.upper, _LOWER)


def replace(text: Any, old: Any, new: Any, limit: Any = None) -> Any:
    """``s.replace(old, new[, n])``: at most ``n`` replacements when ``n`` is not negative."""
    count = -1 if limit is None else _int(limit)
    return celtypes.StringType(_str(text).replace(_str(old), _str(new), count))


def split(text: Any, separator: Any, limit: Any = None) -> Any:
    """``s.split(sep[, n])``: ``n`` 0 gives ``[]``, a negative ``n`` no limit."""
    value, sep = _str(text), _str(separator)
    count = -1 if limit is None else _int(limit)
    if count == 0:
        return celtypes.ListType([])
    if sep == "":
        parts = list(value)
        if count > 0 and len(parts) > count:
            parts = [*parts[: count - 1], "".join(parts[count - 1 :])]
    else:
        parts = value.split(sep, count - 1 if count > 0 else -1)
    return celtypes.ListType([celtypes.StringType(p) for p in parts])


def substring(text: Any, start: Any, end: Any = None) -> Any:
    """``s.substring(i[, j])``: an error when the range is not inside the string."""
    value = _str(text)
    begin = _int(start)
    stop = len(value) if end is None else _int(end)
    if not 0 <= begin <= stop <= len(value):
        raise ValueError(f"substring out of range: {begin}, {stop}")
    return celtypes.StringType(value[begin:stop])


_SPACE = (
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


def trim(text: Any) -> Any:
    """``s.trim()``: leading and trailing Unicode white space."""
    return celtypes.StringType(_str(text).strip(_SPACE))


def join(items: Any, separator: Any = None) -> Any:
    """``list.join([sep])``: a list of strings joined."""
    sep = "" if separator is None else _str(separator)
    if not isinstance(items, list):
        raise TypeError(f"no such overload: join on {type(items).__name__}")
    return celtypes.StringType(sep.join(_str(i) for i in items))


def reverse(text: Any) -> Any:
    """``s.reverse()``: the characters in reverse order."""
    return celtypes.StringType(_str(text)[::-1])


_QUOTED = {
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
    "\\": "\\\\",
    '"': '\\"',
}


def format_string(template: Any, arguments: Any) -> Any:
    """``s.format([args])``: ``%s %d %f %e %x %X %o %b`` and ``%%``, as cel-go formats them."""
    pattern = _str(template)
    if not isinstance(arguments, list):
        raise TypeError("no such overload: format takes a list")
    out: list[str] = []
    position = 0
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char != "%":
            out.append(char)
            i += 1
            continue
        i += 1
        if i < len(pattern) and pattern[i] == "%":
            out.append("%")
            i += 1
            continue
        precision: int | None = None
        if i < len(pattern) and pattern[i] == ".":
            digits = ""
            i += 1
            while i < len(pattern) and pattern[i].isdigit():
                digits += pattern[i]
                i += 1
            precision = int(digits or "0")
        if i >= len(pattern):
            raise ValueError("format: a % at the end of the string")
        verb = pattern[i]
        i += 1
        if position >= len(arguments):
            raise ValueError(f"format: index {position} out of range")
        out.append(_format_one(verb, arguments[position], precision))
        position += 1
    return celtypes.StringType("".join(out))


def _format_one(verb: str, value: Any, precision: int | None) -> str:
    if verb == "s":
        return _format_s(value)
    if verb == "d":
        if not _is_number(value) or isinstance(value, celtypes.DoubleType):
            raise TypeError(f"format: %d needs an integer, got {type(value).__name__}")
        return str(int(value))
    if verb in "fe":
        if not _is_number(value):
            raise TypeError(f"format: %{verb} needs a number, got {type(value).__name__}")
        number = float(value)
        if math.isnan(number):
            return "NaN"
        if math.isinf(number):
            return "Infinity" if number > 0 else "-Infinity"
        return f"{number:.{6 if precision is None else precision}{verb}}"
    if verb in "xXob":
        if isinstance(value, str):
            text = str(value).encode().hex()
            return text.upper() if verb == "X" else text
        if isinstance(value, bytes):
            text = bytes(value).hex()
            return text.upper() if verb == "X" else text
        if not _is_number(value) or isinstance(value, celtypes.DoubleType):
            raise TypeError(f"format: %{verb} needs an integer, got {type(value).__name__}")
        return format(int(value), verb)
    raise ValueError(f"format: unknown verb %{verb}")


def _format_s(value: Any) -> str:
    if isinstance(value, celtypes.BoolType):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, celtypes.DoubleType):
        number = float(value)
        if math.isnan(number):
            return "NaN"
        if math.isinf(number):
            return "Infinity" if number > 0 else "-Infinity"
        return repr(number).removesuffix(".0") if number.is_integer() else repr(number)
    if isinstance(value, list):
        return "[" + ", ".join(_format_s(v) for v in value) + "]"
    if isinstance(value, dict):
        items = sorted((_format_s(k), _format_s(v)) for k, v in value.items())
        return "{" + ", ".join(f"{k}: {v}" for k, v in items) + "}"
    if isinstance(value, bytes):
        return bytes(value).decode("utf-8", "replace")
    return str(String(value))


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "_==_": eq,
    "_!=_": ne,
    "_<_": lt,
    "_<=_": le,
    "_>_": gt,
    "_>=_": ge,
    "_in_": contains,
    "_[_]": index,
    "string": String,
    "_/_": divide,
    "charAt": char_at,
    "indexOf": index_of,
    "lastIndexOf": last_index_of,
    "lowerAscii": lower_ascii,
    "upperAscii": upper_ascii,
    "replace": replace,
    "split": split,
    "substring": substring,
    "trim": trim,
    "join": join,
    "reverse": reverse,
    "format": format_string,
    "quote": quote,
    "_+_": add,
    "_-_": subtract,
}
"""Function name (as cel-python resolves it) -> its implementation."""
