"""Owners against their yearly budgets: the per-owner half of carbon-budget."""

from __future__ import annotations

from greengate.aggregate.budgets import merged, owner_budgets
from greengate.records.audit import UNKNOWN, Total

OWNERS = (
    Total("chat", deployments=3, tco2e_year_high=12.0),
    Total("search", deployments=1, tco2e_year_high=1.0, unestimated=1),
    Total(UNKNOWN, deployments=2, tco2e_year_high=0.0, unestimated=2),
)


def test_each_owner_gets_its_own_budget_else_the_default() -> None:
    found = owner_budgets(OWNERS, {"chat": 10.0, "*": 5.0})
    assert [(b.owner, b.budget, b.over) for b in found] == [
        ("chat", 10.0, True),  # most over its budget first
        ("search", 5.0, False),
        (UNKNOWN, 5.0, False),
    ]
    assert found[1].unestimated == 1  # counted beside the sum, never as zero


def test_no_budget_means_no_row() -> None:
    assert owner_budgets(OWNERS, {"*": 0.0}) == ()
    assert [b.owner for b in owner_budgets(OWNERS, {"search": 2.0, "*": 0.0})] == ["search"]


def test_budgets_of_several_repositories_keep_the_lowest_and_say_so() -> None:
    budgets, notes = merged([{"chat": 10.0}, {"chat": 8.0, "*": 1.0}, {"chat": 8.0}])
    assert budgets == {"chat": 8.0, "*": 1.0}
    assert len(notes) == 1 and "the lower one is used" in notes[0]
