"""Load YAML and JSON into plain values that remember where every value came from.

The values are ordinary ``dict``/``list``/scalars (so adapters and JSON Schema
work on them directly); positions live beside them in a map from path
(``("spec", "cloud", "region")``) to :class:`~greengate.location.Span`.

Nothing here constructs objects from tags: scalars become ``str``/``int``/
``float``/``bool``/``None`` and local tags such as CloudFormation's ``!Ref``
become the JSON form CloudFormation itself uses (``{"Ref": ...}``). Problems
(syntax errors, binary or huge files, alias bombs) are returned as
:class:`LoadProblem` values with a location, never raised, and the documents
that did load before the problem are kept.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from greengate.location import Location, Span

try:  # libyaml is several times faster; fall back to the pure-Python parser.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

PathKey = tuple[str | int, ...]

MAX_FILE_BYTES = 10 * 1024 * 1024
"""Files larger than this are reported, not parsed (configurable per call)."""
MAX_VALUES = 500_000
"""Values one file may expand to; stops alias bombs ("billion laughs")."""
MAX_DEPTH = 200
"""Nesting depth one document may reach."""

YAML_SUFFIXES = (".yaml", ".yml")
JSON_SUFFIXES = (".json",)

_TAG = "tag:yaml.org,2002:"
_constructor = SafeConstructor()


@dataclass(frozen=True)
class Document:
    """One YAML document (or one JSON file) with the positions of its values."""

    file: str
    index: int
    data: Any
    spans: Mapping[PathKey, Span] = field(repr=False)

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


class _TooBig(Exception):
    def __init__(self, message: str, node: Node) -> None:
        super().__init__(message)
        self.node = node


def load_file(
    path: Path, display: str | None = None, max_bytes: int = MAX_FILE_BYTES
) -> LoadedFile:
    """Read one file from disk; see :func:`load_bytes`."""
    shown = display if display is not None else path.as_posix()
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return _problem(
                shown,
                1,
                1,
                f"file is {size:,} bytes, larger than the {max_bytes:,}-byte limit; split it or raise --max-file-size",
            )
        raw = path.read_bytes()
    except OSError as exc:
        return _problem(shown, 1, 1, f"cannot read file: {exc.strerror or exc}")
    return load_bytes(raw, shown, max_bytes=max_bytes)


def load_bytes(raw: bytes, display: str, max_bytes: int = MAX_FILE_BYTES) -> LoadedFile:
    """Parse YAML or JSON bytes (chosen by the file name) into documents."""
    if len(raw) > max_bytes:
        return _problem(
            display,
            1,
            1,
            f"file is {len(raw):,} bytes, larger than the {max_bytes:,}-byte limit; split it or raise --max-file-size",
        )
    if b"\x00" in raw[:8192]:
        return _problem(
            display, 1, 1, "file is binary (it contains NUL bytes), not YAML or JSON text"
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return _problem(
            display,
            line,
            1,
            f"file is not UTF-8 text (invalid byte 0x{raw[exc.start]:02x} at offset {exc.start})",
        )
    if display.lower().endswith(JSON_SUFFIXES):
        return _load_json(text, display)
    if display.lower().endswith((".tf", ".tfvars")):
        from greengate.hcl import load_hcl  # imported here: most runs read no Terraform

        return load_hcl(text, display)
    return _load_yaml(text, display)


def _problem(file: str, line: int, column: int, message: str) -> LoadedFile:
    return LoadedFile(file, (), (LoadProblem(Location(file, line, column), message),))


def _load_yaml(text: str, file: str) -> LoadedFile:
    documents: list[Document] = []
    problems: list[LoadProblem] = []
    budget = [MAX_VALUES]
    nodes = _compose_all(text)
    index = 0
    while True:
        try:
            node = next(nodes)
        except StopIteration:
            break
        except yaml.MarkedYAMLError as exc:
            problems.append(_yaml_problem(file, exc))
            break  # the parser cannot resynchronise after a syntax error
        except yaml.YAMLError as exc:
            problems.append(LoadProblem(Location(file, 1, 1), f"invalid YAML: {exc}"))
            break
        except RecursionError:
            problems.append(
                LoadProblem(
                    Location(file, 1, 1), f"invalid YAML: nesting deeper than {MAX_DEPTH} levels"
                )
            )
            break
        if node is None or (
            isinstance(node, ScalarNode) and node.tag == _TAG + "null" and not node.value
        ):
            index += 1  # an empty document: nothing to check
            continue
        try:
            spans: dict[PathKey, Span] = {}
            data = _convert(node, (), spans, budget, 0, frozenset())
        except _TooBig as exc:
            mark = exc.node.start_mark
            problems.append(LoadProblem(Location(file, mark.line + 1, mark.column + 1), str(exc)))
            break
        documents.append(Document(file, index, data, spans))
        index += 1
    return LoadedFile(file, tuple(documents), tuple(problems))


def _compose_all(text: str) -> Iterator[Node | None]:
    loader = _Loader(text)
    try:
        while loader.check_node():
            yield loader.get_node()
    finally:
        loader.dispose()


def _yaml_problem(file: str, exc: yaml.MarkedYAMLError) -> LoadProblem:
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    parts = [p for p in (exc.context, exc.problem) if p]
    message = "invalid YAML: " + (", ".join(parts) if parts else "syntax error")
    if (
        exc.context_mark is not None
        and exc.problem_mark is not None
        and exc.context_mark.line != exc.problem_mark.line
    ):
        message += f" (the construct started at line {exc.context_mark.line + 1})"
    return LoadProblem(Location(file, line, column), message)


def _span(node: Node, key: Node | None) -> Span:
    start, end = node.start_mark, node.end_mark
    style = node.style if isinstance(node, ScalarNode) else None
    if key is None:
        return Span(start.line + 1, start.column + 1, end.line + 1, end.column + 1, style=style)
    kmark = key.start_mark
    return Span(
        start.line + 1,
        start.column + 1,
        end.line + 1,
        end.column + 1,
        kmark.line + 1,
        kmark.column + 1,
        style,
    )


def _convert(
    node: Node,
    path: PathKey,
    spans: dict[PathKey, Span],
    budget: list[int],
    depth: int,
    active: frozenset[int],
    key: Node | None = None,
) -> Any:
    budget[0] -= 1
    if budget[0] < 0:
        raise _TooBig(
            f"document expands to more than {MAX_VALUES:,} values (an alias bomb?); it was not checked",
            node,
        )
    if depth > MAX_DEPTH:
        raise _TooBig(f"document nests deeper than {MAX_DEPTH} levels; it was not checked", node)
    spans[path] = _span(node, key)
    if isinstance(node, ScalarNode):
        return _scalar(node)
    if id(node) in active:
        raise _TooBig("document contains a recursive alias; it was not checked", node)
    inner = active | {id(node)}
    if isinstance(node, SequenceNode):
        items = [
            _convert(item, (*path, i), spans, budget, depth + 1, inner)
            for i, item in enumerate(node.value)
        ]
        return _tagged(node, items)
    if isinstance(node, MappingNode):
        result: dict[str, Any] = {}
        merges: list[Any] = []
        for knode, vnode in node.value:
            if knode.tag == _TAG + "merge":
                merges.append(_convert(vnode, (*path, "<<"), spans, budget, depth + 1, inner))
                continue
            name = _key_text(knode)
            result[name] = _convert(vnode, (*path, name), spans, budget, depth + 1, inner, knode)
        for merged in merges:  # explicit keys win over merged ones, as in YAML 1.1
            for source in merged if isinstance(merged, list) else [merged]:
                if isinstance(source, dict):
                    for name, value in source.items():
                        result.setdefault(name, value)
        return _tagged(node, result)
    return None  # pragma: no cover - PyYAML has only three node kinds


def _key_text(node: Node) -> str:
    if isinstance(node, ScalarNode):
        return str(node.value)
    return f"<{type(node).__name__.replace('Node', '').lower()} key at line {node.start_mark.line + 1}>"


def _scalar(node: ScalarNode) -> Any:
    tag = node.tag
    value: str = node.value
    if tag == _TAG + "str":
        return value
    try:
        if tag == _TAG + "int":
            return int(value) if value.isdigit() else _constructor.construct_yaml_int(node)
        if tag == _TAG + "float":
            return _constructor.construct_yaml_float(node)
        if tag == _TAG + "bool":
            return _constructor.construct_yaml_bool(node)
        if tag == _TAG + "null":
            return None
    except (ValueError, yaml.YAMLError):
        return value
    # Timestamps, binary and unknown tags stay text: never build objects from tags.
    return _tagged(node, value)


def _tagged(node: Node, value: Any) -> Any:
    """Keep CloudFormation-style local tags (``!Ref x``) in their JSON form."""
    tag = node.tag
    if tag and tag.startswith("!") and not tag.startswith("!!"):
        name = tag[1:]
        return {"Ref" if name == "Ref" else f"Fn::{name}": value}
    return value


def _load_json(text: str, file: str) -> LoadedFile:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return _problem(file, exc.lineno, exc.colno, f"invalid JSON: {exc.msg}")
    except RecursionError:
        return _problem(file, 1, 1, "invalid JSON: nesting too deep")
    # Valid JSON is (almost always) valid YAML: parsing it again as YAML gives positions.
    loaded = _load_yaml(text, file)
    if not loaded.problems and len(loaded.documents) == 1:
        return loaded
    return LoadedFile(file, (Document(file, 0, data, {(): Span(1, 1, 1, 1)}),), ())


FolderReader = Callable[[str], list[tuple[str, bytes]]]
"""Given a folder as displayed, its files as (displayed path, content): a git commit's view."""
_FOLDER_READER: ContextVar[FolderReader | None] = ContextVar(
    "greengate_folder_reader", default=None
)


