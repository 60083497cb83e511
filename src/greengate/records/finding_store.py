"""The findings of a run in report order, without holding every pass and skip: sorted runs, spilled to disk.

A check of 100,000 manifests makes about 1.3 million findings, six in seven
of them passes and skips. Held as records until the report was written they
took most of a gigabyte. Waivers, the baseline and ``--new-only`` only ever
change failing findings, so the check judges the others never: it hands
them to the store as they are made, a run (a batch of folders, or a worker's
chunk) at a time, and keeps only the findings it judges (failures, errors,
waived, existing) until it gives them to :meth:`FindingStore.hold`.

The store keeps its runs in memory up to :data:`SPILL_AFTER` findings, then
writes every run it holds to an unnamed temporary file (packed tuples,
pickled and compressed a frame at a time) and goes on. Iterating yields the
held findings and the runs merged in :attr:`Finding.sort_key` order, reading
one frame of each run at a time, as often as reporters ask; the counts
reporters need are kept as the findings arrive.

The order does not depend on how the files were split into runs: two
findings of different runs never have the same sort key (it names the
manifest, and a manifest is read in one run), and a run keeps the order its
findings were made in for equal keys, as one process would.
"""

from __future__ import annotations

import heapq
import itertools
import pickle
import tempfile
import zlib
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO

from greengate.records.finding import Finding, Severity, Status
from greengate.records.packed import PackedFinding, pack_finding, unpack_finding

STREAMED = frozenset({Status.PASS, Status.SKIP})
"""The statuses no judging changes (waivers, the baseline and ``--new-only`` change failures):
findings of these go to the store's runs as they are made."""

SPILL_AFTER = 150_000
"""Streamed findings held in memory before the store spills them to disk: about 75 MiB of
records, the passes and skips of some 13,000 manifests. A smaller check never pays for
packing and reading back."""

FRAME = 400
"""Findings per compressed frame: a merge holds one frame of each spilled run at a time."""

SortKey = tuple[str, int, int, str, str, str]


def _key(finding: Finding) -> SortKey:
    return finding.sort_key


@dataclass(frozen=True)
class _Spilled:
    frames: tuple[tuple[int, int], ...]
    """(offset, length) of each compressed frame in the spool file."""


@dataclass(frozen=True)
class _Run:
    first: SortKey
    last: SortKey
    held: Sequence[Finding] | _Spilled


def tally(findings: Iterable[Finding]) -> tuple[Counter[tuple[Status, Severity]], int]:
    """Findings counted by (status, severity), and how many carry notes."""
    counts: Counter[tuple[Status, Severity]] = Counter()
    noted = 0
    for finding in findings:
        counts[(finding.status, finding.severity)] += 1
        noted += bool(finding.notes)
    return counts, noted


class FindingStore(Collection[Finding]):
    """A run's findings: the judged ones held (:meth:`hold`), passes and skips in sorted runs
    (:meth:`stream`); iterated merged in :attr:`Finding.sort_key` order."""

    def __init__(self, *, spill_after: int | None = None) -> None:
        self._spill_after = SPILL_AFTER if spill_after is None else spill_after
        self._runs: list[_Run] = []
        self._in_memory = 0
        self._count = 0
        self._spool: IO[bytes] | None = None
        self.judged: tuple[Finding, ...] = ()
        """The findings given to :meth:`hold`, in sort-key order."""
        self.counts: Counter[tuple[Status, Severity]] = Counter()
        """The findings by (status, severity), counted as they were added."""
        self.noted = 0
        """How many findings carry a note."""

    def stream(self, findings: Iterable[Finding], *, ordered: bool = False) -> None:
        """One run of passes and skips (:data:`STREAMED`), in the order they were made
        (``ordered``: sorted by sort key already, as a worker sends them)."""
        run = list(findings) if ordered else sorted(findings, key=_key)
        if not run:
            return
        if any(f.status not in STREAMED for f in run):
            raise ValueError("only passes and skips are streamed; judged findings are held")
        self._add_counts(run)
        self._runs.append(_Run(run[0].sort_key, run[-1].sort_key, run))
        self._in_memory += len(run)
        if self._in_memory > self._spill_after:
            self._spill()

    def hold(self, findings: Iterable[Finding]) -> None:
        """The findings the check judged (any status), once judged: sorted here."""
        held = list(findings)
        self._add_counts(held)
        self.judged = tuple(sorted([*self.judged, *held], key=_key))

    def _add_counts(self, findings: Sequence[Finding]) -> None:
        counts, noted = tally(findings)
        self.counts.update(counts)
        self.noted += noted
        self._count += len(findings)

    @property
    def spilled(self) -> bool:
        """Whether some findings are on disk."""
        return self._spool is not None

    def close(self) -> None:
        """Remove the spool file now (it is unnamed: it also goes when the process ends)."""
        if self._spool is not None:
            self._spool.close()
            self._spool = None

    def __len__(self) -> int:
        return self._count

    def __contains__(self, item: object) -> bool:
        return any(item == finding for finding in self)

    def __iter__(self) -> Iterator[Finding]:
        lanes = [iter(self.judged)] if self.judged else []
        lanes.extend(self._lanes())
        if len(lanes) == 1:
            return lanes[0]
        return heapq.merge(*lanes, key=_key)

    def _lanes(self) -> list[Iterator[Finding]]:
        """The runs chained into as few lanes as keep each lane in order: runs of folders
        read one after another seldom overlap, and a merge of fewer lanes is faster."""
        lanes: list[list[_Run]] = []
        for run in sorted(self._runs, key=lambda r: r.first):
            lane = next((lane for lane in lanes if lane[-1].last < run.first), None)
            if lane is None:
                lanes.append([run])
            else:
                lane.append(run)
        return [itertools.chain.from_iterable(self._read(r) for r in lane) for lane in lanes]

    def _read(self, run: _Run) -> Iterator[Finding]:
        if not isinstance(run.held, _Spilled):
            yield from run.held
            return
        spool = self._spool
        if spool is None:
            raise ValueError("the store was closed: its spilled findings are gone")
        for offset, length in run.held.frames:
            spool.seek(offset)
            frame: list[PackedFinding] = pickle.loads(zlib.decompress(spool.read(length)))
            for packed in frame:
                yield unpack_finding(packed)

    def _spill(self) -> None:
        if self._spool is None:
            # Lives as long as the store (the report is written from it): closed by close().
            self._spool = tempfile.TemporaryFile(prefix="greengate-findings-")  # noqa: SIM115
        spool = self._spool
        spool.seek(0, 2)
        for i, run in enumerate(self._runs):
            if isinstance(run.held, _Spilled):
                continue
            frames = []
            for start in range(0, len(run.held), FRAME):
                chunk = [pack_finding(f) for f in run.held[start : start + FRAME]]
                data = zlib.compress(pickle.dumps(chunk, protocol=pickle.HIGHEST_PROTOCOL), 1)
                frames.append((spool.tell(), len(data)))
                spool.write(data)
            self._runs[i] = _Run(run.first, run.last, _Spilled(tuple(frames)))
        spool.flush()
        self._in_memory = 0
