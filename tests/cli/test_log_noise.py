"""Library log noise (absl/RE2 from C++, lark and cel-python logging) never reaches stderr."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "deployments"
NOISE = re.compile(r"absl|re2|lark|celpy|InitializeLog|^[EWIF]\d{4} |Traceback", re.I | re.M)


def stderr_of(*args: str, cwd: Path | None = None) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "greengate", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr
    return result.stderr


@pytest.mark.parametrize(
    "args",
    [["check", str(EXAMPLES)], ["policies", "list", str(EXAMPLES)], ["explain", str(EXAMPLES)]],
)
def test_the_examples_leave_stderr_free_of_library_noise(args: list[str]) -> None:
    assert not NOISE.search(stderr_of(*args))


def test_a_pattern_re2_cannot_parse_is_an_error_finding_not_stderr_noise(tmp_path: Path) -> None:
    policy = tmp_path / "names.yaml"
    policy.write_text(
        textwrap.dedent(
            """\
            apiVersion: greengate.dev/v1
            kind: Policy
            metadata:
              name: names
              title: Names
            spec:
              severity: low
              validations:
                - id: X001
                  title: Names follow the convention
                  field: name
                  expression: deployment.name.matches("(?=chat)")
                  message: the name does not follow the convention
            """
        ),
        "utf-8",
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "greengate",
            "check",
            str(EXAMPLES / "chat-mumbai.yaml"),
            "--policy",
            str(policy),
            "--no-builtin",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "X001  rule X001 could not be evaluated" in result.stdout
    assert result.stderr == ""
