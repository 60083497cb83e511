"""Microsoft's SARIF multitool (npm ``@microsoft/sarif-multitool``): its ``validate`` rules.

The OASIS schema says what a log may hold; the multitool's rules say what
viewers need (a context region larger than its region, paths a viewer can
map to the repository...). `.ci/run` installs it into ``.ci/node``; set
``SARIF_MULTITOOL`` to use another copy. Without it the tests that need it
skip locally and fail in CI (``CI`` set), so CI never passes by omission.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
SCHEMA = REPO / "tests" / "data" / "sarif-schema-2.1.0.json"
_PLATFORMS = {"Linux": "linux", "Darwin": "darwin", "Windows": "win32"}


def multitool() -> Path:
    """The multitool's executable; skips the test (fails it in CI) when there is none."""
    named = os.environ.get("SARIF_MULTITOOL")
    # The platform binary itself: the package's bin.js passes arguments through a shell,
    # which splits the `;` of `--level "Error;Warning"`.
    folder = f"sarif-multitool-{_PLATFORMS.get(platform.system(), 'linux')}"
    installed = REPO / ".ci" / "node" / "node_modules" / "@microsoft" / folder / "Sarif.Multitool"
    found = Path(named) if named else installed if installed.is_file() else None
    if found is None:
        message = "the SARIF multitool is not installed (npm install --prefix .ci/node @microsoft/sarif-multitool)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


def problems(log: Path, out: Path) -> list[dict[str, Any]]:
    """The multitool's errors and warnings about ``log`` (its notes are advice, not faults)."""
    done = subprocess.run(
        [
            str(multitool()),
            "validate",
            str(log),
            "--output",
            str(out),
            "--log",
            "ForceOverwrite",
            "--level",
            "Error;Warning",
            "--json-schema",
            str(SCHEMA),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.is_file(), done.stdout + done.stderr
    results: list[dict[str, Any]] = json.loads(out.read_text("utf-8"))["runs"][0]["results"]
    return [
        {
            "rule": r["ruleId"],
            "level": r.get("level", "warning"),
            "at": r["message"].get("arguments"),
        }
        for r in results
    ]
