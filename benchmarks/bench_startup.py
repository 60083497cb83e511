"""Benchmark: how long greengate takes to start, in a fresh process each time.

Times, each in a new ``python -m greengate`` process, N times, and prints the
median wall time (and the fastest and slowest run) and the median CPU time
(user and system, which the machine's load moves less):

* ``greengate --version`` and ``greengate --help``;
* ``greengate check FILE`` (default ``examples/deployments/chat-mumbai.yaml``)
  with a cold cache (greengate's cache folder emptied before every run, so
  cel-python's parser is built) and with a warm one (the parser read back).

The cache folder is a temporary one (``GREENGATE_CACHE_DIR``), never the
user's. Python's bytecode is kept (``PYTHONPYCACHEPREFIX``, a temporary
folder, written by one run before the timed ones), as an installed package
has it; ``PYTHONDONTWRITEBYTECODE`` would otherwise make every run compile
greengate's sources again.

``--src DIR`` measures the greengate whose package is in ``DIR`` (``src/`` of
another checkout, e.g. ``git archive main | tar -x -C /tmp/before``) with
this interpreter's libraries: the before and after of a change, side by side
in one command, their runs alternating, as timings drift with the machine's load.

Usage: python benchmarks/bench_startup.py [--repeat 10] [--file FILE] [--src DIR ...] [--markdown]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench_check import print_setup

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "deployments" / "chat-mumbai.yaml"


@dataclass(frozen=True)
class Case:
    name: str
    args: tuple[str, ...]
    cold: bool = False
    """Empty the cache folder before each run."""


def cases(file: Path) -> list[Case]:
    return [
        Case("greengate --version", ("--version",)),
        Case("greengate --help", ("--help",)),
        Case("greengate check FILE (cold cache)", ("check", str(file)), cold=True),
        Case("greengate check FILE (warm cache)", ("check", str(file))),
    ]


def environment(src: Path | None, cache: Path, bytecode: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE",)}
    env.pop("GREENGATE_NO_CACHE", None)
    env["GREENGATE_CACHE_DIR"] = str(cache)
    env["PYTHONPYCACHEPREFIX"] = str(bytecode)
    if src is not None:
        env["PYTHONPATH"] = str(src)
    return env


@dataclass(frozen=True)
class Run:
    seconds: float
    cpu_seconds: float
    """User and system time of the process: less moved by the machine's load than the wall time."""


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_once(args: tuple[str, ...], env: dict[str, str]) -> Run:
    cpu = children_cpu()
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "greengate", *args],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):  # 1: the example breaks a policy on purpose
        raise SystemExit(f"greengate {' '.join(args)}: exit {done.returncode}\n{done.stderr}")
    return Run(elapsed, children_cpu() - cpu)


def measure(case: Case, envs: list[dict[str, str]], repeat: int) -> list[list[Run]]:
    """The times of ``case`` for each environment, the runs of the environments alternating."""
    for env in envs:
        run_once(case.args, env)  # bytecode written, the cache primed
    times: list[list[Run]] = [[] for _ in envs]
    for _ in range(repeat):
        for env, found in zip(envs, times, strict=True):
            if case.cold:
                shutil.rmtree(env["GREENGATE_CACHE_DIR"], ignore_errors=True)
            found.append(run_once(case.args, env))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--repeat", type=int, default=10, help="runs per command (default 10)")
    parser.add_argument("--file", type=Path, default=EXAMPLE, help="the file `check` reads")
    parser.add_argument(
        "--src",
        type=Path,
        nargs="*",
        default=[],
        help="also measure the greengate package found in each DIR (PYTHONPATH=DIR)",
    )
    parser.add_argument("--markdown", action="store_true", help="also print a Markdown table")
    args = parser.parse_args()
    print_setup()
    load = os.getloadavg()[0]
    print(f"{args.repeat} run(s) per command, each a fresh process; load average {load:.1f}")
    sides: list[tuple[str, Path | None]] = [("this checkout", None)]
    sides += [(str(src), src.resolve()) for src in args.src]
    rows: list[tuple[str, str, list[Run]]] = []
    with tempfile.TemporaryDirectory(prefix="greengate-bench-startup-") as scratch:
        envs = [
            environment(src, Path(scratch) / f"cache{i}", Path(scratch) / f"pyc{i}")
            for i, (_, src) in enumerate(sides)
        ]
        for case in cases(args.file.resolve()):
            for (label, _), runs in zip(sides, measure(case, envs, args.repeat), strict=True):
                rows.append((label, case.name, runs))
                times = [run.seconds for run in runs]
                cpu = statistics.median(run.cpu_seconds for run in runs)
                print(
                    f"{label:>16}  {case.name:<36} median {statistics.median(times):.3f} s"
                    f"  (min {min(times):.3f}, max {max(times):.3f}), CPU {cpu:.3f} s",
                    flush=True,
                )
    print(f"load average at the end {os.getloadavg()[0]:.1f}")
    if args.markdown:
        print()
        print("| greengate | command | median | fastest | slowest | CPU (median) |")
        print("| --- | --- | ---: | ---: | ---: | ---: |")
        for label, name, runs in rows:
            times = [run.seconds for run in runs]
            cpu = statistics.median(run.cpu_seconds for run in runs)
            print(
                f"| {label} | {name} | {statistics.median(times):.3f} s"
                f" | {min(times):.3f} s | {max(times):.3f} s | {cpu:.3f} s |"
            )


if __name__ == "__main__":
    main()
