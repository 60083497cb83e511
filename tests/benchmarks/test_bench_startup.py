"""The start-up benchmark runs what it names, in a cache folder of its own."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def bench() -> ModuleType:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        return importlib.import_module("bench_startup")
    finally:
        sys.path.remove(str(BENCHMARKS))


def test_the_cases_and_their_environment(tmp_path: Path) -> None:
    module = bench()
    names = [(case.args[0], case.cold) for case in module.cases(Path("f.yaml"))]
    assert names == [("--version", False), ("--help", False), ("check", True), ("check", False)]
    env = module.environment(tmp_path / "src", tmp_path / "cache", tmp_path / "pyc")
    assert env["GREENGATE_CACHE_DIR"] == str(tmp_path / "cache")
    assert env["PYTHONPYCACHEPREFIX"] == str(tmp_path / "pyc")
    assert env["PYTHONPATH"] == str(tmp_path / "src")
    assert "PYTHONDONTWRITEBYTECODE" not in env and "GREENGATE_NO_CACHE" not in env


def test_every_run_is_counted_and_a_check_keeps_the_parser_in_its_folder(tmp_path: Path) -> None:
    module = bench()
    env = module.environment(None, tmp_path / "cache", tmp_path / "pyc")
    (cold,) = module.measure(module.Case("version", ("--version",), cold=True), [env], 2)
    assert len(cold) == 2 and all(run.seconds > 0 for run in cold)
    warm = module.Case("check", ("check", str(module.EXAMPLE)))
    (runs,) = module.measure(warm, [env], 1)
    assert len(runs) == 1 and list((tmp_path / "cache").glob("cel-parser-*.pickle"))
