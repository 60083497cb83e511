"""The text report: problems by file, how to fix, waived findings, baseline, summary."""

from __future__ import annotations

from dataclasses import replace

from greengate.records.finding import Status
from greengate.records.report import Report
from greengate.reporters import text


def test_waived_findings_have_their_own_section_with_the_justification(report: Report) -> None:
    out = text.render(report)
    assert (
        "Waived\n"
        "  deploy/chat/bot.yaml:11:19  GG101  model has 34B parameters; the limit for code-generation is 13B\n"
        "    waived: evaluation shows smaller models fail the quality bar (owner: team-chat, expires 2026-06-30)\n"
    ) in out
    # Not among the problems, and counted in the summary.
    assert out.count("34B parameters") == 1
    assert ", 1 waived  (" in out.splitlines()[-1]


def test_findings_in_the_baseline_are_counted_and_fixed_ones_listed(
    baseline_report: Report,
) -> None:
    out = text.render(baseline_report)
    assert "GG201" not in out.split("How to fix")[0]
    assert (
        "Fixed since the baseline .greengate-baseline.json\n"
        "  deploy/old.yaml  GG401  legacy-bot hardware.accelerator\n"
    ) in out
    assert "note: 1 finding of the baseline .greengate-baseline.json no longer fails\n" in out
    assert out.splitlines()[-1] == (
        "FAIL  3 failed (1 high, 1 medium, 1 low), 1 error, 2 passed, 1 skipped, 1 waived,"
        " 1 in baseline  (3 deployments in 4 files; fail-on medium)"
    )


def test_without_a_baseline_the_summary_says_nothing_of_it(report: Report) -> None:
    assert "baseline" not in text.render(report)


def test_a_failed_message_expression_is_shown_under_its_finding_and_counted(
    report: Report,
) -> None:
    failing = next(f for f in report.findings if f.status is Status.FAIL)
    note = "the messageExpression of GG201 (p.yaml:9:11) failed: no such overload"
    noted = replace(
        report,
        findings=tuple(replace(f, notes=(note,)) if f is failing else f for f in report.findings),
    )
    out = text.render(noted)
    assert f"\n    note: {note}\n" in out
    assert ", 1 with a failed messageExpression  (" in out.splitlines()[-1]
    assert "messageExpression" not in text.render(report)
