"""Benchmark: greengate's YAML loading with positions, next to the bare YAML parse.

Generates the native corpus of ``bench_check.py`` (``generate``), reads every
file into memory, then times, in this process and in turns (so that load on
the machine moves every column alike):

* ``yaml.load_all(text, CSafeLoader)``: the bare parse, the floor;
* ``load_yaml(text, name)`` of this checkout: values with their spans, every
  limit checked;
* with ``--ref REF``, the same function as it was at git ``REF`` (``main``,
  a commit), so one run gives the figures before and after a change.

Each figure is the median of ``--repeat`` turns; the ratio to the bare parse
is the figure to compare across machines.

Usage: python benchmarks/bench_load.py [--files 10000] [--repeat 5] [--ref main]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from bench_check import ROOT, generate

LOADER = "src/greengate/load/yaml_loader.py"


def bare(texts: list[tuple[str, str]]) -> None:
    for text, _ in texts:
        for _ in yaml.load_all(text, Loader=yaml.CSafeLoader):
            pass


def loader_at(ref: str) -> Callable[[str, str], Any]:
    """``load_yaml`` as ``LOADER`` was at git ``ref``, imported as a module of its own."""
    source = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{ref}:{LOADER}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    module = types.ModuleType(f"yaml_loader_at_{ref}")
    module.__file__ = f"{ref}:{LOADER}"
    sys.modules[module.__name__] = module  # dataclasses look their module up
    exec(compile(source, module.__file__, "exec"), module.__dict__)
    return module.load_yaml  # type: ignore[no-any-return]


def timed(run: Callable[[], None]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5, help="turns; the median is reported")
    parser.add_argument("--ref", help="also time the loader as it was at this git ref")
    args = parser.parse_args()

    from greengate.load.yaml_loader import load_yaml

    loaders = {"greengate load (this checkout)": load_yaml}
    if args.ref:
        loaders[f"greengate load (at {args.ref})"] = loader_at(args.ref)
    with tempfile.TemporaryDirectory(prefix="greengate-bench-load-") as tmp:
        texts = [(p.read_text("utf-8"), p.name) for p in generate(Path(tmp), args.files)]

    def loading(load: Callable[[str, str], Any]) -> Callable[[], None]:
        def run() -> None:
            for text, name in texts:
                load(text, name)

        return run

    runs = {"bare yaml.load_all (CSafeLoader)": lambda: bare(texts)}
    runs.update({name: loading(load) for name, load in loaders.items()})
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(args.repeat):
        for name, run in runs.items():
            times[name].append(timed(run))
    print(
        f"{args.files:,} native manifests, median of {args.repeat} turns, libyaml {yaml.__with_libyaml__}"
    )
    floor = statistics.median(next(iter(times.values())))
    for name, seconds in times.items():
        median = statistics.median(seconds)
        print(f"  {name:<44} {median:7.3f} s  {median / floor:5.2f}x the bare parse")


if __name__ == "__main__":
    main()
