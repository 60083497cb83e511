"""``greengate config show --format json`` is valid JSON whatever a setting holds."""

from __future__ import annotations

import datetime
import json
from typing import Any, cast

from greengate.config import show
from greengate.config.model import Sourced
from greengate.config.settings import Settings
from greengate.records.finding import Severity


def test_a_non_finite_value_is_null() -> None:
    settings = Settings(
        config=None,
        fail_on=Sourced(Severity.INFO),
        builtin=cast(Any, Sourced(float("nan"))),
        policy_paths=(),
        catalog_files=(),
        inline_waivers=cast(Any, Sourced(float("inf"))),
        cel_engine=Sourced("auto"),
    )

    def refuse(name: str) -> None:
        raise AssertionError(f"{name} is not JSON")

    data = json.loads(show.render_json(settings, datetime.date(2026, 1, 1)), parse_constant=refuse)
    values = {row["key"]: row["value"] for row in data["settings"]}
    assert values["policies.builtin"] is None
    assert values["inlineWaivers"] is None


def test_the_text_table_escapes_what_the_config_quotes(tmp_path: Any, monkeypatch: Any) -> None:
    from click.testing import CliRunner

    from greengate.cli import main

    (tmp_path / ".greengate.yaml").write_text(
        'defaults:\n  - paths: ["**"]\n    owner: "team\\e[31m\\u202e::error::x"\n'
    )
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["config", "show"])
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout and "\u202e" not in result.stdout
    assert "team\\x1b[31m" in result.stdout


def test_the_baseline_key_is_shown_with_its_origin(tmp_path: Any, monkeypatch: Any) -> None:
    from click.testing import CliRunner

    from greengate.cli import main

    (tmp_path / ".greengate.yaml").write_text("failOn: low\nbaseline: ci/base.json\n")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["config", "show"])
    (line,) = [x for x in result.stdout.splitlines() if x.startswith("baseline")]
    assert line.split()[1:] == ["ci/base.json", ".greengate.yaml:2"]
