"""Reading cases: a broken test file, or an example that names what does not exist, stops the run."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from greengate.app.policy_cases import TestFiles, example_cases
from greengate.errors import PolicyError
from greengate.policy.load import load_policies

POLICY = """\
apiVersion: greengate.dev/v1
kind: Policy
metadata: {name: owned}
spec:
  validations:
    - id: OWN1
      field: owner
      expression: has(deployment.owner)
      message: no owner
"""

CASE = """\
apiVersion: greengate.dev/v1
kind: PolicyTest
policies: [owned]
cases:
  - name: one
    manifests: [m.yaml]
    results:
      - rule: OWN1
        result: fail
"""


def cases_of(tmp_path: Path, text: str) -> list[object]:
    (tmp_path / "owned.yaml").write_text(POLICY)
    (tmp_path / "m.yaml").write_text("apiVersion: greengate.dev/v1\nkind: AIDeployment\n")
    path = tmp_path / "t.greengate-test.yaml"
    path.write_text(text)
    return list(TestFiles(load_policies([tmp_path / "owned.yaml"])).cases(path))


def error(tmp_path: Path, text: str) -> str:
    with pytest.raises(PolicyError) as raised:
        cases_of(tmp_path, text)
    message = str(raised.value)
    assert "\n" not in message
    return message.replace(tmp_path.as_posix() + "/", "")


def test_the_schema_is_a_valid_json_schema() -> None:
    schema = json.loads(
        resources.files("greengate.schemas").joinpath("policy-test.schema.json").read_text()
    )
    jsonschema.Draft202012Validator.check_schema(schema)


def test_a_valid_file_reads_its_cases(tmp_path: Path) -> None:
    (case,) = cases_of(tmp_path, CASE)
    assert case.name == "one" and case.files == (tmp_path / "m.yaml",)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("result: fail", "result: failed"),
            "t.greengate-test.yaml:9:17: cases[0].results[0].result: 'failed' is not one of pass, fail, skip, error; see 'Testing your policies' in the README",
        ),
        (
            ("    manifests: [m.yaml]\n", ""),
            "t.greengate-test.yaml:5:5: cases[0]: 'manifests' is a required property; add it",
        ),
        (
            ("rule: OWN1", "rule: OWN2"),
            "t.greengate-test.yaml:8:15: 'OWN2' is not a rule of the policies of case 'one' (did you mean 'OWN1'?); name one of OWN1",
        ),
        (
            ("policies: [owned]", "policies: [owner]"),
            "t.greengate-test.yaml:3:12: no policy named 'owner' (did you mean 'owned'?); name a policy of the PATHs tested (or the built-in pack), or its file",
        ),
        (
            ("[m.yaml]", "[missing.yaml]"),
            "t.greengate-test.yaml:6:17: manifest missing.yaml does not exist; give its path relative to the test file",
        ),
        (
            ("policies: [owned]\n", ""),
            "t.greengate-test.yaml:4:5: case 'one' names no policy; add policies: [NAME or FILE] to the case or to the test file",
        ),
        (
            (
                "cases:\n",
                "cases:\n  - name: one\n    manifests: [m.yaml]\n    results: [{result: pass}]\n",
            ),
            "t.greengate-test.yaml:8:5: case name 'one' is already used at t.greengate-test.yaml:5:5; give each case of a test file its own name",
        ),
        (
            ("kind: PolicyTest", "kind: PolicyTest\n---\nkind: PolicyTest"),
            "t.greengate-test.yaml:4:1: a test file holds one YAML document; merge the documents",
        ),
        (
            ("results:", "results: ["),
            "t.greengate-test.yaml:8:7:",
        ),
    ],
    ids=[
        "bad result",
        "no manifests",
        "unknown rule",
        "unknown policy",
        "missing manifest",
        "no policy",
        "same name",
        "two documents",
        "bad yaml",
    ],
)
def test_a_broken_test_file_is_one_located_sentence(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    broken = CASE.replace(*change)
    assert broken != CASE
    assert error(tmp_path, broken).startswith(message)


def test_a_policy_named_by_file_is_loaded_relative_to_the_test_file(tmp_path: Path) -> None:
    text = CASE.replace("policies: [owned]", "policies: [owned.yaml]")
    (case,) = cases_of(tmp_path, text)
    assert [p.name for p in case.policies] == ["owned"]  # type: ignore[attr-defined]


def test_an_example_naming_an_unknown_rule_or_a_missing_file_stops_the_run(tmp_path: Path) -> None:
    example = (
        "  examples:\n    - name: e\n      expect: fail\n      rules: [OWN9]\n      file: m.yaml\n"
    )
    (tmp_path / "owned.yaml").write_text(POLICY + example)
    (policy,) = load_policies([tmp_path / "owned.yaml"])
    with pytest.raises(
        PolicyError,
        match=r"owned.yaml:11:7: example 'e' names rule 'OWN9', which is not a rule of policy 'owned' \(did you mean 'OWN1'\?\); list rules of OWN1",
    ):
        example_cases(policy)
    (tmp_path / "owned.yaml").write_text(POLICY + example.replace("OWN9", "OWN1"))
    (policy,) = load_policies([tmp_path / "owned.yaml"])
    with pytest.raises(
        PolicyError,
        match=r"owned.yaml:11:7: example 'e' reads .*/m.yaml, which is not a file; give its path relative to the policy file",
    ):
        example_cases(policy)
