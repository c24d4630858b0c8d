"""The ledger of pulls (``source_pulls``): a row opened when a pull starts, finished from its
PullReport (docs/pulls.md), and what it says of each source's state. Each function commits.

A source's state (:func:`state_of`), from its finished pulls that were not dry runs:

- ``never``: none yet;
- ``failing``: its last ``failing_after`` pulls failed (``IOC_SOURCES_FAILING_AFTER``), or it
  never succeeded and its last pull failed;
- ``late``: no successful pull for ``late_after_hours`` (counted from its declaration when
  it never succeeded);
- ``ok`` otherwise.

A pull a server stop interrupted is neither a success nor a failure of its source."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ioc.store.models import Job, JobStatus, PullStatus, Source, SourcePull
from ioc.store.types import clock, utcnow

COUNTS = (
    "pages",
    "fetched",
    "inserted",
    "replaced",
    "unchanged",
    "rejected",
    "tombstones",
    "retries",
)


def start_pull(
    session: Session,
    source: str,
    *,
    job_id: int | None,
    trigger: str,
    started_by: str,
    full: bool,
    dry_run: bool,
    now: datetime | None = None,
) -> SourcePull:
    pull = SourcePull(
        source=source,
        job_id=job_id,
        trigger=trigger,
        started_by=started_by,
        mode="full" if full else "delta",
        dry_run=dry_run,
        status=PullStatus.RUNNING,
        started_at=clock(now),
        watermarks={},
        reject_reasons={},
        run_ids=[],
        **dict.fromkeys(COUNTS, 0),
    )
    session.add(pull)
    session.commit()
    return pull


def finish_pull(
    session: Session, pull_id: int, report: Mapping[str, Any], now: datetime | None = None
) -> SourcePull:
    """Record how a pull ended, from its PullReport."""
    pull = session.get(SourcePull, pull_id)
    assert pull is not None, pull_id
    pull.status = PullStatus(
        "succeeded" if report.get("status") == "succeeded" else PullStatus.FAILED
    )
    pull.finished_at = clock(now)
    pull.duration_seconds = round((pull.finished_at - pull.started_at).total_seconds(), 3)
    for name in COUNTS:
        setattr(pull, name, int(report.get(name) or 0))
    resources: Mapping[str, Any] = report.get("resources") or {}
    pull.watermarks = {
        name: [r.get("watermark_before"), r.get("watermark_after")] for name, r in resources.items()
    }
    pull.reject_reasons = {k: int(v) for k, v in (report.get("reject_reasons") or {}).items()}
    pull.run_ids = [r["run_id"] for r in resources.values() if r.get("run_id") is not None]
    drift = {name: r["drift"] for name, r in resources.items() if r.get("drift") is not None}
    pull.drift = drift or None
    pull.error = report.get("error")
    session.commit()
    return pull


def interrupt_orphaned(session: Session, error: dict[str, Any]) -> int:
    """Pulls left running whose job is no longer queued or running (its server stopped and
    the job was interrupted, or it never had one), now ``interrupted`` with ``error``; the
    pulls of jobs other servers are running are left alone."""
    now = utcnow()
    unfinished = select(Job.id).where(Job.status.in_([JobStatus.QUEUED, JobStatus.RUNNING]))
    result = session.execute(
        update(SourcePull)
        .where(SourcePull.status == PullStatus.RUNNING)
        .where(SourcePull.job_id.is_(None) | SourcePull.job_id.not_in(unfinished))
        .values(status=PullStatus.INTERRUPTED, finished_at=now, error=error)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]  # DML returns a CursorResult


def list_pulls(session: Session, source: str, limit: int = 50, offset: int = 0) -> list[SourcePull]:
    """Pulls of a source, newest first."""
    query = (
        select(SourcePull)
        .where(SourcePull.source == source)
        .order_by(SourcePull.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(session.scalars(query))


def count_pulls(session: Session, source: str) -> int:
    query = select(func.count()).select_from(SourcePull).where(SourcePull.source == source)
    return session.scalar(query) or 0


def pending_job(session: Session, source: str) -> Job | None:
    """A ``pull`` job of the source that is queued or running, if any."""
    query = (
        select(Job)
        .where(Job.kind == "pull", Job.status.in_([JobStatus.QUEUED, JobStatus.RUNNING]))
        .order_by(Job.id)
    )
    return next((j for j in session.scalars(query) if j.request.get("source") == source), None)


@dataclass(frozen=True)
class SourceState:
    name: str
    state: str  # never | ok | failing | late
    last_success_at: datetime | None
    last_pull_at: datetime | None
    consecutive_failures: int
    error: dict[str, Any] | None  # the last pull's, when it failed


def has_published(session: Session, source: str) -> bool:
    """Whether a pull of the source succeeded and published before (the next is a delta)."""
    query = select(SourcePull.id).where(
        SourcePull.source == source,
        SourcePull.status == PullStatus.SUCCEEDED,
        SourcePull.dry_run.is_(False),
    )
    return session.scalar(query.limit(1)) is not None


def state_of(
    session: Session, sources: Iterable[Source], now: datetime | None, failing_after: int
) -> dict[str, SourceState]:
    """Each source's state at ``now`` (the rules above), from three grouped queries and the
    rows they name: never the whole ledger, which grows with every scheduled pull."""
    moment = clock(now)
    found = list(sources)
    names = [s.name for s in found]
    counted = (
        SourcePull.source.in_(names),
        SourcePull.status.in_([PullStatus.SUCCEEDED, PullStatus.FAILED]),
        SourcePull.dry_run.is_(False),
    )
    newest = func.max(SourcePull.id)
    last_ok_query = (
        select(SourcePull.source, newest.label("ok_id"))
        .where(*counted, SourcePull.status == PullStatus.SUCCEEDED)
        .group_by(SourcePull.source)
    )
    last_ok: dict[str, int] = {row[0]: row[1] for row in session.execute(last_ok_query)}
    latest_query = select(SourcePull.source, newest).where(*counted).group_by(SourcePull.source)
    latest: dict[str, int] = {row[0]: row[1] for row in session.execute(latest_query)}
    ok = last_ok_query.subquery()
    failures_query = (
        select(SourcePull.source, func.count())
        .outerjoin(ok, ok.c.source == SourcePull.source)
        .where(
            *counted,
            SourcePull.status == PullStatus.FAILED,
            SourcePull.id > func.coalesce(ok.c.ok_id, 0),
        )
        .group_by(SourcePull.source)
    )
    failures: dict[str, int] = {row[0]: row[1] for row in session.execute(failures_query)}
    wanted = set(last_ok.values()) | set(latest.values())
    rows = {p.id: p for p in session.scalars(select(SourcePull).where(SourcePull.id.in_(wanted)))}
    return {
        s.name: _state(
            s,
            rows.get(last_ok.get(s.name, -1)),
            rows.get(latest.get(s.name, -1)),
            failures.get(s.name, 0),
            moment,
            failing_after,
        )
        for s in found
    }


def _state(
    source: Source,
    last_ok: SourcePull | None,
    latest: SourcePull | None,
    failures: int,
    now: datetime,
    failing_after: int,
) -> SourceState:
    """``last_ok``, ``latest``: the source's last successful and last finished pull;
    ``failures``: how many failed since the last success."""
    last_success = last_ok.finished_at if last_ok else None
    late_since = last_success or source.created_at
    if latest is None:
        state = "never"
    elif failures >= max(1, failing_after) or (failures and last_success is None):
        state = "failing"  # failed too often, or never succeeded at all
    elif now - late_since > timedelta(hours=source.late_after_hours):
        state = "late"
    else:
        state = "ok"
    return SourceState(
        name=source.name,
        state=state,
        last_success_at=last_success,
        last_pull_at=latest.finished_at if latest else None,
        consecutive_failures=failures,
        error=latest.error if latest and failures else None,
    )
