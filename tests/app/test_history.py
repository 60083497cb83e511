"""``audit --history``: a real repository with a year of monthly commits, sampled by month and week."""

from __future__ import annotations

import datetime
import json
import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from greengate.app.audit import AuditOptions, run_audit
from greengate.app.history import (
    commit_at,
    drivers,
    end_of,
    history,
    history_dates,
    sample_dates,
    since_date,
)
from greengate.cli import main
from greengate.errors import ConfigError

D = datetime.date
TODAY = D(2025, 12, 20)


def native(name: str, replicas: int) -> str:
    return (
        "apiVersion: greengate.dev/v1\nkind: AIDeployment\n"
        f"metadata: {{name: {name}, owner: team-ml}}\n"
        "spec:\n  workload: inference\n  task: chat\n"
        "  model: {name: meta-llama/Llama-3.1-8B-Instruct}\n"
        "  cloud: {provider: aws, region: eu-north-1}\n"
        "  hardware: {instanceType: g5.2xlarge}\n"
        f"  replicas: {{min: 1, max: {replicas}}}\n"
    )


def git(root: Path, *args: str, when: str | None = None) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com"}
    env |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    if when is not None:
        env |= {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    done = subprocess.run(
        ["git", "-C", str(root), *args], env=env, check=True, capture_output=True, text=True
    )
    return done.stdout.strip()


@pytest.fixture(scope="module")
def year(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """``repo``: one commit on the 15th of every month of 2025, and the 12 SHAs.

    January adds svc-a and svc-b; June scales svc-a from 1 to 4 replicas;
    September deletes svc-b; every other month adds svc-<month>.
    """
    root = tmp_path_factory.mktemp("history") / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    deploy = root / "deploy"
    deploy.mkdir()
    shas = []
    for month in range(1, 13):
        if month == 1:
            (deploy / "svc-a.yaml").write_text(native("svc-a", 1))
            (deploy / "svc-b.yaml").write_text(native("svc-b", 2))
        elif month == 6:
            (deploy / "svc-a.yaml").write_text(native("svc-a", 4))
        elif month == 9:
            (deploy / "svc-b.yaml").unlink()
        else:
            (deploy / f"svc-{month}.yaml").write_text(native(f"svc-{month}", 1))
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", f"month {month}", when=f"2025-{month:02}-15T12:00:00Z")
        shas.append(git(root, "rev-parse", "HEAD"))
    return root, shas


def test_months_are_counted_from_since_and_end_on_the_month_last_day() -> None:
    assert sample_dates(D(2025, 1, 31), D(2025, 4, 30), "month") == [
        D(2025, 1, 31),
        D(2025, 2, 28),
        D(2025, 3, 31),
        D(2025, 4, 30),
    ]
    assert sample_dates(D(2025, 12, 1), D(2025, 12, 22), "week") == [
        D(2025, 12, 1),
        D(2025, 12, 8),
        D(2025, 12, 15),
        D(2025, 12, 22),
    ]
    assert sample_dates(D(2025, 12, 1), D(2025, 12, 1), "month") == [D(2025, 12, 1)]
    with pytest.raises(ConfigError, match="month, week"):
        sample_dates(D(2025, 1, 1), TODAY, "day")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-03-04", D(2025, 3, 4)),
        ("12 months ago", D(2024, 12, 20)),
        ("1 year ago", D(2024, 12, 20)),
        ("2 weeks ago", D(2025, 12, 6)),
        ("10 days ago", D(2025, 12, 10)),
        (" 3 Months Ago ", D(2025, 9, 20)),
    ],
)
def test_since_is_a_date_or_a_time_ago(text: str, expected: datetime.date) -> None:
    assert since_date(text, TODAY) == expected


@pytest.mark.parametrize("text", ["last spring", "2025-13-01", "12 fortnights ago", "2026-01-01"])
def test_a_since_that_is_no_past_date_is_refused(text: str) -> None:
    with pytest.raises(ConfigError, match="--history"):
        since_date(text, TODAY)


def test_a_date_takes_the_last_commit_made_by_the_end_of_its_day() -> None:
    cutoff = end_of(D(2025, 1, 15))
    assert cutoff == int(
        datetime.datetime(2025, 1, 15, 23, 59, 59, tzinfo=datetime.timezone.utc).timestamp()
    )
    line = [("c3", cutoff + 1), ("c2", cutoff), ("c1", cutoff - 86400)]
    assert commit_at(line, cutoff) == "c2"
    assert commit_at(line, cutoff - 86401) is None


def test_drivers_are_the_largest_changes_added_removed_or_changed() -> None:
    before = {"a": 1.0, "b": 2.0, "c": 5.0}
    after = {"a": 1.0, "b": 4.5, "d": 0.5}
    assert drivers(before, after) == (("c", -5.0), ("b", 2.5), ("d", 0.5))
    assert drivers(before, after, count=1) == (("c", -5.0),)


