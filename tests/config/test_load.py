"""Finding and reading .greengate.yaml; the starter written by `greengate init`."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
import yaml

from greengate.config import find_config, load_config
from greengate.config.starter import STARTER, write_starter
from greengate.errors import ConfigError
from greengate.records.finding import Severity

REPO = Path(__file__).resolve().parents[2]
SCHEMA = json.loads(
    resources.files("greengate.schemas").joinpath("config.schema.json").read_text("utf-8")
)


def validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(SCHEMA)


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_found_by_walking_up_the_first_yaml_before_yml(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "m.yaml").write_text("x: 1\n")
    (tmp_path / ".greengate.yml").write_text("failOn: low\n")
    assert find_config(tmp_path / "a" / "b" / "m.yaml") == (tmp_path / ".greengate.yml").resolve()
    (tmp_path / ".greengate.yaml").write_text("failOn: low\n")
    assert find_config(tmp_path / "a" / "b") == (tmp_path / ".greengate.yaml").resolve()
    (tmp_path / "a" / ".greengate.yaml").write_text("failOn: high\n")
    assert find_config(tmp_path / "a" / "b") == (tmp_path / "a" / ".greengate.yaml").resolve()


def test_an_empty_config_is_valid(tmp_path: Path) -> None:
    (tmp_path / ".greengate.yaml").write_text("# nothing yet\n")
    config = load_config(tmp_path / ".greengate.yaml")
    assert config.root == tmp_path.resolve() and config.waivers == () and config.fail_on is None


def test_values_keep_their_lines(tmp_path: Path) -> None:
    path = tmp_path / ".greengate.yaml"
    path.write_text(
        "# c\nfailOn: high\nwaivers:\n  - rule: GG201\n    deployment: x\n    reason: because\n    expires: '2027-01-02'\n"
    )
    config = load_config(path)
    assert config.fail_on is not None and config.fail_on.value is Severity.HIGH
    assert config.fail_on.origin.endswith(".greengate.yaml:2")
    (waiver,) = config.waivers
    assert (waiver.rule, waiver.deployment, waiver.location.line) == ("GG201", "x", 4)
    assert waiver.expires is not None and waiver.expires.isoformat() == "2027-01-02"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("failOn: [\n", "invalid YAML"),
        ("failOn: low\n---\nfailOn: high\n", "a config file holds one YAML document"),
        ("- a\n", "a config file is a mapping of keys (failOn, include, exclude, policies"),
        ("rules: {severity: {'GG 4': high}}\n", "rules.severity: 'GG 4' is not a rule id or glob"),
        ("defaults: [{paths: [a]}]\n", "defaults[0]: sets no fact; add one of task, workload"),
        ("waivers: [{rule: GG201, target: a, reason: '  '}]\n", "the reason is empty"),
    ],
)
def test_problems_are_config_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / ".greengate.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_config(path)


def test_the_starter_validates_as_written_and_with_every_example_uncommented(
    tmp_path: Path,
) -> None:
    assert list(validator().iter_errors(yaml.safe_load(STARTER))) == []
    uncommented = "\n".join(
        re.sub(r"^(\s*)# ((?:[a-z][A-Za-z]*:(?:\s.*)?)|\s+.*)$", r"\1\2", line)
        for line in STARTER.splitlines()
    )
    data = yaml.safe_load(uncommented)
    assert set(data) == set(SCHEMA["properties"])  # every key is in the starter
    data["waivers"][0]["expires"] = str(data["waivers"][0]["expires"])  # PyYAML reads a date
    assert list(validator().iter_errors(data)) == []
    written = write_starter(tmp_path)
    assert load_config(written).policy_paths == ()


def test_the_readme_configuration_example_validates() -> None:
    readme = (REPO / "README.md").read_text("utf-8")
    match = re.search(r"<!-- config-example -->\n```yaml\n(.*?)```", readme, re.DOTALL)
    assert match, "README has no '<!-- config-example -->' yaml block"
    data = yaml.safe_load(match.group(1))
    for waiver in data.get("waivers", []):
        waiver["expires"] = str(waiver["expires"])
    assert list(validator().iter_errors(data)) == []
    assert set(data) == set(SCHEMA["properties"])  # the example shows every key


@pytest.mark.parametrize(
    ("written", "value"), [("false", False), ("true", True), ("base-only", "base-only")]
)
def test_inline_waivers_is_read_with_its_line(tmp_path: Path, written: str, value: object) -> None:
    path = tmp_path / ".greengate.yaml"
    path.write_text(f"failOn: high\ninlineWaivers: {written}\n")
    config = load_config(path)
    assert config.inline_waivers is not None
    assert config.inline_waivers.value == value and type(config.inline_waivers.value) is type(value)
    assert config.inline_waivers.origin.endswith(".greengate.yaml:2")


def test_inline_waivers_takes_only_its_three_values(tmp_path: Path) -> None:
    path = tmp_path / ".greengate.yaml"
    path.write_text("inlineWaivers: sometimes\n")
    with pytest.raises(ConfigError, match="inlineWaivers") as caught:
        load_config(path)
    assert "base-only" in str(caught.value)


def test_baseline_is_a_path_relative_to_the_config(tmp_path: Path) -> None:
    (tmp_path / "ci").mkdir()
    (tmp_path / "ci" / "baseline.json").write_text("{}")
    path = tmp_path / ".greengate.yaml"
    path.write_text("failOn: high\nbaseline: ci/baseline.json\n")
    config = load_config(path)
    assert config.baseline is not None
    assert config.baseline.value == tmp_path.resolve() / "ci" / "baseline.json"
    assert config.baseline.origin.endswith(".greengate.yaml:2")
    # It may not exist yet: `greengate baseline create` writes it (a check then says it is missing).
    path.write_text("baseline: ci/missing.json\n")
    missing = load_config(path).baseline
    assert missing is not None and missing.value.name == "missing.json"
