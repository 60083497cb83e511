"""The pull-request gate in real git repositories: --changed-since, --new-only, --policies-from."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import git
import pytest
from click.testing import CliRunner

from greengate.cli import main

OWNER_POLICY = """\
apiVersion: greengate.dev/v1
kind: Policy
metadata: {name: owner-required}
spec:
  severity: low
  validations:
    - id: ACME001
      field: owner
      expression: has(deployment.owner)
      message: the deployment declares no owner
      remediation: Set metadata.owner.
"""

CONFIG = """\
policies:
  paths: [policies/]
params:
  low-carbon-region:
    maxGridIntensity: 200.0
"""


def manifest(
    name: str,
    *,
    region: str = "europe-north1",
    tokens: bool = True,
    owner: bool = True,
    above: str = "",
) -> str:
    text = f"""\
    apiVersion: greengate.dev/v1
    kind: AIDeployment
    metadata:
      name: {name}
      {"owner: team-a" if owner else "labels: {}"}
    spec:
      workload: inference
      task: chat
      model: {{parameters: 8B}}
      cloud: {{provider: gcp, region: {region}}}
      hardware: {{accelerator: nvidia-l4, count: 1}}
      rateLimits:
        requestsPerMinute: 600
    """
    if tokens:
        text += "    tokensPerMinute: 100000\n"
    return above + textwrap.dedent(text)


def commit(repo: git.Repo, message: str) -> None:
    repo.git.add("-A")
    repo.index.commit(message)


@pytest.fixture
def pr(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> git.Repo:
    """main: four manifests, a policy and a config; pr: modifies, renames, deletes, adds."""
    repo = git.Repo.init(tmp_path, initial_branch="main")
    with repo.config_writer() as cfg:
        cfg.set_value("user", "name", "t")
        cfg.set_value("user", "email", "t@example.com")
    files = {
        ".greengate.yaml": CONFIG,
        "policies/owner.yaml": OWNER_POLICY,
        "deploy/keep.yaml": manifest("keep", region="asia-south1"),
        "deploy/modify.yaml": manifest("modify", region="asia-south1"),
        "deploy/rename-me.yaml": manifest("moved", tokens=False),
        "deploy/delete.yaml": manifest("gone", region="asia-south1"),
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    commit(repo, "base")
    repo.git.checkout("-b", "pr")
    # modified: lines added above the old finding (it moves), and a new failure (no token limit)
    (tmp_path / "deploy/modify.yaml").write_text(
        manifest("modify", region="asia-south1", tokens=False, above="# a comment\n# and another\n")
    )
    repo.git.mv("deploy/rename-me.yaml", "deploy/renamed.yaml")
    (tmp_path / "deploy/delete.yaml").unlink()
    (tmp_path / "deploy/added.yaml").write_text(manifest("added", owner=False))
    commit(repo, "pr")
    monkeypatch.chdir(tmp_path)
    return repo


def check(*args: str) -> tuple[int, dict, str]:  # type: ignore[type-arg]
    result = CliRunner().invoke(
        main, ["check", "deploy", "--format", "json", *args], catch_exceptions=False
    )
    report = json.loads(result.stdout) if result.stdout else {}
    return result.exit_code, report, result.stderr


def failing(report: dict) -> set[tuple[str, str]]:  # type: ignore[type-arg]
    return {
        (Path(f["file"]).name, f["ruleId"])
        for f in report["findings"]
        if f["status"] in ("fail", "error")
    }


def existing(report: dict) -> set[tuple[str, str]]:  # type: ignore[type-arg]
    return {
        (Path(f["file"]).name, f["ruleId"]) for f in report["findings"] if f["status"] == "existing"
    }


def test_changed_since_checks_only_what_the_change_touches(pr: git.Repo) -> None:
    code, report, _ = check("--changed-since", "main")
    assert code == 1
    assert sorted(Path(d["file"]).name for d in report["deployments"]) == [
        "added.yaml",
        "modify.yaml",
        "renamed.yaml",
    ]
    assert failing(report) == {
        ("modify.yaml", "GG201"),
        ("modify.yaml", "GG302"),
        ("renamed.yaml", "GG302"),
        ("added.yaml", "ACME001"),
    }


def test_new_only_reports_what_the_change_introduces(pr: git.Repo) -> None:
    code, report, _ = check("--changed-since", "main", "--new-only")
    assert code == 1
    assert failing(report) == {("modify.yaml", "GG302"), ("added.yaml", "ACME001")}
    # The region finding moved two lines down and the renamed file kept its finding: both existing.
    assert existing(report) == {("modify.yaml", "GG201"), ("renamed.yaml", "GG302")}
    moved = next(
        f for f in report["findings"] if f["status"] == "existing" and f["ruleId"] == "GG201"
    )
    assert moved["line"] == 12
    assert any("--new-only" in note for note in report["notes"])


def test_new_only_passes_when_nothing_new(pr: git.Repo) -> None:
    root = Path(str(pr.working_tree_dir))
    (root / "deploy/modify.yaml").write_text(
        manifest("modify", region="asia-south1", above="# a comment\n")
    )
    (root / "deploy/added.yaml").unlink()
    code, report, _ = check("--changed-since", "main", "--new-only")
    assert code == 0, failing(report)
    assert report["summary"]["byStatus"]["existing"] == 2


def test_a_pr_cannot_weaken_its_own_gate(pr: git.Repo) -> None:
    root = Path(str(pr.working_tree_dir))
    (root / "policies/owner.yaml").unlink()
    (root / ".greengate.yaml").write_text(CONFIG.replace("200.0", "1000.0"))
    commit(pr, "relax the gate")
    # Judged by its own (relaxed) policies, the PR would pass its region and owner checks.
    _, relaxed, _ = check("--changed-since", "main")
    assert ("modify.yaml", "GG201") not in failing(relaxed)
    assert ("added.yaml", "ACME001") not in failing(relaxed)
    # Judged by the base branch's policies and config, it does not.
    code, report, err = check("--changed-since", "main", "--policies-from", "main")
    assert (code, err) == (1, "")
    assert {("modify.yaml", "GG201"), ("added.yaml", "ACME001")} <= failing(report)
    note = next(n for n in report["notes"] if "this change edits" in n)
    assert ".greengate.yaml" in note and "policies/owner.yaml" in note


def test_head_ref_is_read_from_git_objects(pr: git.Repo) -> None:
    root = Path(str(pr.working_tree_dir))
    pr.git.checkout("main")
    assert not (root / "deploy/added.yaml").exists()
    code, report, _ = check("--changed-since", "main", "--head", "pr")
    assert code == 1
    assert ("added.yaml", "ACME001") in failing(report)
    assert not (root / "deploy/added.yaml").exists()  # the work tree was not touched


def test_detached_head_is_fine(pr: git.Repo) -> None:
    pr.git.checkout(pr.head.commit.hexsha)
    code, report, _ = check("--changed-since", "main", "--new-only")
    assert code == 1 and failing(report) == {("modify.yaml", "GG302"), ("added.yaml", "ACME001")}


def test_git_errors_are_one_sentence_and_exit_2(
    pr: git.Repo, tmp_path_factory: pytest.TempPathFactory
) -> None:
    code, _, err = check("--changed-since", "nope")
    assert code == 2
    assert (
        err
        == "greengate: error: unknown git ref 'nope'; check it with `git rev-parse nope`, or fetch it with `git fetch origin nope`\n"
    )
    code, _, err = check("--new-only")
    assert code == 2 and "--new-only compares with a base; add --changed-since REF" in err
    outside = tmp_path_factory.mktemp("plain")
    (outside / "m.yaml").write_text(manifest("x"))
    result = CliRunner().invoke(main, ["check", str(outside), "--changed-since", "main"])
    assert result.exit_code == 2 and "is not inside a git repository" in result.stderr


MAIN_TF = """\
provider "aws" {
  region = var.region
}

