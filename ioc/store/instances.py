"""The processes serving from the store (docs/scale.md): each one's heartbeat, which are
alive, and the unfinished jobs of those that are not. Each function commits.

A process not seen for ``ttl`` seconds (``IOC_LEASE_SECONDS``) is dead; its rows go after
a day. A job belongs to the instance in its ``claimed_by`` (the one that submitted it, then
the one running it)."""

from __future__ import annotations

import os
import secrets
import socket
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from ioc import __version__
from ioc.store.cluster_models import Instance
from ioc.store.models import Job, JobStatus

FORGET_AFTER = timedelta(days=1)  # rows of dead processes are removed after this
UNFINISHED = (JobStatus.QUEUED, JobStatus.RUNNING)
_this: tuple[int, str] | None = None  # (pid, id) of this process


def this_instance() -> str:
    """This process's id, ``HOST:PID:RANDOM`` (a forked worker gets one of its own)."""
    global _this
    pid = os.getpid()
    if _this is None or _this[0] != pid:
        _this = (pid, f"{socket.gethostname()[:80]}:{pid}:{secrets.token_hex(4)}")
    return _this[1]


def beat(session: Session, instance_id: str, build_id: str | None, now: datetime) -> None:
    """This process is alive at ``now`` and answers from ``build_id``; rows of processes
    dead for a day are removed."""
    seen = session.execute(
        update(Instance)
        .where(Instance.id == instance_id)
        .values(seen_at=now, build_id=build_id)
        .execution_options(synchronize_session=False)
    )
    if not seen.rowcount:  # type: ignore[attr-defined]  # DML returns a CursorResult
        host, pid, _ = instance_id.rsplit(":", 2)
        session.add(
            Instance(
                id=instance_id,
                host=host[:80],
                pid=int(pid),
                started_at=now,
                seen_at=now,
                build_id=build_id,
                version=__version__[:32],
            )
        )
    session.execute(delete(Instance).where(Instance.seen_at < now - FORGET_AFTER))
    session.commit()


def alive(session: Session, now: datetime, ttl: float) -> list[Instance]:
    """The processes seen in the last ``ttl`` seconds, oldest first."""
    since = now - timedelta(seconds=ttl)
    query = select(Instance).where(Instance.seen_at >= since).order_by(Instance.started_at)
    return list(session.scalars(query, execution_options={"populate_existing": True}))


def interrupt_orphans(
    session: Session, now: datetime, ttl: float, problem: dict[str, Any]
) -> list[Job]:
    """Queued or running jobs whose instance is dead or unknown, now ``interrupted`` with
    ``problem``; the jobs of live instances are left alone."""
    living = [i.id for i in alive(session, now, ttl)]
    orphaned = or_(Job.claimed_by.is_(None), Job.claimed_by.not_in(living))
    where = (Job.status.in_(UNFINISHED), orphaned)
    found = list(session.scalars(select(Job).where(*where)))
    if found:
        session.execute(
            update(Job)
            .where(Job.id.in_([j.id for j in found]), *where)
            .values(status=JobStatus.INTERRUPTED, finished_at=now, stage=None, problem=problem)
            .execution_options(synchronize_session=False)
        )
    session.commit()
    return found
