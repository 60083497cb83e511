"""A workload being linked: its deployment, the document it was read from, and what links add.

A linker never changes a :class:`~greengate.records.deployment.Deployment`
(a frozen record); it tells the :class:`Workload` which facts another
document gives. :meth:`Workload.give` adds a fact only when the workload does
not state it itself (its own fields and annotations win);
:meth:`Workload.override` replaces one (a scaler's replicas: what runs).
:meth:`Workload.result` is the deployment with the linked facts.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field, replace
from typing import Any

from greengate.load import Document, PathKey
from greengate.manifests.kube.objects import api_group
from greengate.records.deployment import Deployment, Fact


@dataclass
class Workload:
    """One deployment of a Kubernetes-shaped document, with the facts linked to it so far."""

    deployment: Deployment
    document: Document
    linked: dict[str, Fact] = field(default_factory=dict)
    notes: dict[str, list[str]] = field(default_factory=dict)
    """Why a fact was not linked (several NodePools, a choice of values), by field."""

    @property
    def kind(self) -> str:
        return api_group(self.document)[1]

    @property
    def group(self) -> str:
        return api_group(self.document)[0]

    @property
    def name(self) -> str | None:
        value = self.document.get(("metadata", "name"))
        return value if isinstance(value, str) else None

    @property
    def namespace(self) -> str | None:
        return namespace_of(self.document)

    def states(self, name: str) -> bool:
        """Whether the workload (or an earlier link) already gives fact ``name``."""
        return name in self.deployment.facts or name in self.linked

    def give(self, name: str, fact: Fact) -> bool:
        """Add ``fact`` unless the workload states ``name`` itself; whether it was added."""
        if self.states(name):
            return False
        self.linked[name] = fact
        return True

    def override(self, name: str, fact: Fact) -> None:
        """Replace fact ``name`` whatever the workload says (a scaler's replicas)."""
        self.linked[name] = fact

    def note(self, name: str, text: str) -> None:
        self.notes.setdefault(name, []).append(text)

    def result(self) -> Deployment:
        """The deployment with the linked facts and notes (itself when nothing was linked)."""
        if not self.linked and not self.notes:
            return self.deployment
        deployment = self.deployment
        hints = dict(deployment.hints)
        for name, texts in self.notes.items():
            if name in self.linked or name in deployment.facts:
                continue
            hints[name] = f"{deployment.hint(name)}; {'; '.join(texts)}"
        return replace(
            deployment,
            facts={**deployment.facts, **self.linked},
            unresolved={k: v for k, v in deployment.unresolved.items() if k not in self.linked},
            hints=hints,
        )


def namespace_of(document: Document) -> str | None:
    """``metadata.namespace`` when it is a string, else None (unspecified)."""
    value = document.get(("metadata", "namespace"))
    return value if isinstance(value, str) and value.strip() else None


def origin(document: Document, path: PathKey, *, key: bool = False) -> str:
    """``HorizontalPodAutoscaler vllm-hpa (hpa.yaml:8)``: the linked object and the line read."""
    _, kind = api_group(document)
    name = document.get(("metadata", "name"))
    where = document.key_location(path) if key else document.location(path)
    shown = f" {name}" if isinstance(name, str) else ""
    return f"{kind}{shown} ({posixpath.basename(where.file)}:{where.line})"


def text(value: Any) -> str | None:
    """A non-empty string value, stripped; None for anything else."""
    return value.strip() if isinstance(value, str) and value.strip() else None
