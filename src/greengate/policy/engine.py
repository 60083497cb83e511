"""Evaluate compiled policies against deployments and produce findings.

Each deployment is converted by the CEL backend once and each policy's params
once; every expression was compiled once when its policy was loaded. Results
come back as plain Python values.

A rule that reads a fact the deployment does not have fails (it never passes
by omission): the finding names the missing field, says how to declare it,
and points at the place it should be declared.

CEL is pure: a program's value depends only on what it reads. Each policy
knows, from the parse trees of its expressions, the ``deployment`` fields
they read (:func:`reads_of`); deployments that hold the same values there
(the same region, accelerator and model across a repository) share each
program's outcome (:class:`_Memo`), and a deployment is converted to the
engine's values only when one of its programs has to run. Findings and their
messages are still made per deployment, from that deployment's own facts.

Every evaluation has a time budget (:data:`DEFAULT_BUDGET`, one second,
unless the engine is given another): an expression that runs longer is
stopped, and each rule it belongs to gets an error finding for that
deployment that says so. An expression stopped once is not run again in the
same engine (its later deployments get the same error at once), so one
pathological policy costs at most one budget per expression, not one per
deployment.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from greengate.policy.cel import default_backend
from greengate.policy.cel.backend import (
    Activation,
    Backend,
    BudgetExceeded,
    EvaluationError,
    Input,
    IterationLimit,
    MissingFieldError,
    Program,
    format_seconds,
)
from greengate.policy.cel.budget import armed
from greengate.policy.model import NamedExpression, Policy, Validation
from greengate.records.deployment import DERIVED_FROM, FIELDS, Deployment, FactSource
from greengate.records.finding import Finding, Severity, Status


@dataclass(frozen=True)
class RuleSettings:
    """What config may change about one rule: on/off, severity, params (per policy)."""

    enabled: bool = True
    severity: Severity | None = None


DEFAULT_BUDGET = 1.0
"""Seconds one expression may take on one deployment."""


@dataclass
class _Prepared:
    policy: Policy
    params: Input
    rules: list[tuple[Validation, Severity]]
    budget: float
    reads: tuple[tuple[str, ...], ...] | None = None
    """The ``deployment`` field paths the policy's expressions read (None: they
    read it as a whole, or it could not be told): the key of :class:`_Memo`."""


WHOLE: tuple[tuple[str, ...], ...] = ((),)
"""What :func:`reads_of` gives for a policy that reads ``deployment`` as a whole."""


def programs_of(policy: Policy) -> Iterator[Program]:
    """Every compiled expression of ``policy``: match conditions, variables, rules, messages."""
    for named in (*policy.match_conditions, *policy.variables):
        yield named.program
    for validation in policy.validations:
        yield validation.program
        if validation.message_program is not None:
            yield validation.message_program


_MENTIONS_DEPLOYMENT = re.compile(r"\bdeployment\b")


def reads_of(programs: Iterable[Program]) -> tuple[tuple[str, ...], ...]:
    """The ``deployment`` field paths ``programs`` read, shortest first, none inside another.

    Read from each program's parse tree (:meth:`Program.references`): a
    reference selects a chain of fields (``deployment.cloud.region``) and
    whatever the expression does next (an index, a method, a macro) reads
    only what lies under the chain's end, so the values at these paths are
    everything the programs can observe of the deployment. A bare
    ``deployment`` (``deployment["cloud"]``, ``deployment.all(...)``) gives
    the empty path, the whole deployment (:data:`WHOLE`); so does a program
    that mentions ``deployment`` but whose references the backend could not
    tell, so that nothing is ever shared on a guess.
    """
    paths: set[tuple[str, ...]] = set()
    for program in programs:
        found = [r for r in program.references() if r.name == "deployment"]
        if not found and _MENTIONS_DEPLOYMENT.search(program.source):
            return WHOLE
        paths.update(tuple(s.name for s in r.path) for r in found)
    kept: list[tuple[str, ...]] = []
    for path in sorted(paths, key=lambda p: (len(p), p)):
        if not any(path[: len(k)] == k for k in kept):
            kept.append(path)
    return tuple(kept)


_ABSENT = object()


def _frozen(value: Any) -> Hashable:
    """``value`` as a hashable key that keeps what CEL tells apart: type, order, nesting.

    ``True``, ``1`` and ``1.0`` are equal in Python and different in CEL, so each
    scalar carries its type; maps keep their order (a macro over a map sees it).
    """
    if isinstance(value, Mapping):
        return ("{", tuple((k, _frozen(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return ("[", tuple(_frozen(v) for v in value))
    return (type(value), value)


def input_key(plain: Mapping[str, Any], reads: tuple[tuple[str, ...], ...]) -> Hashable:
    """What of the deployment ``plain`` the paths ``reads`` can observe, as a hashable key.

    For each path: how far it leads through maps, and the value there (absent,
    a leaf, or the map or list where the walk stops).
    """
    key: list[Hashable] = []
    for path in reads:
        node: Any = plain
        depth = 0
        for part in path:
            if not isinstance(node, Mapping):
                break
            node = node.get(part, _ABSENT)
            depth += 1
            if node is _ABSENT:
                break
        key.append((depth, "absent" if node is _ABSENT else _frozen(node)))
    return tuple(key)


Outcomes = dict[Program, tuple[bool, Any]]
"""Programs' outcomes for one input key: the plain value (True) or the error raised (False)."""


