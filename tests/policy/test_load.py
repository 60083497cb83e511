from __future__ import annotations

from pathlib import Path

import pytest

from greengate.errors import PolicyError
from greengate.policy.load import builtin_pack_dir, load_policies

POLICY = """\
apiVersion: greengate.dev/v1
kind: Policy
metadata:
  name: owners
spec:
  severity: low
  params:
    teams: [a, b]
  validations:
    - id: ACME001
      field: owner
      expression: deployment.owner in params.teams
      messageExpression: '"owner " + deployment.owner + " is not a known team"'
      message: unknown owner
"""


def write(tmp_path: Path, text: str, name: str = "p.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def error_of(tmp_path: Path, text: str) -> str:
    with pytest.raises(PolicyError) as info:
        load_policies([write(tmp_path, text)], display_root=tmp_path)
    return str(info.value)


def test_a_valid_policy_loads(tmp_path: Path) -> None:
    (policy,) = load_policies([write(tmp_path, POLICY)])
    assert policy.name == "owners"
    assert policy.severity.value == "low"
    assert [v.id for v in policy.validations] == ["ACME001"]
    assert policy.validations[0].location.line == 10


def test_cel_typo_names_file_line_and_column(tmp_path: Path) -> None:
    text = POLICY.replace(
        "deployment.owner in params.teams", "deployment.owner in params.teams +* 1"
    )
    message = error_of(tmp_path, text)
    assert message.startswith("p.yaml:12:")
    column = int(message.split(":")[2])
    line = text.splitlines()[11]
    assert line[column - 1 :].startswith("* 1")
    assert "CEL syntax error" in message


def test_misspelt_variable_is_caught_before_any_deployment(tmp_path: Path) -> None:
    message = error_of(tmp_path, POLICY.replace("deployment.owner in", "deploymnt.owner in"))
    assert message.startswith("p.yaml:12:19:")
    assert "did you mean 'deployment'?" in message


def test_cel_error_in_a_folded_block_scalar(tmp_path: Path) -> None:
    text = POLICY.replace(
        "      expression: deployment.owner in params.teams\n",
        "      expression: >-\n        deployment.owner in params.teams\n        && deployment.owner >\n",
    )
    message = error_of(tmp_path, text)
    assert message.startswith("p.yaml:14:29:")  # the '>' with nothing after it


def test_unknown_key_suggests_the_right_one(tmp_path: Path) -> None:
    message = error_of(tmp_path, POLICY.replace("      field: owner", "      feild: owner"))
    assert message.startswith("p.yaml:11:7:")
    assert "unknown key 'feild'; did you mean 'field'?" in message


def test_missing_expression_and_bad_severity(tmp_path: Path) -> None:
    message = error_of(
        tmp_path, POLICY.replace("      expression: deployment.owner in params.teams\n", "")
    )
    assert message.startswith("p.yaml:10:")
    assert "'expression' is a required property" in message
    message = error_of(tmp_path, POLICY.replace("severity: low", "severity: urgent"))
    assert message.startswith("p.yaml:6:13:")
    assert "'urgent' is not one of" in message


def test_validation_without_message(tmp_path: Path) -> None:
    text = POLICY.replace(
        '      messageExpression: \'"owner " + deployment.owner + " is not a known team"\'\n      message: unknown owner\n',
        "",
    )
    assert "needs a 'message' or a 'messageExpression'" in error_of(tmp_path, text)


def test_duplicate_rule_ids_across_files(tmp_path: Path) -> None:
    write(tmp_path, POLICY, "a.yaml")
    write(tmp_path, POLICY.replace("name: owners", "name: other"), "b.yaml")
    with pytest.raises(PolicyError, match="rule id 'ACME001' is already used"):
        load_policies([tmp_path])


def test_broken_yaml_in_a_policy(tmp_path: Path) -> None:
    message = error_of(tmp_path, POLICY.replace("  name: owners", "  name: [owners"))
    assert message.startswith("p.yaml:")
    assert "invalid YAML" in message


def test_the_builtin_pack_loads() -> None:
    policies = load_policies([builtin_pack_dir()], builtin=True)
    assert {p.name for p in policies} == {
        "model-size",
        "low-carbon-region",
        "rate-limits",
        "hardware-generation",
        "required-facts",
        "carbon-budget",
    }
    assert all(p.builtin and p.description for p in policies)


def _with(expression: str) -> str:
    return POLICY.replace(
        "expression: deployment.owner in params.teams", f"expression: {expression}"
    )


def _block(expression: str) -> str:
    return POLICY.replace(
        "expression: deployment.owner in params.teams", f"expression: |-\n        {expression}"
    )


def test_an_unknown_name_behind_an_or_is_caught_at_load(tmp_path: Path) -> None:
    """Evaluation never reaches `limitz` when the left side is true; the load still refuses it."""
    text = _with("deployment.owner in params.teams || limitz.max > 1")
    message = error_of(tmp_path, text)
    line = text.splitlines()[11]
    assert message.startswith(f"p.yaml:12:{line.index('limitz') + 1}:")
    assert "undeclared reference to 'limitz'; expressions can use deployment" in message
    assert "did you mean" not in message


def test_a_misspelt_name_behind_an_or_gets_a_guess(tmp_path: Path) -> None:
    text = _with("true || deploymnt.region == 'x'")
    message = error_of(tmp_path, text)
    assert message.startswith(f"p.yaml:12:{text.splitlines()[11].index('deploymnt') + 1}:")
    assert "undeclared reference to 'deploymnt' (did you mean 'deployment'?)" in message


def test_unknown_names_in_every_kind_of_expression(tmp_path: Path) -> None:
    message_expression = POLICY.replace(
        '\'"owner " + deployment.owner', '\'true ? "owner " : paramz + deployment.owner'
    )
    assert "p.yaml:13:" in error_of(tmp_path, message_expression)
    assert "'paramz' (did you mean 'params'?)" in error_of(tmp_path, message_expression)
    condition = POLICY.replace(
        "  validations:\n",
        "  matchConditions:\n    - name: m\n      expression: true || catalgo.x\n  validations:\n",
    )
    assert error_of(tmp_path, condition).startswith("p.yaml:11:27:")
    variable = POLICY.replace(
        "  validations:\n",
        "  variables:\n    - name: v\n      expression: false && variable.x\n  validations:\n",
    )
    message = error_of(tmp_path, variable)
    assert message.startswith("p.yaml:11:28:")
    assert "(did you mean 'variables'?)" in message


def test_macro_variables_are_known_inside_their_macro_only(tmp_path: Path) -> None:
    fine = _with(
        "params.teams.exists(t, t == deployment.owner) && params.teams.all(t, params.teams.exists(u, u == t))"
    )
    load_policies([write(tmp_path, fine)])
    outside = _with("params.teams.exists(t, true) && t == 'a'")
    assert "undeclared reference to 't'" in error_of(tmp_path, outside)


def test_functions_types_fields_and_strings_are_not_names(tmp_path: Path) -> None:
    fine = _block(
        "size(deployment.owner) > 0 && type(deployment.owner) == string && int('1') == 1"
        " && deployment.owner.startsWith('limitz.max') && has(deployment.cloud.region)"
        " && {'a': params.teams}.a == params.teams"
    )
    (policy,) = load_policies([write(tmp_path, fine)])
    assert policy.validations[0].program.references()[0].name == "deployment"


def test_an_unknown_name_through_the_cli_is_exit_2_with_one_line(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from greengate.cli import main

    policy = write(tmp_path, _with("deployment.owner in params.teams || limitz.max > 1"))
    manifest = write(
        tmp_path,
        "apiVersion: greengate.dev/v1\nkind: AIDeployment\nmetadata: {name: a}\nspec: {}\n",
        "m.yaml",
    )
    result = CliRunner().invoke(
        main, ["check", str(manifest), "--no-config", "--no-builtin", "--policy", str(policy)]
    )
    assert result.exit_code == 2
    assert "undeclared reference to 'limitz'" in result.output
    assert len(result.output.strip().splitlines()) == 1


def _with_match(name: str) -> str:
    return POLICY.replace(
        "  validations:\n",
        f"  matchConditions:\n    - name: {name}\n      expression: deployment.workload == 'inference'\n  validations:\n",
        1,
    )


@pytest.mark.parametrize("name", ["is-chat", "my.name", "example.com/is-chat", "is_chat", "A1"])
def test_match_condition_names_are_kubernetes_qualified_names(tmp_path: Path, name: str) -> None:
    (policy,) = load_policies([write(tmp_path, _with_match(name))])
    assert [m.name for m in policy.match_conditions] == [name]


@pytest.mark.parametrize("name", ["-chat", "chat-", "a/b/c", "'has space'", "x" * 64])
def test_a_match_condition_name_that_is_not_a_qualified_name_is_refused(
    tmp_path: Path, name: str
) -> None:
    message = error_of(tmp_path, _with_match(name))
    assert message.startswith("p.yaml:10:13: spec.matchConditions[0].name: ")
    assert "is not allowed here: A Kubernetes qualified name" in message


def test_variable_names_must_still_be_cel_identifiers(tmp_path: Path) -> None:
    text = POLICY.replace(
        "  validations:\n",
        "  variables:\n    - name: is-chat\n      expression: 'true'\n  validations:\n",
        1,
    )
    assert error_of(tmp_path, text).startswith(
        "p.yaml:10:13: spec.variables[0].name: 'is-chat' is not allowed here: A CEL identifier"
    )


def test_a_match_condition_name_used_twice_is_refused(tmp_path: Path) -> None:
    text = POLICY.replace(
        "  validations:\n",
        "  matchConditions:\n"
        "    - name: is-chat\n      expression: 'true'\n"
        "    - name: is-chat\n      expression: 'false'\n"
        "  validations:\n",
        1,
    )
    message = error_of(tmp_path, text)
    assert "matchConditions name 'is-chat' is defined twice" in message


# --- every field an expression reads is checked at load ---------------------------------


def _column(text: str, line: int, needle: str) -> str:
    return f"p.yaml:{line}:{text.splitlines()[line - 1].index(needle) + 1}:"


def test_a_misspelt_fact_is_refused_at_load_with_the_closest_name(tmp_path: Path) -> None:
    text = _with("deployment.replica.max > 1")
    message = error_of(tmp_path, text)
    assert message.startswith(_column(text, 12, "replica"))
    assert (
        "deployment.replica.max is not a fact greengate provides (did you mean replicas.max?)"
        in message
    )


@pytest.mark.parametrize(
    ("expression", "needle", "words"),
    [
        ("true || deployment.cloud.regoin == 'x'", "regoin", "(did you mean cloud.region?)"),
        (
            "has(deployment.hardware.acelerator)",
            "acelerator",
            "(did you mean hardware.accelerator?)",
        ),
        (
            "deployment.cloud.region.name == 'x'",
            "name",
            "deployment.cloud.region is a value, not a map: it has no field 'name'",
        ),
        (
            "deployment.estimate.kwhPerYearHigh > 1.0",
            "kwhPerYearHigh",
            "(did you mean estimate.kWhPerYearHigh?)",
        ),
        (
            "params.team.size() > 0",
            "team",
            "params.team is not declared in spec.params (did you mean teams?)",
        ),
        (
            "catalog.architecture.size() > 0",
            "architecture",
            "catalog.architecture is not in the catalog view (did you mean architectures?)",
        ),
    ],
)
def test_every_kind_of_path_is_checked(
    tmp_path: Path, expression: str, needle: str, words: str
) -> None:
    text = _with(expression)
    message = error_of(tmp_path, text)
    assert message.startswith(_column(text, 12, needle)), message
    assert words in message and message.endswith("; correct the name")


def test_a_variable_that_is_not_declared_is_refused(tmp_path: Path) -> None:
    text = POLICY.replace(
        "  validations:\n",
        "  variables:\n    - name: known\n      expression: 'true'\n  validations:\n",
    ).replace("expression: deployment.owner in params.teams", "expression: variables.knwon")
    assert "variables.knwon is not in spec.variables (did you mean known?)" in error_of(
        tmp_path, text
    )


def test_what_a_manifest_names_and_real_facts_load(tmp_path: Path) -> None:
    fine = _block(
        "deployment.labels.env == 'prod' && deployment.annotations['a.b/c'] == 'x'"
        " && deployment.kind == 'Deployment' && deployment.format == 'kserve' && deployment.file != ''"
        " && has(deployment.cloud) && deployment.replicas.max > 0 && deployment.estimate.tCO2ePerYearHigh > 0.0"
        " && deployment.model.parameters > 0 && catalog.architectures['nvidia']['hopper'] > 0"
        " && params.teams.size() > 0 && [deployment.cloud].all(c, c.anything == 1)"
    )
    load_policies([write(tmp_path, fine)])


def test_every_builtin_and_example_policy_reads_only_known_fields() -> None:
    """The shipped policies load (this very check runs on them), so the schema covers them."""
    from tests.conftest import EXAMPLES

    assert load_policies([builtin_pack_dir(), EXAMPLES / "policies"])


def test_the_catalog_view_has_exactly_the_fields_the_loader_knows() -> None:
    from greengate.app.check import catalog_view
    from greengate.catalog import Catalog
    from greengate.policy.facts import CATALOG_FIELDS

    assert tuple(catalog_view(Catalog.builtin())) == CATALOG_FIELDS


def test_a_misspelt_fact_through_the_cli_is_exit_2_with_one_line(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from greengate.cli import main

    policy = write(tmp_path, _with("deployment.replica.max > 1"))
    result = CliRunner().invoke(
        main, ["check", str(tmp_path), "--policy", str(policy), "--no-builtin"]
    )
    assert result.exit_code == 2
    assert result.stdout == "" and result.stderr.count("\n") == 1
    assert "did you mean replicas.max" in result.stderr


EXAMPLES = """\
  examples:
    - name: inline
      expect: fail
      message: is not a known team
      line: 23
      manifest:
        apiVersion: greengate.dev/v1
        kind: AIDeployment
        metadata: {name: x, owner: z}
    - name: from a file
      expect: error
      file: manifests/m.yaml
"""


def test_examples_keep_where_they_are_and_read_files_relative_to_the_policy(
    tmp_path: Path,
) -> None:
    (policy,) = load_policies([write(tmp_path, POLICY + EXAMPLES)])
    inline, from_file = policy.examples
    assert (inline.location.line, inline.message, inline.line, inline.file) == (
        16,
        "is not a known team",
        23,
        None,
    )
    assert inline.manifest is not None
    assert inline.manifest.location(("metadata", "owner")).line == 23  # in the policy file
    assert (from_file.expect, from_file.manifest, from_file.file) == (
        "error",
        None,
        tmp_path / "manifests" / "m.yaml",
    )


def test_an_example_needs_a_manifest_or_a_file_not_both(tmp_path: Path) -> None:
    both = EXAMPLES.replace(
        "      file: manifests/m.yaml\n", "      file: m.yaml\n      manifest: {}\n"
    )
    assert error_of(tmp_path, POLICY + both) == (
        "p.yaml:24:7: spec.examples[1]: an example needs either a 'manifest' (inline) or a 'file';"
        " give exactly one of them"
    )
    neither = EXAMPLES.replace("      file: manifests/m.yaml\n", "")
    assert error_of(tmp_path, POLICY + neither).startswith(
        "p.yaml:24:7: spec.examples[1]: an example needs"
    )


def test_a_folder_of_policies_leaves_test_files_out(tmp_path: Path) -> None:
    write(tmp_path, POLICY)
    write(tmp_path, "apiVersion: greengate.dev/v1\nkind: PolicyTest\n", "p.greengate-test.yaml")
    assert [p.name for p in load_policies([tmp_path])] == ["owners"]
