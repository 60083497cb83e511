"""SARIF 2.1.0, the format GitHub code scanning and other viewers import.

One run, one ``reportingDescriptor`` per rule of the report, one ``result`` per
failing, erroring, waived or baselined finding (passes and skips are not
results in SARIF's sense). Waived findings carry a ``suppression`` with the
waiver's justification; when the run used a baseline, every result has a
``baselineState``: ``unchanged`` for a finding in the baseline, ``new`` for
the others. File paths stay relative to ``%SRCROOT%`` so that the log can
be uploaded from any checkout.

``security-severity`` is deliberately left out: GitHub reads it only for rules
tagged ``security`` and would then present greengate's sustainability findings
as security alerts with a CVSS-like score, which they are not.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from greengate.records.finding import (
    MANIFEST_INVALID,
    MANIFEST_UNREADABLE,
    Finding,
    Severity,
    Status,
)
from greengate.records.location import Location
from greengate.records.report import Report, RuleInfo
from greengate.records.text import dumps

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI = "https://github.com/greengate-dev/greengate"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "greengateFingerprint/v1"

_LEVELS = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "warning",
    Severity.INFO: "note",
}
_RESULT_STATUSES = (Status.FAIL, Status.ERROR, Status.WAIVED, Status.EXISTING)
# Whether a manifest parses is certain; a policy verdict rests on catalog data.
_VERY_PRECISE_RULES = frozenset({MANIFEST_UNREADABLE, MANIFEST_INVALID})


def level(severity: Severity) -> str:
    return _LEVELS[severity]


def render(report: Report, *, color: bool = False) -> str:
    return dumps(sarif_log(report), indent=2) + "\n"


def sarif_log(report: Report) -> dict[str, Any]:
    rule_index = {rule.id: index for index, rule in enumerate(report.rules)}
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "greengate",
                "version": report.tool_version,
                "semanticVersion": report.tool_version,
                "informationUri": INFORMATION_URI,
                "rules": [_descriptor(rule) for rule in report.rules],
            }
        },
        "invocations": [_invocation(report)],
        "originalUriBaseIds": {SRCROOT: {"uri": root_uri(report.root)}},
        # PyYAML counts columns in code points, SARIF's default; said explicitly for viewers.
        "columnKind": "unicodeCodePoints",
        "results": [
            _result(finding, rule_index.get(finding.rule_id), baseline=report.baseline is not None)
            for finding in report.findings
            if finding.status in _RESULT_STATUSES
        ],
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def root_uri(root: str) -> str:
    """The file URI of the run's root folder, with the trailing slash SARIF requires."""
    uri = Path(root).absolute().as_uri()
    return uri if uri.endswith("/") else uri + "/"


def artifact_location(file: str) -> dict[str, str]:
    """A relative path as a percent-encoded URI reference against ``%SRCROOT%``.

    ``quote`` also encodes ``:``, so ``a:b.yaml`` cannot be read as a URI scheme.
    """
    if PurePosixPath(file).is_absolute():
        return {"uri": "file://" + quote(file, safe="/")}
    return {"uri": quote(file, safe="/"), "uriBaseId": SRCROOT}


def _descriptor(rule: RuleInfo) -> dict[str, Any]:
    title = rule.title or rule.id
    descriptor: dict[str, Any] = {
        "id": rule.id,
        "name": camel_case(title) or rule.id,
        "shortDescription": {"text": title},
    }
    if rule.description:
        descriptor["fullDescription"] = {"text": rule.description}
    if rule.remediation:
        descriptor["help"] = {"text": rule.remediation, "markdown": _help_markdown(rule)}
    links = [ref for ref in rule.references if ref.startswith(("https://", "http://"))]
    if links:
        descriptor["helpUri"] = links[0]
    descriptor["defaultConfiguration"] = {"level": level(rule.severity)}
    descriptor["properties"] = {
        "tags": ["sustainability", rule.policy],
        "precision": "very-high" if rule.id in _VERY_PRECISE_RULES else "high",
        "severity": rule.severity.value,
    }
    return descriptor


def camel_case(title: str) -> str:
    return "".join(word[:1].upper() + word[1:] for word in re.findall(r"[A-Za-z0-9]+", title))


def _help_markdown(rule: RuleInfo) -> str:
    parts = [f"**How to fix:** {rule.remediation}"]
    if rule.references:
        parts.append("References:\n\n" + "\n".join(f"- {ref}" for ref in rule.references))
    return "\n\n".join(parts)


def _invocation(report: Report) -> dict[str, Any]:
    invocation: dict[str, Any] = {"executionSuccessful": True, "exitCode": int(report.exit_code)}
    if report.notes:
        invocation["toolExecutionNotifications"] = [
            {"message": {"text": note}, "level": "note"} for note in report.notes
        ]
    return invocation


def _result(finding: Finding, rule_index: int | None, *, baseline: bool = False) -> dict[str, Any]:
    result: dict[str, Any] = {"ruleId": finding.rule_id}
    if rule_index is not None:
        result["ruleIndex"] = rule_index
    result["level"] = "error" if finding.status is Status.ERROR else level(finding.severity)
    result["message"] = {"text": finding.message or finding.title or finding.rule_id}
    result["locations"] = [{"physicalLocation": _physical_location(finding.location)}]
    if finding.fingerprint:
        result["partialFingerprints"] = {FINGERPRINT_KEY: finding.fingerprint}
    if finding.status is Status.WAIVED:
        suppression: dict[str, str] = {"kind": "external", "status": "accepted"}
        if finding.justification:
            suppression["justification"] = finding.justification
        result["suppressions"] = [suppression]
    if baseline:
        result["baselineState"] = "unchanged" if finding.status is Status.EXISTING else "new"
    result["properties"] = {
        "deployment": finding.deployment,
        "policy": finding.policy,
        "field": finding.field,
        "severity": finding.severity.value,
        "status": finding.status.value,
    }
    return result


def _physical_location(location: Location) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": artifact_location(location.file)}
    if location.line < 1:
        return physical  # about the whole file: SARIF has no line 0
    region: dict[str, int] = {"startLine": location.line, "startColumn": max(location.column, 1)}
    if location.end_line is not None:
        region["endLine"] = location.end_line
    if location.end_column is not None:
        # Both SARIF and greengate's Location put the end one past the last character.
        region["endColumn"] = location.end_column
    physical["region"] = region
    return physical
