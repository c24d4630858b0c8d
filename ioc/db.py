"""DuckDB gateway: the only module that opens a DuckDB connection.

The analytical snapshot is one DuckDB file, ``data/ioc.duckdb``. Writers never touch it in
place: :func:`writer` copies it to ``data/build/``, yields a read-write connection on the
copy, and on success publishes the copy with an atomic rename. A reader (or a process
killed mid-ingest) therefore only ever sees a complete snapshot.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import shutil
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from ioc.config import Settings


class DataError(Exception):
    """A request the stored data cannot answer as asked (bad filter, invalid values...).
    ``str(exc)`` says why in English; a subclass that can say it in Vietnamese sets ``vi``
    (and its own ``code``)."""

    code = "invalid_request"
    vi: str | None = None


class NotFound(DataError):
    """An unknown unit, school, run or period."""


class NoData(DataError):
    """Nothing has been published yet."""


@functools.cache
def sql(name: str, sql_dir: Path) -> str:
    """The text of ``sql/<name>.sql``."""
    return (sql_dir / f"{name}.sql").read_text(encoding="utf-8")


def execute(conn: duckdb.DuckDBPyConnection, name: str, settings: Settings, **params: Any) -> None:
    conn.execute(sql(name, settings.sql_dir), params or None).fetchall()


def query(
    conn: duckdb.DuckDBPyConnection, name: str, settings: Settings, **params: Any
) -> pl.DataFrame:
    """Run the named query with ``$named`` parameters and return a Polars frame.

    Not ``pl.DataFrame(relation)`` (the Arrow PyCapsule stream): it gives the same frames,
    but with DuckDB 2.0 every process that read one printed nanobind's "leaked 27 instances"
    warning at exit (no memory grows: 3,000 such queries hold the same RSS), so a user saw it
    after each command."""
    return conn.sql(sql(name, settings.sql_dir), params=params or None).pl()


def configure(conn: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    """The settings of every connection the product opens to a snapshot."""
    conn.execute(f"set threads = {int(settings.duckdb_threads)}")
    conn.execute("set memory_limit = ?", [settings.duckdb_memory_limit])
    # text handed to Polars as Arrow string views, the layout Polars holds text in: the
    # national build's 1 million schools-periods read for a recompute took 0.15 GB less
    conn.execute("set arrow_output_version = '1.4'")
    conn.execute("set produce_arrow_string_view = true")


def connect_published(settings: Settings) -> duckdb.DuckDBPyConnection:
    """Read-only connection to the published snapshot."""
    path = settings.published_db
    if not path.exists():
        raise NoData(f"no published data at {path}: run 'ioc demo' or 'ioc ingest FILE...' first")
    return connect_path(path, settings)


def connect_path(path: Path, settings: Settings) -> duckdb.DuckDBPyConnection:
    conn = duckdb.connect(str(path), read_only=True)
    configure(conn, settings)
    return conn


def _schema_files(settings: Settings) -> list[Path]:
    return sorted((settings.sql_dir / "schema").glob("*.sql"))


def schema_fingerprint(settings: Settings) -> str:
    """What the schema files say, as one hash: it changes with any table, view or macro."""
    digest = hashlib.sha256()
    for file in _schema_files(settings):
        digest.update(file.name.encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()


def apply_schema(conn: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    """Run every ``sql/schema/*.sql`` (idempotent DDL) in file-name order, and record the
    fingerprint of what was applied."""
    for file in _schema_files(settings):
        conn.execute(file.read_text(encoding="utf-8"))
    conn.execute("delete from meta__schema")
    conn.execute("insert into meta__schema values (?)", [schema_fingerprint(settings)])


def _applied_schema(conn: duckdb.DuckDBPyConnection) -> str | None:
    """The fingerprint of the schema applied to a snapshot (None: none recorded)."""
    has_table = scalar(
        conn, "select count(*) from duckdb_tables() where table_name = 'meta__schema'"
    )
    return scalar(conn, "select fingerprint from meta__schema") if has_table else None


def upgrade_schema(settings: Settings) -> bool:
    """Bring a published snapshot written by an older version up to this version's schema
    (new tables, views and macros such as ``period_order``), without a new build: readers
    keep their build id and caches. True if it had to; a missing snapshot is left alone."""
    if not settings.published_db.exists():
        return False
    conn = connect_published(settings)
    try:
        stored = _applied_schema(conn)
    finally:
        conn.close()
    if stored == schema_fingerprint(settings):
        return False
    with writer(settings, new_build=lambda: False):
        pass  # the writer applies the schema to its copy and publishes it
    return True


@contextlib.contextmanager
def _writer_lock(settings: Settings) -> Iterator[None]:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with (settings.data_dir / ".writer.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released by the OS even if the process is killed
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@contextlib.contextmanager
def writer(
    settings: Settings, *, new_build: Callable[[], bool] = lambda: True, publish: bool = True
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection on a private copy of the snapshot, published on success.

    The copy is a new build (a ``meta__builds`` row: readers' build id, caches and ETags
    change) when ``new_build()``, asked at the end, says so. A session that only recorded
    what failed is published without one: readers see its records, their build stays.
    ``publish=False`` (a dry run) discards the copy at the end instead."""
    with _writer_lock(settings):
        settings.build_dir.mkdir(parents=True, exist_ok=True)
        for stale in settings.build_dir.glob("ioc-*.duckdb*"):  # left by a killed writer
            stale.unlink()
        build_id = uuid.uuid4().hex[:12]
        work = settings.build_dir / f"ioc-{build_id}.duckdb"
        if settings.published_db.exists():
            shutil.copyfile(settings.published_db, work)
        conn = duckdb.connect(str(work))
        try:
            configure(conn, settings)
            # a copy that has this version's schema already (its fingerprint) is not given
            # it again: every DDL file run anew is a tenth of a second of each session
            if _applied_schema(conn) != schema_fingerprint(settings):
                apply_schema(conn, settings)
            yield conn
            if not publish:
                raise _Discard
            if new_build():
                conn.execute(
                    "insert into meta__builds values (?, ?)", [build_id, datetime.now(UTC)]
                )
            conn.execute("checkpoint")
            conn.close()
            work.replace(settings.published_db)
        except _Discard:
            conn.close()
            work.unlink(missing_ok=True)
        except BaseException:
            conn.close()
            work.unlink(missing_ok=True)
            raise


class _Discard(Exception):
    """A session that is not to be published (a dry run) ends."""


def insert_frame(conn: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    """Append a frame to one of our tables, matching columns by name."""
    conn.register("incoming", frame)
    try:
        conn.execute(f"insert into {table} by name select * from incoming")
    finally:
        conn.unregister("incoming")


def scalar(conn: duckdb.DuckDBPyConnection, statement: str, params: Any = None) -> Any:
    """The single value of a one-row, one-column statement (None if no row)."""
    rows = conn.execute(statement, params).fetchall()
    return rows[0][0] if rows else None


def current_build(conn: duckdb.DuckDBPyConnection) -> tuple[str, datetime] | None:
    rows = conn.execute(
        "select build_id, timezone('UTC', built_at) from meta__builds "
        "order by built_at desc limit 1"
    ).fetchall()
    return (rows[0][0], rows[0][1].replace(tzinfo=UTC)) if rows else None
