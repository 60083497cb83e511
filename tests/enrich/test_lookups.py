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


def test_a_manifest_cannot_replace_the_grid_intensity_of_a_region_the_catalog_knows() -> None:
    region_at = Location("k8s/moe.yaml", 14, 13)
    deployment = Deployment(
        name="chat",
        kind="AIDeployment",
        format="native",
        location=Location("k8s/moe.yaml", 4, 9),
        facts={
            "cloud.provider": Fact("aws", region_at),
            "cloud.region": Fact("us-east-1", region_at),
            "cloud.gridIntensity": Fact(5, Location("k8s/moe.yaml", 15, 20)),
        },
    )
    fact = enrich(deployment, Catalog.builtin()).facts["cloud.gridIntensity"]
    published = Catalog.builtin().region("us-east-1", "aws")
    assert published is not None
    assert (fact.value, fact.source) == (float(published.grid_intensity), FactSource.CATALOG)
    assert "the manifest states 5 at line 15, which is not used" in fact.detail


def test_a_stated_grid_intensity_is_used_where_the_catalog_knows_no_region() -> None:
    where = Location("onprem.yaml", 9, 20)
    deployment = Deployment(
        name="lab",
        kind="AIDeployment",
        format="native",
        location=Location("onprem.yaml", 4, 9),
        facts={
            "cloud.region": Fact("our-basement", where),
            "cloud.gridIntensity": Fact(120, where),
        },
    )
    assert enrich(deployment, Catalog.builtin()).facts["cloud.gridIntensity"].value == 120
