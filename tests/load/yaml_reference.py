"""The YAML loader as it was before it was made faster (issue 15), frozen: the reference.

``tests/load/test_yaml_loader.py`` loads many inputs with both this copy and
``greengate.load.yaml_loader`` and requires the very same documents, spans and
problems. Do not edit it to follow the loader: a change of behaviour must be
decided here on purpose, in its own commit.

The original module's docstring, after its first line:

Nothing here constructs objects from tags: scalars become ``str``/``int``/
``float``/``bool``/``None`` and local tags such as CloudFormation's ``!Ref``
become the JSON form CloudFormation itself uses (``{"Ref": ...}``). Problems
are returned as :class:`~greengate.load.document.LoadProblem` values with a
location, never raised, and the other documents of the file are kept.

Values are built in one pass over the parser's events (there is no node
graph), so every limit holds before memory is spent:

- a file may hold at most :data:`MAX_VALUES` values, counting every value an
  alias expands to; an alias costs the (memoised) size of its anchor, so an
  alias bomb is refused at the alias that crosses the limit, without expanding;
- a document may nest at most :data:`MAX_DEPTH` levels;
- a key written twice in one mapping is a problem at the second key's line;
- a number too large for a float (``1e400``, a 5,000-digit integer) is a
  problem at its line; ``.inf`` and ``.nan`` written as such stay text, so no
  later stage ever sees a non-finite number.

After a problem (a syntax error included) the parser resumes at the next
``---`` document marker after it: later documents are still read, with their
true lines and document indexes.
"""

from __future__ import annotations

import math
import re
import sys
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.events import (
    AliasEvent,
    CollectionStartEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    MappingStartEvent,
    ScalarEvent,
)
from yaml.nodes import ScalarNode

from greengate.load.document import Document, LoadedFile, LoadProblem, PathKey
from greengate.records.location import Location, Span

try:  # libyaml is several times faster; fall back to the pure-Python parser.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_VALUES = 500_000
"""Values one file may hold, counting every value its aliases expand to ("billion laughs")."""
MAX_DEPTH = 200
"""Nesting depth one document may reach."""
MAX_PROBLEMS = 50
"""Problems reported for one file; after that the rest of the file is not read."""
MAX_NUMBER_CHARS = 400
"""A number written with more characters than this is out of range (no float is that long)."""

_TAG = "tag:yaml.org,2002:"
_constructor = SafeConstructor()
_MARKER = re.compile(r"^---(?=[ \t\r\n]|$)", re.M)
_NON_FINITE = frozenset({".inf", "+.inf", "-.inf", ".nan"})


class _Problem(Exception):
    """Stops reading one document; ``fatal`` stops reading the file."""

    def __init__(self, message: str, line: int, column: int, *, fatal: bool = False) -> None:
        super().__init__(message)
        self.line, self.column, self.fatal = line, column, fatal


def out_of_range(text: str) -> str:
    shown = text if len(text) <= 24 else f"{text[:12]}...{text[-6:]} ({len(text):,} characters)"
    return f"number {shown} is out of range (too large for a 64-bit float)"


def finite_number(value: int | float) -> bool:
    """Whether a parsed number may go to later stages: finite and within a float's range."""
    if isinstance(value, float):
        return math.isfinite(value)
    return -sys.float_info.max <= value <= sys.float_info.max


@dataclass
class _Frame:
    container: Any
    path: PathKey
    start: Any
    key: Any
    tag: str | None
    anchor: str | None
    first_span: int
    first_value: int
    style: str | None = None
    pending: str | None = None
    pending_mark: Any = None
    pending_merge: bool = False
    key_frame: bool = False
    seen: dict[str, int] = field(default_factory=dict)
    merges: list[Any] = field(default_factory=list)


@dataclass
class _Anchor:
    value: Any = None
    span: Span | None = None
    """Where the anchored value is written."""
    size: int = 0
    """How many values it holds, itself and its aliases' values included (memoised)."""
    done: bool = False


