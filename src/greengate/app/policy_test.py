"""``greengate test``: run policies' examples and test files with the real pipeline.

Each case's manifests are read as ``greengate check`` reads them (loaded,
adapted, linked, given the config's defaults, enriched with the catalog) and
evaluated with the real :class:`~greengate.policy.engine.Engine`, so a case
that passes here is a deployment that passes there. A case fails when a
(deployment, rule) does not have the result it expects, and also on what a
policy author would not want to ship unnoticed: a finding in error it did not
expect, a ``messageExpression`` that failed, a manifest that cannot be read,
manifests in which no deployment is found.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from greengate.app.check import catalog_view
from greengate.app.pipeline import RepoPaths, adapt, read_deployments
from greengate.app.policy_cases import Case, Expected, TestFiles, example_cases, is_test_file
from greengate.catalog import Catalog
from greengate.config.select import select
from greengate.enrich.lookups import enrich
from greengate.errors import PolicyError, UsageError
from greengate.load import load_file
from greengate.policy.engine import Engine, deep_merge
from greengate.policy.load import POLICY_SUFFIXES, check_unique, load_policies
from greengate.policy.model import Policy
from greengate.records.deployment import Deployment
from greengate.records.finding import Finding, Status
from greengate.records.policy_test import CaseResult, RuleCoverage, TestRun, Untested
from greengate.sources.discover import discover
from greengate.sources.globs import match_name


@dataclass(frozen=True)
class TestOptions:
    """What to test: policies (``greengate test``'s PATHs or the config's) and test files."""

    policies: Sequence[Policy]
    test_files: Sequence[Path] = ()
    catalog_files: Sequence[Path] = ()
    run: str | None = None
    """``--run PATTERN``: only the cases whose name (or ``group: name``) matches."""
    require_tests: bool = False

    __test__ = False  # not a pytest class


def find_tests(paths: Iterable[Path]) -> tuple[list[Policy], list[Path]]:
    """The policies and test files under ``paths``.

    A file named is a test file by its name (``*.greengate-test.yaml``), else
    a policy. In a folder, test files and YAML files holding a ``kind:
    Policy`` document are taken; the other files there (the manifests the
    tests read) are left alone.
    """
    policy_paths: list[Path] = []
    tests: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file())
            tests.extend(p for p in found if is_test_file(p))
            policy_paths.extend(
                p
                for p in found
                if p.suffix in POLICY_SUFFIXES and not is_test_file(p) and _holds_policy(p)
            )
        elif is_test_file(path):
            tests.append(path)
        else:
            policy_paths.append(path)
    policies = load_policies(policy_paths) if policy_paths else []
    return policies, tests


def test_files_in(paths: Iterable[Path]) -> list[Path]:
    """The test files under the config's policy folders (beside the policies)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and is_test_file(p)))
    return found


def _holds_policy(path: Path) -> bool:
    loaded = load_file(path)
    if loaded.problems:
        problem = loaded.problems[0]
        raise PolicyError(
            f"{problem.location}: {problem.message}; fix the file's YAML, or move it out of the folder tested"
        )
    return any(
        isinstance(d.data, dict) and d.data.get("kind") == "Policy" for d in loaded.documents
    )


def run_tests(options: TestOptions) -> TestRun:
    """Every case of ``options``, each run with the real pipeline; coverage of every rule."""
    check_unique(options.policies)
    files = TestFiles(options.policies)
    cases = [c for p in options.policies for c in example_cases(p)]
    for path in options.test_files:
        cases.extend(files.cases(path))
    if options.run is not None:
        pattern = options.run
        selected = [c for c in cases if match_name(pattern, c.name) or match_name(pattern, c.title)]
        if not selected:
            raise UsageError(
                f"--run {pattern!r} matches none of the {len(cases)} cases; give a glob of a case's name or of 'POLICY-OR-FILE: NAME'"
            )
        cases = selected
    catalog = Catalog.load(options.catalog_files)
    results = [_run(case, catalog) for case in cases]
    tested = [*options.policies, *files.policies]
    coverage = _coverage(tested, results)
    untested = _untested(tested, cases, coverage) if options.require_tests else ()
    return TestRun(tuple(results), coverage, untested, policies=len(tested))


def _run(case: Case, catalog: Catalog) -> CaseResult:
    deployments, problems = _deployments(case, catalog)
    failures = [f"{f.location}: the manifest could not be read: {f.message}" for f in problems]
    if not deployments and not problems:
        failures.append(
            "greengate found no deployment in the case's manifests; check that the manifest is a format greengate reads (`greengate explain` shows what it finds)"
        )
    findings = _evaluate(case, deployments, catalog)
    by_pair = {(f.deployment, f.rule_id): f for f in findings}
    names = list(dict.fromkeys(d.name for d in deployments))
    exercised: list[tuple[str, str]] = []
    expected_errors: set[tuple[str, str]] = set()
    if deployments:
        for expected in case.expected:
            failures.extend(_check(case, expected, by_pair, names, exercised))
            if expected.result == "error":
                expected_errors.update(_pairs(case, expected, names))
    for finding in findings:
        pair = (finding.deployment, finding.rule_id)
        if finding.status is Status.ERROR and pair not in expected_errors:
            failures.append(
                f"{finding.rule_id} on '{finding.deployment}': unexpected error: {finding.message}"
            )
        failures.extend(f"{finding.rule_id} on '{finding.deployment}': {n}" for n in finding.notes)
    unique = tuple(dict.fromkeys(failures))
    return CaseResult(
        case.name,
        case.group,
        case.location,
        unique,
        () if unique else tuple(dict.fromkeys(exercised)),
    )


