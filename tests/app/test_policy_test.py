"""``greengate test`` as a use case: real policy, test and manifest files in a tmp folder."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from greengate.app.policy_test import TestOptions, find_tests, run_tests
from greengate.errors import UsageError
from greengate.records.policy_test import CaseResult, TestRun

REPO = Path(__file__).resolve().parents[2]
KSERVE = REPO / "tests/data/corpus/files/kserve__kserve/docs/samples/storage/hf/hf_isvc.yaml"
"""A real InferenceService: Llama 2 7B (6.74B parameters, from the catalog) on one GPU."""

POLICY = """\
apiVersion: greengate.dev/v1
kind: Policy
metadata: {name: gpu-limit}
spec:
  params: {max: 1}
  validations:
    - id: ACME1
      title: Few accelerators
      field: hardware.count
      expression: deployment.hardware.count <= params.max
      message: too many accelerators
      messageExpression: '"uses " + string(deployment.hardware.count) + " accelerators"'
    - id: ACME2
      title: Owned
      field: owner
      expression: has(deployment.owner)
      message: no owner
  examples:
"""


def native(name: str, count: int, owner: str | None = "team-a") -> str:
    """An inline AIDeployment, indented as an example's ``manifest:``."""
    meta = f"{{name: {name}, owner: {owner}}}" if owner else f"{{name: {name}}}"
    return textwrap.indent(
        textwrap.dedent(
            f"""\
            manifest:
              apiVersion: greengate.dev/v1
              kind: AIDeployment
              metadata: {meta}
              spec: {{hardware: {{accelerator: nvidia-l4, count: {count}}}}}
            """
        ),
        "      ",
    )


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def policy_with(folder: Path, *examples: str, policy: str = POLICY) -> Path:
    """The policy file, with ``examples`` (none: without ``examples:``)."""
    text = policy + "".join(examples) if examples else policy.replace("  examples:\n", "")
    return write(folder, "gpu-limit.yaml", text)


def run(*paths: Path, **options: object) -> TestRun:
    policies, tests = find_tests(paths)
    return run_tests(TestOptions(policies=policies, test_files=tests, **options))  # type: ignore[arg-type]


def only(result: TestRun) -> CaseResult:
    (case,) = result.cases
    return case


def test_a_right_example_passes(tmp_path: Path) -> None:
    example = "    - name: one GPU\n      expect: pass\n" + native("one", 1)
    result = run(policy_with(tmp_path, example))
    assert only(result).passed and result.exit_code == 0


def test_a_wrong_example_fails_with_where_it_is_what_was_expected_and_what_happened(
    tmp_path: Path,
) -> None:
    example = "    - name: two GPUs pass\n      expect: pass\n" + native("two", 2)
    result = run(policy_with(tmp_path, example))
    case = only(result)
    assert (case.location.file, case.location.line) == (
        (tmp_path / "gpu-limit.yaml").as_posix(),
        19,
    )
    assert case.failures == ("ACME1 on 'two': expected pass, got fail: uses 2 accelerators",)
    assert result.exit_code == 1


def test_expect_fail_with_rules_means_exactly_those_fail(tmp_path: Path) -> None:
    example = "    - name: only ACME1\n      expect: fail\n      rules: [ACME1]\n" + native(
        "x", 2, owner=None
    )
    case = only(run(policy_with(tmp_path, example)))
    assert case.failures == (
        "ACME2 on 'x': expected only ACME1 to fail, got fail: no owner; declare metadata.owner",
    )


def test_expect_fail_without_rules_needs_one_failure_and_names_what_happened(
    tmp_path: Path,
) -> None:
    example = "    - name: fails\n      expect: fail\n" + native("ok", 1)
    (failure,) = only(run(policy_with(tmp_path, example))).failures
    assert failure == (
        "expected a rule to fail, got: ACME1 on 'ok' pass: Few accelerators; ACME2 on 'ok' pass: Owned"
    )


