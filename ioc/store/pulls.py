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


def interrupt_unfinished(session: Session, error: dict[str, Any]) -> int:
    """Pulls left running by a server that stopped, now ``interrupted`` with ``error`` (at
    start)."""
    now = utcnow()
    result = session.execute(
        update(SourcePull)
        .where(SourcePull.status == PullStatus.RUNNING)
        .values(status=PullStatus.INTERRUPTED, finished_at=now, error=error)
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


def state_of(
    session: Session, sources: Iterable[Source], now: datetime | None, failing_after: int
) -> dict[str, SourceState]:
    """Each source's state at ``now`` (the rules above)."""
    moment = clock(now)
    found = list(sources)
    ended = [PullStatus.SUCCEEDED, PullStatus.FAILED]
    pulls: dict[str, list[SourcePull]] = {s.name: [] for s in found}
    query = (
        select(SourcePull)
        .where(
            SourcePull.source.in_(list(pulls)),
            SourcePull.status.in_(ended),
            SourcePull.dry_run.is_(False),
        )
        .order_by(SourcePull.id.desc())
    )
    for pull in session.scalars(query):
        pulls[pull.source].append(pull)
    return {s.name: _state(s, pulls[s.name], moment, failing_after) for s in found}


def _state(
    source: Source, pulls: list[SourcePull], now: datetime, failing_after: int
) -> SourceState:
    """``pulls``: the source's finished pulls, newest first."""
    succeeded = [p for p in pulls if p.status == PullStatus.SUCCEEDED]
    last_success = succeeded[0].finished_at if succeeded else None
    failures = 0
    for pull in pulls:
        if pull.status == PullStatus.SUCCEEDED:
            break
        failures += 1
    late_since = last_success or source.created_at
    if not pulls:
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
        last_pull_at=pulls[0].finished_at if pulls else None,
        consecutive_failures=failures,
        error=pulls[0].error if pulls and failures else None,
    )
