"""``greengate check``: the pipeline, then evaluate -> (waivers, baseline) -> report.

Everything ``greengate check`` does is callable from here; the stages it
shares with ``explain`` are in :mod:`greengate.app.pipeline`.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import gc
import pickle
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from greengate.app import workers
from greengate.app.pipeline import (
    MANIFEST_RULES,
    Progress,
    RepoPaths,
    read_deployments,
    select_files,
)
from greengate.app.policies_from import BasePolicies
from greengate.app.policies_from import policies_from as policies_at
from greengate.app.rule_choice import RuleChoice, choose
from greengate.app.run_context import offending_lines
from greengate.catalog import Catalog
from greengate.config.model import BASE_ONLY, Config, InlineWaivers
from greengate.config.select import select
from greengate.config.settings import Flags, Settings, find_and_load
from greengate.errors import ConfigError
from greengate.findings import baseline as baselines
from greengate.findings.baseline import Baseline
from greengate.findings.existing import Judged, judged, mark_existing
from greengate.findings.waivers import INLINE_PREFIX, apply_waivers, granted_inline
from greengate.load import MAX_FILE_BYTES
from greengate.policy.cel import select_engine, selected_engine
from greengate.policy.engine import Engine, RuleSettings, deep_merge
from greengate.policy.load import builtin_pack, check_unique, load_policies
from greengate.policy.model import Policy
from greengate.records.deployment import Deployment
from greengate.records.finding import (
    BaselineEntry,
    Finding,
    Severity,
)
from greengate.records.finding_store import STREAMED, FindingStore
from greengate.records.location import Location
from greengate.records.packed import (
    PackedFinding,
    PackedLocation,
    pack_finding,
    pack_location,
    unpack_finding,
    unpack_location,
)
from greengate.records.report import Report, RuleInfo, VersionControl
from greengate.records.text import printable
from greengate.sources.changeset import ChangeSet, GitOptions
from greengate.sources.changeset import describe as describe_changes
from greengate.sources.discover import discover
from greengate.sources.files import SourceFile, WorkTree, display_path
from greengate.sources.git import Repository, version_control, work_tree_root


def utc_today() -> datetime.date:
    return datetime.datetime.now(datetime.timezone.utc).date()


@dataclass(frozen=True)
class CheckOptions:
    """What to check and how. ``greengate.config.settings`` builds one from flags and config.

    ``policy_paths``, ``builtin_policies``, ``fail_on`` and ``catalog_files``
    are final (config and flags already merged); ``config`` supplies the rest
    of the config file (file selection, policy and rule selection, params,
    defaults, waivers). ``params`` and ``rules`` apply on top of the config's.
    """

    paths: Sequence[Path]
    policy_paths: Sequence[Path] = ()
    builtin_policies: bool = True
    fail_on: Severity = Severity.INFO
    catalog_files: Sequence[Path] = ()
    params: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    rules: Mapping[str, RuleSettings] = field(default_factory=dict)
    max_file_bytes: int = MAX_FILE_BYTES
    config: Config | None = None
    inline_waivers: InlineWaivers = True
    """Honour ``greengate.dev/waive-<RULE>`` annotations in manifests: all (True), none
    (False), or ``base-only``: those the base commit already has."""
    inline_waivers_from: str = ""
    """Where ``inline_waivers`` was set (``--no-inline-waivers flag``, ``.greengate.yaml:3``)."""
    base_ref: str | None = None
    """``--policies-from REF``: the base the check is judged by (inline waivers are read there)."""
    baseline: Baseline | None = None
    today: datetime.date = field(default_factory=utc_today)
    """The day waiver expiry is judged on (UTC)."""
    git: GitOptions = field(default_factory=GitOptions)
    """Pull-request scope: --changed-since, --head, --new-only."""
    notes: tuple[str, ...] = ()
    """Notes from before the run (e.g. policies read from a base ref) for the report."""
    choice: RuleChoice = field(default_factory=RuleChoice)
    """``--rule``, ``--skip-rule``, ``--policy-name``: applied after the config's selection."""
    fail_on_empty: bool = False
    """``--fail-on-empty``: a run that finds no deployment fails."""
    files: Sequence[SourceFile] | None = None
    """The files found under ``paths``, when the caller found them already; None: find them.
    ``audit --jobs`` hands each worker the files of whole folders of a work tree."""
    jobs: int | None = 1
    """``--jobs``: worker processes that read and evaluate the files (1: this process only;
    None: ``auto``, one per CPU when there are files enough, see :func:`jobs_for`)."""
    whole_deployments: bool = False
    """The report keeps every deployment whole, with its facts (the audit reads them), in one
    process; else each is kept as its :func:`summary` once evaluated."""


