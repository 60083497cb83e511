"""``check --jobs N``: whole folders per worker, and the same report byte for byte as one process."""

from __future__ import annotations

import dataclasses
import importlib
import json
import re
from pathlib import Path
from typing import Any

import git
import pytest
from click.testing import CliRunner

from greengate.app import check, workers
from greengate.app.check import Checked, CheckOptions, jobs_for, pack, summary, unpack
from greengate.cli import main
from greengate.findings.existing import Judged
from greengate.records import finding_store
from greengate.records.deployment import Deployment, Fact
from greengate.records.finding import Finding, Severity, Status
from greengate.records.location import Location
from greengate.sources.discover import discover

from .test_workers import LINKED, native

FORMATS = ("text", "json", "sarif", "junit", "github", "markdown")


INLINE = (
    ', annotations: {greengate.dev/waive-GG301: "pilot; owner=ml; expires=2999-01-01",'
    ' greengate.dev/waive-GG302: "x; colour=red", team.example/cost-centre: ml-1}}'
)
"""Inline waivers, one of them malformed, added to a ``native`` manifest's ``metadata``."""


def waive(text: str) -> str:
    return text.replace("}\nspec:", f"{INLINE}\nspec:", 1)


def make_repo(root: Path, folders: int = 4, per_folder: int = 30) -> Path:
    """A real git repository: folders of native manifests, a linked workload, a broken file, a
    config waiver and inline waivers (one malformed)."""
    repo = git.Repo.init(root, initial_branch="main")
    for f in range(folders):
        folder = root / f"team-{f}" / "svc"
        folder.mkdir(parents=True)
        for i in range(per_folder):
            text = native(f"app-{f}-{i}", i)
            if i % 7 == 3:  # inline waivers in every chunk
                text = waive(text)
            (folder / f"m{i:03}.yaml").write_text(text, encoding="utf-8")
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


def test_two_jobs_compare_with_the_base_as_one_does(tmp_path: Path) -> None:
    """--new-only and inline waivers granted only at the base (--policies-from): the summaries
    the workers send back carry what both need."""
    root = make_repo(tmp_path / "repo")
    repo = git.Repo(root)
    repo.git.commit(m="base", author="t <t@example.invalid>")
    repo.git.checkout(b="change")
    for f in range(4):
        changed = root / f"team-{f}" / "svc" / "m003.yaml"  # one with inline waivers
        changed.write_text(changed.read_text(encoding="utf-8").replace("max: 4", "max: 9"))
        edited = root / f"team-{f}" / "svc" / "m011.yaml"  # a waiver the change adds
        edited.write_text(waive(edited.read_text(encoding="utf-8")))
    repo.git.commit(a=True, m="change", author="t <t@example.invalid>")
    for args, sign in (
        (("--changed-since", "main", "--new-only"), '"status": "existing"'),
        (("--policies-from", "main"), '"ruleId": "GG003"'),  # a waiver the change adds
    ):
        # the base's config is read into a scratch folder of a new name each run
        one = re.sub(
            r"greengate-base-\w+", "SCRATCH", run(root, "--jobs", "1", "--format", "json", *args)[1]
        )
        two = re.sub(
            r"greengate-base-\w+", "SCRATCH", run(root, "--jobs", "2", "--format", "json", *args)[1]
        )
        assert two == one
        assert sign in one  # the base did change the report


def test_a_packed_result_unpacks_to_the_findings_and_a_summary_of_each_deployment() -> None:
    at = Location("team/m.yaml", 3, 5, 3, 9)
    waiver_at = Location("team/m.yaml", 4, 5)
    deployment = Deployment(
        "app",
        "AIDeployment",
        "native",
        at,
        facts={"cloud.region": Fact("eu-north-1", at)},
        labels={"app": "x"},
        annotations={
            "greengate.dev/waive-GG201": "pilot",
            "team/x": "y",
            "greengate.dev/waive-GG1": "z",
        },
        document=2,
        annotation_locations={"greengate.dev/waive-GG201": waiver_at, "team/x": at},
        path="repo/team/m.yaml",
        notes=("read",),
    )
    finding = Finding(
        "GG201",
        "carbon",
        Severity.HIGH,
        Status.FAIL,
        "too much",
        at,
        deployment="app",
        field="cloud.region",
        remediation="move",
        title="Carbon",
        fingerprint="f" * 32,
        justification="why",
        manifest="other.yaml",
        notes=("note",),
    )
    problem = dataclasses.replace(finding, rule_id="GG001", location=Location("bad.yaml", 1))
    passed = dataclasses.replace(finding, status=Status.PASS, justification="")
    checked = Checked((deployment,), (problem,), ((Judged(finding, "basis", 2),),), (passed,))
    back = unpack(pack(checked))
    assert back.problems == (problem,)
    assert back.judged == ((Judged(finding, "basis", 2),),)
    assert back.streamed == (passed,)
    assert back.deployments == (
        Deployment(
            "app",
            "AIDeployment",
            "native",
            at,
            annotations={"greengate.dev/waive-GG201": "pilot", "greengate.dev/waive-GG1": "z"},
            document=2,
            annotation_locations={"greengate.dev/waive-GG201": waiver_at},
            path="repo/team/m.yaml",
        ),
    )
    # one process keeps the same summary as the workers send back
    assert (summary(deployment),) == back.deployments
    # every field of a finding travels: one added to Finding must be added to the packing
    assert len(pack(checked).problems[0]) == len(dataclasses.fields(Finding))


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


