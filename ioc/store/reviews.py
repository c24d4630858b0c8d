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
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from ioc.domain.units import UnitCodeError, level_in
from ioc.reviews.levels import Place, may, steps
from ioc.reviews.states import LOCK, UNLOCK, Action, ReviewError, State, Stored, current_state, move
from ioc.store import review_chain
from ioc.store.review_models import PeriodLock, ReturnReview, ReviewEvent
from ioc.store.review_values import (
    Acted,
    Event,
    Frozen,
    Item,
    Lock,
    ReturnKey,
    Review,
    RowOf,
    event_value,
    lock_value,
    review_value,
)
from ioc.store.types import utcnow

_CHUNK = 500
#: the review rows as rows, not ORM objects: the writers change them in bulk, so an object
#: the session still held would be stale
_REVIEWS = select(*ReturnReview.__table__.columns)
_PK = ["school_code", "school_year", "term"]


# -- reads --------------------------------------------------------------------------------


def reviews_for(session: Session, keys: Iterable[ReturnKey]) -> dict[ReturnKey, Review]:
    """The stored reviews of ``keys`` (a return never reviewed has none)."""
    return {key: review_value(row) for key, row in _rows_for(session, set(keys)).items()}


def reviews_of_period(session: Session, school_year: str, term: str) -> dict[ReturnKey, Review]:
    """Every stored review of a period."""
    query = _REVIEWS.where(ReturnReview.school_year == school_year, ReturnReview.term == term)
    return {r.key: r for r in map(review_value, session.execute(query))}


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
    """Every approved review, by school, year and term."""
    query = _REVIEWS.where(ReturnReview.state == State.APPROVED).order_by(*_PK)
    return [review_value(r) for r in session.execute(query)]


def locks(session: Session) -> list[Lock]:
    query = select(*PeriodLock.__table__.columns).order_by(
        PeriodLock.school_year, PeriodLock.term, PeriodLock.unit_scheme, PeriodLock.unit_code
    )
    return [lock_value(r) for r in session.execute(query)]


def _locks_by_key(session: Session) -> dict[tuple[str, str, str, str], Lock]:
    return {(k.unit_scheme, k.unit_code, k.school_year, k.term): k for k in locks(session)}


def locked(session: Session, place: Place, school_year: str, term: str) -> Lock | None:
    """The lock of a province containing the school (its place in either scheme)."""
    return _lock_on(_locks_by_key(session), place, school_year, term)


def frozen(session: Session) -> Frozen:
    """The approved returns and the locks, for an ingest run."""
    return Frozen({r.key: r for r in approved(session)}, locks(session))


# -- writes -------------------------------------------------------------------------------


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

    def work() -> Acted:
        stored = {
            key: Stored(State(row.state), row.content_hash)
            for key, row in _rows_for(session, [i.key for i in items]).items()
        }
        held = _locks_by_key(session)
        prev, at = review_chain.head(session), utcnow()
        events: list[dict[str, Any]] = []
        rows: dict[ReturnKey, dict[str, Any]] = {}
        reviews_after: list[Review] = []
        refused: dict[ReturnKey, ReviewError] = {}
        for item in items:
            key = item.key
            try:
                before, after = _check(action, scheme, scopes, item, held, stored.get(key), reason)
            except ReviewError as error:
                refused[key] = error
                continue
            fields = {
                "at": at,
                "actor": actor,
                "action": str(action),
                "school_code": key.school_code,
                "school_year": key.school_year,
                "term": key.term,
                "unit_scheme": None,
                "unit_code": None,
                "from_state": str(before),
                "to_state": str(after),
                "reason": reason,
                "content_hash": item.content_hash,
                "prev_hash": prev,
            }
            prev = fields["hash"] = review_chain.event_hash(fields)
            events.append(fields)
            stored[key] = Stored(after, item.content_hash)
            approved = after is State.APPROVED
            rows[key] = row = {
                "school_code": key.school_code,
                "school_year": key.school_year,
                "term": key.term,
                "state": str(after),
                "content_hash": item.content_hash,
                "reason": reason,
                "updated_at": at,
                "updated_by": actor,
                "approved_at": at if approved else None,
                "approved_by": actor if approved else None,
            }
            reviews_after.append(review_value(RowOf(row)))
        if not events:
            return Acted([], refused)
        last = session.scalar(select(func.max(ReviewEvent.id))) or 0
        session.execute(insert(ReviewEvent), events)  # executemany: no RETURNING row by row
        ids = _ids_after(session, last, [e["hash"] for e in events])
        _upsert_rows(session, list(rows.values()))
        done = [
            (review, event_value(RowOf({**fields, "id": id_, "detail": None})))
            for review, fields, id_ in zip(reviews_after, events, ids, strict=True)
        ]
        return Acted(done, refused)

    return review_chain.write(session, work)


