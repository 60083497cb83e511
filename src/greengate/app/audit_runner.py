"""How ``greengate audit --jobs N`` spreads an audit over worker processes, with one process's result.

The unit of work is a repository, or for a large one a chunk of its
folders: whole folders, never part of one, because the pipeline links the
documents of a folder together (scalers, node pools, Terraform clusters and
the workloads beside them). Units run in ``spawn``-started worker processes
(the same on every platform; the work function and its inputs are
picklable), and each returns rows, never a report with its documents, so
the parent's memory grows with the deployments, not the files. Results are
put back in the order of the units, whatever order the workers finish in, so
the report is the same byte for byte as with one process.
"""

from __future__ import annotations

import math
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from greengate.errors import ConfigError, GreengateError
from greengate.sources.discover import discover
from greengate.sources.files import SourceFile

CHUNK_FILES = (50, 1000)
"""The fewest and most files of one chunk: fewer repeat the set-up (config,
catalog, policies) too often, more make the progress line and the balance
between workers coarse."""

CHUNKS_PER_JOB = 4
"""Chunks per worker for a repository smaller than the largest chunk, so one
slow folder does not leave the other workers idle."""

Unit = TypeVar("Unit")
Result = TypeVar("Result")


@dataclass(frozen=True)
class Chunk:
    """What one unit of work checks of a repository: whole folders of its work tree, or all of it."""

    count: int
    """What the progress line counts: files found in it, or 1 for a repository at a ref."""
    files: tuple[SourceFile, ...] | None = None
    """The files, as discovery found them (picklable: work-tree files); None: found by the check."""


def jobs_of(jobs: int) -> int:
    """The worker processes ``--jobs`` asks for: 0 is one per CPU."""
    if jobs < 0:
        raise ConfigError(f"--jobs {jobs} is negative; give 1 or more, or 0 for one per CPU")
    return jobs or os.cpu_count() or 1


def folder_of(source: SourceFile) -> str:
    """The folder a file is linked within: the key the pipeline groups files by."""
    return str(source.path.parent)


def chunk_size(files: int, jobs: int) -> int:
    """How many files a chunk should hold for ``files`` files over ``jobs`` workers."""
    low, high = CHUNK_FILES
    return min(high, max(low, math.ceil(files / (CHUNKS_PER_JOB * max(jobs, 1)))))


def split(files: Sequence[SourceFile], size: int) -> tuple[Chunk, ...]:
    """Whole folders, in sorted order, packed into chunks of about ``size`` files.

    A chunk is closed once it holds ``size`` files or more, so a folder larger
    than ``size`` is a chunk of its own. Each chunk keeps its files in the
    order discovery found them, as the check would have read them.
    """
    by_folder: dict[str, list[SourceFile]] = {}
    for source in files:
        by_folder.setdefault(folder_of(source), []).append(source)
    groups: list[list[SourceFile]] = [[]]
    for folder in sorted(by_folder):
        if len(groups[-1]) >= size:
            groups.append([])
        groups[-1].extend(by_folder[folder])
    if len(groups) == 1:
        return (Chunk(len(files), tuple(files)),)
    order = {id(f): i for i, f in enumerate(files)}
    return tuple(Chunk(len(g), tuple(sorted(g, key=lambda f: order[id(f)]))) for g in groups)


def plan(path: Path, ref: str | None, jobs: int) -> tuple[Chunk, ...]:
    """The chunks to check ``path`` in: its work-tree files found once here, split by folder.

    At a ref (``--ref``, ``--history``) a repository is one unit, checked
    from git objects in one worker: what is spread then is the repositories
    and the sampled commits. A path that is a file is one unit too.
    """
    if ref is not None or not path.is_dir():
        return (Chunk(1),)
    files = discover([path])
    return split(files, chunk_size(len(files), jobs))


def run(
    work: Callable[[Unit], Result],
    units: Sequence[Unit],
    jobs: int,
    done: Callable[[int, Result], None] | None = None,
) -> list[Result]:
    """``work`` on every unit, by ``jobs`` worker processes, results in the units' order.

    ``work`` must be a module-level function and the units picklable; with
    one job (or one unit) everything runs in this process. ``done(i, result)``
    is called as each unit finishes. The first error stops the run: units
    not started are cancelled and the error is raised here (a worker that
    died, killed for memory say, is a :class:`GreengateError`).
    """
    if jobs <= 1 or len(units) <= 1:
        results = []
        for i, unit in enumerate(units):
            results.append(work(unit))
            if done is not None:
                done(i, results[-1])
        return results
    context = multiprocessing.get_context("spawn")
    finished: dict[int, Result] = {}
    with ProcessPoolExecutor(max_workers=min(jobs, len(units)), mp_context=context) as pool:
        futures: dict[Future[Result], int] = {pool.submit(work, u): i for i, u in enumerate(units)}
        try:
            for future in as_completed(futures):
                i = futures[future]
                finished[i] = future.result()
                if done is not None:
                    done(i, finished[i])
        except BrokenProcessPool:
            raise GreengateError(
                f"a worker process of --jobs {jobs} ended abruptly (killed, or out of memory?);"
                " run again with fewer --jobs"
            ) from None
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    return [finished[i] for i in range(len(units))]
