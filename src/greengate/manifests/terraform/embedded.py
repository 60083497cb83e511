"""Documents written inside a ``.tf`` file, as Documents whose positions are the ``.tf`` file's lines.

Three ways a manifest sits in Terraform, each turned into a
:class:`~greengate.load.Document` that another adapter can read:

- a YAML string, usually a heredoc (``<<-EOT``): parsed, and every position
  moved to the host lines (the heredoc's span says where its text begins and
  how much indentation ``<<-`` stripped; see :mod:`greengate.load.hcl`); a
  quoted one-line string keeps the string's own position for every value.
  Invalid YAML is a problem at its line, unless the text holds template
  sequences (``${...}``, ``%{ if }``) that Terraform renders first;
- an HCL object (``yamlencode({...})``, ``manifest = {...}``): already a
  value of the host document, each entry at its own line;
- ``file("${path.module}/x.yaml")`` or ``templatefile(...)`` of a file in the
  same folder: that file, read through the
  :class:`~greengate.manifests.base.ReadContext` (positions in that file).
  Template placeholders (``${name}``) stay as written, hence unknown; a
  template that is not valid YAML until rendered is skipped, not reported.

:func:`merge` lays several of them over each other as Helm does with a
release's ``values`` list and ``set`` blocks: a later mapping entry wins.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Any

from greengate.load import Document, PathKey, load_bytes
from greengate.manifests.base import ManifestProblem, ReadContext
from greengate.records.location import Location, Span

_FILE_CALL = re.compile(
    r'\$\{(?:yamldecode\()?(?:file|templatefile)\(\s*"\$\{path\.module\}/([^"/\\$]+)"'
)
"""``file("${path.module}/values.yaml")`` and ``templatefile("${path.module}/values.yaml", {...})``."""
_HEREDOC = re.compile(r"<<(\d+)")
_TEMPLATE = re.compile(r"[$%]\{")


def documents(
    host: Document, path: PathKey, read_as: str, context: ReadContext, what: str
) -> tuple[list[Document], list[ManifestProblem]]:
    """The documents the value at ``path`` holds (a YAML string, an object, a sibling file)."""
    value = host.get(path)
    if isinstance(value, dict):
        return [_subtree(host, path, read_as)], []
    if not isinstance(value, str):
        return [], []
    reference = _FILE_CALL.match(value)
    if reference is not None:
        return _sibling(reference.group(1), read_as, context), []
    if value.startswith("${") or not value.strip():
        return [], []  # an expression (var.values, a conditional): not readable without running
    return _yaml(host, path, value, read_as, what)


def _subtree(host: Document, path: PathKey, read_as: str) -> Document:
    size = len(path)
    spans = {key[size:]: span for key, span in host.spans.items() if key[:size] == path}
    return Document(host.file, host.index, host.get(path), spans, read_as)


def _sibling(name: str, read_as: str, context: ReadContext) -> list[Document]:
    found = [
        document
        for loaded in context.siblings(lambda n: n == name)
        if not loaded.problems
        for document in loaded.documents
    ]
    return [
        Document(d.file, d.index, d.data, d.spans, read_as)
        for d in found[:1]
        if isinstance(d.data, dict)
    ]


def _yaml(
    host: Document, path: PathKey, text: str, read_as: str, what: str
) -> tuple[list[Document], list[ManifestProblem]]:
    span = host.span(path)
    style = _HEREDOC.fullmatch(span.style or "") if span is not None else None
    here = host.location(path)
    loaded = load_bytes(text.encode("utf-8"), f"{host.file}#{PurePosixPath(read_as).name}")

    def moved(inner: Span) -> Span:
        if span is None or style is None:
            return span or Span(here.line, here.column, here.line, here.column)
        indent = int(style.group(1))
        key_line = None if inner.key_line is None else span.line + inner.key_line
        key_column = None if inner.key_column is None else inner.key_column + indent
        return Span(
            span.line + inner.line,
            inner.column + indent,
            span.line + inner.end_line,
            inner.end_column + indent,
            key_line,
            key_column,
            inner.style,
        )

    result = [
        Document(
            host.file,
            host.index,
            inner.data,
            {key: moved(value) for key, value in inner.spans.items()},
            read_as,
        )
        for inner in loaded.documents
        if isinstance(inner.data, dict)
    ]
    problems = []
    # Text with ${...} or %{...} is a template Terraform renders first: not YAML yet, so not wrong.
    for problem in loaded.problems if not _TEMPLATE.search(text) else ():
        line = here.line + problem.location.line if style is not None else here.line
        message = problem.message.replace("invalid YAML: ", "")
        problems.append(
            ManifestProblem(
                Location(host.file, line, 1),
                f"{what} is not valid YAML (line {problem.location.line} of the embedded text): {message}",
            )
        )
    return result, problems


def merge(layers: list[Document], read_as: str) -> Document | None:
    """The layers laid over each other in order (mapping entries merge, anything else is replaced)."""
    if not layers:
        return None
    if len(layers) == 1:
        return layers[0]
    data: dict[str, Any] = {}
    spans: dict[PathKey, Span] = {}
    files = {layer.file for layer in layers}
    for layer in layers:
        if isinstance(layer.data, dict):
            _merge_into(data, spans, layer.data, layer.spans, ())
    # Positions in a sibling file cannot be told apart from the host's in one Document: keep the host's.
    host = layers[0]
    if len(files) > 1:
        kept = [layer for layer in layers if layer.file == host.file]
        return merge(kept, read_as) if kept else host
    spans.setdefault((), host.spans.get((), Span(1, 1, 1, 1)))
    return Document(host.file, host.index, data, spans, read_as)


def _merge_into(
    data: dict[str, Any],
    spans: dict[PathKey, Span],
    layer: Mapping[Any, Any],
    layer_spans: Mapping[PathKey, Span],
    prefix: PathKey,
) -> None:
    for key, value in layer.items():
        here = (*prefix, key)
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            if here in layer_spans:
                spans[here] = layer_spans[here]
            _merge_into(data[key], spans, value, layer_spans, here)
            continue
        for old in [p for p in spans if p[: len(here)] == here]:
            del spans[old]
        data[key] = _copy(value)
        for path, span in layer_spans.items():
            if path[: len(here)] == here:
                spans[path] = span


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value
