"""One ``.tf`` document seen with its folder, and ``var.``/``local.`` references resolved through it.

Terraform reads a folder as one configuration: a variable declared in
``variables.tf`` and set in ``terraform.tfvars`` is used in ``main.tf``. A
:class:`Folder` gathers those files for one document from the
:class:`~greengate.manifests.base.ReadContext` the pipeline gives (read from
the same place as the document, so a git ref is never mixed with the work
tree; nothing is kept between documents), and every mapper reads its values
through :meth:`Folder.resolve`, which follows references only as far as
Terraform would without running.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

from greengate.load import Document, PathKey
from greengate.manifests.base import ReadContext, is_placeholder
from greengate.manifests.common import Resolved

_REFERENCE = re.compile(
    r"(var|local)\.([A-Za-z_][\w-]*)((?:\.[A-Za-z_][\w-]*|\[\d+\]|\[\"[^\"]*\"\])*)"
)
_EACH_VALUE = re.compile(r"each\.value((?:\.[A-Za-z_][\w-]*|\[\d+\]|\[\"[^\"]*\"\])*)")
_STEP = re.compile(r"\.([A-Za-z_][\w-]*)|\[(\d+)\]|\[\"([^\"]*)\"\]")
# A default may itself be a reference (even to its own variable): stop following there.
_MAX_DEPTH = 10
_CONFIGURATION = (".tf", ".tf.json")
_AUTO_TFVARS = (".auto.tfvars", ".auto.tfvars.json")
_TFVARS = ("terraform.tfvars", "terraform.tfvars.json")
_DEFAULT_NOTE = " (the variable's default; a tfvars file, -var or a module caller may override it)"


def blocks(data: Any, *keys: str) -> Iterator[tuple[str, int, dict[str, Any]]]:
    """``(label, index, body)`` of every block under ``data[keys...]`` (``resource``, ``<type>``)."""
    node = data
    for key in keys:
        node = node.get(key) if isinstance(node, dict) else None
    if not isinstance(node, dict):
        return
    for label, items in node.items():
        for index, body in enumerate(items if isinstance(items, list) else []):
            if isinstance(body, dict):
                yield str(label), index, body


def _folder_file(name: str) -> bool:
    lower = name.lower()
    return lower.endswith(_CONFIGURATION) or lower.endswith(_AUTO_TFVARS) or lower in _TFVARS


def _configuration(name: str) -> bool:
    return name.lower().endswith(_CONFIGURATION)


def _tfvars(name: str) -> bool:
    return name.lower().endswith((".tfvars", ".tfvars.json"))


class Folder:
    """One ``.tf`` document with what its folder declares: variables, tfvars, locals, providers, models."""

    def __init__(self, document: Document, context: ReadContext) -> None:
        self.document = document
        own = PurePosixPath(document.file).name
        siblings = [d for loaded in context.siblings(_folder_file) for d in loaded.documents]
        others = [d for d in siblings if PurePosixPath(d.file).name != own]
        self.documents = [document, *(d for d in others if _configuration(d.file))]
        # terraform.tfvars(.json) first, then *.auto.tfvars(.json) in name order: later files win.
        tfvars = sorted(
            (d for d in others if _tfvars(d.file)),
            key=lambda d: (PurePosixPath(d.file).name.lower() not in _TFVARS, d.file),
        )
        self.each: tuple[str, Document, PathKey] | None = None
        """The ``for_each`` entry being read (key, where its value is), see :meth:`bound`."""
        self.tfvars: dict[str, tuple[Document, PathKey]] = {}
        for tfvars_document in tfvars:
            if isinstance(tfvars_document.data, dict):
                for name in tfvars_document.data:
                    self.tfvars[str(name)] = (tfvars_document, (name,))

    # -- references

    def _variable(self, name: str) -> tuple[Document, PathKey, str] | None:
        if name in self.tfvars:
            document, path = self.tfvars[name]
            return document, path, ""
        for document in self.documents:
            for label, index, body in blocks(document.data, "variable"):
                if label == name and body.get("default") is not None:
                    path = ("variable", label, index, "default")
                    return document, path, _DEFAULT_NOTE
        return None

    def _local(self, name: str) -> tuple[Document, PathKey, str] | None:
        for document in self.documents:
            locals_blocks = document.data.get("locals") if isinstance(document.data, dict) else None
            for index, body in enumerate(locals_blocks if isinstance(locals_blocks, list) else []):
                if isinstance(body, dict) and name in body:
                    return document, ("locals", index, name), ""
        return None

    def bound(self, key: str, document: Document, path: PathKey) -> Folder:
        """This folder read for one ``for_each`` entry: ``each.key`` is ``key``, ``each.value`` is at ``path``."""
        view = copy.copy(self)
        view.each = (key, document, path)
        return view

    def _follow(self, value: str) -> tuple[bool, tuple[Document, PathKey, str] | None]:
        """Whether ``value`` is a reference, and where it points (None when it cannot be followed)."""
        match = _REFERENCE.fullmatch(value)
        found: tuple[Document, PathKey, str] | None
        if match is not None:
            kind, name, rest = match.groups()
            found = self._variable(name) if kind == "var" else self._local(name)
        else:
            inner = value[2:-1] if value.startswith("${") and value.endswith("}") else value
            each = _EACH_VALUE.fullmatch(inner)
            if each is None:
                return False, None
            rest = each.group(1)
            found = None
            if self.each is not None:
                key, document, path = self.each
                found = document, path, f" (for_each key {key})"
        if found is None:
            return True, None
        target, target_path, note = found
        for step in _STEP.finditer(rest):
            key_name, index, quoted = step.groups()
            target_path = (
                *target_path,
                int(index) if index is not None else (key_name if key_name is not None else quoted),
            )
        return True, (target, target_path, note)

    def locate(
        self, path: PathKey, document: Document | None = None, depth: int = 0
    ) -> tuple[Document, PathKey]:
        """Where the value at ``path`` is written, references followed as far as they lead.

        For reading a mapping's entries where they are written
        (``eks_managed_node_groups = local.groups``, ``for_each = var.pools``).
        """
        document = document or self.document
        value = document.get(path)
        if isinstance(value, str) and depth < _MAX_DEPTH:
            _, found = self._follow(value)
            if found is not None and found[0].get(found[1]) is not None:
                return self.locate(found[1], found[0], depth + 1)
        return document, path

    def resolve(
        self, path: PathKey, document: Document | None = None, depth: int = 0
    ) -> Resolved | None:
        """The value at ``path`` with ``var.``/``local.``/``each.`` references resolved; None when absent."""
        document = document or self.document
        value = document.get(path)
        if value is None:
            return None
        here = document.location(path)
        if not isinstance(value, str):
            return Resolved(value, here)
        if value in ("each.key", "${each.key}") and self.each is not None:
            key, each_document, each_path = self.each
            return Resolved(key, each_document.key_location(each_path), "each.key")
        reference, found = self._follow(value)
        if not reference:
            return Resolved(value, here, known=not is_placeholder(value))
        if found is None or depth >= _MAX_DEPTH:
            return Resolved(value, here, known=False)
        target, target_path, note = found
        resolved = self.resolve(target_path, target, depth + 1)
        if resolved is None or not resolved.known:
            return Resolved(value, here, known=False)
        where = resolved.location
        detail = f"{value} resolved from {PurePosixPath(where.file).name}:{where.line}{note}"
        if resolved.detail:
            detail = f"{detail}; {resolved.detail}"
        return Resolved(resolved.value, where, detail)

    def block(self, path: PathKey) -> PathKey | None:
        """A nested block (``node_config``) as its first item, or an attribute holding a mapping."""
        value = self.document.get(path)
        if isinstance(value, list) and value and isinstance(value[0], dict):
            return (*path, 0)
        if isinstance(value, dict):
            return path
        return None

    def aws_region(self) -> Resolved | None:
        """The ``region`` of the folder's default ``provider "aws"`` block (the one without ``alias``)."""
        for document in self.documents:
            for label, index, body in blocks(document.data, "provider"):
                if label == "aws" and "alias" not in body:
                    return self.resolve(("provider", label, index, "region"), document)
        return None
