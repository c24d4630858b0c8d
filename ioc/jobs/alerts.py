"""The ``alerts`` job (docs/alerts.md): the rules evaluated against the published snapshot
(opened read-only; none published: only the store's kinds are evaluated), the events made
enqueued to their recipients, and every delivery that is due sent. Submitted by
:mod:`ioc.jobs.alert_schedule` after a build and on the clock, run in the server's worker
thread (short work: no process of its own)."""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any, Literal

import duckdb

from ioc import db, store
from ioc.alerts.delivery import enqueue, send_due
from ioc.alerts.evaluate import evaluate
from ioc.config import Settings
from ioc.jobs.runner import Context
from ioc.reports.scheduler import published
from ioc.store.types import utcnow

Trigger = Literal["build", "clock", "manual"]


def request(trigger: Trigger, build_id: str | None) -> dict[str, Any]:
    """What the job needs: why it runs and the build that made it run (if any)."""
    return {"trigger": trigger, "build_id": build_id}


def run(context: Context) -> dict[str, Any]:
    """Answers :func:`evaluate_and_deliver`'s result for the job's request."""
    given = context.request
    return evaluate_and_deliver(context.settings, given["trigger"], given.get("build_id"))


def evaluate_and_deliver(
    settings: Settings, trigger: Trigger, build_id: str | None = None
) -> dict[str, Any]:
    """One evaluation and its deliveries (the job's work; ``ioc alerts evaluate`` runs it in
    the command). Answers ``{evaluation_id, trigger, build_id, opened, recovered, escalated,
    delivered, sent}``: the evaluation, the deliveries it made and what was sent (``sent``:
    the counts of :func:`ioc.alerts.delivery.send_due`)."""
    now = utcnow()
    engine = store.make_engine(settings)
    try:
        with ExitStack() as stack:
            session = stack.enter_context(store.open_session(engine))
            conn = _snapshot(stack, settings)
            build_id = _build_of(conn) or build_id
            outcome = evaluate(session, conn, settings, trigger=trigger, build_id=build_id, now=now)
            delivered = enqueue(session, outcome.event_ids, settings, now)
            sent = send_due(session, settings, now)
    finally:
        engine.dispose()
    return {
        "evaluation_id": outcome.evaluation_id,
        "trigger": trigger,
        "build_id": build_id,
        "opened": outcome.opened,
        "recovered": outcome.recovered,
        "escalated": outcome.escalated,
        "delivered": delivered,
        "sent": sent,
    }


def _snapshot(stack: ExitStack, settings: Settings) -> duckdb.DuckDBPyConnection | None:
    """The published snapshot, closed with the stack; None when nothing is published."""
    try:
        return stack.enter_context(published(settings))
    except db.NoData:
        return None


def _build_of(conn: duckdb.DuckDBPyConnection | None) -> str | None:
    """The build the snapshot holds (a newer one than the job was submitted for is the one
    evaluated)."""
    current = db.current_build(conn) if conn is not None else None
    return current[0] if current else None
