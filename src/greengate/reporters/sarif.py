"""SARIF 2.1.0, the format GitHub code scanning and other viewers import.

One run, one ``reportingDescriptor`` per rule of the report, one ``result`` per
failing, erroring, waived or baselined finding (passes and skips are not
results in SARIF's sense). Waived findings carry a ``suppression`` with the
waiver's justification; when the run used a baseline, every result has a
``baselineState``: ``unchanged`` for a finding in the baseline, ``new`` for
the others. File paths stay relative to ``%SRCROOT%`` so that the log can
be uploaded from any checkout.

Every consumer gets what it looks for: ``automationDetails.id`` (the run's
category, so two jobs in one repository keep their results apart),
``tool.driver.fullName``, a ``helpUri`` on every rule (built-in rules: their
row in docs/policies.md on the package's repository; user rules: the
policy's first reference link), ``versionControlProvenance`` when the run was
in git, and the offending line as the result's context snippet.

Code scanning keeps the first 5,000 results of a run ("Only the top 5,000
results will be included", GitHub docs, SARIF results limits, 2025), so at
most :data:`MAX_RESULTS` are written, most severe first; an invocation
notification says how many were left out and where they are.

``security-severity`` is deliberately left out: GitHub reads it only for rules
tagged ``security`` and would then present greengate's sustainability findings
as security alerts with a CVSS-like score, which they are not.
"""

from __future__ import annotations

import heapq
import re
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from greengate.records.finding import (
    MANIFEST_INVALID,
    MANIFEST_POLICY,
    MANIFEST_UNREADABLE,
    Finding,
    Severity,
    Status,
)
from greengate.records.location import Location
from greengate.records.report import Report, RuleInfo, VersionControl
from greengate.records.text import dumps

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI = "https://github.com/greengate-dev/greengate"
"""The project's repository when the installed package's metadata names none."""
SRCROOT = "%SRCROOT%"
REPOROOT = "REPOROOT"
"""The work tree's root, when greengate ran in a folder below it."""
FINGERPRINT_KEY = "greengateFingerprint/v1"
MAX_RESULTS = 5_000
"""Results code scanning keeps per run (GitHub docs, "SARIF results exceed limits", 2025)."""
MAX_SNIPPET = 500
"""Characters of a line shown whole as a snippet; a longer line (minified JSON) is cut
around the value, so 5,000 results on one huge line cannot make a huge file."""
_MANIFEST_HELP = {
    # greengate's own checks are explained in the README, not in the policy reference.
    MANIFEST_UNREADABLE: "README.md#bad-input",
    MANIFEST_INVALID: "README.md#bad-input",
}

_LEVELS = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "warning",
    Severity.INFO: "note",
}
RESULT_STATUSES = frozenset({Status.FAIL, Status.ERROR, Status.WAIVED, Status.EXISTING})
"""The findings that are results in SARIF's sense (passes and skips are not)."""
# Whether a manifest parses is certain; a policy verdict rests on catalog data.
_VERY_PRECISE_RULES = frozenset({MANIFEST_UNREADABLE, MANIFEST_INVALID})


def level(severity: Severity) -> str:
    return _LEVELS[severity]


def render(report: Report, *, color: bool = False) -> str:
    return dumps(sarif_log(report), indent=2) + "\n"


