"""The finished result of a run: what every reporter renders."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from greengate import __version__
from greengate.errors import ExitCode
from greengate.records.deployment import Deployment
from greengate.records.finding import BaselineEntry, Finding, Severity, Status
from greengate.records.finding_store import STREAMED, FindingStore, tally


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
    findings: Collection[Finding]
    """Every finding, in :attr:`Finding.sort_key` order: a tuple, or for a check the
    :class:`FindingStore` that holds its passes and skips in runs (spilled to disk for a
    large one), iterated again as often as a reporter asks."""
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
        return self._gates(finding.status, finding.severity)

    def _gates(self, status: Status, severity: Severity) -> bool:
        return status is Status.ERROR or (status is Status.FAIL and severity.at_least(self.fail_on))

    @functools.cached_property
    def _tally(self) -> tuple[Counter[tuple[Status, Severity]], int]:
        """The findings by (status, severity), and how many carry notes: counted once
        (a store counted them as they came)."""
        if isinstance(self.findings, FindingStore):
            return self.findings.counts, self.findings.noted
        return tally(self.findings)

    @property
    def counts(self) -> Counter[tuple[Status, Severity]]:
        """The findings by (status, severity), without reading them again."""
        return self._tally[0]

    @property
    def failing(self) -> int:
        """How many findings make the run fail (:meth:`gating`), from :attr:`counts`."""
        return sum(
            n for (status, severity), n in self.counts.items() if self._gates(status, severity)
        )

    @property
    def problems(self) -> list[Finding]:
        """Failing and erroring findings, whatever their severity, in file order."""
        return self.having((Status.FAIL, Status.ERROR))

    def having(self, statuses: Iterable[Status]) -> list[Finding]:
        """The findings of ``statuses``, in file order (:attr:`Finding.sort_key`).

        Of a store, only its held findings are read when no status asked for
        is one it streams: the passes and skips are not read back for this.
        """
        wanted = frozenset(statuses)
        findings: Iterable[Finding] = self.findings
        if isinstance(self.findings, FindingStore) and not wanted & STREAMED:
            findings = self.findings.judged
        return sorted((f for f in findings if f.status in wanted), key=lambda f: f.sort_key)

    @property
    def exit_code(self) -> ExitCode:
        if self.failing or (self.fail_on_empty and self.empty):
            return ExitCode.FAILED
        return ExitCode.OK

    @property
    def noted_count(self) -> int:
        """How many findings carry a note (a policy's messageExpression failed while making them)."""
        return self._tally[1]

    def count_by_status(self) -> dict[str, int]:
        counts: Counter[Status] = Counter()
        for (status, _), n in self.counts.items():
            counts[status] += n
        return {s.value: counts[s] for s in Status}

    def count_by_severity(self) -> dict[str, int]:
        """Failing findings per severity (errors are counted by status only)."""
        counts: Counter[Severity] = Counter()
        for (status, severity), n in self.counts.items():
            if status is Status.FAIL:
                counts[severity] += n
        return {s.value: counts[s] for s in Severity}

    def rule(self, rule_id: str) -> RuleInfo | None:
        return next((r for r in self.rules if r.id == rule_id), None)
