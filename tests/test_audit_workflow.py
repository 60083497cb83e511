"""examples/workflows/audit-org.yml: valid YAML that runs only options `greengate audit --help` lists.

The workflow is documentation users copy; a renamed option would break it
silently, so every `greengate audit` command in it is checked against the
real CLI's help, and its actions against the pinning rules.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from greengate.cli import main
from greengate.reporters.audit import AuditFormat

WORKFLOW = Path(__file__).resolve().parents[1] / "examples" / "workflows" / "audit-org.yml"


def workflow() -> dict[str, Any]:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def steps() -> list[dict[str, Any]]:
    return [step for job in workflow()["jobs"].values() for step in job["steps"]]


def commands() -> list[list[str]]:
    """Every `greengate audit ...` command of the workflow's `run:` steps, as words."""
    found = []
    for step in steps():
        for line in str(step.get("run", "")).splitlines():
            words = shlex.split(line.replace("${{ matrix.shard }}", "1"))
            if words[:2] == ["greengate", "audit"]:
                found.append(words)
    return found


def help_text(*command: str) -> str:
    result = CliRunner().invoke(main, [*command, "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    return result.output


def test_every_greengate_command_uses_options_the_cli_has() -> None:
    found = commands()
    assert [words[2] == "merge" for words in found] == [False, True]
    for words in found:
        text = help_text(*words[1:3]) if words[2] == "merge" else help_text("audit")
        options = [w.split("=")[0] for w in words if w.startswith("-")]
        assert options, words
        for option in options:
            assert re.search(rf"(^|[ ,]){re.escape(option)}[ ,\n]", text, re.M), (option, words)


def test_the_shards_are_the_matrix() -> None:
    data = workflow()
    shards = data["jobs"]["audit"]["strategy"]["matrix"]["shard"]
    assert shards == list(range(1, int(data["env"]["SHARDS"]) + 1))
    audit = next(w for w in commands() if w[2] != "merge")
    assert audit[audit.index("--shard") + 1] == "1/${SHARDS}"
    assert data["jobs"]["report"]["needs"] == "audit"


def test_actions_are_pinned_by_commit_with_the_tag_beside_it_and_read_only() -> None:
    assert workflow()["permissions"] == {"contents": "read"}
    assert all("permissions" not in job for job in workflow()["jobs"].values())
    uses = re.findall(r"uses: (\S+)(.*)", WORKFLOW.read_text(encoding="utf-8"))
    assert len(uses) == sum("uses" in step for step in steps()) == 6
    for action, comment in uses:
        assert re.fullmatch(r"[\w-]+/[\w-]+@[0-9a-f]{40}", action), action
        assert re.fullmatch(r" # v\d+\.\d+\.\d+", comment), (action, comment)


def test_the_merged_report_is_a_format_the_cli_writes() -> None:
    merge = next(w for w in commands() if w[2] == "merge")
    wanted = merge[merge.index("--format") + 1]
    if wanted not in {f.value for f in AuditFormat}:
        pytest.skip(f"the {wanted} audit format is not in this build yet")
    assert f"--format [{'|'.join(f.value for f in AuditFormat)}]" in help_text("audit", "merge")