def options_from(
    settings: Settings,
    paths: Sequence[Path],
    *,
    max_file_bytes: int = MAX_FILE_BYTES,
    baseline: Baseline | None = None,
    today: datetime.date | None = None,
) -> CheckOptions:
    """What a check runs, from the effective settings (config merged with flags)."""
    if not settings.builtin.value and not settings.policy_paths:
        what = (
            "--no-builtin"
            if settings.builtin.location is None
            else f"{settings.builtin.location}: policies.builtin: false"
        )
        raise ConfigError(
            f"{what} leaves no policy to run; add --policy PATH or policies.paths in the config"
        )
    return CheckOptions(
        paths=list(paths) or [Path()],
        policy_paths=[p.value for p in settings.policy_paths],
        builtin_policies=settings.builtin.value,
        fail_on=settings.fail_on.value,
        catalog_files=[p.value for p in settings.catalog_files],
        max_file_bytes=max_file_bytes,
        config=settings.config,
        inline_waivers=settings.inline_waivers.value,
        inline_waivers_from=settings.inline_waivers.origin,
        baseline=baseline,
        today=today or utc_today(),
    )


def load_all_policies(options: CheckOptions) -> list[Policy]:
    policies: list[Policy] = []
    if options.builtin_policies:
        policies.extend(builtin_pack())
    if options.policy_paths:
        policies.extend(load_policies(options.policy_paths))
    if options.builtin_policies and options.policy_paths:
        check_unique(policies)  # a user policy must not reuse a built-in name or rule id
    return policies


def rule_infos(policies: Iterable[Policy], engine: Engine | None = None) -> tuple[RuleInfo, ...]:
    infos = list(MANIFEST_RULES)
    active = {v.id: s for _, v, s in engine.active_rules()} if engine is not None else None
    for policy in policies:
        for validation in policy.validations:
            if active is not None and validation.id not in active:
                continue
            infos.append(
                RuleInfo(
                    id=validation.id,
                    policy=policy.name,
                    title=validation.title,
                    description=policy.description or policy.title,
                    severity=active[validation.id] if active is not None else validation.severity,
                    remediation=validation.remediation,
                    references=policy.references,
                    builtin=policy.builtin,
                )
            )
    return tuple(infos)


def build_engine(options: CheckOptions, catalog: Catalog) -> Engine:
    """The policies to run, with the config's selection, severities and params applied."""
    policies = load_all_policies(options)
    selection = select(policies, options.config, also_known=builtin_pack)
    params = dict(selection.params)
    for name, override in options.params.items():
        params[name] = deep_merge(params.get(name, {}), override)
    budget = options.config.budget if options.config is not None else None
    chosen, rules = choose(selection.policies, {**selection.rules, **options.rules}, options.choice)
    return Engine(
        chosen,
        params=params,
        rules=rules,
        catalog=catalog_view(catalog),
        budget=budget.value if budget is not None else None,
    )


def run_check(options: CheckOptions, progress: Progress | None = None) -> Report:
    """Check the manifests under ``options.paths``; raises GreengateError only for bad policies/config.

    Fingerprints name files relative to the repository (the git work tree,
    else the config's folder), wherever greengate runs from. ``progress``
    hears of each file read, then of each deployment evaluated.
    """
    first = options.paths[0] if options.paths else Path.cwd()
    root = work_tree_root(first) or (options.config.root if options.config is not None else None)
    return _run(options, root, progress)


