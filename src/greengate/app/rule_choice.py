"""``--rule``, ``--skip-rule`` and ``--policy-name``: which rules a run evaluates.

Applied after the config's own selection (``policies.disable``,
``rules.disable``, ``rules.severity``), as checkov's ``--check`` and
``--skip-check`` are: a pattern is a rule id, a glob of ids (``GG30*``) or a
severity. ``--rule high`` keeps the rules of severity high and above;
``--skip-rule low`` drops those of severity low and below (the severity
in effect, after the config's ``rules.severity``). ``--policy-name`` keeps
the policies whose names match. An exact id or name nobody has is exit 2
with the closest one; a choice that leaves no rule is exit 2 too.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from greengate.errors import ConfigError
from greengate.policy.engine import RuleSettings
from greengate.policy.model import Policy
from greengate.records.finding import Severity
from greengate.sources.globs import is_glob, match_name

_SEVERITIES = {s.value: s for s in Severity}


@dataclass(frozen=True)
class RuleChoice:
    only: tuple[str, ...] = ()
    """``--rule``: run only the rules matching one of these."""
    skip: tuple[str, ...] = ()
    """``--skip-rule``: never run the rules matching one of these."""
    policies: tuple[str, ...] = ()
    """``--policy-name``: run only the policies matching one of these."""

    @property
    def active(self) -> bool:
        return bool(self.only or self.skip or self.policies)


def choose(
    policies: Sequence[Policy], rules: Mapping[str, RuleSettings], choice: RuleChoice
) -> tuple[list[Policy], dict[str, RuleSettings]]:
    """The policies and rule settings once ``choice`` is applied (unchanged when it is empty)."""
    if not choice.active:
        return list(policies), dict(rules)
    names = [p.name for p in policies]
    for pattern in choice.policies:
        _known(pattern, names, "--policy-name", "policy")
    kept = [
        p
        for p in policies
        if not choice.policies or any(match_name(x, p.name) for x in choice.policies)
    ]
    ids = [v.id for p in policies for v in p.validations]
    for flag, patterns in (("--rule", choice.only), ("--skip-rule", choice.skip)):
        for pattern in patterns:
            if pattern.lower() not in _SEVERITIES:
                _known(pattern, ids, flag, "rule id")
    settings = dict(rules)
    running = 0
    for policy in kept:
        for validation in policy.validations:
            setting = settings.get(validation.id, RuleSettings())
            if not setting.enabled:
                continue
            severity = setting.severity or validation.severity
            wanted = not choice.only or any(
                _matches(x, validation.id, severity, True) for x in choice.only
            )
            if wanted and not any(_matches(x, validation.id, severity, False) for x in choice.skip):
                running += 1
            else:
                settings[validation.id] = RuleSettings(enabled=False, severity=setting.severity)
    if running == 0:
        raise ConfigError(
            "--rule, --skip-rule and --policy-name leave no rule to run; `greengate policies list` shows the rules and their severities"
        )
    return kept, settings


def _matches(pattern: str, rule: str, severity: Severity, at_least: bool) -> bool:
    level = _SEVERITIES.get(pattern.lower())
    if level is None:
        return match_name(pattern, rule)
    return severity.at_least(level) if at_least else level.at_least(severity)


def _known(pattern: str, known: Sequence[str], flag: str, what: str) -> None:
    if is_glob(pattern) or pattern in known:
        return
    guess = difflib.get_close_matches(pattern, sorted(set(known)), n=1, cutoff=0.6)
    mean = f" (did you mean {guess[0]}?)" if guess else ""
    levels = ", ".join(_SEVERITIES) if what == "rule id" else ""
    extra = f", or a severity ({levels})" if levels else ""
    raise ConfigError(
        f"{flag} {pattern}: no {what} has that name{mean}; give an id, a glob{extra}; `greengate policies list` shows them"
    )
