"""Hostile input, built for real, through the real CLI: it never crashes, hangs or misleads greengate.

Every file here is real: FIFOs (``os.mkfifo``), symbolic links (loops, to
``/dev/zero``, out of the tree), git repositories with links committed, numbers
beyond a float's range, duplicate keys, alias bombs, broken documents in a
stream. Each case is one located error finding (GG001) or, for a config,
policy or catalog file, exit 2 with one sentence; the other files' results
are always kept. Cases that could hang or exhaust memory on a regression run
in a subprocess with a timeout and a memory cap, so they fail instead of
stalling CI.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any

import git
import pytest
from click.testing import CliRunner

from greengate.cli.root import main

OK = (
    Path(__file__).resolve().parents[1] / "examples" / "deployments" / "support-summarizer.yaml"
).read_text()
KUBE = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: llm}
spec:
  replicas: REPLICAS
  template:
    spec:
      containers:
        - name: vllm
          image: vllm/vllm-openai:v0.6.0
          resources: {limits: {nvidia.com/gpu: 1}}
"""
TF = """\
resource "aws_sagemaker_endpoint_configuration" "llm" {
  production_variants {
    instance_type          = "ml.g5.2xlarge"
    initial_instance_count = COUNT
  }
}
"""
BIG = "9" * 5000
MEMORY_CAP = 1 << 30


def run(cwd: Path, *args: str, memory: int = MEMORY_CAP) -> tuple[int, dict[str, Any], str]:
    """``greengate check ARGS --format json`` in a subprocess: a hang or a memory blow-up fails."""

    def cap() -> None:  # pragma: no cover - runs in the child
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    try:
        done = subprocess.run(
            [sys.executable, "-m", "greengate", "check", *args, "--format", "json"],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=60,
            preexec_fn=cap,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"greengate check {' '.join(args)} hung")
    report = json.loads(done.stdout) if done.stdout.strip().startswith("{") else {}
    return done.returncode, report, done.stderr


def check(cwd: Path, *args: str) -> tuple[int, dict[str, Any], str]:
    """The same in-process through click, for input that cannot hang."""
    old = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, ["check", *args, "--format", "json"])
    finally:
        os.chdir(old)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    report = json.loads(result.stdout) if result.stdout.strip().startswith("{") else {}
    return result.exit_code, report, result.stderr


def unreadable(report: dict[str, Any]) -> dict[str, list[tuple[int, str]]]:
    """GG001 findings by file: (line, message)."""
    found: dict[str, list[tuple[int, str]]] = {}
    for f in report.get("findings", []):
        if f["ruleId"] == "GG001":
            found.setdefault(f["file"], []).append((f["line"], f["message"]))
    return found


def deployments(report: dict[str, Any]) -> set[str]:
    return {f["deployment"] for f in report.get("findings", []) if f.get("deployment")}


