"""Machine-readable JSON, versioned; its schema ships as ``schemas/report.schema.json``."""

from __future__ import annotations

import io
import json
from typing import Any, TextIO

from greengate.records.finding import Finding
from greengate.records.report import Report
from greengate.records.text import Indented

SCHEMA_VERSION = "1.2"
"""Bumped in its major part when a field changes meaning or disappears.

1.1: ``justification`` on findings, status ``existing``, ``baseline`` and
``fixedSinceBaseline``. 1.2: ``notes`` on findings and ``summary.noted``.
"""


def finding_dict(finding: Finding) -> dict[str, Any]:
    loc = finding.location
    return {
        "ruleId": finding.rule_id,
        "policy": finding.policy,
        "title": finding.title,
        "severity": finding.severity.value,
        "status": finding.status.value,
        "message": finding.message,
        "remediation": finding.remediation,
        "deployment": finding.deployment,
        "field": finding.field,
        "file": loc.file,
        "line": loc.line,
        "column": loc.column,
        "endLine": loc.end_line,
        "endColumn": loc.end_column,
        "fingerprint": finding.fingerprint,
        "justification": finding.justification,
        "notes": list(finding.notes),
    }


def report_dict(report: Report, *, with_findings: bool = True) -> dict[str, Any]:
    return {
        "schemaVersion": SCHEMA_VERSION,
        "tool": {"name": "greengate", "version": report.tool_version},
        "failOn": report.fail_on.value,
        "exitCode": int(report.exit_code),
        "summary": {
            "files": len(report.files),
            "deployments": len(report.deployments),
            "findings": len(report.findings),
            "failing": report.failing,
            "noted": report.noted_count,
            "byStatus": report.count_by_status(),
            "bySeverity": report.count_by_severity(),
        },
        "notes": list(report.notes),
        "baseline": report.baseline,
        "fixedSinceBaseline": [entry.as_dict() for entry in report.fixed],
        "findings": [finding_dict(f) for f in report.findings] if with_findings else [],
        "deployments": [
            {
                "name": d.name,
                "kind": d.kind,
                "format": d.format,
                "file": d.file,
                "line": d.location.line,
            }
            for d in report.deployments
        ],
    }


_HOLE = "\x00findings\x00"


def write(report: Report, out: TextIO, *, color: bool = False) -> None:
    """Write the same text as ``json.dumps(report_dict(report), indent=2)``, finding by finding.

    Never ``NaN`` or ``Infinity`` (:func:`~greengate.records.text.dumps`): always valid JSON.

    A run over 10,000 deployments has ~130,000 findings: building all their
    dicts and then one string of them tripled the peak memory of a check.
    Each finding is written by one :class:`~greengate.records.text.Indented`
    at its depth in the document (2: in the list of findings of the report).
    """
    data = report_dict(report, with_findings=False)
    data["findings"] = _HOLE
    encoder = Indented(2)
    head, tail = encoder.dumps(data).split(json.dumps(_HOLE), 1)
    out.write(head)
    if not report.findings:
        out.write("[]")
    else:
        out.write("[\n    ")
        separator = ""
        for finding in report.findings:
            out.write(separator + encoder.dumps(finding_dict(finding), 2))
            separator = ",\n    "
        out.write("\n  ]")
    out.write(tail + "\n")


def render(report: Report, *, color: bool = False) -> str:
    buffer = io.StringIO()
    write(report, buffer)
    return buffer.getvalue()
