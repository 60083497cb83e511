"""The CSV audit format, read back with the csv module as a spreadsheet would."""

from __future__ import annotations

import csv
import io

from greengate.records.audit import AuditReport
from greengate.reporters.audit import AuditFormat
from greengate.reporters.audit.csv_audit import COLUMNS, FORMULA_STARTS, cell


def read(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_one_row_per_deployment_under_a_stable_header(hostile_report: AuditReport) -> None:
    text = AuditFormat.CSV.render(hostile_report)
    header = next(csv.reader(io.StringIO(text)))
    assert header == [name for name, _ in COLUMNS]
    assert header[:6] == ["repository", "file", "line", "format", "kind", "name"]
    rows = read(text)
    assert len(rows) == len(hostile_report.rows)
    assert [r["name"].lstrip("'") for r in rows] == [
        r.name.replace("\n", "\\n") for r in hostile_report.rows
    ]


def test_numbers_are_unformatted_and_unknown_is_empty(hostile_report: AuditReport) -> None:
    rows = {r["file"]: r for r in read(AuditFormat.CSV.render(hostile_report))}
    chat = next(r for r in hostile_report.rows if r.name == "chat")
    written = rows[chat.file]
    assert float(written["tco2e_year_high"]) == chat.estimate.tco2e_year_high
    assert float(written["kwh_year_high"]) == chat.estimate.kwh_year_high
    assert written["line"] == "3"
    assert written["failing_rules"] == "GG101 GG201"
    assert written["best_alternative"] == "move to aws eu-north-1 (36 gCO2e/kWh)"
    assert float(written["best_saving_tco2e_year"]) == 1.3
    unknown = next(r for r in rows.values() if r["name"] == "unknown-one")
    for column in ("kwh_year_low", "tco2e_year_high", "grid_gco2e_per_kwh", "training_kwh"):
        assert unknown[column] == "", column


def test_no_cell_from_a_manifest_can_start_a_formula(hostile_report: AuditReport) -> None:
    for written in read(AuditFormat.CSV.render(hostile_report)):
        for value in written.values():
            assert not value.startswith(FORMULA_STARTS), value
    hostile = next(
        r for r in read(AuditFormat.CSV.render(hostile_report)) if "HYPERLINK" in r["name"]
    )
    assert hostile["name"].startswith("'=HYPERLINK(")
    assert hostile["owner"] == "'+team|b"
    assert hostile["model"] == "'@model"
    assert "\n" not in hostile["name"]  # shown as \n: a CSV may be printed to a terminal


def test_every_formula_start_is_quoted_and_plain_text_is_not() -> None:
    for start in FORMULA_STARTS:
        assert cell(f"{start}1+1").startswith("'")
    assert cell("team-a") == "team-a"
    assert cell("a-b") == "a-b"
    assert cell(-2.5) == "-2.5"  # a computed number is a number, not a formula
    assert cell(None) == ""
