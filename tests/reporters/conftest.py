"""One shared fixture of findings that every reporter test renders.

Reports are built by hand: reporters only render a finished Report, so their
tests need no manifests, policies or catalog.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from greengate.findings.baseline import BaselineEntry
from greengate.records.deployment import Deployment
from greengate.records.finding import Finding, Severity, Status
from greengate.records.location import Location
from greengate.records.report import Report, RuleInfo

ROOT = "/home/ci/work/platform-manifests"

RULES = (
    RuleInfo(
        id="GG001",
        policy="manifest",
        title="Manifest cannot be read",
        description="The file is not valid YAML or JSON. Nothing in it was checked.",
        severity=Severity.HIGH,
        remediation="Fix the syntax error at the reported line.",
        builtin=True,
    ),
    RuleInfo(
        id="GG101",
        policy="model-size",
        title="Model too large for its task",
        description="Right-sized models use a fraction of the energy of general-purpose ones.",
        severity=Severity.HIGH,
        remediation="Use a model of at most 13B parameters for summarization, or justify a waiver.",
        references=("https://example.org/right-sizing",),
        builtin=True,
    ),
    RuleInfo(
        id="GG201",
        policy="low-carbon-regions",
        title="Region grid is carbon-intensive",
        description="Deploy where the grid emits little CO2e per kWh.",
        severity=Severity.CRITICAL,
        remediation="Move the deployment to a region under 200 gCO2e/kWh, such as europe-north1.",
        builtin=True,
    ),
    RuleInfo(
        id="GG301",
        policy="rate-limits",
        title="Inference without rate limits",
        description="Unbounded inference traffic means unbounded energy use.",
        severity=Severity.MEDIUM,
        remediation="Declare spec.rateLimits.requestsPerMinute.",
        builtin=True,
    ),
    RuleInfo(
        id="GG401",
        policy="accelerator-generation",
        title="Accelerator generation too old",
        description="Older accelerators do less work per watt.",
        severity=Severity.LOW,
        remediation="Use an accelerator of the Ampere generation or newer.",
        builtin=True,
    ),
)

_TITLES = {rule.id: rule for rule in RULES}


def finding(
    rule_id: str,
    status: Status,
    message: str,
    file: str,
    line: int,
    column: int = 5,
    *,
    deployment: str = "support-summarizer",
    field: str = "",
    severity: Severity | None = None,
    end: tuple[int, int] | None = None,
    justification: str = "",
) -> Finding:
    rule = _TITLES.get(rule_id)
    made = Finding.make(
        rule_id=rule_id,
        policy=rule.policy if rule else "custom",
        severity=severity or (rule.severity if rule else Severity.MEDIUM),
        status=status,
        message=message,
        location=Location(file, line, column, *(end or (None, None))),
        deployment=deployment,
        field=field,
        remediation=rule.remediation if rule else "",
        title=rule.title if rule else "",
    )
    return replace(made, justification=justification) if justification else made


FINDINGS = (
    finding(
        "GG001",
        Status.ERROR,
        "cannot parse YAML: mapping values are not allowed here",
        "deploy/broken.yaml",
        3,
        9,
        deployment="",
    ),
    finding(
        "GG101",
        Status.FAIL,
        "model has 70B parameters; the limit for summarization is 13B",
        "deploy/summarizer.yaml",
        12,
        19,
        field="model.parameters",
        end=(12, 22),
    ),
    finding(
        "GG201",
        Status.FAIL,
        "region us-east-1 has a grid intensity of 379 gCO2e/kWh; the limit is 200",
        "deploy/summarizer.yaml",
        15,
        13,
        field="cloud.region",
        end=(15, 22),
    ),
    finding(
        "GG301",
        Status.FAIL,
        "inference deployment declares no rate limits",
        "deploy/summarizer.yaml",
        7,
        3,
        field="rateLimits",
    ),
    finding(
        "GG401",
        Status.PASS,
        "accelerator nvidia-l4 is recent enough",
        "deploy/summarizer.yaml",
        18,
        20,
    ),
    finding(
        "GG401",
        Status.FAIL,
        "accelerator nvidia-t4 (Turing) is older than Ampere",
        "deploy/chat/bot.yaml",
        20,
        20,
        deployment="chat-bot",
        field="hardware.accelerator",
        end=(20, 29),
    ),
    finding(
        "GG101",
        Status.WAIVED,
        "model has 34B parameters; the limit for code-generation is 13B",
        "deploy/chat/bot.yaml",
        11,
        19,
        deployment="chat-bot",
        field="model.parameters",
        justification="evaluation shows smaller models fail the quality bar (owner: team-chat, expires 2026-06-30)",
    ),
    finding(
        "GG301",
        Status.SKIP,
        "the policy applies to inference deployments only",
        "deploy/train.yaml",
        4,
        3,
        deployment="nightly-finetune",
    ),
    finding(
        "GG201",
        Status.PASS,
        "region europe-north1 is low-carbon",
        "deploy/chat/bot.yaml",
        14,
        13,
        deployment="chat-bot",
    ),
)


def deployment(name: str, file: str, line: int) -> Deployment:
    return Deployment(
        name=name, kind="AIDeployment", format="native", location=Location(file, line, 9)
    )


DEPLOYMENTS = (
    deployment("support-summarizer", "deploy/summarizer.yaml", 4),
    deployment("chat-bot", "deploy/chat/bot.yaml", 4),
    deployment("nightly-finetune", "deploy/train.yaml", 4),
)
FILES = (
    "deploy/broken.yaml",
    "deploy/chat/bot.yaml",
    "deploy/summarizer.yaml",
    "deploy/train.yaml",
)


def make_report(findings: tuple[Finding, ...] = FINDINGS, **changes: Any) -> Report:
    report = Report(
        findings=tuple(sorted(findings, key=lambda f: f.sort_key)),
        rules=RULES,
        deployments=DEPLOYMENTS,
        files=FILES,
        fail_on=Severity.MEDIUM,
        tool_version="0.1.0",
        root=ROOT,
    )
    return replace(report, **changes)


@pytest.fixture(autouse=True)
def _outside_github_actions(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same output whether the tests run locally or in a GitHub Actions job."""
    for name in ("GITHUB_ACTIONS", "GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def make_finding() -> Callable[..., Finding]:
    return finding


@pytest.fixture
def build_report() -> Callable[..., Report]:
    return make_report


@pytest.fixture
def report() -> Report:
    """Every status and severity: an unreadable file, gating and non-gating failures, a waiver."""
    return make_report()


def make_docs_report() -> Report:
    findings = (
        *(f for f in FINDINGS if f.rule_id == "GG101"),
        finding(
            "GG101",
            Status.PASS,
            "model has 350M parameters; the limit for embedding is 1B",
            "deploy/search.yaml",
            11,
            19,
            deployment="search-embeddings",
        ),
    )
    files = ("deploy/chat/bot.yaml", "deploy/search.yaml", "deploy/summarizer.yaml")
    deployments = (
        DEPLOYMENTS[0],
        DEPLOYMENTS[1],
        deployment("search-embeddings", "deploy/search.yaml", 4),
    )
    return make_report(findings, rules=(RULES[1],), files=files, deployments=deployments)


@pytest.fixture
def docs_report() -> Report:
    """The small report whose rendering docs/formats.md shows for every format."""
    return make_docs_report()


def make_baseline_report() -> Report:
    """A run with ``--baseline``: GG201 is recorded (existing), one recorded finding was fixed."""
    findings = tuple(
        replace(f, status=Status.EXISTING)
        if f.rule_id == "GG201" and f.status is Status.FAIL
        else f
        for f in FINDINGS
    )
    fixed = (
        BaselineEntry(
            file="deploy/old.yaml",
            deployment="legacy-bot",
            rule_id="GG401",
            field="hardware.accelerator",
            fingerprint="0123456789abcdef0123456789abcdef",
            message="accelerator nvidia-k80 (Kepler) is older than Ampere",
        ),
    )
    return make_report(
        findings,
        baseline=".greengate-baseline.json",
        fixed=fixed,
        notes=("1 finding of the baseline .greengate-baseline.json no longer fails",),
    )


@pytest.fixture
def baseline_report() -> Report:
    return make_baseline_report()


@pytest.fixture
def empty_report() -> Report:
    return make_report((), deployments=(), files=())


NASTY_MESSAGE = 'limit <13B> & "quoted", 100% sure: a\nsecond line\r\x07bell | pipe *star* [x](y)'


@pytest.fixture
def nasty_report() -> Report:
    """Characters every format has to escape, in messages, names and paths."""
    findings = (
        finding(
            "GG101",
            Status.FAIL,
            NASTY_MESSAGE,
            "deploy/a,b:c%d e#f.yaml",
            2,
            3,
            deployment='svc <"&">',
            end=(2, 9),
        ),
        finding(
            "GG001", Status.ERROR, "bad\x00byte\x1b[31m", "deploy/ünïcode.yaml", 1, 1, deployment=""
        ),
    )
    return make_report(findings)


@pytest.fixture
def many_findings() -> Callable[[int], Report]:
    """A report with ``n`` failing findings over ``n // 10`` files."""

    def make(n: int) -> Report:
        findings = tuple(
            finding(
                "GG101" if i % 2 else "GG201",
                Status.FAIL,
                f"finding number {i}: model has 70B parameters; the limit for summarization is 13B",
                f"deploy/team-{i // 10:03d}/service.yaml",
                10 + i % 10,
                deployment=f"service-{i:04d}",
                field=f"field{i}",
            )
            for i in range(n)
        )
        return make_report(findings)

    return make
