"""What the loaders produce: documents whose values remember their file positions.

The values are ordinary ``dict``/``list``/scalars (so adapters and JSON Schema
work on them directly); positions live beside them in a map from path
(``("spec", "cloud", "region")``) to :class:`~greengate.records.location.Span`.
Problems are :class:`LoadProblem` values with a location, never raised.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from greengate.records.location import Location, Span

PathKey = tuple[str | int, ...]


@dataclass(frozen=True)
class Document:
    """One YAML document (or one JSON file) with the positions of its values."""

    file: str
    index: int
    data: Any
    spans: Mapping[PathKey, Span] = field(repr=False)
    read_as: str = ""
    """For a document written inside another file (Helm values in a Terraform
    ``helm_release``), the file name it stands for (``values.yaml``): adapters
    recognise it by that name, while its positions stay in ``file``."""

    @property
    def name(self) -> str:
        """The file name adapters match on: ``read_as`` when set, else the file's own."""
        return PurePosixPath(self.read_as or self.file).name

    def span(self, path: PathKey) -> Span | None:
        return self.spans.get(tuple(path))

    def location(self, path: PathKey) -> Location:
        """Where the value at ``path`` is, or its nearest ancestor that exists."""
        path = tuple(path)
        while True:
            span = self.spans.get(path)
            if span is not None:
                return span.value_location(self.file)
            if not path:
                return Location(self.file, 1, 1)
            path = path[:-1]

    def key_location(self, path: PathKey) -> Location:
        """Where the key of ``path`` is (``spec:``), or its nearest ancestor's."""
        path = tuple(path)
        while True:
            span = self.spans.get(path)
            if span is not None:
                return span.key_location(self.file)
            if not path:
                return Location(self.file, 1, 1)
            path = path[:-1]

    def get(self, path: PathKey, default: Any = None) -> Any:
        value = self.data
        for part in path:
            if isinstance(part, int):
                if not isinstance(value, list) or not -len(value) <= part < len(value):
                    return default
            elif not isinstance(value, dict) or part not in value:
                return default
            value = value[part]
        return value


@dataclass(frozen=True)
class LoadProblem:
    """A file, or one document of it, that could not be read."""

    location: Location
    message: str


@dataclass(frozen=True)
class LoadedFile:
    path: str
    documents: tuple[Document, ...]
    problems: tuple[LoadProblem, ...]


def problem(file: str, line: int, column: int, message: str) -> LoadedFile:
    """A file that could not be read at all: no documents, one problem."""
    return LoadedFile(file, (), (LoadProblem(Location(file, line, column), message),))
