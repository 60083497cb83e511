from __future__ import annotations

import textwrap
from typing import Any

from greengate.app.pipeline import adapt
from greengate.load import load_bytes
from greengate.policy.engine import Engine, RuleSettings
from greengate.policy.load import parse_policy
from greengate.records.finding import Status

POLICY = """\
apiVersion: greengate.dev/v1
kind: Policy
metadata: {name: p}
spec:
  severity: medium
  params: {max: 10}
  matchConditions:
    - name: inference
      expression: '!has(deployment.workload) || deployment.workload == "inference"'
  variables:
    - name: doubled
      expression: deployment.replicas.max * 2
  validations:
    - id: R1
      field: replicas.max
      expression: variables.doubled <= params.max
      messageExpression: '"twice " + string(deployment.replicas.max) + " is above " + string(params.max)'
      message: too many
    - id: R2
      field: cloud.region
      expression: deployment.cloud.region.startsWith("eu")
      message: not in Europe
"""

MANIFEST = """\
apiVersion: greengate.dev/v1
kind: AIDeployment
metadata:
  name: svc
spec:
  workload: inference
  cloud:
    provider: gcp
    region: us-central1
  replicas:
    min: 1
    max: 8
"""


def check(manifest: str, policy: str = POLICY, **engine: Any) -> list[tuple[str, str, int, str]]:
    (policy_doc,) = load_bytes(policy.encode(), "policy.yaml").documents
    engine_ = Engine([parse_policy(policy_doc)], **engine)
    findings = []
    for document in load_bytes(textwrap.dedent(manifest).encode(), "m.yaml").documents:
        deployments, problems = adapt(document)
        findings.extend(problems)
        findings.extend(engine_.evaluate(deployments))
    return [(f.rule_id, f.status.value, f.location.line, f.message) for f in findings]


def test_failures_point_at_the_fact_line() -> None:
    assert check(MANIFEST) == [
        ("R1", "fail", 12, "twice 8 is above 10"),
        ("R2", "fail", 9, "not in Europe"),
    ]


def test_params_override_and_rule_settings() -> None:
    result = check(MANIFEST, params={"p": {"max": 100}}, rules={"R2": RuleSettings(enabled=False)})
    assert result == [("R1", "pass", 12, "R1")]


def test_match_conditions_skip() -> None:
    result = check(MANIFEST.replace("workload: inference", "workload: training"))
    assert {r[1] for r in result} == {"skip"}


def test_a_missing_fact_fails_and_says_how_to_declare_it() -> None:
    (r1, r2) = check(MANIFEST.replace("    region: us-central1\n", ""))
    assert r1[:2] == ("R1", "fail")
    assert r2[:3] == ("R2", "fail", 7)  # points at `cloud:`, where the region belongs
    assert "cloud.region is not known for 'svc'; declare spec.cloud.region" in r2[3]


def test_a_missing_fact_inside_a_variable_is_named() -> None:
    (r1, _) = check(MANIFEST.replace("  replicas:\n    min: 1\n    max: 8\n", ""))
    assert r1[:2] == ("R1", "fail")
    assert "replicas.max is not known" in r1[3]


def test_runtime_type_error_is_an_error_finding_not_a_crash() -> None:
    policy = POLICY.replace(
        'deployment.cloud.region.startsWith("eu")', "deployment.cloud.region > 3"
    )
    (_, r2) = check(MANIFEST, policy)
    assert r2[:2] == ("R2", "error")
    assert "could not be evaluated: no such overload" in r2[3]


def test_non_bool_result_is_an_error() -> None:
    policy = POLICY.replace('deployment.cloud.region.startsWith("eu")', "deployment.cloud.region")
    (_, r2) = check(MANIFEST, policy)
    assert r2[1] == "error" and "not a bool" in r2[3]


def test_schema_violation_is_an_error_finding_at_its_line() -> None:
    result = check(MANIFEST.replace("max: 8", "max: eight"))
    assert result == [("GG002", "error", 12, "spec.replicas.max: 'eight' is not of type 'integer'")]


def test_several_documents_each_with_their_lines() -> None:
    result = check(
        MANIFEST
        + "---\n"
        + MANIFEST.replace("name: svc", "name: other").replace("us-central1", "europe-west1")
    )
    assert [(r[0], r[1], r[2]) for r in result] == [
        ("R1", "fail", 12),
        ("R2", "fail", 9),
        ("R1", "fail", 25),
        ("R2", "pass", 22),
    ]


def test_status_values_are_known() -> None:
    assert {s.value for s in Status} == {"pass", "fail", "error", "skip", "waived", "existing"}


def test_missing_fact_inside_a_ternary_is_still_named() -> None:
    """cel-python drops the missing key's name inside `?:`; the engine still finds it."""
    ternary = '\'deployment.workload in ["x"] ? deployment.cloud.region == "a" : has(deployment.cloud.cfe)\''
    policy = POLICY.replace('deployment.cloud.region.startsWith("eu")', ternary)
    (_, r2) = check(MANIFEST.replace("  workload: inference\n", ""), policy)
    assert r2[:2] == ("R2", "fail")
    assert "workload is not known" in r2[3]


def _noted(message_expression: str, message: str = "message: too many") -> list[Any]:
    policy = POLICY.replace(
        """messageExpression: '"twice " + string(deployment.replicas.max) + " is above " + string(params.max)'
      message: too many""",
        f"messageExpression: '{message_expression}'\n      {message}".rstrip(),
    )
    (policy_doc,) = load_bytes(policy.encode(), "policy.yaml").documents
    engine = Engine([parse_policy(policy_doc)], rules={"R2": RuleSettings(enabled=False)})
    (document,) = load_bytes(MANIFEST.encode(), "m.yaml").documents
    deployments, _ = adapt(document)
    return engine.evaluate(deployments)


def test_a_failing_message_expression_is_a_note_and_the_static_message_is_shown() -> None:
    """string + int fails in CEL: the finding stands, with its static message and a note."""
    (finding,) = _noted('"twice " + deployment.replicas.max')
    assert (finding.status, finding.message) == (Status.FAIL, "too many")
    (note,) = finding.notes
    assert note.startswith("the messageExpression of R1 (policy.yaml:14:11) failed: ")
    assert note.endswith("its static message is shown instead; fix the messageExpression")


def test_without_a_static_message_the_title_is_shown() -> None:
    (finding,) = _noted('"twice " + deployment.replicas.max', message="title: Replicas bounded")
    assert finding.message == "Replicas bounded"
    assert "its title is shown instead" in finding.notes[0]


def test_a_message_expression_that_is_not_a_string_is_a_note() -> None:
    (finding,) = _noted("deployment.replicas.max")
    assert finding.message == "too many"
    assert "returned int 8, not a string" in finding.notes[0]


def test_an_empty_message_falls_back_without_a_note_as_in_kubernetes() -> None:
    (finding,) = _noted('""')
    assert (finding.message, finding.notes) == ("too many", ())


def test_a_message_expression_that_works_leaves_no_note() -> None:
    assert all(not f.notes for f in _noted('"twice " + string(deployment.replicas.max)'))
