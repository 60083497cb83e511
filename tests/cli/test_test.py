"""``greengate test`` on the command line: exit codes, formats, the config's policies."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from greengate.cli import main

REPO = Path(__file__).resolve().parents[2]
WORKED = REPO / "docs" / "policy-tests"
"""The README's worked example: a policy, a test file, two real GKE manifests."""


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, ["test", *args])


@pytest.fixture
def wrong(tmp_path: Path) -> Path:
    """The worked example with one wrong expectation (line 10 of the test file)."""
    folder = tmp_path / "policy-tests"
    shutil.copytree(WORKED, folder)
    test_file = folder / "small-model-few-gpus.greengate-test.yaml"
    text = test_file.read_text()
    test_file.write_text(text.replace("result: fail", "result: pass", 1))
    return folder


def test_the_worked_example_passes() -> None:
    result = invoke(str(WORKED), "--no-config", "--require-tests")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "PASS  5 passed  (5 cases, 1 policy, 1 rule)"


def test_a_wrong_case_fails_with_its_line_the_expectation_and_the_outcome(
    wrong: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(wrong.parent)
    result = invoke("policy-tests", "--no-config")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    at = lines.index(
        "FAIL  small-model-few-gpus.greengate-test.yaml: Gemma 7B on eight H100s"
        "  (policy-tests/small-model-few-gpus.greengate-test.yaml:5)"
    )
    assert lines[at + 1] == (
        "      ACME010 on 'tgi-gemma-deployment': expected pass, got fail: the model has 8.54B"
        " parameters and 8 accelerators per replica; at most 2 for models up to 10B"
    )
    assert lines[-1] == "FAIL  1 failed, 4 passed  (5 cases, 1 policy, 1 rule)"


def test_junit_has_one_testcase_per_case_and_counts_that_match(wrong: Path) -> None:
    result = invoke(str(wrong), "--no-config", "--format", "junit")
    assert result.exit_code == 1
    root = ET.fromstring(result.stdout.encode("utf-8"))
    assert root.tag == "testsuites"
    assert (root.attrib["tests"], root.attrib["failures"]) == ("5", "1")
    suites = root.findall("testsuite")
    assert [s.attrib["name"] for s in suites] == [
        "small-model-few-gpus",
        "small-model-few-gpus.greengate-test.yaml",
    ]
    for suite in suites:
        cases = suite.findall("testcase")
        assert int(suite.attrib["tests"]) == len(cases)
        assert int(suite.attrib["failures"]) == sum(len(c.findall("failure")) for c in cases)
    (failed,) = [c for c in root.iter("testcase") if c.find("failure") is not None]
    assert failed.attrib["name"] == "Gemma 7B on eight H100s" and failed.attrib["line"] == "5"
    failure = failed.find("failure")
    assert failure is not None and failure.text is not None
    assert failure.text.splitlines()[0].endswith("small-model-few-gpus.greengate-test.yaml:5")
    assert "expected pass, got fail" in failure.attrib["message"]


def test_json_has_every_case_its_failures_and_the_coverage(wrong: Path) -> None:
    result = invoke(str(wrong), "--no-config", "--format", "json")
    document = json.loads(result.stdout)
    assert document["exitCode"] == 1 == result.exit_code
    assert document["summary"] == {
        "cases": 5,
        "passed": 4,
        "failed": 1,
        "untested": 0,
        "policies": 1,
        "rules": 1,
    }
    (failed,) = [c for c in document["cases"] if c["status"] == "fail"]
    assert (failed["line"], len(failed["failures"])) == (5, 1)
    assert [(r["rule"], r["passes"], r["fails"]) for r in document["coverage"]] == [
        ("ACME010", 3, 0)
    ]


def test_run_and_require_tests_and_coverage() -> None:
    result = invoke(str(WORKED), "--no-config", "--run", "Gemma*", "--require-tests", "--coverage")
    assert result.exit_code == 0, result.output  # the two cases make ACME010 pass and fail
    lines = result.stdout.splitlines()
    assert lines[:2] == [
        "PASS  small-model-few-gpus.greengate-test.yaml: Gemma 7B on eight H100s"
        "  (" + (WORKED / "small-model-few-gpus.greengate-test.yaml").as_posix() + ":5)",
        "PASS  small-model-few-gpus.greengate-test.yaml: Gemma 7B on two L4s"
        "  (" + (WORKED / "small-model-few-gpus.greengate-test.yaml").as_posix() + ":13)",
    ]
    assert "  ACME010  small-model-few-gpus  pass 1, fail 1" in lines
    assert lines[-1] == "PASS  2 passed  (2 cases, 1 policy, 1 rule)"


def test_require_tests_names_the_rule_without_a_failing_case() -> None:
    result = invoke(str(WORKED), "--no-config", "--run", "*two L4s", "--require-tests")
    assert result.exit_code == 1
    assert "FAIL  require-tests: ACME010  (" in result.stdout
    assert result.stdout.splitlines()[-1] == (
        "FAIL  1 passed, 1 without a failing case  (1 case, 1 policy, 1 rule)"
    )


def test_without_paths_the_config_s_policies_and_their_test_files_are_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(WORKED, tmp_path / "policies")
    (tmp_path / "policies" / "manifests").rename(tmp_path / "manifests")
    test_file = tmp_path / "policies" / "small-model-few-gpus.greengate-test.yaml"
    test_file.write_text(test_file.read_text().replace("manifests/", "../manifests/"))
    (tmp_path / ".greengate.yaml").write_text("policies:\n  paths: [policies]\n")
    monkeypatch.chdir(tmp_path)
    result = invoke()
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "PASS  5 passed  (5 cases, 1 policy, 1 rule)"
    # `greengate check` reads the same folder of policies: the test file is not one of them.
    check = CliRunner().invoke(main, ["check", "manifests", "--no-builtin"])
    assert check.exit_code == 1 and "ACME010" in check.stdout


def test_nothing_to_test_and_a_broken_test_file_are_exit_2(tmp_path: Path) -> None:
    result = invoke("--no-config")
    assert result.exit_code == 2
    assert result.stderr.startswith("greengate: error: nothing to test:")
    broken = tmp_path / "x.greengate-test.yaml"
    broken.write_text("apiVersion: greengate.dev/v1\nkind: PolicyTest\ncases: []\n")
    result = invoke(str(broken), "--no-config")
    assert result.exit_code == 2
    assert result.stderr == (
        f"greengate: error: {broken.as_posix()}:3:8: cases: [] should be non-empty;"
        " see 'Testing your policies' in the README\n"
    )


def test_the_builtin_pack_with_an_unmatched_run_is_exit_2() -> None:
    result = invoke("--builtin", "--no-config", "--run", "no such case")
    assert result.exit_code == 2
    assert "--run 'no such case' matches none of the" in result.stderr
