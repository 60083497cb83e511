"""YAML documents held in a string of a Ray manifest, read with a way back to the host's lines.

``spec.serveConfigV2`` (RayService) and ``spec.runtimeEnvYAML`` (RayJob) are
YAML inside a string. :func:`embedded` parses such a string with
:func:`greengate.load.documents.load_bytes`; the :class:`Embedded` it returns
answers ``get`` on the inner document and gives every inner path a location
in the host file (the block's first line plus the inner line), so that a fact
read from it points at the line a reader sees. Invalid YAML is a problem at
its line in the host.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from greengate.load import Document, PathKey, load_bytes
from greengate.manifests.base import ManifestProblem
from greengate.manifests.kube.values import Found
from greengate.records.location import Location


@dataclass
class Embedded:
    """A YAML document held in a string of the host document, with a way back to host lines."""

    host: Document
    path: PathKey
    inner: Document | None
    problems: list[ManifestProblem] = field(default_factory=list)

    def location(self, path: PathKey) -> Location:
        host = self.host.location(self.path)
        span = self.host.span(self.path)
        if self.inner is None or span is None or span.style != "|":
            return host
        inner = self.inner.location(path)
        key_column = span.key_column or host.column
        return Location(host.file, host.line + inner.line, key_column + 1 + inner.column)

    def get(self, path: PathKey, default: Any = None) -> Any:
        return self.inner.get(path, default) if self.inner is not None else default

    def found(self, path: PathKey, value: Any, detail: str) -> Found:
        return Found(value, self.location(path), detail)


def embedded(document: Document, path: PathKey, what: str) -> Embedded | None:
    """Parse the YAML string at ``path``; invalid YAML is a problem at its line in the host."""
    text = document.get(path)
    if not isinstance(text, str) or not text.strip():
        return None
    loaded = load_bytes(text.encode("utf-8"), f"{document.file}#{what}.yaml")
    result = Embedded(document, path, loaded.documents[0] if loaded.documents else None)
    host = document.location(path)
    span = document.span(path)
    for problem in loaded.problems:
        inner = problem.location.line
        where = (
            Location(host.file, host.line + inner, 1)
            if span is not None and span.style == "|"
            else host
        )
        message = problem.message.replace("invalid YAML: ", "")
        result.problems.append(
            ManifestProblem(
                where, f"{what} is not valid YAML (line {inner} of the embedded text): {message}"
            )
        )
    return result
