"""One evaluation of the alert rules (docs/alerts.md, "Evaluation"): the rules in force, the
conditions they find now, their reconciliation with the stored alerts
(:func:`ioc.alerts.engine.plan`) written in one transaction (:mod:`ioc.alerts.apply`), and
its record in ``alert_evaluations``, also when it fails.

Evaluations queue on the store's write lock, so two at once never double an alert; a build
already evaluated (trigger ``build``) is not evaluated again.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal, get_args

import duckdb
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ioc.alerts import apply, conditions
from ioc.alerts.condition import Condition
from ioc.alerts.engine import plan
from ioc.alerts.rules import TIME_KINDS, Kind, RuleSpec, rules_in_force
from ioc.config import Settings
from ioc.store.alert_models import AlertEvaluation
from ioc.store.types import clock

Trigger = Literal["build", "clock", "manual"]
ALL_KINDS: frozenset[str] = frozenset(get_args(Kind))
#: how often a reconciliation that lost a race for an open key is tried again
ATTEMPTS = 3


@dataclass(frozen=True)
class Outcome:
    evaluation_id: int | None  # None: nothing recorded (a build already evaluated)
    rules: int = 0
    conditions: int = 0
    opened: int = 0
    recovered: int = 0
    escalated: int = 0
    duration_seconds: float = 0.0
    #: the open, escalate and recover events to deliver
    event_ids: list[int] = field(default_factory=list)
    skipped: bool = False  # the build had been evaluated already


def evaluated_kinds(trigger: Trigger, *, with_build: bool) -> frozenset[str]:
    """The kinds an evaluation looks at: a clock tick only the time-based ones; without a
    published build only those the store answers."""
    kinds = TIME_KINDS if trigger == "clock" else ALL_KINDS
    return kinds if with_build else kinds - conditions.BUILD_KINDS


def evaluate(
    session: Session,
    conn: duckdb.DuckDBPyConnection | None,
    settings: Settings,
    *,
    trigger: Trigger,
    build_id: str | None,
    now: datetime | None = None,
) -> Outcome:
    """Evaluate the rules in force on the published build ``conn`` (None: none published)
    and reconcile their conditions with the stored alerts; commits. On an error the
    evaluation is recorded with its error text and the error raised."""
    now = clock(now)
    started = time.perf_counter()
    if trigger == "build" and _evaluated(session, build_id):
        return Outcome(None, skipped=True)
    try:
        rules = rules_in_force(session)
        kinds = evaluated_kinds(trigger, with_build=conn is not None)
        enabled = [r for r in rules if r.enabled and r.kind in kinds]
        found = conditions.find(conn, session, settings, enabled, now)
        session.rollback()  # end the reads: the write lock is taken afresh
        return reconcile(
            session,
            trigger=trigger,
            build_id=build_id,
            rules=rules,
            found=found,
            kinds=kinds,
            now=now,
            started=started,
        )
    except Exception as exc:
        session.rollback()
        _record_failure(session, trigger, build_id, now, started, exc)
        raise


def reconcile(
    session: Session,
    *,
    trigger: Trigger,
    build_id: str | None,
    rules: Sequence[RuleSpec],
    found: Sequence[Condition],
    kinds: frozenset[str],
    now: datetime,
    started: float | None = None,
) -> Outcome:
    """Reconcile the conditions ``found`` for the ``kinds`` evaluated with the stored alerts
    and record the evaluation, as one transaction under the write lock; commits."""
    started = time.perf_counter() if started is None else started
    by_key = {r.key: r for r in rules}
    evaluated = sum(r.enabled and r.kind in kinds for r in rules)
    for attempt in range(ATTEMPTS):
        try:
            apply.begin_write(session)
            if trigger == "build" and _evaluated(session, build_id):
                session.rollback()
                return Outcome(None, skipped=True)
            silences = apply.silences_in_force(session, now)
            planned = plan(
                active=apply.active_alerts(session, with_units=bool(silences)),
                resolved=apply.resolved_keys(session),
                conditions=found,
                rules=by_key,
                kinds=kinds,
                silences=silences,
                now=now,
                build_id=build_id,
            )
            written = apply.write(session, planned, by_key, now=now, build_id=build_id)
            duration = time.perf_counter() - started
            evaluation_id = session.scalars(
                insert(AlertEvaluation).returning(AlertEvaluation.id),
                [
                    {
                        "trigger": trigger,
                        "build_id": build_id,
                        "started_at": now,
                        "finished_at": now + timedelta(seconds=duration),
                        "duration_seconds": duration,
                        "rules": evaluated,
                        "conditions": len(found),
                        "opened": written.opened,
                        "recovered": written.recovered,
                        "escalated": written.escalated,
                    }
                ],
            ).one()
            session.commit()
        except IntegrityError:
            session.rollback()
            if attempt == ATTEMPTS - 1:
                raise
            continue
        except BaseException:
            session.rollback()
            raise
        return Outcome(
            evaluation_id,
            rules=evaluated,
            conditions=len(found),
            opened=written.opened,
            recovered=written.recovered,
            escalated=written.escalated,
            duration_seconds=duration,
            event_ids=written.event_ids,
        )
    raise AssertionError("unreachable")


def _evaluated(session: Session, build_id: str | None) -> bool:
    if build_id is None:
        return False
    query = select(AlertEvaluation.id).where(
        AlertEvaluation.build_id == build_id,
        AlertEvaluation.trigger == "build",
        AlertEvaluation.error.is_(None),
    )
    return session.scalars(query.limit(1)).first() is not None


def _record_failure(
    session: Session,
    trigger: Trigger,
    build_id: str | None,
    now: datetime,
    started: float,
    exc: BaseException,
) -> None:
    duration = time.perf_counter() - started
    session.add(
        AlertEvaluation(
            trigger=trigger,
            build_id=build_id,
            started_at=now,
            finished_at=now + timedelta(seconds=duration),
            duration_seconds=duration,
            error=f"{type(exc).__name__}: {exc}"[:4000],
        )
    )
    session.commit()
