"""Waivers: parsing inline ones, matching, expiry, unused ones."""

from __future__ import annotations

import datetime

from greengate.findings.waivers import Waiver, apply_waivers, parse_inline
from greengate.records.deployment import Deployment
from greengate.records.finding import Finding, Severity, Status
from greengate.records.location import Location

TODAY = datetime.date(2026, 6, 1)


def deployment(**annotations: str) -> Deployment:
    return Deployment(
        name="svc",
        kind="AIDeployment",
        format="native",
        location=Location("deploy/a.yaml", 4, 9),
        annotations=annotations,
        annotation_locations={k: Location("deploy/a.yaml", 7, 5) for k in annotations},
    )


def finding(
    rule: str = "GG201", status: Status = Status.FAIL, file: str = "deploy/a.yaml"
) -> Finding:
    return Finding.make(
        rule_id=rule,
        policy="p",
        severity=Severity.HIGH,
        status=status,
        message="bad region",
        location=Location(file, 13, 13),
        deployment="svc",
        field="cloud.region",
    )


def test_parse_inline_reads_reason_owner_and_expiry() -> None:
    waivers, problems = parse_inline(
        deployment(
            **{
                "greengate.dev/waive-GG201": " PPA region ; owner = team-a ; expires=2027-01-31 ",
                "greengate.dev/waive-GG401": "old fleet",
                "team.example/other": "not a waiver",
            }
        )
    )
    assert problems == []
    assert [(w.rule, w.reason, w.owner, w.expires, w.inline) for w in waivers] == [
        ("GG201", "PPA region", "team-a", datetime.date(2027, 1, 31), True),
        ("GG401", "old fleet", "", None, True),
    ]
    assert waivers[0].location == Location("deploy/a.yaml", 7, 5)


def test_a_malformed_inline_waiver_is_a_gg002_error() -> None:
    _, (problem,) = parse_inline(deployment(**{"greengate.dev/waive-GG201": "ok; expires: 2027"}))
    assert (problem.rule_id, problem.status, problem.deployment, problem.location.line) == (
        "GG002",
        Status.ERROR,
        "svc",
        7,
    )
    assert "'expires: 2027' is not key=value" in problem.message


def config_waiver(**fields: object) -> Waiver:
    values: dict[str, object] = {
        "rule": "GG201",
        "reason": "accepted",
        "location": Location(".greengate.yaml", 3, 5),
        "target": "deploy/**",
    }
    values.update(fields)
    return Waiver(**values)  # type: ignore[arg-type]


def apply(findings: list[Finding], waivers: list[Waiver]):  # type: ignore[no-untyped-def]
    return apply_waivers(
        findings, waivers, {}, today=TODAY, relative=lambda f: f, known_rules=["GG201", "GG401"]
    )


def test_target_deployment_and_rule_globs_all_have_to_match() -> None:
    result = apply(
        [finding(), finding("GG401"), finding(file="other/b.yaml")],
        [config_waiver(rule="GG2*", deployment="sv?")],
    )
    assert [f.status for f in result.findings] == [Status.WAIVED, Status.FAIL, Status.FAIL]


def test_only_failures_are_waived() -> None:
    result = apply([finding(status=Status.ERROR), finding(status=Status.PASS)], [config_waiver()])
    assert [f.status for f in result.findings] == [Status.ERROR, Status.PASS]
    assert result.notes == ["waiver .greengate.yaml:3 (GG201) matched no finding; remove it"]


def test_the_last_day_still_waives_the_day_after_does_not() -> None:
    on_the_day = apply([finding()], [config_waiver(expires=TODAY)])
    assert on_the_day.findings[0].status is Status.WAIVED
    after = apply([finding()], [config_waiver(expires=TODAY - datetime.timedelta(days=1))])
    assert after.findings[0].status is Status.FAIL
    assert after.expired == {finding().fingerprint}


def test_an_active_waiver_wins_over_an_expired_one() -> None:
    result = apply(
        [finding()],
        [config_waiver(expires=datetime.date(2020, 1, 1)), config_waiver(owner="b")],
    )
    assert result.findings[0].status is Status.WAIVED
    assert result.findings[0].justification == "accepted (owner b, waiver at .greengate.yaml:3)"
    assert result.notes == []


def test_inline_waivers_apply_to_their_own_deployment_only() -> None:
    (waiver,), _ = parse_inline(deployment(**{"greengate.dev/waive-GG201": "why"}))
    other = Finding.make(
        rule_id="GG201",
        policy="p",
        severity=Severity.HIGH,
        status=Status.FAIL,
        message="m",
        location=Location("deploy/a.yaml", 40, 1),
        deployment="other",
    )
    result = apply_waivers(
        [finding(), other],
        [],
        {("deploy/a.yaml", "svc"): [waiver]},
        today=TODAY,
        relative=lambda f: f,
    )
    assert [f.status for f in result.findings] == [Status.WAIVED, Status.FAIL]


def test_granted_inline_keeps_only_the_waivers_the_base_has() -> None:
    from greengate.findings.waivers import granted_inline

    head = deployment(**{"greengate.dev/waive-GG201": "why", "greengate.dev/waive-GG401": "new"})
    base = deployment(**{"greengate.dev/waive-GG201": "why"})
    result = granted_inline([head], [base], base_name="main")
    assert [w.rule for w in result.waivers[("deploy/a.yaml", "svc")]] == ["GG201"]
    (refused,) = result.findings
    assert (refused.rule_id, refused.status, refused.severity) == (
        "GG003",
        Status.FAIL,
        Severity.HIGH,
    )
    assert refused.location.line == 7 and "not at main" in refused.message


def test_granted_inline_a_changed_text_or_a_second_copy_is_not_granted() -> None:
    from greengate.findings.waivers import granted_inline

    base = deployment(**{"greengate.dev/waive-GG201": "why"})
    edited = deployment(**{"greengate.dev/waive-GG201": "why; expires=2099-01-01"})
    assert [f.rule_id for f in granted_inline([edited], [base]).findings] == ["GG003"]
    copy = deployment(**{"greengate.dev/waive-GG201": "why"})
    result = granted_inline([copy, copy], [base])
    assert len(result.waivers[("deploy/a.yaml", "svc")]) == 1
    assert [f.rule_id for f in result.findings] == ["GG003"]


def test_granted_inline_without_a_base_grants_every_waiver() -> None:
    from greengate.findings.waivers import granted_inline

    result = granted_inline([deployment(**{"greengate.dev/waive-GG201": "why"})])
    assert result.findings == [] and len(result.waivers[("deploy/a.yaml", "svc")]) == 1


def test_an_inline_waiver_that_knows_its_document_waives_only_there() -> None:
    from dataclasses import replace

    (waiver,), _ = parse_inline(deployment(**{"greengate.dev/waive-GG201": "why"}))
    first, second = finding(), replace(finding(), message="worse region")
    documents = {id(first): 0, id(second): 1}
    result = apply_waivers(
        [first, second],
        (),
        {("deploy/a.yaml", "svc"): [replace(waiver, document=0)]},
        today=TODAY,
        relative=lambda path: path,
        document_of=lambda f: documents.get(id(f)),
    )
    assert [f.status for f in result.findings] == [Status.WAIVED, Status.FAIL]