resource "aws_sagemaker_endpoint_configuration" "llm" {
  name = "llm"

  production_variants {
    variant_name           = "v1"
    model_name             = "m"
    instance_type          = "ml.g5.2xlarge"
    initial_instance_count = 1
  }
}
"""


@pytest.fixture
def terraform_pr(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> git.Repo:
    """main: a SageMaker endpoint whose region comes from variables.tf; pr: only variables.tf changes."""
    repo = git.Repo.init(tmp_path, initial_branch="main")
    with repo.config_writer() as cfg:
        cfg.set_value("user", "name", "t")
        cfg.set_value("user", "email", "t@example.com")
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "main.tf").write_text(MAIN_TF)
    (tmp_path / "infra" / "variables.tf").write_text(
        'variable "region" {\n  default = "eu-north-1"\n}\n'
    )
    commit(repo, "base")
    repo.git.checkout("-b", "pr")
    (tmp_path / "infra" / "variables.tf").write_text(
        'variable "region" {\n  default = "ap-south-1"\n}\n'
    )
    commit(repo, "move the endpoint")
    monkeypatch.chdir(tmp_path)
    return repo


def region_findings(*args: str) -> list[tuple[str, str, int]]:
    result = CliRunner().invoke(
        main, ["check", "infra", "--format", "json", *args], catch_exceptions=False
    )
    report = json.loads(result.stdout)
    return [
        (f["status"], Path(f["file"]).name, f["line"])
        for f in report["findings"]
        if f["ruleId"] == "GG201"
    ]


def test_a_change_to_a_variable_rechecks_its_folder_against_the_base_folder(
    terraform_pr: git.Repo,
) -> None:
    # main.tf did not change, but the region it reads did: it is checked, and the
    # base evaluation reads variables.tf as it was, so the new failure is new.
    assert region_findings("--changed-since", "main", "--new-only") == [("fail", "variables.tf", 2)]


def test_head_ref_reads_the_whole_folder_from_the_commit(terraform_pr: git.Repo) -> None:
    terraform_pr.git.checkout("main")
    assert region_findings() == [("pass", "variables.tf", 2)]
    assert region_findings("--head", "pr") == [("fail", "variables.tf", 2)]


# A pull request cannot weaken the gate that judges it: waivers, catalog, baseline, identities.

WAIVE = '  annotations:\n    greengate.dev/waive-GG201: "{reason}"\n'


def waived(name: str, reason: str, **kwargs: object) -> str:
    """``manifest(name)`` with an inline waiver of GG201 (line 6) in its metadata."""
    text = manifest(name, **kwargs)  # type: ignore[arg-type]
    return text.replace(f"  name: {name}\n", f"  name: {name}\n" + WAIVE.format(reason=reason))


def statuses(report: dict, rule: str) -> list[str]:  # type: ignore[type-arg]
    return sorted(
        f["status"] for f in report["findings"] if f["ruleId"] == rule and f["status"] != "pass"
    )


def test_an_inline_waiver_the_change_adds_does_not_waive(pr: git.Repo) -> None:
    root = Path(str(pr.working_tree_dir))
    (root / "deploy/modify.yaml").write_text(
        waived("modify", "trust me", region="asia-south1", tokens=False)
    )
    commit(pr, "waive my own finding")
    code, report, err = check("--changed-since", "main", "--policies-from", "main")
    assert (code, err) == (1, "")
    assert ("modify.yaml", "GG201") in failing(report)
    (gg003,) = [f for f in report["findings"] if f["ruleId"] == "GG003"]
    assert (gg003["status"], gg003["severity"], gg003["line"]) == ("fail", "high", 6)
    assert Path(gg003["file"]).name == "modify.yaml"
    assert "not in force" in gg003["message"] and "not at main" in gg003["message"]
    assert "owners of the config" in gg003["message"]
    assert (gg003["title"], gg003["policy"]) == ("Inline waiver not granted", "manifest")
    sarif = CliRunner().invoke(
        main,
        [
            "check",
            "deploy",
            "--format",
            "sarif",
            "--changed-since",
            "main",
            "--policies-from",
            "main",
        ],
    )
    (run,) = json.loads(sarif.stdout)["runs"]
    rule = next(r for r in run["tool"]["driver"]["rules"] if r["id"] == "GG003")
    assert "owners of the config" in json.dumps(rule)
    # --new-only does not hide it either: the waiver is new.
    code, report, _ = check("--changed-since", "main", "--new-only", "--policies-from", "main")
    assert code == 1 and ("modify.yaml", "GG003") in failing(report)


def test_an_inline_waiver_unchanged_since_the_base_keeps_working(pr: git.Repo) -> None:
    root = Path(str(pr.working_tree_dir))
    (root / "deploy/modify.yaml").write_text(
        waived("modify", "PPA, see OPS-1", region="asia-south1")
    )
    commit(pr, "waiver granted")
    pr.git.branch("granted")
    # The change edits the file (lines above, another fact) but not the waiver.
    (root / "deploy/modify.yaml").write_text(
        "# moved down\n" + waived("modify", "PPA, see OPS-1", region="asia-south1", tokens=False)
    )
    code, report, _ = check("--changed-since", "granted", "--policies-from", "granted")
    assert statuses(report, "GG201") == ["waived"]
    assert statuses(report, "GG003") == []
    assert code == 1 and failing(report) == {("modify.yaml", "GG302")}
    # Editing the waiver's text makes it a new waiver, which the base has not granted.
    (root / "deploy/modify.yaml").write_text(
        waived("modify", "PPA until 2099", region="asia-south1")
    )
    code, report, _ = check("--changed-since", "granted", "--policies-from", "granted")
    assert code == 1
    assert statuses(report, "GG201") == ["fail"] and statuses(report, "GG003") == ["fail"]


def test_a_copied_inline_waiver_on_a_second_document_is_not_granted(pr: git.Repo) -> None:
    root = Path(str(pr.working_tree_dir))
    (root / "deploy/modify.yaml").write_text(
        waived("modify", "PPA, see OPS-1", region="asia-south1")
    )
    commit(pr, "waiver granted")
    pr.git.branch("granted")
    (root / "deploy/modify.yaml").write_text(
        waived("modify", "PPA, see OPS-1", region="asia-south1")
        + "---\n"
        + waived("modify", "PPA, see OPS-1", region="africa-south1")
    )
    code, report, _ = check("--changed-since", "granted", "--policies-from", "granted")
    assert code == 1
    assert statuses(report, "GG003") == ["fail"]


def test_inline_waivers_setting_is_read_from_the_base_config(pr: git.Repo) -> None:
    root = Path(str(pr.working_tree_dir))
    (root / "deploy/modify.yaml").write_text(waived("modify", "trust me", region="asia-south1"))
    (root / ".greengate.yaml").write_text(CONFIG + "inlineWaivers: true\n")
    commit(pr, "waive, and switch the check off")
    _, report, _ = check("--changed-since", "main", "--policies-from", "main")
    assert statuses(report, "GG201") == ["fail"] and statuses(report, "GG003") == ["fail"]
    # A base whose config says true counts every inline waiver.
    pr.git.branch("lenient")
    (root / "deploy/modify.yaml").write_text(waived("modify", "new reason", region="asia-south1"))
    _, report, _ = check("--changed-since", "lenient", "--policies-from", "lenient")
    assert statuses(report, "GG201") == ["waived"]
    assert statuses(report, "GG003") == []
    # Outside PR mode, base-only without a base counts no inline waiver, and says so.
    (root / ".greengate.yaml").write_text(CONFIG + "inlineWaivers: base-only\n")
    _, report, _ = check()
    assert statuses(report, "GG201").count("waived") == 0
    assert statuses(report, "GG003") == []
    assert any("base-only" in n and "no base commit" in n for n in report["notes"])


def test_config_show_prints_inline_waivers_with_its_origin(pr: git.Repo) -> None:
    root = Path(str(pr.working_tree_dir))
    (root / ".greengate.yaml").write_text(CONFIG + "inlineWaivers: base-only\n")
    result = CliRunner().invoke(main, ["config", "show", "--format", "json"])
    shown = {s["key"]: (s["value"], s["from"]) for s in json.loads(result.stdout)["settings"]}
    assert shown["inlineWaivers"] == ("base-only", ".greengate.yaml:6")
    result = CliRunner().invoke(main, ["config", "show", "--format", "json", "--no-inline-waivers"])
    shown = {s["key"]: (s["value"], s["from"]) for s in json.loads(result.stdout)["settings"]}
    assert shown["inlineWaivers"] == (False, "--no-inline-waivers flag")


def test_no_inline_waivers_still_wins_in_pr_mode(pr: git.Repo) -> None:
    root = Path(str(pr.working_tree_dir))
    (root / "deploy/modify.yaml").write_text(waived("modify", "OPS-1", region="asia-south1"))
    commit(pr, "waiver granted")
    pr.git.branch("granted")
    (root / "deploy/modify.yaml").write_text(
        "# edited\n" + waived("modify", "OPS-1", region="asia-south1")
    )
    args = ("--changed-since", "granted", "--policies-from", "granted", "--no-inline-waivers")
    _, report, _ = check(*args)
    assert statuses(report, "GG201") == ["fail"] and statuses(report, "GG003") == []
    assert any("--no-inline-waivers" in n for n in report["notes"])


REGIONS_CATALOG = """\
regions:
  - {provider: gcp, region: asia-south1, grid_gco2e_per_kwh: 5, cfe: 0.99, year: 2026, source: "trust me"}
