"""--new-only: existing means the same fingerprint about the same facts of the same document."""

from __future__ import annotations

from greengate.findings.existing import Judged, basis, judged, mark_existing
from greengate.records.deployment import Deployment, Fact
from greengate.records.finding import Finding, Severity, Status
from greengate.records.location import Location


def deployment(region: str, *, document: int = 0, line: int = 4) -> Deployment:
    where = Location("deploy/a.yaml", line, 9)
    return Deployment(
        name="svc",
        kind="AIDeployment",
        format="native",
        location=where,
        document=document,
        facts={"cloud.region": Fact(region, where), "replicas.max": Fact(2, where)},
    )


def finding(field: str = "cloud.region", line: int = 9) -> Finding:
    return Finding.make(
        rule_id="GG201",
        policy="p",
        severity=Severity.HIGH,
        status=Status.FAIL,
        message="bad region",
        location=Location("deploy/a.yaml", line, 13),
        deployment="svc",
        field=field,
    )


def test_the_same_facts_at_another_line_are_existing() -> None:
    before = judged(deployment("asia-south1"), [finding()])
    after = judged(deployment("asia-south1", line=40), [finding(line=44)])
    assert [f.status for f in mark_existing(after, before)] == [Status.EXISTING]


def test_a_reused_name_in_a_new_document_is_not_existing() -> None:
    before = judged(deployment("asia-south1"), [finding()])
    after = [
        *judged(deployment("asia-south1"), [finding()]),
        *judged(deployment("asia-south1", document=1), [finding(line=30)]),
    ]
    assert after[0].finding.fingerprint == after[1].finding.fingerprint
    assert [f.status for f in mark_existing(after, before)] == [Status.EXISTING, Status.FAIL]


def test_a_changed_value_of_the_field_is_not_existing() -> None:
    before = judged(deployment("asia-south1"), [finding()])
    after = judged(deployment("africa-south1"), [finding()])
    assert [f.status for f in mark_existing(after, before)] == [Status.FAIL]


def test_a_rule_without_a_field_compares_every_fact() -> None:
    old, new = deployment("asia-south1"), deployment("africa-south1")
    assert basis(old, finding(field="")) != basis(new, finding(field=""))
    assert basis(old, finding()) == basis(deployment("asia-south1", line=50), finding())


def test_findings_about_a_file_compare_by_fingerprint() -> None:
    unreadable = Judged(finding(field=""))
    assert [f.status for f in mark_existing([unreadable], [unreadable])] == [Status.EXISTING]
