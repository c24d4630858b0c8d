"""The reconciliation of one evaluation (docs/alerts.md, "Evaluation"): pure, no database.

Given the stored active alerts, the last closed alert of each key that a person resolved,
the conditions found now, the rules in force, the kinds evaluated this time and the silences
in force, :func:`plan` says what the evaluation does: alerts to create (pending or open),
alerts seen again (and pending ones that open), alerts that recover, pending ones dropped
(a damped flap), alerts that escalate, and alerts whose silence changed.
:mod:`ioc.alerts.apply` writes the plan.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ioc.alerts.condition import Condition
from ioc.alerts.rules import TIME_KINDS, RuleSpec
from ioc.store.alert_models import AlertState

#: why an alert recovered (an ``alert_events`` detail ``reason``)
GONE, RULE_DISABLED, RULE_DELETED = "condition_gone", "rule_disabled", "rule_deleted"


@dataclass(frozen=True)
class Active:
    """A stored alert that holds an open key (pending, open or acknowledged)."""

    id: int
    key: str
    rule_key: str
    kind: str
    state: str
    seen: int
    first_seen_at: datetime
    opened_at: datetime | None = None
    acknowledged_at: datetime | None = None
    escalated_at: datetime | None = None
    silenced_until: datetime | None = None
    units: tuple[tuple[str, str], ...] = ()  # (scheme, code) containing its subject
    last_build_id: str | None = None  # the build it was last seen on


@dataclass(frozen=True)
class Resolved:
    """The last closed alert of a key, closed by a person on ``build_id``."""

    id: int
    build_id: str | None


@dataclass(frozen=True)
class Silence:
    rule_key: str  # or '*'
    scheme: str
    unit_code: str
    ends_at: datetime


@dataclass(frozen=True)
class Create:
    condition: Condition
    state: str  # pending or open
    silenced_until: datetime | None
    reopened_from: int | None = None


@dataclass(frozen=True)
class Hold:
    """An active alert whose condition holds again; ``opens``: a pending one opens now."""

    alert: Active
    condition: Condition
    seen: int
    opens: bool
    silenced_until: datetime | None


@dataclass(frozen=True)
class Recover:
    alert: Active
    reason: str  # GONE, RULE_DISABLED or RULE_DELETED


@dataclass
class Plan:
    create: list[Create] = field(default_factory=list)
    hold: list[Hold] = field(default_factory=list)
    recover: list[Recover] = field(default_factory=list)
    drop: list[Active] = field(default_factory=list)  # pending, gone: deleted
    escalate: list[Active] = field(default_factory=list)
    #: alerts neither seen nor gone this time whose silence changed: (alert, silenced_until)
    silence: list[tuple[Active, datetime | None]] = field(default_factory=list)

    @property
    def opened(self) -> int:
        return sum(c.state == AlertState.OPEN for c in self.create) + sum(
            h.opens for h in self.hold
        )


class Silences:
    """The silences in force, looked up by unit."""

    def __init__(self, silences: Iterable[Silence]) -> None:
        self._by_unit: dict[tuple[str, str], list[Silence]] = defaultdict(list)
        for s in silences:
            self._by_unit[(s.scheme, s.unit_code)].append(s)

    def __bool__(self) -> bool:
        return bool(self._by_unit)

    def until(self, rule_key: str, units: Iterable[tuple[str, str]]) -> datetime | None:
        """The latest end of the silences of this rule (or ``*``) over any of ``units``."""
        if not self._by_unit:
            return None
        ends = [
            s.ends_at
            for unit in units
            for s in self._by_unit.get(unit, ())
            if s.rule_key in ("*", rule_key)
        ]
        return max(ends, default=None)


def condition_units(condition: Condition) -> tuple[tuple[str, str], ...]:
    """Every unit containing the condition's subject, its own unit included."""
    own = (
        ((condition.scheme, condition.unit_code),)
        if condition.scheme and condition.unit_code
        else ()
    )
    return tuple(dict.fromkeys((*condition.units, *own)))