def write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def commit(repo: git.Repo, message: str = "c") -> None:
    repo.git.add("-A")
    repo.git.commit("-q", "-m", message, "--no-verify", author="t <t@example.com>")


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A folder with one good manifest; each test adds a hostile one beside it."""
    write(tmp_path, "ok.yaml", OK)
    return tmp_path


# --- 1. numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        ("native.yaml", OK.replace("max: 4", "max: 1.0e+400"), 21),
        ("kube.yaml", KUBE.replace("REPLICAS", "1.0e+999"), 5),
        ("big-int.yaml", KUBE.replace("REPLICAS", BIG), 5),
        ("main.tf", TF.replace("COUNT", "1e400"), 4),
        ("big.tf", TF.replace("COUNT", BIG), 4),
        (
            "big.json",
            '{\n  "kind": "AIDeployment",\n  "spec": {"replicas": ' + BIG + "}\n}\n",
            3,
        ),
        ("inf.json", '{\n  "kind": "AIDeployment",\n  "spec": {"replicas": 1e400}\n}\n', 3),
        ("nan.json", '{\n  "kind": "AIDeployment",\n  "spec": {"replicas": NaN}\n}\n', 3),
    ],
)
def test_a_number_out_of_range_is_a_located_error_and_other_files_are_kept(
    tree: Path, name: str, text: str, line: int
) -> None:
    write(tree, name, text)
    code, report, stderr = check(tree, ".")
    assert "internal error" not in stderr
    assert code == 1
    ((at, message),) = unreadable(report)[name]
    assert at == line
    assert "out of range" in message or "not a JSON number" in message
    assert "support-summarizer" in deployments(report)


def test_infinity_written_as_such_stays_text(tree: Path) -> None:
    write(tree, "inf.yaml", OK.replace("max: 4", "max: .inf"))
    _, report, stderr = check(tree, "inf.yaml")
    assert "internal error" not in stderr
    # Not a number for later stages: the native schema says what is wrong with it.
    assert [f["ruleId"] for f in report["findings"] if f["status"] == "error"] == ["GG002"]


@pytest.mark.parametrize(
    ("name", "text", "field"),
    [
        (
            "accelerators.csv",
            f"id,aliases,vendor,architecture,generation,launch_year,tdp_watts,memory_gb,source\nacc-x,,v,a,{BIG},,,,s\n",
            "generation",
        ),
        (
            "accelerators.csv",
            "id,aliases,vendor,architecture,generation,launch_year,tdp_watts,memory_gb,source\nacc-x,,v,a,1,,1e999,,s\n",
            "tdp_watts",
        ),
        ("models.csv", f"id,parameters,source\nm-x,{BIG}B,s\n", "parameters"),
        ("models.csv", "id,parameters,source\nm-x,1e999,s\n", "parameters"),
        ("ext.yaml", f'models:\n- {{id: m-x, parameters: "{BIG}B"}}\n', "parameters"),
        ("ext.yaml", f"models:\n- {{id: m-x, parameters: {BIG}}}\n", "out of range"),
        (
            "ext.yaml",
            "pue:\n- {provider: x, pue: 1.0e+400, year: 2022, source: s}\n",
            "out of range",
        ),
        (
            "ext.yaml",
            f"regions:\n- {{provider: gcp, region: x, grid_gco2e_per_kwh: {BIG}, year: 2022, source: s}}\n",
            "out of range",
        ),
    ],
)
def test_a_catalog_number_out_of_range_stops_the_run_with_one_sentence(
    tree: Path, name: str, text: str, field: str
) -> None:
    write(tree, name, text)
    code, _, stderr = check(tree, "ok.yaml", "--catalog", name)
    assert code == 2, stderr
    assert "internal error" not in stderr
    assert f"{name}:2:" in stderr and field in stderr
    assert len(stderr.strip().splitlines()) == 1 and len(stderr) < 400


# --- 2. special files and links ----------------------------------------------------------


def hostile_entries(root: Path, outside: Path) -> dict[str, str]:
    """A FIFO, a link loop, a link to /dev/zero and a link out of ``root``: what each reports."""
    os.mkfifo(root / "fifo.yaml")
    (root / "loop.yaml").symlink_to("loop.yaml")
    (root / "zero.yaml").symlink_to("/dev/zero")
    write(
        outside,
        "secret.yaml",
        "apiVersion: greengate.dev/v1\nkind: AIDeployment\nmetadata: {name: secret}\n",
    )
    (root / "out.yaml").symlink_to(outside / "secret.yaml")
    return {
        "fifo.yaml": "FIFO",
        "loop.yaml": "symbolic link loop",
        "zero.yaml": "character device",
        "out.yaml": "outside",
    }


def test_special_files_in_a_folder_are_reported_never_read(tmp_path: Path) -> None:
    root = tmp_path / "tree"
    write(root, "ok.yaml", OK)
    expected = hostile_entries(root, tmp_path / "elsewhere")
    code, report, stderr = run(root, ".")
    assert code == 1, stderr
    found = unreadable(report)
    assert set(found) == set(expected)
    for name, words in expected.items():
        ((line, message),) = found[name]
        assert line == 1 and words in message and "not" in message
    assert deployments(report) == {"support-summarizer"}  # the secret behind the link was not read


def test_special_files_named_explicitly_are_reported(tmp_path: Path) -> None:
    root = tmp_path / "tree"
    write(root, "ok.yaml", OK)
    expected = hostile_entries(root, tmp_path / "elsewhere")
    del expected["loop.yaml"]  # click refuses a path that does not resolve, before greengate runs
    code, report, stderr = run(root, "ok.yaml", *expected)
    assert code == 1, stderr
    found = unreadable(report)
    assert set(found) == set(expected)
    assert "support-summarizer" in deployments(report)


def test_special_files_in_a_git_work_tree_are_reported_not_dropped(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    repo = git.Repo.init(root)
    write(root, "ok.yaml", OK)
    expected = hostile_entries(root, tmp_path / "elsewhere")
    write(root, ".gitignore", "ignored.yaml\n")
    os.mkfifo(root / "ignored.yaml")  # what git ignores stays ignored
    commit(repo)  # the links are committed; git cannot hold the FIFO, it stays untracked
    code, report, stderr = run(root, ".")
    assert code == 1, stderr
    assert set(unreadable(report)) == set(expected)
    assert deployments(report) == {"support-summarizer"}


def test_links_committed_to_git_are_reported_at_a_commit_not_followed(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    repo = git.Repo.init(root)
    write(root, "ok.yaml", OK)
    commit(repo, "base")
    (root / "loop.yaml").symlink_to("loop.yaml")
    (root / "zero.yaml").symlink_to("/dev/zero")
    (root / "same.yaml").symlink_to("ok.yaml")
    commit(repo, "links")
    code, report, stderr = run(root, ".", "--changed-since", "HEAD~1", "--head", "HEAD")
    assert code == 1, stderr
    found = unreadable(report)
    assert set(found) == {"loop.yaml", "zero.yaml", "same.yaml"}
    assert all("symbolic link" in m and "120000" in m for [(_, m)] in found.values())


# --- 3. alias bombs and huge documents ---------------------------------------------------


def test_an_alias_bomb_is_refused_without_expanding_it(tree: Path) -> None:
    lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 12):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 10) + "]")
    write(tree, "bomb.yaml", "\n".join(lines) + "\n")
    code, report, stderr = run(tree, ".")
    assert code == 1, stderr
    ((line, message),) = unreadable(report)["bomb.yaml"]
    assert "values (an alias bomb?)" in message and line == 6
    assert "support-summarizer" in deployments(report)


def test_a_million_keys_are_refused_in_bounded_memory(tree: Path) -> None:
    write(tree, "keys.yaml", "".join(f"k{i}: 1\n" for i in range(1_000_000)))
    # Before, the whole node graph was built first: ~900 MiB. Now values stop at the limit.
    code, report, stderr = run(tree, ".", "--max-file-size", "20000000", memory=400 << 20)
    assert code == 1, stderr
    ((_, message),) = unreadable(report)["keys.yaml"]
    assert "more than" in message
    assert "support-summarizer" in deployments(report)


# --- 4. duplicate keys -------------------------------------------------------------------


def test_a_duplicate_key_in_a_manifest_is_an_error_at_the_second_key(tree: Path) -> None:
    text = OK.replace(
        "    region: europe-north1\n", "    region: europe-north1\n    region: eu-north-1\n"
    )
    write(tree, "dup.yaml", text)
    write(tree, "dup.json", '{\n  "kind": "AIDeployment",\n  "kind": "Other"\n}\n')
    write(tree, "dup.tf", 'resource "a" "b" {\n  x = 1\n  x = 2\n}\n')
    code, report, _ = check(tree, ".")
    assert code == 1
    found = unreadable(report)
    assert found["dup.yaml"] == [(17, "duplicate key 'region' (first at line 16)")]
    assert found["dup.json"] == [(3, "duplicate key 'kind' (first at line 2)")]
    assert found["dup.tf"] == [(3, "duplicate attribute 'x' (first at line 2)")]
    assert "support-summarizer" in deployments(report)


def test_a_duplicate_key_in_the_config_stops_the_run(tree: Path) -> None:
    write(tree, ".greengate.yaml", "failOn: high\nfailOn: info\n")
    code, _, stderr = check(tree, ".")
    assert code == 2
    assert stderr.strip().splitlines() == [
        "greengate: error: .greengate.yaml:2:1: duplicate key 'failOn' (first at line 1); fix the config file's YAML"
    ]


def test_a_duplicate_key_in_a_policy_stops_the_run(tree: Path) -> None:
    policy = """\
