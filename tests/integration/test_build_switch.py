"""A process switches to a new build only once it is prepared (its default views warmed),
or after ``switch_wait`` anyway; meanwhile every request reads the build served, and the
process that published a build reads it on its next request (ioc/api/snapshot.py)."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import duckdb

from ioc import db
from ioc.api import views
from ioc.api.cache import MISSING
from ioc.api.main import create_app
from ioc.api.snapshot import RECHECK_SECONDS, Build, Snapshot
from ioc.config import Settings
from ioc.domain.period import Period


def _publish(settings: Settings) -> str:
    """A new build of the same data, published; its id."""
    with db.writer(settings) as conn:
        pass
    conn = db.connect_path(settings.published_db, settings)
    try:
        current = db.current_build(conn)
    finally:
        conn.close()
    assert current is not None
    return current[0]


def _read(snapshot: Snapshot) -> tuple[str | None, str]:
    """The build a request reads, and the build its cursor's file holds."""
    with snapshot.cursor() as (build, cur):
        current = db.current_build(cur)
        assert current is not None
        return (build.build_id if build else None), current[0]


def _gated(settings: Settings, wait: float) -> tuple[Snapshot, dict[str, threading.Event]]:
    """A snapshot whose builds are ready when the test sets their events."""
    snapshot = Snapshot(settings, switch_wait=wait)
    gates: dict[str, threading.Event] = {}

    def prepare(build: Build, conn: duckdb.DuckDBPyConnection) -> threading.Event:
        return gates.setdefault(build.build_id, threading.Event())

    snapshot.on_prepare(prepare)
    return snapshot, gates


def _until(check: object, seconds: float) -> float:
    """Seconds until ``check()`` held (fails after ``seconds``)."""
    started = time.monotonic()
    while not check():  # type: ignore[operator]
        assert time.monotonic() - started < seconds, "never held"
        time.sleep(0.02)
    return time.monotonic() - started


def test_a_new_build_is_served_once_prepared_and_requests_meanwhile_read_the_old(
    tmp_path: Path,
) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    first = _publish(settings)
    snapshot, gates = _gated(settings, wait=60)
    opened: list[str] = []
    snapshot.on_open(lambda build, conn: opened.append(build.build_id))
    assert _read(snapshot) == (first, first)  # nothing served before: at once, unprepared
    second = _publish(settings)
    time.sleep(RECHECK_SECONDS * 1.2)
    started = time.monotonic()
    for _ in range(5):  # the new build is being prepared: each request reads the old one
        assert _read(snapshot) == (first, first)
        time.sleep(RECHECK_SECONDS / 2)
    assert time.monotonic() - started < RECHECK_SECONDS * 2.5 + 1  # nobody waited for it
    assert opened == [first] and second in gates
    gates[second].set()
    _until(lambda: snapshot.current() == Build(second, snapshot.current().built_at), 5)  # type: ignore[union-attr]
    assert _read(snapshot) == (second, second)
    assert opened == [first, second]
    snapshot.close()


def test_a_build_still_warming_is_served_after_the_wait(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    first = _publish(settings)
    snapshot, gates = _gated(settings, wait=1.0)
    assert _read(snapshot)[0] == first
    second = _publish(settings)
    time.sleep(RECHECK_SECONDS * 1.2)
    assert _read(snapshot)[0] == first
    took = _until(lambda: _read(snapshot)[0] == second, 10)
    assert not gates[second].is_set() and took >= 0.5
    snapshot.close()


def test_the_process_that_published_reads_its_build_on_its_next_request(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    first = _publish(settings)
    snapshot, gates = _gated(settings, wait=60)
    assert _read(snapshot)[0] == first
    second = _publish(settings)
    snapshot.published()
    threading.Timer(0.3, lambda: gates[second].set()).start()
    assert _read(snapshot) == (second, second)  # waited for its preparation
    snapshot.close()


def test_the_api_switches_with_the_default_views_of_the_new_build_computed(
    demo_settings: Settings, tmp_path: Path
) -> None:
    shutil.copytree(demo_settings.data_dir, tmp_path / "data")
    settings = demo_settings.model_copy(update={"data_dir": tmp_path / "data"})
    app = create_app(settings)
    snapshot: Snapshot = app.state.snapshot
    cache = app.state.cache
    ready: list[bool] = []

    def defaults_kept(build: Build, conn: duckdb.DuckDBPyConnection) -> None:
        newest = Period.parse(cache.peek(build.build_id, ("periods",))[0])
        key = views.level_batch(
            conn,
            settings,
            scheme=newest.scheme,
            level="province",
            province=None,
            school_year=newest.school_year,
            term=newest.term,
        ).key
        ready.append(cache.peek(build.build_id, key) is not MISSING)

    first = snapshot.current()
    assert first is not None
    snapshot.on_open(defaults_kept)
    second = _publish(settings)
    time.sleep(RECHECK_SECONDS * 1.2)
    assert snapshot.current() == first  # warming the new build
    _until(lambda: snapshot.current() != first, 30)
    current = snapshot.current()
    assert current is not None and current.build_id == second
    assert ready == [True]  # served once its default views were computed
    snapshot.close()
