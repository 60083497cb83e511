"""``greengate init``: the starter config, written atomically, never through a dangling link."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from greengate.config.load import CONFIG_NAMES
from greengate.config.starter import STARTER


def init(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "greengate", "init", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    )


@pytest.mark.parametrize("name", CONFIG_NAMES)
@pytest.mark.parametrize("force", [False, True])
def test_a_dangling_link_is_refused(tmp_path: Path, name: str, force: bool) -> None:
    (tmp_path / name).symlink_to("missing.yaml")
    result = init(*(["--force"] if force else []), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"greengate: error: {name} is a symbolic link to missing.yaml, which does not exist;"
        " remove the link or point it at a file, then run `greengate init` again\n"
    )
    assert not (tmp_path / "missing.yaml").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_force_replaces_the_old_config_rather_than_write_into_it(tmp_path: Path) -> None:
    config = tmp_path / ".greengate.yaml"
    config.write_text("failOn: high\n", "utf-8")
    (tmp_path / "old.yaml").hardlink_to(config)
    result = init("--force", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert config.read_text("utf-8") == STARTER
    assert (tmp_path / "old.yaml").read_text("utf-8") == "failOn: high\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".greengate.yaml", "old.yaml"]


def test_a_link_to_an_existing_config_is_replaced_through_with_force(tmp_path: Path) -> None:
    real = tmp_path / "shared.yaml"
    real.write_text("failOn: high\n", "utf-8")
    (tmp_path / ".greengate.yaml").symlink_to("shared.yaml")
    assert init(cwd=tmp_path).returncode == 2  # exists: never replaced without --force
    assert init("--force", cwd=tmp_path).returncode == 0
    assert (tmp_path / ".greengate.yaml").is_symlink()
    assert real.read_text("utf-8") == STARTER