"""


def test_catalog_named_on_the_command_line_is_read_at_the_base(pr: git.Repo) -> None:
    root = Path(str(pr.working_tree_dir))
    (root / "catalog").mkdir()
    (root / "catalog/regions.yaml").write_text(REGIONS_CATALOG)
    commit(pr, "a catalog that makes my region clean")
    args = ("--changed-since", "main", "--catalog", "catalog/regions.yaml")
    _, own, _ = check(*args)
    assert ("modify.yaml", "GG201") not in failing(own)  # the change's own catalog
    code, report, _ = check(*args, "--policies-from", "main")
    assert code == 1 and ("modify.yaml", "GG201") in failing(report)
    assert any(
        "--catalog catalog/regions.yaml does not exist at main" in n for n in report["notes"]
    )
    # One the base has is read as it is there, whatever the change does to it.
    pr.git.branch("with-catalog")
    (root / "catalog/regions.yaml").write_text(REGIONS_CATALOG.replace(" 5,", " 900,"))
    commit(pr, "edit the catalog")
    _, report, _ = check(
        "--changed-since", "with-catalog", "--policies-from", "with-catalog",
        "--catalog", "catalog/regions.yaml", "--new-only",
    )  # fmt: skip
    assert ("modify.yaml", "GG201") not in failing(report)
    assert any("this change edits catalog/regions.yaml" in n for n in report["notes"])


def test_a_catalog_the_change_deletes_is_read_at_the_base(pr: git.Repo) -> None:
    root = Path(str(pr.working_tree_dir))
    pr.git.checkout("main")
    (root / "catalog").mkdir()
    (root / "catalog/regions.yaml").write_text(REGIONS_CATALOG)
    commit(pr, "a catalog that makes the region clean")
    pr.git.branch("with-catalog")
    (root / "catalog/regions.yaml").unlink()
    commit(pr, "delete the catalog")
    args = ("--changed-since", "with-catalog", "--catalog", "catalog/regions.yaml")
    code, report, err = check(*args, "--policies-from", "with-catalog")
    assert err == "" and report != {}
    code, report, err = check(*args)
    assert code == 2 and report == {}
    assert err.startswith("greengate: error: --catalog catalog/regions.yaml: no such catalog file")


def test_baseline_named_on_the_command_line_is_read_at_the_base(pr: git.Repo) -> None:
    root = Path(str(pr.working_tree_dir))
    pr.git.checkout("main")
    result = CliRunner().invoke(main, ["baseline", "create", "deploy"])
    assert result.exit_code == 0, result.output
    commit(pr, "baseline")
    pr.git.checkout("pr")
    pr.git.merge("main")
    code, report, _ = check("--changed-since", "main", "--baseline", ".greengate-baseline.json")
    assert ("added.yaml", "ACME001") in failing(report)
    # The change records its own new failures in the baseline...
    result = CliRunner().invoke(main, ["baseline", "create", "deploy"])
    assert result.exit_code == 0, result.output
    commit(pr, "accept my findings")
    _, own, _ = check("--changed-since", "main", "--baseline", ".greengate-baseline.json")
    assert ("added.yaml", "ACME001") not in failing(own)
    # ...which does not count: the baseline is read at the base.
    code, report, _ = check(
        "--changed-since", "main", "--policies-from", "main",
        "--baseline", ".greengate-baseline.json",
    )  # fmt: skip
    assert code == 1 and ("added.yaml", "ACME001") in failing(report)
    assert ("modify.yaml", "GG201") not in failing(report)  # recorded at the base
    assert report["baseline"] == ".greengate-baseline.json at main"
    assert any("this change edits .greengate-baseline.json" in n for n in report["notes"])
    # A baseline the base does not have is not used, and a note says so.
    (root / "new-baseline.json").write_text((root / ".greengate-baseline.json").read_text())
    code, report, _ = check(
        "--changed-since", "main", "--policies-from", "main", "--baseline", "new-baseline.json"
    )
    assert ("modify.yaml", "GG201") in failing(report)
    assert any("--baseline new-baseline.json does not exist at main" in n for n in report["notes"])


def test_new_only_a_second_document_reusing_a_failing_name_is_new(pr: git.Repo) -> None:
    root = Path(str(pr.working_tree_dir))
    (root / "deploy/modify.yaml").write_text(
        manifest("modify", region="asia-south1")
        + "---\n"
        + manifest("modify", region="africa-south1")
    )
    code, report, _ = check("--changed-since", "main", "--new-only")
    assert code == 1
    region = sorted(
        (f["line"], f["status"])
        for f in report["findings"]
        if f["ruleId"] == "GG201" and f["status"] != "pass"
    )
    assert [s for _, s in region] == ["existing", "fail"]
    assert region[1][0] > region[0][0]  # the failing one is the new, second document


def test_new_only_a_finding_about_a_worse_value_is_new(pr: git.Repo) -> None:
    root = Path(str(pr.working_tree_dir))
    (root / "deploy/modify.yaml").write_text(manifest("modify", region="africa-south1"))
    code, report, _ = check("--changed-since", "main", "--new-only")
    assert code == 1 and statuses(report, "GG201") == ["fail"]


def test_a_policy_the_change_deletes_is_read_at_the_base(pr: git.Repo) -> None:
    root = Path(str(pr.working_tree_dir))
    (root / "policies/owner.yaml").unlink()
    commit(pr, "delete the owner policy")
    args = ("--changed-since", "main", "--no-config", "--policy", "policies/owner.yaml")
    code, report, err = check(*args, "--policies-from", "main")
    assert (code, err) == (1, "")
    assert ("added.yaml", "ACME001") in failing(report)


def test_a_missing_policy_path_without_policies_from_is_one_sentence(pr: git.Repo) -> None:
    code, report, err = check("--policy", "policies/nope.yaml")
    assert code == 2 and report == {}
    assert err.startswith("greengate: error: --policy policies/nope.yaml: no such policy file")
    assert "--policies-from REF" in err and err.count("\n") == 1


def test_policies_from_alone_reads_inline_waivers_at_the_base(pr: git.Repo) -> None:
    root = Path(str(pr.working_tree_dir))
    (root / "deploy/modify.yaml").write_text(waived("modify", "trust me", region="asia-south1"))
    code, report, _ = check("--policies-from", "main")
    assert code == 1
    gg003 = [Path(f["file"]).name for f in report["findings"] if f["ruleId"] == "GG003"]
    assert gg003 == ["modify.yaml"] and statuses(report, "GG201").count("waived") == 0


def test_inline_waivers_false_at_the_base_is_noted_with_where_it_is_written(pr: git.Repo) -> None:
    root = Path(str(pr.working_tree_dir))
    pr.git.checkout("main")
    (root / ".greengate.yaml").write_text(CONFIG + "inlineWaivers: false\n")
    commit(pr, "no inline waivers")
    (root / "deploy/modify.yaml").write_text(waived("modify", "why", region="asia-south1"))
    _, report, _ = check("--policies-from", "main")
    assert ("modify.yaml", "GG201") in failing(report) and statuses(report, "GG003") == []
    assert any("inlineWaivers: false (.greengate.yaml:6 at main)" in n for n in report["notes"])


def test_a_granted_inline_waiver_does_not_cover_a_second_document_reusing_its_name(
    pr: git.Repo,
) -> None:
    root = Path(str(pr.working_tree_dir))
    (root / "deploy/modify.yaml").write_text(
        waived("modify", "PPA, see OPS-1", region="asia-south1")
    )
    commit(pr, "waiver granted")
    pr.git.branch("granted")
    (root / "deploy/modify.yaml").write_text(
        waived("modify", "PPA, see OPS-1", region="asia-south1")
        + "---\n"
        + manifest("modify", region="africa-south1")
    )
    for mode in ((), ("--policies-from", "granted")):
        code, report, _ = check("--changed-since", "granted", *mode)
        assert code == 1
        assert statuses(report, "GG201") == ["fail", "waived"]
        assert statuses(report, "GG003") == []


# The HPA beside a workload: read from the same commit as the workload, never the work tree.

REPLICAS_POLICY = """\
apiVersion: greengate.dev/v1
kind: Policy
metadata: {name: replicas-cap}
spec:
  severity: low
  validations:
    - id: ACME002
      field: replicas.max
      expression: "!has(deployment.replicas.max) || deployment.replicas.max <= 4"
      message: the deployment may run more than 4 replicas
      remediation: Lower maxReplicas.
