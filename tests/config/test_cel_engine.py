"""The CEL engine is chosen by --cel-engine, else policies.celEngine, else auto."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from greengate.cli import main
from greengate.policy.cel import cpp_installed, select_engine, selected_engine


@pytest.fixture(autouse=True)
def reset() -> Iterator[None]:
    yield
    select_engine("auto")


def show(tmp_path: Path, *args: str) -> dict[str, tuple[str, str]]:
    result = CliRunner().invoke(
        main, ["config", "show", "--format", "json", *args], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["settings"]
    return {row["key"]: (row["value"], row["from"]) for row in rows}


def test_the_config_key_chooses_and_the_flag_overrides_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".greengate.yaml").write_text("policies:\n  celEngine: python\n")
    monkeypatch.chdir(tmp_path)
    value, origin = show(tmp_path)["policies.celEngine"]
    assert value == "python"
    assert ".greengate.yaml" in origin
    assert selected_engine() == "python"
    value, origin = show(tmp_path, "--cel-engine", "auto")["policies.celEngine"]
    assert (value, origin) == ("auto", "--cel-engine flag")
    assert selected_engine() == ("cpp" if cpp_installed() else "python")


def test_an_engine_the_config_does_not_know_is_refused_at_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".greengate.yaml").write_text("policies:\n  celEngine: java\n")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["config", "show"])
    assert result.exit_code == 2
    assert "celEngine" in result.output


@pytest.mark.skipif(cpp_installed(), reason="the cel-cpp binding is installed here")
def test_choosing_cpp_without_the_binding_says_how_to_install_it(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["check", str(tmp_path), "--cel-engine", "cpp"])
    assert result.exit_code == 2
    assert "pip install 'greengate[fast]'" in result.output
