"""The review service (docs/approval.md): each return's review state, the actions on it and
the locked periods, every change chained in ``review_events`` (:mod:`ioc.store.review_chain`).

Functions take a ``Session`` and answer values, not ORM rows. The writers (:func:`act`,
:func:`lock`, :func:`unlock`) are one transaction each: they take the write lock first on
SQLite, check, write the state row and the chained event, and commit; on any error nothing
changes. Two writers racing for the chain's head on PostgreSQL: the loser's event fails the
unique ``prev_hash`` and its whole transaction is retried.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select, text, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ioc.domain.units import UnitCodeError, level_in
from ioc.reviews.levels import Place, may, steps
from ioc.reviews.states import LOCK, UNLOCK, Action, ReviewError, State, Stored, current_state, move
from ioc.store import review_chain
from ioc.store.models import PeriodLock, ReturnReview, ReviewEvent

#: how often a transaction that lost the race for the chain's head is tried again
ATTEMPTS = 5
#: any constant: the PostgreSQL advisory lock that queues the writers of the review record
_PG_REVIEW_LOCK = 0x10C_ED1
_CHUNK = 500
T = TypeVar("T")


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


def _review(row: ReturnReview) -> Review:
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


def _lock(row: PeriodLock) -> Lock:
    return Lock(
        row.unit_scheme,
        row.unit_code,
        row.school_year,
        row.term,
        row.locked_at,
        row.locked_by,
        row.reason,
    )


def _event(row: ReviewEvent) -> Event:
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


# -- reads --------------------------------------------------------------------------------


def reviews_for(session: Session, keys: Iterable[ReturnKey]) -> dict[ReturnKey, Review]:
    """The stored reviews of ``keys`` (a return never reviewed has none)."""
    by_period: dict[tuple[str, str], list[str]] = defaultdict(list)
    for key in set(keys):
        by_period[(key.school_year, key.term)].append(key.school_code)
    found: dict[ReturnKey, Review] = {}
    for (year, term), codes in by_period.items():
        for start in range(0, len(codes), _CHUNK):
            query = select(ReturnReview).where(
                ReturnReview.school_year == year,
                ReturnReview.term == term,
                ReturnReview.school_code.in_(codes[start : start + _CHUNK]),
            )
            found.update((r.key, r) for r in map(_review, session.scalars(query)))
    return found


def reviews_of_period(session: Session, school_year: str, term: str) -> dict[ReturnKey, Review]:
    """Every stored review of a period."""
    query = select(ReturnReview).where(
        ReturnReview.school_year == school_year, ReturnReview.term == term
    )
    return {r.key: r for r in map(_review, session.scalars(query))}


def history(session: Session, key: ReturnKey) -> list[Event]:
    """The events of one return, oldest first."""
    query = (
        select(ReviewEvent)
        .where(
            ReviewEvent.school_code == key.school_code,
            ReviewEvent.school_year == key.school_year,
            ReviewEvent.term == key.term,
        )
        .order_by(ReviewEvent.id)
    )
    return [_event(e) for e in session.scalars(query)]


def approved(session: Session) -> list[Review]:
    """Every approved review."""
    query = select(ReturnReview).where(ReturnReview.state == State.APPROVED)
    return [_review(r) for r in session.scalars(query)]


def locks(session: Session) -> list[Lock]:
    query = select(PeriodLock).order_by(
        PeriodLock.school_year, PeriodLock.term, PeriodLock.unit_scheme, PeriodLock.unit_code
    )
    return [_lock(r) for r in session.scalars(query)]


def locked(session: Session, place: Place, school_year: str, term: str) -> Lock | None:
    """The lock of a province containing the school (its place in either scheme)."""
    pairs = [
        (scheme, code)
        for scheme in ("legacy", "2025")
        if (code := place.get((scheme, "province"))) is not None
    ]
    if not pairs:
        return None
    query = select(PeriodLock).where(
        tuple_(PeriodLock.unit_scheme, PeriodLock.unit_code).in_(pairs),
        PeriodLock.school_year == school_year,
        PeriodLock.term == term,
    )
    row = session.scalars(query.limit(1)).first()
    return _lock(row) if row is not None else None


def frozen(session: Session) -> Frozen:
    """The approved returns and the locks, for an ingest run."""
    return Frozen({r.key: r for r in approved(session)}, locks(session))


# -- writes -------------------------------------------------------------------------------


def _begin_write(session: Session) -> None:
    """Queue the writers of the review record before they read what their write depends on:
    on SQLite take the write lock now (pysqlite would take it only at the first INSERT,
    after the reads); on PostgreSQL a transaction-level advisory lock. The unique prev_hash
    still guards the chain if a writer comes in another way."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        dbapi = connection.connection.dbapi_connection
        if dbapi is not None and not dbapi.in_transaction:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
    elif connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_REVIEW_LOCK})


def _write(session: Session, work: Callable[[], T]) -> T:
    """Run ``work`` as one transaction and commit; roll back on any error; retry when another
    writer took the chain's head first."""
    for attempt in range(ATTEMPTS):
        try:
            _begin_write(session)
            result = work()
            session.commit()
            return result
        except IntegrityError:
            session.rollback()
            if attempt == ATTEMPTS - 1:
                raise
        except BaseException:
            session.rollback()
            raise
    raise AssertionError("unreachable")


