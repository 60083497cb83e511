"""Effective settings: inlineWaivers from its default, the config, the flag."""

from __future__ import annotations

from pathlib import Path

import pytest

from greengate.config.load import load_config
from greengate.config.settings import Flags, Settings
from greengate.errors import ConfigError


def test_inline_waivers_default_is_base_only_in_pr_mode_and_true_otherwise() -> None:
    assert Settings.resolve(None, Flags()).inline_waivers.value is True
    pr = Settings.resolve(None, Flags(), pr_mode=True).inline_waivers
    assert (pr.value, pr.origin) == ("base-only", "default with --policies-from")


def test_the_config_sets_inline_waivers_and_the_flag_forces_false(tmp_path: Path) -> None:
    path = tmp_path / ".greengate.yaml"
    path.write_text("inlineWaivers: true\n")
    config = load_config(path)
    shown = Settings.resolve(config, Flags(), pr_mode=True).inline_waivers
    assert shown.value is True and shown.origin.endswith(".greengate.yaml:1")
    forced = Settings.resolve(config, Flags(inline_waivers=False), pr_mode=True).inline_waivers
    assert (forced.value, forced.origin) == (False, "--no-inline-waivers flag")


def test_a_policy_flag_naming_nothing_is_a_config_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match=r"--policy gone\.yaml: no such policy file or folder"):
        Settings.resolve(None, Flags(policy_paths=[Path("gone.yaml")]))


def test_settings_from_the_environment_rank_between_flags_and_the_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """flags > GREENGATE_* > .greengate.yaml > defaults, and `config show` names each origin."""
    from click.testing import CliRunner

    from greengate.cli import main

    (tmp_path / ".greengate.yaml").write_text("failOn: low\n")
    monkeypatch.chdir(tmp_path)

    def fail_on(*args: str, **env: str) -> str:
        result = CliRunner().invoke(main, ["config", "show", *args], env=env)
        assert result.exit_code == 0, result.output
        (line,) = [x for x in result.stdout.splitlines() if x.startswith("failOn")]
        return " ".join(line.split()[1:])

    assert fail_on() == "low .greengate.yaml:1"
    assert fail_on(GREENGATE_FAIL_ON="high") == "high GREENGATE_FAIL_ON environment variable"
    assert fail_on("--fail-on", "medium", GREENGATE_FAIL_ON="high") == "medium --fail-on flag"
    other = tmp_path / "other.yaml"
    other.write_text("failOn: critical\n")
    assert fail_on(GREENGATE_CONFIG=str(other)).startswith("critical ")
    result = CliRunner().invoke(main, ["check", str(tmp_path)], env={"GREENGATE_FORMAT": "json"})
    assert result.stdout.startswith("{")
    bad = CliRunner().invoke(main, ["check"], env={"GREENGATE_CONFIG": str(tmp_path / "nope.yaml")})
    assert bad.exit_code == 2 and "GREENGATE_CONFIG" in bad.stderr
