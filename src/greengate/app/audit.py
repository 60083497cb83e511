"""``greengate audit``: every deployment of one or many repositories, what it breaks and emits.

Each repository (or folder) is checked exactly as ``greengate check`` checks
it, with its own ``.greengate.yaml``, in its work tree or at ``--ref`` (read
from git objects, with the config and policies of that commit). Every
deployment becomes an :class:`~greengate.records.audit.AuditRow`: owner,
place, facts, failing rules and the ``estimate.*`` figures; the aggregate
stage adds the totals, the alternatives and the ranked savings.

``--shard K/N`` audits a deterministic part of the repositories;
:func:`merge` puts the shards' JSON back together into exactly the report of
the unsharded run. ``--jobs N`` runs the repositories, and the folder chunks
of a large one, in worker processes (:mod:`greengate.app.workers`).
"""

from __future__ import annotations

import datetime
import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from greengate.aggregate.alternatives import SizeLimits, alternatives
from greengate.aggregate.budgets import merged as merged_budgets
from greengate.aggregate.budgets import owner_budgets
from greengate.aggregate.savings import top_savings
from greengate.aggregate.totals import summarise
from greengate.app import workers
from greengate.app.check import CheckOptions, load_all_policies, prepared, run_check
from greengate.app.pipeline import Progress
from greengate.app.rule_choice import RuleChoice
from greengate.app.workers import Chunk
from greengate.catalog import Catalog
from greengate.config.select import select
from greengate.config.settings import Flags
from greengate.enrich import energy
from greengate.errors import ConfigError
from greengate.load import MAX_FILE_BYTES
from greengate.policy.engine import deep_merge
from greengate.policy.load import builtin_pack
from greengate.records.audit import (
    AuditError,
    AuditReport,
    AuditRow,
    EnergyInputs,
    Estimate,
    Repository,
    RuleTally,
    sorted_rows,
)
from greengate.records.deployment import Deployment, Fact
from greengate.records.finding import Severity, Status
from greengate.records.report import Report
from greengate.sources import codeowners
from greengate.sources.changeset import GitOptions
from greengate.sources.files import WORK_TREE, FileSource, relative_posix, safe_resolve
from greengate.sources.git import Repository as GitRepository
from greengate.sources.git import work_tree_root

_ESTIMATES = {
    "kwh_year_low": "estimate.kWhPerYearLow",
    "kwh_year_high": "estimate.kWhPerYearHigh",
    "tco2e_year_low": "estimate.tCO2ePerYearLow",
    "tco2e_year_high": "estimate.tCO2ePerYearHigh",
    "training_kwh": "estimate.trainingKWh",
    "training_tco2e": "estimate.trainingTCO2e",
}
_FAILING = (Status.FAIL, Status.EXISTING, Status.WAIVED)
"""What the inventory lists as failing: waived and baseline failures still break the rule."""


@dataclass(frozen=True)
class Shard:
    index: int
    """1-based."""
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    @classmethod
    def parse(cls, text: str) -> Shard:
        index, sep, count = text.partition("/")
        if sep and index.isdigit() and count.isdigit() and 1 <= int(index) <= int(count):
            return cls(int(index), int(count))
        raise ConfigError(f"--shard {text!r} is not K/N with 1 <= K <= N (e.g. --shard 2/4)")

    def holds(self, name: str) -> bool:
        """Whether the repository ``name`` is in this shard: a hash, the same on every machine."""
        digest = hashlib.sha256(name.encode("utf-8")).digest()
        return int.from_bytes(digest[:8], "big") % self.count == self.index - 1


@dataclass(frozen=True)
class AuditOptions:
    paths: Sequence[Path]
    """Repositories or folders; each is audited on its own."""
    flags: Flags = field(default_factory=Flags)
    ref: str | None = None
    """Read every repository at this ref (git objects, no checkout)."""
    shard: Shard | None = None
    fail_on: Severity | None = None
    """Gate: exit 1 when a deployment fails a rule at or above it (None: never)."""
    max_file_bytes: int = MAX_FILE_BYTES
    today: datetime.date | None = None
    choice: RuleChoice = field(default_factory=RuleChoice)
    """``--rule``, ``--skip-rule``, ``--policy-name``, as for ``check``."""
    jobs: int = 1
    """Worker processes (``--jobs``; already resolved, 1: this process only)."""


@dataclass(frozen=True)
class Target:
    """One repository or folder to audit, with the name reports give it."""

    name: str
    path: Path
    root: Path
    """The git work-tree root, else the folder itself."""