@dataclass
class _Memo:
    """Programs' outcomes by input key, shared by the deployments with that key.

    A program that ran out of budget is not kept here (``Engine._stopped``
    keeps it). Bounded: past :attr:`limit` keys it starts again empty, so a
    repository where every deployment differs costs no more memory than one.
    """

    limit: int = 10_000
    outcomes: dict[Hashable, Outcomes] = field(default_factory=dict)
    hits: int = 0
    misses: int = 0

    def of(self, key: Hashable) -> Outcomes | None:
        """The outcomes kept for ``key`` (hashed once per deployment and policy, not per
        program); None when a value of the key cannot be hashed: nothing is shared then."""
        try:
            found = self.outcomes.get(key)
        except TypeError:
            return None
        if found is None:
            if len(self.outcomes) >= self.limit:
                self.outcomes.clear()
            found = self.outcomes[key] = {}
        return found


class Engine:
    """Policies ready to run: params converted, disabled rules dropped."""

    def __init__(
        self,
        policies: Sequence[Policy],
        *,
        params: Mapping[str, Mapping[str, Any]] | None = None,
        rules: Mapping[str, RuleSettings] | None = None,
        catalog: Mapping[str, Any] | None = None,
        budget: float | None = None,
    ) -> None:
        overrides = params or {}
        settings = rules or {}
        self.budget = DEFAULT_BUDGET if budget is None else budget
        self._stopped: dict[Program, tuple[Deployment, BudgetExceeded]] = {}
        """Programs that ran out of budget -> the deployment they ran out on."""
        self.memo: _Memo | None = _Memo()
        """Outcomes shared between deployments with the same input; None: every program runs."""
        self._backend = default_backend()
        self._catalog = self._backend.convert(dict(catalog or {}))
        self._prepared: list[_Prepared] = []
        for policy in policies:
            merged = deep_merge(policy.params, overrides.get(policy.name, {}))
            enabled = []
            for validation in policy.validations:
                setting = settings.get(validation.id, RuleSettings())
                if setting.enabled:
                    enabled.append((validation, setting.severity or validation.severity))
            if enabled:
                self._prepared.append(
                    _Prepared(
                        policy,
                        self._backend.convert(merged),
                        enabled,
                        self.budget,
                        reads_of(programs_of(policy)),
                    )
                )

    @property
    def policies(self) -> list[Policy]:
        return [p.policy for p in self._prepared]

    def active_rules(self) -> Iterator[tuple[Policy, Validation, Severity]]:
        for prepared in self._prepared:
            for validation, severity in prepared.rules:
                yield prepared.policy, validation, severity

    def evaluate(self, deployments: Iterable[Deployment]) -> list[Finding]:
        findings: list[Finding] = []
        with armed():
            findings.extend(self._evaluate_all(deployments))
        return findings

    def _evaluate_all(self, deployments: Iterable[Deployment]) -> Iterator[Finding]:
        for deployment in deployments:
            plain = deployment.as_cel_input()
            inputs = _Inputs(self._backend, plain, self._catalog)
            for prepared in self._prepared:
                run = _Run(
                    prepared,
                    deployment,
                    plain,
                    functools.partial(inputs.activation, prepared),
                    self._stopped,
                    prepared.budget,
                )
                if self.memo is not None and prepared.reads is not None:
                    run.memo = self.memo
                    run.outcomes = self.memo.of(input_key(plain, prepared.reads))
                yield from run.findings()


