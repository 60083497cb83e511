"""The files of the folders a run reads: each parsed once while its folder is kept, and no more kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from greengate.load import folders
from greengate.load.folders import FolderFiles
from greengate.sources.files import SourceFile


def source(path: Path) -> SourceFile:
    return SourceFile(path.as_posix(), path)


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    real = folders.load_source

    def counting(file: SourceFile, *args):  # type: ignore[no-untyped-def]
        seen.append(file.display)
        return real(file, *args)

    monkeypatch.setattr(folders, "load_source", counting)
    return seen


def test_a_checked_file_read_again_as_a_neighbour_is_parsed_once(
    tmp_path: Path, parses: list[str]
) -> None:
    (tmp_path / "main.tf").write_text('variable "region" { default = "us-east1" }\n')
    (tmp_path / "pool.tf").write_text('resource "google_container_node_pool" "p" {}\n')
    files = FolderFiles()
    first = files.load(source(tmp_path / "main.tf"))
    beside = files.beside(source(tmp_path / "pool.tf"))(lambda name: name.endswith(".tf"))
    assert first in beside and len(beside) == 2
    assert sorted(Path(p).name for p in parses) == ["main.tf", "pool.tf"]


def test_only_the_last_folders_are_kept(tmp_path: Path, parses: list[str]) -> None:
    files = FolderFiles()
    count = FolderFiles.KEEP_FOLDERS + 2
    for i in range(count):
        folder = tmp_path / f"f{i}"
        folder.mkdir()
        (folder / "a.yaml").write_text("a: 1\n")
        files.load(source(folder / "a.yaml"))
    files.load(source(tmp_path / f"f{count - 1}" / "a.yaml"))  # kept: not parsed again
    assert len(parses) == count
    files.load(source(tmp_path / "f0" / "a.yaml"))  # dropped long ago: parsed again
    assert len(parses) == count + 1
    assert len(files._loaded) <= FolderFiles.KEEP_FOLDERS
