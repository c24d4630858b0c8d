"""The review events' hash chain (docs/approval.md): appending a chained event, and verifying
the chain and the state tables it explains.

Each ``review_events`` row's ``hash`` is ``sha256(prev_hash + canonical JSON)`` of its chained
fields (every column but ``id``, ``detail`` and ``hash``; ``at`` as UTC ISO, keys sorted); its
``prev_hash`` is the hash of the row before it (64 zeros for the first). ``prev_hash`` is
unique, so two writers appending at once cannot fork the chain: the loser's insert fails and
the caller retries (:func:`ioc.store.reviews.act`).

:func:`verify` recomputes every hash in id order and replays the events against
``return_reviews`` and ``period_locks``. It finds an edited row (its hash does not match its
fields), a deleted row (a ``prev_hash`` that names no row, or a first row that does not start
the chain), rows reordered (a ``prev_hash`` naming a row other than the one before), and a
state row that the replay does not produce ("unexplained": the state table was edited outside
the product). What it cannot see from the chain alone: the removal of the newest events (tail
truncation) together with the state rows they explain leaves a shorter chain that is whole;
only a copy of the head kept elsewhere (an export, a backup) shows that.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ioc.reviews.states import LOCK, UNLOCK, State
from ioc.store.engine import write_lock
from ioc.store.review_models import PeriodLock, ReturnReview, ReviewEvent
from ioc.store.types import as_utc, utcnow

#: the prev_hash of the first event
GENESIS = "0" * 64
#: the fields of an event that its hash covers (with prev_hash)
CHAINED = (
    "at",
    "actor",
    "action",
    "school_code",
    "school_year",
    "term",
    "unit_scheme",
    "unit_code",
    "from_state",
    "to_state",
    "reason",
    "content_hash",
)


@dataclass(frozen=True)
class ChainProblem:
    """One thing wrong with the record: ``kind`` is edited | deleted | reordered |
    unexplained | broken_head (its words: messages.yaml ``reviews``, ``chain_<kind>``);
    ``detail`` names the row, e.g. ``review_events id=7`` or ``return_reviews
    S1/2024-2025/CN (extra)`` (missing: the events leave a row the table lacks; extra: no
    event explains the row; differs: the row is not what the events leave)."""

    event_id: int | None
    kind: str
    detail: str


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    events: int
    problems: list[ChainProblem]
    checked_at: datetime


def _utc_iso(value: datetime) -> str:
    return as_utc(value).astimezone(UTC).isoformat(timespec="microseconds")


def canonical(fields: dict[str, Any]) -> str:
    """The canonical JSON of an event's chained fields (and its prev_hash)."""
    data = {name: fields.get(name) for name in CHAINED}
    data["at"] = _utc_iso(fields["at"])
    data["prev_hash"] = fields["prev_hash"]
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def event_hash(fields: dict[str, Any]) -> str:
    """sha256 of the prev_hash followed by the canonical JSON."""
    return hashlib.sha256((fields["prev_hash"] + canonical(fields)).encode("utf-8")).hexdigest()


def _fields(event: Any) -> dict[str, Any]:
    return {name: getattr(event, name) for name in (*CHAINED, "prev_hash")}


def head(session: Session) -> str:
    """The hash of the newest event (GENESIS for an empty chain)."""
    last = session.scalar(select(ReviewEvent.hash).order_by(ReviewEvent.id.desc()).limit(1))
    return last or GENESIS


def chained(prev_hash: str, **fields: Any) -> ReviewEvent:
    """The event following ``prev_hash``, its hash computed (not yet added to a session)."""
    fields.setdefault("at", utcnow())
    fields["prev_hash"] = prev_hash
    return ReviewEvent(**fields, hash=event_hash(fields))


def append(session: Session, **fields: Any) -> ReviewEvent:
    """Add the next chained event to the session's transaction and flush it (the caller
    queues the writers, retries on IntegrityError, and commits)."""
    event = chained(head(session), **fields)
    session.add(event)
    session.flush()
    return event


# -- the writers' queue -------------------------------------------------------------------

