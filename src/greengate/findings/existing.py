"""``--new-only``: a failing finding that already failed at the base is ``existing``.

Its fingerprint (rule, file, deployment name, field) is not enough: a change
could add a second document with the name of a deployment that already fails
and hide a new failure behind the old one. So a finding about a deployment is
existing only if the base has the same failing finding about the same
document of the file (its index) with the same facts: the value of the
finding's field, or, for a rule that names no field, all the deployment's
facts. A document the base does not have is never existing.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from greengate.records.deployment import Deployment
from greengate.records.finding import Finding, Status


@dataclass(frozen=True)
class Judged:
    """A finding and what it is about, for comparing with the base."""

    finding: Finding
    basis: str = ""
    """:func:`basis` of the finding's deployment; "" for a finding about a file, not a deployment."""
    document: int | None = None
    """The index of the document of the finding's deployment (None: about a file)."""


def judged(
    deployment: Deployment, findings: Iterable[Finding], *, with_basis: bool = True
) -> list[Judged]:
    """The findings of one deployment, each with its document and (``with_basis``) its :func:`basis`.

    The basis is a digest of facts, worth computing only when the run compares
    with the base (``--new-only``); the document is always known.
    """
    return [
        Judged(f, basis(deployment, f) if with_basis else "", deployment.document) for f in findings
    ]


def basis(deployment: Deployment, finding: Finding) -> str:
    """The facts ``finding`` is about: the deployment's document and the value of its field.

    For a rule that names no field, a digest of every fact of the deployment.
    Locations are left out, so lines added above keep a finding existing.
    """
    if finding.field:
        fact = deployment.facts.get(finding.field) or deployment.unresolved.get(finding.field)
        about: Any = [finding.field, fact.value if fact is not None else None]
    else:
        about = sorted((name, fact.value) for name, fact in deployment.facts.items())
    text = json.dumps(
        [deployment.kind, deployment.document, about], sort_keys=True, default=str
    ).encode("utf-8")
    return hashlib.sha256(text).hexdigest()[:32]


def mark_existing(findings: Sequence[Judged], before: Iterable[Judged]) -> list[Finding]:
    """Failing findings that already failed at the base, about the same facts, become ``existing``."""
    old = {(j.finding.fingerprint, j.basis) for j in before if j.finding.status is Status.FAIL}
    return [
        dataclasses.replace(j.finding, status=Status.EXISTING)
        if j.finding.status is Status.FAIL and (j.finding.fingerprint, j.basis) in old
        else j.finding
        for j in findings
    ]
