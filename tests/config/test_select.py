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
    assert chosen.rules == {} and len(chosen.policies) == 5


def test_policy_globs(tmp_path: Path) -> None:
    chosen = selection(tmp_path, "policies:\n  disable: ['*-region', rate-limits]\n")
    assert sorted(p.name for p in chosen.policies) == [
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
