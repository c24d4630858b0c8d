"""Jobs in the store: queued, claimed by one runner, advanced, ended. Each function commits.

A job is claimed with a conditional update (``queued`` -> ``running``), so that runners of
several servers sharing the store never run one job twice. ``claimed_by`` names the instance
(:func:`ioc.store.instances.this_instance`) that submitted it, then the one running it: the
jobs of an instance that stopped are interrupted (:func:`ioc.store.instances.interrupt_orphans`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ioc.store.models import JOB_ENDED, Job, JobStatus
from ioc.store.types import utcnow


def add_job(
    session: Session,
    kind: str,
    started_by: str,
    request: dict[str, Any],
    claimed_by: str | None = None,
) -> Job:
    job = Job(
        kind=kind,
        started_by=started_by,
        request=request,
        status=JobStatus.QUEUED,
        claimed_by=claimed_by,
    )
    session.add(job)
    session.commit()
    return job


def get_job(session: Session, job_id: int) -> Job | None:
    return session.get(Job, job_id)


def list_jobs(
    session: Session, started_by: str | None, limit: int = 100, offset: int = 0
) -> list[Job]:
    """Jobs, newest first; only those ``started_by`` an account if it is given."""
    query = select(Job).order_by(Job.id.desc()).limit(limit).offset(offset)
    if started_by is not None:
        query = query.where(Job.started_by == started_by)
    return list(session.scalars(query))


def count_jobs(session: Session, started_by: str | None) -> int:
    query = select(func.count()).select_from(Job)
    if started_by is not None:
        query = query.where(Job.started_by == started_by)
    return session.scalar(query) or 0


def claim_next(
    session: Session, kinds: frozenset[str], claimed_by: str | None = None
) -> Job | None:
    """The oldest queued job of these kinds, now running; None when there is none."""
    while True:
        job_id = session.scalar(
            select(Job.id)
            .where(Job.status == JobStatus.QUEUED, Job.kind.in_(sorted(kinds)))
            .order_by(Job.id)
            .limit(1)
        )
        if job_id is None:
            return None
        if claim(session, job_id, claimed_by):
            return session.get(Job, job_id, populate_existing=True)


def claim(session: Session, job_id: int, claimed_by: str | None = None) -> bool:
    """Mark a queued job running (by ``claimed_by``); False if another runner has it already."""
    claimed = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == JobStatus.QUEUED)
        .values(status=JobStatus.RUNNING, started_at=utcnow(), claimed_by=claimed_by)
    )
    session.commit()
    return bool(claimed.rowcount)  # type: ignore[attr-defined]  # CursorResult's


def advance(session: Session, job_id: int, done: int, total: int, stage: str | None) -> None:
    session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == JobStatus.RUNNING)
        .values(done=done, total=total, stage=stage)
    )
    session.commit()


def finish(
    session: Session,
    job_id: int,
    status: JobStatus,
    *,
    result: dict[str, Any] | None = None,
    problem: dict[str, Any] | None = None,
) -> None:
    """End a job (succeeded with its result, failed with its problem)."""
    assert status in JOB_ENDED
    values: dict[str, Any] = {"status": status, "finished_at": utcnow(), "stage": None}
    if status == JobStatus.SUCCEEDED:
        values["done"] = Job.total
    session.execute(
        update(Job).where(Job.id == job_id).values(result=result, problem=problem, **values)
    )
    session.commit()


def unfinished_of(session: Session, kind: str) -> Job | None:
    """The oldest job of ``kind`` still queued or running (None when there is none)."""
    return session.scalar(
        select(Job)
        .where(Job.kind == kind, Job.status.in_([JobStatus.QUEUED, JobStatus.RUNNING]))
        .order_by(Job.id)
        .limit(1)
    )