def _run(options: CheckOptions, root: Path | None, progress: Progress | None = None) -> Report:
    catalog = Catalog.load(options.catalog_files)
    engine_of = functools.cache(functools.partial(build_engine, options, catalog))
    if options.jobs == 1 or options.git.active:
        engine_of()  # the policies are checked before the files are read
    changes = ChangeSet(options.paths, options.git) if options.git.active else None
    if options.files is not None:
        found = list(options.files)
    else:
        found = changes.files(options.paths) if changes is not None else discover(options.paths)
    files, notes = select_files(found, options.config, options.paths)
    notes = [*options.notes, *(describe_changes(options.git, changes) if changes else ()), *notes]
    where = RepoPaths(options.config, files)
    compare = changes is not None and options.git.new_only
    store = FindingStore()
    checked = _check_all(files, options, catalog, engine_of, root, compare, progress, store)
    engine = engine_of()
    deployments = list(checked.deployments)
    if not deployments:
        notes.append(empty_note(len(files)))
    evaluated = [Judged(f) for f in checked.problems]
    evaluated.extend(j for found in checked.judged for j in found)
    findings = [j.finding for j in evaluated]
    needs_base = options.git.new_only or options.inline_waivers == BASE_ONLY
    base = _base(options, changes) if needs_base else None
    before: list[Deployment] | None = None
    before_findings: list[Finding] = []

    def read_base() -> list[Deployment]:
        # The same files at the base, read, adapted and defaulted the same way.
        nonlocal before, before_findings
        if before is None:
            assert base is not None
            before, before_findings = read_deployments(
                base.base_files(files),
                catalog,
                options.max_file_bytes,
                defaults=where.defaults,
                root=root,
            )
        return before

    if compare:
        old = [j for d in read_base() for j in judged(d, engine.evaluate([d]))]
        old.extend(Judged(f) for f in before_findings)
        findings = mark_existing(evaluated, old)
    documents = {id(f): j.document for f, j in zip(findings, evaluated, strict=True)}
    base_deployments: list[Deployment] | None = None
    if options.inline_waivers == BASE_ONLY and base is not None:
        base_deployments = read_base()
    active = [v.id for _, v, _ in engine.active_rules()]
    findings, expired = _waive(
        findings,
        deployments,
        options,
        where,
        active,
        notes,
        base=base_deployments,
        base_name=_base_name(options, base),
        document_of=lambda finding: documents.get(id(finding)),
    )
    fixed: list[BaselineEntry] = []
    if options.baseline is not None:
        findings, fixed = baselines.apply(findings, options.baseline, expired)
        if changes is not None:
            # Only the changed files were checked: the others' entries are not fixed, just unseen.
            seen = {f.display for f in files}
            fixed = [entry for entry in fixed if entry.file in seen]
        if fixed:
            one = len(fixed) == 1
            notes.append(
                f"{len(fixed)} finding{'' if one else 's'} of the baseline {options.baseline.path}"
                f" no longer fail{'s' if one else ''}; run `greengate baseline create` to remove"
                f" {'it' if one else 'them'}"
            )
    store.hold(findings)
    return Report(
        findings=store,
        rules=rule_infos(engine.policies, engine),
        deployments=tuple(deployments),
        files=tuple(f.display for f in files),
        fail_on=options.fail_on,
        notes=tuple(notes),
        baseline=options.baseline.path if options.baseline is not None else None,
        fixed=tuple(fixed),
        fail_on_empty=options.fail_on_empty,
        version_control=_version_control(root, options.git),
        lines=offending_lines(store.judged, files),
    )


@dataclass(frozen=True)
class Checked:
    """Files read and evaluated: what one worker process returns for its chunk (picklable)."""

    deployments: tuple[Deployment, ...]
    problems: tuple[Finding, ...]
    """Findings about the files: unreadable, invalid, contradicted by a link."""
    judged: tuple[tuple[Judged, ...], ...]
    """The findings of each deployment that the run judges (all but :data:`STREAMED`), in
    the order of ``deployments``."""
    streamed: tuple[Finding, ...] = ()
    """A worker's passes and skips, in sort-key order, for the parent's :class:`FindingStore`
    (in one process they go to the store as each batch is evaluated)."""


_PackedDeployment = tuple[
    str, str, str, PackedLocation, int, str, tuple[tuple[str, str, PackedLocation | None], ...]
]


@dataclass(frozen=True)
class Packed:
    """:class:`Checked` as a worker sends it back: plain tuples, and of each deployment only
    what the run reads after evaluation (see :func:`pack`).

    A whole :class:`Deployment` with its facts pickles to about 4 KiB, and a
    record unpickles far slower than a tuple of the same values (frozen,
    slotted dataclasses are rebuilt in Python): the parent spent more time
    unpickling than the workers saved.
    """

    deployments: tuple[_PackedDeployment, ...]
    problems: tuple[PackedFinding, ...]
    judged: tuple[tuple[tuple[PackedFinding, str], ...], ...]
    """Each deployment's judged findings, each with its ``basis`` (``--new-only``)."""
    streamed: tuple[PackedFinding, ...] = ()


