"""The bulk review action (ioc.store.reviews.act_many) on a real store: the same outcome as
acting one return at a time, refused returns skipped and counted, the chain whole after."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from ioc import store
from ioc.config import Settings
from ioc.reviews.states import Action, ReviewError
from ioc.store import review_chain, reviews
from ioc.store.review_values import Item
from ioc.store.reviews import ReturnKey, act_many

LEGACY = ("2024-2025", "CN")  # the district checks (required), the Department approves
NEW = ("2025-2026", "DN")  # 2025: the Department approves directly


def place(province: str = "92", district: str = "925") -> dict[tuple[str, str], str]:
    return {
        ("legacy", "province"): province,
        ("legacy", "district"): district,
        ("2025", "province"): "92" if province in ("92", "93", "94") else province,
    }


HERE, LOCKED, OUTSIDE = place(), place("93", "930"), place("01", "001")
DEPARTMENT = [("legacy", "92"), ("legacy", "93")]
DISTRICT = [("legacy", "925")]


@pytest.fixture
def twin(tmp_path: Path) -> Iterator[Engine]:
    """A second SQLite store, to act on one return at a time."""
    made = store.make_engine(Settings(data_dir=tmp_path / "twin"))
    store.migrate(made)
    yield made
    made.dispose()


def prepare(session: Session) -> None:
    """S1, S3, S6 checked; S5 checked and approved; province 93 locked."""
    for school in ("S1", "S3", "S5", "S6", "S7"):
        reviews.act(
            session,
            actor="phong",
            action=Action.CHECK,
            key=ReturnKey(school, *LEGACY),
            content_hash="h",
            expected_hash="h",
            reason=None,
            scheme="legacy",
            scopes=[*DISTRICT, ("legacy", "930")],
            place=LOCKED if school == "S7" else HERE,
        )
    reviews.act(
        session,
        actor="so",
        action=Action.APPROVE,
        key=ReturnKey("S5", *LEGACY),
        content_hash="h",
        expected_hash="h",
        reason=None,
        scheme="legacy",
        scopes=DEPARTMENT,
        place=HERE,
    )
    reviews.lock(
        session,
        actor="so",
        unit_scheme="legacy",
        unit_code="93",
        school_year=LEGACY[0],
        term=LEGACY[1],
        pending=0,
        scopes=DEPARTMENT,
    )


ITEMS = [
    Item(ReturnKey("S1", *LEGACY), "h", "h", HERE),  # approved
    Item(ReturnKey("S2", *LEGACY), "h", "h", HERE),  # never checked: review_unchecked
    Item(ReturnKey("S3", *LEGACY), "h2", "h", HERE),  # changed since seen: review_stale
    Item(ReturnKey("S4", *LEGACY), "h", "h", OUTSIDE),  # review_forbidden
    Item(ReturnKey("S5", *LEGACY), "h", "h", HERE),  # already approved: review_state
    Item(ReturnKey("S6", *LEGACY), "h", "h", HERE),  # approved
    Item(ReturnKey("S6", *LEGACY), "h", "h", HERE),  # double: review_state
    Item(ReturnKey("S7", *LEGACY), "h", "h", LOCKED),  # period_locked
]


def state(session: Session) -> tuple[list[Any], list[Any]]:
    """The review rows and the events, without times and hashes."""
    found = (
        list(
            session.execute(
                text(
                    "SELECT school_code, state, content_hash, updated_by,"
                    " approved_by FROM return_reviews ORDER BY 1"
                )
            )
        ),
        list(
            session.execute(
                text(
                    "SELECT actor, action, school_code, from_state, to_state,"
                    " content_hash, reason FROM review_events ORDER BY id"
                )
            )
        ),
    )
    session.rollback()
    return found


def test_bulk_equals_one_by_one_and_the_chain_verifies(
    review_session: Session, twin: Engine
) -> None:
    prepare(review_session)
    result = act_many(
        review_session,
        actor="so",
        action=Action.APPROVE,
        items=ITEMS,
        reason=None,
        scheme="legacy",
        scopes=DEPARTMENT,
    )
    assert [review.key for review, _ in result.done] == [
        ReturnKey("S1", *LEGACY),
        ReturnKey("S6", *LEGACY),
    ]
    refused = Counter(error.code for error in result.refused.values())
    assert refused == Counter(
        review_unchecked=1, review_stale=1, review_forbidden=1, review_state=2, period_locked=1
    )
    with store.open_session(twin) as session:
        prepare(session)
        codes: Counter[str] = Counter()
        for item in ITEMS:
            try:
                reviews.act(
                    session,
                    actor="so",
                    action=Action.APPROVE,
                    key=item.key,
                    content_hash=item.content_hash,
                    expected_hash=item.expected_hash,
                    reason=None,
                    scheme="legacy",
                    scopes=DEPARTMENT,
                    place=item.place,
                )
            except ReviewError as exc:
                codes[exc.code] += 1
        assert codes == refused
        assert state(session) == state(review_session)
    report = review_chain.verify(review_session)
    assert report.ok, report.problems
    assert report.events == 5 + 1 + 1 + 2


def test_a_refused_bulk_changes_nothing(review_session: Session) -> None:
    prepare(review_session)
    before = state(review_session)
    result = act_many(
        review_session,
        actor="so",
        action=Action.REOPEN,
        items=ITEMS,
        reason=" ",  # reopen needs a reason: every item refused
        scheme="legacy",
        scopes=DEPARTMENT,
    )
    assert result.done == []
    assert set(result.refused) == {item.key for item in ITEMS}
    assert state(review_session) == before
