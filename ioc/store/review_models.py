"""The review record's tables (issue 17, docs/approval.md): each return's review state, the
hash-chained review events and the locked periods. Imported by :mod:`ioc.store.models` so
the metadata holds them."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ioc.store.models import Base, Scheme, _in
from ioc.store.types import UTCDateTime, utcnow


class ReviewState(enum.StrEnum):
    """A return's review state as stored (``received`` is also implicit: no row, or a row
    whose content hash is not the return's any more). See docs/approval.md."""

    RECEIVED = "received"
    CHECKED = "checked"
    RETURNED = "returned"
    APPROVED = "approved"


class ReturnReview(Base):
    """The current review state of one return (school, period): the last action's outcome.
    Derived from ``review_events``; ``ioc.store.review_chain.verify`` replays the chain
    against it."""

    __tablename__ = "return_reviews"
    __table_args__ = (
        CheckConstraint(_in("state", ReviewState), name="state"),
        Index("ix_return_reviews_period_state", "school_year", "term", "state"),
    )

    school_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    school_year: Mapped[str] = mapped_column(String(9), primary_key=True)
    term: Mapped[str] = mapped_column(String(4), primary_key=True)
    state: Mapped[str] = mapped_column(String(16))
    content_hash: Mapped[str] = mapped_column(String(64))  # of the return the action saw
    reason: Mapped[str | None] = mapped_column(Text, default=None)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(64))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    approved_by: Mapped[str | None] = mapped_column(String(64), default=None)


class ReviewEvent(Base):
    """One review action or lock change, chained: ``hash`` = sha256 of ``prev_hash`` and
    the row's canonical JSON (``ioc.store.review_chain``). Never updated or deleted."""

    __tablename__ = "review_events"
    __table_args__ = (Index("ix_review_events_return", "school_code", "school_year", "term"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(16))  # check|approve|return|reopen|lock|unlock
    school_code: Mapped[str | None] = mapped_column(String(16), default=None)
    school_year: Mapped[str] = mapped_column(String(9))
    term: Mapped[str] = mapped_column(String(4))
    unit_scheme: Mapped[str | None] = mapped_column(String(8), default=None)  # lock/unlock
    unit_code: Mapped[str | None] = mapped_column(String(8), default=None)
    from_state: Mapped[str | None] = mapped_column(String(16), default=None)
    to_state: Mapped[str | None] = mapped_column(String(16), default=None)
    reason: Mapped[str | None] = mapped_column(Text, default=None)
    content_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    #: what happened around the action, outside the chain (e.g. {"mail": "sent"})
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    #: unique: two writers appending at once cannot both follow the same event
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class PeriodLock(Base):
    """A province's period locked by the Department: changes only by reopen or unlock."""

    __tablename__ = "period_locks"
    __table_args__ = (CheckConstraint(_in("unit_scheme", Scheme), name="unit_scheme"),)

    unit_scheme: Mapped[str] = mapped_column(String(8), primary_key=True)
    unit_code: Mapped[str] = mapped_column(String(8), primary_key=True)
    school_year: Mapped[str] = mapped_column(String(9), primary_key=True)
    term: Mapped[str] = mapped_column(String(4), primary_key=True)
    locked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    locked_by: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(Text, default=None)
