"""Findings and locations as plain tuples: what crosses a process boundary or goes to a spool file.

A frozen, slotted record unpickles far slower than a tuple of the same
values (it is rebuilt in Python), so worker processes send findings back,
and a large report spills them to disk, in this form.
"""

from __future__ import annotations

from greengate.records.finding import Finding, Severity, Status
from greengate.records.location import Location

PackedLocation = tuple[str, int, int, int | None, int | None]
PackedFinding = tuple[
    str, str, str, str, str, PackedLocation, str, str, str, str, str, str, str, tuple[str, ...]
]


def pack_location(at: Location) -> PackedLocation:
    return (at.file, at.line, at.column, at.end_line, at.end_column)


def unpack_location(at: PackedLocation) -> Location:
    return Location(*at)


def pack_finding(f: Finding) -> PackedFinding:
    return (
        f.rule_id,
        f.policy,
        f.severity.value,
        f.status.value,
        f.message,
        pack_location(f.location),
        f.deployment,
        f.field,
        f.remediation,
        f.title,
        f.fingerprint,
        f.justification,
        f.manifest,
        f.notes,
    )


def unpack_finding(f: PackedFinding) -> Finding:
    return Finding(f[0], f[1], Severity(f[2]), Status(f[3]), f[4], unpack_location(f[5]), *f[6:])
