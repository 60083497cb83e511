"""`greengate explain`: every deployment found, each fact with its origin, and what is missing.

The first thing to run when a finding is a surprise: it shows what greengate
read, from which line, what the catalog added, and which facts it could not
determine (with how to declare them).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from greengate.app.pipeline import RepoPaths, read_deployments, select_files
from greengate.catalog import Catalog
from greengate.config.model import Config
from greengate.records.deployment import FIELDS, Deployment
from greengate.records.finding import Finding
from greengate.records.location import Location
from greengate.records.text import dumps, printable
from greengate.sources.discover import discover


@dataclass(frozen=True)
class Explanation:
    deployments: tuple[Deployment, ...]
    problems: tuple[Finding, ...]


def explain(
    paths: Sequence[Path], catalog_files: Sequence[Path] = (), config: Config | None = None
) -> Explanation:
    """What ``greengate check`` would read in ``paths``; ``config`` adds its file selection and defaults."""
    catalog = Catalog.load(catalog_files)
    files, _ = select_files(discover(paths), config, paths)
    deployments, problems = read_deployments(
        files, catalog, defaults=RepoPaths(config, files).defaults
    )
    return Explanation(tuple(deployments), tuple(problems))


OPTIONAL = frozenset(
    {
        "model.activeParameters",
        "model.precision",
        "cloud.cfe",
        "hardware.instanceType",
        "hardware.vcpus",
        "hardware.memoryGB",
        "rateLimits.concurrency",
        "training.acceleratorHours",
        "hardware.idleWatts",
        "hardware.maxWatts",
        "hardware.averageWatts",
        "hardware.powerWatts",
        "usage.utilisation",
        "usage.hoursPerDay",
        "usage.daysPerWeek",
        "estimate.powerWatts",
        "estimate.gramsCO2ePerHour",
        "estimate.hostWatts",
        "estimate.hostKWhPerYearLow",
        "estimate.hostKWhPerYearHigh",
        "estimate.kWhPerYearLow",
        "estimate.kWhPerYearHigh",
        "estimate.tCO2ePerYearLow",
        "estimate.tCO2ePerYearHigh",
        "estimate.trainingKWh",
        "estimate.trainingTCO2e",
    }
)
"""Facts no built-in policy needs: listed as not stated, without a hint."""


def missing_fields(deployment: Deployment) -> dict[str, str]:
    """Facts the built-in policies may need that this deployment lacks, with how to supply each.

    A derived fact whose source is itself missing (the grid intensity of an
    undeclared region) is left out: declaring the source supplies both.
    """
    missing = {}
    for name in FIELDS:
        if name in deployment.facts or name in OPTIONAL:
            continue
        cause = deployment.root_cause(name)
        if cause != name and cause not in deployment.facts:
            continue
        missing[name] = deployment.hint(name)
    return missing


def not_stated(deployment: Deployment) -> list[str]:
    """Optional facts this deployment does not state."""
    return [name for name in FIELDS if name in OPTIONAL and name not in deployment.facts]


def deployment_dict(deployment: Deployment) -> dict[str, Any]:
    return {
        "name": deployment.name,
        "kind": deployment.kind,
        "format": deployment.format,
        "file": deployment.file,
        "line": deployment.location.line,
        "column": deployment.location.column,
        "notes": list(deployment.notes),
        "facts": {
            name: {
                "value": fact.value,
                "source": fact.source.value,
                "file": fact.location.file,
                "line": fact.location.line,
                "column": fact.location.column,
                "detail": fact.detail,
            }
            for name, fact in _ordered(deployment).items()
        },
        "unresolved": {
            name: {
                "value": fact.value,
                "file": fact.location.file,
                "line": fact.location.line,
                "column": fact.location.column,
            }
            for name, fact in deployment.unresolved.items()
        },
        "missing": missing_fields(deployment),
        "notStated": not_stated(deployment),
    }


def _ordered(deployment: Deployment) -> dict[str, Any]:
    order = {name: i for i, name in enumerate(FIELDS)}
    return dict(
        sorted(deployment.facts.items(), key=lambda item: (order.get(item[0], len(order)), item[0]))
    )


def render_json(result: Explanation) -> str:
    data = {
        "deployments": [deployment_dict(d) for d in result.deployments],
        "problems": [
            {
                "ruleId": p.rule_id,
                "message": p.message,
                "file": p.location.file,
                "line": p.location.line,
                "column": p.location.column,
            }
            for p in result.problems
        ],
    }
    return dumps(data, indent=2, default=str) + "\n"


def render_text(result: Explanation) -> str:
    """The explanation for people; every value read is escaped (:func:`printable`)."""
    lines: list[str] = []
    for deployment in result.deployments:
        lines.append(
            f"{_where(deployment.location)}  {printable(deployment.name)}"
            f"  ({printable(deployment.kind)}, {printable(deployment.format)})"
        )
        lines.extend(f"  note: {printable(note)}" for note in deployment.notes)
        facts = _ordered(deployment)
        width = max((len(n) for n in [*facts, *FIELDS]), default=10)
        for name, fact in facts.items():
            detail = f"  {printable(fact.detail)}" if fact.detail else ""
            lines.append(
                f"  {printable(name):<{width}}  {_show(fact.value):<28}  {fact.source.value:<14}"
                f"  {_where(fact.location)}{detail}"
            )
        for name, fact in deployment.unresolved.items():
            where = f"{printable(fact.location.file)}:{fact.location.line}"
            lines.append(
                f"  {printable(name):<{width}}  {_show(fact.value):<28}  {'placeholder':<14}  {where}  (unknown: not resolved)"
            )
        missing = missing_fields(deployment)
        if missing:
            lines.append("  missing:")
            lines.extend(
                f"    {name:<{width}}  {printable(hint)}" for name, hint in missing.items()
            )
        optional = not_stated(deployment)
        if optional:
            lines.append(f"  not stated (optional): {', '.join(optional)}")
        lines.append("")
    for problem in result.problems:
        lines.append(
            f"{_where(problem.location)}  ERROR  {printable(problem.rule_id)}  {printable(problem.message)}"
        )
    count = len(result.deployments)
    lines.append(
        f"{count} deployment{'s' if count != 1 else ''} found"
        + (f", {len(result.problems)} unreadable" if result.problems else "")
    )
    return "\n".join(lines) + "\n"


def _where(location: Location) -> str:
    return f"{printable(location.file)}:{location.line}:{location.column}"


def _show(value: Any) -> str:
    text = printable(value if isinstance(value, str) else json.dumps(value, default=str))
    return text if len(text) <= 28 else text[:25] + "..."