def sarif_log(report: Report) -> dict[str, Any]:
    rule_index = {rule.id: index for index, rule in enumerate(report.rules)}
    reported = sum(n for (status, _), n in report.counts.items() if status in RESULT_STATUSES)
    # The most severe, as sorted(...)[:MAX_RESULTS] would give, without holding them all.
    kept = heapq.nsmallest(MAX_RESULTS, report.having(RESULT_STATUSES), key=lambda f: f.priority)
    run: dict[str, Any] = {
        "tool": {"driver": driver(report.tool_version, report.rules)},
        "invocations": [_invocation(report, omitted=reported - len(kept))],
        "automationDetails": automation_details(report.category),
    }
    run.update(_roots(report.root, report.version_control))
    # PyYAML counts columns in code points, SARIF's default; said explicitly for viewers.
    run["columnKind"] = "unicodeCodePoints"
    run["results"] = [
        _result(
            finding,
            rule_index.get(finding.rule_id),
            baseline=report.baseline is not None,
            line=report.lines.get((finding.location.file, finding.location.line)),
        )
        for finding in kept
    ]
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def failed_run(message: str, version: str, category: str = "greengate") -> dict[str, Any]:
    """The log of a run that could not check (exit 2): the tool, no results, and why.

    Uploaded in place of a report, so the upload step after a failed check
    succeeds and code scanning shows the run as unsuccessful with the message,
    instead of a second, unrelated failure ("no such file").
    """
    run: dict[str, Any] = {
        "tool": {"driver": driver(version, ())},
        "invocations": [
            {
                "executionSuccessful": False,
                "exitCode": 2,
                "toolExecutionNotifications": [{"message": {"text": message}, "level": "error"}],
            }
        ],
        "automationDetails": automation_details(category),
        "results": [],
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def driver(version: str, rules: tuple[RuleInfo, ...]) -> dict[str, Any]:
    return {
        "name": "greengate",
        "fullName": f"greengate {version}: policy-as-code checks for AI deployment manifests",
        "version": version,
        "semanticVersion": version,
        "informationUri": repository_url(),
        "rules": [_descriptor(rule) for rule in rules],
    }


def automation_details(category: str) -> dict[str, str]:
    """``category/``: SARIF's id is ``category/instance``; code scanning reads the part
    before the last ``/`` as the category and needs no instance."""
    return {"id": f"{category.strip('/') or 'greengate'}/"}


@cache
def repository_url() -> str:
    """The repository the installed package's metadata names (``Project-URL: Repository``)."""
    from importlib import metadata  # about 30 ms: only when a SARIF report is written

    try:
        urls: list[str] = metadata.metadata("greengate").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        return INFORMATION_URI
    for entry in urls:
        label, _, url = str(entry).partition(",")
        if label.strip().lower() in ("repository", "source") and url.strip().startswith("https://"):
            return url.strip().rstrip("/")
    return INFORMATION_URI


def help_uri(rule: RuleInfo) -> str | None:
    """Where a rule is explained: a built-in rule's row in docs/policies.md (or the README
    for greengate's own checks), a user rule's first reference link."""
    if rule.builtin:
        page = _MANIFEST_HELP.get(rule.id)
        if page is None:
            page = (
                "README.md#waivers"
                if rule.policy == MANIFEST_POLICY
                else f"docs/policies.md#{rule.id}"
            )
        return f"{repository_url()}/blob/main/{page}"
    links = [ref for ref in rule.references if ref.startswith(("https://", "http://"))]
    return links[0] if links else None


def _roots(root: str, version_control: VersionControl | None) -> dict[str, Any]:
    """``originalUriBaseIds`` and ``versionControlProvenance``.

    The provenance maps the repository onto the folder paths are relative to,
    so a viewer finds a result's file at the revision: ``%SRCROOT%`` itself
    when greengate ran at the work tree's root, else ``%SRCROOT%`` is given
    relative to a ``REPOROOT`` base that the repository is mapped to.
    """
    source_root: dict[str, Any] = {"uri": root_uri(root)}
    bases: dict[str, Any] = {SRCROOT: source_root}
    if version_control is None:
        return {"originalUriBaseIds": bases}
    provenance: dict[str, Any] = {
        "repositoryUri": version_control.repository_uri,
        "revisionId": version_control.revision,
    }
    if version_control.branch:
        provenance["branch"] = version_control.branch
    if version_control.root:
        repo, here = (
            PurePosixPath(version_control.root),
            PurePosixPath(Path(root).absolute().as_posix()),
        )
        if here == repo:
            provenance["mappedTo"] = {"uriBaseId": SRCROOT}
        elif here.is_relative_to(repo):
            bases = {
                REPOROOT: {"uri": root_uri(version_control.root)},
                SRCROOT: {
                    "uri": quote(here.relative_to(repo).as_posix(), safe="/") + "/",
                    "uriBaseId": REPOROOT,
                },
            }
            provenance["mappedTo"] = {"uriBaseId": REPOROOT}
    return {"originalUriBaseIds": bases, "versionControlProvenance": [provenance]}


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
    uri = help_uri(rule)
    if uri is not None:
        descriptor["helpUri"] = uri
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


def _invocation(report: Report, *, omitted: int = 0) -> dict[str, Any]:
    invocation: dict[str, Any] = {"executionSuccessful": True, "exitCode": int(report.exit_code)}
    notifications = [{"message": {"text": note}, "level": "note"} for note in report.notes]
    if omitted:
        notifications.append(
            {
                "message": {
                    "text": f"{omitted} less severe result{'' if omitted == 1 else 's'} left out:"
                    f" code scanning keeps {MAX_RESULTS:,} per run, so this log holds the"
                    f" {MAX_RESULTS:,} most severe; the JSON report and the job summary count them all"
                },
                "level": "warning",
            }
        )
        invocation["properties"] = {"omittedResults": omitted}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return invocation


def _result(
    finding: Finding, rule_index: int | None, *, baseline: bool = False, line: str | None = None
) -> dict[str, Any]:
    result: dict[str, Any] = {"ruleId": finding.rule_id}
    if rule_index is not None:
        result["ruleIndex"] = rule_index
    result["level"] = "error" if finding.status is Status.ERROR else level(finding.severity)
    result["message"] = {"text": finding.message or finding.title or finding.rule_id}
    result["locations"] = [{"physicalLocation": _physical_location(finding.location, line)}]
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


def _physical_location(location: Location, line: str | None = None) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": artifact_location(location.file)}
    if location.line < 1:
        return physical  # about the whole file: SARIF has no line 0
    start = max(location.column, 1)
    region: dict[str, Any] = {"startLine": location.line, "startColumn": start}
    if location.end_line is not None:
        region["endLine"] = location.end_line
    if location.end_column is not None:
        # Both SARIF and greengate's Location put the end one past the last character.
        region["endColumn"] = location.end_column
    physical["region"] = region
    if line is None or location.end_line not in (None, location.line) or start > len(line) + 1:
        return physical  # a value over several lines: its first line would not contain it
    end = location.end_column if location.end_column is not None else len(line) + 1
    if end - start <= MAX_SNIPPET:
        region["snippet"] = {"text": line[start - 1 : end - 1]}
    context = context_region(location.line, line, start)
    first, last = context.get("startColumn", 1), context.get("endColumn", len(line) + 1)
    # A context region must be larger than the region and hold it, else it is left out.
    if first <= start and last >= end and (first, last) != (start, end):
        physical["contextRegion"] = context
    return physical


def context_region(number: int, line: str, column: int) -> dict[str, Any]:
    """The offending line as a snippet; a line too long to show whole, cut around ``column``."""
    if len(line) <= MAX_SNIPPET:
        return {"startLine": number, "snippet": {"text": line}}
    first = max(column - MAX_SNIPPET // 2, 1)
    last = min(first + MAX_SNIPPET, len(line) + 1)
    return {
        "startLine": number,
        "startColumn": first,
        "endColumn": last,
        "snippet": {"text": line[first - 1 : last - 1]},
    }
