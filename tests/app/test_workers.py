"""``audit --jobs N``: whole folders per chunk, and byte for byte the report of one process.

The reference every parallel run is compared with is the plain audit: each
repository checked whole, in this process, by ``audit_target``, exactly as
before ``--jobs`` existed.
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import git
import pytest
from click.testing import CliRunner

from greengate.app import workers
from greengate.app.audit import AuditOptions, assemble, audit_target, run_audit, targets
from greengate.app.workers import Chunk, chunk_size, jobs_of, plan, split
from greengate.cli import main
from greengate.errors import ConfigError
from greengate.records.audit import AuditReport, to_dict
from greengate.sources.discover import discover
from greengate.sources.files import SourceFile

from ..conftest import CORPUS, EXAMPLES

REGIONS = [("aws", "eu-north-1", "g5.2xlarge"), ("gcp", "us-central1", "a2-highgpu-1g")]


def native(name: str, i: int) -> str:
    provider, region, instance = REGIONS[i % len(REGIONS)]
    return (
        "apiVersion: greengate.dev/v1\nkind: AIDeployment\n"
        f"metadata: {{name: {name}, owner: team-{i % 3}}}\n"
        "spec:\n  workload: inference\n  task: chat\n"
        "  model: {name: meta-llama/Llama-3.1-8B-Instruct}\n"
        f"  cloud: {{provider: {provider}, region: {region}}}\n"
        f"  hardware: {{instanceType: {instance}}}\n"
        f"  replicas: {{min: 1, max: {1 + i % 4}}}\n"
    )


LINKED = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: vllm}
spec:
  replicas: 1
  selector: {matchLabels: {app: vllm}}
  template:
    metadata: {labels: {app: vllm}}
    spec:
      nodeSelector: {topology.kubernetes.io/region: eu-north-1}
      containers:
        - name: vllm
          image: vllm/vllm-openai:v0.6.3
          args: ["--model", "meta-llama/Llama-3.1-8B-Instruct"]
          resources: {limits: {nvidia.com/gpu: "1"}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: vllm}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: vllm}
  minReplicas: 2
  maxReplicas: 6
"""


def make_repo(root: Path, folders: int, per_folder: int) -> Path:
    """A real git repository: ``folders`` folders of native manifests, one linked workload."""
    repo = git.Repo.init(root, initial_branch="main")
    with repo.config_writer() as cfg:
        cfg.set_value("user", "name", "t")
        cfg.set_value("user", "email", "t@example.com")
    for f in range(folders):
        for i in range(per_folder):
            path = root / f"team-{f}" / f"svc-{i}.yaml"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(native(f"svc-{f}-{i}", f + i))
    (root / "team-0" / "vllm.yaml").write_text(LINKED)
    repo.git.add("-A")
    repo.index.commit("manifests")
    return root


def plain(options: AuditOptions) -> AuditReport:
    """The audit of one process, every repository checked whole (no chunks)."""
    return assemble([audit_target(t, options) for t in targets(options.paths)])


def dumped(report: AuditReport) -> str:
    return json.dumps(to_dict(report), indent=2)


def files_in(sizes: dict[str, int]) -> list[SourceFile]:
    found = [
        SourceFile(f"{folder}/f{i}.yaml", Path(folder) / f"f{i}.yaml")
        for folder, count in sizes.items()
        for i in range(count)
    ]
    return sorted(found)


def test_folders_are_packed_whole_in_sorted_order() -> None:
    files = files_in({"b": 30, "a": 30, "c": 70, "d": 5})
    chunks = split(files, 50)
    assert [{f.path.parent.name for f in c.files or ()} for c in chunks] == [
        {"a", "b"},
        {"c"},
        {"d"},
    ]
    assert [c.count for c in chunks] == [60, 70, 5]
    assert sorted(f for c in chunks for f in c.files or ()) == files  # each file once
    assert split(files_in({"a": 10, "b": 10}), 50) == (
        Chunk(20, tuple(files_in({"a": 10, "b": 10}))),
    )