def test_message_and_line_are_checked_on_the_failing_finding(tmp_path: Path) -> None:
    right = (
        "    - name: right\n      expect: fail\n      message: uses 2\n      line: 27\n"
        + native("a", 2)
    )
    policy_with(tmp_path, right)
    assert only(run(tmp_path / "gpu-limit.yaml")).passed  # line 27: the count, in the policy file
    wrong = (
        "    - name: wrong\n      expect: fail\n      message: uses 3\n      line: 3\n"
        + native("a", 2)
    )
    case = only(run(policy_with(tmp_path, wrong)))
    assert case.failures == (
        "ACME1 on 'a': expected a message containing 'uses 3', got 'uses 2 accelerators'",
    )


def test_an_example_reads_a_real_manifest_file_relative_to_the_policy(tmp_path: Path) -> None:
    shutil.copy(KSERVE, tmp_path / "isvc.yaml")
    example = "    - name: the KServe sample has no owner\n      expect: fail\n      rules: [ACME2]\n      file: isvc.yaml\n      line: 3\n"
    result = run(policy_with(tmp_path, example))
    assert only(result).passed, only(result).failures
    assert result.cases[0].exercised == (("ACME2", "fail"),)


def test_expect_error_and_an_unexpected_error(tmp_path: Path) -> None:
    broken = POLICY.replace(
        "expression: deployment.hardware.count <= params.max",
        "expression: deployment.hardware.count <= params.max + 'x'",
    )
    error = "    - name: errors\n      expect: error\n      rules: [ACME1]\n" + native("a", 1)
    assert only(run(policy_with(tmp_path, error, policy=broken))).passed
    passing = "    - name: passes\n      expect: pass\n      rules: [ACME2]\n" + native("a", 1)
    (failure,) = only(run(policy_with(tmp_path, passing, policy=broken))).failures
    assert failure.startswith("ACME1 on 'a': unexpected error: rule ACME1 could not be evaluated")


def test_a_failing_message_expression_fails_the_case(tmp_path: Path) -> None:
    broken = POLICY.replace(
        """'"uses " + string(deployment.hardware.count) + " accelerators"'""",
        """'"uses " + deployment.hardware.count'""",
    )
    example = "    - name: two\n      expect: fail\n      rules: [ACME1]\n" + native("a", 2)
    (failure,) = only(run(policy_with(tmp_path, example, policy=broken))).failures
    assert failure.startswith("ACME1 on 'a': the messageExpression of ACME1 (")
    assert "failed: " in failure and failure.endswith("fix the messageExpression")


def test_a_manifest_with_no_deployment_or_unreadable_fails_the_case(tmp_path: Path) -> None:
    write(tmp_path, "svc.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n")
    write(tmp_path, "bad.yaml", "a: [1\n")
    examples = (
        "    - name: nothing\n      expect: pass\n      file: svc.yaml\n"
        "    - name: unreadable\n      expect: pass\n      file: bad.yaml\n"
    )
    nothing, unreadable = run(policy_with(tmp_path, examples)).cases
    assert nothing.failures[0].startswith("greengate found no deployment in the case's manifests")
    assert unreadable.failures[0].startswith(
        f"{(tmp_path / 'bad.yaml').as_posix()}:2:1: the manifest could not be read"
    )


TEST_FILE = """\
apiVersion: greengate.dev/v1
kind: PolicyTest
policies: [gpu-limit]
cases:
  - name: the KServe sample
    manifests: [manifests/isvc.yaml]
    results:
      - rule: ACME1
        deployments: [huggingface-llama2]
        result: pass
      - rule: ACME2
        result: fail
        line: 3
  - name: a stricter team
    manifests: [manifests/isvc.yaml]
    params: {gpu-limit: {max: 0}}
    results:
      - policy: gpu-limit
        result: fail
  - name: a config that gives the owner
    config: team.greengate.yaml
    manifests: [manifests/isvc.yaml]
    results:
      - rule: ACME2
        result: pass
"""

CONFIG = """\
defaults:
  - paths: ['**']
    owner: team-ml
"""


