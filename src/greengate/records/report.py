"""The finished result of a run: what every reporter renders."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from greengate import __version__
from greengate.errors import ExitCode
from greengate.records.deployment import Deployment
from greengate.records.finding import BaselineEntry, Finding, Severity, Status


@dataclass(frozen=True)
class RuleInfo:
    """What reporters need to describe a rule (SARIF reportingDescriptor, docs)."""

    id: str
    policy: str
    title: str
    description: str
    severity: Severity
    remediation: str = ""
    references: tuple[str, ...] = ()
    builtin: bool = False


@dataclass(frozen=True)
class VersionControl:
    """The commit a run checked (SARIF ``versionControlProvenance``): code scanning and
    other viewers link a result to the file at this revision."""

    repository_uri: str
    """The remote's URL, without credentials (``https://github.com/owner/repo``)."""
    revision: str
    """The commit checked out (``HEAD``)."""
    branch: str = ""
    """The branch checked out; empty on a detached ``HEAD`` (a pull request's merge commit)."""
    root: str = ""
    """The work tree's absolute folder: where the repository's paths start."""


@dataclass(frozen=True)
class Report:
    findings: tuple[Finding, ...]
    rules: tuple[RuleInfo, ...]
    deployments: tuple[Deployment, ...] = ()
    files: tuple[str, ...] = ()
    fail_on: Severity = Severity.INFO
    tool_version: str = __version__
    notes: tuple[str, ...] = field(default=())
    root: str = field(default_factory=lambda: Path.cwd().as_posix())
    """Absolute folder the findings' file paths are relative to (SARIF's %SRCROOT%)."""
    baseline: str | None = None
    """The baseline file the run compared against (``--baseline``), if any."""
    fixed: tuple[BaselineEntry, ...] = ()
    """Baseline entries with no failing finding any more: fixed since the baseline."""
    version_control: VersionControl | None = None
    """The repository and commit checked, when the run was in a git work tree."""
    category: str = "greengate"
    """What kind of run this is (SARIF ``automationDetails``): two runs in one repository with
    different categories (two jobs, two folders) do not replace each other's results."""
    lines: Mapping[tuple[str, int], str] = field(default_factory=dict)
    """The text of each line a reported finding points at, by (file, line): SARIF snippets."""
    fail_on_empty: bool = False
    """``--fail-on-empty``: finding no deployment fails the run."""

    @property
    def empty(self) -> bool:
        """No deployment was found (and no manifest failed to read): nothing was judged."""
        return not self.deployments

    def gating(self, finding: Finding) -> bool:
        """Whether this finding makes the run fail.

        Errors always do (a manifest greengate cannot read must never pass);
        failures do at or above ``fail_on``. Waived findings and findings
        in the baseline (``existing``) never do.
        """
        if finding.status is Status.ERROR:
            return True
        return finding.status is Status.FAIL and finding.severity.at_least(self.fail_on)

    @property
    def failures(self) -> list[Finding]:
        return [f for f in self.findings if self.gating(f)]

    @property
    def problems(self) -> list[Finding]:
        """Failing and erroring findings, whatever their severity, in file order."""
        return sorted((f for f in self.findings if f.status.is_problem), key=lambda f: f.sort_key)

    @property
    def exit_code(self) -> ExitCode:
        if self.failures or (self.fail_on_empty and self.empty):
            return ExitCode.FAILED
        return ExitCode.OK

    @property
    def noted(self) -> list[Finding]:
        """Findings that carry a note: a policy's messageExpression failed while making them."""
        return [f for f in self.findings if f.notes]

    def count_by_status(self) -> dict[str, int]:
        counts = Counter(f.status.value for f in self.findings)
        return {s.value: counts.get(s.value, 0) for s in Status}

    def count_by_severity(self) -> dict[str, int]:
        """Failing findings per severity (errors are counted by status only)."""
        counts = Counter(f.severity.value for f in self.findings if f.status is Status.FAIL)
        return {s.value: counts.get(s.value, 0) for s in Severity}

    def rule(self, rule_id: str) -> RuleInfo | None:
        return next((r for r in self.rules if r.id == rule_id), None)
