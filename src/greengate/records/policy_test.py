"""The finished result of ``greengate test``: what its reporters render."""

from __future__ import annotations

from dataclasses import dataclass

from greengate.errors import ExitCode
from greengate.records.location import Location


@dataclass(frozen=True)
class CaseResult:
    """One case (a policy's example, or a case of a test file) after it ran."""

    name: str
    group: str
    """The policy an example belongs to, or the test file a case is written in."""
    location: Location
    """Where the case is written: ``--run`` names it, a failure points at it."""
    failures: tuple[str, ...] = ()
    """What was expected and what happened, one sentence each; none when the case passed."""
    exercised: tuple[tuple[str, str], ...] = ()
    """The (rule id, status) outcomes the case asserted, for coverage."""

    @property
    def passed(self) -> bool:
        return not self.failures

    @property
    def title(self) -> str:
        return f"{self.group}: {self.name}"


@dataclass(frozen=True)
class RuleCoverage:
    """How many passing cases assert that one rule passes, and that it fails."""

    rule: str
    policy: str
    location: Location
    passes: int
    fails: int

    @property
    def complete(self) -> bool:
        return self.passes > 0 and self.fails > 0


@dataclass(frozen=True)
class Untested:
    """``--require-tests``: a policy with no case at all, or a rule no case makes fail."""

    subject: str
    """The rule id, or the policy name."""
    policy: str
    location: Location
    message: str


@dataclass(frozen=True)
class TestRun:
    cases: tuple[CaseResult, ...]
    coverage: tuple[RuleCoverage, ...]
    untested: tuple[Untested, ...] = ()
    policies: int = 0
    """How many policies were under test."""

    __test__ = False  # not a pytest class, though its name starts with Test

    @property
    def failed(self) -> list[CaseResult]:
        return [c for c in self.cases if not c.passed]

    @property
    def exit_code(self) -> ExitCode:
        """Failed on a failing case or an untested rule, and when no case ran at all:
        policies without a single test do not pass by omission."""
        if self.failed or self.untested or not self.cases:
            return ExitCode.FAILED
        return ExitCode.OK
