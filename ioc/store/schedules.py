"""Report schedules and their run history. Changes are audited and committed.

Values are checked by the caller (``ioc.reports.spec``); the store keeps them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ioc.store.audit import Action, record
from ioc.store.models import ReportRun, ReportSchedule, RunStatus
from ioc.store.types import utcnow

#: the fields a schedule is made of (what create and update take)
FIELDS = (
    "name",
    "cron",
    "kind",
    "scheme",
    "unit_codes",
    "period",
    "formats",
    "folder",
    "email_to",
    "enabled",
)


def _detail(schedule: ReportSchedule) -> dict[str, Any]:
    return {"schedule_id": schedule.id, **{f: getattr(schedule, f) for f in FIELDS}}


def create_schedule(
    session: Session,
    values: Mapping[str, Any],
    *,
    owner: str,
    actor: str | None = None,
    ip: str | None = None,
) -> ReportSchedule:
    now = utcnow()
    schedule = ReportSchedule(
        **{f: values[f] for f in FIELDS}, owner=owner, created_at=now, updated_at=now
    )
    session.add(schedule)
    session.flush()
    record(session, Action.SCHEDULE_CREATED, actor, _detail(schedule), ip)
    session.commit()
    return schedule


def update_schedule(
    session: Session,
    schedule: ReportSchedule,
    values: Mapping[str, Any],
    *,
    actor: str | None = None,
    ip: str | None = None,
) -> ReportSchedule:
    for name in FIELDS:
        setattr(schedule, name, values[name])
    schedule.updated_at = utcnow()
    record(session, Action.SCHEDULE_CHANGED, actor, _detail(schedule), ip)
    session.commit()
    return schedule


def delete_schedule(
    session: Session, schedule: ReportSchedule, *, actor: str | None = None, ip: str | None = None
) -> None:
    record(session, Action.SCHEDULE_DELETED, actor, _detail(schedule), ip)
    session.delete(schedule)
    session.commit()


def get_schedule(session: Session, schedule_id: int) -> ReportSchedule | None:
    return session.get(ReportSchedule, schedule_id)


def count_schedules(session: Session, owner: str) -> int:
    """How many schedules ``owner`` has."""
    query = select(func.count()).select_from(ReportSchedule).where(ReportSchedule.owner == owner)
    return session.scalar(query) or 0


def list_schedules(session: Session, *, enabled_only: bool = False) -> list[ReportSchedule]:
    query = select(ReportSchedule).order_by(ReportSchedule.id)
    if enabled_only:
        query = query.where(ReportSchedule.enabled.is_(True))
    return list(session.scalars(query))


def mark_due_done(session: Session, schedule_id: int, due_at: datetime) -> None:
    """The scheduled run due at ``due_at`` is over (succeeded or failed for good)."""
    session.execute(
        update(ReportSchedule)
        .where(ReportSchedule.id == schedule_id)
        .where((ReportSchedule.last_due_at.is_(None)) | (ReportSchedule.last_due_at < due_at))
        .values(last_due_at=due_at)
    )
    session.commit()


# --------------------------------------------------------------------------- runs


def start_run(
    session: Session,
    schedule_id: int,
    *,
    trigger: str,
    attempt: int = 1,
    due_at: datetime | None = None,
) -> ReportRun:
    run = ReportRun(
        schedule_id=schedule_id,
        trigger=trigger,
        attempt=attempt,
        due_at=due_at,
        status=RunStatus.RUNNING,
        started_at=utcnow(),
        files=[],
        delivered=[],
    )
    session.add(run)
    session.commit()
    return run


def finish_run(
    session: Session,
    run_id: int,
    *,
    status: str,
    period: str | None,
    files: list[str],
    delivered: list[str],
    error: str | None,
) -> ReportRun | None:
    """Record how a run ended; None when the run is gone (its schedule was deleted)."""
    run = session.get(ReportRun, run_id)
    if run is None:
        return None
    run.status = RunStatus(status)
    run.finished_at = utcnow()
    run.duration_s = (run.finished_at - run.started_at).total_seconds()
    run.period, run.files, run.delivered, run.error = period, files, delivered, error
    session.commit()
    return run


def close_interrupted_runs(session: Session, *, started_before: datetime | None = None) -> int:
    """Runs left 'running' by a process that stopped are failed: all of them, or those
    started before ``started_before`` (when the oldest process still running started: a
    run started since may be one of theirs)."""
    now = utcnow()
    running = ReportRun.status == RunStatus.RUNNING
    if started_before is not None:
        running = running & (ReportRun.started_at < started_before)
    result = session.execute(
        update(ReportRun)
        .where(running)
        .values(status=RunStatus.FAILED, finished_at=now, error="interrupted by a restart")
    )
    session.commit()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]  # DML returns a CursorResult


def running_run(session: Session, schedule_id: int) -> ReportRun | None:
    """A run of the schedule that has not finished, if any."""
    query = (
        select(ReportRun)
        .where(ReportRun.schedule_id == schedule_id, ReportRun.status == RunStatus.RUNNING)
        .limit(1)
    )
    return session.scalars(query).first()


def get_run(session: Session, schedule_id: int, run_id: int) -> ReportRun | None:
    run = session.get(ReportRun, run_id)
    return run if run is not None and run.schedule_id == schedule_id else None


def list_runs(
    session: Session, schedule_id: int, limit: int = 50, offset: int = 0
) -> list[ReportRun]:
    """Runs of a schedule, newest first."""
    query = (
        select(ReportRun)
        .where(ReportRun.schedule_id == schedule_id)
        .order_by(ReportRun.started_at.desc(), ReportRun.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(session.scalars(query))


def count_runs(session: Session, schedule_id: int) -> int:
    query = select(func.count()).select_from(ReportRun).where(ReportRun.schedule_id == schedule_id)
    return session.scalar(query) or 0
