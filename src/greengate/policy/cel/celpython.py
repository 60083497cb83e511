"""CEL through cel-python, with the gaps to the CEL spec (and cel-go) bridged.

Two layers: :func:`compile_expression` gives an :class:`Expression` that
evaluates cel-python values (from :func:`to_cel`) to cel-python values (made
plain by :func:`from_cel`); :class:`CelPythonBackend` puts that behind the
engine-neutral :class:`~greengate.policy.cel.backend.Backend`, converting
inputs once and results on the way out. Errors are the interface's
(:class:`~greengate.policy.cel.backend.CompileError`,
:class:`~greengate.policy.cel.backend.EvaluationError`,
:class:`~greengate.policy.cel.backend.MissingFieldError`) at both layers.

* Expressions are parsed once per run. Each gets cel-python's compiled runner
  (Python code generated from the expression; about 8x faster than the tree
  interpreter) and the interpreter as the reference, both with the functions
  of :mod:`greengate.policy.cel.spec` in place of cel-python's own
  (heterogeneous equality and ordering, ``in``, indexing, ``string()``, the
  strings extension). The compiled runner raises on a few valid expressions
  (``has(x) ? a : b``), so any error from it is re-run on the interpreter,
  whose answer is the one reported; a value from the compiled runner is
  final (the conformance suite checks that it is the interpreter's).
* cel-python logs internal errors through ``logging``, and RE2 (behind
  ``matches()``) logs a pattern it cannot parse from C++ straight to stderr
  (through absl); that noise never reaches the user: the error is reported
  as the rule's evaluation error.
* An activation's budget bounds every evaluation in it
  (:mod:`greengate.policy.cel.budget`).
* :meth:`_Program.references` walks lark's parse tree, which keeps each
  token's line and column.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import celpy
from celpy import celtypes
from celpy.adapter import json_to_cel
from celpy.celparser import CELParseError, CELParser
from lark import Token, Tree

import greengate
from greengate.policy.cel.backend import (
    Activation,
    Backend,
    CompileError,
    EvaluationError,
    Input,
    MissingFieldError,
    Program,
    Reference,
    Selected,
    fact_paths,
)
from greengate.policy.cel.budget import run_within
from greengate.policy.cel.comprehensions import bound_names, install, uses_two_variables
from greengate.policy.cel.parser_cache import lalr_parser
from greengate.policy.cel.spec import FUNCTIONS as SPEC_FUNCTIONS
from greengate.policy.cel.spec import STRINGS

for _name in ("celpy", "lark"):
    _logger = logging.getLogger(_name)
    _logger.addHandler(logging.NullHandler())
    _logger.propagate = False
    _logger.setLevel(logging.CRITICAL + 1)


class _QuietRe2:
    """``re2`` as cel-python's ``matches()`` calls it, with RE2's own error log turned off."""

    _re2 = vars(celpy.evaluation)["re2"]
    error = _re2.error
    _options = _re2.Options()
    _options.log_errors = False

    @classmethod
    def search(cls, pattern: str, text: str) -> Any:
        return cls._re2.search(pattern, text, cls._options)


vars(celpy.evaluation)["re2"] = _QuietRe2


def _spec_grammar() -> str:
    """cel-python's grammar with what the spec has and it lacks: backtick-quoted field names.

    ``a.`foo-bar``` selects the field ``foo-bar``; :func:`parse_tree` takes
    the backticks off, so every later stage (the interpreter, the compiled
    runner, :func:`references`) sees a plain name.
    """
    grammar = (Path(celpy.__file__).parent / "cel.lark").read_text(encoding="utf-8")
    grammar = grammar.replace(
        'member_dot     : member "." IDENT', 'member_dot     : member "." (IDENT | ESC_IDENT)'
    )
    return grammar + "\nESC_IDENT      : /`[a-zA-Z0-9_.\\-\\/ ]+`/\n"


def _unquote_names(tree: Any) -> Any:
    """The tree with each backtick-quoted name (an ``ESC_IDENT`` token) without its backticks.

    Done on the tree, not by a lexer callback: lark 1.2 applies only one
    callback of this lexer, and cel-python's own one (``true``/``false`` as
    literals) must stay.
    """
    for node in tree.iter_subtrees():
        node.children = [
            Token("ESC_IDENT", c[1:-1], c.start_pos, c.line, c.column)
            if isinstance(c, Token) and c.type == "ESC_IDENT"
            else c
            for c in node.children
        ]
    return tree


# One parser for both runners (cel-python keeps it in a class attribute), with
# the compiled runner's tree class, which the interpreter reads as well; read
# from the user's cache when an earlier run kept it there (parser_cache).
CELParser.CEL_PARSER = lalr_parser(
    _spec_grammar(),
    start="expr",
    debug=True,
    g_regex_flags=re.M,
    lexer_callbacks={"IDENT": CELParser.ambiguous_literals},
    propagate_positions=True,
    maybe_placeholders=False,
    priority="invert",
    tree_class=celpy.evaluation.TranspilerTree,
)

# The escapes of the spec that cel-python 0.5 leaves as written: \?, \` and a
# line feed inside a triple-quoted string; \X41 (an upper-case X) is read as
# \x41 before cel-python expands the literal.
vars(celpy.evaluation)["CEL_ESCAPES_PAT"] = re.compile(
    r"\\[abfnrtv\"'\\?`]|\\\d{3}|\\x[0-9a-fA-F]{2}|\\u[0-9a-fA-F]{4}|\\U[0-9a-fA-F]{8}|.",
    re.DOTALL,
)
celpy.evaluation.CEL_ESCAPES.update({"\\?": "?", "\\`": "`"})
_UPPER_X = re.compile(r"(?<!\\)((?:\\\\)*)\\X")


def _lower_x(expand: Callable[[Token], Any]) -> Callable[[Token], Any]:
    def literal(token: Token) -> Any:
        if "\\X" in token.value and token.value[:2].lower() not in ("r'", 'r"', "br", "rb"):
            token = Token(token.type, _UPPER_X.sub(r"\1\\x", token.value))
        return expand(token)

    return literal


for _literal in ("celstr", "celbytes"):
    vars(celpy.evaluation)[_literal] = _lower_x(vars(celpy.evaluation)[_literal])

install()

_NUMBERS = (celtypes.IntType, celtypes.UintType, celtypes.DoubleType)
_EvalError = celpy.evaluation.CELEvalError

# The parser caches its tree class on first use, and the compiled runner needs
# its own tree class: create the compiled environment first, always.
_COMPILED_ENV = celpy.Environment(runner_class=celpy.CompiledRunner)
_INTERPRETED_ENV = celpy.Environment(runner_class=celpy.InterpretedRunner)


# The compiled runner calls a bound function by its dotted name
# (``greengate.policy.cel.spec.eq``) from inside cel-python's evaluation
# module: make the package's root name resolvable there.
vars(celpy.evaluation)["greengate"] = greengate

FUNCTIONS: dict[str, Callable[..., Any]] = dict(SPEC_FUNCTIONS)
"""What both runners call instead of cel-python's own (see :mod:`greengate.policy.cel.spec`)."""