@dataclass(frozen=True)
class Part:
    """What auditing one repository gives."""

    repository: Repository
    rows: tuple[AuditRow, ...]
    errors: tuple[AuditError, ...]
    tallies: tuple[RuleTally, ...]
    gating: int = 0
    """Failing findings at or above ``--fail-on`` (the check's own verdict)."""


def targets(paths: Sequence[Path]) -> list[Target]:
    """The repositories to audit, named by their folder (with parents when two share a name)."""
    found: list[Target] = []
    seen: set[Path] = set()
    for path in paths or [Path()]:
        resolved = safe_resolve(path)
        if resolved in seen:
            continue
        seen.add(resolved)
        root = work_tree_root(resolved) or (resolved if resolved.is_dir() else resolved.parent)
        found.append(Target(resolved.name or str(resolved), path, root))
    names = Counter(t.name for t in found)
    out = []
    for target in found:
        if names[target.name] > 1:
            target = replace(target, name="/".join(safe_resolve(target.path).parts[-2:]))
        out.append(target)
    return out


def run_audit(options: AuditOptions, progress: Progress | None = None) -> tuple[AuditReport, int]:
    """The audit of ``options.paths`` and the number of gating failures (for ``--fail-on``)."""
    chosen = chosen_targets(options)
    unit = "files" if options.ref is None else "repositories"
    parts = audit_parts([(t, options) for t in chosen], options.jobs, progress, ("audit", unit))
    notes = () if options.shard is None else (f"shard {options.shard} of the repositories",)
    report = assemble(parts, notes=notes, shard=str(options.shard) if options.shard else None)
    over = sum(1 for b in report.budgets if b.over)
    gate_budgets = options.fail_on is not None and BUDGET_SEVERITY.at_least(options.fail_on)
    return report, sum(p.gating for p in parts) + (over if gate_budgets else 0)


def chosen_targets(options: AuditOptions) -> list[Target]:
    """The targets of ``options.paths`` in this run's shard."""
    return [
        t for t in targets(options.paths) if options.shard is None or options.shard.holds(t.name)
    ]


@dataclass(frozen=True)
class Unit:
    """What one worker process audits: a repository, or a chunk of its folders (picklable)."""

    target: Target
    options: AuditOptions
    chunk: Chunk


def audit_unit(unit: Unit) -> Part:
    return audit_target(unit.target, unit.options, unit.chunk)


def audit_parts(
    work: Sequence[tuple[Target, AuditOptions]],
    jobs: int,
    progress: Progress | None = None,
    what: tuple[str, str] = ("audit", "files"),
) -> list[Part]:
    """One part per (target, options), their chunks run by ``jobs`` worker processes.

    The chunks' parts are joined in the plan's order, so the parts are the
    same whatever the number of jobs. ``what`` names the phase and what its
    progress counts (``("history", "commits")``).
    """
    units = [
        Unit(target, options, chunk)
        for target, options in work
        for chunk in workers.plan(target.path, options.ref, jobs)
    ]
    done = None
    if progress is not None:
        progress.start(sum(u.chunk.count for u in units), *what)

        def done(i: int, part: Part) -> None:
            progress.advance(units[i].chunk.count, len(part.rows))

    results = workers.run(audit_unit, units, jobs, done)
    joined: list[Part] = []
    last: tuple[Target, AuditOptions] | None = None
    for unit, part in zip(units, results, strict=True):
        if last == (unit.target, unit.options):
            joined[-1] = join(joined[-1], part)
        else:
            joined.append(part)
        last = (unit.target, unit.options)
    return joined


def join(one: Part, other: Part) -> Part:
    """One repository's part from the parts of two of its chunks."""
    return Part(
        one.repository,
        one.rows + other.rows,
        one.errors + other.errors,
        sum_tallies([*one.tallies, *other.tallies]),
        one.gating + other.gating,
    )


