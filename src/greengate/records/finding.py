"""Findings: the result of one rule on one deployment (or one unreadable file)."""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass

from greengate.records.location import Location


class Severity(str, enum.Enum):
    """Severities in increasing order; ``--fail-on`` compares against this order."""

    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _SEVERITY_ORDER.index(self)

    def at_least(self, other: Severity) -> bool:
        return self.rank >= other.rank


_SEVERITY_ORDER = list(Severity)


class Status(str, enum.Enum):
    PASS = "pass"
    FAIL = "fail"
    """The deployment breaks the rule, or lacks a fact the rule needs."""
    ERROR = "error"
    """The manifest could not be read, or the rule could not be evaluated."""
    SKIP = "skip"
    """The policy does not apply to this deployment (its matchConditions are false)."""
    WAIVED = "waived"
    """A failure accepted by a waiver that has not expired (see ``Finding.justification``)."""
    EXISTING = "existing"
    """A failure recorded in the baseline (``--baseline``): known, not new, does not fail the run."""

    @property
    def is_problem(self) -> bool:
        return self in (Status.FAIL, Status.ERROR)


# Rule ids of findings that greengate itself raises about a manifest.
MANIFEST_UNREADABLE = "GG001"
MANIFEST_INVALID = "GG002"
MANIFEST_POLICY = "manifest"
"""The policy name of findings about manifests themselves."""
MANIFEST_TITLES = {
    MANIFEST_UNREADABLE: "Manifest cannot be read",
    MANIFEST_INVALID: "Manifest does not match its format",
}


def fingerprint(rule_id: str, file: str, deployment: str, field: str) -> str:
    """A stable identity: rule + file + deployment + field, never the line number.

    So a finding keeps its identity when lines are added above it. ``file`` is
    the manifest's path relative to the repository (the pipeline gives it, see
    :func:`greengate.sources.files.repository_path`), so a finding has the same
    identity wherever greengate runs from.
    """
    digest = hashlib.sha256("\x1f".join((rule_id, file, deployment, field)).encode("utf-8"))
    return digest.hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class Finding:
    rule_id: str
    policy: str
    severity: Severity
    status: Status
    message: str
    location: Location
    deployment: str = ""
    field: str = ""
    remediation: str = ""
    title: str = ""
    fingerprint: str = ""
    justification: str = ""
    """For a waived finding: the waiver's reason, owner, expiry and where it is written."""
    manifest: str = ""
    """The manifest the finding is about, when ``location`` is elsewhere (a config default)."""
    notes: tuple[str, ...] = ()
    """What went wrong in the policy while the finding was made, though the finding stands:
    a ``messageExpression`` that failed to evaluate (its static message is shown instead)."""

    @classmethod
    def make(
        cls,
        *,
        rule_id: str,
        policy: str,
        severity: Severity,
        status: Status,
        message: str,
        location: Location,
        deployment: str = "",
        field: str = "",
        remediation: str = "",
        title: str = "",
        identity: str | None = None,
        file: str | None = None,
        path: str | None = None,
        notes: tuple[str, ...] = (),
    ) -> Finding:
        """Build a finding with its fingerprint; ``identity`` replaces ``field`` in it when given.

        ``file`` is the manifest the finding is about when it differs from
        ``location.file`` (a fact set by a config default points at the
        config file); the fingerprint always uses the manifest, by ``path``
        (its repository-relative path) when the pipeline knows it.
        """
        manifest = file if file is not None and file != location.file else ""
        fp = fingerprint(
            rule_id,
            path or file or location.file,
            deployment,
            field if identity is None else identity,
        )
        return cls(
            rule_id,
            policy,
            severity,
            status,
            message,
            location,
            deployment,
            field,
            remediation,
            title,
            fp,
            manifest=manifest,
            notes=notes,
        )

    @property
    def file(self) -> str:
        """The manifest file the finding is about (waivers and baselines match on it)."""
        return self.manifest or self.location.file

    @property
    def priority(self) -> tuple[int, int, str, int, int, str, str, str]:
        """Most severe first, then file order: the order of capped outputs (annotations,
        SARIF), so what is left out is the least severe.

        Failing and erroring findings come before waived and existing ones, and an
        error (a manifest or rule that could not be read) before a failure of any severity.
        """
        rank = len(_SEVERITY_ORDER) if self.status is Status.ERROR else self.severity.rank
        return (0 if self.status.is_problem else 1, -rank, *self.sort_key)

    @property
    def sort_key(self) -> tuple[str, int, int, str, str, str]:
        """File order: where the finding points, then its rule, deployment and manifest.

        The manifest (empty when the finding points into it) parts two
        findings that point at the same line of a config default for two
        deployments of one name in different manifests: no two findings of
        different manifests tie, whatever batches or workers read them.
        """
        return (
            self.location.file,
            self.location.line,
            self.location.column,
            self.rule_id,
            self.deployment,
            self.manifest,
        )


def manifest_error(
    rule_id: str,
    location: Location,
    message: str,
    *,
    remediation: str,
    deployment: str = "",
    identity: str = "",
    file: str | None = None,
    path: str | None = None,
) -> Finding:
    """An ``error`` finding about a manifest itself (GG001 unreadable, GG002 invalid)."""
    return Finding.make(
        rule_id=rule_id,
        policy=MANIFEST_POLICY,
        severity=Severity.HIGH,
        status=Status.ERROR,
        message=message,
        location=location,
        deployment=deployment,
        remediation=remediation,
        title=MANIFEST_TITLES[rule_id],
        identity=identity,
        file=file,
        path=path,
    )


@dataclass(frozen=True, order=True)
class BaselineEntry:
    """One recorded finding; only the fingerprint is compared, the rest is for people."""

    file: str
    deployment: str
    rule_id: str
    field: str
    fingerprint: str
    message: str = ""

    def as_dict(self) -> dict[str, str]:
        return {
            "fingerprint": self.fingerprint,
            "ruleId": self.rule_id,
            "file": self.file,
            "deployment": self.deployment,
            "field": self.field,
            "message": self.message,
        }
