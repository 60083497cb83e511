"""Waivers: accepted exceptions, each with a reason, an owner and an end date.

A waiver is written in the config file (``waivers:``) or inline, as an
annotation on the deployment it is about::

    metadata:
      annotations:
        greengate.dev/waive-GG201: "PPA-backed region, see OPS-123; expires=2027-03-31; owner=team-platform"

Only a failing finding can be waived; an error (a manifest greengate cannot
read, a rule that cannot be evaluated) never can. A waived finding keeps its
message, gets status ``waived`` and a justification (reason, owner, expiry,
where the waiver is written) and does not fail the run. An expired waiver
does not waive: the finding stays failing and its message says which waiver
expired. A waiver that matched no failing finding is reported in a note so
that it can be removed.

With ``inlineWaivers: base-only`` (the default when a pull request is judged
by its base, ``--policies-from``) an inline waiver counts only if the base
commit already has it, word for word, on the same deployment of the same
file: :func:`granted_inline`. One the change adds or edits does not waive and
is itself a failing finding, GG003.
"""

from __future__ import annotations

import datetime
import difflib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from greengate.records.deployment import Deployment
from greengate.records.finding import (
    MANIFEST_INVALID,
    MANIFEST_POLICY,
    Finding,
    Severity,
    Status,
    manifest_error,
)
from greengate.records.location import Location
from greengate.sources.globs import match_name, match_path

INLINE_PREFIX = "greengate.dev/waive-"
"""Annotation key prefix of an inline waiver; the rest of the key is the rule id."""
INLINE_FORMAT = "reason; expires=YYYY-MM-DD; owner=team"
_INLINE_KEYS = ("expires", "owner")

INLINE_NOT_GRANTED = "GG003"
"""Rule id of an inline waiver that is not in force because the base commit does not have it."""
INLINE_NOT_GRANTED_TITLE = "Inline waiver not granted"
INLINE_NOT_GRANTED_REMEDIATION = (
    "Remove the annotation, or ask the owners of the config to grant the exception "
    "(a waiver in the config's waivers:, or the annotation merged on its own first); "
    "a change cannot waive its own findings."
)


@dataclass(frozen=True)
class Waiver:
    rule: str
    """Rule id, or a glob of rule ids (config waivers only)."""
    reason: str
    location: Location
    """Where the waiver is written: its config entry, or the annotation key."""
    target: str | None = None
    """Path glob, relative to the config file's folder (config waivers)."""
    deployment: str | None = None
    """Deployment name or glob (config waivers)."""
    owner: str = ""
    expires: datetime.date | None = None
    """The last day the waiver applies (inclusive)."""
    inline: bool = False
    document: int | None = None
    """For an inline waiver: the index of the document it is written in (it waives only there)."""

    @property
    def where(self) -> str:
        return f"{self.location.file}:{self.location.line}"

    def expired(self, today: datetime.date) -> bool:
        return self.expires is not None and today > self.expires

    def justification(self) -> str:
        details = [f"owner {self.owner}"] if self.owner else []
        if self.expires is not None:
            details.append(f"expires {self.expires.isoformat()}")
        details.append(f"waiver at {self.where}")
        return f"{self.reason} ({', '.join(details)})"

    def expiry_note(self) -> str:
        owner = f", owner {self.owner}" if self.owner else ""
        expires = self.expires.isoformat() if self.expires is not None else "?"
        return f"waiver for {self.rule} ({self.where}{owner}) expired on {expires}"


@dataclass(frozen=True)
class WaiverResult:
    findings: list[Finding]
    notes: list[str] = field(default_factory=list)
    expired: frozenset[str] = frozenset()
    """Fingerprints of findings whose only matching waivers have expired: they always fail."""


def parse_inline(deployment: Deployment) -> tuple[list[Waiver], list[Finding]]:
    """The waivers in a deployment's annotations, and a GG002 error for each malformed one."""
    waivers: list[Waiver] = []
    problems: list[Finding] = []
    for key, value in deployment.annotations.items():
        if not key.startswith(INLINE_PREFIX):
            continue
        where = deployment.annotation_locations.get(key, deployment.location)
        rule = key[len(INLINE_PREFIX) :]
        try:
            waivers.append(_parse_value(rule, value, where))
        except ValueError as exc:
            message = f"annotation {key}: {exc}; write it as '{INLINE_FORMAT}'"
            problems.append(_invalid(deployment, where, key, message))
    return waivers, problems