class _Inputs:
    """One deployment's inputs, converted to the engine's values on the first program that runs."""

    def __init__(self, backend: Backend, plain: Mapping[str, Any], catalog: Input) -> None:
        self.backend = backend
        self.plain = plain
        self.catalog = catalog
        self._value: Input | None = None

    def activation(self, prepared: _Prepared) -> Activation:
        if self._value is None:
            self._value = self.backend.convert(self.plain)
        return self.backend.activation(
            {"deployment": self._value, "params": prepared.params, "catalog": self.catalog},
            budget=prepared.budget,
        )


class _Run:
    """One policy on one deployment."""

    def __init__(
        self,
        prepared: _Prepared,
        deployment: Deployment,
        plain: Mapping[str, Any],
        activation: Activation | Callable[[], Activation],
        stopped: dict[Program, tuple[Deployment, BudgetExceeded]],
        budget: float = DEFAULT_BUDGET,
    ) -> None:
        self.stopped = stopped
        self.budget = budget
        self.prepared = prepared
        self.policy = prepared.policy
        self.deployment = deployment
        self.plain = plain
        self.variable_errors: dict[str, tuple[NamedExpression, EvaluationError]] = {}
        self._activation: Activation | None = None
        self._make_activation = activation if callable(activation) else (lambda: activation)
        self.memo: _Memo | None = None
        self.outcomes: Outcomes | None = None
        """What the deployments with this one's input key gave (None: nothing is shared)."""

    @property
    def activation(self) -> Activation:
        """The activation, made (and the policy's variables defined in it) on first use."""
        if self._activation is None:
            self._activation = self._make_activation()
            self._define_variables(self._activation)
        return self._activation

    def findings(self) -> list[Finding]:
        for condition in self.policy.match_conditions:
            try:
                result = self._evaluate(condition.program)
            except BudgetExceeded as exc:
                where = f"matchCondition '{condition.name}'"
                return [
                    self._error(v, s, self._over_budget(v, condition.program, exc, where))
                    for v, s in self.prepared.rules
                ]
            except EvaluationError as exc:
                missing = self._missing_field(condition.program, exc)
                if missing:
                    return [
                        self._missing(
                            v,
                            s,
                            missing,
                            f"cannot tell whether policy '{self.policy.name}' applies",
                        )
                        for v, s in self.prepared.rules
                    ]
                return [
                    self._error(v, s, f"matchCondition '{condition.name}' failed: {exc}")
                    for v, s in self.prepared.rules
                ]
            if not isinstance(result, bool):
                return [
                    self._error(
                        v,
                        s,
                        f"matchCondition '{condition.name}' returned {_show(result)}, not a bool",
                    )
                    for v, s in self.prepared.rules
                ]
            if not result:
                return [
                    self._finding(
                        v,
                        s,
                        Status.SKIP,
                        f"does not apply: matchCondition '{condition.name}' is false",
                    )
                    for v, s in self.prepared.rules
                ]
        self._evaluate_variables()
        return [self._rule(v, s) for v, s in self.prepared.rules]

    def _evaluate_variables(self) -> None:
        """Each variable's error, if it has one: from the memo, else by defining them all."""
        for variable in self.policy.variables:
            known = self._remembered(variable.program)
            if known is None:
                self.variable_errors.clear()
                _ = self.activation  # defines every variable, in order
                return
            ok, error = known
            if not ok:
                self.variable_errors[variable.name] = (variable, error)

    def _define_variables(self, activation: Activation) -> None:
        for variable in self.policy.variables:
            try:
                stop = self.stopped.get(variable.program)
                if stop is not None:
                    raise stop[1].with_traceback(None)
                try:
                    activation.define(variable.name, variable.program)
                except BudgetExceeded as exc:
                    self.stopped[variable.program] = (self.deployment, exc)
                    raise
            except EvaluationError as exc:
                self.variable_errors[variable.name] = (variable, exc)
                self._remember(variable.program, False, exc)
            else:
                self._remember(variable.program, True, None)

    def _remembered(self, program: Program) -> tuple[bool, Any] | None:
        if self.outcomes is None or self.memo is None:
            return None
        found = self.outcomes.get(program)
        if found is None:
            self.memo.misses += 1
        else:
            self.memo.hits += 1
        return found

    def _remember(self, program: Program, ok: bool, value: Any) -> None:
        if self.outcomes is not None and not isinstance(value, BudgetExceeded):
            self.outcomes[program] = (ok, value)

    def _evaluate(self, program: Program) -> Any:
        """``program`` on this deployment, unless it ran out of budget before.

        A deployment with the same input key as one evaluated before gets that
        outcome, value or error, without running the program.
        """
        stop = self.stopped.get(program)
        if stop is not None:
            raise stop[1].with_traceback(None)
        known = self._remembered(program)
        if known is not None:
            ok, value = known
            if ok:
                return value
            raise value.with_traceback(None)
        try:
            result = program.evaluate(self.activation)
        except BudgetExceeded as exc:
            self.stopped[program] = (self.deployment, exc)
            raise
        except EvaluationError as exc:
            self._remember(program, False, exc)
            raise
        self._remember(program, True, result)
        return result

    def _over_budget(
        self, validation: Validation, program: Program, exc: BudgetExceeded, where: str = ""
    ) -> str:
        """``evaluation of GG123 took longer than the 1 s budget; simplify the expression``.

        Or, stopped at the engine's own limit: ``evaluation of GG123 ran more
        than 10,000 comprehension iterations (cel-cpp's limit)``.
        """
        inside = f" ({where})" if where else ""
        first = self.stopped.get(program, (self.deployment, exc))[0]
        again = (
            f" on '{first.name}' ({first.file}) and was not run again"
            if first is not self.deployment
            else ""
        )
        if isinstance(exc, IterationLimit):
            return (
                f"evaluation of {validation.id}{inside} {exc}{again} (the engine's limit,"
                " which policies.budgetSeconds does not raise); simplify the expression"
                " or run it with --cel-engine python"
            )
        return (
            f"evaluation of {validation.id}{inside} took longer than the "
            f"{format_seconds(exc.budget)} budget{again}; simplify the expression"
            " (or raise policies.budgetSeconds in the config)"
        )

    def _rule(self, validation: Validation, severity: Severity) -> Finding:
        try:
            result = self._evaluate(validation.program)
        except EvaluationError as exc:
            program = validation.program
            where = ""
            failed_variable = self._failed_variable(validation, exc)
            if failed_variable is not None:
                variable, exc = failed_variable
                program = variable.program
                where = f"variable '{variable.name}'"
            if isinstance(exc, BudgetExceeded):
                return self._error(
                    validation, severity, self._over_budget(validation, program, exc, where)
                )
            missing = self._missing_field(program, exc)
            if missing:
                return self._missing(validation, severity, missing, f"cannot check {validation.id}")
            return self._error(
                validation, severity, f"rule {validation.id} could not be evaluated: {exc}"
            )
        if not isinstance(result, bool):
            return self._error(
                validation,
                severity,
                f"rule {validation.id} returned {_show(result)}, not a bool; fix its expression",
            )
        if result:
            return self._finding(validation, severity, Status.PASS, validation.title)
        try:
            message, notes = self._message(validation)
        except BudgetExceeded as exc:
            assert validation.message_program is not None
            over = self._over_budget(
                validation, validation.message_program, exc, "its messageExpression"
            )
            return self._error(validation, severity, over)
        if validation.field and validation.field not in self.deployment.facts:
            message = f"{message}; {self.deployment.hint(validation.field)}"
        elif validation.field:
            message += self._default_note(validation.field)
        return self._finding(validation, severity, Status.FAIL, message, notes)

    def _default_note(self, name: str) -> str:
        """Say so when the fact came from a config default: the finding points at the config."""
        fact = self.deployment.facts.get(name)
        if fact is not None and fact.source is not FactSource.CONFIG_DEFAULT:
            fact = self.deployment.facts.get(DERIVED_FROM.get(name, ""))
        if fact is None or fact.source is not FactSource.CONFIG_DEFAULT:
            return ""
        return f"; for {self.deployment.file}, {fact.detail}"

    def _failed_variable(
        self, validation: Validation, exc: EvaluationError
    ) -> tuple[NamedExpression, EvaluationError] | None:
        if (
            isinstance(exc, MissingFieldError)
            and exc.missing_member in self.variable_errors
            and f"variables.{exc.missing_member}" in validation.program.source
        ):
            return self.variable_errors[exc.missing_member]
        return None

    def _message(self, validation: Validation) -> tuple[str, tuple[str, ...]]:
        """The failure's message, and a note when its ``messageExpression`` could not give it.

        A messageExpression that fails (``"x" + 1``) or returns something other
        than a string is the policy's bug: the static ``message`` (else the
        rule's title) is shown, as Kubernetes does, and the note says which
        expression failed and why, so the run can count it and ``greengate
        test`` can fail it. An empty string falls back without a note, as in
        Kubernetes.
        """
        fallback = validation.message.strip() or validation.title
        program = validation.message_program
        if program is None:
            return fallback, ()
        try:
            value = self._evaluate(program)
        except BudgetExceeded:
            raise
        except EvaluationError as exc:
            return fallback, (_message_note(validation, f"failed: {exc}"),)
        if not isinstance(value, str):
            return fallback, (_message_note(validation, f"returned {_show(value)}, not a string"),)
        return (value.strip() or fallback), ()

    def _missing_field(self, program: Program, exc: EvaluationError) -> str | None:
        """The first ``deployment`` field the expression reads that the deployment lacks.

        A :class:`MissingFieldError` names the missing key; cel-python loses
        it inside a ternary, so any error while an unguarded field is absent
        counts too.
        """
        paths = (
            program.deployment_paths
            if isinstance(exc, MissingFieldError)
            else program.required_paths
        )
        for path in paths:
            node: Any = self.plain
            walked: list[str] = []
            for part in path.split("."):
                if not isinstance(node, Mapping):
                    break
                walked.append(part)
                if part not in node:
                    return _field_name(path.split("."), ".".join(walked))
                node = node[part]
        return None

    def _missing(
        self, validation: Validation, severity: Severity, missing: str, what: str
    ) -> Finding:
        missing = self.deployment.root_cause(missing)
        hint = self.deployment.hint(missing)
        message = f"{what}: {missing} is not known for '{self.deployment.name}'; {hint}"
        return Finding.make(
            rule_id=validation.id,
            policy=self.policy.name,
            severity=severity,
            status=Status.FAIL,
            message=message,
            location=self.deployment.where(missing),
            deployment=self.deployment.name,
            field=validation.field or missing,
            remediation=validation.remediation,
            title=validation.title,
            file=self.deployment.file,
            path=self.deployment.path or None,
        )

    def _error(self, validation: Validation, severity: Severity, message: str) -> Finding:
        return self._finding(validation, severity, Status.ERROR, message)

    def _finding(
        self,
        validation: Validation,
        severity: Severity,
        status: Status,
        message: str,
        notes: tuple[str, ...] = (),
    ) -> Finding:
        location = (
            self.deployment.where(validation.field)
            if validation.field
            else self.deployment.location
        )
        return Finding.make(
            rule_id=validation.id,
            policy=self.policy.name,
            severity=severity,
            status=status,
            message=message,
            location=location,
            deployment=self.deployment.name,
            field=validation.field,
            remediation=validation.remediation,
            title=validation.title,
            file=self.deployment.file,
            path=self.deployment.path or None,
            notes=notes,
        )


def _message_note(validation: Validation, what: str) -> str:
    """``the messageExpression of GG303 (policy.yaml:40:7) failed: ...; the static message is shown``."""
    shown = "its static message" if validation.message.strip() else "its title"
    return (
        f"the messageExpression of {validation.id} ({validation.location}) {what};"
        f" {shown} is shown instead; fix the messageExpression"
    )


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """``override`` over ``base``: maps merge key by key, anything else (lists too) replaces."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _field_name(parts: list[str], walked: str) -> str:
    """The known field the expression reads (``replicas.max``), not just its missing parent."""
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in FIELDS:
            return candidate
    return walked


def _show(value: Any) -> str:
    return f"{type(value).__name__} {value!r}"