def audit_target(target: Target, options: AuditOptions, chunk: Chunk | None = None) -> Part:
    """Check one repository (or one chunk of its folders) as ``greengate check`` would."""
    git = GitOptions(head=options.ref) if options.ref is not None else GitOptions()
    with prepared(
        [target.path],
        options.flags,
        git=git,
        policies_from=options.ref,
        today=options.today,
        max_file_bytes=options.max_file_bytes,
    ) as check_options:
        check_options = replace(check_options, choice=options.choice, whole_deployments=True)
        if options.fail_on is not None:
            check_options = replace(check_options, fail_on=options.fail_on)
        if chunk is not None and chunk.files is not None:
            check_options = replace(check_options, files=chunk.files)
        report = run_check(check_options)
        catalog = Catalog.load(check_options.catalog_files)
        params = policy_params(check_options)
        limits = size_limits(params)
    source, commit = _source(target, options.ref)
    owners = codeowners.read(source, target.root)
    rows = tuple(rows_of(report, target, owners, catalog, limits))
    errors = tuple(
        AuditError(
            target.name,
            _relative(f.location.file, target.root),
            f.location.line,
            f.rule_id,
            f.message,
        )
        for f in report.findings
        if f.status is Status.ERROR
    )
    gating = report.failing if options.fail_on is not None else 0
    repository = Repository(
        target.name, str(target.path), options.ref, commit, owner_budgets=budgets_of(params)
    )
    return Part(repository, rows, errors, tuple(tallies(report)), gating)


SIZE_POLICY = "model-size"
"""The built-in policy whose limits the model alternative stays within."""


BUDGET_SEVERITY = Severity.HIGH
"""An owner over its budget fails ``--fail-on`` at this severity or below (carbon-budget's own)."""
BUDGET_POLICY = "carbon-budget"
"""The built-in policy whose ``ownerBudgets`` param the audit compares owners with."""


def policy_params(options: CheckOptions) -> dict[str, dict[str, Any]]:
    """The params each selected policy ran with (its defaults, then the config's)."""
    policies = load_all_policies(options)
    selection = select(policies, options.config, also_known=builtin_pack)
    out = {}
    for policy in selection.policies:
        given = deep_merge(
            selection.params.get(policy.name, {}), options.params.get(policy.name, {})
        )
        out[policy.name] = deep_merge(policy.params, given)
    return out


def size_limits(params: Mapping[str, Mapping[str, Any]]) -> SizeLimits | None:
    """The model-size limits the check ran with; None when the policy did not run."""
    own = params.get(SIZE_POLICY)
    return SizeLimits.from_params(own) if own is not None else None


def budgets_of(params: Mapping[str, Mapping[str, Any]]) -> dict[str, float]:
    """The ``ownerBudgets`` of ``carbon-budget`` (owner -> tCO2e/year); empty when none is set."""
    given = (params.get(BUDGET_POLICY) or {}).get("ownerBudgets") or {}
    return {str(k): float(v) for k, v in given.items() if isinstance(v, int | float)}


def _source(target: Target, ref: str | None) -> tuple[FileSource, str | None]:
    """Where the repository's own files (CODEOWNERS) are read, and the commit audited."""
    try:
        repo = GitRepository.open(target.root)
    except Exception:  # not a git repository: the folder as it is
        if ref is not None:
            raise
        return WORK_TREE, None
    commit = repo.commit(ref or "HEAD") if ref is not None or _has_head(repo) else None
    return (repo.source(commit) if ref is not None and commit else WORK_TREE), commit


def _has_head(repo: GitRepository) -> bool:
    try:
        repo.commit("HEAD")
    except Exception:  # a repository with no commit yet
        return False
    return True


def _relative(display: str, root: Path) -> str:
    """A reported path (relative to the working folder) relative to the repository root."""
    return relative_posix(Path(display), safe_resolve(root)) or display


def rows_of(
    report: Report,
    target: Target,
    owners: codeowners.CodeOwners | None,
    catalog: Catalog,
    limits: SizeLimits | None,
) -> Iterable[AuditRow]:
    failing: dict[tuple[str, str], set[str]] = {}
    for finding in report.findings:
        if finding.status in _FAILING and finding.deployment:
            key = (finding.location.file, finding.deployment)
            failing.setdefault(key, set()).add(finding.rule_id)
    for deployment in report.deployments:
        rules = failing.get((deployment.file, deployment.name), ())
        # Relative to the audited repository (or folder), wherever greengate runs from.
        file = _relative(deployment.file, target.root)
        row = row_of(deployment, target.name, file, tuple(sorted(rules)), owners)
        yield replace(row, alternatives=alternatives(deployment, row, catalog, limits))


