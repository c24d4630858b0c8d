"""The review service (ioc.store.reviews) on a real store: every transition and role, every
error code, and that a refused action changes nothing; SQLite, and PostgreSQL when
``IOC_TEST_POSTGRES_URL`` is set. The property tests over random sequences are
``test_review_properties.py``."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from ioc.reviews.states import Action, ReviewError
from ioc.store import review_chain, reviews
from ioc.store.reviews import ReturnKey

PERIOD = ("2025-2026", "DN")  # 2025 scheme: the commune may check, the Department approves
LEGACY = ("2024-2025", "CN")  # legacy: the district checks (required), the Department approves
#: a school of province 92: district 925 (legacy), commune 31120
PLACE = {
    ("legacy", "province"): "92",
    ("legacy", "district"): "925",
    ("legacy", "commune"): "31120",
    ("2025", "province"): "92",
    ("2025", "commune"): "31120",
}
PROVINCE = [("2025", "92"), ("legacy", "92")]  # the Department's approver
COMMUNE = [("2025", "31120")]  # a commune's checker (2025)
DISTRICT = [("legacy", "925")]  # a district's checker (legacy)
OUTSIDE = [("2025", "01"), ("legacy", "01"), ("2025", "00004")]  # other units
TABLES = ("return_reviews", "review_events", "period_locks")


def rows(session: Session) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the review tables, as the database holds them."""
    found = {
        t: [tuple(r) for r in session.execute(text(f"SELECT * FROM {t} ORDER BY 1, 2, 3, 4"))]
        for t in TABLES
    }
    session.rollback()
    return found


def act(
    session: Session,
    action: Action,
    *,
    school: str = "S1",
    period: tuple[str, str] = PERIOD,
    content: str = "h1",
    seen: str | None = None,
    reason: str | None = None,
    scopes: list[tuple[str, str]] = PROVINCE,
    actor: str = "approver",
    place: dict[tuple[str, str], str] = PLACE,
) -> tuple[reviews.Review, reviews.Event]:
    return reviews.act(
        session,
        actor=actor,
        action=action,
        key=ReturnKey(school, *period),
        content_hash=content,
        expected_hash=content if seen is None else seen,
        reason=reason,
        scheme="2025" if period == PERIOD else "legacy",
        scopes=scopes,
        place=place,
    )


def lock(session: Session, pending: int = 0, scopes: Any = PROVINCE, **kw: Any) -> reviews.Lock:
    args = {"unit_scheme": "2025", "unit_code": "92", "school_year": PERIOD[0], "term": PERIOD[1]}
    return reviews.lock(session, actor="approver", pending=pending, scopes=scopes, **{**args, **kw})


def unlock(session: Session, reason: str = "sửa sai", scopes: Any = PROVINCE, **kw: Any) -> None:
    args = {"unit_scheme": "2025", "unit_code": "92", "school_year": PERIOD[0], "term": PERIOD[1]}
    reviews.unlock(session, actor="approver", reason=reason, scopes=scopes, **{**args, **kw})


def refused(session: Session, code: str, status: int, call: Any, *args: Any, **kw: Any) -> None:
    """``call`` fails with ``code`` and leaves every review row as it was."""
    before = rows(session)
    with pytest.raises(ReviewError) as caught:
        call(session, *args, **kw)
    assert (caught.value.code, caught.value.status) == (code, status)
    assert rows(session) == before


def test_a_return_goes_received_checked_approved_reopened_and_returned(
    review_session: Session,
) -> None:
    session = review_session
    key = ReturnKey("S1", *PERIOD)
    checked, _ = act(session, Action.CHECK, scopes=COMMUNE, actor="commune")
    assert (checked.state, checked.updated_by, checked.approved_at) == ("checked", "commune", None)
    approved, event = act(session, Action.APPROVE, reason="khớp sổ")
    assert approved.state == "approved" and approved.approved_by == "approver"
    assert approved.approved_at == event.at == approved.updated_at
    assert (event.from_state, event.to_state, event.content_hash) == ("checked", "approved", "h1")
    reopened, _ = act(session, Action.REOPEN, reason="số học sinh sai")
    assert (reopened.state, reopened.approved_by, reopened.reason) == (
        "received",
        None,
        "số học sinh sai",
    )
    returned, _ = act(session, Action.RETURN, reason="  thiếu số lớp  ", scopes=COMMUNE)
    assert (returned.state, returned.reason) == ("returned", "thiếu số lớp")
    # a new version arrives: received again, and may be approved at once (2025: check optional)
    again, event = act(session, Action.APPROVE, content="h2")
    assert (event.from_state, again.state, again.content_hash) == ("received", "approved", "h2")
    assert [e.action for e in reviews.history(session, key)] == [
        "check",
        "approve",
        "reopen",
        "return",
        "approve",
    ]
    assert reviews.reviews_for(session, [key, ReturnKey("S9", *PERIOD)]) == {key: again}
    assert reviews.reviews_of_period(session, *PERIOD) == {key: again}
    assert reviews.approved(session) == [again]
    assert review_chain.verify(session).ok


def test_legacy_periods_need_the_district_check_before_approval(review_session: Session) -> None:
    session = review_session
    refused(session, "review_unchecked", 409, act, Action.APPROVE, period=LEGACY)
    refused(session, "review_forbidden", 403, act, Action.CHECK, period=LEGACY, scopes=PROVINCE)
    refused(session, "review_forbidden", 403, act, Action.APPROVE, period=LEGACY, scopes=DISTRICT)
    act(session, Action.CHECK, period=LEGACY, scopes=DISTRICT)
    assert act(session, Action.APPROVE, period=LEGACY)[0].state == "approved"


