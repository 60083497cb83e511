"""The stages every command shares: select the files, load, adapt, apply config defaults, enrich.

``greengate check``, ``explain`` and ``baseline create`` all read deployments
this way. One bad file never stops the others: it becomes an error finding
and the run goes on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Protocol

from greengate.catalog import Catalog
from greengate.config.model import Config
from greengate.enrich.defaults import apply_defaults
from greengate.enrich.lookups import enrich
from greengate.findings import baseline as baselines
from greengate.findings.waivers import (
    INLINE_NOT_GRANTED,
    INLINE_NOT_GRANTED_REMEDIATION,
    INLINE_NOT_GRANTED_TITLE,
)
from greengate.load import MAX_FILE_BYTES, Document, load_source
from greengate.load.folders import FolderFiles
from greengate.manifests import adapter_for
from greengate.manifests.base import NO_CONTEXT, ReadContext
from greengate.manifests.consistency import contradictions
from greengate.manifests.links import is_source, is_target, link
from greengate.records.deployment import Deployment
from greengate.records.finding import (
    MANIFEST_INVALID,
    MANIFEST_POLICY,
    MANIFEST_TITLES,
    MANIFEST_UNREADABLE,
    Finding,
    Severity,
    manifest_error,
)
from greengate.records.location import Location
from greengate.records.report import RuleInfo
from greengate.sources.files import SourceFile, repository_path, safe_resolve
from greengate.sources.globs import match_path

MANIFEST_RULES = (
    RuleInfo(
        id=MANIFEST_UNREADABLE,
        policy=MANIFEST_POLICY,
        title=MANIFEST_TITLES[MANIFEST_UNREADABLE],
        description="The file is not valid YAML, JSON or HCL, is binary, too large, expands through aliases beyond the limit, writes a key twice or a number out of range, or is not a regular file inside the checked tree (a FIFO, a device, a link loop or a link leaving it). Nothing in it (or in that document) was checked.",
        severity=Severity.HIGH,
        remediation="Fix what the message names at the reported line (a syntax error, a key written twice, a number out of range; a YAML linter helps), replace a special file or a link leaving the tree with a regular file, or exclude the file if it is not a manifest.",
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
    RuleInfo(
        id=INLINE_NOT_GRANTED,
        policy=MANIFEST_POLICY,
        title=INLINE_NOT_GRANTED_TITLE,
        description="A greengate.dev/waive-<RULE> annotation that the base commit does not have (inlineWaivers: base-only, the default with --policies-from): a change cannot waive its own findings, so the waiver is not in force and the finding it names still fails.",
        severity=Severity.HIGH,
        remediation=INLINE_NOT_GRANTED_REMEDIATION,
        builtin=True,
    ),
)


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


class Progress(Protocol):
    """What a long run tells a progress display (the CLI's line on a terminal)."""

    def start(self, total: int, what: str, unit: str) -> None:
        """A new phase (``check``, ``audit``, ``history``) of ``total`` units (``files``, ``commits``)."""

    def advance(self, done: int, deployments: int) -> None:
        """``done`` more units finished, with ``deployments`` more deployments."""


def read_deployments(
    files: Iterable[SourceFile],
    catalog: Catalog,
    max_file_bytes: int = MAX_FILE_BYTES,
    *,
    defaults: Callable[[Deployment], Deployment] | None = None,
    root: Path | None = None,
    progress: Progress | None = None,
) -> tuple[list[Deployment], list[Finding]]:
    """Load, adapt, link, apply ``defaults`` (config defaults) and enrich every deployment in ``files``.

    ``root`` is the repository: fingerprints name each file relative to it.
    Linking (:mod:`greengate.manifests.links`) runs per folder once every
    file is adapted: the facts a scaler, a NodePool or a Terraform cluster of
    the folder gives the Kubernetes workloads beside it.
    """
    findings: list[Finding] = []
    folders = FolderFiles(max_file_bytes)
    adapted: list[list[Deployment]] = []
    groups: dict[tuple[str, str], _Folder] = {}
    top = safe_resolve(root) if root is not None else None
    for source in files:
        path = repository_path(source, top, resolved=True)
        loaded = folders.load(source)
        for problem in loaded.problems:
            findings.append(
                _manifest_finding(MANIFEST_UNREADABLE, problem.location, problem.message, path=path)
            )
        context = ReadContext(folders.beside(source))
        key = (source.source.key, str(source.path.parent))
        group = groups.setdefault(key, _Folder(source))
        group.seen.add(source.path.name)
        first = len(adapted)
        for document in loaded.documents:
            if is_source(document) and (not group.holders or group.holders[-1] is not source):
                group.holders.append(source)
            found, problems = adapt(document, context, path=path)
            findings.extend(problems)
            found = [replace(d, path=path) for d in found]
            adapted.append(found)
            if found and is_target(document):
                group.targets.extend((d, source) for d in found)
        if progress is not None:
            progress.advance(1, sum(len(found) for found in adapted[first:]))
    linked: dict[int, Deployment | None] = {}
    for group in groups.values():
        if group.targets:
            linked.update(_link(group, folders, max_file_bytes, findings))
    deployments: list[Deployment] = []
    for found in adapted:
        for read in found:
            deployment = linked.get(id(read), read)
            if deployment is None:
                continue
            if defaults is not None:
                deployment = defaults(deployment)
            deployments.append(enrich(deployment, catalog))
    return deployments, findings


MAX_EMBEDDING = 2
"""How deep documents inside documents are followed (Terraform -> Helm values: 1)."""


class _Folder:
    """What one folder of one source holds for linking, gathered while its files are adapted.

    Only the small part is kept: the checked files that hold documents that
    may give facts (``links.is_source``: scalers, NodePools, queues,
    Terraform) and, for each linkable deployment, the file it was read from;
    both are re-read only when the folder has a deployment to link, so a run
    over many Terraform folders keeps none of their documents.
    """

    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self.seen: set[str] = set()
        """Names of the folder's files already read (checked files)."""
        self.holders: list[SourceFile] = []
        """The checked files holding such documents: re-read only if the folder links."""
        self.targets: list[tuple[Deployment, SourceFile]] = []


def _link(
    group: _Folder, folders: FolderFiles, max_file_bytes: int, findings: list[Finding]
) -> dict[int, Deployment | None]:
    """The folder's deployments with linked facts, by id; None for one the links contradict.

    The folder's other files (not checked, e.g. an unchanged HPA in PR mode)
    are read from the same source as the checked ones.
    """

    def unseen(name: str) -> bool:
        return name not in group.seen and name.lower().endswith(_LINKABLE_SUFFIXES)

    sources = [
        d
        for holder in group.holders
        for d in load_source(holder, max_file_bytes).documents
        if is_source(d)
    ]
    for loaded in folders.beside(group.source)(unseen):
        sources.extend(d for d in loaded.documents if is_source(d))
    if not sources:
        return {}
    documents: dict[str, tuple[Document, ...]] = {}
    targets: list[tuple[Deployment, Document]] = []
    for deployment, source in group.targets:
        if source.display not in documents:
            documents[source.display] = load_source(source, max_file_bytes).documents
        document = next(
            (d for d in documents[source.display] if d.index == deployment.document), None
        )
        if document is not None:
            targets.append((deployment, document))
    out: dict[int, Deployment | None] = {}
    for (before, _), after in zip(targets, link(targets, sources), strict=True):
        if after is before:
            continue
        wrong = contradictions(after)
        for p in wrong:
            findings.append(
                _manifest_finding(
                    MANIFEST_INVALID, p.location, p.message, identity=p.message, path=before.path
                )
            )
        out[id(before)] = None if wrong else after
    return out


_LINKABLE_SUFFIXES = (".yaml", ".yml", ".json", ".tf")
"""The files of a folder that may hold a scaler, a NodePool, a queue or a Terraform cluster."""


def adapt(
    document: Document,
    context: ReadContext = NO_CONTEXT,
    *,
    path: str | None = None,
    depth: int = 0,
) -> tuple[list[Deployment], list[Finding]]:
    """The deployments of one document and its problems as findings (``path``: for fingerprints).

    Documents the adapter found inside this one (``AdaptResult.embedded``) are
    adapted the same way, ``MAX_EMBEDDING`` deep, each with the adapter that
    matches it; their deployments are named ``<host name>/<own name>``. One
    read from a sibling file that its own adapter reads anyway (a
    ``values.yaml`` beside the ``.tf``) is left to that file, not reported twice.
    """
    adapter = adapter_for(document)
    if adapter is None:
        return [], []
    try:
        result = adapter.read(document, context)
    except Exception as exc:  # an adapter bug must not lose the other files' results
        where = document.location(())
        message = f"greengate could not read this {adapter.name} document ({type(exc).__name__}: {exc}); please report it as a bug"
        return [], [_manifest_finding(MANIFEST_UNREADABLE, where, message, path=path)]
    found = [(d, contradictions(d)) for d in result.deployments]
    problems = [
        _manifest_finding(MANIFEST_INVALID, p.location, p.message, identity=p.message, path=path)
        for p in [*result.problems, *(p for _, wrong in found for p in wrong)]
    ]
    deployments = [d for d, wrong in found if not wrong]
    for embedded in result.embedded if depth < MAX_EMBEDDING else ():
        inner = embedded.document
        if inner.file != document.file and adapter_for(replace(inner, read_as="")) is not None:
            continue
        more, more_problems = adapt(inner, context, path=path, depth=depth + 1)
        deployments.extend(_renamed(d, f"{embedded.name}/{d.name}") for d in more)
        problems.extend(more_problems)
    return deployments, problems


def _renamed(deployment: Deployment, name: str) -> Deployment:
    """The deployment under a new name (its ``name`` fact too, when it holds the old one)."""
    facts = dict(deployment.facts)
    fact = facts.get("name")
    if fact is not None and fact.value == deployment.name:
        facts["name"] = replace(fact, value=name)
    return replace(deployment, name=name, facts=facts)


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