def _check(
    action: Action,
    scheme: str,
    scopes: Sequence[tuple[str, str]],
    item: Item,
    held: dict[tuple[str, str, str, str], Lock],
    stored: Stored | None,
    reason: str | None,
) -> tuple[State, State]:
    """The checks of :func:`act`, in its order: (state before, state after), or ReviewError."""
    if not may(action, scheme, scopes, item.place):
        raise ReviewError("review_forbidden", 403, action=str(action))
    if item.expected_hash != item.content_hash:
        raise ReviewError("review_stale", 409)
    key = item.key
    lock = (
        None if action is Action.REOPEN else _lock_on(held, item.place, key.school_year, key.term)
    )
    if lock is not None:
        raise ReviewError("period_locked", 409, unit=lock.unit_code, locked_by=lock.locked_by)
    before = current_state(stored, item.content_hash)
    check_required = steps(scheme).check_required
    return before, move(before, action, check_required=check_required, reason=reason)


def _rows_for(session: Session, keys: Iterable[ReturnKey]) -> dict[ReturnKey, Any]:
    """The stored review rows of ``keys`` (rows, not ORM objects: always what the database
    holds now)."""
    by_period: dict[tuple[str, str], set[str]] = defaultdict(set)
    for key in keys:
        by_period[(key.school_year, key.term)].add(key.school_code)
    found: dict[ReturnKey, Any] = {}
    for (year, term), codes in by_period.items():
        period = _REVIEWS.where(ReturnReview.school_year == year, ReturnReview.term == term)
        if len(codes) > _CHUNK:  # many: the whole period in one scan, not IN lists
            rows = [r for r in session.execute(period) if r.school_code in codes]
        else:
            rows = list(session.execute(period.where(ReturnReview.school_code.in_(sorted(codes)))))
        found.update((ReturnKey(r.school_code, year, term), r) for r in rows)
    return found


def _upsert_rows(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert the review rows, or update those that exist (one executemany)."""
    dialect = session.get_bind().dialect.name
    upsert = (pg_insert if dialect == "postgresql" else sqlite_insert)(ReturnReview)
    changed = {c: upsert.excluded[c] for c in rows[0] if c not in _PK}
    session.execute(upsert.on_conflict_do_update(index_elements=_PK, set_=changed), rows)


def _ids_after(session: Session, last: int, hashes: list[str]) -> list[int]:
    """The ids of the events with ``hashes``, in their order, written after event ``last``."""
    query = select(ReviewEvent.hash, ReviewEvent.id).where(ReviewEvent.id > last)
    found: dict[str, int] = dict(session.execute(query).all())
    return [found[h] for h in hashes]


def _lock_on(
    held: dict[tuple[str, str, str, str], Lock], place: Place, school_year: str, term: str
) -> Lock | None:
    """The lock of the school's province (in either scheme) in the period, if any."""
    for scheme in ("legacy", "2025"):
        code = place.get((scheme, "province"))
        if code is not None and (lock := held.get((scheme, code, school_year, term))):
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