@contextlib.contextmanager
def folders_from(reader: FolderReader | None) -> Iterator[None]:
    """While active, :func:`neighbours` reads folders through ``reader`` (e.g. a git commit)."""
    token = _FOLDER_READER.set(reader)
    try:
        yield
    finally:
        _FOLDER_READER.reset(token)


def reading_git() -> bool:
    """Whether files are being read from git objects rather than the work tree."""
    return _FOLDER_READER.get() is not None


def neighbours(file: str, accept: Callable[[str], bool]) -> list[LoadedFile]:
    """The files beside ``file`` (same folder) whose name ``accept`` takes, loaded.

    Some formats spread one deployment over a folder (Terraform variables,
    CloudFormation stage parameters). Read from the same place as ``file``:
    the work tree, or the git commit being checked (``folders_from``), so
    that a base or head ref is never mixed with the work tree.
    """
    folder = PurePosixPath(file).parent
    reader = _FOLDER_READER.get()
    if reader is not None:
        return [
            load_bytes(data, shown)
            for shown, data in reader(folder.as_posix())
            if accept(PurePosixPath(shown).name)
        ]
    try:
        entries = sorted(p for p in Path(folder).iterdir() if accept(p.name) and p.is_file())
    except OSError:
        return []
    return [load_file(p, (folder / p.name).as_posix()) for p in entries]
