"""The review record's hash chain (ioc.store.review_chain) on SQLite and PostgreSQL: an event
edited, deleted or reordered, or a state row edited outside the product, is found with its
id; two writers appending at once leave one unbroken chain; ``ioc audit verify`` prints the
verdict and exits 1 when the record is broken."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from ioc import store
from ioc.config import Settings
from ioc.reviews.states import Action
from ioc.store import review_chain
from ioc.store.review_chain import ChainProblem
from ioc.store.review_models import ReviewEvent
from tests.conftest import run_ioc
from tests.integration.test_review_store import COMMUNE, act, lock


def record(session: Session) -> None:
    """Five events: check, approve, return, lock, approve of another school."""
    act(session, Action.CHECK, scopes=COMMUNE)  # 1
    act(session, Action.APPROVE)  # 2
    act(session, Action.RETURN, school="S2", reason="thiếu số lớp")  # 3
    act(session, Action.APPROVE, school="S3")  # 4
    lock(session)  # 5
    assert review_chain.verify(session).ok


def tamper(session: Session, *statements: str) -> list[ChainProblem]:
    for statement in statements:
        session.execute(text(statement))
    session.commit()
    report = review_chain.verify(session)
    assert not report.ok
    return report.problems


def kinds(problems: list[ChainProblem]) -> set[tuple[int | None, str]]:
    return {(p.event_id, p.kind) for p in problems}


def test_a_whole_record_verifies(review_session: Session) -> None:
    session = review_session
    record(session)
    report = review_chain.verify(session)
    assert (report.ok, report.events, report.problems) == (True, 5, [])


def test_an_edited_event_is_found(review_session: Session) -> None:
    session = review_session
    record(session)
    problems = tamper(session, "UPDATE review_events SET actor = 'someone' WHERE id = 2")
    assert (2, "edited") in kinds(problems)


def test_an_event_rewritten_with_a_fresh_hash_breaks_the_next_link(review_session: Session) -> None:
    session = review_session
    record(session)
    event = session.get(ReviewEvent, 2)
    assert event is not None
    event.reason = "đã kiểm"
    fields = {name: getattr(event, name) for name in (*review_chain.CHAINED, "prev_hash")}
    event.hash = review_chain.event_hash(fields)
    problems = tamper(session)
    assert (3, "deleted") in kinds(problems)
    assert (2, "edited") not in kinds(problems)


def test_a_deleted_event_is_found(review_session: Session) -> None:
    session = review_session
    record(session)
    problems = tamper(session, "DELETE FROM review_events WHERE id = 3")
    assert (4, "deleted") in kinds(problems)
    assert (None, "unexplained") in kinds(problems)  # the return S2 has a state no event made


def test_a_deleted_first_event_is_found(review_session: Session) -> None:
    session = review_session
    record(session)
    assert (2, "broken_head") in kinds(tamper(session, "DELETE FROM review_events WHERE id = 1"))


def test_reordered_events_are_found(review_session: Session) -> None:
    session = review_session
    record(session)
    problems = tamper(
        session,
        "UPDATE review_events SET id = 100 WHERE id = 3",
        "UPDATE review_events SET id = 3 WHERE id = 4",
        "UPDATE review_events SET id = 4 WHERE id = 100",
    )
    assert {(3, "reordered"), (4, "reordered")} <= kinds(problems)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE return_reviews SET state = 'approved' WHERE school_code = 'S2'",
        "UPDATE return_reviews SET approved_by = 'someone' WHERE school_code = 'S1'",
        "DELETE FROM return_reviews WHERE school_code = 'S3'",
        "INSERT INTO return_reviews (school_code, school_year, term, state, content_hash,"
        " updated_at, updated_by) VALUES ('S9', '2025-2026', 'DN', 'approved', 'h1',"
        " '2026-01-01 00:00:00', 'someone')",
        "DELETE FROM period_locks",
        "UPDATE period_locks SET locked_by = 'someone'",
    ],
)
def test_a_state_row_no_event_explains_is_found(review_session: Session, statement: str) -> None:
    session = review_session
    record(session)
    problems = tamper(session, statement)
    assert {p.kind for p in problems} == {"unexplained"}


def test_two_writers_at_once_leave_one_unbroken_chain(review_engine: Engine) -> None:
    engine, failures = review_engine, []

    def write(prefix: str) -> None:
        try:
            with store.open_session(engine) as own:
                for n in range(15):
                    act(own, Action.APPROVE, school=f"{prefix}{n}")
        except Exception as exc:
            failures.append(exc)

    threads = [threading.Thread(target=write, args=(p,)) for p in ("A", "B")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with store.open_session(engine) as session:
        report = review_chain.verify(session)
    assert (report.ok, report.events) == (True, 30)


def test_ioc_audit_verify_says_whole_or_broken(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    engine = store.make_engine(settings)
    store.migrate(engine)
    with store.open_session(engine) as session:
        record(session)
    whole = run_ioc(settings, "audit", "verify")
    assert "nguyên vẹn" in whole.stdout and "5" in whole.stdout
    with store.open_session(engine) as session:
        session.execute(text("UPDATE review_events SET reason = 'x' WHERE id = 3"))
        session.commit()
    engine.dispose()
    broken = run_ioc(settings, "audit", "verify", check=False)
    assert broken.returncode == 1
    assert "bị sửa" in broken.stdout and "review_events id=3" in broken.stdout
    answer = run_ioc(settings, "audit", "verify", "--json", "--lang", "en", check=False)
    body = json.loads(answer.stdout)
    assert answer.returncode == 1 and body["ok"] is False and body["events"] == 5
    assert body["problems"][0] == {
        "event_id": 3,
        "kind": "edited",
        "text": "event edited (its fields do not match its hash)",
        "detail": "review_events id=3",
    }