"""

GPU_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: vllm
spec:
  replicas: 1
  template:
    spec:
      containers:
        - name: vllm
          image: vllm/vllm-openai
          resources:
            limits:
              nvidia.com/gpu: 1
"""

SCALER = """\
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: vllm-hpa
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: vllm
  minReplicas: 1
  maxReplicas: {max}
"""


@pytest.fixture
def scaler_pr(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> git.Repo:
    """main: a GPU Deployment and its HPA (max 2); pr: only the HPA changes (max 8)."""
    repo = git.Repo.init(tmp_path, initial_branch="main")
    with repo.config_writer() as cfg:
        cfg.set_value("user", "name", "t")
        cfg.set_value("user", "email", "t@example.com")
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies/replicas.yaml").write_text(REPLICAS_POLICY)
    (tmp_path / ".greengate.yaml").write_text("policies:\n  paths: [policies/]\n")
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy/vllm.yaml").write_text(GPU_DEPLOYMENT)
    (tmp_path / "deploy/hpa.yaml").write_text(SCALER.format(max=2))
    commit(repo, "base")
    repo.git.checkout("-b", "pr")
    (tmp_path / "deploy/hpa.yaml").write_text(SCALER.format(max=8))
    commit(repo, "scale out")
    monkeypatch.chdir(tmp_path)
    return repo


def replicas_findings(*args: str) -> list[tuple[str, str, int]]:
    _, report, _ = check(*args)
    return [
        (f["status"], Path(f["file"]).name, f["line"])
        for f in report["findings"]
        if f["ruleId"] == "ACME002"
    ]


def test_a_change_to_a_scaler_rechecks_the_workload_it_scales(scaler_pr: git.Repo) -> None:
    # only hpa.yaml changed; the Deployment it scales is checked, against the base HPA
    assert replicas_findings("--changed-since", "main", "--new-only") == [("fail", "hpa.yaml", 11)]


def test_the_scaler_is_read_from_the_commit_checked(scaler_pr: git.Repo) -> None:
    scaler_pr.git.checkout("main")  # the work tree has max 2; the pr commit has 8
    assert replicas_findings() == [("pass", "hpa.yaml", 11)]
    assert replicas_findings("--head", "pr") == [("fail", "hpa.yaml", 11)]
    assert replicas_findings("--head", "main") == [("pass", "hpa.yaml", 11)]


def test_deleting_a_scaler_rechecks_the_workload_it_scaled(scaler_pr: git.Repo) -> None:
    root = Path(str(scaler_pr.working_tree_dir))
    (root / "deploy/hpa.yaml").unlink()
    commit(scaler_pr, "no autoscaling")
    # only a deletion: the Deployment is checked, with its own spec.replicas 1 again
    assert replicas_findings("--changed-since", "main") == [("pass", "vllm.yaml", 6)]
