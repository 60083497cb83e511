"""Writing outputs: atomic (a killed run leaves the old file), never over a manifest, without stdout.

Real processes, real files and real kills: a writer is killed with SIGKILL
while it is blocked inside its callback, and a real ``greengate check`` is
killed while it writes a big report.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "deployments"

MANIFEST = """\
apiVersion: greengate.dev/v1
kind: AIDeployment
metadata:
  name: chat-{index}
spec:
  workload: inference
  task: summarization
  model:
    name: meta-llama/Llama-3.1-70B-Instruct
  cloud:
    provider: aws
    region: us-east-1
  hardware:
    accelerator: nvidia-t4
    count: 1
"""


def greengate(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "greengate", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    )


def manifests(folder: Path, count: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(count):
        (folder / f"d{index:04d}.yaml").write_text(MANIFEST.format(index=index), "utf-8")
    return folder


# The helper, killed while it is blocked inside the writer callback.
_BLOCKED_WRITER = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    from greengate.atomic import write_atomically

    def write(handle):
        handle.write("half of the new report" * 10_000)
        handle.flush()
        os.write(1, b"writing")  # tell the test we are inside the write
        os.read(0, 1)  # and wait to be killed

    write_atomically(Path(sys.argv[1]), write)
    """
)


def test_a_writer_killed_inside_its_callback_leaves_the_old_file_and_no_temp_file(
    tmp_path: Path,
) -> None:
    target = tmp_path / "report.json"
    target.write_text('{"old": true}\n', "utf-8")
    child = subprocess.Popen(
        [sys.executable, "-c", _BLOCKED_WRITER, str(target)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert child.stdout is not None
    assert child.stdout.read(7) == b"writing"
    os.kill(child.pid, signal.SIGKILL)
    assert child.wait() == -signal.SIGKILL
    assert target.read_text("utf-8") == '{"old": true}\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def test_a_writer_that_raises_leaves_the_old_file(tmp_path: Path) -> None:
    from greengate.atomic import write_atomically

    target = tmp_path / "report.txt"
    target.write_text("old\n", "utf-8")

    def fail(handle: object) -> None:
        assert hasattr(handle, "write")
        handle.write("new")
        raise RuntimeError("the reporter broke")

    with pytest.raises(RuntimeError):
        write_atomically(target, fail)
    assert target.read_text("utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.txt"]


def test_a_replaced_file_keeps_its_permissions_and_a_link_is_followed(tmp_path: Path) -> None:
    from greengate.atomic import write_atomically

    real = tmp_path / "real" / "r.txt"
    real.parent.mkdir()
    real.write_text("old", "utf-8")
    real.chmod(0o640)
    link = tmp_path / "r.txt"
    link.symlink_to(real)
    write_atomically(link, lambda handle: handle.write("new"))
    assert link.is_symlink()
    assert real.read_text("utf-8") == "new"
    assert real.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in real.parent.iterdir()) == ["r.txt"]


def _files_open_in(pid: int, folder: Path) -> bool:
    """Whether process ``pid`` has a file of ``folder`` open (a named or an unnamed temp file)."""
    try:
        fds = list(Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return False
    for fd in fds:
        try:
            if str(fd.readlink()).startswith(f"{folder}/"):
                return True
        except OSError:
            continue
    return False


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")
def test_a_check_killed_while_writing_its_report_leaves_the_old_report(tmp_path: Path) -> None:
    folder = manifests(tmp_path / "manifests", 600)
    out = tmp_path / "out"
    out.mkdir()
    report = out / "report.json"
    report.write_text('{"previous": "report"}\n', "utf-8")
    child = subprocess.Popen(
        [sys.executable, "-m", "greengate", "check", str(folder), "--output-json", str(report)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # Wait until the check has the report (or its temporary file) open, then kill it.
    while child.poll() is None and not _files_open_in(child.pid, out):
        time.sleep(0.0005)  # not a timing assertion: only leaves the CPU to the check
    if child.poll() is None:
        os.kill(child.pid, signal.SIGKILL)
    child.wait()
    text = report.read_text("utf-8")
    if text != '{"previous": "report"}\n':
        # The kill came after the rename: then the report is the whole new one.
        assert json.loads(text)["summary"]["files"] == 600
    assert sorted(p.name for p in out.iterdir()) == ["report.json"]


def test_reports_replace_the_old_file_rather_than_write_into_it(tmp_path: Path) -> None:
    """A hard link to the old report keeps the old text: the new one is a new file, renamed in."""
    formats = ("text", "json", "sarif", "junit", "github", "markdown")
    olds = {}
    for fmt in formats:
        path = tmp_path / f"r.{fmt}"
        path.write_text("old\n", "utf-8")
        os.link(path, tmp_path / f"old.{fmt}")
        olds[fmt] = path
    args = [f"--output-{fmt}={path}" for fmt, path in olds.items()]
    result = greengate("check", str(EXAMPLES / "chat-mumbai.yaml"), *args)
    assert result.returncode == 1, result.stderr
    for fmt, path in olds.items():
        assert (tmp_path / f"old.{fmt}").read_text("utf-8") == "old\n"
        assert path.read_text("utf-8") != "old\n"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".greengate-tmp")]


@pytest.mark.parametrize(
    "option",
    ["--output-json={path}", "--report=sarif={path}", "--output={path}", "--output-text={path}"],
)
def test_a_report_path_that_is_a_manifest_is_refused(tmp_path: Path, option: str) -> None:
    manifest = tmp_path / "m.yaml"
    original = MANIFEST.format(index=1)
    manifest.write_text(original, "utf-8")
    result = greengate("check", str(tmp_path), option.format(path=manifest))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"greengate: error: {manifest} is one of the manifests being checked;"
        " choose another report path\n"
    )
    assert manifest.read_text("utf-8") == original


def test_a_manifest_is_recognised_under_another_name(tmp_path: Path) -> None:
    manifest = tmp_path / "deploy" / "m.yaml"
    manifest.parent.mkdir()
    original = MANIFEST.format(index=1)
    manifest.write_text(original, "utf-8")
    (tmp_path / "link.yaml").symlink_to(manifest)
    os.link(manifest, tmp_path / "hard.yaml")
    for other in ("link.yaml", "hard.yaml", "deploy/../deploy/m.yaml"):
        result = greengate("check", "deploy", "--output-sarif", other, cwd=tmp_path)
        assert result.returncode == 2, other
        assert "is one of the manifests being checked; choose another report path" in result.stderr
        assert manifest.read_text("utf-8") == original


def test_baseline_create_refuses_to_overwrite_a_manifest(tmp_path: Path) -> None:
    manifest = tmp_path / "m.json"
    original = json.dumps(
        {
            "apiVersion": "greengate.dev/v1",
            "kind": "AIDeployment",
            "metadata": {"name": "chat"},
            "spec": {"workload": "inference", "task": "chat"},
        }
    )
    manifest.write_text(original, "utf-8")
    result = greengate("baseline", "create", str(tmp_path), "--output", str(manifest))
    assert result.returncode == 2
    assert result.stderr == (
        f"greengate: error: {manifest} is one of the manifests being checked;"
        " choose another baseline path\n"
    )
    assert manifest.read_text("utf-8") == original


def _closed_stdout() -> None:
    os.close(1)


def test_with_stdout_closed_the_report_files_are_still_written(tmp_path: Path) -> None:
    """``greengate check m.yaml >&-``: Python has no sys.stdout; the files and the exit code stay."""
    json_out, sarif_out = tmp_path / "r.json", tmp_path / "r.sarif"
    child = subprocess.run(
        [
            sys.executable,
            "-m",
            "greengate",
            "check",
            str(EXAMPLES / "chat-mumbai.yaml"),
            "--output-json",
            str(json_out),
            "--report",
            f"sarif={sarif_out}",
        ],
        preexec_fn=_closed_stdout,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    assert (child.returncode, child.stderr) == (1, "")
    assert json.loads(json_out.read_text("utf-8"))["exitCode"] == 1
    assert json.loads(sarif_out.read_text("utf-8"))["version"] == "2.1.0"


@pytest.mark.parametrize(
    "args",
    [
        ["explain", str(EXAMPLES / "chat-mumbai.yaml")],
        ["policies", "list", str(EXAMPLES)],
        ["config", "show", "--no-config"],
        ["catalog", "region", "europe-north1"],
        ["check", str(EXAMPLES / "chat-mumbai.yaml"), "--format", "github"],
    ],
)
def test_every_command_runs_with_stdout_closed(args: list[str], tmp_path: Path) -> None:
    child = subprocess.run(
        [sys.executable, "-m", "greengate", *args],
        preexec_fn=_closed_stdout,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert child.stderr == ""
    assert child.returncode in (0, 1)


def test_init_and_baseline_run_with_stdout_closed(tmp_path: Path) -> None:
    for args in (
        ["init", str(tmp_path)],
        ["baseline", "create", str(EXAMPLES / "chat-mumbai.yaml"), "-o", "b.json"],
    ):
        child = subprocess.run(
            [sys.executable, "-m", "greengate", *args],
            preexec_fn=_closed_stdout,
            stderr=subprocess.PIPE,
            text=True,
            cwd=tmp_path,
            check=False,
        )
        assert (child.returncode, child.stderr) == (0, ""), args
    assert (tmp_path / ".greengate.yaml").is_file()
    assert json.loads((tmp_path / "b.json").read_text("utf-8"))["version"] == 1


@pytest.mark.parametrize(
    ("environ", "tty", "expected"),
    [
        ({}, True, True),
        ({}, False, False),
        ({"NO_COLOR": "1"}, True, False),
        ({"NO_COLOR": ""}, True, True),  # an empty NO_COLOR is no request (no-color.org)
        ({"FORCE_COLOR": "1"}, False, True),
        ({"FORCE_COLOR": "0"}, False, False),
        ({"TERM": "dumb"}, True, False),
        ({"NO_COLOR": "1", "FORCE_COLOR": "1"}, True, False),
    ],
)
def test_colour_follows_the_conventions_of_the_environment(
    environ: dict[str, str], tty: bool, expected: bool
) -> None:
    import io

    from greengate.app.outputs import wants_color

    class Out(io.StringIO):
        def isatty(self) -> bool:
            return tty

    assert wants_color(Out(), environ) is expected
