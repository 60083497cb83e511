"""Machine-readable JSON, versioned; its schema ships as ``schemas/report.schema.json``."""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from typing import Any, TextIO

from greengate.records.deployment import Deployment
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


def deployment_dict(deployment: Deployment) -> dict[str, Any]:
    return {
        "name": deployment.name,
        "kind": deployment.kind,
        "format": deployment.format,
        "file": deployment.file,
        "line": deployment.location.line,
    }


def report_dict(report: Report, *, with_lists: bool = True) -> dict[str, Any]:
    """The report as JSON data; without ``with_lists``, its findings and deployments empty."""
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
        "findings": [finding_dict(f) for f in report.findings] if with_lists else [],
        "deployments": [deployment_dict(d) for d in report.deployments] if with_lists else [],
    }


_HOLE = "\x00list\x00"


def write(report: Report, out: TextIO, *, color: bool = False) -> None:
    """Write the same text as ``json.dumps(report_dict(report), indent=2)``, item by item.

    Never ``NaN`` or ``Infinity`` (:func:`~greengate.records.text.dumps`): always valid JSON.

    A run over 100,000 deployments has ~1.3 million findings: building all
    their dicts and then one string of them tripled the peak memory of a
    check, and the deployments' took 30 MiB more. Each finding and each
    deployment is written by one :class:`~greengate.records.text.Indented` at
    its depth in the document (2: in a list of the report), as it is read.
    """
    data = report_dict(report, with_lists=False)
    data["findings"] = data["deployments"] = _HOLE
    encoder = Indented(2)
    head, middle, tail = encoder.dumps(data).split(json.dumps(_HOLE))
    out.write(head)
    _write_list(out, encoder, map(finding_dict, report.findings))
    out.write(middle)
    _write_list(out, encoder, map(deployment_dict, report.deployments))
    out.write(tail + "\n")


def _write_list(out: TextIO, encoder: Indented, items: Iterable[dict[str, Any]]) -> None:
    separator = "[\n    "
    for item in items:
        out.write(separator + encoder.dumps(item, 2))
        separator = ",\n    "
    out.write("[]" if separator.startswith("[") else "\n  ]")


def render(report: Report, *, color: bool = False) -> str:
    buffer = io.StringIO()
    write(report, buffer)
    return buffer.getvalue()
