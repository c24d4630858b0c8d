"""The store side of one evaluation: the write lock, what :func:`ioc.alerts.engine.plan`
reads (active alerts, resolved keys, silences in force) and the writing of its plan.

Everything is written with bulk statements (one executemany per kind of change, RETURNING
for the ids of new alerts and events): a national build may give tens of thousands of
conditions. The caller holds the transaction (:func:`begin_write` first, commit after).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, func, insert, select, update
from sqlalchemy.orm import Session

from ioc.alerts.engine import Active, Create, Plan, Resolved, Silence, condition_units
from ioc.alerts.rules import RuleSpec
from ioc.store.alert_models import (
    Alert,
    AlertEvent,
    AlertSilence,
    AlertState,
    AlertUnit,
    EventAction,
)
from ioc.store.engine import write_lock

SYSTEM = "system"  # the actor of an evaluation's events
_CHUNK = 500
#: the tables written, as Core tables: executemany without the ORM's per-row work
_ALERTS = cast(Table, Alert.__table__)
_UNITS = cast(Table, AlertUnit.__table__)
_EVENTS = cast(Table, AlertEvent.__table__)
#: any constant: the PostgreSQL advisory lock that queues the evaluations
_PG_ALERTS_LOCK = 0x10C_ED2


def begin_write(session: Session) -> None:
    """Queue the evaluations before they read the alerts they reconcile (the unique
    ``open_key`` still guards against a double alert)."""
    write_lock(session, _PG_ALERTS_LOCK)


# -- reads ----------------------------------------------------------------------------------


def silences_in_force(session: Session, now: datetime) -> list[Silence]:
    query = select(
        AlertSilence.rule_key, AlertSilence.scheme, AlertSilence.unit_code, AlertSilence.ends_at
    ).where(
        AlertSilence.starts_at <= now, AlertSilence.ends_at > now, AlertSilence.ended_at.is_(None)
    )
    return [Silence(*row) for row in session.execute(query)]


def active_alerts(session: Session, *, with_units: bool) -> list[Active]:
    """The alerts holding an open key; their units only when asked (silences in force)."""
    units: dict[int, list[tuple[str, str]]] = defaultdict(list)
    if with_units:
        query = (
            select(AlertUnit.alert_id, AlertUnit.scheme, AlertUnit.unit_code)
            .join(Alert, Alert.id == AlertUnit.alert_id)
            .where(Alert.open_key.is_not(None))
        )
        for alert_id, scheme, code in session.execute(query):
            units[alert_id].append((scheme, code))
    alerts = select(
        Alert.id,
        Alert.key,
        Alert.rule_key,
        Alert.kind,
        Alert.state,
        Alert.seen,
        Alert.first_seen_at,
        Alert.opened_at,
        Alert.acknowledged_at,
        Alert.escalated_at,
        Alert.silenced_until,
        Alert.last_build_id,
    ).where(Alert.open_key.is_not(None))
    return [
        Active(**row._mapping, units=tuple(units.get(row.id, ())))
        for row in session.execute(alerts)
    ]


def resolved_keys(session: Session) -> dict[str, Resolved]:
    """By key, the last closed alert of each key when a person resolved it."""
    last = (
        select(func.max(Alert.id).label("id"))
        .where(Alert.open_key.is_(None))
        .group_by(Alert.key)
        .subquery()
    )
    query = (
        select(Alert.key, Alert.id, Alert.resolved_build_id)
        .join(last, last.c.id == Alert.id)
        .where(Alert.state == AlertState.RESOLVED)
    )
    return {key: Resolved(id_, build) for key, id_, build in session.execute(query)}


# -- writes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Written:
    event_ids: list[int]  # open, escalate and recover events, to deliver
    opened: int
    recovered: int
    escalated: int


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def _new_row(new: Create, rule: RuleSpec, now: datetime, build_id: str | None) -> dict[str, Any]:
    c = new.condition
    opened = new.state == AlertState.OPEN
    return {
        "key": c.key,
        "open_key": c.key,
        "rule_key": c.rule_key,
        "kind": rule.kind,
        "severity": rule.severity,
        "state": new.state,
        "subject_kind": c.subject_kind,
        "subject_code": c.subject_code,
        "subject_name": c.subject_name,
        "scheme": c.scheme,
        "unit_code": c.unit_code,
        "item": c.item,
        "school_year": c.school_year,
        "term": c.term,
        "value": c.value,
        "threshold": c.threshold,
        "detail": c.detail or None,
        "seen": 1,
        "first_seen_at": now,
        "last_seen_at": now,
        "last_build_id": build_id,
        "opened_at": now if opened else None,
        "silenced_until": new.silenced_until,
        "reopened_from": new.reopened_from,
    }


def _event(alert_id: int, action: EventAction, now: datetime, **detail: Any) -> dict[str, Any]:
    return {
        "alert_id": alert_id,
        "at": now,
        "actor": SYSTEM,
        "action": action,
        "comment": None,
        "detail": {k: v for k, v in detail.items() if v is not None} or None,
    }


def _insert_units(session: Session, rows: list[tuple[int, str, str]]) -> None:
    """The units of new alerts straight to the driver's executemany: plain integers and
    text need none of SQLAlchemy's per-row processing (a national build: ~30,000 rows)."""
    if not rows:
        return
    connection = session.connection()
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    connection.exec_driver_sql(
        f"INSERT INTO {_UNITS.name} (alert_id, scheme, unit_code) VALUES ({mark}, {mark}, {mark})",
        rows,
    )


