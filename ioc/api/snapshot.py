"""The published DuckDB snapshot as the API sees it: opened read-only, reopened when a new
file is published (atomic rename), one cursor per request.

A new build is opened and warmed in the background while requests still read the build
served (each request reads the one build it started on): the process switches to it once
its default views are computed (:meth:`Snapshot.on_prepare`), or after ``SWITCH_WAIT_SECONDS``
anyway, so the first requests after a switch find their answers computed. The process that
published a build itself (an upload's job) waits for that switch on its next request, so
what it published is what that request reads.

A file replaced is never closed here: requests and the warm-up still reading it hold
cursors of their own, and the connection is dropped, not closed, so DuckDB closes it when
the last of them is done (closing it under them failed those requests). A file published
without a new build (an ingest that only recorded failed runs) is reopened, so its runs are
seen, but keeps the build: its caches, ETags and warm-up stand."""

from __future__ import annotations

import fcntl
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

import duckdb

from ioc import db
from ioc.config import Settings

log = logging.getLogger("ioc.api")
RECHECK_SECONDS = 0.5  # how often the published file is checked for a new build
SWITCH_WAIT_SECONDS = 2.0  # a new build is served after this long even if not yet warm


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
# called when a new build is opened, before it is served: set when it may be served
OnPrepare = Callable[[Build, duckdb.DuckDBPyConnection], threading.Event]


