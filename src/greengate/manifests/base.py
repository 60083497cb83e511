"""The adapter interface: one manifest format in, normalised deployments out.

An adapter knows one format and nothing of policies. It says whether a YAML
document is its format (:meth:`Adapter.matches`), then reads deployments and
the problems it found (:meth:`Adapter.read`). Each fact keeps the position
it was read from, via :class:`FactReader`.
"""

from __future__ import annotations

import abc
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from greengate.load import Document, LoadedFile, PathKey
from greengate.load.schema_errors import dotted
from greengate.records.deployment import Deployment, Fact, FactSource
from greengate.records.location import Location


@dataclass(frozen=True)
class ManifestProblem:
    """A document of a known format that is not valid (becomes an error finding)."""

    location: Location
    message: str
    accelerator: bool = False
    """About a request for accelerators (an unreadable count): the document asks for
    accelerators, so it is an AI workload even when nothing else says so."""


SiblingReader = Callable[[Callable[[str], bool]], Sequence[LoadedFile]]
"""Given a test on file names, the loaded files of a document's folder that pass it."""


class ReadContext:
    """What an adapter may read besides its document: the files of the document's folder.

    The pipeline builds one per file, reading the folder from the same place
    as the file itself (the work tree, or the git commit being checked), so a
    base or head ref is never mixed with the work tree. Read-only, and no state
    outlives the run that made it.
    """

    def __init__(self, siblings: SiblingReader | None = None) -> None:
        self._siblings = siblings

    def siblings(self, accept: Callable[[str], bool]) -> list[LoadedFile]:
        """The files of the document's folder (itself included) whose name ``accept`` takes."""
        return list(self._siblings(accept)) if self._siblings is not None else []


NO_CONTEXT = ReadContext()
"""A document read on its own: no neighbouring files."""


@dataclass(frozen=True)
class EmbeddedDocument:
    """A manifest written inside another one, for the pipeline to adapt with the registry.

    Helm values in a Terraform ``helm_release``, a Kubernetes object in a
    ``kubernetes_manifest``: the host's adapter cannot read them (adapters do
    not import each other), so it hands them back. ``document`` already has
    its positions in the host file (or in the sibling file it was read from)
    and its ``read_as`` name set; every deployment read from it is named
    ``<name>/<its own name>``.
    """

    document: Document
    name: str


@dataclass
class AdaptResult:
    deployments: list[Deployment] = field(default_factory=list)
    problems: list[ManifestProblem] = field(default_factory=list)
    embedded: list[EmbeddedDocument] = field(default_factory=list)
    """Documents inside this one, adapted by the pipeline with whichever adapter matches them."""


class Adapter(abc.ABC):
    name: ClassVar[str]
    """Short format name, shown in reports (``native``, ``kubernetes``...)."""
    description: ClassVar[str]
    """One line for ``greengate formats`` and the README."""

    @abc.abstractmethod
    def matches(self, document: Document) -> bool:
        """Whether the document is of this adapter's format (cheap: kind/apiVersion)."""

    @abc.abstractmethod
    def read(self, document: Document, context: ReadContext = NO_CONTEXT) -> AdaptResult:
        """Deployments in the document; must not raise on surprising shapes.

        ``context`` gives the files beside the document, for formats that
        spread one deployment over a folder; without it the document is read
        on its own.
        """


_PLACEHOLDER = re.compile(
    r"""
      \{\{.*?\}\}                # Helm/Jinja/mustache: {{ .Values.x }}, {{ENDPOINT_NAME}}
    | \$\{[^}]*\}                # ${VAR}, ${var.region}
    | \$\([A-Za-z_]\w*\)          # $(MODEL_ID), Kubernetes env expansion
    | ^\$[A-Za-z_][A-Za-z0-9_]*$   # $MODEL_ID
    | ^(?:var|local|module|data)\.[A-Za-z_][\w.\[\]"-]*$   # Terraform references
    | ^<[^<>]+>$                   # <your-region>
    | ^\{[A-Za-z_][\w-]*\}$        # {username}
    """,
    re.VERBOSE,
)


def is_placeholder(value: Any) -> bool:
    """Whether a value is a template placeholder, not a real value (never taken as a fact)."""
    if isinstance(value, dict):
        return len(value) == 1 and next(iter(value)) in (
            "Ref",
            "Fn::Sub",
            "Fn::GetAtt",
            "Fn::ImportValue",
            "Fn::FindInMap",
            "Fn::If",
            "Fn::Join",
        )
    return isinstance(value, str) and bool(_PLACEHOLDER.search(value.strip()))


class FactReader:
    """Collects facts from one document, each with the position it was read from.

    Placeholder values are set aside in ``unresolved``: a fact that is only a
    placeholder is unknown, and ``greengate explain`` and the findings say so.
    """

    def __init__(self, document: Document) -> None:
        self.document = document
        self.facts: dict[str, Fact] = {}
        self.anchors: dict[str, Location] = {}
        self.unresolved: dict[str, Fact] = {}
        self.hints: dict[str, str] = {}
        """How to declare a missing fact in this format, by field (see ``Deployment.hints``)."""

    def value(self, path: PathKey) -> Any:
        return self.document.get(path)

    def declare(
        self,
        name: str,
        path: PathKey,
        value: Any = None,
        *,
        source: FactSource = FactSource.DECLARED,
        detail: str = "",
    ) -> None:
        """Record fact ``name`` from ``path`` (its value, or ``value`` when given) if present."""
        raw = self.document.get(path) if value is None else value
        if raw is None or name in self.facts:
            return
        fact = Fact(raw, self.document.location(path), source, detail or dotted(path))
        if is_placeholder(raw):
            self.unresolved.setdefault(name, fact)
            return
        self.facts[name] = fact

    def anchor(self, prefix: str, *candidates: PathKey) -> None:
        """Where facts under ``prefix`` belong: the key of the first candidate that exists."""
        for path in candidates:
            if self.document.span(path) is not None:
                self.anchors[prefix] = self.document.key_location(path)
                return

    def deployment(
        self,
        *,
        name: str,
        kind: str,
        format: str,
        name_path: PathKey,
        labels: Mapping[str, Any] | None = None,
        annotations: Mapping[str, Any] | None = None,
        annotations_path: PathKey = ("metadata", "annotations"),
    ) -> Deployment:
        """The deployment read so far; ``annotations_path`` locates each annotation (inline waivers)."""
        where = {
            str(k): self.document.key_location((*annotations_path, str(k)))
            for k in (annotations or {})
            if isinstance(annotations, Mapping)
        }
        return Deployment(
            name=name,
            kind=kind,
            format=format,
            location=self.document.location(name_path),
            facts=dict(self.facts),
            anchors=dict(self.anchors),
            hints=dict(self.hints),
            labels=_strings(labels),
            annotations=_strings(annotations),
            document=self.document.index,
            unresolved={k: v for k, v in self.unresolved.items() if k not in self.facts},
            annotation_locations=where,
        )


def _strings(values: Mapping[str, Any] | None) -> dict[str, str]:
    if not isinstance(values, Mapping):
        return {}
    return {str(k): "" if v is None else str(v) for k, v in values.items()}


def first(items: Iterable[Any]) -> Any:
    return next(iter(items), None)
