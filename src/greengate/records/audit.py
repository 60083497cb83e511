"""The finished result of ``greengate audit``: one row per deployment, totals, savings, history.

An :class:`AuditReport` is what every audit reporter renders (text, json,
csv, markdown, html, Impact Framework) and what ``--shard`` writes and
``audit merge`` reads back. It is plain data: the aggregate stage
(``greengate.aggregate``) computes the totals, the alternatives and the
ranking; reporters only render them.

Figures are ``None`` when greengate could not compute them (a deployment
whose accelerator or region is unknown): never a silent zero. Ranges are
``low`` (``replicas.min``) to ``high`` (``replicas.max``).

:func:`to_dict` and :func:`from_dict` are the versioned JSON form
(``AUDIT_FORMAT``): ``audit merge`` reads exactly what ``--format json``
writes, so a merged report equals the unsharded one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from greengate import __version__

AUDIT_FORMAT = "greengate.dev/audit/v1"
"""The ``format`` key of the JSON form; a reader refuses any other."""

DIMENSIONS = ("owner", "repository", "provider", "region", "accelerator", "task", "policy")
"""What totals are grouped by, in the order reports show them."""

UNKNOWN = "(unknown)"
"""The group of rows that do not state the dimension (no owner, no region...)."""


@dataclass(frozen=True)
class Estimate:
    """What one deployment is estimated to consume and emit (see ``enrich/energy.py``).

    ``how`` holds, per figure, the detail of the ``estimate.*`` fact: the
    inputs and the formula, so a row can be checked by hand.
    """

    kwh_year_low: float | None = None
    kwh_year_high: float | None = None
    tco2e_year_low: float | None = None
    tco2e_year_high: float | None = None
    training_kwh: float | None = None
    training_tco2e: float | None = None
    how: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class EnergyInputs:
    """The figures greengate multiplied for a row's estimates, so another tool can redo them.

    The Impact Framework export (``reporters/audit/impact_audit.py``) gives
    them to ``if-run`` as observations and coefficients. ``None``: that
    estimate was not made. ``how`` holds, per field name, where the figure
    came from (``catalog``, ``declared``, an assumption and its source).
    """

    accelerator_watts: float | None = None
    """W per accelerator of the yearly (inference) estimate."""
    host_watts: float | None = None
    """W of the host (CPUs, memory) per accelerator, when the yearly estimate counts it."""
    hours_per_year: float | None = None
    pue: float | None = None
    """The PUE the estimates used: 1 when none is known, which ``how`` then says."""
    training_watts: float | None = None
    """Average W per accelerator of the training estimate."""
    accelerator_hours: float | None = None
    how: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Alternative:
    """A greener choice for one deployment, with what it would save per year.

    ``kind`` is ``region``, ``accelerator`` or ``model``; ``value`` the
    alternative's id (``eu-north-1``, ``nvidia-h100``, a model name);
    ``tco2e_year`` the deployment's high yearly estimate after the change.
    """

    kind: str
    value: str
    summary: str
    """One line for a table: ``move to aws eu-north-1 (36 gCO2e/kWh)``."""
    tco2e_year: float
    saving_tco2e_year: float
    saving_percent: float
    detail: str
    """How the saving was computed, with the catalog figures it used."""


@dataclass(frozen=True)
class AuditRow:
    """One deployment, as the inventory lists it."""

    repository: str
    file: str
    """Relative to the repository."""
    line: int
    format: str
    kind: str
    name: str
    owner: str = ""
    owner_source: str = ""
    """Where the owner was read: ``metadata.owner``, ``label team``, ``CODEOWNERS:3``."""
    workload: str = ""
    task: str = ""
    model: str = ""
    parameters: int | None = None
    provider: str = ""
    region: str = ""
    grid_intensity: float | None = None
    """gCO2e/kWh used by the estimates."""
    accelerator: str = ""
    count: float | None = None
    """Accelerators per replica (a fraction for fractional GPUs)."""
    replicas_min: int | None = None
    replicas_max: int | None = None
    instance_type: str = ""
    failing: tuple[str, ...] = ()
    """Ids of the rules the deployment fails (status fail, not waived or existing), sorted."""
    estimate: Estimate = field(default_factory=Estimate)
    inputs: EnergyInputs = field(default_factory=EnergyInputs)
    """What ``estimate`` was computed from."""
    alternatives: tuple[Alternative, ...] = ()
    """Greener choices, largest saving first."""

    @property
    def sort_key(self) -> tuple[str, str, int, str]:
        return (self.repository, self.file, self.line, self.name)

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class AuditError:
    """A manifest greengate could not read, or a rule it could not evaluate."""

    repository: str
    file: str
    line: int
    rule_id: str
    message: str

    @property
    def sort_key(self) -> tuple[str, str, int, str]:
        return (self.repository, self.file, self.line, self.rule_id)


@dataclass(frozen=True)
class RuleTally:
    """How one rule fared over every deployment of the audit."""

    rule_id: str
    policy: str
    title: str
    severity: str
    passed: int = 0
    failed: int = 0
    """Failing deployments (including waived and baseline ones: the audit is an inventory)."""
    skipped: int = 0
    errors: int = 0

    @property
    def pass_rate(self) -> float | None:
        judged = self.passed + self.failed
        return None if judged == 0 else self.passed / judged


@dataclass(frozen=True)
class Total:
    """A group of rows (one owner, one region...) summed.

    ``tco2e_year_*`` sum only the rows with a figure; ``unestimated`` counts
    the rows without one, so a total never hides what it could not count.
    ``share`` is this group's part of the audit's high yearly tCO2e (0..1).
    """

    key: str
    deployments: int = 0
    accelerators: float = 0.0
    """Accelerators at the maximum replica count."""
    kwh_year_low: float = 0.0
    kwh_year_high: float = 0.0
    tco2e_year_low: float = 0.0
    tco2e_year_high: float = 0.0
    training_kwh: float = 0.0
    training_tco2e: float = 0.0
    unestimated: int = 0
    share: float = 0.0


@dataclass(frozen=True)
class Saving:
    """One entry of the ranked "top savings" list."""

    repository: str
    file: str
    line: int
    name: str
    alternative: Alternative


@dataclass(frozen=True)
class OwnerBudget:
    """One owner's yearly emissions against the budget its config sets (``carbon-budget``).

    ``tco2e_year_high`` sums the owner's deployments at ``replicas.max``;
    ``unestimated`` counts its deployments without a figure, which the sum
    cannot include (so an owner is never under budget by omission unseen).
    """

    owner: str
    budget: float
    tco2e_year_high: float
    unestimated: int = 0

    @property
    def over(self) -> bool:
        return self.tco2e_year_high > self.budget


@dataclass(frozen=True)
class HistoryPoint:
    """The audit's totals at one sampled date."""

    date: str
    """ISO date the commits were sampled at."""
    commits: Mapping[str, str] = field(default_factory=dict)
    """Repository -> the commit read (absent: the repository had no commit yet)."""
    total: Total = field(default_factory=lambda: Total(key="all"))
    drivers: tuple[tuple[str, float], ...] = ()
    """Deployments (``repo:file:name``) whose high tCO2e/year changed most since the last point."""


