"""Adopting greengate on an existing repo, end to end through the CLI: a config file,
waivers with expiry, defaults, a baseline. Real files in a temp repo; exit code,
stdout and stderr asserted separately."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from greengate.cli import main

CHAT = """\
apiVersion: greengate.dev/v1
kind: AIDeployment
metadata:
  name: chat-us
  owner: team-chat
spec:
  workload: inference
  task: chat
  model:
    parameters: 8B
  cloud:
    provider: aws
    region: us-east-1
  hardware:
    accelerator: nvidia-l4
    count: 1
  rateLimits:
    requestsPerMinute: 600
    tokensPerMinute: 100000
"""
"""Fails GG201 only (us-east-1 is carbon-intensive), at line 13."""

CLASSIFIER = """\
apiVersion: greengate.dev/v1
kind: AIDeployment
metadata:
  name: tickets
  owner: team-support
spec:
  workload: batch
  task: classification
  model:
    parameters: 700M
  cloud:
    provider: gcp
    region: europe-north1
  hardware:
    accelerator: nvidia-l4
    count: 1
"""
"""Passes everything: 700M is under the built-in 1B limit for classification."""

NO_REGION = """\
apiVersion: greengate.dev/v1
kind: AIDeployment
metadata:
  name: summarizer
spec:
  workload: batch
  task: summarization
  model:
    parameters: 7B
  hardware:
    accelerator: nvidia-l4
    count: 1
