"""CODEOWNERS read as GitHub reads it: gitignore patterns, the last match wins."""

from __future__ import annotations

from pathlib import Path

import git
import pytest

from greengate.sources import codeowners
from greengate.sources.files import WORK_TREE
from greengate.sources.git import Repository

TEXT = """\
# comment
*                       @org/everyone
/deploy/                @org/platform
*.tf                    @org/infra
models/**/serving.yaml  @org/ml   # trailing comment
docs/
apps/chat               @org/chat @alice
"""


@pytest.mark.parametrize(
    ("path", "owners", "line"),
    [
        ("a.yaml", ("@org/everyone",), 2),
        ("deploy/x/y.yaml", ("@org/platform",), 3),
        ("sub/deploy/y.yaml", ("@org/everyone",), 2),  # /deploy/ is anchored
        ("deploy/m.tf", ("@org/infra",), 4),  # a later line wins
        ("models/a/b/serving.yaml", ("@org/ml",), 5),
        ("x/models/a/serving.yaml", ("@org/everyone",), 2),  # a middle slash anchors
        ("apps/chat/values.yaml", ("@org/chat", "@alice"), 7),
    ],
)
def test_the_last_matching_line_wins(path: str, owners: tuple[str, ...], line: int) -> None:
    assert codeowners.parse(TEXT, "CODEOWNERS").owner_of(path) == (owners, line)


def test_a_pattern_without_owners_unowns_its_files() -> None:
    rules = codeowners.parse(TEXT, "CODEOWNERS")
    assert rules.owner_of("docs/a.yaml") is None
    assert rules.owner_of("sub/docs/a.md") is None  # no slash but the trailing one: any depth


def test_the_first_location_github_reads_is_used(tmp_path: Path) -> None:
    assert codeowners.read(WORK_TREE, tmp_path) is None
    (tmp_path / "CODEOWNERS").write_text("* @root\n")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "CODEOWNERS").write_text("* @docs\n")
    found = codeowners.read(WORK_TREE, tmp_path)
    assert found is not None and found.file == "CODEOWNERS"
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github" / "CODEOWNERS").write_text("* @github\n")
    found = codeowners.read(WORK_TREE, tmp_path)
    assert found is not None and found.owner_of("x") == (("@github",), 1)


def test_codeowners_is_read_at_a_commit(tmp_path: Path) -> None:
    repo = git.Repo.init(tmp_path)
    (tmp_path / "CODEOWNERS").write_text("* @then\n")
    repo.git.add("-A")
    repo.git.commit("-q", "-m", "c", author="t <t@example.com>")
    (tmp_path / "CODEOWNERS").write_text("* @now\n")
    source = Repository.open(tmp_path).source(repo.head.commit.hexsha)
    found = codeowners.read(source, tmp_path)
    assert found is not None and found.owner_of("a.yaml") == (("@then",), 1)


def test_binary_or_huge_files_do_not_break_the_audit(tmp_path: Path) -> None:
    (tmp_path / "CODEOWNERS").write_bytes(b"\xff\xfe* @x\x00\n")
    assert codeowners.read(WORK_TREE, tmp_path) is not None
    (tmp_path / "CODEOWNERS").write_bytes(b"#" * (codeowners.MAX_BYTES + 1))
    assert codeowners.read(WORK_TREE, tmp_path) is None
