"""The store of a check's findings: held and streamed runs merged in file order, spilled or not."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from greengate.records.finding import Finding, Severity, Status
from greengate.records.finding_store import STREAMED, FindingStore, tally
from greengate.records.location import Location
from greengate.records.packed import pack_finding, unpack_finding


def findings(count: int, seed: int) -> list[Finding]:
    """Findings of 12 manifests, with ties on everything but the manifest (config defaults),
    notes on some, every status."""
    rng = random.Random(seed)
    out = []
    for n in range(count):
        manifest = f"team-{rng.randrange(4)}/m{rng.randrange(3)}.yaml"
        in_config = rng.random() < 0.2
        out.append(
            Finding(
                rule_id=f"GG{300 + rng.randrange(5)}",
                policy="p",
                severity=rng.choice(list(Severity)),
                status=rng.choice(list(Status)),
                message=f"message {n}",
                location=Location(
                    ".greengate.yaml" if in_config else manifest,
                    rng.randrange(1, 30),
                    rng.randrange(1, 4),
                    None if rng.random() < 0.5 else rng.randrange(30, 40),
                    None,
                ),
                deployment=f"app-{rng.randrange(3)}",
                fingerprint=f"{n:032x}",
                manifest=manifest if in_config else "",
                notes=("a note",) if rng.random() < 0.1 else (),
            )
        )
    return out


def by_manifest(found: list[Finding]) -> dict[str, list[Finding]]:
    runs: dict[str, list[Finding]] = {}
    for finding in found:
        runs.setdefault(finding.file, []).append(finding)
    return runs


def store_of(found: list[Finding], partition: list[list[str]], spill_after: int) -> FindingStore:
    """``found`` as a check gives it: the streamed ones a run per group of manifests (each
    manifest in one run, as batches and workers read them), the rest held."""
    store = FindingStore(spill_after=spill_after)
    runs = by_manifest([f for f in found if f.status in STREAMED])
    for group in partition:
        store.stream([f for name in group for f in runs.get(name, [])])
    store.hold(f for f in found if f.status not in STREAMED)
    return store


@pytest.mark.parametrize("spill_after", [10**9, 0, 37])
def test_the_store_iterates_as_a_stable_sort_of_all_its_findings(spill_after: int) -> None:
    found = findings(3000, seed=spill_after)
    names = sorted(by_manifest(found))
    random.Random(1).shuffle(names)
    partition = [names[i : i + 5] for i in range(0, len(names), 5)]
    store = store_of(found, partition, spill_after)
    assert store.spilled == (spill_after < 3000)
    # On equal keys (one manifest), held findings first, then the streamed ones in the order
    # made: as a stable sort of held-then-streamed gives.
    streamed = [
        f
        for group in partition
        for n in group
        for f in by_manifest(found)[n]
        if f.status in STREAMED
    ]
    held = [f for f in found if f.status not in STREAMED]
    expected = sorted([*held, *streamed], key=lambda f: f.sort_key)
    first = list(store)
    assert first == expected
    assert list(store) == first  # read again from the spool: the same
    assert len(store) == len(found)
    assert (store.counts, store.noted) == tally(found)
    assert store.judged == tuple(sorted(held, key=lambda f: f.sort_key))
    assert found[0] in store


def test_the_order_does_not_depend_on_how_the_manifests_were_split() -> None:
    found = findings(2000, seed=7)
    names = sorted(by_manifest(found))
    one_run = list(store_of(found, [names], 10**9))
    rng = random.Random(3)
    for spill_after in (10**9, 50):
        shuffled = names[:]
        rng.shuffle(shuffled)
        partition = [[n] for n in shuffled]
        assert list(store_of(found, partition, spill_after)) == one_run


def test_runs_of_folders_read_in_order_are_chained_not_merged() -> None:
    store = FindingStore()
    for team in range(3):
        store.stream(
            Finding("GG301", "p", Severity.LOW, Status.PASS, "m", Location(f"t{team}/m.yaml", n, 1))
            for n in (2, 1)
        )
    assert len(store._lanes()) == 1
    assert [(f.location.file, f.location.line) for f in store] == [
        (f"t{t}/m.yaml", n) for t in range(3) for n in (1, 2)
    ]


def test_a_finding_that_judging_may_change_is_never_streamed() -> None:
    store = FindingStore()
    failing = Finding("GG301", "p", Severity.LOW, Status.FAIL, "m", Location("m.yaml", 1, 1))
    with pytest.raises(ValueError, match="only passes and skips"):
        store.stream([failing])
    assert len(store) == 0 and store.counts == Counter()


def test_a_closed_store_says_its_spilled_findings_are_gone() -> None:
    store = store_of(
        findings(200, seed=2), [[f"team-{t}/m{m}.yaml" for t in range(4) for m in range(3)]], 0
    )
    store.close()
    with pytest.raises(ValueError, match="closed"):
        list(store)


def test_a_packed_finding_unpacks_to_the_same_finding() -> None:
    for finding in findings(200, seed=5):
        assert unpack_finding(pack_finding(finding)) == finding
