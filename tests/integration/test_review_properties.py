"""Property tests of the review service on a real SQLite store: random sequences of actions
by random actors (the Department's approver, a commune's checker, an approver of other units,
an analyst who has no approver scope), new versions of returns arriving (a new hash) and
locks. After every step: (a) a return counts only if the last effective action on that very
content was approve; (b) a locked period's reviews change only by reopen (or after unlock);
(c) a refused action left every review row as it was; (d) the chain verifies."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from ioc import store
from ioc.config import Settings
from ioc.reviews.states import Action, ReviewError, State, Stored, counts
from ioc.store import review_chain, reviews
from ioc.store.reviews import ReturnKey
from tests.integration.test_review_store import (
    COMMUNE,
    OUTSIDE,
    PERIOD,
    PLACE,
    PROVINCE,
    TABLES,
    rows,
)

SCHOOLS = ("S1", "S2")
ACTORS = {"department": PROVINCE, "commune": COMMUNE, "other": OUTSIDE, "analyst": []}
#: who acts: the Department most often, so that sequences reach approvals and locks
actors = st.sampled_from(["department", "department", "department", "commune", "other", "analyst"])

act_step = st.tuples(
    st.just("act"),
    actors,
    st.sampled_from(list(Action)),
    st.sampled_from(SCHOOLS),
    st.booleans(),  # stale: the actor saw an older version
    st.sampled_from([None, "", "lý do"]),
)
change_step = st.tuples(st.just("change"), st.sampled_from(SCHOOLS))
#: pending as the API counts it, or 0: the store's lock trusts its caller's count
lock_step = st.tuples(st.sampled_from(["lock", "unlock"]), actors, st.booleans())
steps = st.lists(st.one_of(act_step, act_step, act_step, change_step, lock_step), max_size=14)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    made = store.make_engine(Settings(data_dir=tmp_path_factory.mktemp("reviews") / "data"))
    store.migrate(made)
    yield made
    made.dispose()


class Model:
    """The returns' versions, what happened to each version, and the lock."""

    def __init__(self) -> None:
        self.serial = itertools.count(1)
        self.content = {s: f"h{next(self.serial)}" for s in SCHOOLS}
        self.seen_before = dict.fromkeys(SCHOOLS, "h0")  # an older version than the current
        self.last_on_content: dict[str, Action | None] = dict.fromkeys(SCHOOLS)
        self.locked = False

    def pending(self) -> int:
        return sum(self.last_on_content[s] is not Action.APPROVE for s in SCHOOLS)


def run(session: Session, model: Model, step: tuple[Any, ...]) -> None:
    before = rows(session)
    try:
        if step[0] == "change":
            change(model, step[1])
        elif step[0] in ("lock", "unlock"):
            lock_or_unlock(session, model, *step)
        else:
            act(session, model, *step[1:])
    except ReviewError:
        assert rows(session) == before  # (c) nothing changed
    check(session, model)


def change(model: Model, school: str) -> None:
    """A new version of the school's return arrives."""
    model.seen_before[school] = model.content[school]
    model.content[school] = f"h{next(model.serial)}"
    model.last_on_content[school] = None


def lock_or_unlock(session: Session, model: Model, kind: str, actor: str, honest: bool) -> None:
    where = {"unit_scheme": "2025", "unit_code": "92", "school_year": PERIOD[0], "term": PERIOD[1]}
    if kind == "lock":
        pending = model.pending() if honest else 0
        reviews.lock(session, actor=actor, pending=pending, scopes=ACTORS[actor], **where)
    else:
        reviews.unlock(session, actor=actor, reason="mở", scopes=ACTORS[actor], **where)
    assert actor == "department", "only the Department locks and unlocks"
    assert kind != "lock" or not honest or model.pending() == 0, "locked while pending"
    model.locked = kind == "lock"


def act(
    session: Session,
    model: Model,
    actor: str,
    action: Action,
    school: str,
    stale: bool,
    reason: str | None,
) -> None:
    current = model.content[school]
    reviews.act(
        session,
        actor=actor,
        action=action,
        key=ReturnKey(school, *PERIOD),
        content_hash=current,
        expected_hash=model.seen_before[school] if stale else current,
        reason=reason,
        scheme="2025",
        scopes=ACTORS[actor],
        place=PLACE,
    )
    assert not stale, "an action on a stale version was taken"
    assert actor in ("department", "commune"), "an actor without the scope acted"
    assert not model.locked or action is Action.REOPEN, "a locked period changed"  # (b)
    model.last_on_content[school] = action


def check(session: Session, model: Model) -> None:
    keys = [ReturnKey(s, *PERIOD) for s in SCHOOLS]
    found = reviews.reviews_for(session, keys)
    for key in keys:
        review = found.get(key)
        stored = Stored(State(review.state), review.content_hash) if review else None
        expected = model.last_on_content[key.school_code] is Action.APPROVE
        assert counts(stored, model.content[key.school_code]) == expected  # (a)
    assert bool(reviews.locks(session)) == model.locked  # (b) the lock is what was done
    report = review_chain.verify(session)
    assert report.ok, report.problems  # (d)


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sequence=steps)
def test_no_sequence_makes_an_unapproved_return_count_or_changes_a_locked_period(
    engine: Engine, sequence: list[tuple[Any, ...]]
) -> None:
    with store.open_session(engine) as session:
        for table in TABLES:
            session.execute(text(f"DELETE FROM {table}"))
        session.commit()
        model = Model()
        for step in sequence:
            run(session, model, step)