@pytest.mark.parametrize(
    ("action", "scopes"),
    [
        (Action.APPROVE, COMMUNE),  # a checker does not approve
        (Action.REOPEN, COMMUNE),
        (Action.CHECK, PROVINCE),  # the check is the commune's step
        (Action.APPROVE, OUTSIDE),  # another province, another commune
        (Action.RETURN, OUTSIDE),
        (Action.APPROVE, []),  # an analyst, a leader: no approver scope
    ],
)
def test_approvers_act_only_at_their_level_within_their_units(
    review_session: Session, action: Action, scopes: list[tuple[str, str]]
) -> None:
    session = review_session
    refused(session, "review_forbidden", 403, act, action, scopes=scopes, reason="x")


def test_bad_actions_get_their_code_and_change_nothing(review_session: Session) -> None:
    session = review_session
    refused(session, "review_stale", 409, act, Action.APPROVE, content="h2", seen="h1")
    refused(session, "review_reason", 422, act, Action.RETURN, reason="  ")
    refused(session, "review_state", 409, act, Action.REOPEN, reason="x")  # not approved
    act(session, Action.APPROVE)
    refused(session, "review_state", 409, act, Action.APPROVE)  # double submit
    refused(session, "review_state", 409, act, Action.CHECK, scopes=COMMUNE)
    refused(session, "review_reason", 422, act, Action.REOPEN)
    assert len(reviews.history(session, ReturnKey("S1", *PERIOD))) == 1


def test_a_locked_period_changes_only_by_reopen_or_unlock(review_session: Session) -> None:
    session = review_session
    act(session, Action.APPROVE)
    refused(session, "lock_pending", 409, lock, pending=3)
    refused(session, "lock_level", 422, lock, unit_code="31120")
    refused(session, "review_forbidden", 403, lock, scopes=[*COMMUNE, ("2025", "01")])
    made = lock(session, reason="chốt số liệu")
    assert (made.unit_code, made.locked_by, made.reason) == ("92", "approver", "chốt số liệu")
    assert reviews.locked(session, PLACE, *PERIOD) == made
    assert reviews.locked(session, PLACE, *LEGACY) is None
    refused(session, "period_locked", 409, lock)
    refused(session, "period_locked", 409, act, Action.APPROVE, school="S2")
    refused(session, "period_locked", 409, act, Action.RETURN, school="S2", reason="x")
    refused(session, "period_locked", 409, act, Action.CHECK, school="S2", scopes=COMMUNE)
    assert act(session, Action.REOPEN, reason="số sai")[0].state == "received"
    refused(session, "review_reason", 422, unlock, reason=" ")
    refused(session, "review_forbidden", 403, unlock, scopes=COMMUNE)
    unlock(session)
    refused(session, "lock_missing", 404, unlock)
    assert reviews.locks(session) == [] and reviews.locked(session, PLACE, *PERIOD) is None
    assert act(session, Action.APPROVE)[0].state == "approved"
    assert [e.action for e in reviews.history(session, ReturnKey("S1", *PERIOD))] == [
        "approve",
        "reopen",
        "approve",
    ]
    assert review_chain.verify(session).ok


def test_a_legacy_province_lock_holds_for_its_schools(review_session: Session) -> None:
    session = review_session
    lock(session, unit_scheme="legacy", school_year=LEGACY[0], term=LEGACY[1])
    refused(session, "period_locked", 409, act, Action.CHECK, period=LEGACY, scopes=DISTRICT)
    frozen = reviews.frozen(session)
    assert frozen.approved == {} and [k.unit_scheme for k in frozen.locks] == ["legacy"]


def test_frozen_holds_the_approved_returns_and_detail_stays_outside_the_chain(
    review_session: Session,
) -> None:
    session = review_session
    approved, event = act(session, Action.APPROVE)
    act(session, Action.RETURN, school="S2", reason="thiếu")
    reviews.set_detail(session, event.id, {"mail": "sent"})
    reviews.set_detail(session, event.id, {"to": "a@b"})
    assert reviews.history(session, approved.key)[0].detail == {"mail": "sent", "to": "a@b"}
    assert reviews.frozen(session).approved == {approved.key: approved}
    assert review_chain.verify(session).ok


def test_act_many_approves_what_it_may_and_names_the_rest(review_session: Session) -> None:
    session = review_session
    act(session, Action.APPROVE, school="S2")
    elsewhere = {**PLACE, ("2025", "province"): "01", ("legacy", "province"): "01"}
    items = [
        reviews.Item(ReturnKey("S1", *PERIOD), "h1", "h1", PLACE),
        reviews.Item(ReturnKey("S2", *PERIOD), "h1", "h1", PLACE),  # already approved
        reviews.Item(ReturnKey("S3", *PERIOD), "h2", "h1", PLACE),  # changed since shown
        reviews.Item(ReturnKey("S4", *PERIOD), "h1", "h1", elsewhere),  # another province
        reviews.Item(ReturnKey("S5", *PERIOD), "h1", "h1", PLACE),
    ]
    acted = reviews.act_many(
        session,
        actor="approver",
        action=Action.APPROVE,
        items=items,
        reason=None,
        scheme="2025",
        scopes=PROVINCE,
    )
    assert [r.key.school_code for r, _ in acted.done] == ["S1", "S5"]
    assert {k.school_code: e.code for k, e in acted.refused.items()} == {
        "S2": "review_state",
        "S3": "review_stale",
        "S4": "review_forbidden",
    }
    events = [e for _, e in acted.done]
    assert [e.id for e in events] == [2, 3] and events[0].at == events[1].at
    assert [r.key.school_code for r in reviews.approved(session)] == ["S1", "S2", "S5"]
    assert reviews.history(session, ReturnKey("S5", *PERIOD)) == [events[1]]
    assert review_chain.verify(session).ok
