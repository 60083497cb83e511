from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import jsonschema
import pytest
from tests.reporters.conftest import ROOT

from greengate.records.finding import Finding, Severity, Status
from greengate.records.report import Report, RuleInfo, VersionControl
from greengate.reporters import sarif

SCHEMA = json.loads(
    (Path(__file__).parents[1] / "data" / "sarif-schema-2.1.0.json").read_text("utf-8")
)


def validated(report: Report) -> dict[str, Any]:
    """The SARIF log of ``report``, after checking it against the OASIS schema."""
    log: dict[str, Any] = json.loads(sarif.render(report))
    validator = jsonschema.Draft7Validator(
        SCHEMA, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
    )
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(log)
    ]
    assert errors == []
    return log


@pytest.mark.parametrize(
    "name", ["report", "empty_report", "nasty_report", "docs_report", "baseline_report"]
)
def test_the_log_validates_against_the_oasis_schema(
    name: str, request: pytest.FixtureRequest
) -> None:
    validated(request.getfixturevalue(name))


def test_an_empty_report_is_a_run_without_results(empty_report: Report) -> None:
    run = validated(empty_report)["runs"][0]
    assert run["results"] == []
    assert run["invocations"] == [{"executionSuccessful": True, "exitCode": 0}]


def test_the_driver_describes_greengate_and_every_rule(report: Report) -> None:
    driver = validated(report)["runs"][0]["tool"]["driver"]
    assert driver["name"] == "greengate"
    assert driver["version"] == "0.1.0"
    assert driver["informationUri"] == "https://github.com/greengate-dev/greengate"
    assert [rule["id"] for rule in driver["rules"]] == [rule.id for rule in report.rules]
    gg101 = driver["rules"][1]
    assert gg101["name"] == "ModelTooLargeForItsTask"
    assert gg101["shortDescription"] == {"text": "Model too large for its task"}
    assert gg101["fullDescription"]["text"].startswith("Right-sized models")
    assert (
        gg101["help"]["text"]
        == "Use a model of at most 13B parameters for summarization, or justify a waiver."
    )
    assert "How to fix" in gg101["help"]["markdown"]
    # A built-in rule links to its row of the policy reference on the package's repository.
    assert gg101["helpUri"] == (
        "https://github.com/greengate-dev/greengate/blob/main/docs/policies.md#GG101"
    )
    assert driver["fullName"].startswith("greengate 0.1.0: ")
    assert gg101["properties"]["tags"] == ["sustainability", "model-size"]


def test_default_levels_follow_severity(report: Report) -> None:
    rules = validated(report)["runs"][0]["tool"]["driver"]["rules"]
    levels = {rule["id"]: rule["defaultConfiguration"]["level"] for rule in rules}
    assert levels == {
        "GG001": "error",
        "GG101": "error",
        "GG201": "error",
        "GG301": "warning",
        "GG401": "warning",
    }


def test_manifest_rules_are_very_precise_and_no_rule_claims_security_severity(
    report: Report,
) -> None:
    rules = validated(report)["runs"][0]["tool"]["driver"]["rules"]
    precision = {rule["id"]: rule["properties"]["precision"] for rule in rules}
    assert precision["GG001"] == "very-high"
    assert {precision[r] for r in ("GG101", "GG201", "GG301", "GG401")} == {"high"}
    assert not any("security-severity" in rule["properties"] for rule in rules)


def test_results_are_the_failing_erroring_and_waived_findings(report: Report) -> None:
    results = validated(report)["runs"][0]["results"]
    wanted = sorted(
        (f for f in report.findings if f.status in (Status.FAIL, Status.ERROR, Status.WAIVED)),
        key=lambda f: f.priority,
    )
    assert [(r["ruleId"], r["properties"]["status"]) for r in results] == [
        (f.rule_id, f.status.value) for f in wanted
    ]
    rules = report.rules
    assert all(rules[r["ruleIndex"]].id == r["ruleId"] for r in results)


def test_a_result_carries_level_location_fingerprint_and_properties(report: Report) -> None:
    results = validated(report)["runs"][0]["results"]
    result = next(r for r in results if r["ruleId"] == "GG201")
    assert result["level"] == "error"
    assert result["message"] == {
        "text": "region us-east-1 has a grid intensity of 379 gCO2e/kWh; the limit is 200"
    }
    assert result["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "deploy/summarizer.yaml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 15, "startColumn": 13, "endLine": 15, "endColumn": 22},
    }
    finding = next(f for f in report.findings if f.rule_id == "GG201" and f.status is Status.FAIL)
    assert result["partialFingerprints"] == {"greengateFingerprint/v1": finding.fingerprint}
    assert result["properties"] == {
        "deployment": "support-summarizer",
        "policy": "low-carbon-regions",
        "field": "cloud.region",
        "severity": "critical",
        "status": "fail",
    }


