"""Benchmark: files per second and peak memory of `greengate check`, next to the bare YAML parse.

Generates N native manifests (varied providers, regions, accelerators, tasks;
about half of them break a policy; 50 team folders), then measures, for each
N, each CEL engine and each ``--jobs`` value:

* ``greengate check DIR --cel-engine E --jobs J --format json -o /dev/null``
  end to end, as a user runs it (a fresh process: start-up, discovery,
  loading, catalog, CEL, report), with its CPU seconds and two peaks of
  memory (see ``bench_process.py``): the largest sum over the process and its
  workers, sampled every 50 ms, and the largest single process, exact
  (``ru_maxrss``, which is a maximum over processes, not a sum);
* ``yaml.load_all(text, CSafeLoader)`` over the same files in this process:
  the floor no Python checker can beat; the ratio of the two is the figure to
  compare across machines, since both move together.

The engines are ``python`` (cel-python) and, when ``cel_expr_python`` is
importable, ``cpp``. A greengate whose ``check --help`` has no ``--jobs`` is
measured with one process and its rows for ``--jobs`` above 1 say ``n/a``.
Between two sizes the per-file time of the larger over the smaller says how
linear the run is (1.00: perfectly).

``--profile N`` runs one ``greengate check`` of N files in this process under
cProfile instead and prints the top functions by cumulative and by own time;
``--vs-checkov`` runs the checkov comparison of ``bench_checkov.py`` instead.

Usage: python benchmarks/bench_check.py [--sizes 1000 10000 100000] [--jobs 1 2]
       [--engines python cpp] [--repeat 3] [--quick] [--markdown]
       python benchmarks/bench_check.py --profile 2000
       python benchmarks/bench_check.py --vs-checkov [--checkov-sizes 2000]
"""

from __future__ import annotations

import argparse
import cProfile
import importlib.util
import io
import itertools
import os
import pstats
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml
from bench_checkov import (
    DEFAULT_VENV,
    Side,
    checkov_command,
    checkov_version,
    generate_kubernetes,
    run_checkov,
    run_greengate,
)
from bench_process import Run, measure

ROOT = Path(__file__).resolve().parent.parent
NO_JOBS = "n/a (this greengate has no --jobs)"
PROFILE_TOP = 25

PROVIDERS = {
    "gcp": (
        ["europe-north1", "us-central1", "asia-south1", "europe-west4"],
        ["g2-standard-8", "a2-highgpu-1g", "a3-highgpu-8g"],
    ),
    "aws": (
        ["eu-north-1", "us-east-1", "ap-south-1", "eu-west-1"],
        ["g5.2xlarge", "p4d.24xlarge", "g4dn.xlarge", "inf2.xlarge"],
    ),
    "azure": (
        ["swedencentral", "eastus", "westeurope"],
        ["Standard_NC24ads_A100_v4", "Standard_NC6s_v3"],
    ),
}
TASKS = ["chat", "summarization", "classification", "embedding", "code-generation", "translation"]
MODELS = [
    "meta-llama/Llama-3.1-8B-Instruct",
    "mistralai/Mistral-7B-v0.1",
    "google/gemma-2-9b",
    "Salesforce/codegen25-7b-mono",
    "BAAI/bge-large-en-v1.5",
    "meta-llama/Llama-3.1-70B-Instruct",
]


def manifest(i: int, rng: random.Random) -> str:
    provider = rng.choice(sorted(PROVIDERS))
    regions, instances = PROVIDERS[provider]
    limits = f"  rateLimits:\n    requestsPerMinute: {rng.choice([60, 600, 6000])}\n" + (
        "    tokensPerMinute: 100000\n" if rng.random() < 0.7 else ""
    )
    return (
        f"# generated deployment {i}\n"
        "apiVersion: greengate.dev/v1\n"
        "kind: AIDeployment\n"
        "metadata:\n"
        f"  name: svc-{i}\n"
        f"  owner: team-{i % 17}\n"
        "spec:\n"
        "  workload: inference\n"
        f"  task: {rng.choice(TASKS)}\n"
        "  model:\n"
        f"    name: {rng.choice(MODELS)}\n"
        "  cloud:\n"
        f"    provider: {provider}\n"
        f"    region: {rng.choice(regions)}\n"
        "  hardware:\n"
        f"    instanceType: {rng.choice(instances)}\n"
        f"  replicas: {{min: 1, max: {rng.randint(1, 8)}}}\n"
        + (limits if rng.random() < 0.8 else "")
    )


