"""CEL through cel-cpp (Google's ``cel-expr-python`` binding), behind the same interface.

Installed with ``pip install 'greengate[fast]'`` (Python 3.11 or newer);
selected with ``--cel-engine cpp`` or by ``auto`` when it is installed. It
evaluates the spec's own semantics (heterogeneous numbers, the strings
extension) natively, about 40 times faster than cel-python, so this module
only adapts it to the contract of :mod:`greengate.policy.cel.backend`. The
differences from what that contract (and the cel-python backend) promise are
bridged here, once:

* **Type checking is off.** Expressions are compiled with
  ``disable_check=True``: greengate's inputs are dynamic JSON, and cel-cpp's
  checker refuses what the spec evaluates (``[1] == [1.0]``).
* **``has()`` on a path whose parent is absent is ``false``.** cel-cpp raises
  for ``has(a.b.c)`` when ``a`` has no ``b`` (as the spec says); greengate
  documents ``false``, so ``has(a.b.c)`` is compiled as
  ``has(a.b) && has(a.b.c)``.
* **References and positions come from the cel-python parse tree**
  (:func:`greengate.policy.cel.celpython.references`), so both engines check
  the same names at load; the syntax errors are cel-cpp's own. An expression
  that only cel-cpp parses has its names checked when it runs.
* **Errors are the interface's.** cel-cpp returns an error *value*; a missing
  map key becomes :class:`MissingFieldError`, an unknown function says the
  function does not exist, an unknown name says which names there are.
* **The budget.** A Python timer cannot stop C++ code, so an evaluation is
  only found to be over budget when it returns (the same timer as cel-python's
  raises then). What bounds it is cel-cpp's own limit of 10,000 comprehension
  iterations per evaluation (not configurable through the binding), reported
  as :class:`IterationLimit`, a stop of the same kind as the budget's.
* **Variables lose ``uint``.** A ``variables.<name>`` value is bound again as
  a plain value (the binding does not take its own values as inputs), so a
  ``uint`` variable reads back as ``int``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from cel_expr_python import cel

from greengate.policy.cel.backend import (
    Activation,
    Backend,
    CompileError,
    EvaluationError,
    Input,
    IterationLimit,
    MissingFieldError,
    Program,
    Reference,
)
from greengate.policy.cel.budget import run_within
from greengate.policy.cel.celpython import parse_tree, references

_CONFIG = """
extensions:
  - name: "strings"
    version: 4
  - name: "cel.lib.ext.comprev2"
