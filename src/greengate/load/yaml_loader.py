"""YAML and JSON text into documents whose values remember where they were written.

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

import json
import math
import re
import sys
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
)
from yaml.nodes import ScalarNode

from greengate.load.document import Document, LoadedFile, LoadProblem, PathKey, problem
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
_STR = _TAG + "str"
# The loader's implicit resolvers by a plain scalar's first character ("" for an empty one),
# each list followed by those for any character, as the resolver itself tries them.
_WILDCARD: list[tuple[str, re.Pattern[str]]] = list(_Loader.yaml_implicit_resolvers.get(None, []))
_IMPLICIT: dict[str, list[tuple[str, re.Pattern[str]]]] = {
    first: [*resolvers, *_WILDCARD]
    for first, resolvers in _Loader.yaml_implicit_resolvers.items()
    if first is not None
}


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
class _Anchor:
    value: Any = None
    span: Span | None = None
    """Where the anchored value is written."""
    size: int = 0
    """How many values it holds, itself and its aliases' values included (memoised)."""
    done: bool = False


class _Reader:
    """Builds the values of one stream of YAML events, with their spans.

    One method per place a value can stand (the document's root, a sequence's
    item, a mapping's key or value) reads the events of that value, recursing
    into collections; events are told apart by their exact type.
    """

    def __init__(self, file: str) -> None:
        self.file = file
        self.documents: list[Document] = []
        self.problems: list[LoadProblem] = []
        self.values = 0
        self.index = 0
        self.max_values = MAX_VALUES
        self.max_depth = MAX_DEPTH
        # The state of the document being read (set by _document).
        self.next_event: Any = None
        self.spans: list[tuple[PathKey, Span]] = []
        self.anchors: dict[str, _Anchor] = {}

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
                if type(event) is DocumentStartEvent:
                    self._document(loader)
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

    def _too_many(self, mark: Any) -> _Problem:
        return self._fail(
            f"document expands to more than {self.max_values:,} values (an alias bomb?); it was not checked",
            mark,
            fatal=True,
        )

    def _document(self, loader: Any) -> None:
        self.next_event = next_event = loader.get_event
        spans: list[tuple[PathKey, Span]] = []
        self.spans = spans
        self.anchors = {}
        root: list[Any] = []
        empty = False
        event = next_event()
        while type(event) is not DocumentEndEvent:
            if type(event) is ScalarEvent:
                value = self._scalar(event, (), None)
                if event.value == "" and value is None and event.tag is None:
                    empty = True
            else:
                value = self._value(event, (), None, 0)
            root.append(value)
            event = next_event()
        if empty or not root:
            self.index += 1  # an empty document: nothing to check
            return
        self.documents.append(Document(self.file, self.index, root[0], dict(spans)))
        self.index += 1

    def _value(self, event: Any, path: PathKey, key: Any, depth: int) -> Any:
        """The value ``event`` starts, at ``path``; ``key`` is the mark of its key, if any."""
        kind = type(event)
        if kind is ScalarEvent:
            return self._scalar(event, path, key)
        if kind is AliasEvent:
            return self._aliased(event, path, key)
        return self._collection(event, path, key, depth)

    def _aliased(self, event: Any, path: PathKey, key: Any) -> Any:
        """An alias's value is where its anchor is; its key is where the alias is used."""
        anchor = self._alias(event)
        span = anchor.span
        assert span is not None
        if key is None:
            aliased = Span(span.line, span.column, span.end_line, span.end_column, style=span.style)
        else:
            aliased = Span(
                span.line,
                span.column,
                span.end_line,
                span.end_column,
                key.line + 1 + self.offset,
                key.column + 1,
                span.style,
            )
        self.spans.append((path, aliased))
        return anchor.value

    def _collection(self, event: Any, path: PathKey, key: Any, depth: int) -> Any:
        start = event.start_mark
        if depth >= self.max_depth:
            raise self._fail(
                f"document nests deeper than {self.max_depth} levels; it was not checked", start
            )
        self.values += 1
        if self.values > self.max_values:
            raise self._too_many(start)
        first_value = self.values - 1
        anchor = event.anchor
        if anchor is not None:
            self.anchors[anchor] = _Anchor()  # an alias to it before its end is recursive
        value: Any
        if type(event) is MappingStartEvent:
            value, end = self._mapping(path, depth + 1)
        else:
            value, end = self._sequence(path, depth + 1)
        if event.tag is not None:
            value = _tagged(event.tag, value)
        o = self.offset
        if key is None:
            span = Span(start.line + 1 + o, start.column + 1, end.line + 1 + o, end.column + 1)
        else:
            span = Span(
                start.line + 1 + o,
                start.column + 1,
                end.line + 1 + o,
                end.column + 1,
                key.line + 1 + o,
                key.column + 1,
            )
        self.spans.append((path, span))
        if anchor is not None:
            self.anchors[anchor] = _Anchor(value, span, self.values - first_value, True)
        return value

    def _sequence(self, path: PathKey, depth: int) -> tuple[list[Any], Any]:
        items: list[Any] = []
        next_event = self.next_event
        while True:
            event = next_event()
            kind = type(event)
            if kind is ScalarEvent:
                items.append(self._scalar(event, (*path, len(items)), None))
            elif kind is SequenceEndEvent:
                return items, event.end_mark
            elif kind is AliasEvent:
                items.append(self._aliased(event, (*path, len(items)), None))
            else:  # two calls a level: a deep document stays far from Python's recursion limit
                items.append(self._collection(event, (*path, len(items)), None, depth))

    def _mapping(self, path: PathKey, depth: int) -> tuple[dict[str, Any], Any]:
        result: dict[str, Any] = {}
        seen: dict[str, int] = {}
        merges: list[Any] = []
        next_event = self.next_event
        o = self.offset
        while True:
            event = next_event()
            kind = type(event)
            # The key: it stays the text it is written as.
            mark = event.start_mark
            merge = False
            if kind is ScalarEvent:
                self.values += 1
                if self.values > self.max_values:
                    raise self._too_many(mark)
                name = event.value
                if event.anchor is not None:  # an alias may name it again, as a key or a value
                    end = event.end_mark
                    span = Span(
                        mark.line + 1 + o,
                        mark.column + 1,
                        end.line + 1 + o,
                        end.column + 1,
                        style=event.style,
                    )
                    self.anchors[event.anchor] = _Anchor(name, span, 1, True)
                merge = name == "<<" and event.tag is None and bool(event.implicit[0])
            elif kind is MappingEndEvent:
                break
            elif kind is AliasEvent:
                value = self._alias(event).value
                name = (
                    value if isinstance(value, str) else f"<alias key at line {mark.line + 1 + o}>"
                )
            else:  # a collection as a key: read (its limits hold), then named by its line
                spans = self.spans
                first_span = len(spans)
                self._key_collection(event, (*path, "<key>"), depth)
                del spans[first_span:]
                shape = "mapping" if kind is MappingStartEvent else "sequence"
                name = f"<{shape} key at line {mark.line + 1 + o}>"
            if not merge:
                first = seen.get(name)
                if first is not None:
                    shown = name if len(name) <= 60 else name[:57] + "..."
                    raise self._fail(f"duplicate key '{shown}' (first at line {first})", mark)
                seen[name] = mark.line + 1 + o
            # The value.
            event = next_event()
            if merge:
                merges.append(self._value(event, (*path, "<<"), mark, depth))
            else:
                kind = type(event)
                if kind is ScalarEvent:
                    result[name] = self._scalar(event, (*path, name), mark)
                elif kind is AliasEvent:
                    result[name] = self._aliased(event, (*path, name), mark)
                else:
                    result[name] = self._collection(event, (*path, name), mark, depth)
        for merged in merges:  # explicit keys win over merged ones, as in YAML 1.1
            for source in merged if isinstance(merged, list) else [merged]:
                if isinstance(source, dict):
                    for name, value in source.items():
                        result.setdefault(name, value)
        return result, event.end_mark

    def _key_collection(self, event: Any, path: PathKey, depth: int) -> None:
        """A collection written as a key: its values are read and counted, then dropped.

        Its anchor stays unfinished, so an alias to it is refused as recursive.
        """
        if depth >= self.max_depth:
            raise self._fail(
                f"document nests deeper than {self.max_depth} levels; it was not checked",
                event.start_mark,
            )
        self.values += 1
        if self.values > self.max_values:
            raise self._too_many(event.start_mark)
        if event.anchor is not None:
            self.anchors[event.anchor] = _Anchor()
        if type(event) is MappingStartEvent:
            self._mapping(path, depth + 1)
        else:
            self._sequence(path, depth + 1)

    def _alias(self, event: Any) -> _Anchor:
        anchor = self.anchors.get(event.anchor)
        if anchor is None:
            raise self._fail(f"invalid YAML: unknown alias '{event.anchor}'", event.start_mark)
        if not anchor.done:
            raise self._fail(
                "document contains a recursive alias; it was not checked", event.start_mark
            )
        self.values += anchor.size
        if self.values > self.max_values:
            raise self._too_many(event.start_mark)
        return anchor

    def _scalar(self, event: Any, path: PathKey, key: Any) -> Any:
        """A scalar value at ``path``: its value, its span recorded."""
        start = event.start_mark
        self.values += 1
        if self.values > self.max_values:
            raise self._too_many(start)
        value = event.value
        tag = event.tag
        if tag is None or tag == "!":
            tag = _plain_tag(value) if event.implicit[0] else _STR
        if tag != _STR:
            value = self._typed(tag, value, start)
        end = event.end_mark
        o = self.offset
        if key is None:
            span = Span(
                start.line + 1 + o,
                start.column + 1,
                end.line + 1 + o,
                end.column + 1,
                style=event.style,
            )
        else:
            span = Span(
                start.line + 1 + o,
                start.column + 1,
                end.line + 1 + o,
                end.column + 1,
                key.line + 1 + o,
                key.column + 1,
                event.style,
            )
        if event.anchor is not None:
            self.anchors[event.anchor] = _Anchor(value, span, 1, True)
        self.spans.append((path, span))
        return value

    def _typed(self, tag: str, value: str, mark: Any) -> Any:
        """The value of a scalar whose tag is not ``str``."""
        try:
            if tag == _TAG + "int":
                if len(value) > MAX_NUMBER_CHARS:
                    raise self._fail(out_of_range(value), mark)
                number = (
                    int(value)
                    if value.isdigit()
                    else _constructor.construct_yaml_int(ScalarNode(tag, value))
                )
                if not finite_number(number):
                    raise self._fail(out_of_range(value), mark)
                return number
            if tag == _TAG + "float":
                if value.strip().lower() in _NON_FINITE:
                    return value  # written as infinity or NaN: kept as text
                if len(value) > MAX_NUMBER_CHARS:
                    raise self._fail(out_of_range(value), mark)
                real = _constructor.construct_yaml_float(ScalarNode(tag, value))
                if not math.isfinite(real):
                    raise self._fail(out_of_range(value), mark)
                return real
            if tag == _TAG + "bool":
                return _constructor.construct_yaml_bool(ScalarNode(tag, value))
            if tag == _TAG + "null":
                return None
        except (ValueError, KeyError, IndexError, yaml.YAMLError):
            return value  # an explicit tag its text does not fit (!!bool maybe, !!int ""): text
        # Timestamps, binary and unknown tags stay text: never build objects from tags.
        return _tagged(tag, value)