def _parse_value(rule: str, value: str, where: Location) -> Waiver:
    if not rule:
        raise ValueError("names no rule id (greengate.dev/waive-GG201)")
    reason, *pairs = (part.strip() for part in value.split(";"))
    if not reason or "=" in reason.split()[0]:
        raise ValueError("a waiver needs a reason before the first ';'")
    found: dict[str, str] = {}
    for pair in pairs:
        if not pair:
            continue
        name, sep, text = (s.strip() for s in pair.partition("="))
        if not sep:
            raise ValueError(f"'{pair}' is not key=value")
        if name not in _INLINE_KEYS:
            guess = difflib.get_close_matches(name, _INLINE_KEYS, n=1)
            hint = f" (did you mean '{guess[0]}'?)" if guess else ""
            raise ValueError(f"unknown key '{name}'{hint}, the keys are {', '.join(_INLINE_KEYS)}")
        found[name] = text
    return Waiver(
        rule=rule,
        reason=reason,
        location=where,
        owner=found.get("owner", ""),
        expires=parse_date(found["expires"]) if "expires" in found else None,
        inline=True,
    )


def parse_date(text: str) -> datetime.date:
    """A ``YYYY-MM-DD`` date; ValueError with a readable message otherwise."""
    try:
        if len(text) != 10:
            raise ValueError
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"'{text}' is not a date (YYYY-MM-DD)") from None


def _invalid(deployment: Deployment, where: Location, key: str, message: str) -> Finding:
    return manifest_error(
        MANIFEST_INVALID,
        where,
        message,
        remediation=f"Write the annotation's value as '{INLINE_FORMAT}' (only the reason is required).",
        deployment=deployment.name,
        identity=key,
        file=deployment.file,
        path=deployment.path or None,
    )


def apply_waivers(
    findings: Sequence[Finding],
    config_waivers: Sequence[Waiver],
    inline_waivers: Mapping[tuple[str, str], Sequence[Waiver]],
    *,
    today: datetime.date,
    relative: Callable[[str], str | None],
    known_rules: Iterable[str] = (),
    document_of: Callable[[Finding], int | None] | None = None,
) -> WaiverResult:
    """Waive the failing findings a waiver matches.

    ``inline_waivers`` are keyed by (manifest file, deployment name);
    ``document_of`` gives the document a finding is about (None: unknown), so
    an inline waiver that knows its document waives only there, not a second
    document that reuses the deployment's name;
    ``relative`` turns a finding's file into the path config globs match
    (relative to the config's folder), or None for a file outside it.
    """
    used: set[int] = set()
    expired_fps: set[str] = set()
    everything = list(config_waivers) + [w for ws in inline_waivers.values() for w in ws]
    index = {id(w): i for i, w in enumerate(everything)}
    out: list[Finding] = []
    for finding in findings:
        if finding.status is not Status.FAIL:
            out.append(finding)
            continue
        matching = [w for w in config_waivers if _covers(w, finding, relative)] + [
            w
            for w in inline_waivers.get((finding.file, finding.deployment), ())
            if w.rule == finding.rule_id and _same_document(w, finding, document_of)
        ]
        used.update(index[id(w)] for w in matching)
        active = next((w for w in matching if not w.expired(today)), None)
        if active is not None:
            out.append(replace(finding, status=Status.WAIVED, justification=active.justification()))
        elif matching:
            expiries = "; ".join(w.expiry_note() for w in matching)
            out.append(replace(finding, message=f"{finding.message}; {expiries}"))
            expired_fps.add(finding.fingerprint)
        else:
            out.append(finding)
    rules = set(known_rules)
    notes = [_unused_note(w, rules) for i, w in enumerate(everything) if i not in used]
    return WaiverResult(out, notes, frozenset(expired_fps))


