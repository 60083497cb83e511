"""The interface between greengate and a CEL engine, importing no CEL library.

The loader compiles every expression of a policy once; the engine then
evaluates the programs against each deployment. Both talk to a
:class:`Backend` only, so that the two engines,
:mod:`greengate.policy.cel.celpython` and :mod:`greengate.policy.cel.celcpp`,
are interchangeable.

The contract, for every backend:

* :meth:`Backend.compile` parses an expression or raises :class:`CompileError`
  with the 1-based line and column inside the expression (the loader maps them
  to the policy file).
* Inputs go in plain (JSON-like: ``dict``, ``list``, ``str``, ``int``,
  ``float``, ``bool``, ``None``). :meth:`Backend.convert` turns one into the
  backend's own values, once, so that a deployment is converted once however
  many policies read it; :meth:`Backend.activation` binds converted (or
  plain) inputs to the names expressions use.
* Results come back plain: ``bool``, ``int`` (CEL ``uint`` too), ``float``,
  ``str``, ``None``, and ``list``/``dict`` of those. A CEL value with no such
  counterpart (bytes, duration, timestamp, type) is outside the contract: no
  policy result is one, and the engine only shows it in an error message.
* A failing evaluation raises :class:`EvaluationError` with a short message;
  when the cause is a map key or field that is not there, it raises the
  subclass :class:`MissingFieldError`. The engine tells the two apart to turn
  a missing fact into "declare it like this" instead of an evaluation error.
* Every evaluation (:meth:`Program.evaluate`, :meth:`Activation.define`) in
  an activation made with a ``budget`` stops after that many seconds with
  :class:`BudgetExceeded`, and leaves no timer or signal handler behind.
* :meth:`Program.references` names the top-level identifiers an expression
  reads (not the variables its macros bind), with their positions, so that
  the loader can refuse an unknown name before any deployment is seen.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, final


class CompileError(Exception):
    """An expression that is not CEL; ``line``/``column`` are 1-based within the expression."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


class EvaluationError(Exception):
    """An expression failed on this input; the message is short and meant for the user."""


class BudgetExceeded(EvaluationError):
    """The evaluation took longer than the activation's budget and was stopped.

    ``budget`` is the budget in seconds.
    """

    def __init__(self, budget: float) -> None:
        super().__init__(f"took longer than the {format_seconds(budget)} budget")
        self.budget = budget


class IterationLimit(BudgetExceeded):
    """The engine stopped the evaluation at its own limit of comprehension iterations.

    cel-cpp's bound (a Python timer cannot stop C++ code): the same kind of
    stop as the time budget, so the rule is an error finding and the program is
    not run again, but its message names the limit, not the seconds.
    """

    def __init__(self, budget: float, limit: int) -> None:
        EvaluationError.__init__(self, f"ran more than {limit:,} comprehension iterations")
        self.budget = budget
        self.limit = limit


def format_seconds(seconds: float) -> str:
    """``1 s``, ``0.5 s``, ``2.25 s``: a budget as messages show it."""
    return f"{seconds:g} s"


class MissingFieldError(EvaluationError):
    """The expression read a map key or field the input does not have.

    ``missing_member`` is the name that was not there: ``cloud`` for
    ``deployment.cloud.region`` when the deployment has no ``cloud``,
    ``region`` when it has a ``cloud`` without one, ``x`` for ``variables.x``
    when that variable failed.
    """

    def __init__(self, message: str, missing_member: str) -> None:
        super().__init__(message)
        self.missing_member = missing_member


@final
@dataclass(frozen=True)
class Selected:
    """A field selected with ``.name``; ``line``/``column`` are 1-based within the expression."""

    name: str
    line: int
    column: int


@final
@dataclass(frozen=True)
class Reference:
    """A top-level identifier an expression reads; ``line``/``column`` are 1-based within it.

    ``path`` holds the fields selected from it with dots, in order, as far as
    the selection is a plain chain (``deployment.replicas.max`` gives
    ``replicas``, ``max``; ``params.limits[t].x`` gives ``limits``), so the
    loader can check each name against what the engine binds.
    """

    name: str
    line: int
    column: int
    path: tuple[Selected, ...] = ()


@final
@dataclass(frozen=True, eq=False)
class Input:
    """A plain value converted by :meth:`Backend.convert`: convert once, bind many times.

    ``value`` is the backend's own representation; only the backend that made
    it reads it.
    """

    value: Any


class Activation(ABC):
    """The names one evaluation sees: the bound inputs and ``variables``.

    ``variables`` starts as an empty map; :meth:`define` adds to it, in the
    order a policy declares its variables.
    """

    @abstractmethod
    def define(self, name: str, program: Program) -> None:
        """Evaluate ``program`` here and bind its value as ``variables.<name>`` for what follows.

        The value stays in the backend's own types (a ``uint`` stays one).
        On :class:`EvaluationError` nothing is bound and the error propagates,
        so a later ``variables.<name>`` raises :class:`MissingFieldError`.
        """


class Program(ABC):
    """One compiled expression, evaluated many times.

    ``deployment_paths`` are the ``deployment.a.b`` field paths the source
    mentions, in order; ``required_paths`` those it reads outside ``has()``.
    The engine uses them to name the fact whose absence caused an error.
    """

    def __init__(self, source: str) -> None:
        self.source = source
        self.deployment_paths, self.required_paths = fact_paths(source)

    @abstractmethod
    def evaluate(self, activation: Activation) -> Any:
        """The plain value of the expression; raises :class:`EvaluationError`."""

    @abstractmethod
    def references(self) -> tuple[Reference, ...]:
        """The top-level identifiers the expression reads, in source order.

        ``deployment`` in ``deployment.cloud.region``, ``limits`` in
        ``limits.max``; not a function's or method's name (``size``,
        ``startsWith``), not a field after a dot, not a name inside a string,
        and not a variable a macro binds in its own body (``x`` in
        ``l.all(x, x > 0)``). Read from the parse tree, each with the chain of
        fields selected from it (:attr:`Reference.path`).
        """


class Backend(ABC):
    """A CEL engine. Programs, inputs and activations of one backend do not mix with another's."""

    name: str
    """Short name for messages and tests (``cel-python``)."""

    @abstractmethod
    def compile(self, expression: str) -> Program:
        """Parse ``expression``; raise :class:`CompileError` when it is not CEL."""

    @abstractmethod
    def convert(self, value: Any) -> Input:
        """Convert a plain value for :meth:`activation`."""

    @abstractmethod
    def activation(
        self, inputs: Mapping[str, Input | Any], *, budget: float | None = None
    ) -> Activation:
        """Bind each name to its input (an :class:`Input`, or a plain value converted here).

        ``variables`` is not an input: every activation starts with its own,
        empty (see :class:`Activation`). With a ``budget`` (seconds), each
        evaluation in this activation that runs longer is stopped and raises
        :class:`BudgetExceeded`.
        """


_HAS_CALL = re.compile(r"\bhas\(\s*[\w.]+\s*\)")
_DEPLOYMENT_PATH = re.compile(r"\bdeployment\.([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)")


def fact_paths(source: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The ``deployment`` paths ``source`` mentions, and those it reads outside ``has()``.

    Read from the text, not from a parse tree: the same for every backend.
    """
    paths = tuple(dict.fromkeys(m.group(1) for m in _DEPLOYMENT_PATH.finditer(source)))
    unguarded = _HAS_CALL.sub("", source)
    required = tuple(dict.fromkeys(m.group(1) for m in _DEPLOYMENT_PATH.finditer(unguarded)))
    return paths, required