def test_file_cases_with_real_manifests_params_and_config(tmp_path: Path) -> None:
    policy_with(tmp_path)
    shutil.copy(KSERVE, write(tmp_path, "manifests/isvc.yaml", ""))
    write(tmp_path, "team.greengate.yaml", CONFIG)
    write(tmp_path, "gpu.greengate-test.yaml", TEST_FILE)
    result = run(tmp_path)
    assert [(c.name, c.failures) for c in result.cases] == [
        ("the KServe sample", ()),
        ("a stricter team", ()),
        ("a config that gives the owner", ()),
    ]
    assert result.cases[0].group == "gpu.greengate-test.yaml"
    assert result.cases[0].location.line == 5


def test_a_wrong_file_case_says_which_deployment_rule_and_result(tmp_path: Path) -> None:
    policy_with(tmp_path)
    shutil.copy(KSERVE, write(tmp_path, "manifests/isvc.yaml", ""))
    write(tmp_path, "team.greengate.yaml", CONFIG)
    wrong = TEST_FILE.replace(
        "deployments: [huggingface-llama2]\n        result: pass",
        "deployments: [huggingface-llama2, other]\n        result: fail",
    )
    write(tmp_path, "gpu.greengate-test.yaml", wrong)
    first = run(tmp_path).cases[0]
    assert first.failures == (
        "expected deployment 'other', but the manifests hold 'huggingface-llama2'",
        "ACME1 on 'huggingface-llama2': expected fail, got pass: Few accelerators",
    )


def test_run_selects_cases_by_name_or_group_and_name(tmp_path: Path) -> None:
    policy_with(tmp_path, "    - name: one GPU\n      expect: pass\n" + native("one", 1))
    shutil.copy(KSERVE, write(tmp_path, "manifests/isvc.yaml", ""))
    write(tmp_path, "team.greengate.yaml", CONFIG)
    write(tmp_path, "gpu.greengate-test.yaml", TEST_FILE)
    assert [c.name for c in run(tmp_path, run="a *").cases] == [
        "a stricter team",
        "a config that gives the owner",
    ]
    assert [c.name for c in run(tmp_path, run="gpu-limit: *").cases] == ["one GPU"]
    with pytest.raises(UsageError, match=r"--run 'nothing\*' matches none of the 4 cases"):
        run(tmp_path, run="nothing*")


def test_require_tests_fails_rules_no_case_makes_fail_and_policies_without_cases(
    tmp_path: Path,
) -> None:
    example = "    - name: two\n      expect: fail\n      rules: [ACME1]\n" + native("a", 2)
    result = run(policy_with(tmp_path, example), require_tests=True)
    assert [(u.subject, u.location.line) for u in result.untested] == [("ACME2", 13)]
    assert result.exit_code == 1 and not result.failed
    untested = write(
        tmp_path / "other",
        "p.yaml",
        POLICY.replace("gpu-limit", "other").replace("ACME", "OTHER").replace("  examples:\n", ""),
    )
    (item,) = run(untested, require_tests=True).untested
    assert (item.subject, item.message) == (
        "other",
        "the policy has no example and no test case; add spec.examples or a *.greengate-test.yaml case",
    )


def test_coverage_counts_passing_cases_per_rule_and_outcome(tmp_path: Path) -> None:
    examples = (
        "    - name: one\n      expect: pass\n" + native("one", 1),
        "    - name: two\n      expect: fail\n      rules: [ACME1]\n" + native("two", 2),
        "    - name: wrong\n      expect: fail\n      rules: [ACME2]\n" + native("three", 3),
    )
    result = run(policy_with(tmp_path, *examples))
    assert [(r.rule, r.passes, r.fails, r.complete) for r in result.coverage] == [
        ("ACME1", 1, 1, True),
        ("ACME2", 1, 0, False),  # the failing case counts for nothing
    ]


def test_no_case_at_all_does_not_pass(tmp_path: Path) -> None:
    result = run(policy_with(tmp_path))
    assert result.cases == () and result.exit_code == 1


def test_a_folder_s_manifests_are_not_read_as_policies(tmp_path: Path) -> None:
    policy_with(tmp_path)
    shutil.copy(KSERVE, write(tmp_path, "manifests/isvc.yaml", ""))
    policies, tests = find_tests([tmp_path])
    assert [p.name for p in policies] == ["gpu-limit"] and tests == []
