"""Nothing from a manifest reaches a terminal or a CI log unescaped, in any format.

A real manifest (and a real file name) holds ANSI escapes, a carriage
return, a bell, newlines followed by GitHub workflow commands and HTML; a
real ``greengate`` process renders it in every format, and the bytes it
writes are checked: no control character, no line a GitHub runner would
read as a command (``::cmd::`` after blanks, or ``##[`` anywhere), SARIF
still valid and JUnit still XML.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from greengate.records.text import dumps, escape_controls, printable
from greengate.reporters import OutputFormat

SARIF_SCHEMA = json.loads(
    (Path(__file__).resolve().parents[1] / "data" / "sarif-schema-2.1.0.json").read_text("utf-8")
)

EVIL = (
    "evil\x1b[2J\r\x07\n::stop-commands::x\n::error::pwned"
    " <script>alert(1)</script> | ##[add-mask]v1 \x9b31m \u202eodd"
)
EVIL_FILE = "::error::file\x1b[31m\n::warning::x.json"

# Bytes that must never be written raw: ESC, BEL, CR, the C1 CSI, the RTL override.
RAW = [b"\x1b", b"\x07", b"\r", "\x9b".encode(), "\u202e".encode()]
# GitHub's own commands, the only lines that may start with :: (github format only).
GREENGATE_COMMANDS = re.compile(rb"::(group::|endgroup::$|(error|warning|notice) file=)")


def manifest(name: str) -> str:
    return json.dumps(
        {
            "apiVersion": "greengate.dev/v1",
            "kind": "AIDeployment",
            "metadata": {"name": name, "owner": name},
            "spec": {
                "workload": "inference",
                "task": "chat",
                "model": {"name": "meta-llama/Llama-3.1-70B-Instruct"},
                "cloud": {"provider": "aws", "region": name},
                "hardware": {"accelerator": "nvidia-t4", "count": 1},
            },
        }
    )


@pytest.fixture
def evil_repo(tmp_path: Path) -> Path:
    (tmp_path / "m.json").write_text(manifest(EVIL), "utf-8")
    (tmp_path / EVIL_FILE).write_text(manifest(EVIL), "utf-8")
    return tmp_path


def greengate(*args: str, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "greengate", *args], capture_output=True, cwd=cwd, check=False
    )


def assert_safe_for_a_log(output: bytes, *, commands: bool = False) -> None:
    """No raw control byte, and no line a GitHub runner would take for a command."""
    for raw in RAW:
        assert raw not in output, raw
    assert b"##[" not in output
    for line in output.split(b"\n"):
        if line.lstrip().startswith(b"::"):
            assert commands and GREENGATE_COMMANDS.match(line), line


@pytest.mark.parametrize("fmt", [f.value for f in OutputFormat])
def test_every_format_escapes_what_the_manifest_says(fmt: str, evil_repo: Path) -> None:
    result = greengate("check", ".", "--format", fmt, cwd=evil_repo)
    assert result.returncode == 1, result.stderr
    assert result.stderr == b""
    assert b"evil" in result.stdout
    assert_safe_for_a_log(result.stdout, commands=fmt == "github")
    if fmt in ("json", "sarif"):
        document = json.loads(result.stdout)
        if fmt == "sarif":
            jsonschema.validate(document, SARIF_SCHEMA)
        names = json.dumps(document, ensure_ascii=False)
        assert json.dumps(EVIL, ensure_ascii=False)[1:-1] in names  # the value itself, intact
    if fmt == "junit":
        ET.fromstring(result.stdout)


def test_text_shows_the_characters_as_escapes(evil_repo: Path) -> None:
    out = greengate("check", "m.json", cwd=evil_repo).stdout.decode()
    assert "'evil\\x1b[2J\\r\\x07\\n::stop-commands::x\\n::error::pwned <script>" in out
    assert "#\\x23[add-mask]v1 \\x9b31m \\u202eodd'" in out


def test_a_file_name_never_starts_a_line(evil_repo: Path) -> None:
    out = greengate("check", ".", cwd=evil_repo).stdout.decode()
    assert "\\x3a:error::file\\x1b[31m\\n::warning::x.json\n" in out


def test_the_markdown_summary_cannot_be_injected(evil_repo: Path) -> None:
    out = greengate("check", ".", "--format", "markdown", cwd=evil_repo).stdout.decode()
    assert "<script>" not in out
    assert "&lt;script&gt;" in out
    rows = [line for line in out.splitlines() if line.startswith("| ") and "GG201" in line]
    assert rows
    assert all(row.count(" | ") == 4 for row in rows)


def test_explain_text_escapes_names_values_and_files(evil_repo: Path) -> None:
    result = greengate("explain", ".", cwd=evil_repo)
    assert result.returncode == 0
    assert_safe_for_a_log(result.stdout)
    assert "evil\\x1b[2J\\r\\x07\\n::stop-commands::x" in result.stdout.decode()
    explained = greengate("explain", ".", "--format", "json", cwd=evil_repo)
    assert_safe_for_a_log(explained.stdout)
    assert json.loads(explained.stdout)["deployments"][0]["name"] == EVIL


def test_error_messages_on_stderr_are_escaped(evil_repo: Path) -> None:
    result = greengate("check", ".", "--output-json", EVIL_FILE, cwd=evil_repo)
    assert result.returncode == 2
    assert result.stderr == (
        b"greengate: error: \\x3a:error::file\\x1b[31m\\n::warning::x.json is one of the"
        b" manifests being checked; choose another report path\n"
    )
    assert_safe_for_a_log(result.stderr)


def test_printable() -> None:
    assert printable("a\x1b[31mb\r\n\t\x07\x7f\x85\u2028\u202e") == (
        "a\\x1b[31mb\\r\\n\\t\\x07\\x7f\\x85\\u2028\\u202e"
    )
    assert printable("::error::x") == "\\x3a:error::x"
    assert printable("  ::notice::x") == "  \\x3a:notice::x"
    assert printable("a ::error::x") == "a ::error::x"  # not at the start: not a command
    assert printable("x ##[error]y") == "x #\\x23[error]y"
    assert printable("plain, ünïcode: 7B") == "plain, ünïcode: 7B"
    assert printable(printable("\x1b::")) == printable("\x1b::")
    assert escape_controls("a\nb\x1b", keep="\n") == "a\nb\\x1b"


def test_json_keeps_the_value_and_hides_the_legacy_command() -> None:
    text = dumps({"v": "x ##[error]y"})
    assert "##[" not in text
    assert json.loads(text) == {"v": "x ##[error]y"}