def test_twelve_monthly_commits_give_twelve_points_equal_to_audits_at_those_commits(
    year: tuple[Path, list[str]],
) -> None:
    root, shas = year
    options = AuditOptions(paths=[root], today=TODAY)
    found = history(options, history_dates(options, "2025-01-20", "month", TODAY))
    assert [p.date for p in found.points] == [f"2025-{m:02}-20" for m in range(1, 13)]
    assert [p.commits for p in found.points] == [{"repo": sha} for sha in shas]
    rows = {}
    for point, sha in zip(found.points, shas, strict=True):
        report, _ = run_audit(AuditOptions(paths=[root], ref=sha, today=TODAY))
        assert point.total == report.overall
        rows[sha] = {r.name: r.estimate.tco2e_year_high for r in report.rows}
    assert found.notes == ()
    assert all(v is not None and v > 0 for r in rows.values() for v in r.values())

    def figure(month: int, name: str) -> float:
        value = rows[shas[month - 1]][name]
        assert value is not None
        return value

    def key(name: str) -> str:
        return f"repo:deploy/{name}.yaml:{name}"

    by_month = {int(p.date[5:7]): p.drivers for p in found.points}
    assert by_month[1] == ()  # nothing before the first point
    assert by_month[2] == ((key("svc-2"), figure(2, "svc-2")),)
    assert by_month[6] == ((key("svc-a"), figure(6, "svc-a") - figure(5, "svc-a")),)
    assert by_month[9] == ((key("svc-b"), -figure(8, "svc-b")),)
    assert figure(6, "svc-a") > figure(5, "svc-a")  # four replicas emit more than one


def test_weekly_points_take_the_commit_of_their_week(year: tuple[Path, list[str]]) -> None:
    root, shas = year
    options = AuditOptions(paths=[root], today=TODAY)
    found = history(options, history_dates(options, "2025-11-01", "week", TODAY))
    october, november, december = shas[9:12]
    assert [(p.date, p.commits["repo"]) for p in found.points] == [
        ("2025-11-01", october),
        ("2025-11-08", october),
        ("2025-11-15", november),  # committed at noon that day
        ("2025-11-22", november),
        ("2025-11-29", november),
        ("2025-12-06", november),
        ("2025-12-13", november),
        ("2025-12-20", december),
    ]
    assert [bool(p.drivers) for p in found.points] == [False, False, True, False] + [False] * 3 + [
        True
    ]


def test_a_date_before_the_first_commit_is_a_point_without_the_repository(
    year: tuple[Path, list[str]], tmp_path: Path
) -> None:
    root, shas = year
    folder = tmp_path / "plain-folder"
    folder.mkdir()
    (folder / "svc.yaml").write_text(native("svc", 1))
    options = AuditOptions(paths=[root, folder], today=D(2025, 2, 20))
    found = history(options, history_dates(options, "2024-12-20", "month", D(2025, 2, 20)))
    assert [p.commits for p in found.points] == [{}, {"repo": shas[0]}, {"repo": shas[1]}]
    assert found.points[0].total.deployments == 0
    assert found.notes == (
        "history: repo has no commit at or before 2024-12-20 (its first commit on this line is"
        " from 2025-01-15); it is absent from 1 point (2024-12-20)",
        "history: plain-folder is not in a git repository; it is absent from every point",
    )


def test_a_manifest_a_past_commit_cannot_read_is_in_a_note(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "svc.yaml").write_text(native("svc", 1))
    (root / "broken.yaml").write_text("kind: [unclosed\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "one", when="2025-01-15T12:00:00Z")
    sha = git(root, "rev-parse", "HEAD")
    options = AuditOptions(paths=[root], today=D(2025, 1, 20))
    found = history(options, history_dates(options, "2025-01-20", "month", D(2025, 1, 20)))
    assert found.points[0].total.deployments == 1
    assert found.notes == (
        f"history: repo at {sha[:12]} (2025-01-20): 1 manifest or rule could not be read or"
        " evaluated; what they hold is not in the total of that date",
    )


def test_the_cli_fills_the_report_history_the_same_with_two_jobs(
    year: tuple[Path, list[str]],
) -> None:
    root, shas = year
    runner = CliRunner()
    args = [
        "audit",
        str(root),
        "--format",
        "json",
        "--history",
        "2025-01-20",
        "--today",
        "2025-12-20",
    ]
    one = runner.invoke(main, args)
    two = runner.invoke(main, [*args, "--jobs", "2", "--every", "month"])
    assert one.exit_code == 0, one.output
    assert two.stdout == one.stdout
    report = json.loads(one.stdout)
    assert len(report["history"]) == 12
    assert report["history"][-1]["commits"] == {"repo": shas[-1]}
    assert report["history"][-1]["total"] == report["overall"]  # the work tree is December's
    refused = runner.invoke(main, [*args, "--shard", "1/2"])
    assert refused.exit_code == 2
    assert "--history cannot be combined with --shard" in refused.output
    alone = runner.invoke(main, ["audit", str(root), "--every", "week"])
    assert alone.exit_code == 2
    assert "add --history SINCE" in alone.output