def row_of(
    deployment: Deployment,
    repository: str,
    file: str,
    failing: tuple[str, ...],
    owners: codeowners.CodeOwners | None,
) -> AuditRow:
    owner, owner_source = owner_of(deployment, file, owners)

    def text(name: str) -> str:
        value = deployment.value(name)
        return "" if value is None else str(value)

    def number(name: str) -> float | None:
        value = deployment.value(name)
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        return float(value)

    def whole(name: str) -> int | None:
        value = deployment.value(name)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    figures = {key: number(name) for key, name in _ESTIMATES.items()}
    how = {
        name: deployment.facts[name].detail
        for name in _ESTIMATES.values()
        if name in deployment.facts and deployment.facts[name].detail
    }
    return AuditRow(
        repository=repository,
        file=file,
        line=deployment.location.line,
        format=deployment.format,
        kind=deployment.kind,
        name=deployment.name,
        owner=owner,
        owner_source=owner_source,
        workload=text("workload"),
        task=text("task"),
        model=text("model.name"),
        parameters=whole("model.parameters"),
        provider=text("cloud.provider"),
        region=text("cloud.region"),
        grid_intensity=number("cloud.gridIntensity"),
        accelerator=text("hardware.accelerator"),
        count=number("hardware.count"),
        replicas_min=whole("replicas.min"),
        replicas_max=whole("replicas.max"),
        instance_type=text("hardware.instanceType"),
        failing=failing,
        estimate=Estimate(**figures, how=how),
        inputs=inputs_of(deployment, figures),
    )


def _power_facts(facts: dict[str, Fact], *, training: bool) -> tuple[str, ...]:
    """The facts a power figure was made of, in the order ``enrich/energy.py`` prefers them."""
    if "hardware.powerWatts" in facts:
        return ("hardware.powerWatts",)
    if training and "hardware.averageWatts" in facts:
        return ("hardware.averageWatts",)
    if not training and "hardware.idleWatts" in facts and "hardware.maxWatts" in facts:
        return ("hardware.idleWatts", "hardware.maxWatts", "usage.utilisation")
    return ("hardware.tdpWatts",)


def inputs_of(deployment: Deployment, figures: dict[str, float | None]) -> EnergyInputs:
    """The factors of the row's estimates, chosen by the functions that made them.

    Only the estimates that were made get their factors, each with how it was
    found and the source of the facts it was made of; the host's watts are the
    ``estimate.hostWatts`` fact, present when the yearly figures count it.
    """
    facts = dict(deployment.facts)
    yearly = figures["kwh_year_high"] is not None
    training = figures["training_kwh"] is not None
    if not (yearly or training):
        return EnergyInputs()
    pue, pue_how = energy.pue_of(facts)
    how = {"pue": _sourced(pue_how, facts, ("cloud.pue",))}
    if "cloud.gridIntensity" in facts:
        how["grid_intensity"] = _sourced("", facts, ("cloud.gridIntensity",))
    watts = energy.inference_watts(facts) if yearly else None
    hours: tuple[float, str] | None = None
    host: float | None = None
    if watts is not None:
        how["accelerator_watts"] = _sourced(watts[1], facts, _power_facts(facts, training=False))
        hours = energy.hours_per_year(facts)
        how["hours_per_year"] = hours[1]
        fact = facts.get("estimate.hostWatts")
        if fact is not None and isinstance(fact.value, int | float):
            host, how["host_watts"] = float(fact.value), fact.detail
    trained = energy.training_watts(facts) if training else None
    accelerator_hours = deployment.value("training.acceleratorHours")
    if not isinstance(accelerator_hours, int | float) or isinstance(accelerator_hours, bool):
        trained = None
    if trained is not None:
        how["training_watts"] = _sourced(trained[1], facts, _power_facts(facts, training=True))
        source = facts["training.acceleratorHours"].source.value
        how["accelerator_hours"] = f"training.acceleratorHours ({source})"
    return EnergyInputs(
        accelerator_watts=None if watts is None else watts[0],
        host_watts=host,
        hours_per_year=None if hours is None else hours[0],
        pue=pue,
        training_watts=None if trained is None else trained[0],
        accelerator_hours=None if trained is None else float(accelerator_hours),
        how=how,
    )


def _sourced(text: str, facts: dict[str, Fact], names: Sequence[str]) -> str:
    """``text`` followed by the details (catalog source and year) of the facts ``names``."""
    details = dict.fromkeys(facts[n].detail for n in names if n in facts and facts[n].detail)
    return "; ".join([text, *details] if text else details)