"""
"""Declares no cloud: the region has to come from the config's defaults."""


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository with two deployments, greengate run from its root."""
    (tmp_path / "deploy" / "us").mkdir(parents=True)
    (tmp_path / "deploy" / "us" / "chat.yaml").write_text(CHAT)
    (tmp_path / "deploy" / "tickets.yaml").write_text(CLASSIFIER)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def config(repo: Path, text: str, name: str = ".greengate.yaml") -> Path:
    path = repo / name
    path.write_text(textwrap.dedent(text))
    return path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def check_json(*args: str) -> tuple[int, dict[str, Any]]:
    code, out, err = run("check", "--format", "json", *args)
    assert err == ""
    return code, json.loads(out)


def failing(report: dict[str, Any]) -> list[tuple[str, str, int]]:
    return [
        (f["ruleId"], f["file"], f["line"])
        for f in report["findings"]
        if f["status"] in ("fail", "error")
    ]


def statuses(report: dict[str, Any], rule: str) -> list[str]:
    return [f["status"] for f in report["findings"] if f["ruleId"] == rule]


# --- overrides -------------------------------------------------------------------------


def test_without_a_config_the_defaults_apply(repo: Path) -> None:
    code, report = check_json()
    assert code == 1
    assert failing(report) == [("GG201", "deploy/us/chat.yaml", 13)]


def test_params_make_a_passing_deployment_fail(repo: Path) -> None:
    config(
        repo,
        """\
        params:
          model-size:
            maxParameters: {classification: 500000000}
        """,
    )
    code, report = check_json()
    assert code == 1
    assert ("GG101", "deploy/tickets.yaml", 10) in failing(report)
    # Deep merge: the other tasks keep their built-in limits (chat 70B: the 8B chat passes).
    assert statuses(report, "GG101") == ["fail", "pass"]


def test_params_make_a_failing_deployment_pass(repo: Path) -> None:
    config(
        repo,
        """\
        params:
          low-carbon-region:
            allowedRegions: [us-east-1, europe-north1]
        """,
    )
    code, out, err = run("check")
    assert (code, err) == (0, "")
    assert out.startswith("PASS")


def test_severity_override_with_fail_on(repo: Path) -> None:
    config(
        repo,
        """\
        failOn: medium
        rules:
          severity: {GG201: low}
        """,
    )
    code, out, err = run("check")
    assert (code, err) == (0, "")
    assert "deploy/us/chat.yaml:13:13  LOW       GG201" in out
    assert out.rstrip().endswith("fail-on medium)")
    # The flag overrides the file.
    assert run("check", "--fail-on", "low")[0] == 1


def test_severity_glob_raises_a_rule_above_fail_on(repo: Path) -> None:
    config(
        repo,
        """\
        failOn: critical
        rules:
          severity: {"GG2*": critical}
        """,
    )
    code, report = check_json()
    assert code == 1
    (finding,) = [f for f in report["findings"] if f["status"] == "fail"]
    assert finding["severity"] == "critical"


def test_a_glob_disabled_rule(repo: Path) -> None:
    config(repo, 'rules:\n  disable: ["GG30*"]\n')
    _, report = check_json()
    rules = {f["ruleId"] for f in report["findings"]}
    assert not {r for r in rules if r.startswith("GG30")}
    assert {"GG101", "GG201", "GG401", "GG501"} <= rules


def test_a_disabled_policy(repo: Path) -> None:
    config(repo, "policies:\n  disable: [low-carbon-region]\n")
    code, out, err = run("check")
    assert (code, err) == (0, "")
    assert "GG201" not in out and out.startswith("PASS")


def test_include_and_exclude(repo: Path) -> None:
    (repo / "deploy" / "testdata").mkdir()
    (repo / "deploy" / "testdata" / "bad.yaml").write_text(CHAT.replace("chat-us", "fixture"))
    (repo / "other.yaml").write_text(CHAT.replace("chat-us", "elsewhere"))
    config(repo, 'include: ["deploy/**"]\nexclude: ["**/testdata/**"]\n')
    _, report = check_json()
    assert sorted({f["file"] for f in report["findings"]}) == [
        "deploy/tickets.yaml",
        "deploy/us/chat.yaml",
    ]
    # A file named on the command line but excluded is not checked, and the run says so.
    _, report = check_json("deploy/testdata/bad.yaml")
    assert report["findings"] == []
    assert report["notes"][0] == (
        "deploy/testdata/bad.yaml was not checked: it is excluded by .greengate.yaml:2 (**/testdata/**)"
    )
    assert report["notes"][1].startswith("0 deployments found in 0 files: is the path right?")


def test_config_policy_paths_and_catalog_are_relative_to_the_config(
    repo: Path, tmp_path: Path
) -> None:
    (repo / "policies").mkdir()
    (repo / "policies" / "owner.yaml").write_text(
        textwrap.dedent(
            """\
            apiVersion: greengate.dev/v1
            kind: Policy
            metadata: {name: owner-known}
            spec:
              validations:
                - id: ACME001
                  field: owner
                  expression: deployment.owner == "team-chat"
                  message: unknown owner
            """
        )
    )
    (repo / "catalog.yaml").write_text(
        "regions:\n  - {provider: aws, region: us-east-1, grid_gco2e_per_kwh: 20, year: 2025, source: our PPA}\n"
    )
    config(repo, "policies:\n  builtin: false\n  paths: [policies/]\ncatalog: [catalog.yaml]\n")
    (repo / "deploy" / "sub").mkdir()
    code, report = check_json("deploy/sub")  # found by walking up from the first path
    assert code == 0 and report["findings"] == []
    code, report = check_json()
    assert failing(report) == [("ACME001", "deploy/tickets.yaml", 5)]
    code, report = check_json("--builtin")
    # us-east-1 is clean in our catalog: GG201 passes.
    assert statuses(report, "GG201") == ["pass", "pass"]


def test_no_config_ignores_the_file(repo: Path) -> None:
    config(repo, "policies:\n  disable: [low-carbon-region]\n")
    assert run("check")[0] == 0
    assert run("check", "--no-config")[0] == 1
    code, out, err = run("check", "--no-config", "--config", ".greengate.yaml")
    assert (code, out) == (2, "")
    assert (
        err == "greengate: error: --config and --no-config contradict each other; give only one\n"
    )


def test_an_explicit_config_and_the_yml_spelling(repo: Path) -> None:
    config(repo, "policies:\n  disable: [low-carbon-region]\n", name=".greengate.yml")
    assert run("check")[0] == 0
    other = config(repo, "failOn: high\n", name="strict.yaml")
    assert run("check", "--config", str(other))[0] == 1  # .greengate.yml not read: GG201 fails


# --- config errors ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "error"),
    [
        (
            "failOn: medium\npolicy:\n  builtin: false\n",
            ".greengate.yaml:2:1: unknown key 'policy'; did you mean 'policies'?",
        ),
        (
            "rules:\n  disable: GG301\n",
            ".greengate.yaml:2:12: rules.disable: 'GG301' is not of type 'array'; write a list, e.g. [a, b]",
        ),
        (
            "failOn: urgent\n",
            ".greengate.yaml:1:9: failOn: 'urgent' is not one of info, low, medium, high, critical; use one of them",
        ),
        (
            "waivers:\n  - rule: GG201\n    target: deploy/**\n    owner: me\n",
            ".greengate.yaml:2:5: waivers[0]: a waiver needs a reason; add reason: why the exception is acceptable",
        ),
        (
            "waivers:\n  - rule: GG201\n    reason: trust me\n",
            ".greengate.yaml:2:5: waivers[0]: a waiver needs a target (path glob) or a deployment (name glob); add one",
        ),
        (
            "waivers:\n  - {rule: GG201, target: x, reason: y, expires: 2027-02-30}\n",
            ".greengate.yaml:2:50: waivers[0].expires: '2027-02-30' is not a date (YYYY-MM-DD); write the waiver's last day as YYYY-MM-DD",
        ),
        (
            "rules:\n  severity: {GG4O1: high}\n",
            ".greengate.yaml:2:21: rules.severity: unknown rule id 'GG4O1' (did you mean 'GG401'?); the rules are GG101, GG201, GG301, GG302, GG303, GG304, GG401, GG501, GG502, GG503, GG504, GG601, GG602",
        ),
        (
            "policies:\n  disable: [rate-limit]\n",
            ".greengate.yaml:2:13: policies.disable: unknown policy 'rate-limit' (did you mean 'rate-limits'?); the policies are carbon-budget, hardware-generation, low-carbon-region, model-size, rate-limits, required-facts",
        ),
        (
            "params:\n  model-size:\n    maxParams: 1\n",
            ".greengate.yaml:3:5: params.model-size: unknown param 'maxParams' (did you mean 'maxParameters'?); its params are compare, defaultMaxParameters, maxParameters",
        ),
        (
            "policies:\n  paths: [policy/]\n",
            ".greengate.yaml:2:11: policies.paths[0]: policy file or folder 'policy/' does not exist (paths are relative to the folder of .greengate.yaml); correct the path or remove it",
        ),
        (
            "defaults:\n  - paths: [k8s/**]\n    modelParameters: 7X\n",
            ".greengate.yaml:3:22: defaults[0].modelParameters: '7X' is not a parameter count; write an integer or a number with k, M, B or T (350M, 7B, 1.5T)",
        ),
    ],
)
def test_config_errors_name_the_key_at_its_line(repo: Path, text: str, error: str) -> None:
    config(repo, text)
    code, out, err = run("check")
    assert (code, out) == (2, "")
    assert err == f"greengate: error: {error}\n"


def test_a_disabled_builtin_rule_stays_valid_under_no_builtin(repo: Path) -> None:
    """A flag never turns a valid config into an invalid one."""
    (repo / "own.yaml").write_text(
        "apiVersion: greengate.dev/v1\nkind: Policy\nmetadata: {name: own}\nspec:\n"
        "  validations:\n    - {id: OWN1, expression: 'true', message: never}\n"
    )
    config(repo, "rules:\n  disable: [GG401]\n  severity: {GG201: low}\n")
    code, report = check_json("--no-builtin", "--policy", "own.yaml")
    assert code == 0 and {f["ruleId"] for f in report["findings"]} == {"OWN1"}


# --- defaults --------------------------------------------------------------------------


def test_defaults_by_path_glob_feed_a_policy_and_point_at_the_config(repo: Path) -> None:
    (repo / "k8s" / "in").mkdir(parents=True)
    (repo / "k8s" / "in" / "summarizer.yaml").write_text(NO_REGION)
    config(
        repo,
        """\
        defaults:
          - paths: ["k8s/**"]
            provider: gcp
            region: europe-north1
          - paths: ["k8s/in/**"]
            region: asia-south1
        """,
    )
    code, report = check_json("k8s")
    assert code == 1
    (finding,) = [f for f in report["findings"] if f["status"] == "fail"]
    # The later entry wins; the finding is at the config line that set the region,
    # and the grid intensity came from the catalog for the defaulted region.
    assert (finding["ruleId"], finding["file"], finding["line"], finding["column"]) == (
        "GG201",
        ".greengate.yaml",
        6,
        13,
    )
    assert finding["message"].startswith("region 'asia-south1' has a grid intensity of ")
    assert finding["message"].endswith(
        "; for k8s/in/summarizer.yaml, cloud.region is set by defaults[1] (k8s/in/**) of .greengate.yaml"
    )
    # A default never overrides a declared fact: deploy/us/chat.yaml keeps us-east-1.
    _, report = check_json()
    assert ("GG201", "deploy/us/chat.yaml", 13) in failing(report)
    # Waivers and baselines see the manifest the finding is about, not the config line.
    run("baseline", "create", "k8s")
    recorded = json.loads((repo / ".greengate-baseline.json").read_text())["findings"]
    assert [(e["ruleId"], e["file"]) for e in recorded] == [("GG201", "k8s/in/summarizer.yaml")]
    with (repo / ".greengate.yaml").open("a") as file:
        file.write("waivers:\n  - {rule: GG201, target: k8s/in, reason: moving in Q3}\n")
    code, report = check_json("k8s")
    assert code == 0 and statuses(report, "GG201") == ["waived"]


def test_explain_shows_config_defaults(repo: Path) -> None:
    (repo / "k8s").mkdir()
    (repo / "k8s" / "summarizer.yaml").write_text(NO_REGION)
    config(repo, "defaults:\n  - paths: [k8s]\n    provider: gcp\n    region: europe-north1\n")
    code, out, err = run("explain", "k8s", "--format", "json")
    assert (code, err) == (0, "")
    facts = json.loads(out)["deployments"][0]["facts"]
    assert facts["cloud.region"] == {
        "value": "europe-north1",
        "source": "config-default",
        "file": ".greengate.yaml",
        "line": 4,
        "column": 13,
        "detail": "cloud.region is set by defaults[0] (k8s) of .greengate.yaml",
    }
    assert facts["cloud.gridIntensity"]["line"] == 4


# --- waivers ---------------------------------------------------------------------------

WAIVER = """\
waivers:
  - rule: GG201
    target: "deploy/us/**"
    reason: "PPA-backed region, see ticket OPS-123"
    owner: team-platform
    expires: 2027-03-31
