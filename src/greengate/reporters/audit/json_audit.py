"""The audit as versioned JSON (``docs/audit-json.md``): what ``audit merge`` reads back.

Keys keep their order and floats their full precision, so two runs over the
same repositories (one process, ``--jobs``, shards merged) write the same bytes.
"""

from __future__ import annotations

from greengate.records.audit import AuditReport, to_dict
from greengate.records.text import dumps


def render(report: AuditReport) -> str:
    return dumps(to_dict(report), indent=2) + "\n"