def test_an_error_finding_is_an_error_whatever_its_severity(
    make_finding: Callable[..., Finding], build_report: Callable[..., Report]
) -> None:
    from greengate.records.finding import Severity

    finding = make_finding(
        "GG301", Status.ERROR, "rule could not be evaluated", "a.yaml", 3, severity=Severity.LOW
    )
    (result,) = validated(build_report((finding,)))["runs"][0]["results"]
    assert result["level"] == "error"


def test_a_waived_finding_is_an_accepted_external_suppression(report: Report) -> None:
    results = validated(report)["runs"][0]["results"]
    waived = next(r for r in results if r["properties"]["status"] == "waived")
    assert waived["suppressions"] == [
        {
            "kind": "external",
            "status": "accepted",
            "justification": "evaluation shows smaller models fail the quality bar (owner: team-chat, expires 2026-06-30)",
        }
    ]
    assert all("suppressions" not in r for r in results if r is not waived)


def test_the_root_is_a_file_uri_with_a_trailing_slash(build_report: Callable[..., Report]) -> None:
    run = validated(build_report(root="/srv/my repo"))["runs"][0]
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": "file:///srv/my%20repo/"}}
    assert (
        validated(build_report(root="/"))["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        == "file:///"
    )


def test_the_exit_code_is_the_reports(report: Report) -> None:
    assert validated(report)["runs"][0]["invocations"][0] == {
        "executionSuccessful": True,
        "exitCode": 1,
    }


def test_paths_are_percent_encoded_relative_uri_references(nasty_report: Report) -> None:
    results = validated(nasty_report)["runs"][0]["results"]
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results]
    assert sorted(uris) == ["deploy/%C3%BCn%C3%AFcode.yaml", "deploy/a%2Cb%3Ac%25d%20e%23f.yaml"]
    for uri, finding in zip(
        uris, sorted(nasty_report.findings, key=lambda f: f.priority), strict=True
    ):
        parts = urlsplit(uri)
        # Still a relative reference: no scheme, no fragment, and it decodes back to the path.
        assert (parts.scheme, parts.netloc, parts.query, parts.fragment) == ("", "", "", "")
        assert unquote(uri) == finding.location.file


def test_an_absolute_path_is_a_file_uri_without_base(
    make_finding: Callable[..., Finding], build_report: Callable[..., Report]
) -> None:
    finding = make_finding("GG101", Status.FAIL, "too big", "/etc/greengate/x y.yaml", 2)
    (result,) = validated(build_report((finding,)))["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "file:///etc/greengate/x%20y.yaml"
    }


def test_notes_become_tool_execution_notifications(build_report: Callable[..., Report]) -> None:
    log = validated(build_report(notes=("no manifest found under docs/",)))
    notifications = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert notifications == [
        {"message": {"text": "no manifest found under docs/"}, "level": "note"}
    ]


def test_a_finding_of_an_unlisted_rule_has_no_rule_index(
    make_finding: Callable[..., Finding], build_report: Callable[..., Report]
) -> None:
    finding = make_finding("ACME001", Status.FAIL, "owner unknown", "a.yaml", 4)
    (result,) = validated(build_report((finding,)))["runs"][0]["results"]
    assert result["ruleId"] == "ACME001"
    assert "ruleIndex" not in result


def test_camel_case() -> None:
    assert sarif.camel_case("Region grid is carbon-intensive") == "RegionGridIsCarbonIntensive"
    assert sarif.camel_case("GPU (A100) too old") == "GPUA100TooOld"
    assert sarif.camel_case("") == ""


def test_with_a_baseline_every_result_has_a_baseline_state(baseline_report: Report) -> None:
    results = validated(baseline_report)["runs"][0]["results"]
    states = {(r["ruleId"], r["properties"]["status"]): r["baselineState"] for r in results}
    assert states[("GG201", "existing")] == "unchanged"
    assert {s for (_, status), s in states.items() if status != "existing"} == {"new"}