@dataclass(frozen=True)
class Expression:
    """One parsed CEL expression, ready to evaluate many times; cel-python values in and out."""

    source: str
    _fast: Any
    _slow: Any
    tree: Any = None
    """The parse tree (lark)."""

    @property
    def deployment_paths(self) -> tuple[str, ...]:
        """The ``deployment.a.b`` field paths the expression mentions, in order."""
        return fact_paths(self.source)[0]

    def evaluate(self, activation: Mapping[str, Any]) -> Any:
        if self._fast is not None:
            try:
                result = self._fast.evaluate(activation)
                if not isinstance(result, celpy.evaluation.CELEvalError):
                    return result
            except Exception:  # fall through to the reference interpreter
                pass
        try:
            result = self._slow.evaluate(activation)
        except celpy.evaluation.CELEvalError as exc:
            raise _eval_error(exc, called(self.tree)) from None
        except (
            TypeError,
            ValueError,
            KeyError,
            IndexError,
            ZeroDivisionError,
            OverflowError,
            RecursionError,
        ) as exc:
            raise EvaluationError(f"{type(exc).__name__}: {exc}") from None
        if isinstance(result, celpy.evaluation.CELEvalError):
            raise _eval_error(result, called(self.tree))
        return result


def compile_expression(
    source: str, extra_functions: Mapping[str, Callable[..., Any]] | None = None
) -> Expression:
    """Parse ``source``; raise :class:`CompileError` with its position when it is not CEL."""
    functions = {**FUNCTIONS, **(extra_functions or {})}
    ast = parse_tree(source)
    slow = _INTERPRETED_ENV.program(ast, functions=functions)
    fast = None  # when cel-python cannot transpile it, the interpreter runs it
    if not uses_two_variables(ast):
        try:
            fast = _COMPILED_ENV.program(ast, functions=functions)
            _fix_has(fast)
        except Exception:
            fast = None
    return Expression(source, fast, slow, ast)