class _Reader:
    """Builds the values of one stream of YAML events, with their spans."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.documents: list[Document] = []
        self.problems: list[LoadProblem] = []
        self.values = 0
        self.index = 0
        self._tags: dict[str, str] = {}

    def read(self, text: str, line_offset: int) -> int | None:
        """Read ``text`` (its first line is line ``line_offset + 1``).

        Returns None at the end, or the 0-based line (of ``text``) of a problem
        after which reading may resume at the next document marker.
        """
        self.offset = line_offset
        loader = _Loader(text)
        try:
            while True:
                event = loader.get_event()
                if isinstance(event, DocumentStartEvent):
                    self._document(loader, event)
                elif event is None or not loader.check_event():
                    return None
        except _Problem as exc:
            self.problems.append(LoadProblem(Location(self.file, exc.line, exc.column), str(exc)))
            self.index += 1
            return None if exc.fatal else exc.line - 1 - line_offset
        except yaml.MarkedYAMLError as exc:
            self.problems.append(self._syntax(exc))
            self.index += 1
            mark = exc.problem_mark or exc.context_mark
            return mark.line if mark is not None else None
        except yaml.YAMLError as exc:
            self.problems.append(LoadProblem(Location(self.file, 1, 1), f"invalid YAML: {exc}"))
            return None
        except RecursionError:
            message = f"invalid YAML: nesting deeper than {MAX_DEPTH} levels"
            self.problems.append(LoadProblem(Location(self.file, 1, 1), message))
            return None
        finally:
            loader.dispose()

    def _syntax(self, exc: yaml.MarkedYAMLError) -> LoadProblem:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1 + self.offset, mark.column + 1) if mark else (1, 1)
        parts = [p for p in (exc.context, exc.problem) if p]
        message = "invalid YAML: " + (", ".join(parts) if parts else "syntax error")
        if (
            exc.context_mark is not None
            and exc.problem_mark is not None
            and exc.context_mark.line != exc.problem_mark.line
        ):
            message += f" (the construct started at line {exc.context_mark.line + 1 + self.offset})"
        return LoadProblem(Location(self.file, line, column), message)

    def _fail(self, message: str, mark: Any, *, fatal: bool = False) -> _Problem:
        return _Problem(message, mark.line + 1 + self.offset, mark.column + 1, fatal=fatal)

    def _span(self, start: Any, end: Any, key: Any, style: str | None = None) -> Span:
        o = self.offset
        if key is None:
            return Span(
                start.line + 1 + o, start.column + 1, end.line + 1 + o, end.column + 1, style=style
            )
        return Span(
            start.line + 1 + o,
            start.column + 1,
            end.line + 1 + o,
            end.column + 1,
            key.line + 1 + o,
            key.column + 1,
            style,
        )

    def _count(self, size: int, mark: Any) -> None:
        self.values += size
        if self.values > MAX_VALUES:
            raise self._fail(
                f"document expands to more than {MAX_VALUES:,} values (an alias bomb?); it was not checked",
                mark,
                fatal=True,
            )

    def _document(self, loader: Any, start: DocumentStartEvent) -> None:
        spans: list[tuple[PathKey, Span]] = []
        anchors: dict[str, _Anchor] = {}
        stack: list[_Frame] = []
        root: list[Any] = []
        empty = False
        while True:
            event = loader.get_event()
            if isinstance(event, DocumentEndEvent):
                break
            parent = stack[-1] if stack else None
            # Where the value goes: its path, and the key it is the value of.
            key_mark = None
            as_key = (
                parent is not None and isinstance(parent.container, dict) and parent.pending is None
            )
            if parent is None:
                path: PathKey = ()
            elif isinstance(parent.container, list):
                path = (*parent.path, len(parent.container))
            elif as_key:
                path = (*parent.path, "<key>")
            else:
                key_mark = parent.pending_mark
                path = (*parent.path, "<<" if parent.pending_merge else parent.pending)  # type: ignore[arg-type]
            if isinstance(event, CollectionStartEvent):
                if len(stack) >= MAX_DEPTH:
                    raise self._fail(
                        f"document nests deeper than {MAX_DEPTH} levels; it was not checked",
                        event.start_mark,
                    )
                self._count(1, event.start_mark)
                is_map = isinstance(event, MappingStartEvent)
                frame = _Frame(
                    {} if is_map else [],
                    path,
                    event.start_mark,
                    key_mark,
                    event.tag,
                    event.anchor,
                    len(spans),
                    self.values - 1,
                    key_frame=as_key,
                )
                if event.anchor is not None:
                    anchors[event.anchor] = _Anchor()
                stack.append(frame)
                continue
            if isinstance(event, ScalarEvent):
                self._count(1, event.start_mark)
                if as_key:  # a key stays the text it is written as
                    assert parent is not None
                    if event.anchor is not None:  # an alias may name it again, as a key or a value
                        span = self._span(event.start_mark, event.end_mark, None, event.style)
                        anchors[event.anchor] = _Anchor(event.value, span, 1, True)
                    self._key(parent, event.value, event, _is_merge(event))
                    continue
                value = self._scalar(loader, event)
                span = self._span(event.start_mark, event.end_mark, key_mark, event.style)
                if parent is None and event.value == "" and value is None and event.tag is None:
                    empty = True
                if event.anchor is not None:
                    anchors[event.anchor] = _Anchor(value, span, 1, True)
                spans.append((path, span))
            elif isinstance(event, AliasEvent):
                anchor = anchors.get(event.anchor)  # type: ignore[arg-type]
                if anchor is None:
                    raise self._fail(
                        f"invalid YAML: unknown alias '{event.anchor}'", event.start_mark
                    )
                if not anchor.done:
                    raise self._fail(
                        "document contains a recursive alias; it was not checked", event.start_mark
                    )
                self._count(anchor.size, event.start_mark)
                value = anchor.value
                if as_key:
                    assert parent is not None
                    used: Any = event.start_mark
                    name = (
                        value
                        if isinstance(value, str)
                        else f"<alias key at line {used.line + 1 + self.offset}>"
                    )
                    self._key(parent, name, event, False)
                    continue
                spans.append((path, self._aliased(anchor.span, key_mark)))
            else:  # the end of a collection
                frame = stack.pop()
                parent = stack[-1] if stack else None
                value = self._finish(frame)
                if frame.key_frame:
                    assert parent is not None
                    del spans[frame.first_span :]
                    kind = "mapping" if isinstance(frame.container, dict) else "sequence"
                    name = f"<{kind} key at line {frame.start.line + 1 + self.offset}>"
                    self._key(parent, name, event, False, start=frame.start)
                    continue
                spans.append((frame.path, self._span(frame.start, event.end_mark, frame.key)))
                if frame.anchor is not None:
                    anchors[frame.anchor] = _Anchor(
                        value, spans[-1][1], self.values - frame.first_value, True
                    )
            # Place the value in its parent.
            if parent is None:
                root.append(value)
            elif isinstance(parent.container, list):
                parent.container.append(value)
            elif parent.pending_merge:
                parent.merges.append(value)
                parent.pending, parent.pending_merge = None, False
            else:
                parent.container[parent.pending] = value
                parent.pending = None
        if empty or not root:
            self.index += 1  # an empty document: nothing to check
            return
        self.documents.append(Document(self.file, self.index, root[0], dict(spans)))
        self.index += 1

    def _key(self, frame: _Frame, name: str, event: Any, merge: bool, start: Any = None) -> None:
        mark = start if start is not None else event.start_mark
        if not merge:
            first = frame.seen.get(name)
            if first is not None:
                shown = name if len(name) <= 60 else name[:57] + "..."
                raise self._fail(f"duplicate key '{shown}' (first at line {first})", mark)
            frame.seen[name] = mark.line + 1 + self.offset
        frame.pending, frame.pending_mark, frame.pending_merge = name, mark, merge

    def _aliased(self, span: Span | None, key: Any) -> Span:
        """An alias's value is where its anchor is; its key is where the alias is used."""
        assert span is not None
        if key is None:
            return Span(span.line, span.column, span.end_line, span.end_column, style=span.style)
        o = self.offset
        return Span(
            span.line,
            span.column,
            span.end_line,
            span.end_column,
            key.line + 1 + o,
            key.column + 1,
            span.style,
        )

    def _finish(self, frame: _Frame) -> Any:
        result = frame.container
        if isinstance(result, dict):
            for merged in frame.merges:  # explicit keys win over merged ones, as in YAML 1.1
                for source in merged if isinstance(merged, list) else [merged]:
                    if isinstance(source, dict):
                        for name, value in source.items():
                            result.setdefault(name, value)
        return _tagged(frame.tag, result)

    def _scalar(self, loader: Any, event: ScalarEvent) -> Any:
        value: str = event.value
        tag = event.tag
        if tag is None or tag == "!":
            if event.implicit[0]:  # a plain scalar: its text says its type
                tag = self._tags.get(value)
                if tag is None:
                    tag = loader.resolve(ScalarNode, value, event.implicit)
                    if len(self._tags) < 10_000:
                        self._tags[value] = tag
            else:
                tag = _TAG + "str"
        if tag == _TAG + "str":
            return value
        try:
            if tag == _TAG + "int":
                if len(value) > MAX_NUMBER_CHARS:
                    raise self._fail(out_of_range(value), event.start_mark)
                number = (
                    int(value)
                    if value.isdigit()
                    else _constructor.construct_yaml_int(ScalarNode(tag, value))
                )
                if not finite_number(number):
                    raise self._fail(out_of_range(value), event.start_mark)
                return number
            if tag == _TAG + "float":
                if value.strip().lower() in _NON_FINITE:
                    return value  # written as infinity or NaN: kept as text
                if len(value) > MAX_NUMBER_CHARS:
                    raise self._fail(out_of_range(value), event.start_mark)
                real = _constructor.construct_yaml_float(ScalarNode(tag, value))
                if not math.isfinite(real):
                    raise self._fail(out_of_range(value), event.start_mark)
                return real
            if tag == _TAG + "bool":
                return _constructor.construct_yaml_bool(ScalarNode(tag, value))
            if tag == _TAG + "null":
                return None
        except (ValueError, KeyError, IndexError, yaml.YAMLError):
            return value  # an explicit tag its text does not fit (!!bool maybe, !!int ""): text
        # Timestamps, binary and unknown tags stay text: never build objects from tags.
        return _tagged(tag, value)