@dataclass(frozen=True)
class Repository:
    """One audited repository or folder."""

    name: str
    path: str
    ref: str | None = None
    commit: str | None = None
    owner_budgets: Mapping[str, float] = field(default_factory=dict)
    """Its config's ``ownerBudgets`` (carbon-budget): owner -> tCO2e/year."""


@dataclass(frozen=True)
class AuditReport:
    repositories: tuple[Repository, ...] = ()
    rows: tuple[AuditRow, ...] = ()
    errors: tuple[AuditError, ...] = ()
    rules: tuple[RuleTally, ...] = ()
    overall: Total = field(default_factory=lambda: Total(key="all"))
    totals: Mapping[str, tuple[Total, ...]] = field(default_factory=dict)
    """Dimension (``DIMENSIONS``) -> its groups, largest high tCO2e/year first."""
    top_savings: tuple[Saving, ...] = ()
    budgets: tuple[OwnerBudget, ...] = ()
    """Owners with a yearly budget (``carbon-budget`` param ``ownerBudgets``), most over first."""
    history: tuple[HistoryPoint, ...] = ()
    notes: tuple[str, ...] = ()
    shard: str | None = None
    """``K/N`` when this is one shard of a sharded audit."""
    tool_version: str = __version__


def to_dict(report: AuditReport) -> dict[str, Any]:
    """The versioned JSON form (``docs/audit-json.md``)."""
    return {"format": AUDIT_FORMAT, **_plain(report)}