def parse_tree(source: str) -> Any:
    """The lark parse tree of ``source``; :class:`CompileError` at its position when it is not CEL."""
    try:
        tree = _COMPILED_ENV.compile(source)
    except CELParseError as exc:
        line = getattr(exc, "line", None) or 1
        column = getattr(exc, "column", None) or 1
        raise CompileError(
            f"CEL syntax error: {_describe_parse_error(source, line, column)}", line, column
        ) from None
    return _unquote_names(tree) if "`" in source else tree


NAMESPACES = {"quote": ("strings",)}
"""Functions called with a namespace (``strings.quote``): method -> the namespaces it has."""

MACROS = frozenset({"all", "exists", "exists_one", "map", "filter"})
"""Methods whose first argument names a variable bound in the others."""


def references(tree: Any) -> tuple[Reference, ...]:
    """The free top-level identifiers of a parse tree, in source order.

    Iterative (an expression may nest deeper than Python's recursion limit
    allows), with the names each macro binds in scope for its body only.
    """
    found: list[Reference] = []
    stack: list[tuple[Any, frozenset[str]]] = [(tree, frozenset())]
    while stack:
        node, bound = stack.pop()
        if not isinstance(node, Tree):
            continue
        children = list(node.children)
        if node.data in ("ident", "dot_ident"):
            token = children[-1]
            if isinstance(token, Token) and str(token) not in bound:
                found.append(Reference(str(token), token.line or 1, token.column or 1))
            continue
        if node.data in ("ident_arg", "dot_ident_arg"):
            children = children[1:]  # a function's name is not a reference
        elif node.data == "member_dot":
            base, path = _chain(node)
            if isinstance(base, Tree) and base.data == "ident":
                token = base.children[-1]
                if isinstance(token, Token) and str(token) not in bound:
                    found.append(Reference(str(token), token.line or 1, token.column or 1, path))
                continue
            children = [base]  # neither is a field's name; what it is selected from may hold some
        elif node.data == "member_object":
            children = children[1:]  # nor a message type's name
        elif node.data == "fieldinits":
            children = [c for c in children if not isinstance(c, Token)]
        elif node.data == "member_dot_arg":
            target, method = children[0], children[1]
            if _bare_ident(target) in NAMESPACES.get(str(method), ()):
                children = children[2:]  # strings.quote(s): a function, not a field of `strings`
                stack.extend((child, bound) for child in reversed(children))
                continue
            arguments = children[2] if len(children) > 2 else None
            pending: list[tuple[Any, frozenset[str]]] = [(target, bound)]
            if isinstance(arguments, Tree):
                items = list(arguments.children)
                variable = _bare_ident(items[0]) if items else None
                pair = bound_names(str(method), items)
                if pair is not None:
                    pending.extend((item, bound | set(pair)) for item in items[2:])
                elif str(method) in MACROS and len(items) >= 2 and variable is not None:
                    pending.extend((item, bound | {variable}) for item in items[1:])
                else:
                    pending.extend((item, bound) for item in items)
            stack.extend(reversed(pending))
            continue
        stack.extend((child, bound) for child in reversed(children))
    return tuple(sorted(found, key=lambda r: (r.line, r.column)))


