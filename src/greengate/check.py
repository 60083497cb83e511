"""The pipeline: discover -> load -> adapt -> enrich -> evaluate -> report.

Everything ``greengate check`` does is callable from here. One bad file never
stops the others: it becomes an error finding and the run goes on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from greengate.catalog import Catalog
from greengate.deployment import Deployment
from greengate.discover import SourceFile, discover
from greengate.documents import MAX_FILE_BYTES, Document, load_file
from greengate.enrich import enrich
from greengate.findings import (
    MANIFEST_INVALID,
    MANIFEST_POLICY,
    MANIFEST_UNREADABLE,
    Finding,
    Severity,
    Status,
)
from greengate.location import Location
from greengate.manifests import adapter_for
from greengate.policy.engine import Engine, RuleSettings
from greengate.policy.load import builtin_pack_dir, check_unique, load_policies
from greengate.policy.model import Policy
from greengate.report import Report, RuleInfo

MANIFEST_RULES = (
    RuleInfo(
        id=MANIFEST_UNREADABLE,
        policy=MANIFEST_POLICY,
        title="Manifest cannot be read",
        description="The file is not valid YAML or JSON, is binary, too large, or expands through aliases beyond the limit. Nothing in it was checked.",
        severity=Severity.HIGH,
        remediation="Fix the syntax error at the reported line (run a YAML linter), or exclude the file if it is not a manifest.",
        builtin=True,
    ),
    RuleInfo(
        id=MANIFEST_INVALID,
        policy=MANIFEST_POLICY,
        title="Manifest does not match its format",
        description="The document is of a format greengate reads, but a field has the wrong type or an unknown name. The deployment was not evaluated.",
        severity=Severity.HIGH,
        remediation="Correct the field at the reported line; the native format is documented in the README and in greengate's JSON Schema.",
        builtin=True,
    ),
)


@dataclass(frozen=True)
class CheckOptions:
    paths: Sequence[Path]
    policy_paths: Sequence[Path] = ()
    builtin_policies: bool = True
    fail_on: Severity = Severity.INFO
    catalog_files: Sequence[Path] = ()
    params: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    rules: Mapping[str, RuleSettings] = field(default_factory=dict)
    max_file_bytes: int = MAX_FILE_BYTES


def load_all_policies(options: CheckOptions) -> list[Policy]:
    policies: list[Policy] = []
    if options.builtin_policies:
        policies.extend(load_policies([builtin_pack_dir()], builtin=True))
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


def run_check(options: CheckOptions) -> Report:
    """Check the manifests under ``options.paths``; raises GreengateError only for bad policies/config."""
    policies = load_all_policies(options)
    catalog = Catalog.load(options.catalog_files)
    engine = Engine(
        policies, params=options.params, rules=options.rules, catalog=catalog_view(catalog)
    )
    files = discover(options.paths)
    deployments, findings = read_deployments(files, catalog, options.max_file_bytes)
    findings.extend(engine.evaluate(deployments))
    findings.sort(key=lambda f: f.sort_key)
    return Report(
        findings=tuple(findings),
        rules=rule_infos(engine.policies, engine),
        deployments=tuple(deployments),
        files=tuple(f.display for f in files),
        fail_on=options.fail_on,
    )


def read_deployments(
    files: Iterable[SourceFile], catalog: Catalog, max_file_bytes: int = MAX_FILE_BYTES
) -> tuple[list[Deployment], list[Finding]]:
    deployments: list[Deployment] = []
    findings: list[Finding] = []
    for source in files:
        loaded = load_file(source.path, source.display, max_file_bytes)
        for problem in loaded.problems:
            findings.append(
                _manifest_finding(MANIFEST_UNREADABLE, problem.location, problem.message)
            )
        for document in loaded.documents:
            found, problems = adapt(document)
            findings.extend(problems)
            deployments.extend(enrich(d, catalog) for d in found)
    return deployments, findings


def adapt(document: Document) -> tuple[list[Deployment], list[Finding]]:
    adapter = adapter_for(document)
    if adapter is None:
        return [], []
    try:
        result = adapter.read(document)
    except Exception as exc:  # an adapter bug must not lose the other files' results
        where = document.location(())
        message = f"greengate could not read this {adapter.name} document ({type(exc).__name__}: {exc}); please report it as a bug"
        return [], [_manifest_finding(MANIFEST_UNREADABLE, where, message)]
    problems = [
        _manifest_finding(MANIFEST_INVALID, p.location, p.message, identity=p.message)
        for p in result.problems
    ]
    return result.deployments, problems


def _manifest_finding(
    rule_id: str, location: Location, message: str, identity: str = ""
) -> Finding:
    info = next(r for r in MANIFEST_RULES if r.id == rule_id)
    return Finding.make(
        rule_id=rule_id,
        policy=MANIFEST_POLICY,
        severity=info.severity,
        status=Status.ERROR,
        message=message,
        location=location,
        remediation=info.remediation,
        title=info.title,
        identity=identity,
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