def pack(checked: Checked) -> Packed:
    """What :func:`unpack` needs to give back the findings whole and a summary of each deployment.

    A deployment keeps its name, kind, format, location, document index,
    repository path and its inline-waiver annotations (with where each is
    written): what waivers, ``--new-only`` and the reports use. Its facts,
    labels, hints and other annotations stay in the worker.
    """
    return Packed(
        tuple(_pack_deployment(d) for d in checked.deployments),
        tuple(pack_finding(f) for f in checked.problems),
        tuple(tuple((pack_finding(j.finding), j.basis) for j in found) for found in checked.judged),
        tuple(pack_finding(f) for f in checked.streamed),
    )


def unpack(packed: Packed) -> Checked:
    """The :class:`Checked` that :func:`pack` packed, with summary deployments (no facts)."""
    deployments = tuple(_unpack_deployment(d) for d in packed.deployments)
    return Checked(
        deployments,
        tuple(unpack_finding(f) for f in packed.problems),
        tuple(
            tuple(Judged(unpack_finding(f), basis, d.document) for f, basis in found)
            for d, found in zip(deployments, packed.judged, strict=True)
        ),
        tuple(unpack_finding(f) for f in packed.streamed),
    )


def _pack_deployment(d: Deployment) -> _PackedDeployment:
    d = summary(d)  # check_files gives summaries already: this keeps only inline waivers
    where = d.annotation_locations
    inline = tuple(
        (key, value, pack_location(where[key]) if key in where else None)
        for key, value in d.annotations.items()
    )
    return (d.name, d.kind, d.format, pack_location(d.location), d.document, d.path, inline)


def _unpack_deployment(d: _PackedDeployment) -> Deployment:
    name, kind, form, at, document, path, inline = d
    return _summary(
        Deployment(name, kind, form, unpack_location(at), document=document, path=path),
        {key: value for key, value, _ in inline},
        {k: unpack_location(w) for k, _, w in inline if w is not None},
    )


def check_files(
    files: Sequence[SourceFile],
    options: CheckOptions,
    catalog: Catalog,
    engine: Engine,
    root: Path | None,
    compare: bool,
    progress: Progress | None = None,
    *,
    stream: Callable[[list[Finding]], None],
) -> Checked:
    """Read ``files`` (whole folders) into deployments and evaluate each one.

    The files are read and evaluated :data:`READ_BATCH` at a time, in whole
    folders (links join the documents of one folder), so that only one
    batch's deployments are held whole: once evaluated, each is kept as its
    :func:`summary` (unless ``options.whole_deployments``). The result is in
    the order of ``files``, as if they were read at once. ``compare``
    (``--new-only``) keeps with each finding the facts it is about, to
    compare with the base. The passes and skips (:data:`STREAMED`) that no
    judging changes go to ``stream``, a batch's at a time, in the order made;
    the result holds the rest.
    """
    where = RepoPaths(options.config, files)
    if progress is not None:
        progress.start(len(files), "check", "files")
    batches = workers.split(files, READ_BATCH)
    problems: list[Finding] = []
    pairs: list[tuple[Deployment, tuple[Judged, ...]]] = []
    for batch in batches:
        deployments, findings = read_deployments(
            batch.files or (),
            catalog,
            options.max_file_bytes,
            defaults=where.defaults,
            root=root,
            progress=progress,
        )
        problems.extend(findings)
        streamed: list[Finding] = []
        for deployment in deployments:  # one at a time: which deployment each finding is about
            results = engine.evaluate([deployment])
            kept = [f for f in results if f.status not in STREAMED]
            streamed.extend(f for f in results if f.status in STREAMED)
            found = tuple(judged(deployment, kept, with_basis=compare))
            pairs.append((deployment if options.whole_deployments else summary(deployment), found))
        stream(streamed)
    if len(batches) == 1:  # read in the order of files already
        return Checked(tuple(d for d, _ in pairs), tuple(problems), tuple(j for _, j in pairs))
    return _in_file_order(pairs, problems, files)


