"""The published DuckDB snapshot as the API sees it: opened read-only, reopened when a new
build is published (atomic rename), one cursor per request."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
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


class Snapshot:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._conn: duckdb.DuckDBPyConnection | None = None
        self._identity: tuple[int, int] | None = None
        self.build: Build | None = None
        self._checked = 0.0

    def _file_identity(self) -> tuple[int, int] | None:
        try:
            stat = self.settings.published_db.stat()
        except FileNotFoundError:
            return None
        return stat.st_ino, stat.st_mtime_ns

    def _refresh(self) -> None:
        now = time.monotonic()
        if self._conn is not None and now - self._checked < RECHECK_SECONDS:
            return  # a publish is seen within RECHECK_SECONDS
        self._checked = now
        identity = self._file_identity()
        if identity == self._identity and self._conn is not None:
            return
        with self._lock:
            if identity == self._identity and self._conn is not None:
                return
            if identity is None:
                raise db.NoData("no data has been published yet: run 'ioc demo' or an ingest")
            conn = self._open_linked(identity)
            current = db.current_build(conn)
            old = self._conn
            self._conn, self._identity = conn, identity
            self.build = Build(*current) if current else None
            if old is not None:
                old.close()  # requests still holding a cursor keep that build open

    def _open_linked(self, identity: tuple[int, int]) -> duckdb.DuckDBPyConnection:
        """Open this build through a hard link of its own: DuckDB caches open databases by
        path, so reopening the published path would hand back the previous build."""
        links = self.settings.build_dir
        links.mkdir(parents=True, exist_ok=True)
        for stale in links.glob("read-*.duckdb"):
            stale.unlink(missing_ok=True)  # open handles keep their file alive
        link = links / f"read-{identity[0]}-{identity[1]}.duckdb"
        os.link(self.settings.published_db, link)
        return db.connect_path(link, self.settings)

    def published(self) -> None:
        """This process has just published a build: look at the file on the next request."""
        self._checked = 0.0

    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor on the newest published build; a request never sees a half-published one."""
        self._refresh()
        assert self._conn is not None
        cur = self._conn.cursor()
        try:
            yield cur
        finally:
            cur.close()

    def current(self) -> Build | None:
        try:
            self._refresh()
        except db.DataError:
            return None
        return self.build

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