def _chain(node: Any) -> tuple[Any, tuple[Selected, ...]]:
    """What a ``member_dot`` chain selects from, and the fields it selects, outermost last.

    Stops at the first node that is not a plain selection (an index, a call),
    returning it with the fields after it.
    """
    fields: list[Selected] = []
    while isinstance(node, Tree):
        if node.data == "member_dot" and len(node.children) == 2:
            token = node.children[1]
            if isinstance(token, Token):
                fields.append(Selected(str(token), token.line or 1, token.column or 1))
            node = node.children[0]
        elif node.data in ("member", "primary") and len(node.children) == 1:
            node = node.children[0]
        else:
            break
    return node, tuple(reversed(fields))


def _bare_ident(node: Any) -> str | None:
    """The name when ``node`` is an expression that is just one identifier."""
    while isinstance(node, Tree) and len(node.children) == 1 and node.data != "ident":
        node = node.children[0]
    if isinstance(node, Tree) and node.data == "ident":
        return str(node.children[0])
    return None


# cel-python 0.5's transpiled has() yields a Python bool, not a CEL bool, so
# `has(a) && b`, `!has(a) || b` and `has(a) ? x : y` raise in the compiled
# runner. Wrapping it in BoolType gives the interpreter's (and the spec's) answer.
_HAS = re.compile(
    r"lambda activation: (not isinstance\(celpy\.evaluation\.result\(activation, ex_\d+_h\), CELEvalError\))"
)


def _fix_has(program: Any) -> None:
    transpiler = getattr(program, "tp", None)
    source = getattr(transpiler, "source_text", None)
    if transpiler is None or not isinstance(source, str) or not _HAS.search(source):
        return
    fixed = _HAS.sub(r"lambda activation: celpy.celtypes.BoolType(\1)", source)
    transpiler.source_text = fixed
    transpiler.executable_code = compile(fixed, "<cel>", "exec")


def _describe_parse_error(source: str, line: int, column: int) -> str:
    lines = source.splitlines() or [""]
    text = lines[min(line, len(lines)) - 1]
    near = text[max(column - 1, 0) : column + 11].strip()
    if not near:
        return "the expression ends too early"
    return f"unexpected '{near}'"


_NO_MEMBER = re.compile(r"no such (?:member|key) in mapping: \\*'([^'\\]+)")
_UNDECLARED = re.compile(r"undeclared reference to '([^']+)'")


def called(tree: Any) -> frozenset[str]:
    """The names an expression calls as functions or methods (``size``, ``startsWith``)."""
    if tree is None:
        return frozenset()
    names = set()
    for node in tree.iter_subtrees():
        if node.data in ("ident_arg", "dot_ident_arg") and node.children:
            names.add(str(node.children[0]))
        elif node.data == "member_dot_arg" and len(node.children) > 1:
            names.add(str(node.children[1]))
    return frozenset(names)


def _eval_error(exc: Any, functions: frozenset[str] = frozenset()) -> EvaluationError:
    args: tuple[Any, ...] = tuple(getattr(exc, "args", ()))
    head = str(args[0]) if args else str(exc)
    # An error inside `||`/`&&` arrives wrapped in an overload error: look inside.
    missing = _NO_MEMBER.search(head) or _NO_MEMBER.search(repr(exc))
    if missing:
        return MissingFieldError(f"no such key: '{missing.group(1)}'", missing.group(1))
    undeclared = _UNDECLARED.search(head)
    if undeclared:
        name = undeclared.group(1)
        if name in functions:
            return EvaluationError(f"no such function: '{name}'")
        return EvaluationError(
            f"undeclared reference to '{name}' (expressions can use deployment, params and variables)"
        )
    if "no matching overload" in head or "no such overload" in head:
        detail = str(args[2][0]) if len(args) > 2 and args[2] else head
        return EvaluationError(f"no such overload: {_short_overload(detail)}")
    return EvaluationError(head.split(" (in activation")[0])


