"""The tables that let several processes share one store (issue 19, docs/scale.md): the
processes serving now (``instances``, each with a heartbeat) and the leases that choose
one of them for work that must run once (``leases``: the scheduler). Imported by
:mod:`ioc.store` so the metadata holds them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ioc.store.models import Base
from ioc.store.types import UTCDateTime, utcnow


class Instance(Base):
    """One serving process (a worker of ``ioc serve``, on any machine sharing the store).

    ``id`` is ``HOST:PID:RANDOM`` (:func:`ioc.store.instances.this_instance`). A process
    whose ``seen_at`` is older than ``IOC_LEASE_SECONDS`` is dead: its running jobs are
    marked interrupted and its lease may be taken."""

    __tablename__ = "instances"

    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    host: Mapped[str] = mapped_column(String(80))
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: the build this process answers from (None: no published build yet)
    build_id: Mapped[str | None] = mapped_column(String(64), default=None)
    version: Mapped[str] = mapped_column(String(32))


class Lease(Base):
    """Work only one process may do at a time (``name``: ``scheduler``), held by
    ``holder`` (an instance id) until ``expires_at`` unless renewed before."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(120))
    acquired_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: how many times the lease changed hands (a holder checks it has not lost it)
    term: Mapped[int] = mapped_column(Integer, default=1)