def load_yaml(text: str, file: str) -> LoadedFile:
    reader = _Reader(file)
    offset = 0
    rest = text
    while True:
        resume = reader.read(rest, offset)
        if resume is None or len(reader.problems) >= MAX_PROBLEMS:
            break
        # Resume at the first document marker from the problem's line on (a parser
        # often notices a broken document only at the next marker), never where
        # this read began.
        start = _line_start(rest, resume)
        marker = _MARKER.search(rest, max(start, 1)) if start is not None else None
        if marker is None:
            break
        offset += rest.count("\n", 0, marker.start())
        rest = rest[marker.start() :]
    return LoadedFile(file, tuple(reader.documents), tuple(reader.problems))


def _is_merge(event: ScalarEvent) -> bool:
    return event.value == "<<" and event.tag is None and bool(event.implicit[0])


def _line_start(text: str, line: int) -> int | None:
    """The offset of the start of 0-based ``line`` in ``text`` (None past the end)."""
    at = 0
    for _ in range(line):
        at = text.find("\n", at) + 1
        if at == 0:
            return None
    return at


def _tagged(tag: str | None, value: Any) -> Any:
    """Keep CloudFormation-style local tags (``!Ref x``) in their JSON form."""
    if tag and tag.startswith("!") and not tag.startswith("!!") and tag != "!":
        name = tag[1:]
        return {"Ref" if name == "Ref" else f"Fn::{name}": value}
    return value
