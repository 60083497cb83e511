"""JUnit XML, the test-report format most CI systems display.

One ``<testsuite>`` per policy, one ``<testcase>`` per finding: a failing
finding is a ``<failure>``, an erroring one an ``<error>``, and skipped or
waived findings and findings in the baseline are ``<skipped>`` (with the
waiver's justification, or "in baseline"), so that the CI's counts match
greengate's.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable

from greengate.records.finding import Finding, Status
from greengate.records.report import Report
from greengate.records.text import escape_controls, printable

# XML 1.0 cannot carry these even as character references, so they are dropped.
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def render(report: Report, *, color: bool = False) -> str:
    root = ET.Element("testsuites", name="greengate")
    totals = dict.fromkeys(("tests", "failures", "errors", "skipped"), 0)
    for policy, findings in _by_policy(report.findings):
        suite = ET.SubElement(root, "testsuite", name=xml_text(policy))
        counts = _counts(findings)
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
        suite.extend(_testcase(finding) for finding in findings)
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    # A legacy workflow command (``##[``) is recognised anywhere in a CI log line;
    # ``&#35;`` is the same ``#`` to an XML reader.
    text = ET.tostring(root, encoding="unicode").replace("##[", "#&#35;[")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + text + "\n"


def xml_text(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids; ElementTree escapes the rest.

    The other control characters (DEL, C1, bidirectional overrides) are shown
    as escapes (:func:`~greengate.records.text.escape_controls`); tabs and line
    breaks are kept (in an attribute ElementTree writes them as ``&#10;``).
    """
    return escape_controls(_ILLEGAL_XML.sub("", text), keep="\t\n\r")


def _by_policy(findings: Iterable[Finding]) -> list[tuple[str, list[Finding]]]:
    groups: dict[str, list[Finding]] = {}
    for finding in findings:
        groups.setdefault(finding.policy, []).append(finding)
    return sorted(groups.items())


def _counts(findings: list[Finding]) -> dict[str, int]:
    statuses = [f.status for f in findings]
    return {
        "tests": len(statuses),
        "failures": statuses.count(Status.FAIL),
        "errors": statuses.count(Status.ERROR),
        "skipped": sum(statuses.count(s) for s in (Status.SKIP, Status.WAIVED, Status.EXISTING)),
    }


def _testcase(finding: Finding) -> ET.Element:
    loc = finding.location
    case = ET.Element(
        "testcase",
        classname=xml_text(f"greengate.{finding.policy}"),
        name=xml_text(f"{finding.rule_id} {finding.deployment or loc.file}"),
        file=xml_text(loc.file),
        line=str(loc.line),
    )
    if finding.status in (Status.FAIL, Status.ERROR):
        tag = "failure" if finding.status is Status.FAIL else "error"
        outcome = ET.SubElement(
            case, tag, message=xml_text(finding.message), type=finding.severity.value
        )
        outcome.text = xml_text(_details(finding))
    elif finding.status is Status.WAIVED:
        reason = f"waived: {finding.justification}" if finding.justification else "waived"
        ET.SubElement(case, "skipped", message=xml_text(reason))
    elif finding.status is Status.EXISTING:
        ET.SubElement(case, "skipped", message=xml_text(f"in baseline: {finding.message}"))
    elif finding.status is Status.SKIP:
        ET.SubElement(
            case, "skipped", message=xml_text(finding.message or "the policy does not apply")
        )
    return case


def _details(finding: Finding) -> str:
    """The text of a failure: its own lines, each value on one (a value cannot start a line)."""
    lines = [printable(finding.location), printable(finding.message)]
    if finding.remediation:
        lines += ["", f"How to fix: {printable(finding.remediation)}"]
    return "\n".join(lines)
