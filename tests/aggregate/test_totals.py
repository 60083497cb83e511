"""Totals per dimension: sums of the rows, shares of the whole, unknowns counted not hidden."""

from __future__ import annotations

import random

import pytest

from greengate.aggregate.totals import NO_FAILURE, accelerators_of, group, summarise, total_of
from greengate.records.audit import UNKNOWN, AuditRow, Estimate


def row(name: str, high: float | None, **kw: object) -> AuditRow:
    estimate = Estimate(
        kwh_year_low=None if high is None else high * 500,
        kwh_year_high=None if high is None else high * 1000,
        tco2e_year_low=None if high is None else high / 2,
        tco2e_year_high=high,
    )
    return AuditRow(
        "repo", f"{name}.yaml", 1, "native", "AIDeployment", name, estimate=estimate, **kw
    )  # type: ignore[arg-type]


ROWS = [
    row(
        "a",
        4.0,
        owner="ml",
        provider="aws",
        region="us-east-1",
        count=2.0,
        replicas_max=3,
        failing=("GG201",),
    ),
    row("b", 1.0, owner="ml", provider="gcp", region="europe-north1", count=1.0),
    row(
        "c",
        None,
        owner="",
        provider="aws",
        region="us-east-1",
        count=0.5,
        failing=("GG201", "GG901"),
    ),
]


def test_groups_sum_their_rows_and_share_the_whole() -> None:
    overall, totals = summarise(ROWS)
    assert (overall.deployments, overall.tco2e_year_high, overall.unestimated) == (3, 5.0, 1)
    assert overall.accelerators == 2 * 3 + 1 + 0.5  # no replicas stated: one replica
    owners = {t.key: t for t in totals["owner"]}
    assert owners["ml"].tco2e_year_high == 5.0 and owners["ml"].share == 1.0
    assert owners[UNKNOWN].deployments == 1 and owners[UNKNOWN].unestimated == 1
    regions = [t.key for t in totals["region"]]
    assert regions == ["aws us-east-1", "gcp europe-north1"]
    policy = {t.key: t.deployments for t in totals["policy"]}
    assert policy == {"GG201": 2, "GG901": 1, NO_FAILURE: 1}


def test_groups_are_ranked_by_emissions_then_name() -> None:
    ranked = group(ROWS, "provider")
    assert [t.key for t in ranked] == ["aws", "gcp"]
    assert ranked[0].share == pytest.approx(0.8)


def test_the_order_of_the_rows_does_not_change_a_bit_of_the_totals() -> None:
    rows = [row(f"r{i}", random.Random(i).random() * 1e3, owner=f"o{i % 7}") for i in range(500)]
    shuffled = rows[:]
    random.Random(1).shuffle(shuffled)
    assert summarise(rows) == summarise(shuffled)
    assert total_of(rows) == total_of(reversed(rows))


def test_accelerators_are_counted_at_the_maximum_replicas() -> None:
    assert accelerators_of(row("x", 1.0, count=1 / 6, replicas_max=6)) == pytest.approx(1.0)
    assert accelerators_of(row("x", 1.0)) == 0.0
