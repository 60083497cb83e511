"""Adapters, one per manifest format. Adding a format = one module + one line in ADAPTERS."""

from __future__ import annotations

from greengate.documents import Document
from greengate.manifests.base import Adapter, AdaptResult, ManifestProblem
from greengate.manifests.native import NativeAdapter

ADAPTERS: tuple[Adapter, ...] = (NativeAdapter(),)


def adapter_for(document: Document) -> Adapter | None:
    """The adapter that reads this document, or None when it is not a deployment."""
    for adapter in ADAPTERS:
        if adapter.matches(document):
            return adapter
    return None


__all__ = ["ADAPTERS", "AdaptResult", "Adapter", "ManifestProblem", "adapter_for"]
