"""Which Kubernetes object a document is, and what it is called.

Every Kubernetes-family adapter claims a document by its API group and kind
(:func:`api_group`) and names the deployments it reads after the object
(:func:`object_name`: ``namespace/name``), so both are read one way for all.
"""

from __future__ import annotations

from greengate.load import Document, PathKey
from greengate.manifests.base import is_placeholder


def api_group(document: Document) -> tuple[str, str]:
    """``(group, kind)`` of a document, ``("", "")`` when it has none."""
    data = document.data
    if not isinstance(data, dict):
        return "", ""
    api, kind = data.get("apiVersion"), data.get("kind")
    if not isinstance(api, str) or not isinstance(kind, str):
        return "", ""
    return (api.split("/", 1)[0] if "/" in api else ""), kind


def object_name(
    document: Document, kind: str, metadata: PathKey = ("metadata",)
) -> tuple[str, PathKey]:
    """``namespace/name`` (or ``name``), with the path to point at.

    An object with only ``generateName`` is named by it (``sample-job-``); one
    with neither is named by its kind and document number (``Deployment#2``).
    """
    meta = document.get(metadata)
    meta = meta if isinstance(meta, dict) else {}
    namespace = meta.get("namespace")
    prefix = (
        f"{namespace}/"
        if isinstance(namespace, str) and namespace and not is_placeholder(namespace)
        else ""
    )
    for key in ("name", "generateName"):
        value = meta.get(key)
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
            return f"{prefix}{value}", (*metadata, key)
    return f"{prefix}{kind}#{document.index + 1}", ("kind",)
