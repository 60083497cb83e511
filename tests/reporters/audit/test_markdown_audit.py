"""The Markdown audit format: what a wiki page or a pull-request comment shows."""

from __future__ import annotations

import re
from collections.abc import Callable

from greengate.records.audit import AuditReport, AuditRow
from greengate.reporters.audit import AuditFormat
from greengate.reporters.audit.markdown_audit import MAX_BYTES, render_markdown, text


def table_rows(markdown: str, heading: str) -> list[str]:
    section = markdown.split(f"### {heading}\n\n", 1)[1].split("\n\n", 1)[0]
    return [line for line in section.splitlines() if line.startswith("|")][2:]


def test_totals_groups_savings_deployments_and_errors(hostile_report: AuditReport) -> None:
    markdown = AuditFormat.MARKDOWN.render(hostile_report)
    assert markdown.startswith("## greengate audit\n")
    for dimension in ("owner", "repository", "provider", "region", "accelerator", "task", "policy"):
        assert f"### By {dimension}\n" in markdown
    savings = table_rows(markdown, "Top savings")
    assert len(savings) == 1 and "move to aws eu-north-1" in savings[0] and "86.7%" in savings[0]
    assert len(table_rows(markdown, "Deployments")) == 3
    assert "GG002" in markdown.split("### Errors", 1)[1]
    overall = hostile_report.overall
    assert f"{overall.tco2e_year_high:,.3f}" in markdown.split("### By owner")[0]


def test_unknown_figures_say_unknown_never_zero(hostile_report: AuditReport) -> None:
    markdown = AuditFormat.MARKDOWN.render(hostile_report)
    unknown = next(r for r in table_rows(markdown, "Deployments") if "unknown-one" in r)
    cells = [c.strip() for c in unknown.strip("|").split(" | ")]
    assert cells[5:7] == ["unknown", "unknown"]
    assert "0.000" not in unknown


def test_manifest_text_cannot_break_a_table_or_inject_markup(hostile_report: AuditReport) -> None:
    markdown = AuditFormat.MARKDOWN.render(hostile_report)
    assert "<script>" not in markdown
    headings = [line for line in markdown.splitlines() if line.startswith("#")]
    ours = re.compile(r"#{2,3} (greengate audit|By \w+|Top savings|Deployments|Errors)")
    assert all(ours.fullmatch(line) for line in headings), headings
    columns = {line.count(" | ") for line in table_rows(markdown, "Deployments")}
    assert len(columns) == 1  # the hostile name's | did not add a cell
    hostile = next(r for r in table_rows(markdown, "Deployments") if "HYPERLINK" in r)
    assert "&#124;" in hostile and "\\`rm\\`" in hostile
    assert text("# title") == "\\# title"
    assert text("a\nb|c") == "a b&#124;c"


def test_a_long_inventory_is_cut_under_the_comment_limit_largest_first(
    make_row: Callable[..., AuditRow], make_audit: Callable[..., AuditReport]
) -> None:
    rows = [make_row(f"deployment-{i:04d}", tco2e=float(i)) for i in range(2_000)]
    markdown = render_markdown(make_audit(rows))
    assert len(markdown.encode("utf-8")) <= MAX_BYTES
    listed = table_rows(markdown, "Deployments")
    assert 0 < len(listed) < 2_000
    assert "deployment-1999" in listed[0] and "deployment-1998" in listed[1]
    left_out = re.search(
        r"_(\d+) more deployments \(less tCO2e/year, or none known\) left out to keep", markdown
    )
    assert left_out is not None and int(left_out[1]) == 2_000 - len(listed)
    assert "`--format json` and `--format csv`" in markdown
    assert "_1 more" not in markdown.split("### By owner")[1].split("### By repository")[0]
