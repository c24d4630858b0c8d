"""The published DuckDB snapshot as the API sees it: opened read-only, reopened when a new
file is published (atomic rename), one cursor per request.

A file replaced is never closed here: requests and the warm-up still reading it hold
cursors of their own, and the connection is dropped, not closed, so DuckDB closes it when
the last of them is done (closing it under them failed those requests). A file published
without a new build (an ingest that only recorded failed runs) is reopened, so its runs are
seen, but keeps the build: its caches, ETags and warm-up stand."""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

import duckdb

from ioc import db
from ioc.config import Settings

RECHECK_SECONDS = 0.5  # how often the published file is checked for a new build


@dataclass(frozen=True)
class Build:
    build_id: str
    built_at: datetime


@dataclass(frozen=True)
class Opened:
    """One published file, opened: its connection and the build it holds (swapped as one)."""

    conn: duckdb.DuckDBPyConnection
    build: Build | None
    identity: tuple[int, int]
    last_run: int | None  # the newest ingest run: a failed run is recorded without a new build


OnOpen = Callable[[Build, duckdb.DuckDBPyConnection], None]


class Snapshot:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._opened: Opened | None = None
        self._checked = 0.0
        self._on_open: list[OnOpen] = []

    def on_open(self, callback: OnOpen) -> None:
        """Call ``callback(build, conn)`` whenever a build is opened, before any request reads
        it; a callback that reads later (in a thread) takes ``conn.cursor()`` at once."""
        self._on_open.append(callback)

    def _file_identity(self) -> tuple[int, int] | None:
        try:
            stat = self.settings.published_db.stat()
        except FileNotFoundError:
            return None
        return stat.st_ino, stat.st_mtime_ns

    def _refresh(self) -> Opened:
        opened, now = self._opened, time.monotonic()
        if opened is not None and now - self._checked < RECHECK_SECONDS:
            return opened  # a publish is seen within RECHECK_SECONDS
        self._checked = now
        identity = self._file_identity()
        if opened is not None and identity == opened.identity:
            return opened
        with self._lock:
            opened = self._opened
            if opened is not None and identity == opened.identity:
                return opened
            if identity is None:
                raise db.NoData("no data has been published yet: run 'ioc demo' or an ingest")
            conn = self._open_linked(identity)
            current = db.current_build(conn)
            build = Build(*current) if current else None
            if build is not None and (opened is None or build != opened.build):
                for callback in self._on_open:
                    callback(build, conn)
            last_run = db.scalar(conn, "select max(run_id) from ingest_runs")
            self._opened = Opened(
                conn, build, identity, last_run
            )  # the previous one is dropped only
            return self._opened

    def _open_linked(self, identity: tuple[int, int]) -> duckdb.DuckDBPyConnection:
        """Open this build through a hard link of its own: DuckDB caches open databases by
        path, so reopening the published path would hand back the previous build.

        Every process serving this data directory (the workers of ``ioc serve --workers``,
        other instances on a shared directory) links and opens under one file lock: one
        process removing the links of older builds never removes a link another has made
        but not opened yet (an open handle keeps its file alive)."""
        links = self.settings.build_dir
        links.mkdir(parents=True, exist_ok=True)
        link = links / f"read-{identity[0]}-{identity[1]}.duckdb"
        with (links / "read.lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            for stale in links.glob("read-*.duckdb"):
                if stale != link:
                    stale.unlink(missing_ok=True)
            if not link.exists():  # another process may have linked this build already
                os.link(self.settings.published_db, link)
            return db.connect_path(link, self.settings)

    def published(self) -> None:
        """This process has just published a build: look at the file on the next request."""
        self._checked = 0.0

    @contextmanager
    def cursor(self) -> Iterator[tuple[Build | None, duckdb.DuckDBPyConnection]]:
        """A cursor on the newest published build, and that build: a request never sees a
        half-published one, and what it computes is filed under the build it read."""
        opened = self._refresh()
        cur = opened.conn.cursor()
        try:
            yield opened.build, cur
        finally:
            cur.close()

    @contextmanager
    def connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """:meth:`cursor` without the build, for background work (schedules, warm-ups)."""
        with self.cursor() as (_, cur):
            yield cur

    def last_run(self) -> int | None:
        """The newest ingest run recorded in the published file (None without data)."""
        try:
            return self._refresh().last_run
        except db.DataError:
            return None

    def current(self) -> Build | None:
        try:
            return self._refresh().build
        except db.DataError:
            return None

    def close(self) -> None:
        """At shutdown: drop the open build (closed once its last cursor is)."""
        self._opened = None
