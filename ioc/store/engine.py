"""Where the store lives, how to open it, and how to bring its schema up to date."""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from ioc.config import Settings

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
#: Any constant; PostgreSQL advisory lock held while migrating, so that several API
#: instances starting together upgrade one after the other.
_PG_MIGRATION_LOCK = 0x10C_ED0
CONNECT_TIMEOUT_SECONDS = 3  # PostgreSQL: a new connection that takes longer fails
POOL_TIMEOUT_SECONDS = 10.0  # a request waits this long at most for a pooled connection
#: ``revision = "0004"`` and ``down_revision = "0003"`` lines of a revision file
_REVISION_LINE = re.compile(r"^(down_)?revision\b[^=\n]*=\s*(.+)$", re.MULTILINE)


def store_url(settings: Settings) -> str:
    """``IOC_DATABASE_URL``, or a SQLite file ``store.sqlite`` in the data directory."""
    if settings.database_url:
        return settings.database_url
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{settings.data_dir}/store.sqlite"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(settings_or_url: Settings | str) -> Engine:
    """An engine for the store (SQLite: foreign keys on, WAL, usable from any thread)."""
    url = settings_or_url if isinstance(settings_or_url, str) else store_url(settings_or_url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # a store that went away is noticed at once: a pooled connection is checked before use
    # (pool_pre_ping), a new one waits at most CONNECT_TIMEOUT_SECONDS, a busy pool at most
    # POOL_TIMEOUT_SECONDS; the caller answers 503 and the next request tries again
    libpq = parsed.get_driver_name() in ("psycopg", "psycopg2")
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_timeout=POOL_TIMEOUT_SECONDS,
        connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS} if libpq else {},
    )


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions whose objects stay readable after commit (``expire_on_commit=False``)."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def open_session(engine: Engine) -> Iterator[Session]:
    """A session that is closed on exit (service functions commit their own work)."""
    with session_factory(engine)() as session:
        yield session


def alembic_config() -> Config:
    """The Alembic configuration of the store, without an ini file."""
    from alembic.config import Config  # imported here: alembic is only needed to migrate

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    return config


def _lock_for_migration(connection: Connection) -> None:
    """Serialise concurrent migrations: one process upgrades, the others then find head."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK})
    elif connection.dialect.name == "sqlite":
        # pysqlite opens no transaction before DDL; take the write lock now so that the
        # whole upgrade is one transaction.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def write_lock(session: Session, advisory_key: int) -> None:
    """Queue writers before they read what their write depends on: on SQLite take the write
    lock now (pysqlite would take it only at the first write, after the reads); on
    PostgreSQL a transaction-level advisory lock on ``advisory_key`` (one per kind of
    writer). A unique constraint still guards against a writer that comes in another way."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        dbapi = connection.connection.dbapi_connection
        if dbapi is not None and not dbapi.in_transaction:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
    elif connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": advisory_key})


@functools.cache
def head_revisions() -> frozenset[str]:
    """The newest revisions of the migrations (those no revision follows), read from the
    revision files' ``revision`` and ``down_revision`` lines: what Alembic's script directory
    says, without importing Alembic and every revision (a test holds them equal)."""
    revisions: set[str] = set()
    followed: set[str] = set()
    for file in (MIGRATIONS_DIR / "versions").glob("[0-9]*.py"):
        for down, value in _REVISION_LINE.findall(file.read_text(encoding="utf-8")):
            found = ast.literal_eval(value.strip())
            names = {found} if isinstance(found, str) else set(found or ())
            (followed if down else revisions).update(names)
    return frozenset(revisions - followed)


def _at_head(engine: Engine) -> bool:
    """Whether the store is already at the newest revision (nothing to migrate)."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return False
        stored = connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
        return set(stored) == head_revisions()


def migrate(settings_or_engine: Settings | Engine) -> None:
    """Upgrade the store to the newest revision (idempotent; SQLite and PostgreSQL). A store
    already there is left alone without Alembic (a command's start: a tenth of a second)."""
    if isinstance(settings_or_engine, Engine):
        engine, owned = settings_or_engine, False
    else:
        engine, owned = make_engine(settings_or_engine), True
    try:
        if _at_head(engine):
            return
        from alembic import command  # imported here: alembic is only needed to migrate

        with engine.begin() as connection:
            _lock_for_migration(connection)
            config = alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    finally:
        if owned:
            engine.dispose()
