"""Paths as greengate places them: resolved once per folder, shown relative to the working directory."""

from __future__ import annotations

import os
from pathlib import Path

from greengate.sources.files import (
    Resolver,
    SourceFile,
    display_path,
    relative_posix,
    repository_path,
    safe_resolve,
)


def test_a_regular_file_resolves_through_its_resolved_folder(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (real / "a.yaml").write_text("a: 1\n")
    (tmp_path / "linked").symlink_to(real, target_is_directory=True)
    (real / "to-a.yaml").symlink_to(real / "a.yaml")
    os.mkfifo(real / "pipe.yaml")
    resolver = Resolver()
    through_link = tmp_path / "linked" / "a.yaml"
    assert resolver.regular(through_link) == safe_resolve(through_link) == real / "a.yaml"
    assert resolver.regular(real / "a.yaml") == real / "a.yaml"
    # a link, a FIFO, a missing file, '..': resolved the long way by the caller
    assert resolver.regular(real / "to-a.yaml") is None
    assert resolver.regular(real / "pipe.yaml") is None
    assert resolver.regular(real / "missing.yaml") is None
    assert resolver.regular(real / "..") is None


def test_a_folder_is_resolved_once_per_resolver(tmp_path: Path) -> None:
    folder = tmp_path / "f"
    folder.mkdir()
    (folder / "a.yaml").write_text("a: 1\n")
    resolver = Resolver()
    assert resolver.regular(folder / "a.yaml") == folder.resolve() / "a.yaml"
    folder.rename(tmp_path / "moved")
    (tmp_path / "other").mkdir()
    (tmp_path / "f").symlink_to(tmp_path / "other", target_is_directory=True)
    (tmp_path / "other" / "a.yaml").write_text("a: 2\n")
    # the resolver kept what it found; a new one (a new listing) sees the change
    assert resolver.regular(tmp_path / "f" / "a.yaml") == tmp_path.resolve() / "f" / "a.yaml"
    assert Resolver().regular(tmp_path / "f" / "a.yaml") == tmp_path.resolve() / "other" / "a.yaml"


def test_the_repository_path_takes_a_resolved_root_as_it_is(tmp_path: Path) -> None:
    (tmp_path / "deploy").mkdir()
    manifest = tmp_path / "deploy" / "m.yaml"
    manifest.write_text("a: 1\n")
    (tmp_path / "alias").symlink_to(tmp_path, target_is_directory=True)
    file = SourceFile(display_path(manifest), manifest)
    root = safe_resolve(tmp_path / "alias")
    assert repository_path(file, tmp_path / "alias") == "deploy/m.yaml"
    assert repository_path(file, root, resolved=True) == "deploy/m.yaml"
    # outside the root as written: its resolved target is tried
    linked = SourceFile("x", tmp_path / "alias" / "deploy" / "m.yaml")
    assert relative_posix(linked.path, safe_resolve(tmp_path / "deploy")) == "m.yaml"
