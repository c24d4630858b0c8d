"""The pure reconciliation (ioc.alerts.engine.plan) over sequences of builds and a simulated
clock, against hand-computed alert states (docs/alerts.md's table).

``World`` stands for the store: it keeps the alerts, applies each plan as
``ioc.alerts.apply.write`` does, and lets a person acknowledge or resolve; the integration
test ``tests/integration/test_alert_evaluate.py`` checks the real store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from ioc.alerts.condition import Condition
from ioc.alerts.engine import (
    GONE,
    RULE_DELETED,
    RULE_DISABLED,
    Active,
    Plan,
    Resolved,
    Silence,
    condition_units,
    plan,
)
from ioc.alerts.evaluate import ALL_KINDS
from ioc.alerts.rules import TIME_KINDS, RuleSpec

T0 = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
COMMUNE = ("2025", "31120")
PROVINCE = ("2025", "92")


def rule(key: str = "norm", **fields: Any) -> RuleSpec:
    base: dict[str, Any] = {"key": key, "kind": "indicator_norm", "vi": key, "en": key}
    return RuleSpec.model_validate(base | fields)


def cond(rule_key: str = "norm", code: str = "31120", **fields: Any) -> Condition:
    base: dict[str, Any] = {
        "rule_key": rule_key,
        "subject_kind": "unit",
        "subject_code": f"2025:{code}",
        "subject_name": f"Xã {code}",
        "item": "NET_CLASS_SIZE",
        "scheme": "2025",
        "unit_code": code,
        "units": (PROVINCE, ("legacy", "92")),
        "value": 41.0,
    }
    return Condition(**(base | fields))


@dataclass
class Row:
    id: int
    key: str
    rule_key: str
    kind: str
    state: str
    seen: int
    first_seen_at: datetime
    units: tuple[tuple[str, str], ...]
    opened_at: datetime | None = None
    acknowledged_at: datetime | None = None
    escalated_at: datetime | None = None
    silenced_until: datetime | None = None
    resolved_build_id: str | None = None
    reopened_from: int | None = None
    reason: str | None = None
    last_build_id: str | None = None


class World:
    """The alerts as a store would hold them, changed by each plan."""

    def __init__(self, *rules: RuleSpec) -> None:
        self.rules = {r.key: r for r in rules}
        self.rows: dict[int, Row] = {}
        self.events: list[tuple[int, str]] = []
        self.made = 0

    def run(
        self,
        found: list[Condition],
        now: datetime,
        build: str | None,
        kinds: frozenset[str] = ALL_KINDS,
        silences: tuple[Silence, ...] = (),
    ) -> Plan:
        active = [
            Active(
                r.id,
                r.key,
                r.rule_key,
                r.kind,
                r.state,
                r.seen,
                r.first_seen_at,
                r.opened_at,
                r.acknowledged_at,
                r.escalated_at,
                r.silenced_until,
                r.units,
                r.last_build_id,
            )
            for r in self.rows.values()
            if r.state in ("pending", "open", "acknowledged")
        ]
        last: dict[str, Row] = {}
        for r in self.rows.values():
            if r.state in ("resolved", "recovered"):
                last[r.key] = r
        resolved = {
            k: Resolved(r.id, r.resolved_build_id) for k, r in last.items() if r.state == "resolved"
        }
        done = plan(
            active=active,
            resolved=resolved,
            conditions=found,
            rules=self.rules,
            kinds=kinds,
            silences=list(silences),
            now=now,
            build_id=build,
        )
        for new in done.create:
            c = new.condition
            self.made += 1
            row = Row(
                self.made,
                c.key,
                c.rule_key,
                self.rules[c.rule_key].kind,
                new.state,
                1,
                now,
                condition_units(c),
                now if new.state == "open" else None,
                silenced_until=new.silenced_until,
                reopened_from=new.reopened_from,
                last_build_id=build,
            )
            self.rows[row.id] = row
            if new.state == "open":
                self.events.append((row.id, "open"))
        for h in done.hold:
            row = self.rows[h.alert.id]
            row.seen, row.silenced_until, row.last_build_id = h.seen, h.silenced_until, build
            if h.opens:
                row.state, row.opened_at = "open", now
                self.events.append((row.id, "open"))
        for gone in done.recover:
            self.rows[gone.alert.id].state = "recovered"
            self.rows[gone.alert.id].reason = gone.reason
            self.events.append((gone.alert.id, "recover"))
        for a in done.drop:
            del self.rows[a.id]
        for a in done.escalate:
            self.rows[a.id].escalated_at = now
            self.events.append((a.id, "escalate"))
        for a, until in done.silence:
            self.rows[a.id].silenced_until = until
        return done

    def state(self, key: str) -> str | None:
        """The state of the newest alert of ``key`` (None: none)."""
        rows = [r for r in self.rows.values() if r.key == key]
        return max(rows, key=lambda r: r.id).state if rows else None

    def only(self) -> Row:
        (row,) = [r for r in self.rows.values() if r.state in ("pending", "open", "acknowledged")]
        return row


KEY = cond().key


def test_open_hold_recover_reopen_over_builds() -> None:
    world = World(rule())
    done = world.run([cond()], T0, "b1")
    assert (len(done.create), done.opened) == (1, 1)
    assert world.state(KEY) == "open"
    done = world.run([cond(value=43.0)], T0 + timedelta(days=1), "b2")
    assert (done.opened, len(done.hold), world.only().seen) == (0, 1, 2)
    assert done.hold[0].condition.value == 43.0
    done = world.run([], T0 + timedelta(days=2), "b3")
    assert [r.reason for r in done.recover] == [GONE]
    assert world.state(KEY) == "recovered"
    world.run([cond()], T0 + timedelta(days=3), "b4")
    assert world.state(KEY) == "open"
    assert world.only().id == 2 and world.only().reopened_from is None  # a new alert
    assert world.events == [(1, "open"), (1, "recover"), (2, "open")]


def test_flapping_damped_by_hold_builds() -> None:
    world = World(rule(hold_builds=2))
    world.run([cond()], T0, "b1")
    assert world.state(KEY) == "pending"
    done = world.run([], T0 + timedelta(days=1), "b2")
    assert len(done.drop) == 1 and world.state(KEY) is None  # never an alert
    world.run([cond()], T0 + timedelta(days=2), "b3")
    assert world.state(KEY) == "pending"
    done = world.run([cond()], T0 + timedelta(days=3), "b4")
    assert (
        done.opened == 1
        and world.only().seen == 2
        and world.only().opened_at == T0 + timedelta(days=3)
    )
    assert world.events == [(2, "open")]


def test_the_same_build_evaluated_again_is_not_a_second_build() -> None:
    world = World(rule(hold_builds=2))
    world.run([cond()], T0, "b1")
    world.run([cond()], T0 + timedelta(minutes=5), "b1")  # by hand, same build
    assert world.state(KEY) == "pending" and world.only().seen == 1
    done = world.run([cond()], T0 + timedelta(hours=1), "b2")
    assert done.opened == 1 and world.only().seen == 2


def test_flapping_damped_by_hold_hours() -> None:
    world = World(rule(hold_hours=6))
    world.run([cond()], T0, "b1")
    world.run([cond()], T0 + timedelta(hours=3), "b2")
    assert (world.state(KEY), world.only().seen) == ("pending", 2)
    world.run([], T0 + timedelta(hours=5), "b3")
    assert world.state(KEY) is None
    world.run([cond()], T0 + timedelta(hours=6), "b4")  # held again from here
    world.run([cond()], T0 + timedelta(hours=11, minutes=59), "b5")
    assert world.state(KEY) == "pending"
    world.run([cond()], T0 + timedelta(hours=12), "b6")
    assert world.state(KEY) == "open"
    assert world.only().first_seen_at == T0 + timedelta(hours=6)


def test_hold_builds_and_hours_both_needed() -> None:
    world = World(rule(hold_builds=3, hold_hours=1))
    for n, minutes in enumerate((0, 10, 20), 1):
        world.run([cond()], T0 + timedelta(minutes=minutes), f"b{n}")
    assert world.state(KEY) == "pending"  # three builds, not yet an hour
    world.run([cond()], T0 + timedelta(hours=1), "b4")
    assert world.state(KEY) == "open"


def test_resolved_still_holding_reopens_only_on_a_later_build() -> None:
    world = World(rule())
    world.run([cond()], T0, "b1")
    row = world.only()
    row.state, row.resolved_build_id = "resolved", "b1"  # a person resolves it on b1
    done = world.run([cond()], T0 + timedelta(hours=1), "b1")  # manual, same build
    assert done.create == [] and world.state(KEY) == "resolved"
    done = world.run([cond()], T0 + timedelta(days=1), "b2")
    assert done.opened == 1
    new = world.only()
    assert (new.state, new.reopened_from, new.id) == ("open", 1, 2)


def test_resolved_reopens_at_once_despite_the_hold() -> None:
    world = World(rule(hold_builds=2))
    world.run([cond()], T0, "b1")
    world.run([cond()], T0 + timedelta(days=1), "b2")
    row = world.only()
    row.state, row.resolved_build_id = "resolved", "b2"
    world.run([cond()], T0 + timedelta(days=2), "b3")
    assert (world.only().state, world.only().reopened_from) == ("open", row.id)


def test_recovered_then_holding_is_a_new_alert_with_the_hold() -> None:
    world = World(rule(hold_builds=2))
    world.run([cond()], T0, "b1")
    world.run([cond()], T0 + timedelta(days=1), "b2")
    world.run([], T0 + timedelta(days=2), "b3")
    world.run([cond()], T0 + timedelta(days=3), "b4")
    assert world.state(KEY) == "pending"


def test_escalation_once_after_the_hours_from_opened() -> None:
    world = World(rule(escalate_after_hours=24))
    world.run([cond()], T0, "b1")
    done = world.run([cond()], T0 + timedelta(hours=23, minutes=59), "b1", TIME_KINDS)
    assert done.escalate == []
    done = world.run([], T0 + timedelta(hours=24), "b1", TIME_KINDS)  # a clock tick
    assert [a.id for a in done.escalate] == [1]
    assert world.only().escalated_at == T0 + timedelta(hours=24)
    for hours in (25, 48, 100):
        assert world.run([cond()], T0 + timedelta(hours=hours), f"b{hours}").escalate == []
    assert [e for e in world.events if e[1] == "escalate"] == [(1, "escalate")]


def test_escalation_counts_from_the_acknowledgement() -> None:
    world = World(rule(escalate_after_hours=24))
    world.run([cond()], T0, "b1")
    row = world.only()
    row.state, row.acknowledged_at = "acknowledged", T0 + timedelta(hours=20)
    assert world.run([cond()], T0 + timedelta(hours=30), "b2").escalate == []
    assert world.run([cond()], T0 + timedelta(hours=44), "b3").escalate != []
    assert world.only().state == "acknowledged"


def test_no_escalation_while_silenced_nor_without_hours() -> None:
    world = World(rule(escalate_after_hours=24), rule("quiet", kind="indicator_target"))
    silence = Silence("norm", *PROVINCE, T0 + timedelta(hours=30))
    world.run([cond(), cond("quiet")], T0, "b1", silences=(silence,))
    assert world.rows[1].silenced_until == silence.ends_at  # a unit that contains it
    assert world.rows[2].silenced_until is None  # another rule's
    assert world.run([cond()], T0 + timedelta(hours=25), "b2", silences=(silence,)).escalate == []
    done = world.run([cond(), cond("quiet")], T0 + timedelta(hours=30), "b3")
    assert [a.id for a in done.escalate] == [1]  # the silence ended; "quiet" never escalates
    assert world.rows[1].silenced_until is None


def test_a_star_silence_covers_every_rule_and_reaches_untouched_alerts() -> None:
    world = World(rule(escalate_after_hours=1))
    world.run([cond()], T0, "b1")
    silence = Silence("*", "legacy", "92", T0 + timedelta(days=7))
    done = world.run([], T0 + timedelta(hours=2), "b1", TIME_KINDS, silences=(silence,))
    assert done.escalate == [] and world.only().silenced_until == silence.ends_at
    done = world.run([], T0 + timedelta(days=8), "b1", TIME_KINDS)
    assert [a.id for a in done.escalate] == [1] and world.only().silenced_until is None


def test_a_clock_tick_leaves_indicator_alerts_alone() -> None:
    stale = rule("stale", kind="source_stale")
    world = World(rule(), stale)
    source = cond("stale", subject_kind="source", subject_code="vendor", item=None)
    world.run([cond(), source], T0, "b1")
    done = world.run([], T0 + timedelta(minutes=1), "b1", TIME_KINDS)
    assert [r.alert.key for r in done.recover] == [source.key]
    assert done.hold == [] and world.state(KEY) == "open"
    world.run([source], T0 + timedelta(minutes=2), "b1", TIME_KINDS)
    assert world.state(source.key) == "open"  # a new alert: the stale source came back


def test_time_kinds_count_clock_ticks_as_evaluations() -> None:
    world = World(rule("stale", kind="source_stale", hold_builds=3))
    source = cond("stale", subject_kind="source", subject_code="vendor", item=None)
    for minute in range(3):
        world.run([source], T0 + timedelta(minutes=minute), "b1", TIME_KINDS)
    assert world.state(source.key) == "open"


def test_disabled_and_deleted_rules_recover_their_alerts() -> None:
    world = World(rule("norm"), rule("gone"), rule("slow", hold_builds=5))
    world.run([cond("norm"), cond("gone"), cond("slow")], T0, "b1")
    world.rules["norm"] = world.rules["norm"].model_copy(update={"enabled": False})
    world.rules["slow"] = world.rules["slow"].model_copy(update={"enabled": False})
    del world.rules["gone"]
    done = world.run([cond("norm"), cond("gone"), cond("slow")], T0 + timedelta(days=1), "b2")
    assert {r.alert.rule_key: r.reason for r in done.recover} == {
        "norm": RULE_DISABLED,
        "gone": RULE_DELETED,
    }
    assert [a.rule_key for a in done.drop] == ["slow"] and done.create == []


def test_conditions_of_unknown_or_other_kinds_are_ignored_and_duplicates_merge() -> None:
    world = World(rule())
    done = world.run([cond(), cond(), cond("nobody")], T0, "b1")
    assert len(done.create) == 1
    done = World(rule()).run([cond()], T0, "b1", TIME_KINDS)
    assert done.create == []


def test_many_subjects_are_many_alerts() -> None:
    world = World(rule())
    world.run([cond(code=c) for c in ("31120", "31123", "31126")], T0, "b1")
    done = world.run([cond(code="31123")], T0 + timedelta(days=1), "b2")
    assert len(done.hold) == 1 and len(done.recover) == 2