def _hold_met(rule: RuleSpec, seen: int, first_seen_at: datetime, now: datetime) -> bool:
    return seen >= rule.hold_builds and now - first_seen_at >= timedelta(hours=rule.hold_hours)


def _escalates(
    alert: Active, rule: RuleSpec | None, silenced_until: datetime | None, now: datetime
) -> bool:
    if rule is None or rule.escalate_after_hours is None or alert.escalated_at is not None:
        return False
    if alert.state not in (AlertState.OPEN, AlertState.ACKNOWLEDGED):
        return False
    if silenced_until is not None and silenced_until > now:
        return False
    since = alert.acknowledged_at or alert.opened_at
    return since is not None and now - since >= timedelta(hours=rule.escalate_after_hours)


def plan(
    *,
    active: Sequence[Active],
    resolved: Mapping[str, Resolved],
    conditions: Sequence[Condition],
    rules: Mapping[str, RuleSpec],
    kinds: frozenset[str],
    silences: Sequence[Silence],
    now: datetime,
    build_id: str | None,
) -> Plan:
    """What one evaluation does (docs/alerts.md's table).

    ``rules``: every rule in force by key, enabled or not (a key missing: deleted);
    ``kinds``: the kinds evaluated this time (an active alert of another kind is neither
    seen nor gone); ``resolved``: by key, the last closed alert when a person resolved it;
    ``build_id``: the build evaluated (a resolved alert's condition reopens only on a
    later one)."""
    in_force = Silences(silences)
    found: dict[str, Condition] = {}
    for condition in conditions:
        rule = rules.get(condition.rule_key)
        if rule is not None and rule.enabled and rule.kind in kinds:
            found.setdefault(condition.key, condition)
    result = Plan()
    for alert in active:
        _reconcile(
            result,
            alert,
            rules.get(alert.rule_key),
            found.get(alert.key),
            kinds,
            in_force,
            now,
            build_id,
        )
    stored = {alert.key for alert in active}
    for key, condition in found.items():
        if key in stored:
            continue
        rule = rules[condition.rule_key]
        until = in_force.until(condition.rule_key, condition_units(condition))
        previous = resolved.get(key)
        if previous is not None:
            if previous.build_id == build_id:
                continue  # resolved on this build: it comes back only on a later one
            result.create.append(Create(condition, AlertState.OPEN, until, previous.id))
            continue
        state = AlertState.OPEN if _hold_met(rule, 1, now, now) else AlertState.PENDING
        result.create.append(Create(condition, state, until))
    return result


def _reconcile(
    result: Plan,
    alert: Active,
    rule: RuleSpec | None,
    condition: Condition | None,
    kinds: frozenset[str],
    in_force: Silences,
    now: datetime,
    build_id: str | None,
) -> None:
    """One stored active alert: held again, gone, left alone (a kind not evaluated), or
    closed because its rule was disabled or deleted; then whether it escalates. A build's
    condition counts towards ``hold_builds`` once per build (the same build evaluated
    again by hand is not a second build); a time-based one once per evaluation."""
    if rule is None or not rule.enabled:
        _close(result, alert, RULE_DELETED if rule is None else RULE_DISABLED)
        return
    if condition is None:
        if rule.kind in kinds:
            _close(result, alert, GONE)
            return
        until = in_force.until(alert.rule_key, alert.units)
        if until != alert.silenced_until:
            result.silence.append((alert, until))
    else:
        again = rule.kind not in TIME_KINDS and build_id is not None
        seen = alert.seen if again and alert.last_build_id == build_id else alert.seen + 1
        until = in_force.until(alert.rule_key, condition_units(condition))
        opens = alert.state == AlertState.PENDING and _hold_met(
            rule, seen, alert.first_seen_at, now
        )
        result.hold.append(Hold(alert, condition, seen, opens, until))
    if _escalates(alert, rule, until, now):
        result.escalate.append(alert)


def _close(result: Plan, alert: Active, reason: str) -> None:
    if alert.state == AlertState.PENDING:
        result.drop.append(alert)
    else:
        result.recover.append(Recover(alert, reason))
