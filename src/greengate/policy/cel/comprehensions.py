"""Two-variable comprehensions (cel-go's ``ext.TwoVarComprehensions``) for cel-python's interpreter.

``list.all(i, v, p)``, ``exists``, ``existsOne``, ``transformList`` and
``transformMap``, with the index (or key) and the value both bound, as the
cel-spec file ``macros2`` checks them. cel-python 0.5 knows only the
one-variable macros; :func:`install` wraps its interpreter's method call so
that a call with two bare names before the body is evaluated here and any
other goes on as before. The compiled runner does not know them either:
:func:`uses_two_variables` tells the backend to leave such an expression to
the interpreter.

Errors follow the spec's logic: ``all`` is ``false`` if any element gives
``false``, even past an error, else the error; ``exists`` the same with
``true``; ``existsOne`` and the transforms pass the first error on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import celpy
from celpy import celtypes
from celpy.evaluation import CELEvalError
from lark import Token, Tree

TWO_VARIABLE = frozenset({"all", "exists", "existsOne", "transformList", "transformMap"})
"""Methods that take two bound names when called with three (or four) arguments."""


def bound_names(method: str, arguments: list[Any]) -> tuple[str, ...] | None:
    """The names a two-variable call binds (``i``, ``v``), or ``None`` when it is not one."""
    if method not in TWO_VARIABLE or len(arguments) < 3 or len(arguments) > 4:
        return None
    if len(arguments) == 4 and method not in ("transformList", "transformMap"):
        return None
    names = tuple(_bare_ident(a) for a in arguments[:2])
    if any(n is None for n in names):
        return None
    return tuple(str(n) for n in names)


def _bare_ident(node: Any) -> str | None:
    while isinstance(node, Tree) and len(node.children) == 1 and node.data != "ident":
        node = node.children[0]
    if isinstance(node, Tree) and node.data == "ident":
        return str(node.children[0])
    return None


def uses_two_variables(tree: Any) -> bool:
    """Whether a parse tree holds a two-variable comprehension."""
    for node in tree.iter_subtrees():
        if node.data == "member_dot_arg" and len(node.children) == 3:
            method, arguments = node.children[1], node.children[2]
            if isinstance(arguments, Tree) and bound_names(str(method), list(arguments.children)):
                return True
    return False


def _pairs(target: Any) -> list[tuple[Any, Any]]:
    if isinstance(target, dict):
        return list(target.items())
    if isinstance(target, list):
        return [(celtypes.IntType(i), v) for i, v in enumerate(target)]
    raise TypeError(f"no such overload: a comprehension over {type(target).__name__}")


def _evaluate(evaluator: Any, method: str, target: Any, arguments: list[Any]) -> Any:
    first, second = bound_names(method, arguments) or ("", "")
    bodies = [evaluator.sub_evaluator(ast=a) for a in arguments[2:]]

    def run(body: Any, key: Any, value: Any) -> Any:
        try:
            return body.evaluate({first: key, second: value})
        except CELEvalError as exc:
            return exc

    pairs = _pairs(target)
    if method in ("all", "exists"):
        decisive = method == "exists"
        error = None
        for key, value in pairs:
            result = run(bodies[0], key, value)
            if isinstance(result, CELEvalError):
                error = error or result
            elif bool(result) is decisive:
                return celtypes.BoolType(decisive)
        return error if error is not None else celtypes.BoolType(not decisive)
    if method == "existsOne":
        count = 0
        for key, value in pairs:
            result = run(bodies[0], key, value)
            if isinstance(result, CELEvalError):
                return result
            count += bool(result)
        return celtypes.BoolType(count == 1)
    kept: list[tuple[Any, Any]] = []
    for key, value in pairs:
        if len(bodies) == 2:
            keep = run(bodies[0], key, value)
            if isinstance(keep, CELEvalError):
                return keep
            if not keep:
                continue
        result = run(bodies[-1], key, value)
        if isinstance(result, CELEvalError):
            return result
        kept.append((key, result))
    if method == "transformList":
        return celtypes.ListType([v for _, v in kept])
    return celtypes.MapType(dict(kept))


def install() -> None:
    """Teach cel-python's interpreter the two-variable forms (once per process)."""
    evaluator = celpy.evaluation.Evaluator
    original: Callable[[Any, Any], Any] = evaluator.member_dot_arg
    if getattr(original, "two_variables", False):
        return

    def member_dot_arg(self: Any, tree: Any) -> Any:
        if len(tree.children) == 3:
            method, arguments = tree.children[1], tree.children[2]
            if (
                isinstance(method, Token)
                and isinstance(arguments, Tree)
                and bound_names(str(method), list(arguments.children))
            ):
                target = self.visit(tree.children[0])
                if isinstance(target, CELEvalError):
                    return target
                try:
                    return _evaluate(self, str(method), target, list(arguments.children))
                except TypeError as exc:
                    return CELEvalError(str(exc), TypeError, exc.args, tree=tree)
        return original(self, tree)

    member_dot_arg.two_variables = True  # type: ignore[attr-defined]
    evaluator.member_dot_arg = member_dot_arg  # type: ignore[method-assign]
