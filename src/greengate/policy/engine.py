"""Evaluate compiled policies against deployments and produce findings.

Each deployment is converted by the CEL backend once and each policy's params
once; every expression was compiled once when its policy was loaded. Results
come back as plain Python values.

A rule that reads a fact the deployment does not have fails (it never passes
by omission): the finding names the missing field, says how to declare it,
and points at the place it should be declared.

Every evaluation has a time budget (:data:`DEFAULT_BUDGET`, one second,
unless the engine is given another): an expression that runs longer is
stopped, and each rule it belongs to gets an error finding for that
deployment that says so. An expression stopped once is not run again in the
same engine (its later deployments get the same error at once), so one
pathological policy costs at most one budget per expression, not one per
deployment.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from greengate.policy.cel import default_backend
from greengate.policy.cel.backend import (
    Activation,
    BudgetExceeded,
    EvaluationError,
    Input,
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
        self._stopped: dict[Program, Deployment] = {}
        """Programs that ran out of budget -> the deployment they ran out on."""
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
            value = self._backend.convert(plain)
            for prepared in self._prepared:
                activation = self._backend.activation(
                    {"deployment": value, "params": prepared.params, "catalog": self._catalog},
                    budget=prepared.budget,
                )
                run = _Run(prepared, deployment, plain, activation, self._stopped, prepared.budget)
                yield from run.findings()


class _Run:
    """One policy on one deployment."""

    def __init__(
        self,
        prepared: _Prepared,
        deployment: Deployment,
        plain: Mapping[str, Any],
        activation: Activation,
        stopped: dict[Program, Deployment],
        budget: float = DEFAULT_BUDGET,
    ) -> None:
        self.stopped = stopped
        self.budget = budget
        self.prepared = prepared
        self.policy = prepared.policy
        self.deployment = deployment
        self.plain = plain
        self.variable_errors: dict[str, tuple[NamedExpression, EvaluationError]] = {}
        self.activation = activation

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
        for variable in self.policy.variables:
            try:
                if variable.program in self.stopped:
                    raise BudgetExceeded(self.budget)
                try:
                    self.activation.define(variable.name, variable.program)
                except BudgetExceeded:
                    self.stopped[variable.program] = self.deployment
                    raise
            except EvaluationError as exc:
                self.variable_errors[variable.name] = (variable, exc)

    def _evaluate(self, program: Program) -> Any:
        """``program`` on this deployment, unless it ran out of budget before."""
        if program in self.stopped:
            raise BudgetExceeded(self.budget)
        try:
            return program.evaluate(self.activation)
        except BudgetExceeded:
            self.stopped[program] = self.deployment
            raise

    def _over_budget(
        self, validation: Validation, program: Program, exc: BudgetExceeded, where: str = ""
    ) -> str:
        """``evaluation of GG123 took longer than the 1 s budget; simplify the expression``."""
        inside = f" ({where})" if where else ""
        first = self.stopped.get(program, self.deployment)
        again = (
            f" on '{first.name}' ({first.file}) and was not run again"
            if first is not self.deployment
            else ""
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
