"""Owners against their yearly carbon budgets: the per-owner half of ``carbon-budget``.

A team sets ``ownerBudgets`` in the params of the built-in ``carbon-budget``
policy: owner -> tCO2e a year, and ``"*"`` for every owner without its own.
The audit sums each owner's high yearly estimates (``replicas.max``) and
compares them with the budget; deployments without an estimate are counted
beside the sum, never as zero.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from greengate.records.audit import UNKNOWN, OwnerBudget, Total

EVERY_OWNER = "*"


def owner_budgets(owners: Sequence[Total], budgets: Mapping[str, float]) -> tuple[OwnerBudget, ...]:
    """Each owner that has a budget (its own, else ``*``), most over its budget first."""
    out = []
    for total in owners:
        if total.key == UNKNOWN:
            budget = budgets.get(UNKNOWN, budgets.get(EVERY_OWNER))
        else:
            budget = budgets.get(total.key, budgets.get(EVERY_OWNER))
        if budget is None or budget <= 0:
            continue
        out.append(OwnerBudget(total.key, float(budget), total.tco2e_year_high, total.unestimated))
    return tuple(sorted(out, key=lambda b: (-(b.tco2e_year_high - b.budget), b.owner)))


def merged(budgets: Sequence[Mapping[str, float]]) -> tuple[dict[str, float], list[str]]:
    """One budget per owner from several repositories' configs: the lowest, with a note when they differ."""
    out: dict[str, float] = {}
    notes = []
    for one in budgets:
        for owner, value in one.items():
            if owner in out and out[owner] != value:
                notes.append(
                    f"owner {owner} has budgets of {out[owner]:g} and {value:g} tCO2e/year in"
                    " different repositories' configs; the lower one is used"
                )
            out[owner] = min(value, out.get(owner, value))
    return out, notes