def _same_document(
    waiver: Waiver, finding: Finding, document_of: Callable[[Finding], int | None] | None
) -> bool:
    if waiver.document is None or document_of is None:
        return True
    document = document_of(finding)
    return document is None or document == waiver.document


def _covers(waiver: Waiver, finding: Finding, relative: Callable[[str], str | None]) -> bool:
    if not match_name(waiver.rule, finding.rule_id):
        return False
    if waiver.deployment is not None and not match_name(waiver.deployment, finding.deployment):
        return False
    if waiver.target is not None:
        path = relative(finding.file)
        if path is None or not match_path(waiver.target, path):
            return False
    return True


def _unused_note(waiver: Waiver, rules: set[str]) -> str:
    if rules and not any(match_name(waiver.rule, rule) for rule in rules):
        return f"waiver {waiver.where} ({waiver.rule}) names no rule of the policies that ran; correct the rule id or remove it"
    return f"waiver {waiver.where} ({waiver.rule}) matched no finding; remove it"


InlineKey = tuple[str, str, str, str]
"""An inline waiver's identity: (manifest path, deployment name, rule id, annotation text)."""


def inline_key(deployment: Deployment, waiver: Waiver) -> InlineKey:
    """What must be the same at the base for an inline waiver to be in force.

    The deployment's fingerprint basis (its repository path and name), the
    rule, and the annotation's text as written (so a changed reason, owner or
    expiry is a new waiver).
    """
    text = deployment.annotations.get(INLINE_PREFIX + waiver.rule, "")
    return (deployment.path or deployment.file, deployment.name, waiver.rule, text)


@dataclass(frozen=True)
class InlineWaivers:
    waivers: dict[tuple[str, str], list[Waiver]]
    """The waivers in force, keyed by (manifest file, deployment name) as :func:`apply_waivers` takes them."""
    findings: list[Finding]
    """GG002 for each malformed annotation, GG003 for each waiver not granted."""


def granted_inline(
    deployments: Iterable[Deployment],
    base: Iterable[Deployment] | None = None,
    *,
    base_name: str = "the base",
) -> InlineWaivers:
    """The inline waivers of ``deployments``; with ``base``, only those the base already has.

    ``base`` is the deployments of the same files as they are at the base
    commit (read and adapted the same way). A waiver counts as many times as
    the base has it: a copy on a second document with the same name is not
    granted. A waiver the base lacks becomes a failing GG003 finding at the
    annotation. ``base=None``: every well-formed inline waiver counts.
    """
    allowed: Counter[InlineKey] | None = None
    if base is not None:
        allowed = Counter()
        for before in base:
            for waiver in parse_inline(before)[0]:
                allowed[inline_key(before, waiver)] += 1
    result = InlineWaivers({}, [])
    for deployment in deployments:
        waivers, malformed = parse_inline(deployment)
        result.findings.extend(malformed)
        for waiver in waivers:
            if allowed is not None:
                key = inline_key(deployment, waiver)
                if allowed[key] <= 0:
                    result.findings.append(_not_granted(deployment, waiver, base_name))
                    continue
                allowed[key] -= 1
            result.waivers.setdefault((deployment.file, deployment.name), []).append(
                replace(waiver, document=deployment.document)
            )
    return result


def _not_granted(deployment: Deployment, waiver: Waiver, base_name: str) -> Finding:
    key = INLINE_PREFIX + waiver.rule
    return Finding.make(
        rule_id=INLINE_NOT_GRANTED,
        policy=MANIFEST_POLICY,
        severity=Severity.HIGH,
        status=Status.FAIL,
        message=(
            f"inline waiver {key} on '{deployment.name}' is not in force: it is not at {base_name}"
            f" (this change adds or edits it), and waivers are granted by the owners of the config,"
            f" not by the change they waive"
        ),
        location=waiver.location,
        deployment=deployment.name,
        remediation=INLINE_NOT_GRANTED_REMEDIATION,
        title=INLINE_NOT_GRANTED_TITLE,
        identity=key,
        file=deployment.file,
        path=deployment.path or None,
    )
