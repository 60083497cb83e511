"""The fast indented JSON writer gives exactly what ``json.dumps(indent=...)`` gives.

:class:`~greengate.records.text.Indented` writes containers of scalars with
the C encoder and the rest in Python; whatever the shape, the text must be
the one the pure-Python encoder writes, after :func:`dumps`'s safety escapes.
"""

from __future__ import annotations

import enum
import json
import re
from typing import Any

import pytest

from greengate.records.report import Report
from greengate.records.text import Indented, dumps, finite
from greengate.reporters import OutputFormat
from greengate.reporters.json_report import report_dict

_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def reference(value: Any, indent: int | None = 2) -> str:
    text = json.dumps(finite(value), indent=indent, ensure_ascii=False, allow_nan=False)
    return _UNSAFE.sub(lambda m: f"\\u{ord(m[0]):04x}", text).replace("##[", "#\\u0023[")


class Tone(str, enum.Enum):
    HIGH = "high"


class Rank(enum.IntEnum):
    ONE = 1


VALUES: list[Any] = [
    {},
    [],
    (),
    "",
    "plain",
    0,
    -7,
    10**40,
    None,
    True,
    False,
    0.1,
    -0.0,
    1e300,
    5e-324,
    float("nan"),
    float("inf"),
    {"a": []},
    {"a": {}},
    [[]],
    [{}],
    [[[[{"x": [1, {"y": ()}]}]]]],
    {"ü": "ünïcode", "bidi": "a\u202eb\u2066", "ctl": "\x00\x1b[31m\r\n\t\x7f\x85\u2028"},
    {"cmd": "x ##[error]y", "quote": 'a"b\\c'},
    {"n": [float("nan"), float("-inf"), 2.5, (float("inf"), "x")], "m": {"k": float("nan")}},
    {7: "int key", 2.5: "float key", None: "none key", False: "bool key"},
    {"tone": Tone.HIGH, "rank": Rank.ONE, "list": [Tone.HIGH, Rank.ONE]},
    {"mixed": [1, "two", None, [], {}, [3], {"four": 4}], "after": "end"},
]


@pytest.mark.parametrize("value", VALUES, ids=range(len(VALUES)))
def test_the_text_is_json_dumps(value: Any) -> None:
    assert dumps(value, indent=2) == reference(value)
    assert dumps(value, indent=4) == reference(value, 4)
    assert dumps(value) == reference(value, None)


def test_a_value_deeper_in_a_document_is_indented_for_its_depth() -> None:
    value = {"a": [1, {"b": float("nan")}], "c": "d"}
    document = reference({"x": {"y": value}})
    inner = Indented(2).dumps(value, 2)
    assert f'"y": {inner}\n' in document


def test_the_default_conversion_is_used_and_made_finite() -> None:
    class Odd:
        pass

    value = {"odd": Odd(), "list": [Odd(), 1]}
    text = dumps(value, indent=2, default=lambda item: {"inf": float("inf")})
    assert text == reference({"odd": {"inf": None}, "list": [{"inf": None}, 1]})
    with pytest.raises(TypeError, match="not JSON serializable"):
        dumps({"odd": [Odd(), {"x": 1}]}, indent=2)


def test_a_key_json_cannot_hold_is_refused_as_json_refuses_it() -> None:
    with pytest.raises(TypeError, match="keys must be"):
        dumps({(1, 2): "tuple key", "x": [1]}, indent=2)
    with pytest.raises(ValueError):
        dumps({float("nan"): 1}, indent=2)


@pytest.mark.parametrize("fmt", [OutputFormat.JSON, OutputFormat.SARIF])
def test_reports_are_the_text_json_dumps_writes(fmt: OutputFormat, report: Report) -> None:
    text = fmt.reporter(report)
    if fmt is OutputFormat.JSON:
        assert text == reference(report_dict(report)) + "\n"
    assert text == reference(json.loads(text)) + "\n"
