"""Load Terraform (HCL2) files into Documents that remember where every value came from.

python-hcl2 parses the text (its Lark grammar keeps the line and column of
every node); this module turns the parse tree into the same plain values and
path -> :class:`~greengate.records.location.Span` map the YAML loader produces, so a
Terraform adapter reads it like any other document.

The shape follows Terraform's own JSON syntax, with every block a list item
so repeated blocks never collide::

    resource "aws_sagemaker_endpoint_configuration" "llm" {
      production_variants { instance_type = "ml.g5.2xlarge" }
    }

becomes ``{"resource": {"aws_sagemaker_endpoint_configuration": {"llm":
[{"production_variants": [{"instance_type": "ml.g5.2xlarge"}]}]}}}`` and the
instance type sits at path ``("resource",
"aws_sagemaker_endpoint_configuration", "llm", 0, "production_variants", 0,
"instance_type")``.

Literals (strings without interpolation, numbers, booleans, null, lists and
objects of literals) become Python values. Any other expression is kept as
its source text, never evaluated: a plain reference to a variable, local,
module output or data source stays as written (``var.region``), everything
else is wrapped as ``${...}`` (``${merge(...)}``, ``${var.a}-b``) so that
:func:`greengate.manifests.base.is_placeholder` treats it as unknown. Two
functions are seen through: ``yamlencode({...})`` and ``jsonencode({...})`` of
a literal object or tuple become that object (what they encode is what a
reader means: Helm values written as HCL), each value at its own line.

A heredoc (``<<EOT``, ``<<-EOT``) becomes its text; its span has style
``<<N``: the text begins on the line after the span's, and ``N`` columns of
indentation were stripped (``<<-``), so text embedded in it (Helm values YAML)
can be mapped back to the lines of the ``.tf`` file.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import replace
from typing import Any

from greengate.load.document import Document, LoadedFile, PathKey, problem
from greengate.load.yaml_loader import MAX_NUMBER_CHARS, finite_number, out_of_range
from greengate.records.location import Span

_REFERENCE = re.compile(r"(?:var|local|module|data)\.[A-Za-z_][\w.\[\]\"-]*")
_ESCAPE = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)|\$\$\{|%%\{", re.S)
_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}
_UNCLOSED = "invalid HCL: unexpected end of file (an unclosed block, bracket or string?)"
_ENCODERS = frozenset({"yamlencode", "jsonencode"})
_LITERAL_TOKENS = frozenset({"STRING_CHARS", "ESCAPED_INTERPOLATION", "ESCAPED_DIRECTIVE"})


def load_hcl(text: str, file: str) -> LoadedFile:
    """Parse HCL text into one Document; a syntax error is a LoadProblem with its line."""
    import hcl2  # imported here: the parser costs import time and most runs read no Terraform
    from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedToken

    try:
        tree = hcl2.parses_to_tree(text)
    except UnexpectedEOF:
        return problem(file, text.count("\n") + 1, 1, _UNCLOSED)
    except UnexpectedCharacters as exc:
        message = f"invalid HCL: unexpected character {exc.char!r}"
        return problem(file, _positive(exc.line), _positive(exc.column), message)
    except UnexpectedToken as exc:
        if exc.token.type == "$END":
            return problem(file, text.count("\n") + 1, 1, _UNCLOSED)
        shown = (str(exc.token).strip().splitlines() or [str(exc.token)])[0][:40]
        message = f"invalid HCL: unexpected {shown!r}"
        return problem(file, _positive(exc.line), _positive(exc.column), message)
    except (LarkError, RuntimeError, ValueError) as exc:
        line, column = _positive(getattr(exc, "line", 1)), _positive(getattr(exc, "column", 1))
        return problem(file, line, column, f"invalid HCL: {exc}")
    except RecursionError:
        return problem(file, 1, 1, "invalid HCL: nesting too deep")
    converter = _Converter(text)
    data: dict[str, Any] = {}
    try:
        converter.body(tree.children[0] if tree.children else tree, (), data)
    except RecursionError:
        return problem(file, 1, 1, "invalid HCL: nesting too deep")
    except _Problem as exc:
        return problem(file, exc.line, exc.column, str(exc))
    converter.spans[()] = Span(1, 1, 1, 1)
    return LoadedFile(file, (Document(file, 0, data, converter.spans),), ())


class _Problem(Exception):
    def __init__(self, message: str, node: Any) -> None:
        super().__init__(message)
        self.line, self.column, _, _ = _position(node)


def _number(node: Any) -> int | float:
    """An HCL number literal; one too large for a float is a problem at its line."""
    text = _name(node)
    if len(text) > MAX_NUMBER_CHARS:
        raise _Problem(out_of_range(text), node)
    number: int | float = int(text) if node.data == "int_lit" else float(text)
    if not finite_number(number):
        raise _Problem(out_of_range(text), node)
    return number


def _positive(number: Any) -> int:
    return number if isinstance(number, int) and number > 0 else 1


def _name(node: Any) -> str:
    """The text of an identifier, keyword or literal used as a name."""
    if hasattr(node, "children"):
        return "".join(_name(child) for child in node.children)
    return str(node)


class _Converter:
    """Walks python-hcl2's Lark parse tree, building values and their spans."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.spans: dict[PathKey, Span] = {}

    def body(self, body: Any, path: PathKey, data: dict[str, Any]) -> None:
        for child in getattr(body, "children", ()):
            kind = getattr(child, "data", None)
            if kind == "attribute":
                self._attribute(child, path, data)
            elif kind == "block":
                self._block(child, path, data)

    def _attribute(self, node: Any, path: PathKey, data: dict[str, Any]) -> None:
        trees = [c for c in node.children if hasattr(c, "data")]
        if len(trees) < 2:
            return
        key, expression = trees[0], trees[-1]
        name = _name(key)
        if name in data:  # a duplicate attribute is a Terraform error too
            first = self.spans.get((*path, name))
            at = f" (first at line {first.key_line or first.line})" if first is not None else ""
            raise _Problem(f"duplicate attribute '{name}'{at}", key)
        here = (*path, name)
        data[name] = self.value(expression, here, key)

    def _block(self, node: Any, path: PathKey, data: dict[str, Any]) -> None:
        trees = [c for c in node.children if hasattr(c, "data") and c.data != "new_line_or_comment"]
        if not trees or trees[-1].data != "body":
            return
        head, *labels, body = trees
        keys = [_name(head), *(self._label(label) for label in labels)]
        span = self._span(node, head)
        container: Any = data
        where = path
        for key in keys[:-1]:
            where = (*where, key)
            container = container.setdefault(key, {})
            if not isinstance(container, dict):
                return  # an attribute and a block share a name: keep the attribute
            self.spans.setdefault(where, span)
        where = (*where, keys[-1])
        items = container.setdefault(keys[-1], [])
        if not isinstance(items, list):
            return
        self.spans.setdefault(where, span)
        where = (*where, len(items))
        content: dict[str, Any] = {}
        items.append(content)
        self.spans[where] = span
        self.body(body, where, content)

    def _label(self, node: Any) -> str:
        if node.data == "string":
            value = self._string(node)
            return value if isinstance(value, str) else _name(node)
        return _name(node)

    def value(self, node: Any, path: PathKey, key: Any = None) -> Any:
        self.spans[path] = self._span(node, key)
        kind = getattr(node, "data", None)
        trees = [c for c in getattr(node, "children", ()) if hasattr(c, "data")]
        if kind == "expr_term" and len(trees) == 1 and len(node.children) == 1:
            inner = trees[0]
            value = self.value(inner, path, key)
            style = self.spans[path].style  # a heredoc's, kept
            self.spans[path] = replace(self._span(node, key), style=style)
            return value
        if kind in ("int_lit", "float_lit"):
            return _number(node)
        if kind == "literal_value":
            return {"true": True, "false": False, "null": None}.get(_name(node), _name(node))
        if kind == "string":
            return self._string(node)
        if kind in ("heredoc_template", "heredoc_template_trim"):
            text, indent = _heredoc(_name(node), trim=kind == "heredoc_template_trim")
            self.spans[path] = replace(self.spans[path], style=f"<<{indent}")
            return text
        if kind == "function_call" and _name(trees[0]) in _ENCODERS:
            encoded = self._encoded(trees, path, key)
            if encoded is not None:
                return encoded
        if kind == "tuple":
            items = [c for c in trees if c.data != "new_line_or_comment"]
            return [self.value(item, (*path, i)) for i, item in enumerate(items)]
        if kind == "object":
            return self._object(trees, path)
        if kind == "unary_op" and len(trees) == 1:
            operand = self.value(trees[0], path, key)
            self.spans[path] = self._span(node, key)
            sign = _name(node.children[0])
            if sign == "-" and isinstance(operand, int | float) and not isinstance(operand, bool):
                return -operand
        return self._expression(node)

    def _encoded(self, trees: list[Any], path: PathKey, key: Any) -> Any:
        """The literal object or tuple ``yamlencode``/``jsonencode`` is given, or None."""
        arguments = [c for c in trees[1:] if c.data == "arguments"]
        given = [c for c in arguments[0].children if hasattr(c, "data")] if arguments else []
        if len(given) != 1:
            return None
        inner = given[0]
        while getattr(inner, "data", None) == "expr_term" and len(inner.children) == 1:
            inner = inner.children[0]
        if getattr(inner, "data", None) not in ("object", "tuple"):
            return None
        return self.value(given[0], path, key)

    def _object(self, elements: list[Any], path: PathKey) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for element in elements:
            if element.data != "object_elem":
                continue
            parts = [c for c in element.children if hasattr(c, "data")]
            if len(parts) < 2:
                continue
            key_node, expression = parts[0], parts[-1]
            name = self._key(key_node)
            if name not in result:
                result[name] = self.value(expression, (*path, name), key_node)
        return result

    def _key(self, node: Any) -> str:
        inner = node
        while True:
            trees = [c for c in getattr(inner, "children", ()) if hasattr(c, "data")]
            if getattr(inner, "data", None) in ("object_elem_key", "expr_term") and len(trees) == 1:
                inner = trees[0]
                continue
            break
        kind = getattr(inner, "data", None)
        if kind == "string":
            value = self._string(inner)
            return value if isinstance(value, str) else self._source(inner)
        if kind in ("identifier", "keyword", "literal_value"):
            return _name(inner)
        return self._source(node)

    def _string(self, node: Any) -> Any:
        parts = [c for c in node.children if hasattr(c, "data")]
        pieces: list[str] = []
        for part in parts:
            tokens = part.children
            if not all(getattr(t, "type", None) in _LITERAL_TOKENS for t in tokens):
                return self._expression(node)
            pieces.extend(str(t) for t in tokens)
        return _unescape("".join(pieces))

    def _expression(self, node: Any) -> str:
        source = self._source(node)
        if _REFERENCE.fullmatch(source):
            return source
        inner = source[1:-1] if len(source) >= 2 and source[0] == source[-1] == '"' else ""
        if "${" in inner:
            return inner  # a template: "${var.a}-b" is already a placeholder
        return "${" + source + "}"

    def _source(self, node: Any) -> str:
        meta = getattr(node, "meta", None)
        if meta is None or getattr(meta, "empty", True):
            return _name(node)
        return " ".join(self.text[meta.start_pos : meta.end_pos].split())

    def _span(self, node: Any, key: Any = None) -> Span:
        line, column, end_line, end_column = _position(node)
        if key is None:
            return Span(line, column, end_line, end_column)
        key_line, key_column, _, _ = _position(key)
        return Span(line, column, end_line, end_column, key_line, key_column)


def _position(node: Any) -> tuple[int, int, int, int]:
    meta = getattr(node, "meta", node)
    if getattr(meta, "empty", False) or getattr(meta, "line", None) is None:
        return 1, 1, 1, 1
    return meta.line, meta.column, meta.end_line, meta.end_column


def _unescape(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        whole = match.group(0)
        if whole == "$${":
            return "${"
        if whole == "%%{":
            return "%{"
        code = match.group(1)
        if code[0] in "uU" and len(code) > 1:
            point = int(code[1:], 16)
            return chr(point) if point <= 0x10FFFF and not 0xD800 <= point < 0xE000 else whole
        return _SIMPLE_ESCAPES.get(code, whole)

    return _ESCAPE.sub(replace, text)


def _heredoc(token: str, *, trim: bool) -> tuple[str, int]:
    """The text of ``<<EOT ... EOT`` and the columns of indentation ``<<-`` stripped from it."""
    lines = token.split("\n")
    body = "\n".join(lines[1:-2]) + "\n" if len(lines) > 2 else ""
    if not trim:
        return body, 0
    indents = [len(line) - len(line.lstrip()) for line in body.split("\n") if line.strip()]
    return textwrap.dedent(body), min(indents, default=0)
