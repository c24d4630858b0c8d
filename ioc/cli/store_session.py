"""The operational store as a command opens it: migrated, one session, the engine disposed
after; a request the store refuses ends the command with its message (exit 1)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer
from rich.markup import escape

from ioc.cli.output import err
from ioc.config import get_settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


@contextmanager
def store_session() -> Iterator[Session]:
    # ioc.store (SQLAlchemy, Alembic) is imported here, not at the top: mounting a command
    # group must not slow down every other ``ioc`` command
    from ioc import store

    settings = get_settings()
    store.migrate(settings)
    engine = store.make_engine(settings)
    try:
        with store.open_session(engine) as session:
            yield session
    except store.StoreError as exc:
        err.print(f"[red]error:[/red] {escape(str(exc))}")
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