class Snapshot:
    def __init__(self, settings: Settings, switch_wait: float = SWITCH_WAIT_SECONDS) -> None:
        self.settings = settings
        self.switch_wait = switch_wait
        self._lock = threading.Lock()
        self._opened: Opened | None = None
        self._checked = 0.0
        self._on_open: list[OnOpen] = []
        self._on_prepare: list[OnPrepare] = []
        self._preparing: threading.Event | None = None  # set when the preparation ends
        # the file this process published: requests wait until it is served
        self._awaited: tuple[int, int] | None = None

    def on_open(self, callback: OnOpen) -> None:
        """Call ``callback(build, conn)`` whenever a build is opened, before any request reads
        it; a callback that reads later (in a thread) takes ``conn.cursor()`` at once."""
        self._on_open.append(callback)

    def on_prepare(self, callback: OnPrepare) -> None:
        """Call ``callback(build, conn)`` when a new build is opened, before the ``on_open``
        callbacks; the build is served once every event returned is set, or after
        ``switch_wait`` seconds (at once when no build is served yet)."""
        self._on_prepare.append(callback)

    def _file_identity(self) -> tuple[int, int] | None:
        try:
            stat = self.settings.published_db.stat()
        except FileNotFoundError:
            return None
        return stat.st_ino, stat.st_mtime_ns

    def _refresh(self) -> Opened:
        for _ in range(2):  # waits at most twice for what this process published
            opened, awaited = self._opened, self._awaited
            if opened is not None and opened.identity == awaited:
                self._awaited = awaited = None
            now = time.monotonic()
            if opened is not None and awaited is None and now - self._checked < RECHECK_SECONDS:
                return opened  # a publish is seen within RECHECK_SECONDS
            self._checked = now
            identity = self._file_identity()
            if opened is not None and identity == opened.identity:
                self._awaited = None  # the newest file is served
                return opened
            if identity is None:
                raise db.NoData("no data has been published yet: run 'ioc demo' or an ingest")
            if opened is None:
                with self._lock:  # nothing served yet: open it here and serve it at once
                    if self._opened is None:
                        self._switch(self._open(identity, wait=False))
                    return self._opened  # type: ignore[return-value]
            preparing = self._start_preparing(identity)
            if awaited is None:
                return opened  # served until the new build is ready
            preparing.wait()
        return self._opened  # type: ignore[return-value]

    def _start_preparing(self, identity: tuple[int, int]) -> threading.Event:
        """The preparation under way, or one of ``identity`` started now; set when it ends."""
        with self._lock:
            preparing = self._preparing
            if preparing is None:
                preparing = self._preparing = threading.Event()
                threading.Thread(
                    target=self._prepare,
                    args=(identity, preparing),
                    name="ioc-open-build",
                    daemon=True,
                ).start()
            return preparing

    def _prepare(self, identity: tuple[int, int], done: threading.Event) -> None:
        """Open a newly published file, warm its build and switch to it (in a thread)."""
        try:
            opened = self._open(identity, wait=True)
            with self._lock:
                self._switch(opened)
        except Exception:  # requests keep the build served; the next check tries again
            log.exception("opening the published build failed")
        finally:
            with self._lock:
                self._preparing = None
            self._checked = 0.0  # a file published meanwhile is looked at on the next request
            done.set()

    def _open(self, identity: tuple[int, int], wait: bool) -> Opened:
        """The file opened, and its build prepared if it is new: up to ``switch_wait`` seconds
        when ``wait``."""
        conn = self._open_linked(identity)
        current = db.current_build(conn)
        build = Build(*current) if current else None
        last_run = db.scalar(conn, "select max(run_id) from ingest_runs")
        served = self._opened
        if build is not None and (served is None or build != served.build):
            events = [callback(build, conn) for callback in self._on_prepare]
            deadline = time.monotonic() + self.switch_wait
            for event in events if wait else ():
                event.wait(max(0.0, deadline - time.monotonic()))
        return Opened(conn, build, identity, last_run)

    def _switch(self, opened: Opened) -> None:
        """Serve ``opened`` from now on (under the lock); the previous one is dropped only."""
        served = self._opened
        if opened.build is not None and (served is None or opened.build != served.build):
            for callback in self._on_open:
                callback(opened.build, opened.conn)
        self._opened = opened

    def _open_linked(self, identity: tuple[int, int]) -> duckdb.DuckDBPyConnection:
        """Open this build through a hard link: DuckDB caches open databases by path, so
        reopening the published path would hand back the previous build.

        Every process serving this data directory (the workers of ``ioc serve --workers``,
        other instances on a shared directory) links and opens under one file lock: one
        process removing the links of older builds never removes a link another has made
        but not opened yet (an open handle keeps its file alive). The links are named after
        their host, and a process removes only its own host's: on a network file system the
        client that removes an open file keeps it for its readers, but another machine's
        readers would lose it (docs/scale.md, "Several machines")."""
        links = self.settings.build_dir
        links.mkdir(parents=True, exist_ok=True)
        host = socket.gethostname()
        link = links / f"read-{identity[0]}-{identity[1]}@{host}.duckdb"
        with (links / "read.lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            for stale in links.glob(f"read-*@{host}.duckdb"):
                if stale != link:
                    stale.unlink(missing_ok=True)
            if not link.exists():  # another process may have linked this build already
                os.link(self.settings.published_db, link)
            return db.connect_path(link, self.settings)

    def published(self) -> None:
        """This process has just published a build: the next request looks at the file and
        reads the new build (waiting for its switch)."""
        self._awaited = self._file_identity()
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

    def freshness(self) -> tuple[str | None, float]:
        """The build of the published file, and how long it has waited for this process
        (seconds since it was published; 0 when this process answers from it)."""
        opened, identity = self._opened, self._file_identity()
        if identity is None:
            return None, 0.0
        if opened is not None and opened.identity == identity:
            return (opened.build.build_id if opened.build else None), 0.0
        waited = max(0.0, time.time() - identity[1] / 1e9)
        try:  # not opened here yet: read its build id on the side
            conn = db.connect_path(self.settings.published_db, self.settings)
            try:
                current = db.current_build(conn)
            finally:
                conn.close()
        except duckdb.Error:
            current = None
        return (current[0] if current else None), waited

    def close(self) -> None:
        """At shutdown: drop the open build (closed once its last cursor is)."""
        self._opened = None