def test_a_repository_is_planned_from_one_discovery(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", folders=3, per_folder=30)
    chunks = plan(root, None, 2)
    assert len(chunks) == 2
    assert sorted(f for c in chunks for f in c.files or ()) == discover([root])
    assert plan(root, "HEAD", 2) == (Chunk(1),)  # at a ref: the repository is one unit
    assert plan(root / "team-0" / "svc-0.yaml", None, 2) == (Chunk(1),)


def test_chunk_size_balances_small_repositories_and_caps_large_ones() -> None:
    low, high = workers.CHUNK_FILES
    assert chunk_size(10, 2) == low
    assert chunk_size(800, 2) == 100  # four chunks per worker
    assert chunk_size(100_000, 1) == high


def test_jobs_zero_is_one_per_cpu_and_negative_is_refused() -> None:
    assert jobs_of(0) == (os.cpu_count() or 1)
    assert jobs_of(3) == 3
    with pytest.raises(ConfigError, match="negative"):
        jobs_of(-1)


def test_workers_give_results_in_the_order_of_the_units() -> None:
    seen: list[int] = []
    words = ["a", "bbb", "cc", "dddd"]
    assert workers.run(len, words, 2, lambda i, n: seen.append(i)) == [1, 3, 2, 4]
    assert sorted(seen) == [0, 1, 2, 3]
    with pytest.raises(ValueError, match="invalid literal"):
        workers.run(int, ["1", "x", "3"], 2)


def test_jobs_2_gives_the_plain_report_on_the_corpus() -> None:
    options = AuditOptions(paths=[CORPUS])
    assert len(plan(CORPUS, None, 2)) > 1  # the corpus really is split
    expected = dumped(plain(options))
    report, _ = run_audit(replace(options, jobs=2))
    assert dumped(report) == expected
    assert report.rows and report.errors  # deployments and unreadable files both made it


def test_jobs_2_gives_the_same_json_as_jobs_1_on_the_examples() -> None:
    runner = CliRunner()
    one = runner.invoke(main, ["audit", str(EXAMPLES), "--format", "json", "--jobs", "1"])
    two = runner.invoke(main, ["audit", str(EXAMPLES), "--format", "json", "-j", "2"])
    assert one.exit_code == 0, one.output
    assert two.exit_code == 0, two.output
    assert two.stdout == one.stdout
    assert json.loads(one.stdout) == to_dict(plain(AuditOptions(paths=[EXAMPLES])))


def test_jobs_2_over_two_repositories_split_into_folder_chunks(tmp_path: Path) -> None:
    first = make_repo(tmp_path / "payments", folders=4, per_folder=20)
    second = make_repo(tmp_path / "search", folders=2, per_folder=5)
    assert len(plan(first, None, 2)) == 2  # 81 files, chunks of 50 or more
    options = AuditOptions(paths=[first, second])
    expected = plain(options)
    linked = next(r for r in expected.rows if r.name == "vllm")
    assert (linked.replicas_min, linked.replicas_max) == (2, 6)  # the HPA beside it was linked
    runner = CliRunner()
    outputs = [
        runner.invoke(main, ["audit", str(first), str(second), "--format", "json", "--jobs", jobs])
        for jobs in "12"
    ]
    assert all(o.exit_code == 0 for o in outputs), [o.output for o in outputs]
    assert outputs[0].stdout == outputs[1].stdout
    assert json.loads(outputs[1].stdout) == to_dict(expected)
    assert len(expected.rows) == 4 * 20 + 1 + 2 * 5 + 1


def test_jobs_2_at_a_ref_reads_git_objects_as_one_process_does(tmp_path: Path) -> None:
    first = make_repo(tmp_path / "first", folders=2, per_folder=3)
    second = make_repo(tmp_path / "second", folders=1, per_folder=3)
    (first / "team-0" / "svc-0.yaml").write_text("not: [valid")  # the work tree, not the ref
    options = AuditOptions(paths=[first, second], ref="HEAD")
    report, _ = run_audit(replace(options, jobs=2))
    assert dumped(report) == dumped(plain(options))
    assert len(report.rows) == 2 * 3 + 1 + 3 + 1
    assert not report.errors


@pytest.mark.parametrize("jobs", [1, 2])
def test_results_a_callback_consumes_are_not_kept(jobs: int) -> None:
    seen: dict[int, int] = {}
    assert workers.run(len, ["a", "bbb", "cc"], jobs, seen.__setitem__, keep=False) == []
    assert seen == {0: 1, 1: 3, 2: 2}
