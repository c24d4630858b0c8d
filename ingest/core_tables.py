"""The core tables a writer session derives rather than loads: both unit schemes (static
reference data), and the registry and expected schools (from the returns and the pulled
registry: ``sql/core/``)."""

from __future__ import annotations

import time
from collections.abc import Collection
from datetime import UTC, datetime

import duckdb

from ioc import db
from ioc.catalog import load_rules
from ioc.config import Settings
from ioc.geo import admin as geo


def ensure_units(conn: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    """Load both unit schemes and the crosswalks into a new snapshot (static reference data).

    Each table is filled when empty, so a store made before a table existed gets it."""
    if not db.scalar(conn, "select count(*) from core_geo__units"):
        db.insert_frame(conn, "core_geo__units", geo.units())
        db.insert_frame(conn, "core_geo__commune_crosswalk", geo.commune_crosswalk())
    if not db.scalar(conn, "select count(*) from core_geo__district_crosswalk"):
        db.insert_frame(conn, "core_geo__district_crosswalk", geo.district_crosswalk())


CORE_TABLES = ("core_school__registry", "core_school__expected")  # sql/core/<table>.sql


def rebuild_core(
    conn: duckdb.DuckDBPyConnection,
    settings: Settings,
    schools: Collection[str] | None = None,
) -> bool:
    """Rebuild the derived core tables (registry, expected schools) from the returns: for
    every school, or only the rows of ``schools`` (those whose returns or registry records
    changed) when the tables are built and the periods each old province reported in stay
    the same (every school's expected rows depend on those). Whether it was only the
    schools' rows (a ``core`` row of ``meta__build_steps`` says so too)."""
    started = time.perf_counter()
    if schools and db.scalar(conn, db.sql("ingest/core_incremental_ready", settings.sql_dir)):
        before = conn.execute(db.sql("ingest/province_periods", settings.sql_dir)).fetchall()
        _core_rows(conn, settings, sorted(schools))
        if conn.execute(db.sql("ingest/province_periods", settings.sql_dir)).fetchall() == before:
            _record_core(conn, started, len(schools))
            return True
    _core_rows(conn, settings, None)
    _record_core(conn, started, None)
    return False


def _core_rows(
    conn: duckdb.DuckDBPyConnection, settings: Settings, schools: list[str] | None
) -> None:
    """Each core table built anew (``schools`` None), or its rows of ``schools`` replaced."""
    due = load_rules().quality.due
    values = {"dn_due": due["DN"], "cn_due": due["CN"], "all": schools is None}
    values["schools"] = schools or []
    for table in CORE_TABLES:
        select = db.sql(f"core/{table}", settings.sql_dir)
        params = {k: v for k, v in values.items() if f"${k}" in select}
        if schools is None:
            conn.execute(f"create or replace table {table} as {select}", params)
            continue
        conn.execute(
            f"delete from {table} where school_code in (select unnest($schools))",
            {"schools": schools},
        )
        conn.execute(f"insert into {table} by name {select}", params)


def _record_core(conn: duckdb.DuckDBPyConnection, started: float, schools: int | None) -> None:
    rows = db.scalar(conn, "select count(*) from core_school__expected")
    conn.execute(
        "insert into meta__build_steps values (?, 'core', ?, ?, ?, ?)",
        [
            datetime.now(UTC),
            "full" if schools is None else "incremental",
            None if schools is None else f"{schools} schools",
            time.perf_counter() - started,
            rows,
        ],
    )