def _deployments(case: Case, catalog: Catalog) -> tuple[list[Deployment], list[Finding]]:
    deployments: list[Deployment] = []
    problems: list[Finding] = []
    sources = discover(case.files) if case.files else []
    where = RepoPaths(case.config, sources)
    for document in case.documents:
        found, bad = adapt(document)
        problems.extend(bad)
        deployments.extend(enrich(where.defaults(d), catalog) for d in found)
    if sources:
        found, bad = read_deployments(sources, catalog, defaults=where.defaults)
        deployments.extend(found)
        problems.extend(bad)
    return deployments, problems


def _evaluate(case: Case, deployments: Sequence[Deployment], catalog: Catalog) -> list[Finding]:
    selection = select(case.policies, case.config)
    params = dict(selection.params)
    for name, override in case.params.items():
        params[name] = deep_merge(params.get(name, {}), override)
    budget = case.config.budget if case.config is not None else None
    engine = Engine(
        selection.policies,
        params=params,
        rules=selection.rules,
        catalog=catalog_view(catalog),
        budget=budget.value if budget is not None else None,
    )
    return engine.evaluate(deployments)


def _pairs(case: Case, expected: Expected, names: Sequence[str]) -> list[tuple[str, str]]:
    rules = expected.rules or case.rule_ids
    deployments = expected.deployments or names
    return [(d, r) for d in deployments for r in rules]


def _check(
    case: Case,
    expected: Expected,
    by_pair: dict[tuple[str, str], Finding],
    names: Sequence[str],
    exercised: list[tuple[str, str]],
) -> list[str]:
    """What is wrong with the findings for ``expected``; the outcomes it asserts go to ``exercised``."""
    failures: list[str] = []
    for name in expected.deployments:
        if name not in names:
            found = ", ".join(f"'{n}'" for n in names)
            failures.append(f"expected deployment '{name}', but the manifests hold {found}")
    pairs = [p for p in _pairs(case, expected, names) if p[0] in names]
    selected: list[Finding] = []
    for deployment, rule in pairs:
        finding = by_pair.get((deployment, rule))
        if finding is None:
            failures.append(
                f"{rule} on '{deployment}': expected {expected.result}, but the rule did not run (the case's config disables it)"
            )
            continue
        selected.append(finding)
    matching = [f for f in selected if f.status.value == expected.result]
    if expected.some:
        if not matching:
            failures.append(f"expected {_what(expected)}, got: {_outcomes(selected)}")
    else:
        failures.extend(
            f"{f.rule_id} on '{f.deployment}': expected {expected.result}, got {_outcome(f)}"
            for f in selected
            if f.status.value != expected.result
        )
    if expected.only:
        others = [
            f
            for (deployment, rule), f in by_pair.items()
            if rule not in expected.rules
            and f.status.value == expected.result
            and deployment in names
        ]
        failures.extend(
            f"{f.rule_id} on '{f.deployment}': expected only {', '.join(expected.rules)} to {expected.result}, got {_outcome(f)}"
            for f in others
        )
    failures.extend(_detail_failures(expected, matching))
    if not failures:
        exercised.extend((f.rule_id, f.status.value) for f in matching)
    return failures


def _detail_failures(expected: Expected, matching: Sequence[Finding]) -> list[str]:
    """``message`` and ``line``: on some finding with the result (``some``), else on each."""
    if not matching or not (expected.message or expected.line is not None):
        return []

    def wrong(finding: Finding) -> str | None:
        if expected.message and expected.message not in finding.message:
            return f"{finding.rule_id} on '{finding.deployment}': expected a message containing '{expected.message}', got '{finding.message}'"
        if expected.line is not None and finding.location.line != expected.line:
            return f"{finding.rule_id} on '{finding.deployment}': expected the finding at line {expected.line}, got {finding.location}"
        return None

    problems = [p for p in (wrong(f) for f in matching) if p is not None]
    if expected.some and len(problems) < len(matching):
        return []
    return problems[:1] if expected.some else problems


def _what(expected: Expected) -> str:
    rules = " or ".join(expected.rules) if expected.rules else "a rule"
    return f"{rules} to {expected.result}"


def _outcome(finding: Finding) -> str:
    """``fail: the deployment has no owner``: the status and the message of a finding."""
    return f"{finding.status.value}: {finding.message}"


def _outcomes(findings: Sequence[Finding]) -> str:
    if not findings:
        return "no finding"
    return "; ".join(f"{f.rule_id} on '{f.deployment}' {_outcome(f)}" for f in findings)


def _coverage(
    policies: Sequence[Policy], results: Sequence[CaseResult]
) -> tuple[RuleCoverage, ...]:
    passes: dict[str, int] = {}
    fails: dict[str, int] = {}
    for result in results:
        for rule, status in result.exercised:
            counts = passes if status == "pass" else fails if status == "fail" else None
            if counts is not None:
                counts[rule] = counts.get(rule, 0) + 1
    return tuple(
        RuleCoverage(v.id, p.name, v.location, passes.get(v.id, 0), fails.get(v.id, 0))
        for p in policies
        for v in p.validations
    )


def _untested(
    policies: Sequence[Policy], cases: Sequence[Case], coverage: Sequence[RuleCoverage]
) -> tuple[Untested, ...]:
    with_cases = {p.name for c in cases for p in c.policies}
    out: list[Untested] = []
    for policy in policies:
        if policy.name not in with_cases:
            out.append(
                Untested(
                    policy.name,
                    policy.name,
                    policy.location,
                    "the policy has no example and no test case; add spec.examples or a *.greengate-test.yaml case",
                )
            )
    for rule in coverage:
        if rule.policy in with_cases and not rule.fails:
            out.append(
                Untested(
                    rule.rule,
                    rule.policy,
                    rule.location,
                    "no passing case makes the rule fail; add an example with expect: fail and rules: [the rule]",
                )
            )
    return tuple(out)
