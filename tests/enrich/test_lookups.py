"""Catalog facts added to a deployment: what the catalog or the model's name says, and no more."""

from __future__ import annotations

from greengate.catalog import Catalog
from greengate.enrich.lookups import enrich
from greengate.records.deployment import Deployment, Fact, FactSource
from greengate.records.location import Location

WHERE = Location("k8s/moe.yaml", 12, 11)


def with_model(name: str) -> Deployment:
    return Deployment(
        name="moe",
        kind="Deployment",
        format="kubernetes",
        location=Location("k8s/moe.yaml", 4, 9),
        facts={"model.name": Fact(name, WHERE)},
    )


def test_an_expert_count_in_the_name_gives_the_active_parameters_not_the_total() -> None:
    facts = enrich(with_model("acme/tiny-moe-17B-16E-Instruct"), Catalog.builtin()).facts
    assert "model.parameters" not in facts
    active = facts["model.activeParameters"]
    assert (active.value, active.source, active.location) == (
        17_000_000_000,
        FactSource.NAME_PATTERN,
        WHERE,
    )
    assert "active parameters of a mixture of experts" in active.detail


def test_a_total_and_an_active_count_in_the_name_give_both() -> None:
    facts = enrich(with_model("acme/big-moe-235B-A22B"), Catalog.builtin()).facts
    assert facts["model.parameters"].value == 235_000_000_000
    assert facts["model.activeParameters"].value == 22_000_000_000
    assert facts["model.parameters"].detail == "size '235B and A22B' in the model name"


def test_a_dense_size_in_the_name_sets_only_the_total() -> None:
    facts = enrich(with_model("acme/dense-8B"), Catalog.builtin()).facts
    assert facts["model.parameters"].value == 8_000_000_000
    assert "model.activeParameters" not in facts
