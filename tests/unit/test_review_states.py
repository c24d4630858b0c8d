"""The review state machine and who may take which step (ioc.reviews), pure: every transition
from every state, and every step for approvers at each level, inside and outside their units."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ioc.catalog.messages import Lang
from ioc.catalog.review_messages import review_text
from ioc.reviews.levels import may, steps
from ioc.reviews.states import (
    LOCK,
    UNLOCK,
    Action,
    ReviewError,
    State,
    Stored,
    counts,
    current_state,
    move,
)

#: (from, action) -> to, as docs/approval.md tables it; every other pair is review_state
MOVES = {
    (State.RECEIVED, Action.CHECK): State.CHECKED,
    (State.RECEIVED, Action.APPROVE): State.APPROVED,
    (State.CHECKED, Action.APPROVE): State.APPROVED,
    (State.RECEIVED, Action.RETURN): State.RETURNED,
    (State.CHECKED, Action.RETURN): State.RETURNED,
    (State.APPROVED, Action.REOPEN): State.RECEIVED,
}
PLACE = {
    ("legacy", "province"): "92",
    ("legacy", "district"): "925",
    ("legacy", "commune"): "31120",
    ("2025", "province"): "92",
    ("2025", "commune"): "31120",
}


@pytest.mark.parametrize("state", list(State))
@pytest.mark.parametrize("action", list(Action))
def test_every_transition(state: State, action: Action) -> None:
    target = MOVES.get((state, action))
    if target is None:
        with pytest.raises(ReviewError) as caught:
            move(state, action, check_required=False, reason="lý do")
        assert (caught.value.code, caught.value.status) == ("review_state", 409)
    else:
        assert move(state, action, check_required=False, reason="lý do") is target


@pytest.mark.parametrize("action", [Action.RETURN, Action.REOPEN])
@pytest.mark.parametrize("reason", [None, "", "   "])
def test_return_and_reopen_need_a_reason(action: Action, reason: str | None) -> None:
    with pytest.raises(ReviewError) as caught:
        move(
            State.RECEIVED if action is Action.RETURN else State.APPROVED,
            action,
            check_required=False,
            reason=reason,
        )
    assert (caught.value.code, caught.value.status) == ("review_reason", 422)


def test_a_required_check_comes_before_approval() -> None:
    with pytest.raises(ReviewError) as caught:
        move(State.RECEIVED, Action.APPROVE, check_required=True)
    assert caught.value.code == "review_unchecked"
    assert move(State.CHECKED, Action.APPROVE, check_required=True) is State.APPROVED
    assert steps("legacy").check_required and not steps("2025").check_required


@given(
    stored_state=st.none() | st.sampled_from(list(State)),
    stored_hash=st.sampled_from(["a", "b"]),
    now=st.sampled_from(["a", "b"]),
)
def test_a_return_counts_only_when_approved_on_this_very_content(
    stored_state: State | None, stored_hash: str, now: str
) -> None:
    stored = None if stored_state is None else Stored(stored_state, stored_hash)
    approved_now = stored_state is State.APPROVED and stored_hash == now
    assert counts(stored, now) is approved_now
    if stored is None or stored_hash != now:
        assert current_state(stored, now) is State.RECEIVED
    if stored_state is not None:  # the state as a Review holds it (a str) counts the same
        as_text = Stored(str(stored_state), stored_hash)  # type: ignore[arg-type]
        assert counts(as_text, now) is approved_now


@pytest.mark.parametrize(
    ("scheme", "scopes", "allowed"),
    [
        # 2025: the commune may check, the Department approves, returns, reopens, locks
        ("2025", [("2025", "31120")], {Action.CHECK, Action.RETURN}),
        ("2025", [("2025", "92")], {Action.APPROVE, Action.RETURN, Action.REOPEN, LOCK, UNLOCK}),
        # legacy: the district checks, the Department approves
        ("legacy", [("legacy", "925")], {Action.CHECK, Action.RETURN}),
        (
            "legacy",
            [("legacy", "92")],
            {Action.APPROVE, Action.RETURN, Action.REOPEN, LOCK, UNLOCK},
        ),
        # the Department is the Department in either scheme's codes
        ("legacy", [("2025", "92")], {Action.APPROVE, Action.RETURN, Action.REOPEN, LOCK, UNLOCK}),
        # a commune has no step in a legacy period (in either scheme's codes)
        ("legacy", [("legacy", "31120"), ("2025", "31120")], set()),
        # other units, and a caller with no approver scope (analyst, leader)
        ("2025", [("2025", "01"), ("2025", "00004")], set()),
        ("legacy", [("legacy", "01"), ("legacy", "926")], set()),
        ("2025", [], set()),
    ],
)
def test_who_may_take_which_step(
    scheme: str, scopes: list[tuple[str, str]], allowed: set[str]
) -> None:
    everything = [*Action, LOCK, UNLOCK]
    assert {a for a in everything if may(a, scheme, scopes, PLACE)} == allowed


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_review_error_and_reject_has_its_words(lang: Lang) -> None:
    from datetime import UTC, datetime

    values = {
        "action": "approve",
        "state": "approved",
        "unit": "92",
        "locked_by": "demo-approver",
        "locked_at": datetime(2026, 3, 9, 10, 15, tzinfo=UTC),
        "pending": 1234,
        "approved_at": datetime(2026, 3, 9, 10, 15, tzinfo=UTC),
        "approved_by": "demo-approver",
        "events": 5,
        "problems": 1,
    }
    codes = [
        "review_forbidden", "review_stale", "review_state", "review_reason", "review_unchecked",
        "period_locked", "lock_pending", "lock_level", "lock_missing", "approved_return",
        "locked_period", "chain_ok", "chain_broken",
    ]  # fmt: skip
    texts = {code: review_text(code, lang, values) for code in codes}
    assert all("{" not in text for text in texts.values())
    if lang == "vi":
        assert texts["review_state"] == "không thể duyệt báo cáo đang ở trạng thái 'đã duyệt'"
        assert "17:15 09/03/2026" in texts["approved_return"]  # in the display zone
        assert "1.234" in texts["lock_pending"]