"""
"""The strings extension (version 4, as cel-go's) and two-variable comprehensions."""

ITERATION_LIMIT = 10_000
"""cel-cpp's comprehension iterations per evaluation (its default; the binding cannot set it)."""
_ENV = cel.NewEnv(config=cel.NewEnvConfigFromYaml(_CONFIG))

_HAS_PATH = re.compile(r"\bhas\(\s*([A-Za-z_]\w*(?:\s*\.\s*[A-Za-z_]\w*){2,})\s*\)")
_POSITION = re.compile(r"<input>:(\d+):(\d+): (?:Syntax error: )?(.*)")
_MISSING_KEY = re.compile(r'Key not found in map : "?([^"]*)"?')
_NO_VALUE = re.compile(r'No value with name "([^"]+)" found')
_NO_OVERLOAD = re.compile(r"No matching overloads found : (?:\((\w+)\)\.)?([^\s(]+)\((.*)\)")
_KNOWN_FUNCTIONS = frozenset(
    {
        "size", "contains", "startsWith", "endsWith", "matches", "int", "uint", "double",
        "string", "bytes", "bool", "duration", "timestamp", "type", "dyn",
        "getFullYear", "getMonth", "getDayOfYear", "getDayOfMonth", "getDate",
        "getDayOfWeek", "getHours", "getMinutes", "getSeconds", "getMilliseconds",
        "charAt", "indexOf", "lastIndexOf", "lowerAscii", "upperAscii", "replace",
        "split", "substring", "trim", "join", "format", "quote", "reverse",
    }
)  # fmt: skip
"""Functions cel-cpp has with some overload: for these "no matching overload" is a type error."""


def guard_has(source: str) -> str:
    """``has(a.b.c)`` as ``(has(a.b) && has(a.b.c))``: ``false``, not an error, when ``b`` is absent."""

    def guarded(match: re.Match[str]) -> str:
        parts = [p.strip() for p in match.group(1).split(".")]
        checks = [f"has({'.'.join(parts[: n + 1])})" for n in range(1, len(parts))]
        return "(" + " && ".join(checks) + ")"

    return _HAS_PATH.sub(guarded, source)


def compile_error(source: str, message: str) -> CompileError:
    """cel-cpp's parse error as a :class:`CompileError` at its line and column.

    An expression that ends too early is placed on its last token, as
    cel-python places it, not one past its end.
    """
    match = _POSITION.search(message)
    if match is None:
        return CompileError(f"CEL syntax error: {message.splitlines()[0]}", 1, 1)
    line, column, detail = int(match.group(1)), int(match.group(2)), match.group(3)
    lines = source.splitlines() or [""]
    text = lines[min(line, len(lines)) - 1]
    if column > len(text.rstrip()):
        last = re.search(r"(\w+|[^\w\s]+)$", text.rstrip())
        column = last.start() + 1 if last else 1
        detail = "the expression ends too early"
    return CompileError(f"CEL syntax error: {detail}", line, column)


def evaluation_error(message: str, budget: float | None = None) -> EvaluationError:
    """cel-cpp's error value as the interface's error, saying what went wrong in greengate's terms.

    Its iteration limit is a stop like the time ``budget``'s: :class:`IterationLimit`.
    """
    text = re.sub(r"^[A-Z_]+: ", "", message.strip())
    missing = _MISSING_KEY.search(text)
    if missing:
        return MissingFieldError(f"no such key: '{missing.group(1)}'", missing.group(1))
    undeclared = _NO_VALUE.search(text)
    if undeclared:
        return EvaluationError(
            f"undeclared reference to '{undeclared.group(1)}' "
            "(expressions can use deployment, params and variables)"
        )
    overload = _NO_OVERLOAD.search(text)
    if overload:
        name = overload.group(2)
        if not name.startswith("_") and name not in _KNOWN_FUNCTIONS:
            return EvaluationError(f"no such function: '{name}'")
        return EvaluationError(f"no such overload: {name}({overload.group(3)})")
    if "Iteration budget exceeded" in text:
        return IterationLimit(budget or 0.0, ITERATION_LIMIT)
    return EvaluationError(text.split("\n")[0])


def plain(value: Any) -> Any:
    """A cel-cpp plain value as the contract's: ``bytes``, not ``bytearray``."""
    if isinstance(value, bytearray):
        return bytes(value)
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {plain(k): plain(v) for k, v in value.items()}
    return value


class _Program(Program):
    def __init__(self, source: str) -> None:
        super().__init__(source)
        try:
            self.expression = _ENV.compile(guard_has(source), disable_check=True)
        except RuntimeError as exc:
            raise compile_error(source, str(exc)) from None
        try:
            self._tree: Any = parse_tree(source)
        except CompileError:
            self._tree = None  # only cel-cpp parses it: its names are checked when it runs

    def references(self) -> tuple[Reference, ...]:
        return () if self._tree is None else references(self._tree)

    def evaluate(self, activation: Activation) -> Any:
        own = _own(activation)
        return plain(run_within(own.budget, lambda: own.run(self)).plain_value())


class _Activation(Activation):
    """The plain inputs of one evaluation, bound in one cel-cpp activation until ``define``."""

    def __init__(self, values: dict[str, Any], budget: float | None) -> None:
        self.values = values
        self.budget = budget
        self._variables: dict[str, Any] = {}
        self._bound: Any = None

    def run(self, program: _Program) -> Any:
        if self._bound is None:
            self._bound = _ENV.Activation(data=self.values)
        try:
            result = program.expression.eval(self._bound)
        except RuntimeError as exc:
            raise evaluation_error(str(exc), self.budget) from None
        if result.type() == cel.Type.ERROR:
            raise evaluation_error(str(result.value()), self.budget)
        return result

    def define(self, name: str, program: Program) -> None:
        if not isinstance(program, _Program):
            raise TypeError(f"a program of another CEL backend: {type(program).__name__}")
        value = plain(run_within(self.budget, lambda: self.run(program)).plain_value())
        self._variables[name] = value
        self.values = {**self.values, "variables": dict(self._variables)}
        self._bound = None


def _own(activation: Activation) -> _Activation:
    if not isinstance(activation, _Activation):
        raise TypeError(f"an activation of another CEL backend: {type(activation).__name__}")
    return activation


class CelCppBackend(Backend):
    """cel-cpp through ``cel-expr-python``: the fast backend (``greengate[fast]``)."""

    name = "cel-cpp"

    def compile(self, expression: str) -> Program:
        return _Program(expression)

    def convert(self, value: Any) -> Input:
        return Input(value)

    def activation(
        self, inputs: Mapping[str, Input | Any], *, budget: float | None = None
    ) -> Activation:
        values = {
            name: item.value if isinstance(item, Input) else item for name, item in inputs.items()
        }
        values["variables"] = {}
        return _Activation(values, budget)
