"""What the config changes about the loaded policies: which run, at what severity, with which params.

Exact names and ids are checked against the policies greengate knows (a typo
must not silently switch nothing off); a glob that matches nothing is fine.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from greengate.config.model import Config, Sourced
from greengate.errors import ConfigError
from greengate.findings.waivers import INLINE_NOT_GRANTED
from greengate.policy.engine import RuleSettings
from greengate.policy.model import Policy
from greengate.policy.params import ParamTypeError, check_param
from greengate.records.finding import MANIFEST_INVALID, MANIFEST_UNREADABLE, Severity
from greengate.sources.globs import is_glob, match_name

_OWN_RULES = (MANIFEST_UNREADABLE, MANIFEST_INVALID, INLINE_NOT_GRANTED)
_OWN_WHAT = {
    MANIFEST_UNREADABLE: "a manifest can be read",
    MANIFEST_INVALID: "a manifest can be read",
    INLINE_NOT_GRANTED: "an inline waiver is granted by the base",
}


@dataclass(frozen=True)
class Selection:
    policies: list[Policy]
    rules: dict[str, RuleSettings] = field(default_factory=dict)
    params: dict[str, dict[str, Any]] = field(default_factory=dict)


def select(
    policies: Sequence[Policy],
    config: Config | None,
    *,
    also_known: Callable[[], Sequence[Policy]] = lambda: (),
) -> Selection:
    """Apply the config's ``policies``, ``rules`` and ``params`` to the loaded ``policies``.

    ``also_known`` gives policies that are valid names although they were not
    loaded (the built-in pack under ``--no-builtin``), so that a flag never
    turns a valid config into an invalid one.
    """
    if config is None:
        return Selection(list(policies))
    known = _Known(policies, also_known)
    for entry in config.disable_policies:
        known.check_policy(entry, "policies.disable")
    kept = [
        p
        for p in policies
        if not any(match_name(entry.value, p.name) for entry in config.disable_policies)
    ]
    rule_ids = [v.id for p in policies for v in p.validations]
    settings: dict[str, RuleSettings] = {}
    for entry in config.disable_rules:
        known.check_rule(entry, "rules.disable")
    for entry, severity in _severity_order(config.severity):
        known.check_rule(entry, "rules.severity")
        for rule in rule_ids:
            if match_name(entry.value, rule):
                settings[rule] = RuleSettings(severity=severity.value)
    for rule in rule_ids:
        if any(match_name(entry.value, rule) for entry in config.disable_rules):
            settings[rule] = RuleSettings(enabled=False)
    params: dict[str, dict[str, Any]] = {}
    for name, value in config.params:
        policy = known.check_policy(Sourced(name, value.origin, value.location), "params")
        params[name] = _check_params(policy, value, config) if policy is not None else value.value
    return Selection(kept, settings, params)


def _severity_order(
    entries: Iterable[tuple[str, Sourced[Severity]]],
) -> list[tuple[Sourced[str], Sourced[Severity]]]:
    """Globs first (in the order written, so the last wins), then exact ids, which win over globs."""
    items = [(Sourced(name, s.origin, s.location), s) for name, s in entries]
    return [i for i in items if is_glob(i[0].value)] + [i for i in items if not is_glob(i[0].value)]


class _Known:
    def __init__(self, loaded: Sequence[Policy], also: Callable[[], Sequence[Policy]]) -> None:
        self._loaded = list(loaded)
        self._also = also
        self._all: list[Policy] | None = None

    def everything(self) -> list[Policy]:
        if self._all is None:
            names = {p.name for p in self._loaded}
            self._all = self._loaded + [p for p in self._also() if p.name not in names]
        return self._all

    def check_policy(self, entry: Sourced[str], key: str) -> Policy | None:
        if is_glob(entry.value) and key != "params":
            return None
        for policy in self._loaded:
            if policy.name == entry.value:
                return policy
        names = sorted(p.name for p in self.everything())
        if entry.value in names:
            return next(p for p in self.everything() if p.name == entry.value)
        raise ConfigError(
            f"{_where(entry)}: {key}: unknown policy '{entry.value}'{_guess(entry.value, names)}; the policies are {', '.join(names)}"
        )

    def check_rule(self, entry: Sourced[str], key: str) -> None:
        if entry.value in _OWN_RULES:
            raise ConfigError(
                f"{_where(entry)}: {key}: {entry.value} is greengate's own check that {_OWN_WHAT[entry.value]}; it cannot be disabled or changed"
            )
        if is_glob(entry.value):
            return
        ids = sorted(v.id for p in self.everything() for v in p.validations)
        if entry.value not in ids:
            raise ConfigError(
                f"{_where(entry)}: {key}: unknown rule id '{entry.value}'{_guess(entry.value, ids)}; the rules are {', '.join(ids)}"
            )


def _check_params(policy: Policy, value: Sourced[dict[str, Any]], config: Config) -> dict[str, Any]:
    """The config's params of ``policy``, each of the type its default has (see ``policy.params``)."""
    allowed = sorted(policy.params)
    checked: dict[str, Any] = {}
    for name, given in value.value.items():
        where = config.param_locations.get((policy.name, name), value.location)
        if name not in policy.params:
            listed = f"its params are {', '.join(allowed)}" if allowed else "it has no params"
            raise ConfigError(
                f"{where or value.origin}: params.{policy.name}: unknown param '{name}'{_guess(name, allowed)}; {listed}"
            )
        try:
            checked[name] = check_param(policy.params[name], given, name)
        except ParamTypeError as exc:
            raise ConfigError(
                f"{where or value.origin}: params.{policy.name}.{exc}".replace(
                    "the policy expects", f"policy {policy.name} expects", 1
                )
            ) from None
    return checked


def _where(entry: Sourced[Any]) -> str:
    return str(entry.location) if entry.location is not None else entry.origin


def _guess(name: str, valid: Sequence[str]) -> str:
    guess = difflib.get_close_matches(name, valid, n=1)
    return f" (did you mean '{guess[0]}'?)" if guess else ""
