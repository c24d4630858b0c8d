"""The review service (docs/approval.md): each return's review state, the actions on it and
the locked periods, every change chained in ``review_events`` (:mod:`ioc.store.review_chain`).

Functions take a ``Session`` and answer values, not ORM rows. The writers (:func:`act`,
:func:`lock`, :func:`unlock`) are one transaction each: they take the write lock first on
SQLite, check, write the state row and the chained event, and commit; on any error nothing
changes (:func:`ioc.store.review_chain.write` queues the writers of the record).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from ioc.domain.units import UnitCodeError, level_in
from ioc.reviews.levels import Place, may, steps
from ioc.reviews.states import LOCK, UNLOCK, Action, ReviewError, State, Stored, current_state, move
from ioc.store import review_chain
from ioc.store.models import PeriodLock, ReturnReview, ReviewEvent
from ioc.store.review_values import (
    Event,
    Frozen,
    Lock,
    ReturnKey,
    Review,
    event_value,
    lock_value,
    review_value,
)
from ioc.store.types import utcnow

_CHUNK = 500


# -- reads --------------------------------------------------------------------------------


def reviews_for(session: Session, keys: Iterable[ReturnKey]) -> dict[ReturnKey, Review]:
    """The stored reviews of ``keys`` (a return never reviewed has none)."""
    return {key: review_value(row) for key, row in _rows_for(session, set(keys)).items()}


def reviews_of_period(session: Session, school_year: str, term: str) -> dict[ReturnKey, Review]:
    """Every stored review of a period."""
    query = select(ReturnReview).where(
        ReturnReview.school_year == school_year, ReturnReview.term == term
    )
    return {r.key: r for r in map(review_value, session.scalars(query))}


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
    return [event_value(e) for e in session.scalars(query)]


def approved(session: Session) -> list[Review]:
    """Every approved review."""
    query = select(ReturnReview).where(ReturnReview.state == State.APPROVED)
    return [review_value(r) for r in session.scalars(query)]


def locks(session: Session) -> list[Lock]:
    query = select(PeriodLock).order_by(
        PeriodLock.school_year, PeriodLock.term, PeriodLock.unit_scheme, PeriodLock.unit_code
    )
    return [lock_value(r) for r in session.scalars(query)]


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
    return lock_value(row) if row is not None else None


def frozen(session: Session) -> Frozen:
    """The approved returns and the locks, for an ingest run."""
    return Frozen({r.key: r for r in approved(session)}, locks(session))


# -- writes -------------------------------------------------------------------------------


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
    item = Item(key, content_hash, expected_hash, place)
    acted = act_many(
        session,
        actor=actor,
        action=action,
        items=[item],
        reason=reason,
        scheme=scheme,
        scopes=scopes,
    )
    if acted.refused:
        raise acted.refused[key]
    return acted.done[0]


def act_many(
    session: Session,
    *,
    actor: str,
    action: Action,
    items: Sequence[Item],
    reason: str | None,
    scheme: str,
    scopes: Sequence[tuple[str, str]],
) -> Acted:
    """:func:`act` on many returns of one period's scheme in one transaction (e.g. approve
    every clean return of a unit): each item is checked as :func:`act` checks it; a refused
    item changes nothing and the others go on. One commit, one read of the states and locks,
    the events chained in the items' order."""
    action = Action(action)
    reason = reason.strip() if reason and reason.strip() else None
    check_required = steps(scheme).check_required

    def work() -> Acted:
        rows = _rows_for(session, [i.key for i in items])
        held = {(k.unit_scheme, k.unit_code, k.school_year, k.term): k for k in locks(session)}
        prev, at = review_chain.head(session), utcnow()
        done: list[tuple[ReturnReview, ReviewEvent]] = []
        refused: dict[ReturnKey, ReviewError] = {}
        for item in items:
            key = item.key
            try:
                if not may(action, scheme, scopes, item.place):
                    raise ReviewError("review_forbidden", 403, action=str(action))
                if item.expected_hash != item.content_hash:
                    raise ReviewError("review_stale", 409)
                lock = _lock_on(held, item.place, key) if action is not Action.REOPEN else None
                if lock is not None:
                    raise ReviewError(
                        "period_locked", 409, unit=lock.unit_code, locked_by=lock.locked_by
                    )
                row = rows.get(key)
                stored = Stored(State(row.state), row.content_hash) if row is not None else None
                before = current_state(stored, item.content_hash)
                after = move(before, action, check_required=check_required, reason=reason)
            except ReviewError as error:
                refused[key] = error
                continue
            event = review_chain.chained(
                prev,
                at=at,
                actor=actor,
                action=str(action),
                school_code=key.school_code,
                school_year=key.school_year,
                term=key.term,
                from_state=str(before),
                to_state=str(after),
                reason=reason,
                content_hash=item.content_hash,
            )
            prev = event.hash
            if row is None:
                row = rows[key] = ReturnReview(
                    school_code=key.school_code, school_year=key.school_year, term=key.term
                )
                session.add(row)
            row.state = str(after)
            row.content_hash = item.content_hash
            row.reason = reason
            row.updated_at = row.approved_at = at
            row.updated_by = row.approved_by = actor
            if after is not State.APPROVED:
                row.approved_at = row.approved_by = None
            done.append((row, event))
        session.add_all([event for _, event in done])
        session.flush()
        return Acted([(review_value(r), event_value(e)) for r, e in done], refused)

    return review_chain.write(session, work)


def _rows_for(session: Session, keys: Iterable[ReturnKey]) -> dict[ReturnKey, ReturnReview]:
    """The stored review rows of ``keys``, fresh from the database."""
    by_period: dict[tuple[str, str], list[str]] = defaultdict(list)
    for key in keys:
        by_period[(key.school_year, key.term)].append(key.school_code)
    found: dict[ReturnKey, ReturnReview] = {}
    for (year, term), codes in by_period.items():
        for start in range(0, len(codes), _CHUNK):
            query = select(ReturnReview).where(
                ReturnReview.school_year == year,
                ReturnReview.term == term,
                ReturnReview.school_code.in_(codes[start : start + _CHUNK]),
            )
            for row in session.scalars(query.execution_options(populate_existing=True)):
                found[ReturnKey(row.school_code, row.school_year, row.term)] = row
    return found


def _lock_on(
    held: dict[tuple[str, str, str, str], Lock], place: Place, key: ReturnKey
) -> Lock | None:
    for scheme in ("legacy", "2025"):
        code = place.get((scheme, "province"))
        if code is not None and (lock := held.get((scheme, code, key.school_year, key.term))):
            return lock
    return None


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
        return lock_value(row)

    return review_chain.write(session, work)


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

    review_chain.write(session, work)