#: how often a transaction that lost the race for the chain's head is tried again
ATTEMPTS = 5
#: any constant: the PostgreSQL advisory lock that queues the writers of the review record
_PG_REVIEW_LOCK = 0x10C_ED1
T = TypeVar("T")


def _begin_write(session: Session) -> None:
    """Queue the writers of the review record before they read what their write depends on
    (the unique prev_hash still guards the chain)."""
    write_lock(session, _PG_REVIEW_LOCK)


def write(session: Session, work: Callable[[], T]) -> T:
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


# -- verify ------------------------------------------------------------------------------


def _walk(events: list[Any]) -> list[ChainProblem]:
    """Hashes and links, in id order."""
    problems: list[ChainProblem] = []
    known = {e.hash for e in events}
    previous = GENESIS
    for n, event in enumerate(events):
        where = f"review_events id={event.id}"
        if event_hash(_fields(event)) != event.hash:
            problems.append(ChainProblem(event.id, "edited", where))
        if event.prev_hash != previous:
            if n == 0:
                kind = "broken_head"  # the first event does not start the chain
            elif event.prev_hash in known:
                kind = "reordered"  # its predecessor is not the event before it
            else:
                kind = "deleted"  # its predecessor is missing (deleted or rewritten)
            problems.append(ChainProblem(event.id, kind, where))
        previous = event.hash
    return problems


def _replay(
    events: list[Any],
) -> tuple[dict[tuple[Any, ...], Any], dict[tuple[Any, ...], Any]]:
    """What ``return_reviews`` and ``period_locks`` should hold after the events, with the id
    of the event that last set each row."""
    reviews: dict[tuple[Any, ...], Any] = {}
    locks: dict[tuple[Any, ...], Any] = {}
    for e in events:
        if e.action in (LOCK, UNLOCK):
            key = (e.unit_scheme, e.unit_code, e.school_year, e.term)
            if e.action == LOCK:
                locks[key] = ((e.at, e.actor, e.reason), e.id)
            else:
                locks.pop(key, None)
            continue
        approved = e.to_state == State.APPROVED
        row = (
            e.to_state,
            e.content_hash,
            e.reason,
            e.at,
            e.actor,
            e.at if approved else None,
            e.actor if approved else None,
        )
        reviews[(e.school_code, e.school_year, e.term)] = (row, e.id)
    return reviews, locks


def _compare(
    name: str, expected: dict[tuple[Any, ...], Any], actual: dict[tuple[Any, ...], Any]
) -> list[ChainProblem]:
    problems = []
    for key in sorted(set(expected) | set(actual), key=lambda k: tuple(map(str, k))):
        want, event_id = expected.get(key, (None, None))
        have = actual.get(key)
        if want == have:
            continue
        label = "/".join(str(k) for k in key)
        how = "missing" if have is None else "extra" if want is None else "differs"
        text = f"{name} {label} ({how})"
        problems.append(ChainProblem(event_id, "unexplained", text))
    return problems


def verify(session: Session) -> ChainReport:
    """Walk the chain and replay it against the state tables (a read: records nothing).
    Tail truncation (the newest events and their state rows removed together) cannot be seen
    from the chain alone."""
    # rows, not ORM objects: quicker, and never an object the session held from before
    events = list(session.execute(select(*ReviewEvent.__table__.columns).order_by(ReviewEvent.id)))
    problems = _walk(events)
    reviews, locks = _replay(events)
    have_reviews = {
        (r.school_code, r.school_year, r.term): (
            r.state,
            r.content_hash,
            r.reason,
            r.updated_at,
            r.updated_by,
            r.approved_at,
            r.approved_by,
        )
        for r in session.execute(select(*ReturnReview.__table__.columns))
    }
    have_locks = {
        (k.unit_scheme, k.unit_code, k.school_year, k.term): (k.locked_at, k.locked_by, k.reason)
        for k in session.execute(select(*PeriodLock.__table__.columns))
    }
    problems += _compare("return_reviews", reviews, have_reviews)
    problems += _compare("period_locks", locks, have_locks)
    session.rollback()  # end the read transaction
    return ChainReport(not problems, len(events), problems, utcnow())
