"""Helm releases and Kubernetes objects written in Terraform, handed to the other adapters.

The Terraform adapter does not know Helm charts or Kubernetes kinds; it finds
the documents and hands them back in ``AdaptResult.embedded`` (see
:class:`~greengate.manifests.base.EmbeddedDocument`) for the pipeline to adapt
with whichever adapter matches them (the Helm values adapter decides from the
values' shape whether the release is a vLLM production stack, KubeRay,
Triton...). What is read, positions in the ``.tf`` file:

- ``resource "helm_release"``: each ``values`` entry (a heredoc, a quoted YAML
  string, ``yamlencode({...})``, ``file``/``templatefile`` of a file in the
  same folder), then the ``set`` blocks (``set { name = "a.b.c" value = ...
  }`` or ``set = [{...}]``), merged in that order as Helm merges them, read as
  ``values.yaml``. A ``set`` value is typed as Helm's ``--set`` types it
  (``"2"`` a number, ``"true"`` a boolean) unless ``type = "string"``; a
  name with list indexes (``a[0].b``) is skipped.
- a module input named ``*_helm_config`` (``aws-ia`` EKS blueprints / data
  addons) holding ``values`` / ``set``, or a ``helm_values`` / ``*_helm_values``
  list a module passes on to its ``helm_release``: the same.
- ``resource "kubernetes_manifest"``: ``manifest`` (an HCL object, or
  ``yamldecode(file(...))`` of a file beside it), read as ``manifest.yaml``.
- ``resource "kubectl_manifest"``: ``yaml_body`` (YAML text), read as ``manifest.yaml``.

The deployments found are named ``<address>/<name the adapter gave>``
(``helm_release.vllm/vllm``).
"""

from __future__ import annotations

import re
from typing import Any

from greengate.load import Document, PathKey
from greengate.manifests.base import (
    EmbeddedDocument,
    ManifestProblem,
    ReadContext,
    is_placeholder,
)
from greengate.manifests.terraform.embedded import documents, merge
from greengate.manifests.terraform.folder import Folder, blocks
from greengate.records.location import Span

VALUES = "values.yaml"
MANIFEST = "manifest.yaml"
_SET_KEY = re.compile(r"(?:\\.|[^.\\])+")
_INTEGER = re.compile(r"[-+]?\d{1,18}")


def helm_values(
    folder: Folder,
    values_path: PathKey,
    set_path: PathKey | None,
    address: str,
    context: ReadContext,
) -> tuple[list[EmbeddedDocument], list[ManifestProblem]]:
    """The values list at ``values_path`` and the ``set`` blocks at ``set_path``, merged as Helm merges them.

    ``values = var.x`` / ``local.x`` is followed to where the list is written (a
    variable's default, a tfvars entry, a ``locals`` block).
    """
    host = folder.document
    layers: list[Document] = []
    problems: list[ManifestProblem] = []
    where, at = folder.locate(values_path)
    values = where.get(at)
    for i in range(len(values) if isinstance(values, list) else 0):
        found, wrong = documents(where, (*at, i), VALUES, context, f"values[{i}] of {address}")
        layers.extend(found[:1])
        problems.extend(wrong)
    given = _set_values(host, set_path) if set_path is not None else None
    if given is not None:
        layers.append(given)
    merged = merge(layers, VALUES)
    return ([EmbeddedDocument(merged, address)] if merged is not None else []), problems


def _set_values(host: Document, path: PathKey) -> Document | None:
    """``set`` blocks as a values Document, each value at its line in the ``.tf`` file."""
    items = host.get(path)
    data: dict[str, Any] = {}
    spans: dict[PathKey, Span] = {}
    for i, item in enumerate(items if isinstance(items, list) else []):
        name = item.get("name") if isinstance(item, dict) else None
        if not isinstance(name, str) or is_placeholder(name) or "[" in name:
            continue
        keys = [k.replace("\\.", ".") for k in _SET_KEY.findall(name)]
        here = host.span((*path, i, "value"))
        block = host.span((*path, i))
        if not keys or "value" not in item or here is None or block is None:
            continue
        node = data
        for depth, key in enumerate(keys[:-1]):
            child = node.get(key)
            if not isinstance(child, dict):
                child = node[key] = {}
                spans[tuple(keys[: depth + 1])] = block
            node = child
        node[keys[-1]] = _typed(item["value"], item.get("type"))
        name_span = host.span((*path, i, "name"))
        key_line = name_span.key_line if name_span is not None else None
        key_column = name_span.key_column if name_span is not None else None
        spans[tuple(keys)] = Span(
            here.line, here.column, here.end_line, here.end_column, key_line, key_column
        )
    if not data:
        return None
    spans[()] = host.span(path) or Span(1, 1, 1, 1)
    return Document(host.file, host.index, data, spans, VALUES)


def _typed(value: Any, kind: Any) -> Any:
    """A ``set`` value as Helm's ``--set`` reads it: ``"2"`` is 2, ``"true"`` is true."""
    if kind == "string" or not isinstance(value, str):
        return value
    if value in ("true", "false"):
        return value == "true"
    if value == "null":
        return None
    if _INTEGER.fullmatch(value):
        return int(value)
    return value


def release_documents(
    folder: Folder, context: ReadContext
) -> tuple[list[EmbeddedDocument], list[ManifestProblem]]:
    """Every Helm release and Kubernetes object written in the folder's document, in file order per kind."""
    host = folder.document
    embedded: list[EmbeddedDocument] = []
    problems: list[ManifestProblem] = []

    def add(found: tuple[list[EmbeddedDocument], list[ManifestProblem]]) -> None:
        embedded.extend(found[0])
        problems.extend(found[1])

    data = host.data
    for name, index, _ in blocks(data, "resource", "helm_release"):
        base: PathKey = ("resource", "helm_release", name, index)
        address = f"helm_release.{name}"
        add(helm_values(folder, (*base, "values"), (*base, "set"), address, context))
    for name, index, body in blocks(data, "module"):
        for key, value in body.items():
            address = f"module.{name}.{key}"
            if str(key).endswith("helm_config") and isinstance(value, dict):
                base = ("module", name, index, key)
                add(helm_values(folder, (*base, "values"), (*base, "set"), address, context))
            elif _is_values_input(str(key)):
                add(helm_values(folder, ("module", name, index, key), None, address, context))
    for kind, key in (("kubernetes_manifest", "manifest"), ("kubectl_manifest", "yaml_body")):
        for name, index, _ in blocks(data, "resource", kind):
            address = f"{kind}.{name}"
            where, path = folder.locate(("resource", kind, name, index, key))
            found, wrong = documents(where, path, MANIFEST, context, f"{key} of {address}")
            embedded.extend(EmbeddedDocument(d, address) for d in found)
            problems.extend(wrong)
    return embedded, problems


def _is_values_input(key: str) -> bool:
    """A module input that passes a values list on to a ``helm_release`` (``helm_values``)."""
    return key == "helm_values" or key.endswith("_helm_values")


def has_releases(data: Any) -> bool:
    """Whether the document writes a Helm release or a Kubernetes object the pipeline should read."""
    resources = data.get("resource") if isinstance(data, dict) else None
    if isinstance(resources, dict) and any(
        kind in resources for kind in ("helm_release", "kubernetes_manifest", "kubectl_manifest")
    ):
        return True
    return any(
        str(key).endswith("helm_config") or _is_values_input(str(key))
        for _, _, body in blocks(data, "module")
        for key in body
    )
