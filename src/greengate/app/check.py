"""The pipeline: discover -> load -> adapt -> (config defaults) -> enrich -> evaluate
-> (waivers, baseline) -> report.

Everything ``greengate check`` does is callable from here. One bad file never
stops the others: it becomes an error finding and the run goes on.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from greengate.catalog import Catalog
from greengate.config.model import Config
from greengate.config.select import select
from greengate.config.settings import Settings
from greengate.enrich.defaults import apply_defaults
from greengate.enrich.lookups import enrich
from greengate.errors import ConfigError
from greengate.findings import baseline as baselines
from greengate.findings.baseline import Baseline
from greengate.findings.existing import mark_existing
from greengate.findings.waivers import INLINE_PREFIX, Waiver, apply_waivers, parse_inline
from greengate.load import MAX_FILE_BYTES, Document, load_source
from greengate.load.folders import FolderFiles
from greengate.manifests import adapter_for
from greengate.manifests.base import NO_CONTEXT, ReadContext
from greengate.policy.engine import Engine, RuleSettings, deep_merge
from greengate.policy.load import builtin_pack, check_unique, load_policies
from greengate.policy.model import Policy
from greengate.records.deployment import Deployment
from greengate.records.finding import (
    MANIFEST_INVALID,
    MANIFEST_POLICY,
    MANIFEST_TITLES,
    MANIFEST_UNREADABLE,
    BaselineEntry,
    Finding,
    Severity,
    manifest_error,
)
from greengate.records.location import Location
from greengate.records.report import Report, RuleInfo
from greengate.sources.changeset import ChangeSet, GitOptions
from greengate.sources.changeset import describe as describe_changes
from greengate.sources.discover import discover
from greengate.sources.files import SourceFile, repository_path
from greengate.sources.git import work_tree_root
from greengate.sources.globs import match_path

MANIFEST_RULES = (
    RuleInfo(
        id=MANIFEST_UNREADABLE,
        policy=MANIFEST_POLICY,
        title=MANIFEST_TITLES[MANIFEST_UNREADABLE],
        description="The file is not valid YAML or JSON, is binary, too large, or expands through aliases beyond the limit. Nothing in it was checked.",
        severity=Severity.HIGH,
        remediation="Fix the syntax error at the reported line (run a YAML linter), or exclude the file if it is not a manifest.",
        builtin=True,
    ),
    RuleInfo(
        id=MANIFEST_INVALID,
        policy=MANIFEST_POLICY,
        title=MANIFEST_TITLES[MANIFEST_INVALID],
        description="The document is of a format greengate reads, but a field has the wrong type or an unknown name. The deployment was not evaluated.",
        severity=Severity.HIGH,
        remediation="Correct the value at the reported line: its type or name is not what the format allows (the native format's JSON Schema and the README's Supported formats say what is).",
        builtin=True,
    ),
)


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
    inline_waivers: bool = True
    """Honour ``greengate.dev/waive-<RULE>`` annotations in manifests."""
    baseline: Baseline | None = None
    today: datetime.date = field(default_factory=utc_today)
    """The day waiver expiry is judged on (UTC)."""
    git: GitOptions = field(default_factory=GitOptions)
    """Pull-request scope: --changed-since, --head, --new-only."""
    notes: tuple[str, ...] = ()
    """Notes from before the run (e.g. policies read from a base ref) for the report."""


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
    return Engine(
        selection.policies,
        params=params,
        rules={**selection.rules, **options.rules},
        catalog=catalog_view(catalog),
    )


def run_check(options: CheckOptions) -> Report:
    """Check the manifests under ``options.paths``; raises GreengateError only for bad policies/config.

    Fingerprints name files relative to the repository (the git work tree,
    else the config's folder), wherever greengate runs from.
    """
    first = options.paths[0] if options.paths else Path.cwd()
    root = work_tree_root(first) or (options.config.root if options.config is not None else None)
    return _run(options, root)


def _run(options: CheckOptions, root: Path | None) -> Report:
    catalog = Catalog.load(options.catalog_files)
    engine = build_engine(options, catalog)
    changes = ChangeSet(options.paths, options.git) if options.git.active else None
    found = changes.files(options.paths) if changes is not None else discover(options.paths)
    files, notes = select_files(found, options.config, options.paths)
    notes = [*options.notes, *(describe_changes(options.git, changes) if changes else ()), *notes]
    where = RepoPaths(options.config, files)
    deployments, findings = read_deployments(
        files, catalog, options.max_file_bytes, defaults=where.defaults, root=root
    )
    findings.extend(engine.evaluate(deployments))
    if changes is not None and options.git.new_only:
        before, before_findings = read_deployments(
            changes.base_files(files),
            catalog,
            options.max_file_bytes,
            defaults=where.defaults,
            root=root,
        )
        findings = mark_existing(findings, [*before_findings, *engine.evaluate(before)])
    active = [v.id for _, v, _ in engine.active_rules()]
    findings, expired = _waive(findings, deployments, options, where, active, notes)
    fixed: list[BaselineEntry] = []
    if options.baseline is not None:
        findings, fixed = baselines.apply(findings, options.baseline, expired)
        if fixed:
            one = len(fixed) == 1
            notes.append(
                f"{len(fixed)} finding{'' if one else 's'} of the baseline {options.baseline.path}"
                f" no longer fail{'s' if one else ''}; run `greengate baseline create` to remove"
                f" {'it' if one else 'them'}"
            )
    findings.sort(key=lambda f: f.sort_key)
    return Report(
        findings=tuple(findings),
        rules=rule_infos(engine.policies, engine),
        deployments=tuple(deployments),
        files=tuple(f.display for f in files),
        fail_on=options.fail_on,
        notes=tuple(notes),
        baseline=options.baseline.path if options.baseline is not None else None,
        fixed=tuple(fixed),
    )


def _waive(
    findings: list[Finding],
    deployments: Sequence[Deployment],
    options: CheckOptions,
    where: RepoPaths,
    active_rules: Sequence[str],
    notes: list[str],
) -> tuple[list[Finding], frozenset[str]]:
    """Apply the config's and the manifests' waivers; add their notes to ``notes``.

    Returns the findings and the fingerprints of those whose waiver expired.
    """
    inline: dict[tuple[str, str], list[Waiver]] = {}
    problems: list[Finding] = []
    if options.inline_waivers:
        for deployment in deployments:
            waivers, malformed = parse_inline(deployment)
            problems.extend(malformed)
            if waivers:
                inline.setdefault((deployment.file, deployment.name), []).extend(waivers)
    elif any(k.startswith(INLINE_PREFIX) for d in deployments for k in d.annotations):
        notes.append(
            "inline waivers (greengate.dev/waive-* annotations) were ignored: --no-inline-waivers"
        )
    result = apply_waivers(
        [*findings, *problems],
        options.config.waivers if options.config is not None else (),
        inline,
        today=options.today,
        relative=where.relative,
        known_rules=active_rules,
    )
    notes.extend(result.notes)
    return result.findings, result.expired


class RepoPaths:
    """Manifest paths as config globs see them: relative to the config file's folder."""

    def __init__(self, config: Config | None, files: Iterable[SourceFile]) -> None:
        self.config = config
        self._paths = {f.display: f.path for f in files}
        self._relative: dict[str, str | None] = {}

    def relative(self, display: str) -> str | None:
        if display not in self._relative:  # computed on demand: most runs never need it
            path = self._paths.get(display)
            self._relative[display] = (
                relative_to_root(path, self.config) if path is not None else None
            )
        return self._relative[display]

    def defaults(self, deployment: Deployment) -> Deployment:
        if self.config is None or not self.config.defaults:
            return deployment
        return apply_defaults(deployment, self.config.defaults, self.relative(deployment.file))


def relative_to_root(path: Path, config: Config | None) -> str | None:
    """``path`` relative to the config's folder (the cwd without a config); None outside it."""
    root = config.root if config is not None else Path.cwd()
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return None


OWN_FILES = frozenset({".greengate.yaml", ".greengate.yml", baselines.DEFAULT_BASELINE})
"""greengate's own files: never manifests, so not read when a folder is searched."""


def select_files(
    files: Sequence[SourceFile], config: Config | None, paths: Sequence[Path] = ()
) -> tuple[list[SourceFile], list[str]]:
    """The files to check: without greengate's own files, and as the config's
    ``include``/``exclude`` say; with a note for each file named in ``paths`` that is left out."""
    named = {p.resolve() for p in paths if p.is_file()}
    filtering = config is not None and bool(config.include or config.exclude)
    kept: list[SourceFile] = []
    notes: list[str] = []
    for source in files:
        if not filtering and source.path.name not in OWN_FILES:
            kept.append(source)
            continue
        explicit = bool(named) and source.path.resolve() in named
        if source.path.name in OWN_FILES and not explicit:
            continue
        reason = _dropped_by(relative_to_root(source.path, config), config) if config else None
        if reason is None:
            kept.append(source)
        elif explicit:
            notes.append(f"{source.display} was not checked: {reason}")
    return kept, notes


def _dropped_by(path: str | None, config: Config) -> str | None:
    """Why a file is left out, or None if it is checked."""
    if path is None:
        return (
            f"it is outside {config.root} and {config.display} has include globs"
            if config.include
            else None
        )
    if config.include and not any(match_path(g.value, path) for g in config.include):
        return f"it matches no include glob of {config.display}"
    for glob in config.exclude:
        if match_path(glob.value, path):
            return f"it is excluded by {glob.origin} ({glob.value})"
    return None


def read_deployments(
    files: Iterable[SourceFile],
    catalog: Catalog,
    max_file_bytes: int = MAX_FILE_BYTES,
    *,
    defaults: Callable[[Deployment], Deployment] | None = None,
    root: Path | None = None,
) -> tuple[list[Deployment], list[Finding]]:
    """Load, adapt, apply ``defaults`` (config defaults) and enrich every deployment in ``files``.

    ``root`` is the repository: fingerprints name each file relative to it.
    """
    deployments: list[Deployment] = []
    findings: list[Finding] = []
    folders = FolderFiles(max_file_bytes)
    for source in files:
        path = repository_path(source.display, root)
        loaded = load_source(source, max_file_bytes)
        for problem in loaded.problems:
            findings.append(
                _manifest_finding(MANIFEST_UNREADABLE, problem.location, problem.message, path=path)
            )
        context = ReadContext(folders.beside(source))
        for document in loaded.documents:
            found, problems = adapt(document, context, path=path)
            findings.extend(problems)
            found = [replace(d, path=path) for d in found]
            if defaults is not None:
                found = [defaults(d) for d in found]
            deployments.extend(enrich(d, catalog) for d in found)
    return deployments, findings


def adapt(
    document: Document, context: ReadContext = NO_CONTEXT, *, path: str | None = None
) -> tuple[list[Deployment], list[Finding]]:
    """The deployments of one document and its problems as findings (``path``: for fingerprints)."""
    adapter = adapter_for(document)
    if adapter is None:
        return [], []
    try:
        result = adapter.read(document, context)
    except Exception as exc:  # an adapter bug must not lose the other files' results
        where = document.location(())
        message = f"greengate could not read this {adapter.name} document ({type(exc).__name__}: {exc}); please report it as a bug"
        return [], [_manifest_finding(MANIFEST_UNREADABLE, where, message, path=path)]
    problems = [
        _manifest_finding(MANIFEST_INVALID, p.location, p.message, identity=p.message, path=path)
        for p in result.problems
    ]
    return result.deployments, problems


def _manifest_finding(
    rule_id: str,
    location: Location,
    message: str,
    identity: str = "",
    *,
    path: str | None = None,
) -> Finding:
    info = next(r for r in MANIFEST_RULES if r.id == rule_id)
    return manifest_error(
        rule_id, location, message, remediation=info.remediation, identity=identity, path=path
    )


def catalog_view(catalog: Catalog) -> dict[str, Any]:
    """What policies see as ``catalog``: architecture ranks per vendor."""
    view: dict[str, dict[str, int]] = {}
    for accelerator in catalog.accelerators():
        if accelerator.generation is not None:
            view.setdefault(accelerator.vendor, {})[accelerator.architecture] = (
                accelerator.generation
            )
    return {"architectures": view}