"""


def test_a_config_waiver_before_its_expiry(repo: Path) -> None:
    config(repo, WAIVER)
    code, out, err = run("check", "--today", "2027-03-31")
    assert (code, err) == (0, "")
    assert (
        "Waived\n  deploy/us/chat.yaml:13:13  GG201  region 'us-east-1' has a grid intensity of"
    ) in out
    assert (
        "    waived: PPA-backed region, see ticket OPS-123"
        " (owner team-platform, expires 2027-03-31, waiver at .greengate.yaml:2)\n"
    ) in out
    assert out.rstrip().splitlines()[-1].startswith("PASS  ")
    assert ", 1 waived  (" in out
    _, report = check_json("--today", "2027-03-31")
    (waived,) = [f for f in report["findings"] if f["status"] == "waived"]
    assert waived["justification"] == (
        "PPA-backed region, see ticket OPS-123 (owner team-platform, expires 2027-03-31, waiver at .greengate.yaml:2)"
    )
    assert waived["message"].startswith("region 'us-east-1'")


def test_a_config_waiver_after_its_expiry(repo: Path) -> None:
    config(repo, WAIVER)
    code, report = check_json("--today", "2027-04-01")
    assert code == 1
    (finding,) = [f for f in report["findings"] if f["status"] == "fail"]
    assert finding["message"].endswith(
        "; waiver for GG201 (.greengate.yaml:2, owner team-platform) expired on 2027-03-31"
    )
    assert report["notes"] == []  # it matched: not an unused waiver


def test_a_waiver_that_matches_nothing_is_a_note(repo: Path) -> None:
    config(
        repo,
        WAIVER
        + "  - {rule: GG101, deployment: tickets, reason: big model}\n"
        + "  - {rule: GG9*, target: deploy, reason: typo}\n",
    )
    _, report = check_json("--today", "2027-01-01")
    assert report["notes"] == [
        "waiver .greengate.yaml:7 (GG101) matched no finding; remove it",
        "waiver .greengate.yaml:8 (GG9*) names no rule of the policies that ran; correct the rule id or remove it",
    ]


def test_errors_cannot_be_waived(repo: Path) -> None:
    (repo / "deploy" / "broken.yaml").write_text("a: [\n")
    config(repo, "waivers:\n  - {rule: GG001, target: deploy, reason: later}\n")
    code, report = check_json()
    assert code == 1 and statuses(report, "GG001") == ["error"]


INLINE = CHAT.replace(
    "  owner: team-chat\n",
    "  owner: team-chat\n  annotations:\n    greengate.dev/waive-GG201: {value}\n",
)


def test_an_inline_waiver_before_and_after_its_expiry(repo: Path) -> None:
    (repo / "deploy" / "us" / "chat.yaml").write_text(
        INLINE.format(value='"PPA region; expires=2027-03-31; owner=team-chat"')
    )
    code, report = check_json("--today", "2027-03-31")
    assert code == 0
    (waived,) = [f for f in report["findings"] if f["status"] == "waived"]
    assert waived["line"] == 15  # the region moved down two lines; the waiver is at line 7
    assert waived["justification"] == (
        "PPA region (owner team-chat, expires 2027-03-31, waiver at deploy/us/chat.yaml:7)"
    )
    code, report = check_json("--today", "2027-04-01")
    assert code == 1
    (finding,) = [f for f in report["findings"] if f["status"] == "fail"]
    assert finding["message"].endswith(
        "; waiver for GG201 (deploy/us/chat.yaml:7, owner team-chat) expired on 2027-03-31"
    )


def test_an_inline_waiver_is_ignored_under_no_inline_waivers(repo: Path) -> None:
    (repo / "deploy" / "us" / "chat.yaml").write_text(INLINE.format(value="PPA region"))
    assert run("check")[0] == 0
    code, report = check_json("--no-inline-waivers")
    assert code == 1
    assert statuses(report, "GG201") == ["pass", "fail"]
    assert report["notes"] == [
        "inline waivers (greengate.dev/waive-* annotations) were ignored: --no-inline-waivers"
    ]


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ('"; owner=team-chat"', "a waiver needs a reason before the first ';'"),
        ('"PPA; expires=2027-02-30"', "'2027-02-30' is not a date (YYYY-MM-DD)"),
        (
            '"PPA; expire=2027-03-31"',
            "unknown key 'expire' (did you mean 'expires'?), the keys are expires, owner",
        ),
    ],
)
def test_a_malformed_inline_waiver_is_an_error_finding_at_its_line(
    repo: Path, value: str, problem: str
) -> None:
    (repo / "deploy" / "us" / "chat.yaml").write_text(INLINE.format(value=value))
    code, report = check_json()
    assert code == 1
    errors = [f for f in report["findings"] if f["status"] == "error"]
    assert [(f["ruleId"], f["file"], f["line"], f["column"]) for f in errors] == [
        ("GG002", "deploy/us/chat.yaml", 7, 5)
    ]
    assert errors[0]["message"] == (
        f"annotation greengate.dev/waive-GG201: {problem}; write it as 'reason; expires=YYYY-MM-DD; owner=team'"
    )
    # The finding it tried to waive still fails, and every other rule was still evaluated.
    assert statuses(report, "GG201") == ["pass", "fail"]
    assert len(report["findings"]) == 27  # 2 deployments x 2 skipped carbon-budget rules among them


# --- baseline --------------------------------------------------------------------------


def test_baseline_passes_old_findings_fails_new_ones_and_lists_fixed(repo: Path) -> None:
    (repo / "deploy" / "old.yaml").write_text(
        CLASSIFIER.replace("tickets", "old").replace("700M", "3B")
    )
    code, out, err = run("baseline", "create")
    assert (code, err) == (0, "")
    assert out == "wrote .greengate-baseline.json: 2 failing findings in 2 files\n"
    recorded = json.loads((repo / ".greengate-baseline.json").read_text())
    assert [
        (f["ruleId"], f["file"], f["deployment"], f["field"]) for f in recorded["findings"]
    ] == [
        ("GG101", "deploy/old.yaml", "old", "model.parameters"),
        ("GG201", "deploy/us/chat.yaml", "chat-us", "cloud.region"),
    ]
    assert run("check", "--baseline", ".greengate-baseline.json")[0] == 0

    # Lines are added above the old finding (the region moves from line 13 to 16); a
    # new problem appears; the old model is fixed.
    (repo / "deploy" / "us" / "chat.yaml").write_text(
        CHAT.replace(
            "  owner: team-chat\n", "  owner: team-chat\n  labels:\n    env: prod\n    tier: gold\n"
        ).replace("requestsPerMinute: 600", "requestsPerMinute: 60000")
    )
    (repo / "deploy" / "old.yaml").write_text(CLASSIFIER.replace("tickets", "old"))
    code, out, err = run("check", "--baseline", ".greengate-baseline.json")
    assert (code, err) == (1, "")
    assert (
        "deploy/us/chat.yaml:21:24  MEDIUM    GG303  the limit of 60000 requests per minute" in out
    )
    assert "GG201" not in out.split("How to fix")[0]  # the old finding is not listed as failing
    _, report = check_json("--baseline", ".greengate-baseline.json")
    (existing,) = [f for f in report["findings"] if f["status"] == "existing"]
    assert (existing["ruleId"], existing["line"]) == ("GG201", 16)
    assert (
        "Fixed since the baseline .greengate-baseline.json\n"
        "  deploy/old.yaml  GG101  old model.parameters\n"
    ) in out
    assert (
        "note: 1 finding of the baseline .greengate-baseline.json no longer fails;"
        " run `greengate baseline create` to remove it\n"
    ) in out
    assert out.rstrip().splitlines()[-1].startswith("FAIL  1 failed (1 medium), ")
    assert ", 1 in baseline  (" in out

    _, report = check_json("--baseline", ".greengate-baseline.json")
    assert statuses(report, "GG201")[-1] == "existing"
    assert report["summary"]["byStatus"]["existing"] == 1
    assert report["baseline"] == ".greengate-baseline.json"
    assert [(e["ruleId"], e["file"]) for e in report["fixedSinceBaseline"]] == [
        ("GG101", "deploy/old.yaml")
    ]


def test_baseline_create_is_stable_and_takes_an_output(repo: Path) -> None:
    assert run("baseline", "create", "-o", "a.json")[0] == 0
    assert run("baseline", "create", "--output", "sub/b.json")[0] == 0
    first, second = (repo / "a.json").read_text(), (repo / "sub" / "b.json").read_text()
    assert first == second
    assert json.loads(first)["version"] == 1


def test_an_expired_waiver_fails_even_if_the_finding_is_in_the_baseline(repo: Path) -> None:
    run("baseline", "create")
    config(repo, WAIVER)
    assert run("check", "--baseline", ".greengate-baseline.json", "--today", "2027-01-01")[0] == 0
    code, report = check_json("--baseline", ".greengate-baseline.json", "--today", "2027-04-01")
    assert code == 1 and statuses(report, "GG201") == ["pass", "fail"]


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (None, "nope.json: no such baseline file; create it with `greengate baseline create`"),
        (
            "{not json",
            "nope.json:1:2: the baseline is not valid JSON (Expecting property name enclosed in double quotes); create it with `greengate baseline create`",
        ),
        (
            '{"version": 1, "findings": [{"ruleId": "GG201"}]}',
            "nope.json: findings[0] has no 'fingerprint'; create it with `greengate baseline create`",
        ),
        (
            "[]",
            "nope.json: not a greengate baseline (no 'findings' list); create it with `greengate baseline create`",
        ),
    ],
)
def test_a_missing_or_invalid_baseline_exits_2(repo: Path, content: str | None, error: str) -> None:
    if content is not None:
        (repo / "nope.json").write_text(content)
    code, out, err = run("check", "--baseline", "nope.json")
    assert (code, out) == (2, "")
    assert err == f"greengate: error: {error}\n"


def test_errors_are_not_recorded_in_a_baseline(repo: Path) -> None:
    (repo / "deploy" / "broken.yaml").write_text("a: [\n")
    code, out, err = run("baseline", "create")
    assert code == 0
    assert out == "wrote .greengate-baseline.json: 1 failing finding in 1 file\n"
    assert err == (
        "greengate: warning: 1 error is not recorded (a manifest that cannot be read always fails); fix it\n"
    )
    assert run("check", "--baseline", ".greengate-baseline.json")[0] == 1


# --- init and config show -------------------------------------------------------------


def test_init_writes_a_starter_that_validates_and_refuses_to_overwrite(repo: Path) -> None:
    code, out, err = run("init")
    assert (code, err) == (0, "")
    assert (
        out
        == "wrote .greengate.yaml; next: `greengate config show`, then `greengate baseline create`\n"
    )
    assert run("check")[0] == 1  # the starter changes nothing
    code, out, err = run("init")
    assert (code, out) == (2, "")
    assert err == (
        "greengate: error: .greengate.yaml already exists; edit it, or pass --force to replace it with the starter\n"
    )
    (repo / ".greengate.yaml").write_text("failOn: critical\n")
    assert run("init", "--force")[0] == 0
    assert (repo / ".greengate.yaml").read_text().startswith("# greengate configuration")


def test_init_into_a_folder_refuses_a_yml_too(repo: Path) -> None:
    (repo / "svc").mkdir()
    (repo / "svc" / ".greengate.yml").write_text("failOn: high\n")
    code, _, err = run("init", "svc")
    assert code == 2 and "svc/.greengate.yml already exists" in err


def test_config_show_says_where_each_value_came_from(repo: Path) -> None:
    config(
        repo,
        textwrap.dedent(
            """\
        failOn: medium
        exclude: ["**/testdata/**"]
        rules:
          disable: ["GG30*"]
          severity: {GG401: high}
        params:
          model-size:
            maxParameters: {classification: 500000000}
        defaults:
          - paths: ["k8s/**"]
            region: europe-north1
            modelParameters: 7B
        """
        )
        + WAIVER,
    )
    code, out, err = run("config", "show", "--today", "2027-04-01")
    assert (code, err) == (0, "")
    rows = [line.split() for line in out.splitlines()]
    assert out.splitlines()[0] == "config file: .greengate.yaml (paths and globs are relative to .)"
    assert ["failOn", "medium", ".greengate.yaml:1"] in rows
    assert ["include", "(every", "manifest", "found)", "default"] in rows
    assert ["exclude[0]", "**/testdata/**", ".greengate.yaml:2"] in rows
    assert ["policies.builtin", "true", "default"] in rows
    assert ["rules.disable[0]", "GG30*", ".greengate.yaml:4"] in rows
    assert ["rules.severity.GG401", "high", ".greengate.yaml:5"] in rows
    assert ["defaults[0].region", "europe-north1", ".greengate.yaml:11"] in rows
    assert ["defaults[0].modelParameters", "7B", ".greengate.yaml:12"] in rows
    assert "waivers[0]" in out and "EXPIRED 2027-03-31" in out
    assert ["inlineWaivers", "true", "default"] in rows

    code, out, err = run(
        "config", "show", "--format", "json", "--fail-on", "high", "--no-inline-waivers"
    )
    assert (code, err) == (0, "")
    shown = {s["key"]: (s["value"], s["from"]) for s in json.loads(out)["settings"]}
    assert shown["failOn"] == ("high", "--fail-on flag")
    assert shown["params.model-size"] == (
        {"maxParameters": {"classification": 500000000}},
        ".greengate.yaml:7",
    )
    assert shown["inlineWaivers"] == (False, "--no-inline-waivers flag")


def test_config_show_without_a_config_and_with_a_bad_one(repo: Path) -> None:
    code, out, _ = run("config", "show")
    assert code == 0 and out.startswith("config file: none (defaults and flags only)\nfailOn ")
    config(repo, "rules:\n  disable: [GG999]\n")
    code, out, err = run("config", "show")
    assert (code, out) == (2, "")
    assert err.startswith(
        "greengate: error: .greengate.yaml:2:13: rules.disable: unknown rule id 'GG999'"
    )


def test_the_config_names_the_baseline_before_it_exists(repo: Path) -> None:
    """The adoption path: write `baseline:` in the config, then `baseline create` writes it."""
    config(repo, "baseline: .greengate-baseline.json\n")
    code, _, err = run("check")
    assert (
        code == 2
        and "baseline create" in err
        and err.startswith("greengate: error: .greengate.yaml:1:")
    )
    code, out, _ = run("baseline", "create")
    assert code == 0 and out.startswith("wrote .greengate-baseline.json:")
    code, report = check_json()
    assert code == 0 and report["baseline"].endswith(".greengate-baseline.json")
