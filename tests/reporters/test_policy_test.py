"""``greengate test``'s reporters: built from hand-made results, as the other reporter tests are."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from greengate.records.location import Location
from greengate.records.policy_test import CaseResult, RuleCoverage, TestRun, Untested
from greengate.reporters.policy_test import render_json, render_junit, render_text

HOSTILE = "\x1b[31mred\x1b[0m\n::error::pwned"

RUN = TestRun(
    cases=(
        CaseResult("passes", "p", Location("p.yaml", 20, 7), exercised=(("R1", "pass"),)),
        CaseResult(HOSTILE, "p", Location("p.yaml", 30, 7), failures=(f"R1 on 'x': {HOSTILE}",)),
    ),
    coverage=(RuleCoverage("R1", "p", Location("p.yaml", 9, 11), 1, 0),),
    untested=(
        Untested("R1", "p", Location("p.yaml", 9, 11), "no passing case makes the rule fail"),
    ),
    policies=1,
)


def test_text_escapes_what_a_policy_or_manifest_wrote() -> None:
    out = render_text(RUN, coverage=True)
    assert "\x1b" not in out and "\n::error::" not in out
    assert (
        out.splitlines()[-1]
        == "FAIL  1 failed, 1 passed, 1 without a failing case  (2 cases, 1 policy, 1 rule)"
    )
    assert "  R1  p  pass 1, fail 0  (not both exercised)" in out
    assert "FAIL  require-tests: R1  (p.yaml:9)" in out


def test_an_empty_run_says_why_it_fails() -> None:
    out = render_text(TestRun((), ()))
    assert (
        out
        == "FAIL  no case ran: add spec.examples to a policy or write a *.greengate-test.yaml  (0 cases, 0 policies, 0 rules)\n"
    )


def test_junit_counts_the_require_tests_suite_and_stays_valid_xml() -> None:
    root = ET.fromstring(render_junit(RUN).encode("utf-8"))
    assert (root.attrib["tests"], root.attrib["failures"]) == ("3", "2")
    suites = {s.attrib["name"]: s for s in root.findall("testsuite")}
    assert list(suites) == ["p", "require-tests"]
    (untested,) = suites["require-tests"].findall("testcase")
    assert untested.attrib["name"] == "R1" and untested.find("failure") is not None
    assert all(
        int(s.attrib["failures"]) == sum(len(c.findall("failure")) for c in s.findall("testcase"))
        for s in suites.values()
    )


def test_json_keeps_the_text_as_written() -> None:
    document = json.loads(render_json(RUN))
    assert document["cases"][1]["name"] == HOSTILE
    assert document["untested"][0]["line"] == 9 and document["exitCode"] == 1
