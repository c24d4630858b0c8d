"""One evaluation on a real store (ioc.alerts.evaluate, ioc.alerts.apply): a sequence of
builds written in bulk with the units, events and evaluation records, a restart between
builds that loses nothing, a build evaluated once, two evaluations at once that never double
an alert, and a failing evaluation recorded with its error. SQLite, and PostgreSQL when
``IOC_TEST_POSTGRES_URL`` is set.

The conditions are built here and given to :func:`ioc.alerts.evaluate.reconcile`; finding
them in a build is ``ioc.alerts.conditions``'s test."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ioc import store
from ioc.alerts.condition import Condition
from ioc.alerts.evaluate import ALL_KINDS, Outcome, evaluate, reconcile
from ioc.alerts.rules import TIME_KINDS, RuleSpec
from ioc.config import Settings
from ioc.store.alert_models import Alert, AlertEvaluation, AlertEvent, AlertRule, AlertSilence
from tests.integration.test_store import BACKENDS, database_url

T0 = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
NORM = RuleSpec(key="norm", kind="indicator_norm", vi="n", en="n", escalate_after_hours=24)
SLOW = RuleSpec(key="slow", kind="indicator_norm", vi="s", en="s", hold_builds=2)
STALE = RuleSpec(key="stale", kind="source_stale", vi="s", en="s")
RULES = [NORM, SLOW, STALE]


@pytest.fixture(params=BACKENDS)
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    with database_url(request.param, tmp_path) as url:
        made = Settings(data_dir=tmp_path / "data", database_url=url)
        engine = store.make_engine(made)
        store.migrate(engine)
        engine.dispose()
        yield made


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    made = store.make_engine(settings)
    yield made
    made.dispose()


def cond(rule_key: str, code: str, **fields: Any) -> Condition:
    base: dict[str, Any] = {
        "rule_key": rule_key,
        "subject_kind": "unit",
        "subject_code": f"2025:{code}",
        "subject_name": f"Xã {code}",
        "item": "NET_CLASS_SIZE",
        "scheme": "2025",
        "unit_code": code,
        "units": (("2025", "92"), ("legacy", "92"), ("legacy", "925")),
        "school_year": "2024-2025",
        "term": "CN",
        "value": 41.0,
        "threshold": 0.1,
        "detail": {"vi": "Sĩ số vượt chuẩn", "en": "Class size over the norm"},
    }
    return Condition(**(base | fields))


def run(
    session: Session,
    found: list[Condition],
    now: datetime,
    build: str | None,
    trigger: Any = "build",
    kinds: frozenset[str] = ALL_KINDS,
) -> Outcome:
    return reconcile(
        session, trigger=trigger, build_id=build, rules=RULES, found=found, kinds=kinds, now=now
    )


def states(session: Session) -> dict[str, list[str]]:
    """By key, the states of its alerts, oldest first."""
    rows = session.execute(select(Alert.key, Alert.state).order_by(Alert.id)).all()
    session.rollback()
    found: dict[str, list[str]] = {}
    for key, state in rows:
        found.setdefault(key, []).append(state)
    return found


def events(session: Session) -> list[tuple[int, str, str]]:
    rows = session.execute(
        select(AlertEvent.alert_id, AlertEvent.action, AlertEvent.actor).order_by(AlertEvent.id)
    ).all()
    session.rollback()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def test_a_sequence_of_builds_with_a_restart_between_each(
    engine: Engine, settings: Settings
) -> None:
    a, b = cond("norm", "31120"), cond("norm", "31123")
    slow = cond("slow", "31120")
    with store.open_session(engine) as session:
        first = run(session, [a, b, slow], T0, "b1")
        assert (first.conditions, first.opened, first.recovered, first.rules) == (3, 2, 0, 3)
        assert len(first.event_ids) == 2
        assert states(session) == {a.key: ["open"], b.key: ["open"], slow.key: ["pending"]}
        stored = session.scalars(select(Alert).where(Alert.key == a.key)).one()
        assert (stored.severity, stored.kind, stored.unit_code, stored.detail) == (
            "warning",
            "indicator_norm",
            "31120",
            a.detail,
        )
        assert stored.opened_at == T0 and stored.last_build_id == "b1"
        units = session.execute(
            text("SELECT scheme, unit_code FROM alert_units WHERE alert_id = :id ORDER BY 1, 2"),
            {"id": stored.id},
        ).all()
        assert [tuple(u) for u in units] == [
            ("2025", "31120"),
            ("2025", "92"),
            ("legacy", "92"),
            ("legacy", "925"),
        ]
    engine.dispose()  # a restart: a new engine, new sessions
    engine = store.make_engine(settings)
    with store.open_session(engine) as session:
        second = run(
            session, [cond("norm", "31120", value=45.0), slow], T0 + timedelta(hours=10), "b2"
        )
        assert (second.opened, second.recovered) == (1, 1)  # slow opens, b recovers
        assert states(session) == {a.key: ["open"], b.key: ["recovered"], slow.key: ["open"]}
        held = session.scalars(select(Alert).where(Alert.key == a.key)).one()
        assert (held.seen, held.value, held.last_build_id) == (2, 45.0, "b2")
        assert held.opened_at == T0
    engine.dispose()
    engine = store.make_engine(settings)
    with store.open_session(engine) as session:
        third = run(session, [b], T0 + timedelta(hours=20), "b3")
        assert (third.opened, third.recovered) == (1, 2)
        assert states(session) == {
            a.key: ["recovered"],
            b.key: ["recovered", "open"],
            slow.key: ["recovered"],
        }
        # b1: a, b open; b2: slow opens, b recovers; b3: b opens again, a and slow recover
        assert [e[1:] for e in events(session)] == [
            *[("open", "system")] * 3,
            ("recover", "system"),
            ("open", "system"),
            *[("recover", "system")] * 2,
        ]
        recorded = session.execute(
            select(
                AlertEvaluation.trigger,
                AlertEvaluation.build_id,
                AlertEvaluation.conditions,
                AlertEvaluation.opened,
                AlertEvaluation.recovered,
            ).order_by(AlertEvaluation.id)
        ).all()
        assert [tuple(r) for r in recorded] == [
            ("build", "b1", 3, 2, 0),
            ("build", "b2", 2, 1, 1),
            ("build", "b3", 1, 1, 2),
        ]
    engine.dispose()


def test_event_ids_are_the_events_to_deliver(engine: Engine) -> None:
    with store.open_session(engine) as session:
        opened = run(session, [cond("norm", "31120")], T0, "b1")
        gone = run(session, [], T0 + timedelta(days=1), "b2")
        rows = session.execute(select(AlertEvent.id, AlertEvent.action)).all()
        assert dict(rows) == {
            opened.event_ids[0]: "open",
            gone.event_ids[0]: "recover",
        }


def test_a_build_is_evaluated_once(engine: Engine) -> None:
    with store.open_session(engine) as session:
        run(session, [cond("norm", "31120")], T0, "b1")
        again = run(session, [cond("norm", "31123")], T0 + timedelta(hours=1), "b1")
        assert again.skipped and again.evaluation_id is None and again.opened == 0
        assert list(states(session)) == [cond("norm", "31120").key]
        by_hand = run(session, [], T0 + timedelta(hours=2), "b1", trigger="manual")
        assert by_hand.recovered == 1  # a manual evaluation of the same build runs
        # evaluate() skips it before finding any condition
        skipped = evaluate(session, None, Settings(), trigger="build", build_id="b1")
        assert skipped.skipped
        assert session.scalar(select(func.count()).select_from(AlertEvaluation)) == 2


def test_a_pending_alert_dropped_leaves_nothing(engine: Engine) -> None:
    with store.open_session(engine) as session:
        run(session, [cond("slow", "31120")], T0, "b1")
        run(session, [], T0 + timedelta(days=1), "b2")
        for table in ("alerts", "alert_units", "alert_events"):
            assert session.scalar(text(f"SELECT count(*) FROM {table}")) == 0


def test_escalation_silence_and_reopen_after_resolve(engine: Engine) -> None:
    a, b = cond("norm", "31120"), cond("norm", "31123", units=(("2025", "01"),))
    with store.open_session(engine) as session:
        session.add(
            AlertSilence(
                rule_key="*",
                scheme="legacy",
                unit_code="925",
                reason="maintenance",
                starts_at=T0,
                ends_at=T0 + timedelta(days=3),
                created_by="admin",
            )
        )
        session.commit()
        run(session, [a, b], T0, "b1")
        silenced = dict(session.execute(select(Alert.key, Alert.silenced_until)).all())
        assert silenced == {a.key: T0 + timedelta(days=3), b.key: None}
        tick = run(session, [], T0 + timedelta(hours=25), "b1", trigger="clock", kinds=TIME_KINDS)
        assert (tick.escalated, tick.recovered) == (1, 0)  # b only: a is silenced
        assert [e[1] for e in events(session)][-1] == "escalate"
        tick = run(session, [], T0 + timedelta(days=4), "b1", trigger="clock", kinds=TIME_KINDS)
        assert tick.escalated == 1  # a: its silence ended
        row = session.execute(select(Alert.id, Alert.silenced_until).where(Alert.key == a.key))
        alert_id, until = row.one()
        assert until is None
        assert run(session, [], T0 + timedelta(days=5), "b1", "clock", TIME_KINDS).escalated == 0
        session.execute(
            update(Alert)
            .where(Alert.id == alert_id)
            .values(state="resolved", open_key=None, resolved_build_id="b1")
        )
        session.commit()
        same = run(session, [a, b], T0 + timedelta(days=5), "b1", trigger="manual")
        assert same.opened == 0 and states(session)[a.key] == ["resolved"]
        later = run(session, [a, b], T0 + timedelta(days=6), "b2")
        assert later.opened == 1
        reopened = session.execute(
            select(Alert.state, Alert.reopened_from).where(Alert.open_key == a.key)
        ).one()
        assert tuple(reopened) == ("open", alert_id)


def test_the_open_key_guards_against_a_double_alert(engine: Engine) -> None:
    with store.open_session(engine) as session:
        run(session, [cond("norm", "31120")], T0, "b1")
        session.execute(
            text("UPDATE alerts SET id = id")  # a no-op write to hold the transaction
        )
        row = session.scalars(select(Alert)).one()
        session.expunge(row)
        fields = {c.key: getattr(row, c.key) for c in Alert.__table__.columns if c.key != "id"}
        session.add(Alert(**fields))
        with pytest.raises(IntegrityError):
            session.flush()
        session.rollback()


def test_two_evaluations_at_once_never_double_an_alert(engine: Engine) -> None:
    found = [cond("norm", f"{31000 + n}") for n in range(300)]
    barrier = threading.Barrier(2)
    outcomes: list[Outcome] = []
    errors: list[BaseException] = []

    def one(build: str) -> None:
        try:
            with store.open_session(engine) as session:
                barrier.wait()
                outcomes.append(run(session, found, T0, build, trigger="manual"))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=one, args=(b,)) for b in ("b1", "b1")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(o.opened for o in outcomes) == [0, 300]
    with store.open_session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Alert)) == 300
        assert (
            session.scalar(select(func.max(Alert.seen))) == 1
        )  # one build, however many times it is evaluated
        assert session.scalar(select(func.count()).select_from(AlertEvent)) == 300


def test_a_failing_evaluation_is_recorded(engine: Engine) -> None:
    with store.open_session(engine) as session:
        session.add(  # a stored rule no longer valid: rules_in_force refuses it
            AlertRule(
                key="broken",
                kind="no_such_kind",
                vi="x",
                en="x",
                severity="warning",
                level="province",
                scheme="2025",
                created_by="admin",
            )
        )
        session.commit()
        with pytest.raises(ValueError, match="no_such_kind"):
            evaluate(session, None, Settings(), trigger="clock", build_id="b1", now=T0)
        failed = session.execute(select(AlertEvaluation.trigger, AlertEvaluation.error)).one()
        assert failed.trigger == "clock" and "no_such_kind" in failed.error
