"""``check --jobs N``: whole folders per worker, and the same report byte for byte as one process."""

from __future__ import annotations

import importlib
from pathlib import Path

import git
import pytest
from click.testing import CliRunner

from greengate.app import check, workers
from greengate.app.check import CheckOptions, jobs_for
from greengate.cli import main
from greengate.sources.discover import discover

from .test_workers import LINKED, native

FORMATS = ("text", "json", "sarif", "junit", "github", "markdown")


def make_repo(root: Path, folders: int = 4, per_folder: int = 30) -> Path:
    """A real git repository: folders of native manifests, a linked workload, a broken file, a waiver."""
    repo = git.Repo.init(root, initial_branch="main")
    for f in range(folders):
        folder = root / f"team-{f}" / "svc"
        folder.mkdir(parents=True)
        for i in range(per_folder):
            (folder / f"m{i:03}.yaml").write_text(native(f"app-{f}-{i}", i), encoding="utf-8")
    (root / "team-0" / "vllm.yaml").write_text(LINKED, encoding="utf-8")
    (root / "team-1" / "broken.yaml").write_text("a: [1, 2\n", encoding="utf-8")
    (root / ".greengate.yaml").write_text(
        "waivers:\n  - rule: GG*\n    target: team-2/**\n    reason: legacy\n", encoding="utf-8"
    )
    repo.git.add(A=True)
    return root


def run(repo: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["check", str(repo), *args], catch_exceptions=False)
    return result.exit_code, result.output


@pytest.mark.parametrize("fmt", FORMATS)
def test_two_jobs_write_the_report_of_one(tmp_path: Path, fmt: str) -> None:
    repo = make_repo(tmp_path / "repo")
    files = discover([repo])
    assert len(workers.split(files, workers.chunk_size(len(files), 2))) > 1  # workers do run
    one = run(repo, "--jobs", "1", "--format", fmt, "--no-color")
    two = run(repo, "--jobs", "2", "--format", fmt, "--no-color")
    assert two == one
    assert one[0] == 1  # findings fail: the comparison is about a real report


def test_baseline_is_applied_after_the_workers(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    baseline = tmp_path / "baseline.json"
    created = CliRunner().invoke(main, ["baseline", "create", str(repo), "-o", str(baseline)])
    assert created.exit_code == 0, created.output
    one = run(repo, "--jobs", "1", "--baseline", str(baseline), "--format", "json")
    two = run(repo, "--jobs", "2", "--baseline", str(baseline), "--format", "json")
    assert two == one


def test_auto_runs_few_files_in_this_process() -> None:
    assert workers.auto_jobs(1, cpu_count=8) == 1
    assert workers.auto_jobs(workers.AUTO_MIN_FILES - 1, cpu_count=8) == 1
    assert workers.auto_jobs(workers.AUTO_MIN_FILES, cpu_count=8) == 8
    assert workers.auto_jobs(workers.AUTO_MIN_FILES, cpu_count=1) == 1


def test_jobs_for_takes_the_flag_and_auto(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", folders=2, per_folder=1)
    files = discover([repo])
    assert jobs_for(CheckOptions(paths=[repo], jobs=3), files) == 3
    assert jobs_for(CheckOptions(paths=[repo], jobs=None), files) == 1


def test_a_bad_jobs_value_is_a_usage_error(tmp_path: Path) -> None:
    code, output = run(make_repo(tmp_path / "repo", 2, 1), "--jobs", "0")
    assert code == 2
    assert "neither a number of processes" in output


def test_a_worker_that_dies_is_exit_2_with_one_sentence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(Path(__file__).parent))  # spawned workers import it by name
    crashing_worker = importlib.import_module("crashing_worker")
    monkeypatch.setattr(check, "_check_unit", crashing_worker.crash)
    result = CliRunner().invoke(main, ["check", str(make_repo(tmp_path / "repo")), "--jobs", "2"])
    assert result.exit_code == 2
    assert "a worker process of --jobs 2 ended abruptly" in result.output
