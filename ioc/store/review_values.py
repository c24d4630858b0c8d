"""The review service's values (docs/approval.md): a return's key, its review, a lock, an
event and what an ingest must not change, made from the store's rows. The service is
:mod:`ioc.store.reviews`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ioc.reviews.levels import Place
from ioc.reviews.states import ReviewError
from ioc.store.review_models import PeriodLock, ReturnReview, ReviewEvent


@dataclass(frozen=True)
class ReturnKey:
    """One return."""

    school_code: str
    school_year: str  # '2024-2025'
    term: str  # 'DN' | 'CN' (as core_school__period_returns.term)


@dataclass(frozen=True)
class Review:
    """A ``return_reviews`` row as a value."""

    key: ReturnKey
    state: str
    content_hash: str
    reason: str | None
    updated_at: datetime
    updated_by: str
    approved_at: datetime | None
    approved_by: str | None


@dataclass(frozen=True)
class Lock:
    unit_scheme: str
    unit_code: str
    school_year: str
    term: str
    locked_at: datetime
    locked_by: str
    reason: str | None


@dataclass(frozen=True)
class Event:
    """A ``review_events`` row as a value (without its hashes)."""

    id: int
    at: datetime
    actor: str
    action: str
    school_code: str | None
    school_year: str
    term: str
    unit_scheme: str | None
    unit_code: str | None
    from_state: str | None
    to_state: str | None
    reason: str | None
    content_hash: str | None
    detail: dict[str, Any] | None


@dataclass(frozen=True)
class Frozen:
    """What the ingest runner must not change."""

    approved: dict[ReturnKey, Review]
    locks: list[Lock]


def review_value(row: ReturnReview | Any) -> Review:
    """A review from a ``return_reviews`` row (ORM object or row)."""
    return Review(
        key=ReturnKey(row.school_code, row.school_year, row.term),
        state=row.state,
        content_hash=row.content_hash,
        reason=row.reason,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
        approved_at=row.approved_at,
        approved_by=row.approved_by,
    )


def lock_value(row: PeriodLock | Any) -> Lock:
    return Lock(
        row.unit_scheme,
        row.unit_code,
        row.school_year,
        row.term,
        row.locked_at,
        row.locked_by,
        row.reason,
    )


def event_value(row: ReviewEvent | Any) -> Event:
    return Event(
        id=row.id,
        at=row.at,
        actor=row.actor,
        action=row.action,
        school_code=row.school_code,
        school_year=row.school_year,
        term=row.term,
        unit_scheme=row.unit_scheme,
        unit_code=row.unit_code,
        from_state=row.from_state,
        to_state=row.to_state,
        reason=row.reason,
        content_hash=row.content_hash,
        detail=dict(row.detail) if row.detail is not None else None,
    )


@dataclass(frozen=True)
class Item:
    """One return of :func:`act_many`: its key, its hash in the snapshot now, the hash the
    actor saw, and the school's place."""

    key: ReturnKey
    content_hash: str
    expected_hash: str
    place: Place


@dataclass(frozen=True)
class Acted:
    """What :func:`act_many` did: the reviews and events written, and each refused return's
    error."""

    done: list[tuple[Review, Event]]
    refused: dict[ReturnKey, ReviewError]


class RowOf:
    """A dict read as a row (the values are made from what was written)."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)
