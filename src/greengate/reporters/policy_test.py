"""``greengate test`` results as text, JSON or JUnit XML.

Text: one ``PASS``/``FAIL`` line per case with where it is written, under a
failing case what was expected and what happened, the ``--require-tests``
failures, ``--coverage`` per rule, one summary line. JSON carries the same
(coverage always). JUnit: one ``<testsuite>`` per policy or test file, one
``<testcase>`` per case (a failing one has a ``<failure>`` with every
sentence), and a ``require-tests`` suite for the rules and policies no case
makes fail, so the CI's counts match greengate's.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from greengate import __version__
from greengate.records.location import Location
from greengate.records.policy_test import CaseResult, TestRun
from greengate.records.text import dumps, printable
from greengate.reporters.junit import xml_text

REQUIRE_TESTS = "require-tests"


def _where(location: Location) -> str:
    return f"{location.file}:{location.line}"


def render_text(run: TestRun, *, coverage: bool = False) -> str:
    lines: list[str] = []
    for case in run.cases:
        verdict = "PASS" if case.passed else "FAIL"
        lines.append(f"{verdict}  {printable(case.title)}  ({printable(_where(case.location))})")
        lines.extend(f"      {printable(failure)}" for failure in case.failures)
    for item in run.untested:
        lines.append(
            f"FAIL  {REQUIRE_TESTS}: {printable(item.subject)}  ({printable(_where(item.location))})"
        )
        lines.append(f"      {printable(item.message)}")
    if coverage:
        lines.append("")
        lines.append("Coverage: passing cases in which each rule passes and fails")
        width = max((len(printable(r.rule)) for r in run.coverage), default=0)
        policy_width = max((len(printable(r.policy)) for r in run.coverage), default=0)
        for rule in run.coverage:
            gap = "" if rule.complete else "  (not both exercised)"
            lines.append(
                f"  {printable(rule.rule):<{width}}  {printable(rule.policy):<{policy_width}}"
                f"  pass {rule.passes}, fail {rule.fails}{gap}"
            )
        complete = sum(1 for r in run.coverage if r.complete)
        lines.append(f"  {complete} of {len(run.coverage)} rules have both outcomes exercised")
    lines.append(_summary(run))
    return "\n".join(lines) + "\n"


def _summary(run: TestRun) -> str:
    failed = len(run.failed)
    parts = [f"{len(run.cases) - failed} passed"]
    if failed:
        parts.insert(0, f"{failed} failed")
    if run.untested:
        parts.append(f"{len(run.untested)} without a failing case")
    if not run.cases:
        parts = ["no case ran: add spec.examples to a policy or write a *.greengate-test.yaml"]
    verdict = "FAIL" if run.exit_code else "PASS"
    scope = (
        f"{len(run.cases)} case{'s' if len(run.cases) != 1 else ''}, "
        f"{run.policies} polic{'ies' if run.policies != 1 else 'y'}, "
        f"{len(run.coverage)} rule{'s' if len(run.coverage) != 1 else ''}"
    )
    return f"{verdict}  {', '.join(parts)}  ({scope})"


def run_dict(run: TestRun) -> dict[str, Any]:
    return {
        "tool": {"name": "greengate", "version": __version__},
        "exitCode": int(run.exit_code),
        "summary": {
            "cases": len(run.cases),
            "passed": len(run.cases) - len(run.failed),
            "failed": len(run.failed),
            "untested": len(run.untested),
            "policies": run.policies,
            "rules": len(run.coverage),
        },
        "cases": [_case_dict(c) for c in run.cases],
        "untested": [
            {
                "subject": u.subject,
                "policy": u.policy,
                "file": u.location.file,
                "line": u.location.line,
                "message": u.message,
            }
            for u in run.untested
        ],
        "coverage": [
            {
                "rule": r.rule,
                "policy": r.policy,
                "file": r.location.file,
                "line": r.location.line,
                "passes": r.passes,
                "fails": r.fails,
            }
            for r in run.coverage
        ],
    }


def _case_dict(case: CaseResult) -> dict[str, Any]:
    return {
        "name": case.name,
        "group": case.group,
        "file": case.location.file,
        "line": case.location.line,
        "status": "pass" if case.passed else "fail",
        "failures": list(case.failures),
    }


def render_json(run: TestRun) -> str:
    return dumps(run_dict(run), indent=2) + "\n"


def render_junit(run: TestRun) -> str:
    root = ET.Element("testsuites", name="greengate test")
    groups: dict[str, list[ET.Element]] = {}
    failures: dict[str, int] = {}
    for case in run.cases:
        groups.setdefault(case.group, []).append(_testcase(case))
        failures[case.group] = failures.get(case.group, 0) + (0 if case.passed else 1)
    for item in run.untested:
        element = ET.Element(
            "testcase",
            classname=xml_text(f"greengate.test.{REQUIRE_TESTS}"),
            name=xml_text(item.subject),
            file=xml_text(item.location.file),
            line=str(item.location.line),
        )
        failure = ET.SubElement(element, "failure", message=xml_text(item.message))
        failure.text = xml_text(f"{_where(item.location)}\n{item.message}")
        groups.setdefault(REQUIRE_TESTS, []).append(element)
        failures[REQUIRE_TESTS] = failures.get(REQUIRE_TESTS, 0) + 1
    total = 0
    for group, cases in groups.items():
        suite = ET.SubElement(root, "testsuite", name=xml_text(group))
        suite.set("tests", str(len(cases)))
        suite.set("failures", str(failures[group]))
        suite.set("errors", "0")
        suite.set("skipped", "0")
        suite.extend(cases)
        total += len(cases)
    root.set("tests", str(total))
    root.set("failures", str(sum(failures.values())))
    root.set("errors", "0")
    root.set("skipped", "0")
    ET.indent(root)
    text = ET.tostring(root, encoding="unicode").replace("##[", "#&#35;[")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + text + "\n"


def _testcase(case: CaseResult) -> ET.Element:
    element = ET.Element(
        "testcase",
        classname=xml_text(f"greengate.test.{case.group}"),
        name=xml_text(case.name),
        file=xml_text(case.location.file),
        line=str(case.location.line),
    )
    if case.failures:
        failure = ET.SubElement(element, "failure", message=xml_text(case.failures[0]))
        failure.text = xml_text(
            "\n".join([_where(case.location), *(printable(f) for f in case.failures)])
        )
    return element