def _short_overload(detail: str) -> str:
    detail = re.sub(r"<class 'celpy\.celtypes\.(\w+)Type'>", r"\1", detail)
    detail = re.sub(r"(\w+)Type\(([^()]*)\)", r"\2", detail)
    return detail.replace("no such overload: ", "")


_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def to_cel(value: Any) -> Any:
    """Convert plain JSON-like values to CEL values once, before evaluating many rules.

    The same values as ``celpy.adapter.json_to_cel`` (tested on the corpus),
    built directly: json_to_cel wraps a new int64 guard function around every
    integer and copies each map key by key, a fifth of the conversion's time.
    Anything but the exact JSON types goes to json_to_cel.
    """
    kind = type(value)
    if kind is str:
        return _new_str(celtypes.StringType, value)
    if kind is dict:
        converted = celtypes.MapType()
        _dict_update(converted, {to_cel(k): to_cel(v) for k, v in value.items()})
        return converted
    if kind is int:
        if _INT64_MIN <= value <= _INT64_MAX:
            return _new_int(celtypes.IntType, value)
        return json_to_cel(value)  # raises cel-python's own overflow error
    if kind is bool:
        return celtypes.BoolType(value)
    if kind is float:
        return _new_float(celtypes.DoubleType, value)
    if value is None:
        return None
    if kind is list or kind is tuple:
        return celtypes.ListType([to_cel(item) for item in value])
    return json_to_cel(value)


_new_str = str.__new__
_new_int = int.__new__
_new_float = float.__new__
_dict_update = dict.update


def from_cel(value: Any) -> Any:
    """Convert a CEL result back to plain Python (for messages and JSON output)."""
    if isinstance(value, celtypes.BoolType | bool):
        return bool(value)
    if isinstance(value, celtypes.IntType | celtypes.UintType):
        return int(value)
    if isinstance(value, celtypes.DoubleType):
        return float(value)
    if isinstance(value, celtypes.StringType | str):
        return str(value)
    if isinstance(value, celtypes.MapType | dict):
        return {from_cel(k): from_cel(v) for k, v in value.items()}
    if isinstance(value, celtypes.ListType | list):
        return [from_cel(v) for v in value]
    return value


class _Program(Program):
    """An :class:`Expression` behind the interface: plain results."""

    def __init__(self, expression: Expression) -> None:
        super().__init__(expression.source)
        self.expression = expression

    def evaluate(self, activation: Activation) -> Any:
        own = _own(activation)
        return from_cel(run_within(own.budget, lambda: self.expression.evaluate(own.values)))

    def references(self) -> tuple[Reference, ...]:
        return references(self.expression.tree)


class _Activation(Activation):
    """The cel-python values an expression sees, ``variables`` included."""

    def __init__(self, values: dict[str, Any], budget: float | None = None) -> None:
        self.values = values
        self.budget = budget
        self._variables: dict[str, Any] = {}

    def define(self, name: str, program: Program) -> None:
        if not isinstance(program, _Program):
            raise TypeError(f"a program of another CEL backend: {type(program).__name__}")
        expression = program.expression
        self._variables[name] = run_within(self.budget, lambda: expression.evaluate(self.values))
        # A new map each time, never one mutated in place: a variable whose
        # value is `variables` itself keeps the map it saw.
        self.values["variables"] = celtypes.MapType(
            {celtypes.StringType(k): v for k, v in self._variables.items()}
        )


def _own(activation: Activation) -> _Activation:
    if not isinstance(activation, _Activation):
        raise TypeError(f"an activation of another CEL backend: {type(activation).__name__}")
    return activation


class CelPythonBackend(Backend):
    """cel-python (pure Python), with greengate's bridges: the default backend."""

    name = "cel-python"

    def compile(self, expression: str) -> Program:
        return _Program(compile_expression(expression))

    def convert(self, value: Any) -> Input:
        return Input(to_cel(value))

    def activation(
        self, inputs: Mapping[str, Input | Any], *, budget: float | None = None
    ) -> Activation:
        values = {
            name: item.value if isinstance(item, Input) else to_cel(item)
            for name, item in inputs.items()
        }
        values["variables"] = celtypes.MapType({})
        values["strings"] = STRINGS
        return _Activation(values, budget)
