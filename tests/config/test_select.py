"""What the config changes about the loaded policies."""

from __future__ import annotations

from pathlib import Path

import pytest

from greengate.config import load_config
from greengate.config.select import select
from greengate.errors import ConfigError
from greengate.policy.engine import RuleSettings, deep_merge
from greengate.policy.load import builtin_pack
from greengate.records.finding import Severity


def selection(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    path = tmp_path / ".greengate.yaml"
    path.write_text(text)
    return select(list(builtin_pack()), load_config(path))


def test_an_exact_id_wins_over_a_glob_and_the_last_glob_wins(tmp_path: Path) -> None:
    chosen = selection(
        tmp_path,
        "rules:\n  severity: {GG301: info, 'GG3*': low, 'GG30?': critical}\n",
    )
    assert chosen.rules["GG301"] == RuleSettings(severity=Severity.INFO)
    assert chosen.rules["GG302"] == RuleSettings(severity=Severity.CRITICAL)


def test_disable_wins_over_severity(tmp_path: Path) -> None:
    chosen = selection(tmp_path, "rules:\n  disable: ['GG5*']\n  severity: {GG501: high}\n")
    assert chosen.rules["GG501"] == RuleSettings(enabled=False)
    assert chosen.rules["GG504"] == RuleSettings(enabled=False)


def test_a_glob_that_matches_nothing_is_fine(tmp_path: Path) -> None:
    chosen = selection(tmp_path, "rules:\n  disable: ['XYZ*']\npolicies:\n  disable: ['zzz-*']\n")
    assert chosen.rules == {} and len(chosen.policies) == 6


def test_policy_globs(tmp_path: Path) -> None:
    chosen = selection(tmp_path, "policies:\n  disable: ['*-region', rate-limits]\n")
    assert sorted(p.name for p in chosen.policies) == [
        "carbon-budget",
        "hardware-generation",
        "model-size",
        "required-facts",
    ]


def test_greengates_own_rules_cannot_be_changed(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="GG002 is greengate's own check"):
        selection(tmp_path, "rules:\n  severity: {GG002: low}\n")


def test_params_of_a_policy_without_params(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown param 'x'; it has no params"):
        selection(tmp_path, "params:\n  required-facts: {x: 1}\n")


def test_deep_merge_merges_maps_and_replaces_lists() -> None:
    base = {"limits": {"a": 1, "b": 2}, "regions": ["x", "y"], "n": 1}
    assert deep_merge(base, {"limits": {"b": 3}, "regions": ["z"]}) == {
        "limits": {"a": 1, "b": 3},
        "regions": ["z"],
        "n": 1,
    }
    assert base["limits"] == {"a": 1, "b": 2}  # not modified


def config_error(tmp_path: Path, params: str) -> str:
    with pytest.raises(ConfigError) as info:
        selection(tmp_path, f"params:\n{params}")
    return str(info.value)


def test_a_param_of_the_wrong_type_names_the_param_policy_and_type(tmp_path: Path) -> None:
    message = config_error(tmp_path, "  low-carbon-region:\n    maxGridIntensity: abc\n")
    assert message.endswith(
        ".greengate.yaml:3:5: params.low-carbon-region.maxGridIntensity: 'abc' is a string, but"
        " policy low-carbon-region expects a number (its default is 200.0); write a number such"
        " as 200 or 0.75"
    )


@pytest.mark.parametrize(
    ("params", "said"),
    [
        (
            "  rate-limits: {maxRequestsPerMinute: 2.5}\n",
            "expects an integer (its default is 10000)",
        ),
        (
            "  rate-limits: {maxTokensPerMinute: true}\n",
            "true is a boolean, but policy rate-limits expects an integer",
        ),
        (
            "  low-carbon-region: {allowedRegions: europe-north1}\n",
            "expects a list (its default is [])",
        ),
        (
            "  low-carbon-region: {minCfe: null}\n",
            "null is a null, but policy low-carbon-region expects a number",
        ),
        (
            "  rate-limits: {generativeTasks: [chat, 5]}\n",
            "generativeTasks[1]: 5 is an integer, but policy rate-limits expects a string",
        ),
        (
            "  model-size: {maxParameters: 5}\n",
            "maxParameters: 5 is an integer, but policy model-size expects a map",
        ),
        (
            "  model-size: {maxParameters: {chat: lots}}\n",
            "maxParameters.chat: 'lots' is a string, but policy model-size expects an integer",
        ),
        (
            "  model-size: {maxParameters: {planning: [1]}}\n",
            "maxParameters.planning: [1] is a list",
        ),
        (
            "  hardware-generation: {minimumArchitecture: {nvidia: 3}}\n",
            "minimumArchitecture.nvidia: 3 is an integer, but policy hardware-generation expects a string",
        ),
    ],
)
def test_wrong_types_everywhere_in_the_builtin_params(
    tmp_path: Path, params: str, said: str
) -> None:
    assert said in config_error(tmp_path, params)


def test_valid_params_are_kept_and_counts_become_integers(tmp_path: Path) -> None:
    chosen = selection(
        tmp_path,
        "params:\n"
        "  model-size: {maxParameters: {chat: 80B, planning: 7000000000, speech: 2.0e9}, defaultMaxParameters: 350M}\n"
        "  low-carbon-region: {maxGridIntensity: 150, minCfe: 0.9, allowedRegions: [europe-north1]}\n"
        "  rate-limits: {generativeTasks: [], maxRequestsPerMinute: 600}\n"
        "  hardware-generation: {minimumArchitecture: {nvidia: hopper, intel: gaudi2}}\n",
    )
    assert chosen.params == {
        "model-size": {
            "maxParameters": {
                "chat": 80_000_000_000,
                "planning": 7_000_000_000,
                "speech": 2_000_000_000,
            },
            "defaultMaxParameters": 350_000_000,
        },
        "low-carbon-region": {
            "maxGridIntensity": 150,
            "minCfe": 0.9,
            "allowedRegions": ["europe-north1"],
        },
        "rate-limits": {"generativeTasks": [], "maxRequestsPerMinute": 600},
        "hardware-generation": {"minimumArchitecture": {"nvidia": "hopper", "intel": "gaudi2"}},
    }


def test_a_wrong_param_type_through_the_cli_is_exit_2(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from greengate.cli import main

    (tmp_path / ".greengate.yaml").write_text(
        "params:\n  low-carbon-region: {maxGridIntensity: abc}\n"
    )
    (tmp_path / "m.yaml").write_text(
        "apiVersion: greengate.dev/v1\nkind: AIDeployment\nmetadata: {name: a}\nspec: {}\n"
    )
    result = CliRunner().invoke(
        main, ["check", str(tmp_path / "m.yaml"), "--config", str(tmp_path / ".greengate.yaml")]
    )
    assert result.exit_code == 2
    assert "params.low-carbon-region.maxGridIntensity: 'abc' is a string" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_a_count_for_a_model_size_limit_is_compared_as_a_number(tmp_path: Path) -> None:
    """`chat: 7B` was compared as a string (an error finding); now it is 7000000000."""
    from click.testing import CliRunner

    from greengate.cli import main

    (tmp_path / ".greengate.yaml").write_text(
        "policies: {disable: [required-facts, rate-limits, low-carbon-region, hardware-generation]}\n"
        "params:\n  model-size: {maxParameters: {chat: 7B}}\n"
    )
    (tmp_path / "m.yaml").write_text(
        "apiVersion: greengate.dev/v1\nkind: AIDeployment\nmetadata: {name: a}\n"
        "spec: {task: chat, model: {parameters: 8B}}\n"
    )
    result = CliRunner().invoke(
        main,
        ["check", str(tmp_path / "m.yaml"), "--config", str(tmp_path / ".greengate.yaml")],
    )
    assert result.exit_code == 1
    assert "more than the 7B limit for task 'chat'" in result.output
