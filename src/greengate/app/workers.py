"""How ``--jobs N`` spreads ``greengate check`` and ``greengate audit`` over worker processes, with one process's result.

The unit of work is a chunk of folders (for the audit: a repository, or for
a large one a chunk of its folders): whole folders, never part of one, because the pipeline links the
documents of a folder together (scalers, node pools, Terraform clusters and
the workloads beside them). Units run in ``spawn``-started worker processes
(the same on every platform; the work function and its inputs are
picklable), and each returns records (the audit's rows; the check's
findings and a summary of each deployment, packed as tuples), never
documents, so the parent's memory grows with the deployments, not the
files. Results are put back in the order of the units, whatever order the workers finish in, so
the report is the same byte for byte as with one process.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from greengate.errors import ConfigError, GreengateError
from greengate.sources.discover import discover
from greengate.sources.files import SourceFile

if TYPE_CHECKING:
    from concurrent.futures import Future

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


AUTO_MIN_FILES = 5000
"""The fewest files ``check --jobs auto`` (the default) starts worker processes for.

Each worker pays a spawned interpreter, greengate's imports and the
policies compiled (about 1.3 s of CPU with cel-python before its first
chunk), then sends back packed tuples (``app.check.pack``: 0.03 s to
pickle a chunk of 1,000 files; the whole records it sent before took 0.12 s
to pickle and 0.10 s to unpickle per 280 files). Measured on the 2-core
machine of the benchmarks with one other job running (load average 0.8 to
1.5), ``benchmarks/bench_check.py --jobs 1 2 --engines python``, same JSON
report: 2,000 files 7.75 s with one process, 7.78 s with two; 3,000 files
10.82 s and 10.41 s; 5,000 files 15.83 s and 14.00 s; 10,000 files 27.71 s
and 22.59 s. Below 5,000 files two workers gain nothing worth their memory.
With other jobs taking both cores (load average 3 and more) two workers
were slower at every size: two processes side by side there each use about
20% more CPU time than one alone.
"""


def cpus() -> int:
    """The CPUs this process may run on (its affinity, where the platform says), at least 1."""
    count = getattr(os, "process_cpu_count", None)  # Python 3.13
    if count is not None:
        return int(count() or 1)
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def jobs_of(jobs: int) -> int:
    """The worker processes ``--jobs`` asks for: 0 is one per CPU."""
    if jobs < 0:
        raise ConfigError(f"--jobs {jobs} is negative; give 1 or more, or 0 for one per CPU")
    return jobs or cpus()


def auto_jobs(files: int, cpu_count: int | None = None) -> int:
    """``--jobs auto`` for ``files`` files: one per CPU when there are enough to pay for starting
    them (:data:`AUTO_MIN_FILES`), else 1 so a small check runs in this process."""
    if files < AUTO_MIN_FILES:
        return 1
    return cpu_count if cpu_count is not None else cpus()


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
    *,
    meanwhile: Callable[[], object] | None = None,
    keep: bool = True,
) -> list[Result]:
    """``work`` on every unit, by ``jobs`` worker processes, results in the units' order.

    ``work`` must be a module-level function and the units picklable; with
    one job (or one unit) everything runs in this process. ``done(i, result)``
    is called as each unit finishes. The first error stops the run: units
    not started are cancelled and the error is raised here (a worker that
    died, killed for memory say, is a :class:`GreengateError`). ``meanwhile()``
    runs in this process once the units are handed out, while the workers
    start and work (in one process: before the units); its error stops the run too.
    With ``keep`` false the results are not kept once ``done`` has them (it consumes
    them: the check's streamed findings), and the list returned is empty.
    """
    if jobs <= 1 or len(units) <= 1:
        if meanwhile is not None:
            meanwhile()
        results = []
        for i, unit in enumerate(units):
            result = work(unit)
            if keep or done is None:
                results.append(result)
            if done is not None:
                done(i, result)
        return results
    # Imported here: a run of one process does without them (about 20 ms at start-up).
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    context = multiprocessing.get_context("spawn")
    finished: dict[int, Result] = {}
    with ProcessPoolExecutor(max_workers=min(jobs, len(units)), mp_context=context) as pool:
        futures: dict[Future[Result], int] = {pool.submit(work, u): i for i, u in enumerate(units)}
        try:
            if meanwhile is not None:
                meanwhile()
            for future in as_completed(futures):
                i = futures[future]
                result = future.result()
                del futures[future]  # the future holds the result too
                if keep or done is None:
                    finished[i] = result
                if done is not None:
                    done(i, result)
        except BrokenProcessPool:
            raise GreengateError(
                f"a worker process of --jobs {jobs} ended abruptly (killed, or out of memory?);"
                " run again with fewer --jobs"
            ) from None
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    return [finished[i] for i in sorted(finished)]
