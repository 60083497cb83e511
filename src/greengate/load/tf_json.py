"""Terraform's JSON syntax (``*.tf.json``) read into the shape the HCL loader gives ``.tf`` files.

The JSON loader keeps every position; this module only reshapes the data so
that a Terraform adapter reads ``main.tf.json`` as it reads ``main.tf``:

- a block body becomes a one-item list, as repeated HCL blocks are
  (``{"resource": {"google_container_node_pool": {"gpu": {...}}}}`` ->
  ``resource.google_container_node_pool.gpu[0]``); a body written as a JSON
  array of objects keeps its items. Nested blocks (``node_config``) stay as
  written: the adapter reads a mapping and a list of mappings alike.
- a string that is one plain reference (``"${var.region}"``) becomes the
  reference as HCL writes it (``var.region``), so it resolves the same way;
  any other template stays ``${...}``, unknown.

Only the top level is reshaped, by its block keys: ``resource`` and ``data``
(type, then name), ``module``, ``variable``, ``output`` and ``provider``
(name), ``locals`` and ``terraform`` (the body itself).
"""

from __future__ import annotations

import re
from typing import Any

from greengate.load.document import Document, LoadedFile, PathKey
from greengate.load.yaml_loader import load_json
from greengate.records.location import Span

_REFERENCE = re.compile(r"\$\{((?:var|local|module|data)\.[A-Za-z_][\w.\[\]\"-]*)\}")
_LABELS = {"resource": 2, "data": 2, "module": 1, "variable": 1, "output": 1, "provider": 1}
_BODIES = ("locals", "terraform")


def load_terraform_json(text: str, file: str) -> LoadedFile:
    """Parse ``*.tf.json`` and reshape it like a ``.tf`` document (see the module docstring)."""
    loaded = load_json(text, file)
    if not loaded.documents or not isinstance(loaded.documents[0].data, dict):
        return loaded
    source = loaded.documents[0]
    data: dict[str, Any] = {}
    spans: dict[PathKey, Span] = {(): source.spans.get((), Span(1, 1, 1, 1))}
    for key in source.data:
        labels = _LABELS.get(key, -1 if key in _BODIES else None)
        if labels is None:
            data[key] = _copy(source, (key,), (key,), spans)
            continue
        data[key] = _blocks(source, (key,), (key,), max(labels, 0), spans)
    return LoadedFile(file, (Document(file, 0, data, spans),), loaded.problems)


def _blocks(
    source: Document, old: PathKey, new: PathKey, labels: int, spans: dict[PathKey, Span]
) -> Any:
    """The labels under ``old``, down to the bodies, each body made a list of bodies."""
    value = source.get(old)
    _span(source, old, new, spans)
    if labels > 0:
        if not isinstance(value, dict):
            return _copy(source, old, new, spans)
        return {k: _blocks(source, (*old, k), (*new, k), labels - 1, spans) for k in value}
    items = value if isinstance(value, list) else [value]
    bodies = []
    for i, _ in enumerate(items):
        at_old = (*old, i) if isinstance(value, list) else old
        bodies.append(_copy(source, at_old, (*new, i), spans))
    return bodies


def _copy(source: Document, old: PathKey, new: PathKey, spans: dict[PathKey, Span]) -> Any:
    value = source.get(old)
    _span(source, old, new, spans)
    if isinstance(value, dict):
        return {k: _copy(source, (*old, k), (*new, k), spans) for k in value}
    if isinstance(value, list):
        return [_copy(source, (*old, i), (*new, i), spans) for i in range(len(value))]
    if isinstance(value, str):
        match = _REFERENCE.fullmatch(value)
        return match.group(1) if match is not None else value
    return value


def _span(source: Document, old: PathKey, new: PathKey, spans: dict[PathKey, Span]) -> None:
    span = source.spans.get(old)
    if span is not None:
        spans[new] = span