def from_dict(data: Mapping[str, Any]) -> AuditReport:
    """The report :func:`to_dict` wrote. Raises ValueError on any other shape."""
    if not isinstance(data, Mapping) or data.get("format") != AUDIT_FORMAT:
        raise ValueError(f"not a greengate audit report (expected format {AUDIT_FORMAT!r})")
    body = {k: v for k, v in data.items() if k != "format"}
    try:
        report = _build(AuditReport, body)
    except (TypeError, KeyError, AttributeError) as exc:
        raise ValueError(f"malformed greengate audit report: {exc}") from None
    assert isinstance(report, AuditReport)
    return report


def _plain(value: Any) -> Any:
    if hasattr(value, "__dataclass_fields__"):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def _build(cls: type, data: Mapping[str, Any]) -> Any:
    if not isinstance(data, Mapping):
        raise TypeError(f"{cls.__name__} must be an object")
    kwargs: dict[str, Any] = {}
    for f in fields(cls):
        if f.name not in data:
            continue
        kwargs[f.name] = _value(cls, f.name, data[f.name])
    unknown = set(data) - {f.name for f in fields(cls)}
    if unknown:
        raise KeyError(f"unknown keys in {cls.__name__}: {', '.join(sorted(unknown))}")
    return cls(**kwargs)


def _value(cls: type, name: str, raw: Any) -> Any:
    kind = _SHAPES.get((cls, name))
    if kind is None:
        return raw
    shape, inner = kind
    if shape == "one":
        return _build(inner, raw)
    if shape == "many":
        if not isinstance(raw, list):
            raise TypeError(f"{cls.__name__}.{name} must be a list")
        if inner is str:
            return tuple(str(v) for v in raw)
        if inner is tuple:
            return tuple((str(k), float(v)) for k, v in raw)
        return tuple(_build(inner, v) for v in raw)
    if shape == "groups":  # dimension -> list of totals
        if not isinstance(raw, Mapping):
            raise TypeError(f"{cls.__name__}.{name} must be an object")
        return {str(k): tuple(_build(Total, v) for v in vs) for k, vs in raw.items()}
    return dict(raw)  # "map"


_SHAPES: dict[tuple[type, str], tuple[str, type]] = {
    (Estimate, "how"): ("map", dict),
    (AuditRow, "failing"): ("many", str),
    (AuditRow, "estimate"): ("one", Estimate),
    (AuditRow, "inputs"): ("one", EnergyInputs),
    (EnergyInputs, "how"): ("map", dict),
    (AuditRow, "alternatives"): ("many", Alternative),
    (Saving, "alternative"): ("one", Alternative),
    (HistoryPoint, "commits"): ("map", dict),
    (HistoryPoint, "total"): ("one", Total),
    (HistoryPoint, "drivers"): ("many", tuple),
    (AuditReport, "repositories"): ("many", Repository),
    (Repository, "owner_budgets"): ("map", dict),
    (AuditReport, "rows"): ("many", AuditRow),
    (AuditReport, "errors"): ("many", AuditError),
    (AuditReport, "rules"): ("many", RuleTally),
    (AuditReport, "overall"): ("one", Total),
    (AuditReport, "totals"): ("groups", Total),
    (AuditReport, "top_savings"): ("many", Saving),
    (AuditReport, "budgets"): ("many", OwnerBudget),
    (AuditReport, "history"): ("many", HistoryPoint),
    (AuditReport, "notes"): ("many", str),
}


def sorted_rows(rows: Sequence[AuditRow]) -> tuple[AuditRow, ...]:
    return tuple(sorted(rows, key=lambda r: r.sort_key))
