"""Baselines: adopt greengate on a repo with existing problems, and gate only new ones.

``greengate baseline create`` records the fingerprints of the current failing
findings in a JSON file; ``greengate check --baseline FILE`` reports a failing
finding whose fingerprint is recorded as ``existing`` (it does not fail the
run) and lists the recorded ones that no longer fail as fixed, so the file can
be pruned. A fingerprint is rule + file + deployment + field, never a line
number: a finding stays recorded when lines are added above it.

Errors (a manifest that cannot be read) are never recorded: they always fail.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from greengate.atomic import write_atomically
from greengate.errors import ConfigError
from greengate.records.finding import BaselineEntry, Finding, Status
from greengate.records.text import dumps, printable
from greengate.sources.files import display_path

BASELINE_VERSION = 1
DEFAULT_BASELINE = ".greengate-baseline.json"


@dataclass(frozen=True)
class Baseline:
    path: str
    """The file as messages show it."""
    entries: tuple[BaselineEntry, ...]


def entries(findings: Iterable[Finding]) -> list[BaselineEntry]:
    """The failing findings as baseline entries, once per fingerprint, sorted."""
    found: dict[str, BaselineEntry] = {}
    for finding in findings:
        if finding.status is Status.FAIL and finding.fingerprint not in found:
            found[finding.fingerprint] = BaselineEntry(
                file=finding.file,
                deployment=finding.deployment,
                rule_id=finding.rule_id,
                field=finding.field,
                fingerprint=finding.fingerprint,
                message=finding.message,
            )
    return sorted(found.values())


def render(recorded: Sequence[BaselineEntry]) -> str:
    """The baseline file's text: versioned, sorted and free of dates, so that it diffs well."""
    document = {
        "version": BASELINE_VERSION,
        "generatedBy": "greengate baseline create",
        "findings": [entry.as_dict() for entry in recorded],
    }
    return dumps(document, indent=2) + "\n"


def write(path: Path, recorded: Sequence[BaselineEntry]) -> None:
    """Write the baseline atomically: a killed run leaves the previous file intact."""
    text = render(recorded)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, lambda handle: handle.write(text))
    except OSError as exc:
        raise ConfigError(
            f"{printable(path)}: cannot write the baseline ({exc.strerror}); choose another --output"
        ) from None


def load(path: Path) -> Baseline:
    """Read a baseline file; a missing or malformed one is a ConfigError (exit 2)."""
    shown = display_path(path)
    fix = "create it with `greengate baseline create`"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{shown}: no such baseline file; {fix}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{shown}: cannot read the baseline ({exc}); {fix}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"{shown}:{exc.lineno}:{exc.colno}: the baseline is not valid JSON ({exc.msg}); {fix}"
        ) from None
    return Baseline(shown, tuple(_entries(data, shown, fix)))


def _entries(data: Any, shown: str, fix: str) -> list[BaselineEntry]:
    if not isinstance(data, dict) or "findings" not in data:
        raise ConfigError(f"{shown}: not a greengate baseline (no 'findings' list); {fix}")
    if data.get("version") != BASELINE_VERSION:
        raise ConfigError(
            f"{shown}: baseline version {data.get('version')!r} is not {BASELINE_VERSION}; {fix}"
        )
    items = data["findings"]
    if not isinstance(items, list):
        raise ConfigError(f"{shown}: 'findings' is not a list; {fix}")
    found = []
    for index, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("fingerprint"), str):
            raise ConfigError(f"{shown}: findings[{index}] has no 'fingerprint'; {fix}")
        found.append(
            BaselineEntry(
                file=str(item.get("file", "")),
                deployment=str(item.get("deployment", "")),
                rule_id=str(item.get("ruleId", "")),
                field=str(item.get("field", "")),
                fingerprint=item["fingerprint"],
                message=str(item.get("message", "")),
            )
        )
    return found


def apply(
    findings: Sequence[Finding], baseline: Baseline, always_fail: Collection[str] = ()
) -> tuple[list[Finding], list[BaselineEntry]]:
    """Mark recorded failing findings ``existing``; return them and the recorded ones now fixed.

    Findings in ``always_fail`` (their waiver expired) stay failing: an
    expired waiver fails the run, baseline or not.
    """
    recorded = {entry.fingerprint for entry in baseline.entries}
    current = {f.fingerprint for f in findings if f.status in (Status.FAIL, Status.WAIVED)}
    out = [
        replace(f, status=Status.EXISTING)
        if f.status is Status.FAIL
        and f.fingerprint in recorded
        and f.fingerprint not in always_fail
        else f
        for f in findings
    ]
    fixed = [entry for entry in baseline.entries if entry.fingerprint not in current]
    return out, sorted(fixed)
