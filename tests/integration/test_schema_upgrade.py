"""A snapshot written by an older version (without this version's tables and macros) is
brought up to date when the server starts, without a new build, and then serves."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import httpx
import pytest

from ioc import db
from ioc.config import Settings
from tests.conftest import serve


def _macros(path: Path) -> set[str]:
    conn = duckdb.connect(str(path), read_only=True)
    try:
        rows = conn.sql(
            "select function_name from duckdb_functions() where macro_definition is not null"
        )
        return {r[0] for r in rows.fetchall()}
    finally:
        conn.close()


def _make_old(settings: Settings) -> None:
    """What a snapshot of the version before Period looked like: no period macros, no
    schema fingerprint."""
    conn = duckdb.connect(str(settings.published_db))
    try:
        conn.execute("drop macro period_order")
        conn.execute("drop macro period_first_year")
        conn.execute("drop table meta__schema")
        conn.execute("checkpoint")
    finally:
        conn.close()


def test_an_old_snapshot_is_upgraded_once_without_a_new_build(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    assert db.upgrade_schema(settings) is False  # nothing published: nothing to do
    with db.writer(settings):
        pass
    _make_old(settings)
    assert "period_order" not in _macros(settings.published_db)
    conn = db.connect_published(settings)
    before = db.current_build(conn)
    conn.close()

    assert db.upgrade_schema(settings) is True
    assert {"period_order", "period_first_year", "school_unit"} <= _macros(settings.published_db)
    conn = db.connect_published(settings)
    assert db.current_build(conn) == before  # readers keep their build, caches and ETags
    conn.close()
    assert db.upgrade_schema(settings) is False  # up to date: no copy, no publish


@pytest.mark.slow  # a copy of the demo and a server of its own: CI runs it with the slow tests
def test_the_server_upgrades_an_old_demo_snapshot_and_serves_its_periods(
    demo_settings: Settings, tmp_path: Path
) -> None:
    old = Settings(data_dir=tmp_path / "old" / "data")
    shutil.copytree(demo_settings.data_dir, old.data_dir)
    _make_old(old)
    (tmp_path / "server").mkdir()
    for server in serve(old, tmp_path / "server"):
        with httpx.Client(base_url=server.base, timeout=30) as client:
            token = client.post(
                "/api/v1/auth/login", json={"username": "demo-leader", "password": "demo-2025!"}
            )
            assert token.status_code == 200, token.text
            periods = client.get("/api/v1/periods")
            assert periods.status_code == 200, periods.text
            assert any(p["period"] == "2021-2022/DN" for p in periods.json())