READ_BATCH = 500
"""Files read and evaluated at a time by one process (whole folders, so a batch may hold more):
holding every deployment of 100,000 files whole took 1.7 GiB."""


def summary(deployment: Deployment) -> Deployment:
    """What the run reads of a deployment once it is evaluated, as a worker sends it back.

    Its name, kind, format, location, document index, path and inline-waiver
    annotations (with where each is written); not its facts, labels or hints,
    about 9 KiB of the 10 KiB a deployment holds, kept for nothing until the
    report was written. The same record as :func:`unpack` gives, whatever ``--jobs`` is.
    """
    inline = {k: v for k, v in deployment.annotations.items() if k.startswith(INLINE_PREFIX)}
    where = deployment.annotation_locations
    return _summary(deployment, inline, {k: where[k] for k in inline if k in where})


_NOTHING: Mapping[str, Any] = MappingProxyType({})
"""What a summary has of the mappings it does not keep: one empty, read-only mapping shared
by all. With an empty dict of its own for each, a summary took 630 bytes; now 208."""


def _summary(
    deployment: Deployment, annotations: dict[str, str], where: dict[str, Location]
) -> Deployment:
    return Deployment(
        deployment.name,
        deployment.kind,
        deployment.format,
        deployment.location,
        facts=_NOTHING,
        anchors=_NOTHING,
        hints=_NOTHING,
        labels=_NOTHING,
        annotations=annotations or _NOTHING,
        document=deployment.document,
        annotation_locations=where or _NOTHING,
        unresolved=_NOTHING,
        path=deployment.path,
    )


def jobs_for(options: CheckOptions, files: Sequence[SourceFile]) -> int:
    """The worker processes that check ``files``: ``--jobs``, or for ``auto`` as many as pay.

    Files read from git objects (``--head REF``) are checked in this process
    whatever ``--jobs`` says: their source reads through this process's
    repository; so are the files of a run that keeps whole deployments.
    """
    if options.whole_deployments or any(not isinstance(f.source, WorkTree) for f in files):
        return 1  # workers send back summaries
    return workers.auto_jobs(len(files)) if options.jobs is None else options.jobs


@dataclass(frozen=True)
class _Unit:
    """What one worker process checks: whole folders, with the run's options (picklable)."""

    options: CheckOptions
    files: tuple[SourceFile, ...]
    root: Path | None
    compare: bool
    cel_engine: str
    """The CEL engine the parent runs (``select_engine`` is per process)."""


def _check_unit(unit: _Unit) -> Packed:
    """A worker's chunk, with the catalog and policies loaded from the same files as the parent's.

    Each worker has its own evaluation budget: a program stopped in one is
    run again in another, and its error finding names that worker's first
    deployment. The result goes back packed (:func:`pack`).
    """
    key = pickle.dumps((unit.options, unit.cel_engine))
    if key not in _WORKER_ENGINES:  # the first chunk of this run in this worker
        select_engine(unit.cel_engine)
        catalog = Catalog.load(unit.options.catalog_files)
        _WORKER_ENGINES.clear()
        _WORKER_ENGINES[key] = (catalog, build_engine(unit.options, catalog))
        gc.collect()
        gc.freeze()  # the engine lives as long as the worker: later collections skip it
    catalog, engine = _WORKER_ENGINES[key]
    streamed: list[Finding] = []
    checked = check_files(
        unit.files, unit.options, catalog, engine, unit.root, unit.compare, stream=streamed.extend
    )
    streamed.sort(key=lambda f: f.sort_key)  # here, so that the workers do it side by side
    return pack(replace(checked, streamed=tuple(streamed)))


_WORKER_ENGINES: dict[bytes, tuple[Catalog, Engine]] = {}
"""A worker's catalog and engine, built on its first chunk and kept for the next ones of
the same run: loading and compiling the policies again per chunk doubled the CPU time, and
the engine's shared outcomes (its memo) last across chunks. Frozen out of the garbage
collector's reach once built (``gc.freeze``), which cut a chunk's CPU time by a sixth."""


