"""The README stays true: its commands are the ones CI runs, its sample output is real."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from greengate.cli import main
from greengate.records.deployment import FIELDS

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text("utf-8")


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    commands = re.findall(r"```sh\n(.+?)\n```", README.split("## Quick start", 1)[1], re.S)
    install_and_check, install_and_test = commands[0], commands[1]
    assert "greengate check examples/" in install_and_check
    assert install_and_test in (REPO / ".ci" / "run").read_text("utf-8")


def test_example_output_is_what_greengate_prints(monkeypatch: pytest.MonkeyPatch) -> None:
    block = README.split("$ greengate check examples/ --policy examples/policies\n", 1)[1].split(
        "\n```", 1
    )[0]
    monkeypatch.chdir(REPO)
    result = CliRunner().invoke(
        main, ["check", "examples/", "--policy", "examples/policies", "--no-color"]
    )
    assert result.exit_code == 1
    assert result.stdout.rstrip("\n") == block


def test_every_deployment_field_is_documented() -> None:
    section = README.split("### What expressions can read", 1)[1].split("\n## ", 1)[0]
    assert [name for name in FIELDS if f"`{name}`" not in section] == []


@pytest.mark.parametrize("fmt", ["sarif", "junit", "github", "markdown"])
def test_format_excerpts_are_real(fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each excerpt's lines appear in what greengate prints for the example it names."""
    excerpt = (
        README.split(f"<!-- excerpt: {fmt} -->\n```", 1)[1].split("\n", 1)[1].split("\n```", 1)[0]
    )
    monkeypatch.chdir(REPO)
    result = CliRunner().invoke(
        main, ["check", "examples/deployments/chat-mumbai.yaml", "--format", fmt]
    )
    printed = {line.strip() for line in result.stdout.splitlines()}
    assert [line for line in excerpt.splitlines() if line.strip() not in printed] == []


def test_the_editor_snippet_names_schemas_that_exist() -> None:
    import json

    block = README.split("### Editor support", 1)[1].split("```json\n", 1)[1].split("\n```", 1)[0]
    schemas = json.loads(block)["yaml.schemas"]
    for url in schemas:
        path = url.split("/v0.1.0/", 1)[1]
        assert (REPO / path).is_file(), path
    for name in ("policy", "config", "aideployment", "report", "audit"):
        assert (REPO / "src" / "greengate" / "schemas" / f"{name}.schema.json").is_file()


def _testing_section() -> str:
    return README.split("## Testing your policies\n", 1)[1].split("\n## ", 1)[0]


def test_the_worked_policy_test_shows_the_files_as_they_are() -> None:
    blocks = re.findall(r"```yaml\n(.+?)```", _testing_section(), re.S)
    folder = REPO / "docs" / "policy-tests"
    assert blocks == [
        (folder / "small-model-few-gpus.yaml").read_text("utf-8"),
        (folder / "small-model-few-gpus.greengate-test.yaml").read_text("utf-8"),
    ]


def _printed(section: str, command: str) -> str:
    return section.split(f"$ {command}\n", 1)[1].split("\n```", 1)[0]


def test_the_greengate_test_output_is_what_greengate_prints(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    command = "greengate test docs/policy-tests --coverage"
    monkeypatch.chdir(REPO)
    result = CliRunner().invoke(main, command.split()[1:])
    assert result.exit_code == 0
    assert result.stdout.rstrip("\n") == _printed(_testing_section(), command)


def test_the_wrong_expectation_output_is_what_greengate_prints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first `result: fail` written `pass`, in a copy laid out as the repository is."""
    copy = tmp_path / "docs" / "policy-tests"
    shutil.copytree(REPO / "docs" / "policy-tests", copy)
    test_file = copy / "small-model-few-gpus.greengate-test.yaml"
    test_file.write_text(test_file.read_text("utf-8").replace("result: fail", "result: pass", 1))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["test", "docs/policy-tests", "--no-config"])
    assert result.exit_code == 1
    after = _testing_section().split("A wrong expectation", 1)[1]
    assert result.stdout.rstrip("\n") == _printed(after, "greengate test docs/policy-tests")