apiVersion: greengate.dev/v1
kind: Policy
metadata:
  name: owners
spec:
  severity: low
  validations:
    - id: ACME001
      field: owner
      expression: deployment.owner != ""
      expression: "true"
      message: unknown owner
"""
    write(tree, "policy.yml", policy)
    code, _, stderr = check(tree, "ok.yaml", "--policy", "policy.yml")
    assert code == 2
    (line,) = stderr.strip().splitlines()
    assert "policy.yml:11:7: duplicate key 'expression' (first at line 10)" in line


# --- 5. multi-document streams -----------------------------------------------------------


def test_a_broken_document_loses_only_itself(tree: Path) -> None:
    first = OK
    third = OK.replace("name: support-summarizer", "name: third")
    write(tree, "stream.yaml", first + "---\nbroken: [1, 2\nx: 3\n---\n" + third)
    code, report, _ = check(tree, "stream.yaml")
    assert code == 1
    ((line, message),) = unreadable(report)["stream.yaml"]
    assert message.startswith("invalid YAML") and line == OK.count("\n") + 3
    assert deployments(report) == {"support-summarizer", "third"}
    (task,) = [f for f in report["findings"] if f["deployment"] == "third" and f["field"] == "task"]
    assert task["line"] == OK.count("\n") + 4 + 10  # its true line in the file


def test_a_link_loop_is_reported_when_config_globs_place_every_file(tmp_path: Path) -> None:
    root = tmp_path / "tree"
    write(root, "ok.yaml", OK)
    write(root, ".greengate.yaml", 'exclude: ["generated/**"]\n')
    (root / "loop.yaml").symlink_to("loop.yaml")
    code, report, stderr = run(root, ".")
    assert code == 1, stderr
    assert "symbolic link loop" in unreadable(report)["loop.yaml"][0][1]
    assert "support-summarizer" in deployments(report)
    # An exclude glob leaves the entry out, as it would a file.
    write(root, ".greengate.yaml", 'exclude: ["loop.yaml"]\n')
    code, report, stderr = run(root, ".")
    assert code == 0, stderr
    assert not unreadable(report)


# --- 6. the audit -------------------------------------------------------------------------


def test_the_audit_of_a_hostile_tree_lists_error_rows_and_keeps_every_good_deployment(
    tmp_path: Path,
) -> None:
    """Everything above at once, audited in a subprocess: error rows, never a crash or a hang."""
    root = tmp_path / "tree"
    write(root, "ok.yaml", OK)
    write(root, "kube.yaml", KUBE.replace("REPLICAS", "1.0e+999"))
    write(root, "big.tf", TF.replace("COUNT", BIG))
    write(root, "nan.json", '{\n  "kind": "AIDeployment",\n  "spec": {"replicas": NaN}\n}\n')
    write(root, "bomb.yaml", "a: &a [x]\n" + "".join(f"b{i}: &b{i} [*a, *a]\n" for i in range(40)))
    write(root, "ctl.yaml", OK.replace("support-summarizer", "evil\u202e::error::x"))
    write(root, "esc.yaml", OK.replace("support-summarizer", "esc\x1b[31m"))
    expected = hostile_entries(root, tmp_path / "elsewhere")

    def cap() -> None:  # pragma: no cover - runs in the child
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))

    done = subprocess.run(
        [sys.executable, "-m", "greengate", "audit", ".", "--format", "json"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=cap,
        check=False,
    )
    assert done.returncode == 0, done.stderr  # the audit reports, it does not gate
    assert "\x1b" not in done.stdout and "\u202e" not in done.stdout
    audit = json.loads(done.stdout)
    errors = {e["file"] for e in audit["errors"]}
    assert set(expected) | {"kube.yaml", "big.tf", "nan.json", "esc.yaml"} <= errors
    names = {r["name"] for r in audit["rows"]}
    assert "support-summarizer" in names
    assert any(n.startswith("evil") for n in names)
    assert audit["overall"]["deployments"] == len(audit["rows"])