def _check_all(
    files: Sequence[SourceFile],
    options: CheckOptions,
    catalog: Catalog,
    engine_of: Callable[[], Engine],
    root: Path | None,
    compare: bool,
    progress: Progress | None,
    store: FindingStore,
) -> Checked:
    """:func:`check_files` on all ``files``, in this process or spread over worker processes.

    Chunks are whole folders; the deployments they return are put back in
    the order of ``files`` (each file's in the order read), so everything
    after is as with one process. ``engine_of`` gives this process's engine,
    built once: with workers, once they are started, so both overlap; each
    result is unpacked as it arrives. Deployments from workers are
    :func:`pack`'s summaries: no facts, which nothing after evaluation reads.
    The passes and skips go to ``store`` as each batch or chunk is done.
    """
    jobs = jobs_for(options, files)
    chunks = workers.split(files, workers.chunk_size(len(files), jobs)) if jobs > 1 else ()
    if len(chunks) <= 1:
        return check_files(
            files, options, catalog, engine_of(), root, compare, progress, stream=store.stream
        )
    shared = replace(options, baseline=None, files=None, jobs=1)
    units = [_Unit(shared, c.files or (), root, compare, selected_engine()) for c in chunks]
    if progress is not None:
        progress.start(len(files), "check", "files")
    unpacked: dict[int, Checked] = {}

    def done(i: int, packed: Packed) -> None:
        checked = unpack(packed)  # while the other workers go on
        store.stream(checked.streamed, ordered=True)
        unpacked[i] = replace(checked, streamed=())
        if progress is not None:
            progress.advance(chunks[i].count, len(packed.deployments))

    # This process builds its own engine (for the rules of the report) while the workers start.
    workers.run(_check_unit, units, jobs, done, meanwhile=engine_of, keep=False)
    results = [unpacked[i] for i in range(len(units))]
    pairs = [p for r in results for p in zip(r.deployments, r.judged, strict=True)]
    return _in_file_order(pairs, [f for r in results for f in r.problems], files)


def _in_file_order(
    pairs: list[tuple[Deployment, tuple[Judged, ...]]],
    problems: list[Finding],
    files: Sequence[SourceFile],
) -> Checked:
    """Deployments checked in chunks of whole folders, put back in the order of ``files``
    (each file's in the order read), as if they were checked at once."""
    order: dict[str, int] = {}
    for i, source in enumerate(files):
        order.setdefault(source.display, i)
    pairs.sort(key=lambda pair: order.get(pair[0].file, len(files)))
    return Checked(tuple(d for d, _ in pairs), tuple(problems), tuple(j for _, j in pairs))


def empty_note(files: int) -> str:
    """What a run that found no deployment says, so a wrong path is not mistaken for a pass."""
    where = f"{files} file{'' if files == 1 else 's'}"
    return f"0 deployments found in {where}: is the path right? `greengate explain PATH` shows what was read (--fail-on-empty makes this fail)"


def _waive(
    findings: list[Finding],
    deployments: Sequence[Deployment],
    options: CheckOptions,
    where: RepoPaths,
    active_rules: Sequence[str],
    notes: list[str],
    *,
    base: Sequence[Deployment] | None = None,
    base_name: str = "the base",
    document_of: Callable[[Finding], int | None] | None = None,
) -> tuple[list[Finding], frozenset[str]]:
    """Apply the config's and the manifests' waivers; add their notes to ``notes``.

    With ``inlineWaivers: base-only``, ``base`` is the deployments of the same
    files at the base commit (None: there is no base, so no inline waiver
    counts). Returns the findings and the fingerprints of those whose waiver
    expired.
    """
    mode = options.inline_waivers
    annotated = any(k.startswith(INLINE_PREFIX) for d in deployments for k in d.annotations)
    inline = granted_inline(())
    if mode == BASE_ONLY and base is None:
        if annotated:
            notes.append(
                "inline waivers (greengate.dev/waive-* annotations) were ignored: inlineWaivers is"
                f" base-only ({options.inline_waivers_from}) and there is no base commit to read"
                " them at; give --changed-since REF or --policies-from REF"
            )
    elif mode == BASE_ONLY or mode is True:
        inline = granted_inline(deployments, base, base_name=base_name)
    elif annotated:
        why = (
            "--no-inline-waivers"
            if options.inline_waivers_from.startswith("--")
            else f"inlineWaivers: false ({options.inline_waivers_from})"
        )
        notes.append(f"inline waivers (greengate.dev/waive-* annotations) were ignored: {why}")
    result = apply_waivers(
        [*findings, *inline.findings],
        options.config.waivers if options.config is not None else (),
        inline.waivers,
        today=options.today,
        relative=where.relative,
        known_rules=active_rules,
        document_of=document_of,
    )
    notes.extend(result.notes)
    return result.findings, result.expired