def act(
    session: Session,
    *,
    actor: str,
    action: Action,
    key: ReturnKey,
    content_hash: str,
    expected_hash: str,
    reason: str | None,
    scheme: str,
    scopes: Sequence[tuple[str, str]],
    place: Place,
) -> tuple[Review, Event]:
    """Checks, in this order: may() (review_forbidden 403), expected_hash == content_hash
    (review_stale 409), the period's lock for actions other than reopen (period_locked 409),
    move() (review_state / review_reason / review_unchecked). Then upserts the review and
    appends the chained event, and commits. Nothing changes on any error."""
    action = Action(action)
    if not may(action, scheme, scopes, place):
        raise ReviewError("review_forbidden", 403, action=str(action))
    if expected_hash != content_hash:
        raise ReviewError("review_stale", 409)
    reason = reason.strip() if reason and reason.strip() else None

    def work() -> tuple[Review, Event]:
        if action is not Action.REOPEN:
            held = locked(session, place, key.school_year, key.term)
            if held is not None:
                raise ReviewError(
                    "period_locked", 409, unit=held.unit_code, locked_by=held.locked_by
                )
        row = session.get(
            ReturnReview, (key.school_code, key.school_year, key.term), populate_existing=True
        )
        stored = Stored(State(row.state), row.content_hash) if row is not None else None
        before = current_state(stored, content_hash)
        after = move(before, action, check_required=steps(scheme).check_required, reason=reason)
        event = review_chain.append(
            session,
            actor=actor,
            action=str(action),
            school_code=key.school_code,
            school_year=key.school_year,
            term=key.term,
            from_state=str(before),
            to_state=str(after),
            reason=reason,
            content_hash=content_hash,
        )
        if row is None:
            row = ReturnReview(
                school_code=key.school_code, school_year=key.school_year, term=key.term
            )
            session.add(row)
        row.state = str(after)
        row.content_hash = content_hash
        row.reason = reason
        row.updated_at = event.at
        row.updated_by = actor
        row.approved_at = event.at if after is State.APPROVED else None
        row.approved_by = actor if after is State.APPROVED else None
        session.flush()
        return _review(row), _event(event)

    return _write(session, work)


def set_detail(session: Session, event_id: int, detail: dict[str, Any]) -> None:
    """What happened around an event (e.g. {"mail": "sent"}), merged into its detail; outside
    the chain's hash."""
    row = session.get(ReviewEvent, event_id, populate_existing=True)
    if row is None:
        raise KeyError(event_id)
    row.detail = {**(row.detail or {}), **detail}
    session.commit()


def _province_scope(
    action: str, unit_scheme: str, unit_code: str, scopes: Sequence[tuple[str, str]]
) -> None:
    try:
        level = level_in(unit_code, unit_scheme)
    except UnitCodeError:
        level = None
    if level != "province":
        raise ReviewError("lock_level", 422, unit=unit_code)
    place = {(unit_scheme, "province"): unit_code}
    if not may(action, unit_scheme, scopes, place):
        raise ReviewError("review_forbidden", 403, action=action)


def lock(
    session: Session,
    *,
    actor: str,
    unit_scheme: str,
    unit_code: str,
    school_year: str,
    term: str,
    pending: int,
    scopes: Sequence[tuple[str, str]],
    reason: str | None = None,
) -> Lock:
    """pending > 0 -> lock_pending 409; already locked -> period_locked 409; the unit must be a
    province (422 lock_level) and the approver must have a province-level scope equal to it
    (review_forbidden 403)."""
    _province_scope(LOCK, unit_scheme, unit_code, scopes)
    if pending > 0:
        raise ReviewError("lock_pending", 409, pending=pending)
    reason = reason.strip() if reason and reason.strip() else None

    def work() -> Lock:
        pk = (unit_scheme, unit_code, school_year, term)
        held = session.get(PeriodLock, pk, populate_existing=True)
        if held is not None:
            raise ReviewError("period_locked", 409, unit=unit_code, locked_by=held.locked_by)
        event = review_chain.append(
            session,
            actor=actor,
            action=LOCK,
            school_year=school_year,
            term=term,
            unit_scheme=unit_scheme,
            unit_code=unit_code,
            reason=reason,
        )
        row = PeriodLock(
            unit_scheme=unit_scheme,
            unit_code=unit_code,
            school_year=school_year,
            term=term,
            locked_at=event.at,
            locked_by=actor,
            reason=reason,
        )
        session.add(row)
        session.flush()
        return _lock(row)

    return _write(session, work)


def unlock(
    session: Session,
    *,
    actor: str,
    unit_scheme: str,
    unit_code: str,
    school_year: str,
    term: str,
    reason: str,
    scopes: Sequence[tuple[str, str]],
) -> None:
    """No lock -> lock_missing 404; blank reason -> review_reason 422."""
    _province_scope(UNLOCK, unit_scheme, unit_code, scopes)
    if not (reason and reason.strip()):
        raise ReviewError("review_reason", 422, action=UNLOCK)

    def work() -> None:
        held = session.get(
            PeriodLock, (unit_scheme, unit_code, school_year, term), populate_existing=True
        )
        if held is None:
            raise ReviewError("lock_missing", 404, unit=unit_code)
        review_chain.append(
            session,
            actor=actor,
            action=UNLOCK,
            school_year=school_year,
            term=term,
            unit_scheme=unit_scheme,
            unit_code=unit_code,
            reason=reason.strip(),
        )
        session.delete(held)
        session.flush()

    _write(session, work)
