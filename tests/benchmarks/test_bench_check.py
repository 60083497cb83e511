"""The benchmark's corpora are what they claim to be, and its figures add up.

``benchmarks/`` is not a package: its scripts import each other from their
own folder, so the tests put that folder on ``sys.path`` while they import.
No test times anything: the figures are the benchmark's output, not a test's.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
import yaml
from click.testing import CliRunner

from greengate.cli import main
from greengate.load.yaml_loader import load_yaml

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def bench(name: str) -> ModuleType:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(BENCHMARKS))


def check_json(folder: Path) -> dict:  # type: ignore[type-arg]
    result = CliRunner().invoke(
        main, ["check", str(folder), "--format", "json"], catch_exceptions=False
    )
    assert result.exit_code == 1, result.stderr  # the corpora break policies on purpose
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_the_native_corpus_parses_and_is_read_as_one_deployment_per_file(tmp_path: Path) -> None:
    paths = bench("bench_check").generate(tmp_path, 60)
    assert len(paths) == 60 and len({p.parent for p in paths}) == 50
    for path in paths:
        (document,) = yaml.load_all(path.read_text("utf-8"), Loader=yaml.CSafeLoader)
        assert document["kind"] == "AIDeployment"
    report = check_json(tmp_path)
    assert report["summary"]["files"] == 60 and report["summary"]["deployments"] == 60
    assert {d["format"] for d in report["deployments"]} == {"native"}


def test_the_kubernetes_corpus_is_read_as_deployments_with_accelerators(tmp_path: Path) -> None:
    checkov_side = bench("bench_checkov")
    paths = checkov_side.generate_kubernetes(tmp_path, 90)
    assert len({p.parent for p in paths}) == 3  # several per folder, as repositories hold them
    for path in paths:
        (document,) = yaml.load_all(path.read_text("utf-8"), Loader=yaml.CSafeLoader)
        container = document["spec"]["template"]["spec"]["containers"][0]
        assert container["resources"]["limits"]["nvidia.com/gpu"] in {"1", "2", "4"}
        assert container["readinessProbe"] and container["livenessProbe"]
    report = check_json(tmp_path)
    assert report["summary"]["deployments"] == 90
    assert {(d["format"], d["kind"]) for d in report["deployments"]} == {
        ("kubernetes", "Deployment")
    }
    # GG504: the accelerator is declared; read from the node selectors and GPU limits.
    accelerators = {
        f["deployment"]: f["status"] for f in report["findings"] if f["ruleId"] == "GG504"
    }
    assert len(accelerators) == 90 and set(accelerators.values()) == {"pass"}


def test_the_greengate_side_of_the_checkov_comparison_reads_the_whole_corpus(
    tmp_path: Path,
) -> None:
    checkov_side = bench("bench_checkov")
    checkov_side.generate_kubernetes(tmp_path / "corpus", 12)
    side = checkov_side.run_greengate(
        tmp_path / "corpus", tmp_path / "report.json", 12, "python", []
    )
    assert (side.read, side.unit, side.whole) == (12, "deployments", True)
    assert side.run.code == 1 and side.run.process_mib > 0


def test_the_tree_peak_sums_the_workers_and_the_process_peak_is_the_largest_one() -> None:
    measure = bench("bench_process").measure
    hold = "import time; block = bytearray(80 * 2**20); time.sleep(2)"
    python = sys.executable
    run = measure(["sh", "-c", f'"{python}" -c "{hold}" & "{python}" -c "{hold}"; wait'])
    assert run.code == 0
    assert 80 < run.process_mib < 150  # one worker: ru_maxrss is a maximum, not a sum
    assert run.tree_mib > 160  # both workers at once


@pytest.mark.parametrize("missing", ["", "n/a (this greengate has no --jobs)"])
def test_every_markdown_row_has_the_header_s_columns(missing: str) -> None:
    bench_check = bench("bench_check")
    run = bench("bench_process").Run(1, 2.0, 1.5, 70.0, 60.0, "")
    rows = [bench_check.Row(1000, "python", 2, 0.5, (run,) if not missing else (), 0.0, missing)]
    header, rule, row = bench_check.markdown(rows).splitlines()
    assert header.count("|") == rule.count("|") == row.count("|") == 11
    if not missing:
        assert "| 2.00 s | 500 | 1.5 s | 70 MiB | 60 MiB | 0.50 s | 4.0x |" in row


def test_linearity_is_the_per_file_time_of_the_larger_size_over_the_smaller() -> None:
    bench_check = bench("bench_check")
    Run = bench("bench_process").Run

    def row(files: int, seconds: float) -> object:
        return bench_check.Row(files, "python", 1, 1.0, (Run(0, seconds, seconds, 1.0, 1.0, ""),))

    (line,) = bench_check.linearity([row(10000, 40.0), row(100000, 440.0)])
    assert line.endswith("per-file time at 100,000 files / at 10,000 = 1.10")


def test_the_loader_at_a_git_ref_is_that_commit_s_own_module() -> None:
    git = subprocess.run(["git", "-C", str(BENCHMARKS), "rev-parse", "HEAD"], capture_output=True)
    if git.returncode != 0:
        pytest.skip("not a git checkout")
    text = "a: &x {b: [1, .inf]}\nc: *x\n"
    at_head = bench("bench_load").loader_at("HEAD")
    assert at_head.__module__ == "yaml_loader_at_HEAD"
    assert at_head(text, "f.yaml") == load_yaml(text, "f.yaml")
