"""Fixtures of the integration tests that several modules share."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from ioc import store
from ioc.config import Settings
from tests.integration.test_store import BACKENDS, database_url


@pytest.fixture(params=BACKENDS)
def review_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated store for the review tests: SQLite, and PostgreSQL (a schema of its own)
    when IOC_TEST_POSTGRES_URL is set."""
    with database_url(request.param, tmp_path) as url:
        made = store.make_engine(Settings(data_dir=tmp_path / "data", database_url=url))
        store.migrate(made)
        yield made
        made.dispose()


@pytest.fixture
def review_session(review_engine: Engine) -> Iterator[Session]:
    with store.open_session(review_engine) as opened:
        yield opened
