"""Git behaviour in real repositories made in a temp dir."""

from __future__ import annotations

import subprocess
from pathlib import Path

import git
import pytest

from greengate.errors import GitError
from greengate.sources.git import Change, Repository


def commit_all(repo: git.Repo, message: str) -> str:
    repo.git.add("-A")
    repo.index.commit(message)
    return str(repo.head.commit.hexsha)


@pytest.fixture
def repo(tmp_path: Path) -> git.Repo:
    r = git.Repo.init(tmp_path, initial_branch="main")
    with r.config_writer() as cfg:
        cfg.set_value("user", "name", "t")
        cfg.set_value("user", "email", "t@example.com")
    (tmp_path / "keep.yaml").write_text("a: 1\n")
    (tmp_path / "modify.yaml").write_text("a: 1\n")
    (tmp_path / "rename-me.yaml").write_text(
        "name: same content\nlong: enough to be detected as a rename\n"
    )
    (tmp_path / "delete.yaml").write_text("a: 1\n")
    commit_all(r, "base")
    return r


def test_changes_between_commits_and_against_the_work_tree(repo: git.Repo) -> None:
    root = Path(str(repo.working_tree_dir))
    repo.git.checkout("-b", "pr")
    (root / "modify.yaml").write_text("a: 2\n")
    repo.git.mv("rename-me.yaml", "renamed.yaml")
    (root / "delete.yaml").unlink()
    (root / "added.yaml").write_text("kind: something else entirely\n")
    head = commit_all(repo, "pr")
    scope = Repository.open(root)
    base = scope.merge_base("main")
    expected = {
        Change("M", "modify.yaml"),
        Change("R", "renamed.yaml", "rename-me.yaml"),
        Change("D", "delete.yaml"),
        Change("A", "added.yaml"),
    }
    assert set(scope.changes(base, head)) == expected
    (root / "untracked.yaml").write_text("a: 1\n")
    (root / ".gitignore").write_text("ignored.yaml\n")
    (root / "ignored.yaml").write_text("a: 1\n")
    assert set(scope.changes(base)) == expected | {
        Change("A", "untracked.yaml"),
        Change("A", ".gitignore"),
    }


def test_read_files_at_a_ref_without_touching_the_work_tree(repo: git.Repo) -> None:
    root = Path(str(repo.working_tree_dir))
    base = str(repo.head.commit.hexsha)
    (root / "modify.yaml").write_text("a: 2\n")
    scope = Repository.open(root / "keep.yaml")
    assert scope.read(base, "modify.yaml") == b"a: 1\n"
    assert scope.read(base, "missing.yaml") is None
    assert (root / "modify.yaml").read_text() == "a: 2\n"
    assert scope.files(base) == ["delete.yaml", "keep.yaml", "modify.yaml", "rename-me.yaml"]
    written = scope.export(base, ["keep.yaml"], root / "out")
    assert [p.read_text() for p in written] == ["a: 1\n"]


def test_detached_head_is_fine(repo: git.Repo) -> None:
    repo.git.checkout(repo.head.commit.hexsha)
    scope = Repository.open(Path(str(repo.working_tree_dir)))
    assert scope.merge_base("main", "HEAD") == repo.head.commit.hexsha


def test_errors_say_what_to_do(repo: git.Repo, tmp_path_factory: pytest.TempPathFactory) -> None:
    outside = tmp_path_factory.mktemp("not-a-repo")
    with pytest.raises(GitError, match="is not inside a git repository"):
        Repository.open(outside)
    scope = Repository.open(Path(str(repo.working_tree_dir)))
    with pytest.raises(
        GitError, match=r"unknown git ref 'nope'; check it with `git rev-parse nope`"
    ):
        scope.commit("nope")


def test_shallow_clone_says_how_to_fetch(
    repo: git.Repo, tmp_path_factory: pytest.TempPathFactory
) -> None:
    root = Path(str(repo.working_tree_dir))
    base = str(repo.head.commit.hexsha)
    (root / "modify.yaml").write_text("a: 3\n")
    commit_all(repo, "second")
    clone = tmp_path_factory.mktemp("clone") / "c"
    subprocess.run(["git", "clone", "-q", "--depth=1", root.as_uri(), str(clone)], check=True)
    scope = Repository.open(clone)
    assert scope.is_shallow
    with pytest.raises(
        GitError, match=r"shallow clone; fetch the history it needs .*fetch-depth: 0"
    ):
        scope.merge_base(base)


def test_version_control_names_the_remote_without_credentials(tmp_path: Path) -> None:
    from greengate.sources.git import public_url, version_control

    repo = git.Repo.init(tmp_path, initial_branch="main")
    assert version_control(tmp_path) is None  # no commit yet
    with repo.config_writer() as cfg:
        cfg.set_value("user", "name", "t")
        cfg.set_value("user", "email", "t@example.com")
    (tmp_path / "a.yaml").write_text("a: 1\n")
    repo.git.add("-A")
    repo.index.commit("one")
    local = version_control(tmp_path / "a.yaml")
    assert local is not None and local.repository_uri == tmp_path.resolve().as_uri()
    assert local.branch == "main" and local.root == tmp_path.resolve().as_posix()
    repo.create_remote("origin", "https://x-access-token:ghs_secret@github.com/acme/platform.git")
    found = version_control(tmp_path)
    assert found is not None
    assert found.repository_uri == "https://github.com/acme/platform.git"
    assert found.revision == repo.head.commit.hexsha
    repo.git.checkout("--detach")
    detached = version_control(tmp_path)
    assert detached is not None and detached.branch == ""
    assert public_url("git@github.com:acme/platform.git") == "ssh://github.com/acme/platform.git"
    assert public_url("ssh://git@host:2222/a/b") == "ssh://host:2222/a/b"
    assert version_control(tmp_path.parent / "nowhere") is None