def test_auto_starts_workers_only_from_the_threshold(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[int] = []
    real = workers.run

    def spy(work: Any, units: Any, jobs: int, *args: Any, **kwargs: Any) -> Any:
        started.append(jobs)
        return real(work, units, jobs, *args, **kwargs)

    monkeypatch.setattr(workers, "run", spy)
    monkeypatch.setattr(workers, "cpus", lambda: 2)
    monkeypatch.delenv("GREENGATE_JOBS", raising=False)
    repo = make_repo(tmp_path / "repo")
    files = len(discover([repo]))
    one = run(repo, "--jobs", "1", "--format", "json")
    monkeypatch.setattr(workers, "AUTO_MIN_FILES", files + 1)
    assert run(repo, "--jobs", "auto", "--format", "json") == one
    assert started == []  # below the threshold: this process only
    monkeypatch.setattr(workers, "AUTO_MIN_FILES", files // 2)
    assert run(repo, "--jobs", "auto", "--format", "json") == one
    assert started == [2]  # from the threshold on: one worker per CPU
    assert run(repo, "--format", "json") == one
    assert started == [2, 2]  # auto is the default


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


CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus" / "files"


@pytest.mark.parametrize("output", ["json", "sarif"])
def test_one_process_reading_in_batches_gives_the_report_of_reading_at_once(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, output: str
) -> None:
    """Whole folders per batch: the real corpus (links, Terraform modules, Helm charts) the same."""

    def run(batch: int) -> str:
        monkeypatch.setattr(check, "READ_BATCH", batch)
        out = tmp_path / f"{batch}.{output}"
        result = CliRunner().invoke(
            main, ["check", str(CORPUS), "--jobs", "1", "--format", output, "-o", str(out)]
        )
        assert result.exit_code in (0, 1), result.output
        return out.read_text(encoding="utf-8")

    at_once = run(10**9)
    data = json.loads(at_once)
    found = data["summary"]["deployments"] if output == "json" else len(data["runs"][0]["results"])
    assert found > 100  # the whole corpus was read
    assert run(3) == at_once


@pytest.mark.parametrize("fmt", FORMATS)
def test_findings_spilled_to_disk_write_the_report_of_findings_held(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, fmt: str
) -> None:
    """Passes and skips spilled after 40 (a run of 100,000 files spills after 150,000), read in
    batches of 7 files or by two workers: the report of one process holding everything."""
    repo = make_repo(tmp_path / "repo")
    held = run(repo, "--jobs", "1", "--format", fmt, "--no-color")
    monkeypatch.setattr(finding_store, "SPILL_AFTER", 40)
    monkeypatch.setattr(check, "READ_BATCH", 7)
    spills: list[int] = []
    spill = finding_store.FindingStore._spill

    def counted(store: finding_store.FindingStore) -> None:
        spills.append(store._in_memory)
        spill(store)

    monkeypatch.setattr(finding_store.FindingStore, "_spill", counted)
    assert run(repo, "--jobs", "1", "--format", fmt, "--no-color") == held
    assert len(spills) > 3  # it did spill, more than once
    assert run(repo, "--jobs", "2", "--format", fmt, "--no-color") == held
    assert held[0] == 1  # findings fail: the comparison is about a real report


def test_findings_about_one_config_default_are_in_manifest_order_however_read(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A config default's line is where the findings of every deployment it gives the fact
    point: deployments of one name in different folders tie on everything but their
    manifest, which orders them, whether read at once, a folder per batch and spilled, or by
    two workers."""
    repo = tmp_path / "repo"
    git.Repo.init(repo, initial_branch="main")
    for team in ("c-team", "a-team", "b-team"):
        (repo / team).mkdir(parents=True)
        for i in range(25):  # enough for two workers
            text = re.sub(r", region: [^}]*", "", native("chat" if i == 0 else f"app-{i}", i))
            (repo / team / f"m{i:02}.yaml").write_text(text, encoding="utf-8")
    (repo / ".greengate.yaml").write_text(
        "defaults:\n  - paths: ['**']\n    region: asia-south1\n", encoding="utf-8"
    )
    at_once = run(repo, "--jobs", "1", "--format", "json")
    found = json.loads(at_once[1])["findings"]
    at_default = [
        f for f in found if f["file"].endswith(".greengate.yaml") and f["deployment"] == "chat"
    ]
    by_rule: dict[str, list[str]] = {}
    for f in at_default:
        by_rule.setdefault(f["ruleId"], []).append(f["fingerprint"])
    assert by_rule and all(len(fps) == 3 for fps in by_rule.values())  # one per manifest
    monkeypatch.setattr(check, "READ_BATCH", 1)
    monkeypatch.setattr(finding_store, "SPILL_AFTER", 0)
    assert run(repo, "--jobs", "1", "--format", "json") == at_once
    assert run(repo, "--jobs", "2", "--format", "json") == at_once