def _update(session: Session, rows: list[dict[str, Any]]) -> None:
    """One executemany: each row's columns set on the alert ``_id``."""
    session.execute(update(_ALERTS).where(_ALERTS.c.id == bindparam("_id")), rows)


def write(
    session: Session,
    plan: Plan,
    rules: Mapping[str, RuleSpec],
    *,
    now: datetime,
    build_id: str | None,
) -> Written:
    """Write the plan in the caller's transaction (no commit)."""
    events: list[dict[str, Any]] = []
    if plan.create:
        rows = [_new_row(c, rules[c.condition.rule_key], now, build_id) for c in plan.create]
        # RETURNING in batches, in any order: each id is matched to its alert by open key
        returned = session.execute(
            insert(_ALERTS).returning(_ALERTS.c.open_key, _ALERTS.c.id), rows
        ).all()
        by_key: dict[str | None, int] = dict(returned)
        ids = [by_key[c.condition.key] for c in plan.create]
        _insert_units(
            session,
            [
                (alert_id, scheme, code)
                for alert_id, new in zip(ids, plan.create, strict=True)
                for scheme, code in condition_units(new.condition)
            ],
        )
        events += [
            _event(
                alert_id,
                EventAction.OPEN,
                now,
                build_id=build_id,
                value=new.condition.value,
                threshold=new.condition.threshold,
                reopened_from=new.reopened_from,
            )
            for alert_id, new in zip(ids, plan.create, strict=True)
            if new.state == AlertState.OPEN
        ]
    if plan.hold:
        _update(
            session,
            [
                {
                    "_id": h.alert.id,
                    "state": AlertState.OPEN if h.opens else h.alert.state,
                    "opened_at": now if h.opens else h.alert.opened_at,
                    "seen": h.seen,
                    "last_seen_at": now,
                    "last_build_id": build_id,
                    "subject_name": h.condition.subject_name,
                    "school_year": h.condition.school_year,
                    "term": h.condition.term,
                    "value": h.condition.value,
                    "threshold": h.condition.threshold,
                    "detail": h.condition.detail or None,
                    "silenced_until": h.silenced_until,
                }
                for h in plan.hold
            ],
        )
        events += [
            _event(
                h.alert.id,
                EventAction.OPEN,
                now,
                build_id=build_id,
                value=h.condition.value,
                threshold=h.condition.threshold,
            )
            for h in plan.hold
            if h.opens
        ]
    if plan.recover:
        _update(
            session,
            [
                {
                    "_id": r.alert.id,
                    "state": AlertState.RECOVERED,
                    "open_key": None,
                    "recovered_at": now,
                }
                for r in plan.recover
            ],
        )
        events += [
            _event(r.alert.id, EventAction.RECOVER, now, build_id=build_id, reason=r.reason)
            for r in plan.recover
        ]
    if plan.drop:
        for chunk in _chunks([a.id for a in plan.drop]):
            session.execute(delete(_UNITS).where(_UNITS.c.alert_id.in_(chunk)))
            session.execute(delete(_ALERTS).where(_ALERTS.c.id.in_(chunk)))
    if plan.escalate:
        _update(session, [{"_id": a.id, "escalated_at": now} for a in plan.escalate])
        events += [
            _event(
                a.id,
                EventAction.ESCALATE,
                now,
                since="acknowledged" if a.acknowledged_at else "opened",
                hours=rules[a.rule_key].escalate_after_hours,
            )
            for a in plan.escalate
        ]
    if plan.silence:
        _update(session, [{"_id": a.id, "silenced_until": until} for a, until in plan.silence])
    event_ids = (
        sorted(session.scalars(insert(_EVENTS).returning(_EVENTS.c.id), events).all())
        if events
        else []
    )
    return Written(event_ids, plan.opened, len(plan.recover), len(plan.escalate))
