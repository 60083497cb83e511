"""Benchmark: files per second of `greengate check`, next to the bare YAML parse.

Generates N native manifests (varied providers, regions, accelerators, tasks;
about half of them break a policy), then measures, for each N:

* ``greengate check DIR --format json -o /dev/null`` end to end, as a user runs
  it (a fresh process: start-up, discovery, loading, catalog, CEL, report), with
  the peak resident memory of that process;
* ``yaml.load_all(text, CSafeLoader)`` over the same files in this process:
  the floor no Python checker can beat.

Usage: python benchmarks/bench_check.py [--sizes 1000 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

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


def greengate_check(folder: Path) -> tuple[float, float, int]:
    """Wall seconds, peak RSS (MiB) and exit code of one `greengate check` process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "greengate",
            "check",
            str(folder),
            "--format",
            "json",
            "--output",
            os.devnull,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"greengate check failed ({done.returncode}): {done.stderr}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, max(peak, before) / 1024.0, done.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs per measurement; the median is reported"
    )
    args = parser.parse_args()
    print(
        f"python {sys.version.split()[0]}, libyaml {yaml.__with_libyaml__}, {os.cpu_count()} cpus"
    )
    print(
        f"{'files':>7} {'check s':>9} {'files/s':>9} {'peak MiB':>9} {'parse s':>9} {'files/s':>9} {'ratio':>7}"
    )
    for size in args.sizes:
        with tempfile.TemporaryDirectory(prefix="greengate-bench-") as tmp:
            folder = Path(tmp)
            paths = generate(folder, size)
            checks = [greengate_check(folder) for _ in range(args.repeat)]
            parses = [bare_parse(paths) for _ in range(args.repeat)]
            check_s = statistics.median(c[0] for c in checks)
            peak = max(c[1] for c in checks)
            parse_s = statistics.median(parses)
            print(
                f"{size:>7} {check_s:>9.2f} {size / check_s:>9.0f} {peak:>9.0f} {parse_s:>9.2f} {size / parse_s:>9.0f} {check_s / parse_s:>6.1f}x"
            )


if __name__ == "__main__":
    main()
