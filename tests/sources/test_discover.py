from __future__ import annotations

from pathlib import Path

import git
import pytest

from greengate.sources.discover import discover


def names(paths: list[Path]) -> list[str]:
    return [f.path.name for f in discover(paths)]


def touch(root: Path, *names: str) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("a: 1\n")


def test_git_work_tree_honours_every_ignore_rule(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = git.Repo.init(tmp_path)
    touch(
        tmp_path,
        "a.yaml",
        "b.yml",
        "c.json",
        "notes.txt",
        "build/out.yaml",
        "sub/d.yaml",
        "sub/secret.yaml",
        "local.yaml",
        "tracked-ignored.yaml",
    )
    (tmp_path / ".gitignore").write_text("build/\n")
    (tmp_path / "sub" / ".gitignore").write_text("secret.yaml\n")
    (tmp_path / ".git" / "info").mkdir(exist_ok=True)
    (tmp_path / ".git" / "info" / "exclude").write_text("local.yaml\n")
    repo.index.add(["tracked-ignored.yaml"])
    (tmp_path / ".gitignore").write_text("build/\ntracked-ignored.yaml\n")
    monkeypatch.chdir(tmp_path)
    # Tracked files are checked even when a later .gitignore matches them, as git does.
    assert names([tmp_path]) == ["a.yaml", "b.yml", "c.json", "d.yaml", "tracked-ignored.yaml"]
    assert [f.display for f in discover([Path("sub")])] == ["sub/d.yaml"]


def test_explicit_file_is_always_read(tmp_path: Path) -> None:
    git.Repo.init(tmp_path)
    touch(tmp_path, "build/out.yaml", "manifest.txt")
    (tmp_path / ".gitignore").write_text("build/\n")
    assert names([tmp_path / "build" / "out.yaml", tmp_path / "manifest.txt"]) == [
        "out.yaml",
        "manifest.txt",
    ]


def test_outside_git_walks_everything_but_dot_git(tmp_path: Path) -> None:
    touch(tmp_path, "a.yaml", ".git/config.yaml", "x/.git/HEAD.yaml", "x/b.yaml")
    assert names([tmp_path]) == ["a.yaml", "b.yaml"]


def test_each_file_once_even_when_paths_overlap(tmp_path: Path) -> None:
    touch(tmp_path, "a.yaml", "x/b.yaml")
    assert names([tmp_path, tmp_path / "x", tmp_path / "a.yaml"]) == ["a.yaml", "b.yaml"]


def test_display_paths_are_relative_to_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    touch(tmp_path, "x/b.yaml")
    monkeypatch.chdir(tmp_path / "x")
    assert [f.display for f in discover([Path()])] == ["b.yaml"]
    # Outside the working directory, paths stay as given.
    touch(tmp_path, "y/c.yaml")
    assert [f.display for f in discover([tmp_path / "y"])] == [
        (tmp_path / "y" / "c.yaml").as_posix()
    ]


def test_every_entry_is_offered_and_only_regular_files_are_read(tmp_path: Path) -> None:
    import os

    from greengate.sources.files import NotRegularFile

    touch(tmp_path, "tree/a.yaml", "outside.yaml")
    tree = tmp_path / "tree"
    os.mkfifo(tree / "fifo.yaml")
    (tree / "loop.yaml").symlink_to("loop.yaml")
    (tree / "zero.yaml").symlink_to("/dev/zero")
    (tree / "out.yaml").symlink_to(tmp_path / "outside.yaml")
    (tree / "in.yaml").symlink_to("a.yaml")
    found = {f.path.name: f for f in discover([tree])}
    # A link inside the tree is its target's file: read once.
    assert sorted(found) == ["a.yaml", "fifo.yaml", "loop.yaml", "out.yaml", "zero.yaml"]
    assert found["a.yaml"].read() == b"a: 1\n"
    for name in ("fifo.yaml", "loop.yaml", "out.yaml", "zero.yaml"):
        with pytest.raises(NotRegularFile):
            found[name].read()


def test_a_named_tfvars_brings_the_manifests_of_its_folder(tmp_path: Path) -> None:
    from greengate.sources.discover import with_siblings

    (tmp_path / "sub").mkdir()
    for name in ("main.tf", "terraform.tfvars", "notes.txt", "sub/other.tf", "values.yaml"):
        (tmp_path / name).write_text("")
    got = with_siblings([tmp_path / "terraform.tfvars"])
    assert got == [tmp_path / "terraform.tfvars", tmp_path / "main.tf", tmp_path / "values.yaml"]
    assert with_siblings([tmp_path / "values.yaml"]) == [tmp_path / "values.yaml"]  # YAML: itself
    assert with_siblings([tmp_path]) == [tmp_path]  # a folder is already whole


def test_staging_only_the_tfvars_that_moves_the_region_fails_the_hook(tmp_path: Path) -> None:
    """The pre-commit hook runs `greengate check --with-siblings FILES...` on the staged files."""
    from click.testing import CliRunner

    from greengate.cli import main

    (tmp_path / "main.tf").write_text(
        'variable "region" {\n  default = "eu-north-1"\n}\n\nprovider "aws" {\n  region = var.region\n}\n\n'
        'resource "aws_sagemaker_endpoint_configuration" "llm" {\n  name = "llm"\n'
        '  production_variants {\n    variant_name           = "main"\n    model_name             = "llama"\n'
        '    instance_type          = "ml.g5.2xlarge"\n    initial_instance_count = 1\n  }\n}\n'
    )
    (tmp_path / "terraform.tfvars").write_text('region = "ap-south-1"\n')
    staged = str(tmp_path / "terraform.tfvars")
    alone = CliRunner().invoke(main, ["check", staged, "--rule", "GG201", "--format", "json"])
    assert alone.exit_code == 0  # what the hook did before: the tfvars alone holds no deployment
    hook = CliRunner().invoke(main, ["check", "--with-siblings", staged, "--rule", "GG201"])
    assert hook.exit_code == 1 and "ap-south-1" in hook.stdout
    import yaml

    hooks = yaml.safe_load(
        (Path(__file__).resolve().parents[2] / ".pre-commit-hooks.yaml").read_text()
    )
    assert (
        next(h for h in hooks if h["id"] == "greengate")["entry"]
        == "greengate check --with-siblings"
    )
