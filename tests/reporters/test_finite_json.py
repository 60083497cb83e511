"""JSON output is always valid JSON: never ``NaN`` or ``Infinity``, whatever the records hold.

A catalog extension or a computed estimate could give a fact an infinite or
NaN value; every format that writes JSON turns it into ``null`` and the text
parses with a parser that refuses the non-standard constants.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from greengate.records.deployment import Fact
from greengate.records.location import Location
from greengate.records.report import Report
from greengate.records.text import dumps, finite
from greengate.reporters import OutputFormat


def strict_loads(text: str) -> Any:
    def refuse(name: str) -> Any:
        raise AssertionError(f"{name} is not JSON")

    return json.loads(text, parse_constant=refuse)


def with_non_finite_facts(report: Report) -> Report:
    where = Location("deploy/summarizer.yaml", 9, 5)
    facts = {
        "estimate.powerWatts": Fact(float("inf"), where),
        "estimate.gramsCO2ePerHour": Fact(float("nan"), where),
        "cloud.gridIntensity": Fact(float("-inf"), where),
    }
    deployments = tuple(d.with_facts(facts) for d in report.deployments)
    return replace(report, deployments=deployments)


@pytest.mark.parametrize("fmt", [OutputFormat.JSON, OutputFormat.SARIF])
def test_every_json_format_parses_strictly(fmt: OutputFormat, report: Report) -> None:
    strict_loads(fmt.reporter(with_non_finite_facts(report)))


def test_finite_replaces_non_finite_floats_with_null() -> None:
    value = {"a": float("inf"), "b": [float("nan"), 1.5, (float("-inf"), "x")], "c": 2}
    assert finite(value) == {"a": None, "b": [None, 1.5, [None, "x"]], "c": 2}
    assert strict_loads(dumps(value)) == {"a": None, "b": [None, 1.5, [None, "x"]], "c": 2}


def test_a_default_conversion_is_made_finite_too() -> None:
    class Odd:
        pass

    text = dumps({"odd": Odd(), "n": float("nan")}, default=lambda item: float("inf"))
    assert strict_loads(text) == {"odd": None, "n": None}


def test_the_streamed_json_report_matches_dumps(
    report: Report, many_findings: Callable[[int], Report]
) -> None:
    for made in (report, many_findings(30)):
        text = OutputFormat.JSON.reporter(with_non_finite_facts(made))
        assert strict_loads(text)["summary"]["findings"] == len(made.findings)
