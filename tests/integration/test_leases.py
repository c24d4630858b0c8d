"""The scheduler lease and the instances' heartbeats over a real store (SQLite, and
PostgreSQL when IOC_TEST_POSTGRES_URL is set): take, renew, expiry, term, release; contenders
in threads and in processes never both hold it; the jobs of dead instances are interrupted
and those of live ones are not."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from ioc import store
from ioc.config import Settings
from ioc.jobs.presence import Presence
from ioc.store import instances, jobs, leases
from tests.conftest import REPO
from tests.integration.test_store import BACKENDS, database_url, fresh

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
TTL = 15.0


@pytest.fixture(params=BACKENDS)
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    with database_url(request.param, tmp_path) as url:
        yield Settings(data_dir=tmp_path / "data", database_url=url)


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    store.migrate(settings)
    made = store.make_engine(settings)
    yield made
    made.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with store.open_session(engine) as opened:
        yield opened


def test_take_renew_expire_release(session: Session, engine: Engine) -> None:
    assert leases.current(session, "scheduler", T0) is None
    assert leases.acquire(session, "scheduler", "a", T0, TTL) == 1
    assert leases.acquire(session, "scheduler", "b", T0 + timedelta(seconds=5), TTL) is None
    assert leases.acquire(session, "scheduler", "a", T0 + timedelta(seconds=10), TTL) == 1
    with fresh(engine) as other:  # renewed: still a's 24 s after it was taken
        held = leases.current(other, "scheduler", T0 + timedelta(seconds=24))
        assert held is not None and (held.holder, held.term) == ("a", 1)
        assert held.expires_at == T0 + timedelta(seconds=25)
    # a's lease ran out: b takes it, the term counts the hand-over
    late = T0 + timedelta(seconds=25)
    assert leases.current(session, "scheduler", late) is None
    assert leases.acquire(session, "scheduler", "b", late, TTL) == 2
    assert leases.acquire(session, "scheduler", "a", late, TTL) is None
    leases.release(session, "scheduler", "a")  # not a's: nothing happens
    assert leases.acquire(session, "scheduler", "a", late + timedelta(seconds=1), TTL) is None
    leases.release(session, "scheduler", "b")
    now = datetime.now(UTC)
    assert leases.current(session, "scheduler", now) is None
    assert leases.acquire(session, "scheduler", "a", now, TTL) == 3


def _contend(settings: Settings, holders: list[str], now: datetime) -> list[int | None]:
    engine = store.make_engine(settings)
    barrier = threading.Barrier(len(holders))
    won: list[int | None] = [None] * len(holders)

    def take(i: int) -> None:
        with store.open_session(engine) as session:
            barrier.wait()
            won[i] = leases.acquire(session, "scheduler", holders[i], now, TTL)

    threads = [threading.Thread(target=take, args=(i,)) for i in range(len(holders))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    engine.dispose()
    return won


def test_contending_threads_never_both_win(settings: Settings, engine: Engine) -> None:
    holders, term, winner = [f"t{i}" for i in range(6)], 0, None
    for now in (T0 + timedelta(seconds=20 * k) for k in range(4)):
        won = _contend(settings, holders, now)  # free (first round), then expired each time
        assert sum(t is not None for t in won) == 1, won
        last, winner = winner, next(i for i, t in enumerate(won) if t is not None)
        term += winner != last  # a hand-over counts; the holder taking it again does not
        assert won[winner] == term


CONTENDER = """
import sys
from datetime import datetime
from ioc import store
from ioc.config import Settings
from ioc.store import leases
settings = Settings(data_dir=sys.argv[1], database_url=sys.argv[2] or None)
engine = store.make_engine(settings)
now = datetime.fromisoformat(sys.argv[3])
with store.open_session(engine) as session:
    print(leases.acquire(session, "scheduler", sys.argv[4], now, 15.0))
"""


def test_contending_processes_never_both_win(settings: Settings, engine: Engine) -> None:
    now = datetime.now(UTC)
    args = [str(settings.data_dir), settings.database_url or "", now.isoformat()]
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CONTENDER, *args, f"p{i}"],
            cwd=REPO,
            stdout=subprocess.PIPE,
            text=True,
        )
        for i in range(3)
    ]
    answers = [proc.communicate(timeout=60)[0].strip() for proc in procs]
    assert sorted(answers) == ["1", "None", "None"], answers


def test_the_jobs_of_dead_instances_are_interrupted(session: Session, engine: Engine) -> None:
    now = datetime.now(UTC)
    instances.beat(session, "host:1:live", None, now - timedelta(seconds=5))
    instances.beat(session, "host:2:dead", "b1", now - timedelta(seconds=TTL + 1))
    assert [i.id for i in instances.alive(session, now, TTL)] == ["host:1:live"]
    live = jobs.add_job(session, "echo", "op", {}, "host:1:live")
    assert jobs.claim(session, live.id, "host:1:live")
    queued_live = jobs.add_job(session, "echo", "op", {}, "host:1:live")
    dead = jobs.add_job(session, "echo", "op", {}, "host:2:dead")
    assert jobs.claim(session, dead.id, "host:2:dead")
    unknown = jobs.add_job(session, "echo", "op", {}, "host:3:never-seen")
    nobody = jobs.add_job(session, "echo", "op", {})
    gone = instances.interrupt_orphans(session, now, TTL, {"code": "job_interrupted"})
    assert sorted(j.id for j in gone) == [dead.id, unknown.id, nobody.id]
    with fresh(engine) as other:
        statuses = {j.id: j.status for j in jobs.list_jobs(other, None)}
    assert statuses[live.id] == "running" and statuses[queued_live.id] == "queued"
    assert {statuses[j] for j in (dead.id, unknown.id, nobody.id)} == {"interrupted"}
    assert instances.interrupt_orphans(session, now, TTL, {}) == []
    # a day later the dead instance's row is forgotten at the next beat
    instances.beat(session, "host:1:live", None, now + timedelta(days=1))
    assert {i.id for i in session.scalars(select(store.Instance))} == {"host:1:live"}


def test_presence_gains_renews_and_hands_over(settings: Settings, engine: Engine) -> None:
    """Two presences on one store (beats driven by hand): one holds the lease; when it stops
    the other gains it at its next beat; a non-candidate never does."""
    sessions = store.session_factory(engine)
    events: list[str] = []

    def presence(name: str, candidate: bool = True) -> Presence:
        made = Presence(
            settings.model_copy(update={"reports_scheduler": candidate}),
            sessions,
            lambda: events.append(f"{name} gain"),
            lambda: events.append(f"{name} loss"),
            on_held=lambda: events.append(f"{name} held"),
        )
        made.instance = f"host:{ord(name)}:{name}"
        return made

    a, b, c = presence("a"), presence("b"), presence("c", candidate=False)
    for p in (a, b, c):
        p.beat()
    assert (a.holding(), b.holding(), c.holding()) == (True, False, False)
    assert events == ["a gain", "a held"]
    assert b.status()["scheduler_holder"] == "host:97:a" and b.status()["scheduler"] is False
    a.beat()
    assert events[-1] == "a held"
    a.stop()  # never started: no thread; stops its schedules and gives the lease up
    assert events[-1] == "a loss" and not a.holding()
    c.beat()
    b.beat()
    assert b.holding() and events[-2:] == ["b gain", "b held"]
    assert b.status() | {"started_at": None} == {
        "instance": "host:98:b",
        "pid": b.status()["pid"],
        "started_at": None,
        "scheduler": True,
        "scheduler_holder": "host:98:b",
    }
