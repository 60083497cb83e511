"""``--format json`` output against the schema shipped as ``greengate/schemas/report.schema.json``."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from importlib import resources
from typing import Any

import jsonschema
import pytest

from greengate.records.report import Report
from greengate.reporters import json_report

SCHEMA: dict[str, Any] = json.loads(
    resources.files("greengate.schemas").joinpath("report.schema.json").read_text("utf-8")
)


def test_the_schema_is_a_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize(
    "name", ["report", "empty_report", "nasty_report", "docs_report", "baseline_report"]
)
def test_the_json_output_validates(name: str, request: pytest.FixtureRequest) -> None:
    document = json.loads(json_report.render(request.getfixturevalue(name)))
    validator = jsonschema.Draft202012Validator(SCHEMA)
    assert [f"{e.json_path}: {e.message}" for e in validator.iter_errors(document)] == []


def test_the_schema_covers_the_current_schema_version() -> None:
    assert re.fullmatch(
        SCHEMA["properties"]["schemaVersion"]["pattern"], json_report.SCHEMA_VERSION
    )


def test_an_unknown_field_is_rejected(report: Report) -> None:
    """So that a field added to the output without the schema fails here."""
    document = json.loads(json_report.render(report))
    document["findings"][0]["extra"] = 1
    assert not jsonschema.Draft202012Validator(SCHEMA).is_valid(document)


def test_waivers_and_the_baseline_are_in_the_output(baseline_report: Report) -> None:
    document = json.loads(json_report.render(baseline_report))
    assert document["schemaVersion"] == "1.2"
    assert document["baseline"] == ".greengate-baseline.json"
    assert document["summary"]["byStatus"]["existing"] == 1
    assert document["fixedSinceBaseline"] == [
        {
            "fingerprint": "0123456789abcdef0123456789abcdef",
            "ruleId": "GG401",
            "file": "deploy/old.yaml",
            "deployment": "legacy-bot",
            "field": "hardware.accelerator",
            "message": "accelerator nvidia-k80 (Kepler) is older than Ampere",
        }
    ]
    waived = [f for f in document["findings"] if f["status"] == "waived"]
    assert [f["justification"] for f in waived] == [
        "evaluation shows smaller models fail the quality bar (owner: team-chat, expires 2026-06-30)"
    ]
    assert all(f["justification"] == "" for f in document["findings"] if f["status"] != "waived")


def test_rendering_piecewise_gives_the_same_json(report: Report, empty_report: Report) -> None:
    """The reporter builds its text finding by finding (memory); it must equal a plain dump."""
    import json

    from greengate.reporters import json_report

    for r in (report, empty_report):
        expected = json.dumps(json_report.report_dict(r), indent=2, ensure_ascii=False) + "\n"
        assert json_report.render(r) == expected


def test_a_finding_s_notes_are_in_the_output_and_counted(report: Report) -> None:
    note = "the messageExpression of GG101 (p.yaml:9:11) failed: no such overload"
    first = replace(report.findings[0], notes=(note,))
    document = json.loads(
        json_report.render(replace(report, findings=(first, *report.findings[1:])))
    )
    assert jsonschema.Draft202012Validator(SCHEMA).is_valid(document)
    assert document["findings"][0]["notes"] == [note]
    assert document["summary"]["noted"] == 1
    assert json.loads(json_report.render(report))["summary"]["noted"] == 0