def generate(folder: Path, count: int) -> list[Path]:
    rng = random.Random(count)
    paths = []
    for i in range(count):
        path = folder / f"team-{i % 50}" / f"deployment-{i}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(manifest(i, rng))
        paths.append(path)
    return paths


def bare_parse(paths: list[Path]) -> float:
    start = time.perf_counter()
    for path in paths:
        for _ in yaml.load_all(path.read_text("utf-8"), Loader=yaml.CSafeLoader):
            pass
    return time.perf_counter() - start


def greengate(*args: str) -> str:
    """The stdout of ``greengate ARGS`` run by this interpreter (the greengate being measured)."""
    done = subprocess.run(
        [sys.executable, "-m", "greengate", *args], capture_output=True, text=True, check=True
    )
    return done.stdout


def git_commit() -> str:
    """The commit of this checkout, ``+changes`` when tracked files differ from it."""
    git = ["git", "-C", str(ROOT)]
    head = subprocess.run([*git, "rev-parse", "--short=12", "HEAD"], capture_output=True, text=True)
    if head.returncode != 0:
        return "unknown (not a git checkout)"
    changes = subprocess.run(
        [*git, "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True
    )
    return head.stdout.strip() + (" +changes" if changes.stdout.strip() else "")


def libyaml() -> str:
    if not yaml.__with_libyaml__:
        return "none (pure-Python PyYAML: both columns are slow)"
    from yaml import _yaml  # the C extension, present with libyaml

    return str(_yaml.get_version_string())


def installed_engines() -> list[str]:
    return ["python"] + (["cpp"] if importlib.util.find_spec("cel_expr_python") else [])


def print_setup() -> None:
    print(
        f"python {sys.version.split()[0]}, libyaml {libyaml()}, PyYAML {yaml.__version__},"
        f" {os.cpu_count()} cpus, {greengate('--version').strip()}, commit {git_commit()}"
    )


@dataclass(frozen=True)
class Row:
    """The median of one configuration's runs (peaks: the largest), or why there is none."""

    files: int
    engine: str
    jobs: int
    parse_seconds: float
    runs: tuple[Run, ...] = ()
    load: float = 0.0
    missing: str = ""

    @property
    def seconds(self) -> float:
        return statistics.median(r.seconds for r in self.runs)

    @property
    def cpu_seconds(self) -> float:
        return statistics.median(r.cpu_seconds for r in self.runs)

    @property
    def tree_mib(self) -> float:
        return max(r.tree_mib for r in self.runs)

    @property
    def process_mib(self) -> float:
        return max(r.process_mib for r in self.runs)


def greengate_check(folder: Path, engine: str, jobs: int, has_jobs: bool) -> Run:
    command = [sys.executable, "-m", "greengate", "check", str(folder), "--cel-engine", engine]
    command += ["--jobs", str(jobs)] if has_jobs else []
    run = measure([*command, "--format", "json", "--output", os.devnull])
    if run.code not in (0, 1):
        raise SystemExit(f"greengate check failed ({run.code}): {run.stderr[-2000:]}")
    return run


HEADER = (
    f"{'files':>7} {'engine':>6} {'jobs':>4} {'check s':>9} {'files/s':>8} {'cpu s':>8}"
    f" {'tree MiB':>9} {'proc MiB':>9} {'parse s':>8} {'ratio':>7} {'load':>5}"
)


def text_row(row: Row) -> str:
    start = f"{row.files:>7} {row.engine:>6} {row.jobs:>4}"
    if row.missing:
        return f"{start}  {row.missing}"
    return (
        f"{start} {row.seconds:>9.2f} {row.files / row.seconds:>8.0f} {row.cpu_seconds:>8.1f}"
        f" {row.tree_mib:>9.0f} {row.process_mib:>9.0f} {row.parse_seconds:>8.2f}"
        f" {row.seconds / row.parse_seconds:>6.1f}x {row.load:>5.1f}"
    )


def markdown(rows: list[Row]) -> str:
    lines = [
        "| files | CEL engine | `--jobs` | `greengate check` | files/s | CPU seconds"
        " | peak memory (all processes) | largest process | bare YAML parse | ratio |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        start = f"| {row.files:,} | {row.engine} | {row.jobs} |"
        if row.missing:
            lines.append(f"{start} {row.missing} | | | | | | |")
            continue
        lines.append(
            f"{start} {row.seconds:.2f} s | {row.files / row.seconds:,.0f} | {row.cpu_seconds:.1f} s"
            f" | {row.tree_mib:,.0f} MiB | {row.process_mib:,.0f} MiB | {row.parse_seconds:.2f} s"
            f" | {row.seconds / row.parse_seconds:.1f}x |"
        )
    return "\n".join(lines)


def linearity(rows: list[Row]) -> list[str]:
    """Per-file time at each size over the next smaller one, per engine and ``--jobs``."""
    lines = []
    measured = [r for r in rows if not r.missing]
    for engine, jobs in dict.fromkeys((r.engine, r.jobs) for r in measured):
        mine = sorted(
            (r for r in measured if (r.engine, r.jobs) == (engine, jobs)), key=lambda r: r.files
        )
        for small, large in itertools.pairwise(mine):
            ratio = (large.seconds / large.files) / (small.seconds / small.files)
            lines.append(
                f"linearity {engine} --jobs {jobs}: per-file time at {large.files:,} files"
                f" / at {small.files:,} = {ratio:.2f}"
            )
    return lines


def matrix(args: argparse.Namespace) -> None:
    has_jobs = "--jobs" in greengate("check", "--help")
    print(f"{args.repeat} run(s) per row, median; memory: the largest of the runs")
    print(HEADER, flush=True)
    rows: list[Row] = []
    for size in args.sizes:
        with tempfile.TemporaryDirectory(prefix="greengate-bench-") as tmp:
            paths = generate(Path(tmp), size)
            parse_seconds = statistics.median(bare_parse(paths) for _ in range(args.repeat))
            for engine in args.engines:
                for jobs in args.jobs:
                    if jobs > 1 and not has_jobs:
                        row = Row(size, engine, jobs, parse_seconds, missing=NO_JOBS)
                    else:
                        runs = tuple(
                            greengate_check(Path(tmp), engine, jobs, has_jobs)
                            for _ in range(args.repeat)
                        )
                        row = Row(size, engine, jobs, parse_seconds, runs, os.getloadavg()[0])
                    rows.append(row)
                    print(text_row(row), flush=True)
    for line in linearity(rows):
        print(line)
    if args.markdown:
        print()
        print(markdown(rows))


def profile(files: int, engines: list[str]) -> None:
    """cProfile of one in-process ``greengate check`` of ``files`` native manifests per engine."""
    from greengate.cli import main as greengate_main

    has_jobs = "--jobs" in greengate("check", "--help")
    with tempfile.TemporaryDirectory(prefix="greengate-profile-") as tmp:
        generate(Path(tmp), files)
        for engine in engines:
            argv = ["check", tmp, "--cel-engine", engine, "--format", "json", "-o", os.devnull]
            argv += ["--jobs", "1"] if has_jobs else []  # workers would run outside the profile
            profiler = cProfile.Profile()
            start = time.perf_counter()
            try:
                code = profiler.runcall(
                    greengate_main.main, argv, prog_name="greengate", standalone_mode=False
                )
            except SystemExit as done:  # the check exits with its verdict (1: findings failed)
                code = done.code
            elapsed = time.perf_counter() - start
            print(f"\ncProfile: greengate {' '.join(argv)}: exit {code}, {elapsed:.2f} s profiled")
            for order in ("cumulative", "tottime"):
                out = io.StringIO()
                stats = pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order)
                stats.print_stats(PROFILE_TOP)
                print(f"top {PROFILE_TOP} by {order}:")
                print(out.getvalue().split("\n\n", 1)[-1].strip("\n"))


def vs_checkov(args: argparse.Namespace) -> None:
    checkov = checkov_command(args.checkov_venv)
    print(f"checkov {checkov_version(checkov)} ({checkov})")
    has_jobs = "--jobs" in greengate("check", "--help")
    print(
        f"{'files':>7} {'tool':>26} {'seconds':>9} {'files/s':>8} {'cpu s':>8}"
        f" {'tree MiB':>9} {'proc MiB':>9}  read"
    )
    for size in args.checkov_sizes:
        with tempfile.TemporaryDirectory(prefix="greengate-vs-checkov-") as tmp:
            corpus = Path(tmp) / "corpus"
            generate_kubernetes(corpus, size)
            theirs = run_checkov(checkov, corpus, Path(tmp) / "checkov.json", size)
            print_side(size, "checkov", theirs)
            ours: dict[str, Side] = {}
            for engine in args.engines:
                for jobs in args.jobs:
                    tool = f"greengate {engine} --jobs {jobs}"
                    if jobs > 1 and not has_jobs:
                        print(f"{size:>7} {tool:>26}  {NO_JOBS}")
                        continue
                    flag = ["--jobs", str(jobs)] if has_jobs else []
                    report = Path(tmp) / "greengate.json"
                    ours[tool] = run_greengate(corpus, report, size, engine, flag)
                    print_side(size, tool, ours[tool])
            for tool, side in ours.items():
                print(
                    f"{size:>7} checkov / {tool}: time {theirs.run.seconds / side.run.seconds:.1f}x,"
                    f" CPU {theirs.run.cpu_seconds / side.run.cpu_seconds:.1f}x,"
                    f" peak memory (all processes) {theirs.run.tree_mib / side.run.tree_mib:.1f}x,"
                    f" largest process {theirs.run.process_mib / side.run.process_mib:.1f}x"
                )


def print_side(size: int, tool: str, side: Side) -> None:
    run = side.run
    print(
        f"{size:>7} {tool:>26} {run.seconds:>9.2f} {size / run.seconds:>8.0f} {run.cpu_seconds:>8.1f}"
        f" {run.tree_mib:>9.0f} {run.process_mib:>9.0f}  {side.read} {side.unit}"
        + ("" if side.whole else f" of {side.expected}: NOT THE WHOLE CORPUS, do not compare"),
        flush=True,
    )


def engines_option(installed: list[str]) -> Callable[[str], str]:
    def engine(value: str) -> str:
        if value not in ("python", "cpp"):
            raise argparse.ArgumentTypeError(f"{value!r} is not a CEL engine (python, cpp)")
        if value not in installed:
            raise argparse.ArgumentTypeError(
                f"the {value} engine is not installed (pip install -e '.[fast]')"
            )
        return value

    return engine


def main() -> None:
    installed = installed_engines()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument(
        "--jobs", type=int, nargs="+", default=[1, 2], help="--jobs values of check"
    )
    parser.add_argument(
        "--engines",
        type=engines_option(installed),
        nargs="+",
        default=installed,
        help=f"CEL engines (default: those installed, here {' '.join(installed)})",
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs per measurement; the median is reported"
    )
    parser.add_argument("--quick", action="store_true", help="a smoke run: 1,000 files, 1 run")
    parser.add_argument("--markdown", action="store_true", help="also print a Markdown table")
    parser.add_argument(
        "--profile",
        type=int,
        metavar="N",
        help="instead: cProfile one in-process check of N files, top functions",
    )
    parser.add_argument(
        "--vs-checkov",
        action="store_true",
        help="instead: greengate and checkov on the same Kubernetes corpus",
    )
    parser.add_argument("--checkov-sizes", type=int, nargs="+", default=[2000])
    parser.add_argument(
        "--checkov-venv",
        type=Path,
        default=DEFAULT_VENV,
        help="checkov's own virtualenv, created on demand (default: %(default)s)",
    )
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.repeat = [1000], 1
    print_setup()
    if args.profile:
        profile(args.profile, args.engines)
    if args.vs_checkov:
        vs_checkov(args)
    if not (args.profile or args.vs_checkov):
        matrix(args)


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"total {time.perf_counter() - started:.0f} s")
