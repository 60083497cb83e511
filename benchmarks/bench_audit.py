"""Benchmark: time and peak memory of `greengate audit` with one and two worker processes.

Generates N native manifests with the generator of ``bench_check.py``
(varied providers, regions, accelerators, tasks; 50 team folders), makes
them one git repository, then runs, for each N and each ``--jobs`` value,
``greengate audit DIR --format json -o /dev/null`` in a fresh process, as a
user runs it. Peak memory is the largest resident set of that process and of
its worker processes (``ru_maxrss`` of the children, which covers the
grandchildren a process waited for), per run. The JSON of every run is
compared: the figures count only if ``--jobs 2`` wrote the same bytes as
``--jobs 1``. The one-minute load average after each run is printed too:
on a shared machine it says how much of the time was other people's.

Usage: python benchmarks/bench_audit.py [--sizes 10000] [--jobs 1 2] [--repeat 1]

Measured on 10,000 files on a 2-core machine shared with other test runs
(Python 3.11, 2026-12-02, one run each; load is the one-minute average):

    files  jobs   audit s   files/s  peak MiB    cpu s  load
    10000     1    121.83        82       182     77.1   3.6
    10000     2    170.99        58       162     97.7   5.5

Both wrote the same JSON. With the machine's cores already busy, two workers
gain nothing in wall time; ``--jobs 2`` costs about 27% more CPU seconds
(two more interpreters that import greengate and compile the policies, and
ten chunks that each load config, catalog and policies), and its largest
process holds less than the single process (the rows, not the documents).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_check import generate  # the generator of the check benchmark, beside this file


def make_repository(folder: Path, count: int) -> None:
    generate(folder, count)
    git = ["git", "-C", str(folder), "-c", "user.name=bench", "-c", "user.email=bench@example.com"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "generated manifests"], check=True)


def greengate_audit(folder: Path, jobs: int, output: Path) -> tuple[float, float, float]:
    """Wall seconds, peak RSS (MiB, the process or one of its workers) and CPU seconds of one audit.

    CPU seconds (user + system, the workers' included) depend much less than
    wall time on what else runs on the machine (caches shared with other
    work still slow them).

    Each run is its own measuring process, so ``RUSAGE_CHILDREN`` there is
    the peak of this audit alone, not of an earlier, larger one.
    """
    probe = (
        "import resource, subprocess, sys, time\n"
        "start = time.perf_counter()\n"
        "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "elapsed = time.perf_counter() - start\n"
        "if done.returncode != 0: sys.exit(done.stderr)\n"
        "use = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "print(elapsed, use.ru_maxrss, use.ru_utime + use.ru_stime)\n"
    )
    command = [sys.executable, "-m", "greengate", "audit", str(folder), "--jobs", str(jobs)]
    command += ["--format", "json", "--output", str(output)]
    done = subprocess.run(
        [sys.executable, "-c", probe, *command], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"greengate audit --jobs {jobs} failed: {done.stderr}")
    elapsed, peak, cpu = done.stdout.split()
    return float(elapsed), int(peak) / 1024.0, float(cpu)


def differences(path: Path) -> str:
    """What to compare when two runs differ: rows, and the errors (a CEL budget overrun under load?)."""
    report = json.loads(path.read_text(encoding="utf-8"))
    errors = sorted({f"{e['rule_id']}: {e['message'][:80]}" for e in report["errors"]})
    return f"{len(report['rows'])} rows, {len(report['errors'])} errors {errors[:3]}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10000])
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs per measurement; the median is reported"
    )
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus")
    print(
        f"{'files':>7} {'jobs':>5} {'audit s':>9} {'files/s':>9} {'peak MiB':>9} {'cpu s':>8} {'load':>5}  json sha256"
    )
    for size in args.sizes:
        with tempfile.TemporaryDirectory(prefix="greengate-bench-") as tmp:
            folder = Path(tmp) / "repo"
            make_repository(folder, size)
            digests = set()
            for jobs in args.jobs:
                output = Path(tmp) / f"audit-{jobs}.json"
                runs = [greengate_audit(folder, jobs, output) for _ in range(args.repeat)]
                seconds = statistics.median(r[0] for r in runs)
                peak = max(r[1] for r in runs)
                cpu = statistics.median(r[2] for r in runs)
                digest = hashlib.sha256(output.read_bytes()).hexdigest()
                digests.add(digest)
                print(
                    f"{size:>7} {jobs:>5} {seconds:>9.2f} {size / seconds:>9.0f} {peak:>9.0f}"
                    f" {cpu:>8.1f} {os.getloadavg()[0]:>5.1f}  {digest[:16]}",
                    flush=True,
                )
            if len(digests) != 1:
                for jobs in args.jobs:
                    print(f"--jobs {jobs}: {differences(Path(tmp) / f'audit-{jobs}.json')}")
                raise SystemExit(f"the audits of {size} files differ between --jobs {args.jobs}")


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"total {time.perf_counter() - started:.0f} s")
