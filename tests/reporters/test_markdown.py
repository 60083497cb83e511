from __future__ import annotations

from collections.abc import Callable

import pytest

from greengate.records.report import Report
from greengate.reporters import markdown
from greengate.reporters.markdown import SourceLinks, render_markdown

LINKS = SourceLinks("https://github.com", "acme/platform", "0123abc")


def table_rows(text: str) -> list[str]:
    """The rows of the failures table (after its header)."""
    lines = text.splitlines()
    start = lines.index("| Location | Severity | Rule | Deployment | Message |") + 2
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        rows.append(line)
    return rows


def test_a_failing_report_starts_with_the_verdict_and_counts(report: Report) -> None:
    text = markdown.render(report)
    lines = text.splitlines()
    assert lines[0] == (
        "## ❌ greengate failed: 4 findings at or above `medium`"
        " (4 failed, 1 error, 1 waived, 1 skipped, 2 passed; 3 deployments in 4 files)"
    )
    assert "| findings | 1 | 1 | 1 | 1 | 0 |" in lines  # by severity, critical first
    assert "| findings | 4 | 1 | 1 | 0 | 1 | 2 |" in lines  # by status


def test_the_failures_table_lists_every_problem_most_severe_first(report: Report) -> None:
    rows = table_rows(markdown.render(report))
    assert rows == [
        "| deploy/broken.yaml:3 | error | GG001 | — | cannot parse YAML: mapping values are not allowed here |",
        "| deploy/summarizer.yaml:15 | critical | GG201 | support-summarizer | region us-east-1 has a grid intensity of 379 gCO2e/kWh; the limit is 200 |",
        "| deploy/summarizer.yaml:12 | high | GG101 | support-summarizer | model has 70B parameters; the limit for summarization is 13B |",
        "| deploy/summarizer.yaml:7 | medium | GG301 | support-summarizer | inference deployment declares no rate limits |",
        "| deploy/chat/bot.yaml:20 | low | GG401 | chat-bot | accelerator nvidia-t4 (Turing) is older than Ampere |",
    ]


def test_how_to_fix_names_each_failing_rule_once(report: Report) -> None:
    text = markdown.render(report)
    fixes = text.split("### How to fix\n\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert fixes == [
        "- **GG001** Manifest cannot be read: Fix the syntax error at the reported line.",
        "- **GG101** Model too large for its task: Use a model of at most 13B parameters for summarization, or justify a waiver.",
        "- **GG201** Region grid is carbon-intensive: Move the deployment to a region under 200 gCO2e/kWh, such as europe-north1.",
        "- **GG301** Inference without rate limits: Declare spec.rateLimits.requestsPerMinute.",
        "- **GG401** Accelerator generation too old: Use an accelerator of the Ampere generation or newer.",
    ]


def test_locations_link_to_the_commit_in_github_actions(
    report: Report, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.com")
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/platform")
    monkeypatch.setenv("GITHUB_SHA", "0123abc")
    rows = table_rows(markdown.render(report))
    assert rows[2].startswith(
        "| [deploy/summarizer.yaml:12](https://github.com/acme/platform/blob/0123abc/deploy/summarizer.yaml#L12) | high |"
    )


def test_without_the_whole_github_context_locations_are_plain(
    report: Report, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.com")
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/platform")
    assert table_rows(markdown.render(report))[2].startswith("| deploy/summarizer.yaml:12 | high |")


def test_cells_cannot_break_the_table_or_inject_html(nasty_report: Report) -> None:
    rows = table_rows(render_markdown(nasty_report, links=LINKS))
    assert rows[1] == (
        "| [deploy/a,b:c%d e#f.yaml:2](https://github.com/acme/platform/blob/0123abc/deploy/a%2Cb%3Ac%25d%20e%23f.yaml#L2)"
        ' | high | GG101 | svc &lt;"&amp;"&gt;'
        ' | limit &lt;13B&gt; &amp; "quoted", 100% sure: a second line bell &#124; pipe \\*star\\* \\[x\\](y) |'
    )
    assert rows[0].endswith(" | error | GG001 | — | badbyte\\[31m |")  # control characters dropped
    assert all(row.count(" | ") == 4 for row in rows)


def test_a_clean_report_is_a_short_pass(empty_report: Report) -> None:
    text = markdown.render(empty_report)
    assert text.startswith(
        "## ✅ greengate passed: no failing findings at or above `medium` (0 deployments in 0 files)\n"
    )
    assert "### Failing findings" not in text
    assert "How to fix" not in text


def test_a_long_table_is_folded_into_details(many_findings: Callable[[int], Report]) -> None:
    assert "<details>" not in markdown.render(many_findings(20))
    text = markdown.render(many_findings(21))
    assert "<details>\n<summary>21 failing findings</summary>\n\n| Location |" in text
    assert len(table_rows(text)) == 21


def test_500_findings_stay_well_under_the_limits(many_findings: Callable[[int], Report]) -> None:
    text = markdown.render(many_findings(500))
    assert len(text.encode("utf-8")) <= markdown.MAX_BYTES < 65_536
    assert text.startswith("## ❌ greengate failed: 500 findings at or above `medium`")
    assert "| Location | Severity | Rule | Deployment | Message |" in text
    rows = table_rows(text)
    shown = len(rows)
    assert 50 < shown < 500
    assert all("| critical |" in row for row in rows[:250])  # the cut keeps the most severe
    assert (
        f"_{500 - shown} more failing findings left out to keep this summary short;"
        " the full list is in the SARIF or JSON output (`--output-sarif`, `--output-json`)._"
    ) in text
    assert text.rstrip().endswith("such as europe-north1.")  # How to fix survives the cut


def test_the_budget_is_a_parameter(many_findings: Callable[[int], Report]) -> None:
    text = render_markdown(many_findings(100), max_bytes=5_000)
    assert len(text.encode("utf-8")) <= 5_000
    assert "more failing findings left out" in text


def test_a_huge_message_is_cut_in_its_cell() -> None:
    assert markdown.cell("x" * 1_000) == "x" * (markdown.MAX_CELL - 1) + "…"


def test_notes_are_quoted(build_report: Callable[..., Report]) -> None:
    assert "> no manifest found under docs/\n" in markdown.render(
        build_report((), notes=("no manifest found under docs/",))
    )


def test_waived_findings_are_listed_with_their_justification(report: Report) -> None:
    text = markdown.render(report)
    waived = text.split("### Waived findings\n\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert waived == [
        "| Location | Rule | Deployment | Justification |",
        "|---|---|---|---|",
        "| deploy/chat/bot.yaml:11 | GG101 | chat-bot | evaluation shows smaller models fail the quality bar (owner: team-chat, expires 2026-06-30) |",
    ]


def test_findings_in_the_baseline_are_counted(baseline_report: Report) -> None:
    lines = markdown.render(baseline_report).splitlines()
    assert lines[0].endswith(
        "(3 failed, 1 error, 1 waived, 1 in baseline, 1 skipped, 2 passed; 3 deployments in 4 files)"
    )
    assert "| All, by status | fail | error | waived | existing | skip | pass |" in lines