def owner_of(
    deployment: Deployment, file: str, owners: codeowners.CodeOwners | None
) -> tuple[str, str]:
    """The owner and where it was read: the owner fact (which adapters read from metadata,
    annotations and labels, and config defaults give), else the repository's CODEOWNERS."""
    fact = deployment.facts.get("owner")
    if fact is not None and fact.value:
        where = fact.location
        at = f"line {where.line}" if where.file == deployment.file else f"{where.file}:{where.line}"
        return str(fact.value), f"{fact.detail or fact.source.value} at {at}"
    if owners is not None:
        found = owners.owner_of(file)
        if found is not None:
            names, line = found
            return " ".join(names), f"{owners.file}:{line}"
    return "", ""


def tallies(report: Report) -> Iterable[RuleTally]:
    """Pass, fail, skip and error counts per rule (findings about manifests included)."""
    counts: dict[str, Counter[str]] = {}
    for finding in report.findings:
        status = "fail" if finding.status in _FAILING else finding.status.value
        counts.setdefault(finding.rule_id, Counter())[status] += 1
    for rule in report.rules:
        c = counts.get(rule.id)
        if c is None:
            continue
        yield RuleTally(
            rule.id,
            rule.policy,
            rule.title,
            rule.severity.value,
            passed=c["pass"],
            failed=c["fail"],
            skipped=c["skip"],
            errors=c["error"],
        )


def assemble(
    parts: Sequence[Part], *, notes: Sequence[str] = (), shard: str | None = None
) -> AuditReport:
    """The report of the given parts: rows sorted, tallies summed, totals and savings computed."""
    rows = sorted_rows([r for p in parts for r in p.rows])
    errors = tuple(sorted((e for p in parts for e in p.errors), key=lambda e: e.sort_key))
    overall, totals = summarise(rows)
    budgets, budget_notes = merged_budgets([p.repository.owner_budgets for p in parts])
    return AuditReport(
        repositories=tuple(sorted((p.repository for p in parts), key=lambda r: r.name)),
        rows=rows,
        errors=errors,
        rules=sum_tallies([t for p in parts for t in p.tallies]),
        overall=overall,
        totals=totals,
        top_savings=top_savings(rows),
        budgets=owner_budgets(totals["owner"], budgets),
        notes=(*notes, *budget_notes),
        shard=shard,
    )


def sum_tallies(tallies: Iterable[RuleTally]) -> tuple[RuleTally, ...]:
    summed: dict[str, RuleTally] = {}
    for t in tallies:
        old = summed.get(t.rule_id)
        summed[t.rule_id] = (
            t
            if old is None
            else replace(
                old,
                passed=old.passed + t.passed,
                failed=old.failed + t.failed,
                skipped=old.skipped + t.skipped,
                errors=old.errors + t.errors,
            )
        )
    return tuple(sorted(summed.values(), key=lambda t: t.rule_id))


def merge(reports: Sequence[tuple[str, AuditReport]]) -> AuditReport:
    """One report from the shards' reports (``(file, report)``), as the unsharded run gives it.

    Every shard of one ``N`` must be there exactly once, and no repository
    may appear in two of them; otherwise the merge would silently differ
    from the unsharded run, so it stops.
    """
    if not reports:
        raise ConfigError("audit merge needs at least one shard file")
    shards: dict[str, str] = {}
    counts = set()
    for file, report in reports:
        if report.shard is None:
            raise ConfigError(f"{file} is not a shard (it was written without --shard K/N)")
        if report.shard in shards:
            raise ConfigError(f"{file} and {shards[report.shard]} are both shard {report.shard}")
        shards[report.shard] = file
        counts.add(report.shard.split("/")[1])
    if len(counts) != 1:
        raise ConfigError(
            f"the shard files split the repositories in different ways: {', '.join(sorted(shards))}"
        )
    count = int(counts.pop())
    missing = [f"{k}/{count}" for k in range(1, count + 1) if f"{k}/{count}" not in shards]
    if missing:
        raise ConfigError(f"shard {', '.join(missing)} is missing; give every shard's JSON file")
    names = Counter(r.name for _, report in reports for r in report.repositories)
    twice = sorted(n for n, c in names.items() if c > 1)
    if twice:
        raise ConfigError(f"repository {twice[0]} is in more than one shard file")
    parts = [
        Part(
            repository,
            tuple(r for r in report.rows if r.repository == repository.name),
            tuple(e for e in report.errors if e.repository == repository.name),
            (),
        )
        for _, report in reports
        for repository in report.repositories
    ]
    merged = assemble(parts)
    return replace(merged, rules=sum_tallies(t for _, report in reports for t in report.rules))
