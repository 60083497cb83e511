"""YAML and JSON text into documents whose values remember where they were written.

Nothing here constructs objects from tags: scalars become ``str``/``int``/
``float``/``bool``/``None`` and local tags such as CloudFormation's ``!Ref``
become the JSON form CloudFormation itself uses (``{"Ref": ...}``). Problems
(syntax errors, alias bombs, deep nesting) are returned as
:class:`~greengate.load.document.LoadProblem` values with a location, never
raised, and the documents that did load before the problem are kept.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from greengate.load.document import Document, LoadedFile, LoadProblem, PathKey, problem
from greengate.records.location import Location, Span

try:  # libyaml is several times faster; fall back to the pure-Python parser.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_VALUES = 500_000
"""Values one file may expand to; stops alias bombs ("billion laughs")."""
MAX_DEPTH = 200
"""Nesting depth one document may reach."""

_TAG = "tag:yaml.org,2002:"
_constructor = SafeConstructor()


class _TooBig(Exception):
    def __init__(self, message: str, node: Node) -> None:
        super().__init__(message)
        self.node = node


def load_yaml(text: str, file: str) -> LoadedFile:
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


def load_json(text: str, file: str) -> LoadedFile:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return problem(file, exc.lineno, exc.colno, f"invalid JSON: {exc.msg}")
    except RecursionError:
        return problem(file, 1, 1, "invalid JSON: nesting too deep")
    # Valid JSON is (almost always) valid YAML: parsing it again as YAML gives positions.
    loaded = load_yaml(text, file)
    if not loaded.problems and len(loaded.documents) == 1:
        return loaded
    return LoadedFile(file, (Document(file, 0, data, {(): Span(1, 1, 1, 1)}),), ())
