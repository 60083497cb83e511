"""Every real manifest in tests/data/corpus is read without a crash, and nothing is lost.

The corpus is 282 unmodified files from 13 public repositories (see its
README and INDEX.tsv for each file's repository, commit and licence).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from greengate.cli import main

CORPUS = Path(__file__).resolve().parent / "data" / "corpus"
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the parser greengate uses
INDEX = list(csv.DictReader((CORPUS / "INDEX.tsv").open(encoding="utf-8"), delimiter="\t"))


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def report() -> dict:  # type: ignore[type-arg]
    code, out, err = invoke("check", str(CORPUS / "files"), "--format", "json")
    assert code == 1 and err == ""
    return json.loads(out)  # type: ignore[no-any-return]


def test_index_lists_every_file_with_its_licence() -> None:
    on_disk = {
        p.relative_to(CORPUS).as_posix() for p in (CORPUS / "files").rglob("*") if p.is_file()
    }
    assert on_disk == {row["local_path"] for row in INDEX}
    assert all(row["repo"] and row["commit_sha"] and row["license"] for row in INDEX)


def test_every_file_is_read(report: dict) -> None:  # type: ignore[type-arg]
    assert report["summary"]["files"] == len(INDEX)
    assert report["summary"]["deployments"] >= 240


def test_every_yaml_parse_failure_is_an_error_finding(report: dict) -> None:  # type: ignore[type-arg]
    unreadable = set()
    for row in INDEX:
        path = CORPUS / row["local_path"]
        if path.suffix not in (".yaml", ".yml"):
            continue
        try:
            list(yaml.compose_all(path.read_text("utf-8"), Loader=LOADER))
        except yaml.YAMLError:
            unreadable.add(path.name)
    reported = {Path(f["file"]).name for f in report["findings"] if f["ruleId"] == "GG001"}
    assert unreadable and unreadable <= reported


def test_no_rule_errors_on_real_manifests(report: dict) -> None:  # type: ignore[type-arg]
    """Missing or odd facts must become failing findings that say what to declare, not errors."""
    errors = [f for f in report["findings"] if f["status"] == "error" and f["ruleId"] != "GG001"]
    assert errors == []


def test_every_finding_has_a_real_location(report: dict) -> None:  # type: ignore[type-arg]
    for finding in report["findings"]:
        assert finding["line"] >= 1 and finding["column"] >= 1
        assert (Path.cwd() / finding["file"]).exists() or Path(finding["file"]).exists()


def test_explain_reads_the_whole_corpus() -> None:
    code, out, err = invoke("explain", str(CORPUS / "files"), "--format", "json")
    assert (code, err) == (0, "")
    result = json.loads(out)
    assert len(result["deployments"]) >= 240
    formats = {d["format"] for d in result["deployments"]}
    assert formats >= {
        "kubernetes",
        "kserve",
        "ray",
        "kubeflow",
        "seldon",
        "kaito",
        "azureml",
        "helm",
        "sagemaker",
        "terraform",
        "generic",
    }
