"""The conditions the operational store holds (docs/alerts.md): sources failing or late, and
report schedules or jobs that failed. They need no build: their subjects are a source, a
schedule or a job, seen by the people of the units they serve."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ioc.alerts.condition import Condition
from ioc.alerts.conditions_found import Found, instant_text, sentences
from ioc.alerts.rules import RuleSpec
from ioc.domain.units import is_code
from ioc.store.models import (
    Job,
    JobStatus,
    ReportRun,
    ReportSchedule,
    RunStatus,
    Source,
    User,
)
from ioc.store.pulls import state_of

#: the kinds of job whose failure a ``run_failed`` rule reports
WATCHED_JOBS = ("ingest", "pull", "review_publish")


def source_found(session: Session, rule: RuleSpec, now: datetime, zone: str) -> list[Found]:
    """``source_stale``: each enabled source whose last ``threshold`` pulls all failed
    (value: the failures in a row), or whose last successful pull (its creation, if it never
    had one) is older than its ``late_after_hours`` (value: the hours since)."""
    sources = list(
        session.scalars(select(Source).where(Source.enabled.is_(True)).order_by(Source.name))
    )
    failing_after = max(1, int(rule.limit))
    states = state_of(session, sources, now, failing_after)
    found = []
    for source in sources:
        state = states[source.name]
        since = state.last_success_at or source.created_at
        hours = (now - since).total_seconds() / 3600
        if state.consecutive_failures >= failing_after:
            value, threshold = float(state.consecutive_failures), float(failing_after)
            detail = sentences(
                "source_failing", {"source": source.name, "failures": value}
            )
        elif hours > source.late_after_hours:
            value, threshold = round(hours, 1), float(source.late_after_hours)
            detail = sentences(
                "source_late",
                {"source": source.name, "since": instant_text(since, zone), "hours": threshold},
            )
        else:
            continue
        figures = {
            "consecutive_failures": state.consecutive_failures,
            "last_success_at": state.last_success_at.isoformat() if state.last_success_at else None,
            "late_after_hours": source.late_after_hours,
        }
        places = tuple((unit["scheme"], unit["code"]) for unit in source.units)
        condition = Condition(
            rule_key=rule.key,
            subject_kind="source",
            subject_code=source.name,
            subject_name=source.name,
            **_one_unit(places),
            value=value,
            threshold=threshold,
            detail={**detail, "figures": figures},
        )
        found.append(Found(condition, places=places))
    return found


def run_found(session: Session, rule: RuleSpec, now: datetime, zone: str) -> list[Found]:
    """``run_failed``: the enabled report schedules whose latest run failed, and the jobs of
    :data:`WATCHED_JOBS` that failed within the last ``threshold`` hours (their units: the
    scopes of the account that started them; none for an unscoped one)."""
    return _schedules(session, rule, zone) + _jobs(session, rule, now, zone)


def _schedules(session: Session, rule: RuleSpec, zone: str) -> list[Found]:
    latest = (
        select(func.max(ReportRun.id).label("id"))
        .where(ReportRun.status != RunStatus.RUNNING)
        .group_by(ReportRun.schedule_id)
        .subquery()
    )
    rows = session.execute(
        select(ReportRun, ReportSchedule)
        .join(latest, latest.c.id == ReportRun.id)
        .join(ReportSchedule, ReportSchedule.id == ReportRun.schedule_id)
        .where(ReportRun.status == RunStatus.FAILED, ReportSchedule.enabled.is_(True))
        .order_by(ReportSchedule.id)
    ).all()
    found = []
    for run, schedule in rows:
        at = run.finished_at or run.started_at
        places = tuple((schedule.scheme, c) for c in schedule.unit_codes if is_code(c))
        condition = Condition(
            rule_key=rule.key,
            subject_kind="schedule",
            subject_code=str(schedule.id),
            subject_name=schedule.name,
            **_one_unit(places),
            threshold=rule.limit,
            detail={
                **sentences("schedule_failed", {"name": schedule.name, "at": instant_text(at, zone)}),
                "figures": {"run_id": run.id, "failed_at": at.isoformat(), "error": run.error},
            },
        )
        found.append(Found(condition, places=places))
    return found


def _jobs(session: Session, rule: RuleSpec, now: datetime, zone: str) -> list[Found]:
    since = now - timedelta(hours=rule.limit)
    jobs = session.scalars(
        select(Job)
        .where(
            Job.kind.in_(WATCHED_JOBS),
            Job.status == JobStatus.FAILED,
            Job.finished_at >= since,
        )
        .order_by(Job.id)
    ).all()
    names = {job.started_by for job in jobs}
    users = session.scalars(select(User).where(User.username.in_(names))).all()
    scopes = {user.username: tuple(user.units) for user in users}
    found = []
    for job in jobs:
        at = job.finished_at or job.created_at
        places = scopes.get(job.started_by, ())
        values = {
            "kind": job.kind,
            "job": job.id,
            "user": job.started_by,
            "at": instant_text(at, zone),
        }
        condition = Condition(
            rule_key=rule.key,
            subject_kind="job",
            subject_code=str(job.id),
            subject_name=f"{job.kind} #{job.id}",
            **_one_unit(places),
            threshold=rule.limit,
            detail={
                **sentences("job_failed", values),
                "figures": {"kind": job.kind, "failed_at": at.isoformat(), "problem": job.problem},
            },
        )
        found.append(Found(condition, places=places))
    return found


def _one_unit(places: tuple[tuple[str, str], ...]) -> dict[str, str | None]:
    """The unit a subject is about when it serves exactly one."""
    if len(places) == 1:
        return {"scheme": places[0][0], "unit_code": places[0][1]}
    return {"scheme": None, "unit_code": None}