def _plain_tag(value: str) -> str:
    """The tag of a plain scalar, by its text: what the loader's resolver says, faster."""
    for tag, pattern in _IMPLICIT.get(value[:1], _WILDCARD):
        if pattern.match(value):
            return tag
    return _STR


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


class _JsonProblem(Exception):
    def __init__(self, message: str, token: str) -> None:
        super().__init__(message)
        self.token = token


def _json_int(text: str) -> int:
    if len(text) > MAX_NUMBER_CHARS:
        raise _JsonProblem(out_of_range(text), text)
    number = int(text)
    if not finite_number(number):
        raise _JsonProblem(out_of_range(text), text)
    return number


def _json_float(text: str) -> float:
    number = float(text) if len(text) <= MAX_NUMBER_CHARS else math.inf
    if not math.isfinite(number):
        raise _JsonProblem(out_of_range(text), text)
    return number


def _json_constant(name: str) -> Any:
    raise _JsonProblem(f"invalid JSON: {name} is not a JSON number", name)


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name, value in pairs:
        if name in result:
            raise _JsonProblem(f"duplicate key '{name[:60]}'", json.dumps(name))
        result[name] = value
    return result


def load_json(text: str, file: str) -> LoadedFile:
    try:
        data = json.loads(
            text,
            parse_int=_json_int,
            parse_float=_json_float,
            parse_constant=_json_constant,
            object_pairs_hook=_json_object,
        )
    except json.JSONDecodeError as exc:
        return problem(file, exc.lineno, exc.colno, f"invalid JSON: {exc.msg}")
    except RecursionError:
        return problem(file, 1, 1, "invalid JSON: nesting too deep")
    except _JsonProblem as exc:
        # The YAML reader names the line of most such problems; else find the token.
        located = load_yaml(text, file)
        if located.problems:
            return LoadedFile(file, (), located.problems)
        at = text.find(exc.token)
        line = text.count("\n", 0, at) + 1 if at >= 0 else 1
        column = at - text.rfind("\n", 0, at) if at >= 0 else 1
        return problem(file, line, column, str(exc))
    # Valid JSON is (almost always) valid YAML: parsing it again as YAML gives positions.
    loaded = load_yaml(text, file)
    if not loaded.problems and len(loaded.documents) == 1:
        return loaded
    return LoadedFile(file, (Document(file, 0, data, {(): Span(1, 1, 1, 1)}),), ())