def _base(options: CheckOptions, changes: ChangeSet | None) -> ChangeSet | None:
    """The change set that reads files at the base: --changed-since's, else --policies-from's."""
    if changes is not None and changes.base is not None:
        return changes
    if options.base_ref is None:
        return None
    return ChangeSet(
        options.paths, GitOptions(changed_since=options.base_ref, head=options.git.head)
    )


def _base_name(options: CheckOptions, base: ChangeSet | None) -> str:
    if base is None or base.base is None:
        return "the base"
    ref = options.git.changed_since or options.base_ref
    return f"{ref} (merge base {base.base[:12]})"


def catalog_view(catalog: Catalog) -> dict[str, Any]:
    """What policies see as ``catalog``: architecture ranks per vendor."""
    view: dict[str, dict[str, int]] = {}
    for accelerator in catalog.accelerators():
        if accelerator.generation is not None:
            view.setdefault(accelerator.vendor, {})[accelerator.architecture] = (
                accelerator.generation
            )
    return {"architectures": view}


@contextlib.contextmanager
def prepared(
    paths: Sequence[Path],
    flags: Flags,
    *,
    git: GitOptions | None = None,
    policies_from: str | None = None,
    baseline_file: Path | None = None,
    today: datetime.date | None = None,
    max_file_bytes: int = MAX_FILE_BYTES,
) -> Iterator[CheckOptions]:
    """The options of a check as the command line asks for it, valid inside the ``with``.

    The config is found from ``paths`` (or named by ``--config``) and merged
    with the flags; with ``policies_from`` the config and every policy and
    catalog file it names, and the ``--policy``, ``--catalog`` and
    ``--baseline`` files, are read at that ref into a scratch folder that
    lives as long as the ``with`` block (policies load when the check runs),
    and inline waivers default to ``base-only``.
    """
    with tempfile.TemporaryDirectory(prefix="greengate-base-") as scratch:
        notes: list[str] = []
        base = None
        if policies_from is not None:
            base = policies_at(
                policies_from, flags, paths, Path(scratch), baseline_file=baseline_file
            )
            flags, notes = base.flags, base.notes
        config = find_and_load(flags, paths)
        baseline = baselines.load(baseline_file) if baseline_file is not None else None
        if base is not None:
            config = base.relocate(config)
            baseline = base.baseline()
        if baseline_file is None and config is not None and config.baseline is not None:
            if base is None and not config.baseline.value.exists():
                raise ConfigError(
                    f"{config.baseline.origin}: baseline: {printable(display_path(config.baseline.value))}"
                    " does not exist; create it with `greengate baseline create` (it writes the"
                    " config's baseline file), or remove the key"
                )
            baseline = _configured_baseline(config.baseline.value, base, Path(scratch))
        options = options_from(
            Settings.resolve(config, flags, pr_mode=base is not None),
            paths,
            max_file_bytes=max_file_bytes,
            baseline=baseline,
            today=today,
        )
        yield replace(options, git=git or GitOptions(), notes=tuple(notes), base_ref=policies_from)


def _version_control(root: Path | None, git: GitOptions) -> VersionControl | None:
    """The repository and commit checked: ``HEAD``, or the ``--head`` commit (on no branch)."""
    found = version_control(root) if root is not None else None
    if found is None or git.head is None:
        return found
    return replace(found, revision=Repository.open(root or Path.cwd()).commit(git.head), branch="")


def _configured_baseline(path: Path, base: BasePolicies | None, scratch: Path) -> Baseline:
    """The config's ``baseline:`` file; with ``--policies-from`` it was read at the base
    into ``scratch``, and messages name it as ``<repository path> at <ref>``."""
    loaded = baselines.load(path)
    if base is None:
        return loaded
    shown = f"{path.resolve().relative_to(scratch.resolve()).as_posix()} at {base.ref}"
    return replace(loaded, path=shown)


def settings_for(flags: Flags, paths: Sequence[Path]) -> Settings:
    """The effective settings of a command run on ``paths``: config found, flags merged."""
    return Settings.resolve(find_and_load(flags, paths), flags)