def test_without_a_baseline_no_result_has_a_baseline_state(report: Report) -> None:
    assert all("baselineState" not in r for r in validated(report)["runs"][0]["results"])


def test_examples_sarif_points_every_result_at_the_offending_value(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """End to end on the shipped examples: valid SARIF whose regions are the facts' lines."""
    from click.testing import CliRunner

    from greengate.cli import main

    repo = Path(__file__).resolve().parents[2]
    monkeypatch.chdir(repo)
    result = CliRunner().invoke(main, ["check", "examples/deployments", "--format", "sarif"])
    assert result.exit_code == 1
    log = json.loads(result.stdout)
    jsonschema.Draft7Validator(SCHEMA).validate(log)
    results = log["runs"][0]["results"]
    assert results
    for item in results:
        location = item["locations"][0]["physicalLocation"]
        line = location["region"]["startLine"]
        text = (repo / location["artifactLocation"]["uri"]).read_text().splitlines()[line - 1]
        field = item["properties"]["field"]
        # A finding about a missing fact says how to declare it.
        known = not any(w in item["message"]["text"] for w in ("is not known", "; declare"))
        expected = {
            # a fact that is there: its own line (an accelerator found through its instance type: that line)
            ("cloud.region", True): ("region:",),
            ("hardware.accelerator", True): ("accelerator:", "instanceType:"),
            ("model.parameters", True): ("parameters:", "name:"),
            # a model size that is not known: the model name it could not be found from
            ("model.parameters", False): ("name:",),
        }.get((field, known), ("",) if known else ("spec:", "metadata:", "cloud:", "hardware:"))
        assert text.strip().startswith(expected), (item["ruleId"], line, text)


def test_at_most_5000_results_most_severe_first_with_a_note_of_the_rest(
    make_finding: Callable[..., Finding], build_report: Callable[..., Report]
) -> None:
    """Code scanning keeps 5,000 results per run: the least severe are the ones left out."""
    findings = [
        make_finding("GG401", Status.FAIL, "low", f"deploy/{i:05}.yaml", 3, 1) for i in range(5_000)
    ]
    findings += [make_finding("GG201", Status.FAIL, "critical", "deploy/z.yaml", 9, 1)]
    findings += [make_finding("GG001", Status.ERROR, "unreadable", "deploy/zz.yaml", 1, 1)]
    run = validated(build_report(tuple(findings)))["runs"][0]
    results = run["results"]
    assert len(results) == sarif.MAX_RESULTS == 5_000
    assert [r["ruleId"] for r in results[:3]] == ["GG001", "GG201", "GG401"]
    # Among equals, file order: the two findings of the last files are the ones left out.
    assert results[-1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "deploy/04997.yaml"
    )
    (invocation,) = run["invocations"]
    assert invocation["properties"] == {"omittedResults": 2}
    (note,) = invocation["toolExecutionNotifications"]
    assert note["level"] == "warning"
    assert note["message"]["text"].startswith("2 less severe results left out")


def test_the_run_has_a_category_so_runs_keep_their_results_apart(
    build_report: Callable[..., Report],
) -> None:
    assert validated(build_report())["runs"][0]["automationDetails"] == {"id": "greengate/"}
    run = validated(build_report(category="greengate/ci/manifests"))["runs"][0]
    assert run["automationDetails"] == {"id": "greengate/ci/manifests/"}


def test_a_user_rule_links_to_its_first_reference_and_a_manifest_rule_to_the_readme(
    build_report: Callable[..., Report],
) -> None:
    own = RuleInfo(
        "ACME1",
        "acme",
        "t",
        "d",
        Severity.LOW,
        references=("see the wiki", "https://wiki.example/acme1"),
    )
    bare = RuleInfo("ACME2", "acme", "t", "d", Severity.LOW)
    report = build_report(rules=(*build_report().rules, own, bare))
    rules = {r["id"]: r for r in validated(report)["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["ACME1"]["helpUri"] == "https://wiki.example/acme1"
    assert "helpUri" not in rules["ACME2"]  # nothing to link to: said nowhere rather than invented
    assert rules["GG001"]["helpUri"].endswith("/blob/main/README.md#bad-input")


def test_version_control_provenance_maps_the_repository_onto_the_root(
    build_report: Callable[..., Report],
) -> None:
    at_root = VersionControl("https://github.com/o/r", "a" * 40, "main", ROOT)
    run = validated(build_report(version_control=at_root))["runs"][0]
    assert run["versionControlProvenance"] == [
        {
            "repositoryUri": "https://github.com/o/r",
            "revisionId": "a" * 40,
            "branch": "main",
            "mappedTo": {"uriBaseId": "%SRCROOT%"},
        }
    ]
    below = VersionControl("https://github.com/o/r", "b" * 40, "", ROOT.rsplit("/", 1)[0])
    run = validated(build_report(version_control=below))["runs"][0]
    assert run["originalUriBaseIds"] == {
        "REPOROOT": {"uri": "file:///home/ci/work/"},
        "%SRCROOT%": {"uri": "platform-manifests/", "uriBaseId": "REPOROOT"},
    }
    (provenance,) = run["versionControlProvenance"]
    assert provenance["mappedTo"] == {"uriBaseId": "REPOROOT"} and "branch" not in provenance
    assert "versionControlProvenance" not in validated(build_report())["runs"][0]


def test_a_result_shows_its_value_and_its_line(
    make_finding: Callable[..., Finding], build_report: Callable[..., Report]
) -> None:
    on_value = make_finding("GG201", Status.FAIL, "m", "a.yaml", 4, 13, end=(4, 24))
    whole_line = make_finding("GG301", Status.FAIL, "m", "b.yaml", 2, 1)
    spans = make_finding("GG101", Status.FAIL, "m", "c.yaml", 5, 3, end=(7, 2))
    long_line = make_finding("GG401", Status.FAIL, "m", "d.json", 1, 2001, end=(1, 2010))
    lines = {
        ("a.yaml", 4): "    region: asia-south1",
        ("b.yaml", 2): "spec:",
        ("c.yaml", 5): "  model: {",
        ("d.json", 1): "x" * 2000 + '"nvidia-k80"' + "y" * 5000,
    }
    report = build_report((on_value, whole_line, spans, long_line), lines=lines)
    physical = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: r["locations"][0][
            "physicalLocation"
        ]
        for r in validated(report)["runs"][0]["results"]
    }
    assert physical["a.yaml"]["region"]["snippet"] == {"text": "asia-south1"}
    assert physical["a.yaml"]["contextRegion"] == {
        "startLine": 4,
        "snippet": {"text": "    region: asia-south1"},
    }
    # The region is the whole line: a context region would not be larger, so there is none.
    assert physical["b.yaml"]["region"]["snippet"] == {"text": "spec:"}
    assert "contextRegion" not in physical["b.yaml"]
    assert (
        "snippet" not in physical["c.yaml"]["region"] and "contextRegion" not in physical["c.yaml"]
    )
    context = physical["d.json"]["contextRegion"]
    assert len(context["snippet"]["text"]) == sarif.MAX_SNIPPET
    assert '"nvidia-k' in context["snippet"]["text"]
    assert context["startColumn"] <= 2001 and context["endColumn"] >= 2010


def test_a_run_that_could_not_check_is_a_valid_log_without_results() -> None:
    log = sarif.failed_run("greengate: error: .greengate.yaml:3:1: bad", "0.1.0", "greengate/ci/j")
    jsonschema.Draft7Validator(SCHEMA).validate(log)
    (run,) = log["runs"]
    assert run["results"] == [] and run["tool"]["driver"]["name"] == "greengate"
    assert run["automationDetails"] == {"id": "greengate/ci/j/"}
    (invocation,) = run["invocations"]
    assert invocation["executionSuccessful"] is False and invocation["exitCode"] == 2
    assert invocation["toolExecutionNotifications"][0]["message"]["text"].endswith("bad")


def test_the_category_comes_from_the_flag_else_the_github_job(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from click.testing import CliRunner

    from greengate.cli import main

    monkeypatch.chdir(Path(__file__).resolve().parents[2])
    args = ["check", "examples/deployments/chat-mumbai.yaml", "--format", "sarif"]

    def category(*extra: str) -> str:
        result = CliRunner().invoke(main, [*args, *extra])
        run = json.loads(result.stdout)["runs"][0]
        return str(run["automationDetails"]["id"])

    assert category() == "greengate/"
    assert category("--sarif-category", "platform/eu") == "platform/eu/"
    for name, value in {
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKFLOW": "ci",
        "GITHUB_JOB": "gate",
    }.items():
        monkeypatch.setenv(name, value)
    assert category() == "greengate/ci/gate/"
    assert category("--sarif-category", "platform/eu") == "platform/eu/"
