"""One review action on many returns in one transaction (docs/approval.md): the same checks
as :func:`ioc.store.reviews.act` per return, the refused ones skipped and counted, the chain
appended in order in bulk (hashes computed here, rows inserted with one executemany).

Its own module because :mod:`ioc.store.reviews` is at its size limit; it shares that module's
transaction (:func:`ioc.store.reviews._write`), so a bulk waits for, and retries against, the
single-return writers like any of them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, cast

from sqlalchemy import Table, insert, select, update
from sqlalchemy.orm import Session

from ioc.reviews.levels import Place, may, steps
from ioc.reviews.states import Action, ReviewError, State, Stored, current_state, move
from ioc.store import review_chain
from ioc.store.models import PeriodLock, ReturnReview, ReviewEvent
from ioc.store.reviews import _CHUNK, ReturnKey, _write
from ioc.store.types import utcnow

_EVENTS = cast(Table, ReviewEvent.__table__)
_REVIEWS = cast(Table, ReturnReview.__table__)


class BulkItem(NamedTuple):
    """One return to act on: its key, its content hash now, the hash the actor saw, its place."""

    key: ReturnKey
    content_hash: str
    expected_hash: str
    place: Place


@dataclass
class BulkResult:
    """What a bulk did: the returns acted on (in order), and the refused per error code."""

    acted: list[ReturnKey] = field(default_factory=list)
    refused: Counter[str] = field(default_factory=Counter)

    @property
    def outcomes(self) -> dict[str, int]:
        """{"acted": n, <error code>: n, ...}"""
        return {"acted": len(self.acted), **self.refused}


def _stored(session: Session, keys: Sequence[ReturnKey]) -> dict[ReturnKey, Stored]:
    """The stored state and hash of ``keys``, read in this transaction (never the identity
    map's possibly stale rows)."""
    by_period: dict[tuple[str, str], list[str]] = {}
    for key in set(keys):
        by_period.setdefault((key.school_year, key.term), []).append(key.school_code)
    found: dict[ReturnKey, Stored] = {}
    columns = (
        ReturnReview.school_code,
        ReturnReview.school_year,
        ReturnReview.term,
        ReturnReview.state,
        ReturnReview.content_hash,
    )
    for (year, term), codes in by_period.items():
        for start in range(0, len(codes), _CHUNK):
            query = select(*columns).where(
                ReturnReview.school_year == year,
                ReturnReview.term == term,
                ReturnReview.school_code.in_(codes[start : start + _CHUNK]),
            )
            for code, y, t, state, content in session.execute(query):
                found[ReturnKey(code, y, t)] = Stored(State(state), content)
    return found


def _locked(session: Session) -> set[tuple[str, str, str, str]]:
    query = select(
        PeriodLock.unit_scheme, PeriodLock.unit_code, PeriodLock.school_year, PeriodLock.term
    )
    return {(s, c, y, t) for s, c, y, t in session.execute(query)}


def _is_locked(held: set[tuple[str, str, str, str]], item: BulkItem) -> bool:
    key = item.key
    return any(
        (scheme, code, key.school_year, key.term) in held
        for scheme in ("legacy", "2025")
        if (code := item.place.get((scheme, "province"))) is not None
    )


def act_many(
    session: Session,
    *,
    actor: str,
    action: Action | str,
    items: Sequence[BulkItem],
    reason: str | None,
    scheme: str,
    scopes: Sequence[tuple[str, str]],
) -> BulkResult:
    """``action`` on every return of ``items`` (one period scheme), one transaction: per
    item the checks of ``act`` in its order (review_forbidden, review_stale, period_locked,
    then the state machine's); a refused item is skipped and counted, never half-applied.
    An item met twice acts on the state the first left."""
    action = Action(action)
    reason = reason.strip() if reason and reason.strip() else None
    check_required = steps(scheme).check_required

    def work() -> BulkResult:
        result = BulkResult()
        stored = _stored(session, [i.key for i in items])
        known = set(stored)
        held = _locked(session) if action is not Action.REOPEN else set()
        events: list[dict[str, Any]] = []
        states: dict[ReturnKey, dict[str, Any]] = {}
        prev = review_chain.head(session)
        for item in items:
            try:
                if not may(action, scheme, scopes, item.place):
                    raise ReviewError("review_forbidden", 403, action=str(action))
                if item.expected_hash != item.content_hash:
                    raise ReviewError("review_stale", 409)
                if held and _is_locked(held, item):
                    raise ReviewError("period_locked", 409)
                before = current_state(stored.get(item.key), item.content_hash)
                after = move(before, action, check_required=check_required, reason=reason)
            except ReviewError as exc:
                result.refused[exc.code] += 1
                continue
            key, at = item.key, utcnow()
            event = {
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
            event["hash"] = prev = review_chain.event_hash(event)
            events.append(event)
            stored[key] = Stored(after, item.content_hash)
            approved = after is State.APPROVED
            states[key] = {
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
            result.acted.append(key)
        if events:
            # Core inserts (the table, not the class): no ORM bookkeeping for thousands of rows
            session.execute(insert(_EVENTS), events)
            new = [row for key, row in states.items() if key not in known]
            old = [row for key, row in states.items() if key in known]
            if new:
                session.execute(insert(_REVIEWS), new)
            if old:
                session.execute(update(ReturnReview), old)
        return result

    return _write(session, work)
