"""Config defaults fill missing facts; they never override a declared one."""

from __future__ import annotations

from greengate.enrich.defaults import DefaultFact, DefaultsEntry, apply_defaults
from greengate.records.deployment import Deployment, Fact, FactSource
from greengate.records.location import Location

CONFIG = ".greengate.yaml"


def entry(index: int, paths: tuple[str, ...], **facts: object) -> DefaultsEntry:
    return DefaultsEntry(
        index,
        paths,
        tuple(
            DefaultFact(name, value, Location(CONFIG, 10 + i, 13))
            for i, (name, value) in enumerate(facts.items())
        ),
        Location(CONFIG, 9, 5),
    )


def deployment(**facts: object) -> Deployment:
    where = Location("k8s/eu/a.yaml", 5, 3)
    return Deployment(
        name="a",
        kind="Deployment",
        format="kubernetes",
        location=where,
        facts={k: Fact(v, where) for k, v in facts.items()},
        unresolved={"cloud.provider": Fact("${PROVIDER}", where)},
    )


def test_declared_facts_win_placeholders_are_replaced_later_entries_win() -> None:
    entries = [
        entry(
            0,
            ("k8s/**",),
            **{"cloud.region": "europe-west4", "cloud.provider": "gcp", "task": "chat"},
        ),
        entry(1, ("k8s/eu/**",), **{"task": "classification"}),
        entry(2, ("other/**",), **{"owner": "nobody"}),
    ]
    result = apply_defaults(deployment(**{"cloud.region": "us-east1"}), entries, "k8s/eu/a.yaml")
    assert result.facts["cloud.region"].value == "us-east1"
    assert result.facts["cloud.region"].source is FactSource.DECLARED
    provider = result.facts["cloud.provider"]
    assert (provider.value, provider.source, provider.location.line) == (
        "gcp",
        FactSource.CONFIG_DEFAULT,
        11,
    )
    assert provider.detail == (
        "cloud.provider is set by defaults[0] (k8s/**) of .greengate.yaml;"
        " the manifest's '${PROVIDER}' is a placeholder"
    )
    assert result.unresolved == {}
    assert result.facts["task"].value == "classification"
    assert "owner" not in result.facts


def test_no_default_outside_the_config_folder() -> None:
    original = deployment()
    assert apply_defaults(original, [entry(0, ("**",), owner="x")], None) is original
