"""Baseline files: what is recorded, how it is compared."""

from __future__ import annotations

import json
from pathlib import Path

import git
import pytest
from click.testing import CliRunner

from greengate.cli import main
from greengate.findings import baseline
from greengate.records.finding import Finding, Severity, Status
from greengate.records.location import Location


def finding(rule: str, file: str, line: int, status: Status = Status.FAIL) -> Finding:
    return Finding.make(
        rule_id=rule,
        policy="p",
        severity=Severity.HIGH,
        status=status,
        message=f"{rule} message",
        location=Location(file, line, 1),
        deployment="svc",
        field="f",
    )


def test_only_failures_are_recorded_once_each_sorted() -> None:
    recorded = baseline.entries(
        [
            finding("GG201", "b.yaml", 3),
            finding("GG101", "b.yaml", 9),
            finding("GG101", "a.yaml", 2),
            finding("GG101", "a.yaml", 2),
            finding("GG001", "c.yaml", 1, Status.ERROR),
            finding("GG401", "c.yaml", 1, Status.WAIVED),
        ]
    )
    assert [(e.file, e.rule_id) for e in recorded] == [
        ("a.yaml", "GG101"),
        ("b.yaml", "GG101"),
        ("b.yaml", "GG201"),
    ]


def test_the_file_round_trips_and_is_stable(tmp_path: Path) -> None:
    recorded = baseline.entries([finding("GG201", "b.yaml", 3), finding("GG101", "a.yaml", 2)])
    baseline.write(tmp_path / "b.json", recorded)
    text = (tmp_path / "b.json").read_text()
    assert text == baseline.render(
        baseline.entries(reversed([finding("GG201", "b.yaml", 3), finding("GG101", "a.yaml", 2)]))
    )
    assert list(json.loads(text)) == ["version", "generatedBy", "findings"]
    assert baseline.load(tmp_path / "b.json").entries == tuple(recorded)


def test_lines_do_not_matter_and_fixed_entries_are_returned(tmp_path: Path) -> None:
    old = [finding("GG201", "a.yaml", 3), finding("GG101", "a.yaml", 5)]
    baseline.write(tmp_path / "b.json", baseline.entries(old))
    loaded = baseline.load(tmp_path / "b.json")
    now = [
        finding("GG201", "a.yaml", 30),
        finding("GG101", "a.yaml", 50, Status.PASS),
        finding("GG401", "a.yaml", 7),
    ]
    marked, fixed = baseline.apply(now, loaded)
    assert [f.status for f in marked] == [Status.EXISTING, Status.PASS, Status.FAIL]
    assert [e.rule_id for e in fixed] == ["GG101"]
    marked, _ = baseline.apply(now, loaded, always_fail={now[0].fingerprint})
    assert marked[0].status is Status.FAIL


def test_fingerprints_do_not_depend_on_where_greengate_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A baseline made at the repository root (as CI does) matches a check run in a subfolder."""
    git.Repo.init(tmp_path)
    deploy = tmp_path / "deploy"
    deploy.mkdir()
    example = Path(__file__).resolve().parents[2] / "examples" / "deployments" / "chat-mumbai.yaml"
    (deploy / "chat.yaml").write_text(example.read_text())
    runner = CliRunner()
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(main, ["baseline", "create", "deploy"]).exit_code == 0
    at_root = json.loads(runner.invoke(main, ["check", "deploy", "--format", "json"]).stdout)
    monkeypatch.chdir(deploy)
    result = runner.invoke(
        main, ["check", ".", "--format", "json", "--baseline", "../.greengate-baseline.json"]
    )
    in_folder = json.loads(result.stdout)
    assert result.exit_code == 0
    assert in_folder["summary"]["byStatus"]["existing"] == 1
    assert {f["fingerprint"] for f in at_root["findings"]} == {
        f["fingerprint"] for f in in_folder["findings"]
    }
    assert {f["file"] for f in in_folder["findings"]} == {
        "chat.yaml"
    }  # displayed relative to where it runs


def test_the_baseline_replaces_the_old_file_rather_than_write_into_it(tmp_path: Path) -> None:
    """Atomic: a hard link to the old baseline keeps the old text; no temporary file is left."""
    path = tmp_path / "b.json"
    path.write_text("old baseline\n", "utf-8")
    path.chmod(0o640)
    (tmp_path / "old.json").hardlink_to(path)
    baseline.write(path, baseline.entries([finding("GG201", "b.yaml", 3)]))
    assert (tmp_path / "old.json").read_text("utf-8") == "old baseline\n"
    assert baseline.load(path).entries[0].rule_id == "GG201"
    assert path.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.json", "old.json"]


def test_an_unwritable_baseline_folder_is_one_sentence(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(baseline.ConfigError, match=r"cannot write the baseline \(.*\); choose"):
        baseline.write(blocker / "b.json", [])
