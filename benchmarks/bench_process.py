"""Wall time, CPU time and peak memory of one command and every process it starts.

Used by ``bench_check.py``: a checker with ``--jobs 2`` (or checkov, which
forks its runners) is several processes, and its memory is theirs together.
Two peaks are measured for each run, because neither says everything:

* **tree MiB**: the largest sum of the resident sets of the command and all
  its descendants, sampled from ``/proc`` every 50 ms. A sum of RSS counts a
  page that forked workers share once per process (so it overstates a tree
  of forks), and a spike shorter than 50 ms can fall between two samples.
* **process MiB**: ``ru_maxrss`` of ``RUSAGE_CHILDREN``, read by a fresh
  wrapper process that runs only this command, so the figure is this run's
  alone. It is exact, but it is the largest resident set of any single
  process of the tree (the kernel keeps the maximum, not the sum), so with
  workers it is the biggest one of them, not the total.

CPU seconds (user + system of the whole tree, from the same ``RUSAGE_CHILDREN``)
depend much less on what else runs on a shared machine than wall time does.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

SAMPLE_SECONDS = 0.05
PAGE_MIB = os.sysconf("SC_PAGE_SIZE") / (1024.0 * 1024.0)

# Runs the command given after its first argument, its output where the caller sends
# it, then writes its exit code, wall seconds, ru_maxrss (KiB) and the CPU seconds of
# everything it waited for to the file named by its first argument.
_WRAPPER = (
    "import pathlib, resource, subprocess, sys, time\n"
    "start = time.perf_counter()\n"
    "code = subprocess.call(sys.argv[2:])\n"
    "elapsed = time.perf_counter() - start\n"
    "use = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "figures = f'{code} {elapsed} {use.ru_maxrss} {use.ru_utime + use.ru_stime}'\n"
    "pathlib.Path(sys.argv[1]).write_text(figures)\n"
)


@dataclass(frozen=True)
class Run:
    """What one run of a command cost."""

    code: int
    seconds: float
    cpu_seconds: float
    tree_mib: float
    process_mib: float
    stderr: str


def _parents() -> dict[int, int]:
    """Parent pid of every process visible in ``/proc`` (one that exits meanwhile is skipped)."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name (field 2) may hold spaces and parentheses: parse after its last ")".
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    return parents


def _rss_mib(pid: int) -> float:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_MIB
    except (OSError, IndexError, ValueError):
        return 0.0


def tree_rss_mib(root: int) -> float:
    """The summed resident set of ``root``'s descendants (not ``root`` itself), now."""
    children: dict[int, list[int]] = {}
    for pid, parent in _parents().items():
        children.setdefault(parent, []).append(pid)
    total, todo = 0.0, list(children.get(root, []))
    while todo:
        pid = todo.pop()
        total += _rss_mib(pid)
        todo.extend(children.get(pid, []))
    return total


class _Sampler(threading.Thread):
    """Samples the tree under one pid every 50 ms until told to stop; keeps the largest sum."""

    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.peak = 0.0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(SAMPLE_SECONDS):
            self.peak = max(self.peak, tree_rss_mib(self.root))


def measure(
    command: list[str], stdout: Path | None = None, env: dict[str, str] | None = None
) -> Run:
    """Run ``command`` once under the wrapper; its stdout goes to ``stdout`` (default: discarded)."""
    with (
        tempfile.TemporaryDirectory(prefix="greengate-bench-run-") as tmp,
        open(stdout or os.devnull, "wb") as out,  # noqa: PTH123 - a file object for Popen
    ):
        figures = Path(tmp) / "figures"
        wrapper = subprocess.Popen(
            [sys.executable, "-c", _WRAPPER, str(figures), *command],
            stdout=out,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        sampler = _Sampler(wrapper.pid)
        sampler.start()
        _, stderr = wrapper.communicate()
        sampler.done.set()
        sampler.join()
        if wrapper.returncode != 0:
            raise SystemExit(f"the measuring wrapper failed ({wrapper.returncode}): {stderr}")
        code, seconds, maxrss, cpu = figures.read_text().split()
    return Run(
        code=int(code),
        seconds=float(seconds),
        cpu_seconds=float(cpu),
        tree_mib=sampler.peak,
        process_mib=int(maxrss) / 1024.0,
        stderr=stderr,
    )
