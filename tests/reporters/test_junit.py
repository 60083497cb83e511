from __future__ import annotations

import xml.etree.ElementTree as ET

from greengate.records.report import Report
from greengate.reporters import junit


def parse(report: Report) -> ET.Element:
    return ET.fromstring(junit.render(report).encode("utf-8"))


def counts(element: ET.Element) -> dict[str, str]:
    return {key: element.attrib[key] for key in ("tests", "failures", "errors", "skipped")}


def test_one_suite_per_policy_with_its_counts(report: Report) -> None:
    root = parse(report)
    assert root.tag == "testsuites"
    assert counts(root) == {"tests": "9", "failures": "4", "errors": "1", "skipped": "2"}
    suites = {suite.attrib["name"]: counts(suite) for suite in root.iter("testsuite")}
    assert suites == {
        "accelerator-generation": {"tests": "2", "failures": "1", "errors": "0", "skipped": "0"},
        "low-carbon-regions": {"tests": "2", "failures": "1", "errors": "0", "skipped": "0"},
        "manifest": {"tests": "1", "failures": "0", "errors": "1", "skipped": "0"},
        "model-size": {"tests": "2", "failures": "1", "errors": "0", "skipped": "1"},
        "rate-limits": {"tests": "2", "failures": "1", "errors": "0", "skipped": "1"},
    }


def test_counts_match_the_children(report: Report) -> None:
    for suite in parse(report).iter("testsuite"):
        cases = suite.findall("testcase")
        assert int(suite.attrib["tests"]) == len(cases)
        assert int(suite.attrib["failures"]) == sum(len(c.findall("failure")) for c in cases)
        assert int(suite.attrib["errors"]) == sum(len(c.findall("error")) for c in cases)
        assert int(suite.attrib["skipped"]) == sum(len(c.findall("skipped")) for c in cases)


def test_a_failing_finding_is_a_failure_with_location_and_fix(report: Report) -> None:
    case = next(
        c for c in parse(report).iter("testcase") if c.attrib["name"] == "GG201 support-summarizer"
    )
    assert case.attrib == {
        "classname": "greengate.low-carbon-regions",
        "name": "GG201 support-summarizer",
        "file": "deploy/summarizer.yaml",
        "line": "15",
    }
    failure = case.find("failure")
    assert failure is not None
    assert failure.attrib == {
        "message": "region us-east-1 has a grid intensity of 379 gCO2e/kWh; the limit is 200",
        "type": "critical",
    }
    assert failure.text == (
        "deploy/summarizer.yaml:15:13\n"
        "region us-east-1 has a grid intensity of 379 gCO2e/kWh; the limit is 200\n\n"
        "How to fix: Move the deployment to a region under 200 gCO2e/kWh, such as europe-north1."
    )


def test_an_unreadable_file_is_an_error_named_after_the_file(report: Report) -> None:
    case = next(
        c for c in parse(report).iter("testcase") if c.attrib["classname"] == "greengate.manifest"
    )
    assert case.attrib["name"] == "GG001 deploy/broken.yaml"
    error = case.find("error")
    assert error is not None
    assert error.attrib["type"] == "high"


def test_waived_and_skipped_findings_are_skipped(report: Report) -> None:
    skipped = {
        c.attrib["name"]: s.attrib["message"]
        for c in parse(report).iter("testcase")
        for s in c.findall("skipped")
    }
    assert skipped == {
        "GG101 chat-bot": "waived: evaluation shows smaller models fail the quality bar (owner: team-chat, expires 2026-06-30)",
        "GG301 nightly-finetune": "the policy applies to inference deployments only",
    }


def test_a_passing_finding_is_an_empty_testcase(report: Report) -> None:
    case = next(
        c for c in parse(report).iter("testcase") if c.attrib["name"] == "GG401 support-summarizer"
    )
    assert list(case) == []


def test_special_characters_survive_and_illegal_ones_are_dropped(nasty_report: Report) -> None:
    root = parse(nasty_report)
    failure = root.find(".//failure")
    assert failure is not None
    # Attribute values keep their newlines (ElementTree writes them as &#10;); XML 1.0 drops \x07.
    assert (
        failure.attrib["message"]
        == 'limit <13B> & "quoted", 100% sure: a\nsecond line\rbell | pipe *star* [x](y)'
    )
    case = root.find(".//testcase[failure]")
    assert case is not None
    assert case.attrib["name"] == 'GG101 svc <"&">'
    assert case.attrib["file"] == "deploy/a,b:c%d e#f.yaml"
    error = root.find(".//error")
    assert error is not None
    assert error.attrib["message"] == "badbyte[31m"


def test_an_empty_report_is_an_empty_testsuites(empty_report: Report) -> None:
    root = parse(empty_report)
    assert counts(root) == {"tests": "0", "failures": "0", "errors": "0", "skipped": "0"}
    assert list(root) == []


def test_the_document_declares_utf8(report: Report) -> None:
    assert junit.render(report).startswith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites')


def test_a_finding_in_the_baseline_is_skipped(baseline_report: Report) -> None:
    case = next(
        c
        for c in parse(baseline_report).iter("testcase")
        if c.attrib["name"] == "GG201 support-summarizer" and c.find("skipped") is not None
    )
    skipped = case.find("skipped")
    assert skipped is not None
    assert skipped.attrib["message"] == (
        "in baseline: region us-east-1 has a grid intensity of 379 gCO2e/kWh; the limit is 200"
    )
    root = parse(baseline_report)
    assert (root.attrib["failures"], root.attrib["skipped"]) == ("3", "3")
