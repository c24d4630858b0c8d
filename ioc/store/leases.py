"""Leases: work only one process of all those sharing the store may do at a time
(docs/scale.md; ``scheduler`` is the only one). Each function commits.

A lease is taken with a conditional update (free, expired, or held by the caller already)
and, when it has never been taken, a plain insert that only one contender can win (the name
is the primary key): two processes never both hold it, on SQLite (one writer at a time) as
on PostgreSQL (the update re-reads the row a concurrent winner committed). ``term`` counts
the hand-overs, so a holder can tell it kept the lease from it having changed hands."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import case, literal, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ioc.store.cluster_models import Lease
from ioc.store.types import UTCDateTime, utcnow

SCHEDULER = "scheduler"


def acquire(session: Session, name: str, holder: str, now: datetime, ttl: float) -> int | None:
    """Take or renew the lease until ``now + ttl``: its term when ``holder`` holds it after
    the call, None when another process does."""
    expires = now + timedelta(seconds=ttl)
    mine = Lease.holder == holder
    taken = session.execute(
        update(Lease)
        .where(Lease.name == name, mine | (Lease.expires_at <= now))
        .values(
            holder=holder,
            expires_at=expires,
            acquired_at=case((mine, Lease.acquired_at), else_=literal(now, UTCDateTime())),
            term=case((mine, Lease.term), else_=Lease.term + 1),
        )
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount:  # type: ignore[attr-defined]  # DML returns a CursorResult
        term = session.scalar(select(Lease.term).where(Lease.name == name))
        session.commit()
        return term
    session.rollback()
    if session.get(Lease, name) is not None:
        return None  # held by another process
    try:
        session.add(Lease(name=name, holder=holder, acquired_at=now, expires_at=expires, term=1))
        session.commit()
    except IntegrityError:  # another process took it first
        session.rollback()
        return None
    return 1


def release(session: Session, name: str, holder: str) -> None:
    """Give the lease up (at shutdown): another process may take it at once."""
    session.execute(
        update(Lease)
        .where(Lease.name == name, Lease.holder == holder)
        .values(expires_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    session.commit()


def current(session: Session, name: str, now: datetime) -> Lease | None:
    """The lease while it is held (not expired), else None."""
    lease = session.scalar(
        select(Lease).where(Lease.name == name, Lease.expires_at > now),
        execution_options={"populate_existing": True},
    )
    return lease
