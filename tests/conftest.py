"""Shared helpers: check a manifest against a policy, yamllint style."""

from __future__ import annotations

import os
import shutil
import tempfile
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
CORPUS = REPO / "tests" / "data" / "corpus"


_CACHE: list[str] = []


def pytest_configure(config: pytest.Config) -> None:
    """greengate's cache (the CEL parser) in a private folder of the run, never the user's."""
    if "GREENGATE_CACHE_DIR" not in os.environ:
        _CACHE.append(tempfile.mkdtemp(prefix="greengate-test-cache-"))
        os.environ["GREENGATE_CACHE_DIR"] = _CACHE[0]


def pytest_unconfigure(config: pytest.Config) -> None:
    for folder in _CACHE:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def write(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Write a dedented text file under tmp_path and return its path."""

    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
        return path

    return _write


@pytest.fixture(autouse=True)
def _not_in_github_actions(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests see greengate as a user does locally, also when CI runs them in GitHub Actions."""
    for name in (
        "GITHUB_ACTIONS",
        "GITHUB_STEP_SUMMARY",
        "GITHUB_OUTPUT",
        "GITHUB_SERVER_URL",
        "GITHUB_REPOSITORY",
        "GITHUB_SHA",
        "GREENGATE_FAIL_ON",
        "GREENGATE_CONFIG",
        "GREENGATE_FORMAT",
        "NO_COLOR",
        "FORCE_COLOR",
    ):
        monkeypatch.delenv(name, raising=False)
