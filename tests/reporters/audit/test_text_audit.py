"""The text audit: fits a terminal, lists the biggest first, says what it left out, escapes."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from greengate.aggregate.savings import top_savings
from greengate.aggregate.totals import summarise
from greengate.app.audit import AuditOptions, run_audit
from greengate.cli import main
from greengate.records.audit import (
    Alternative,
    AuditError,
    AuditReport,
    AuditRow,
    Estimate,
    Repository,
    sorted_rows,
)
from greengate.reporters.audit import AuditFormat, text_audit

REPO = Path(__file__).resolve().parents[3]
README = (REPO / "README.md").read_text("utf-8")
HOSTILE = "\x1b[31mred\x1b[0m\n::error::pwned\u202e"


def report_of(rows: list[AuditRow], **extra: object) -> AuditReport:
    rows = list(sorted_rows(rows))
    overall, totals = summarise(rows)
    names = sorted({r.repository for r in rows}) or ["repo"]
    return AuditReport(
        repositories=tuple(Repository(n, n) for n in names),
        rows=tuple(rows),
        overall=overall,
        totals=totals,
        top_savings=top_savings(rows),
        **extra,  # type: ignore[arg-type]
    )


def row(n: int, high: float | None, **extra: object) -> AuditRow:
    estimate = Estimate(tco2e_year_low=high, tco2e_year_high=high, kwh_year_high=high)
    fields: dict[str, object] = {
        "repository": "repo",
        "file": f"deploy/{n:03}.yaml",
        "line": 1,
        "format": "native",
        "kind": "AIDeployment",
        "name": f"dep-{n:03}",
        "owner": f"team-{n:02}",
        "provider": "aws",
        "region": "eu-west-1",
        "accelerator": "nvidia-a100",
        "count": 1.0,
        "estimate": estimate,
    }
    fields.update(extra)
    return AuditRow(**fields)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def examples() -> AuditReport:
    report, _ = run_audit(AuditOptions(paths=[REPO / "examples"]))
    return report


def test_every_line_fits_a_100_column_terminal(examples: AuditReport) -> None:
    corpus, _ = run_audit(AuditOptions(paths=[REPO / "tests" / "data" / "corpus"]))
    for report in (examples, corpus):
        lines = text_audit.render(report).splitlines()
        assert [line for line in lines if len(line) > text_audit.WIDTH] == []


def test_sections_totals_and_the_ranked_savings(examples: AuditReport) -> None:
    text = text_audit.render(examples)
    for heading in ("Top savings", "Deployments (top 20 by tCO2e/year)", "Errors", "Rules"):
        assert f"\n{heading}\n" in text
    for dimension in ("owner", "repository", "provider", "region", "accelerator", "task"):
        assert f"\nBy {dimension}\n" in text
    savings = text.split("\nTop savings\n", 1)[1].split("\n\n", 1)[0].splitlines()
    best = examples.top_savings[0]
    rank, name = savings[1].split()[:2]
    assert rank == "1" and best.name.startswith(name.rstrip("…"))
    assert f" {best.alternative.saving_tco2e_year:.3g} " in savings[1]
    assert f"{best.alternative.saving_percent:.1f}%" in savings[1]
    assert f"{examples.overall.deployments} deployments" in text.splitlines()[0]


def test_unknown_figures_say_unknown_never_zero() -> None:
    report = report_of([row(1, 2.5), row(2, None, region="", provider="", accelerator="")])
    text = text_audit.render(report)
    assert "1 deployment without an estimate" in text
    unknown_region = next(
        line for line in text.split("\nBy region\n", 1)[1].splitlines() if "(unknown)" in line
    )
    assert "unknown" in unknown_region.replace("(unknown)", "") and " 0 " not in unknown_region
    listed = next(line for line in text.splitlines() if line.strip().startswith("dep-002"))
    assert listed.split()[-1] == "unknown"


def test_long_lists_are_cut_and_say_how_many_more() -> None:
    rows = [row(n, float(n)) for n in range(1, 26)]
    text = text_audit.render(report_of(rows))
    owners = text.split("\nBy owner\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert len(owners) == 1 + text_audit.TOP_GROUPS + 1 and owners[-1].strip() == "15 more groups"
    assert owners[1].split()[0] == "team-25"  # largest first
    listed = text.split("\nDeployments (top 20 by tCO2e/year)\n", 1)[1].split("\n\n", 1)[0]
    names = [line.split()[0] for line in listed.splitlines()[1:] if line.strip().startswith("dep")]
    assert names == [f"dep-{n:03}" for n in range(25, 5, -1)]
    assert "5 more: --format csv or --format json lists all" in listed


def test_long_cells_are_cut_with_an_ellipsis_paths_at_the_start() -> None:
    long_name = "a-deployment-with-a-name-much-longer-than-any-column-" * 2
    long_file = "very/deep/" * 8 + "model.yaml"
    text = text_audit.render(report_of([row(1, 1.0, name=long_name, file=long_file)]))
    line = next(line for line in text.splitlines() if line.strip().startswith("a-deployment"))
    assert "…" in line and long_name not in line
    assert "…" in line.split()[1] and line.split()[1].endswith("model.yaml:1")
    assert len(line) <= text_audit.WIDTH


def test_manifest_values_are_escaped() -> None:
    saving = Alternative("region", HOSTILE, HOSTILE, 0.5, 0.5, 50.0, HOSTILE)
    hostile = row(1, 1.0, name=HOSTILE, owner=HOSTILE, region=HOSTILE, alternatives=(saving,))
    error = AuditError("repo", HOSTILE, 3, "GG001", HOSTILE)
    text = text_audit.render(report_of([hostile], errors=(error,), notes=(HOSTILE,)))
    assert "\x1b" not in text and "\u202e" not in text
    assert not any(line.lstrip().startswith("::") for line in text.splitlines())
    assert "\\x1b[31mred" in text


def test_an_empty_audit_renders() -> None:
    text = text_audit.render(AuditReport())
    assert text.startswith("greengate audit: 0 deployments in 0 repositories")
    assert "none found" in text and "Top savings\n  none" in text


def test_text_is_the_default_format(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    result = CliRunner().invoke(main, ["audit", "examples"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("greengate audit: ")
    assert AuditFormat("text") is AuditFormat.TEXT


def test_the_readme_excerpt_is_real(monkeypatch: pytest.MonkeyPatch) -> None:
    excerpt = README.split("$ greengate audit examples/\n", 1)[1].split("\n```", 1)[0]
    monkeypatch.chdir(REPO)
    result = CliRunner().invoke(main, ["audit", "examples/"])
    printed = result.stdout.splitlines()
    assert "Top savings" in excerpt
    assert [line for line in excerpt.splitlines() if line not in printed and line != "..."] == []
