"""``--new-only``: a failing finding that already failed at the base is ``existing``."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence

from greengate.records.finding import Finding, Status


def mark_existing(findings: Sequence[Finding], before: Iterable[Finding]) -> list[Finding]:
    """Failing findings that already failed at the base become ``existing`` (they do not gate)."""
    old = {f.fingerprint for f in before if f.status is Status.FAIL}
    return [
        dataclasses.replace(f, status=Status.EXISTING)
        if f.status is Status.FAIL and f.fingerprint in old
        else f
        for f in findings
    ]
