"""`greengate check` output options: one run, several reports, the exit code unchanged.

The check itself is replaced by the shared fixture report, so these tests are
about the wiring of outputs only.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from greengate.cli import check as cli
from greengate.cli import main
from greengate.records.report import Report
from greengate.reporters import OutputFormat


@pytest.fixture(autouse=True)
def _fixture_report(report: Report, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "run_check", lambda options, progress=None: report)


def run(*args: str, env: dict[str, str | None] | None = None) -> Result:
    return CliRunner().invoke(main, ["check", *args], env=env, catch_exceptions=False)


def test_several_reports_from_one_run(tmp_path: Path, report: Report) -> None:
    sarif, markdown, junit = (
        tmp_path / "r.sarif",
        tmp_path / "summary.md",
        tmp_path / "out" / "r.xml",
    )
    result = run(
        "--report",
        f"sarif={sarif}",
        "--report",
        f"markdown={markdown}",
        "--output-junit",
        str(junit),
    )
    assert result.exit_code == 1
    assert result.stdout == OutputFormat.TEXT.reporter(report)
    assert result.stderr == ""
    assert json.loads(sarif.read_text("utf-8"))["version"] == "2.1.0"
    assert markdown.read_text("utf-8").startswith("## ❌ greengate failed")
    assert ET.parse(junit).getroot().attrib["failures"] == "4"


@pytest.mark.parametrize("fmt", list(OutputFormat))
def test_every_output_option_writes_its_format(
    fmt: OutputFormat, tmp_path: Path, report: Report
) -> None:
    path = tmp_path / f"report.{fmt.value}"
    result = run("--format", "json", f"--output-{fmt.value}", str(path))
    assert result.exit_code == 1
    assert json.loads(result.stdout)["exitCode"] == 1
    assert path.read_text("utf-8") == fmt.reporter(report)


def test_output_replaces_stdout(tmp_path: Path, report: Report) -> None:
    path = tmp_path / "r.sarif"
    result = run("--format", "sarif", "--output", str(path))
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", "")
    assert path.read_text("utf-8") == OutputFormat.SARIF.reporter(report)


def test_the_exit_code_is_unchanged_by_outputs(
    tmp_path: Path, empty_report: Report, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli, "run_check", lambda options, progress=None: empty_report)
    result = run(
        "--output-sarif", str(tmp_path / "r.sarif"), "--output-json", str(tmp_path / "r.json")
    )
    assert result.exit_code == 0
    assert result.stdout.startswith("PASS")


def test_text_in_a_file_is_never_coloured(tmp_path: Path) -> None:
    path = tmp_path / "out.txt"
    result = run("--color", "--output-text", str(path))
    assert "\x1b[" in result.stdout
    assert "\x1b[" not in path.read_text("utf-8")


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("sarif", "'sarif' is not FORMAT=PATH (e.g. sarif=results.sarif)"),
        ("=x.sarif", "'=x.sarif' is not FORMAT=PATH"),
        ("sarif=", "'sarif=' is not FORMAT=PATH"),
        ("html=x.html", "unknown format 'html' in 'html=x.html'"),
    ],
)
def test_a_bad_report_value_is_a_usage_error_naming_the_formats(value: str, problem: str) -> None:
    result = run("--report", value)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Invalid value for '--report'" in result.stderr
    assert problem in result.stderr
    assert "valid formats: text, json, sarif, junit, github, markdown" in result.stderr


def test_two_reports_on_one_path_are_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "r.out"
    result = run("--report", f"sarif={path}", "--output-json", str(path))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert (
        f"{path} is given for both the sarif and the json report; give each report its own path"
        in result.stderr
    )
    assert not path.exists()


def test_the_same_report_twice_is_written_once(tmp_path: Path) -> None:
    path = tmp_path / "r.sarif"
    result = run("--report", f"sarif={path}", "--output-sarif", str(path))
    assert result.exit_code == 1
    assert path.exists()


def test_an_unwritable_path_is_one_clear_sentence(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = run("--output-sarif", str(blocker / "r.sarif"))
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"greengate: error: {blocker / 'r.sarif'}: cannot write the sarif report ("
    )
    assert result.stderr.rstrip().endswith("choose another path")


def test_in_github_actions_text_is_followed_by_annotations(report: Report) -> None:
    result = run(env={"GITHUB_ACTIONS": "true"})
    assert result.exit_code == 1
    text, annotations = OutputFormat.TEXT.reporter(report), OutputFormat.GITHUB.reporter(report)
    assert result.stdout == text + annotations
    assert result.stderr == ""


def test_in_github_actions_an_explicit_format_is_left_alone(report: Report) -> None:
    for args in (["--format", "text"], ["--format", "json"]):
        result = run(*args, env={"GITHUB_ACTIONS": "true"})
        assert "::group::" not in result.stdout
    result = run("--format", "github", env={"GITHUB_ACTIONS": "true"})
    assert result.stdout == OutputFormat.GITHUB.reporter(report)


def test_outside_github_actions_there_are_no_annotations() -> None:
    assert "::group::" not in run(env={"GITHUB_ACTIONS": "false"}).stdout
