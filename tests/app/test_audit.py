"""``greengate audit``: the inventory, its totals, owners, refs, shards and the gate.

Audits run on the shipped examples, the real corpus and real git
repositories made in a temp dir, through the real CLI where the user would.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import git
import pytest
from click.testing import CliRunner
from tests.conftest import CORPUS, EXAMPLES

from greengate.app.audit import AuditOptions, Shard, run_audit
from greengate.cli import main
from greengate.records.audit import DIMENSIONS, UNKNOWN, AuditReport

NATIVE = """\
apiVersion: greengate.dev/v1
kind: AIDeployment
metadata:
  name: {name}
{owner}spec:
  workload: inference
  task: chat
  model:
    parameters: 8B
  cloud:
    provider: aws
    region: {region}
  hardware:
    accelerator: nvidia-l4
    count: 1
  replicas: {{min: 1, max: 2}}
  rateLimits:
    requestsPerMinute: 60
"""


def native(name: str, region: str = "eu-north-1", owner: str = "") -> str:
    return NATIVE.format(name=name, region=region, owner=f"  owner: {owner}\n" if owner else "")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def audit_json(*args: str) -> tuple[int, dict[str, Any]]:
    code, out, err = run("audit", "--format", "json", *args)
    assert err == "", err
    return code, json.loads(out)


def make_repo(path: Path, files: dict[str, str], message: str = "c") -> git.Repo:
    path.mkdir(parents=True, exist_ok=True)
    repo = git.Repo.init(path) if not (path / ".git").exists() else git.Repo(path)
    for name, text in files.items():
        target = path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    repo.git.add("-A")
    repo.git.commit("-q", "-m", message, "--no-verify", author="t <t@example.com>")
    return repo


def check_deployments(*paths: Path) -> list[tuple[str, str, int]]:
    code, out, _ = run("check", "--format", "json", *map(str, paths))
    assert code in (0, 1)
    return sorted((d["name"], d["file"], d["line"]) for d in json.loads(out)["deployments"])


def assert_totals_are_the_sums_of_the_rows(report: AuditReport) -> None:
    rows = report.rows
    high = sum(r.estimate.tco2e_year_high or 0.0 for r in rows)
    kwh = sum(r.estimate.kwh_year_high or 0.0 for r in rows)
    assert report.overall.deployments == len(rows)
    assert report.overall.tco2e_year_high == pytest.approx(high)
    assert report.overall.kwh_year_high == pytest.approx(kwh)
    for dimension in DIMENSIONS:
        groups = report.totals[dimension]
        if dimension == "policy":  # a row failing two rules is in two groups
            continue
        assert sum(g.deployments for g in groups) == len(rows), dimension
        assert sum(g.tco2e_year_high for g in groups) == pytest.approx(high), dimension
        assert sum(g.share for g in groups) == pytest.approx(1.0 if high else 0.0), dimension
        assert [g.tco2e_year_high for g in groups] == sorted(
            (g.tco2e_year_high for g in groups), reverse=True
        )
    for group in report.totals["policy"]:
        failing = [
            r for r in rows if group.key in r.failing or (not r.failing and group.key == "(none)")
        ]
        assert group.deployments == len(failing), group.key
    unestimated = [
        r for r in rows if r.estimate.tco2e_year_high is None and r.estimate.training_tco2e is None
    ]
    assert report.overall.unestimated == len(unestimated)


@pytest.mark.parametrize("folder", [EXAMPLES, CORPUS], ids=["examples", "corpus"])
def test_every_deployment_check_finds_is_a_row_and_totals_add_up(folder: Path) -> None:
    report, gating = run_audit(AuditOptions([folder]))
    assert gating == 0  # no --fail-on: the audit never gates
    rows = sorted((r.name, Path(r.file).name, r.line) for r in report.rows)
    assert rows == sorted((n, Path(f).name, line) for n, f, line in check_deployments(folder))
    assert_totals_are_the_sums_of_the_rows(report)
    assert report.errors, "examples and corpus hold unreadable manifests: they are error rows"
    assert all(e.line >= 1 and e.message for e in report.errors)


def test_the_rows_carry_the_facts_and_the_estimates_with_how_they_were_computed() -> None:
    report, _ = run_audit(AuditOptions([EXAMPLES]))
    chat = next(r for r in report.rows if r.name == "chat-apac")
    assert (chat.provider, chat.region, chat.accelerator, chat.task) == (
        "aws",
        "ap-south-1",
        "nvidia-l4",
        "chat",
    )
    assert (chat.replicas_min, chat.replicas_max, chat.count) == (2, 8, 1.0)
    assert chat.owner == "team-assistant" and chat.owner_source == "metadata.owner at line 6"
    assert chat.failing == ("GG201",)  # ap-south-1 is not low-carbon
    e = chat.estimate
    assert e.tco2e_year_low is not None and e.tco2e_year_high is not None
    assert e.tco2e_year_low < e.tco2e_year_high
    assert e.kwh_year_high is not None and chat.grid_intensity is not None
    assert e.tco2e_year_high == pytest.approx(e.kwh_year_high * chat.grid_intensity / 1e6, rel=1e-2)
    assert "replicas.max" in e.how["estimate.kWhPerYearHigh"]


def test_owners_come_from_the_manifest_then_labels_then_codeowners(tmp_path: Path) -> None:
    kube = textwrap.dedent(
        """\
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {name}
          labels: {labels}
        spec:
          template:
            spec:
              containers:
                - name: vllm
                  image: vllm/vllm-openai
                  resources:
                    limits:
                      nvidia.com/gpu: 1
        """
    )
    make_repo(
        tmp_path / "repo",
        {
            ".github/CODEOWNERS": "# owners\n* @org/everyone\n/serving/ @org/ml-platform\n",
            "serving/declared.yaml": native("declared", owner="team-chat"),
            "serving/labelled.yaml": kube.format(name="labelled", labels="{team: search}"),
            "serving/plain.yaml": kube.format(name="plain", labels="{}"),
            "other/plain.yaml": kube.format(name="elsewhere", labels="{}"),
        },
    )
    report, _ = run_audit(AuditOptions([tmp_path / "repo"]))
    owners = {r.name: (r.owner, r.owner_source) for r in report.rows}
    assert owners["declared"][0] == "team-chat"
    assert owners["labelled"] == ("search", "label team at line 5")
    assert owners["plain"] == ("@org/ml-platform", ".github/CODEOWNERS:3")
    assert owners["elsewhere"] == ("@org/everyone", ".github/CODEOWNERS:2")
    assert {t.key for t in report.totals["owner"]} == {
        "team-chat",
        "search",
        "@org/ml-platform",
        "@org/everyone",
    }


def test_a_deployment_without_an_owner_is_counted_as_unknown(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(native("nobody"))
    report, _ = run_audit(AuditOptions([tmp_path]))
    assert [t.key for t in report.totals["owner"]] == [UNKNOWN]


def test_ref_reads_the_commit_not_the_work_tree(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"a.yaml": native("first")}, "one")
    make_repo(tmp_path / "r", {"b.yaml": native("second", region="ap-south-1")}, "two")
    (tmp_path / "r" / "c.yaml").write_text(native("uncommitted"))
    old = repo.commit("HEAD~1").hexsha
    code, data = audit_json(str(tmp_path / "r"), "--ref", "HEAD~1")
    assert code == 0
    assert [r["name"] for r in data["rows"]] == ["first"]
    assert data["repositories"][0]["commit"] == old
    assert data["repositories"][0]["ref"] == "HEAD~1"
    _, now = audit_json(str(tmp_path / "r"))
    assert sorted(r["name"] for r in now["rows"]) == ["first", "second", "uncommitted"]


def test_ref_outside_git_stops_with_one_sentence(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(native("x"))
    code, out, err = run("audit", str(tmp_path), "--ref", "HEAD")
    assert code == 2 and out == ""
    assert err.startswith("greengate: error: ") and err.count("\n") == 1


def test_fail_on_turns_the_audit_into_a_gate(tmp_path: Path) -> None:
    (tmp_path / "dirty.yaml").write_text(native("dirty", region="ap-south-1"))
    assert audit_json(str(tmp_path))[0] == 0
    assert audit_json(str(tmp_path), "--fail-on", "high")[0] == 1
    assert audit_json(str(tmp_path), "--fail-on", "critical")[0] == 0
    (tmp_path / "broken.yaml").write_text(
        "apiVersion: greengate.dev/v1\nkind: AIDeployment\nspec: [\n"
    )
    assert audit_json(str(tmp_path), "--fail-on", "critical")[0] == 1  # unreadable always gates


def three_repos(tmp_path: Path) -> list[str]:
    paths = []
    for i, region in enumerate(["eu-north-1", "ap-south-1", "us-east-1"]):
        path = tmp_path / f"repo{i}"
        make_repo(path, {f"d{i}.yaml": native(f"dep{i}", region=region, owner=f"team{i % 2}")})
        paths.append(str(path))
    return paths


def test_shards_merge_into_exactly_the_unsharded_report(tmp_path: Path) -> None:
    paths = three_repos(tmp_path)
    code, whole, _ = run("audit", "--format", "json", *paths)
    assert code == 0
    files = []
    for k in (1, 2, 3):
        out = tmp_path / f"shard{k}.json"
        assert run("audit", *paths, "--shard", f"{k}/3", "-o", str(out))[0] == 0
        files.append(str(out))
    held = [len(json.loads(Path(f).read_text())["repositories"]) for f in files]
    assert sum(held) == 3
    code, merged, err = run("audit", "merge", "--format", "json", *files)
    assert (code, err) == (0, "")
    assert merged == whole  # byte for byte


def test_a_shard_is_the_same_on_every_machine() -> None:
    names = [f"org/repo-{i}" for i in range(200)]
    for n in (2, 5):
        shards = [[x for x in names if Shard(k, n).holds(x)] for k in range(1, n + 1)]
        assert sorted(x for s in shards for x in s) == sorted(names)
        assert all(shards)  # a hash, not "all in the first"
    assert Shard.parse("2/4") == Shard(2, 4)


@pytest.mark.parametrize("value", ["0/2", "3/2", "a/b", "2", "/2", "1/0"])
def test_a_bad_shard_stops_the_run(tmp_path: Path, value: str) -> None:
    code, out, err = run("audit", str(tmp_path), "--shard", value)
    assert code == 2 and out == "" and "--shard" in err and err.count("\n") == 1


def test_merge_refuses_what_would_differ_from_the_unsharded_run(tmp_path: Path) -> None:
    paths = three_repos(tmp_path)
    one, two = tmp_path / "1.json", tmp_path / "2.json"
    run("audit", *paths, "--shard", "1/2", "-o", str(one))
    run("audit", *paths, "--shard", "2/2", "-o", str(two))
    plain = tmp_path / "plain.json"
    run("audit", "--format", "json", *paths, "-o", str(plain))
    other = tmp_path / "other.json"
    run("audit", *paths, "--shard", "1/3", "-o", str(other))
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "greengate.dev/audit/v1", "rows": 3}')
    notjson = tmp_path / "x.json"
    notjson.write_text("{\n nope")
    for args, words in [
        ([one], "shard 2/2 is missing"),
        ([one, one], "are both shard 1/2"),
        ([one, two, plain], "is not a shard"),
        ([one, other], "different ways"),
        ([one, bad], "malformed"),
        ([notjson], "x.json:2:2: not JSON"),
    ]:
        code, out, err = run("audit", "merge", *map(str, args))
        assert code == 2 and out == "", args
        assert words in err and err.count("\n") == 1, err


def test_the_json_is_versioned_and_reads_back(tmp_path: Path) -> None:
    _, data = audit_json(str(EXAMPLES))
    assert data["format"] == "greengate.dev/audit/v1"
    assert set(data["totals"]) == set(DIMENSIONS)
    from greengate.records.audit import from_dict, to_dict

    assert to_dict(from_dict(data)) == data


def test_two_folders_with_one_name_get_distinct_names(tmp_path: Path) -> None:
    for parent in ("a", "b"):
        (tmp_path / parent / "deploy").mkdir(parents=True)
        (tmp_path / parent / "deploy" / "x.yaml").write_text(native(f"in-{parent}"))
    report, _ = run_audit(AuditOptions([tmp_path / "a" / "deploy", tmp_path / "b" / "deploy"]))
    assert sorted(r.name for r in report.repositories) == ["a/deploy", "b/deploy"]
    assert {r.repository for r in report.rows} == {"a/deploy", "b/deploy"}


def test_the_json_validates_against_the_shipped_schema(tmp_path: Path) -> None:
    import jsonschema

    schema = json.loads(
        (
            Path(__file__).resolve().parents[2] / "src/greengate/schemas/audit.schema.json"
        ).read_text()
    )
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for args in ([str(EXAMPLES)], three_repos(tmp_path)):
        _, data = audit_json(*args)
        errors = sorted(validator.iter_errors(data), key=lambda e: e.json_path)
        assert not errors, [f"{e.json_path}: {e.message}" for e in errors[:5]]


def test_files_are_relative_to_a_folder_outside_git(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "team" / "deploy").mkdir(parents=True)
    (tmp_path / "team" / "deploy" / "a.yaml").write_text(native("a"))
    monkeypatch.chdir(tmp_path)
    report, _ = run_audit(AuditOptions([tmp_path / "team"]))
    assert [r.file for r in report.rows] == ["deploy/a.yaml"]


def test_owner_budgets_are_listed_gate_and_survive_shards(tmp_path: Path) -> None:
    paths = three_repos(tmp_path)
    config = 'params:\n  carbon-budget:\n    ownerBudgets: {team0: 0.001, "*": 1000}\n'
    for path in paths:
        (Path(path) / ".greengate.yaml").write_text(config)
    code, data = audit_json(*paths)
    assert code == 0
    budgets = {b["owner"]: b for b in data["budgets"]}
    assert budgets["team0"]["budget"] == 0.001 and budgets["team1"]["budget"] == 1000
    owners = {t["key"]: t["tco2e_year_high"] for t in data["totals"]["owner"]}
    assert budgets["team0"]["tco2e_year_high"] == owners["team0"] > 0.001
    assert audit_json(*paths, "--fail-on", "high")[0] == 1  # team0 is over its budget
    (Path(paths[0]) / ".greengate.yaml").write_text("{}\n")
    (Path(paths[2]) / ".greengate.yaml").write_text("{}\n")  # only repo1 sets budgets now
    _, whole, _ = run("audit", "--format", "json", *paths)
    files = []
    for k in (1, 2):
        out = tmp_path / f"s{k}.json"
        run("audit", *paths, "--shard", f"{k}/2", "-o", str(out))
        files.append(str(out))
    assert run("audit", "merge", "--format", "json", *files)[1] == whole
