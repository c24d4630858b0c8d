"""Rebuild the ``out_`` tables of a snapshot from its ``core_`` tables (inside a writer)."""

from __future__ import annotations

import duckdb
import polars as pl

from ioc import db
from ioc.catalog.definitions import load_catalog
from ioc.config import Settings
from ioc.indicators import compute


def _frame(conn: duckdb.DuckDBPyConnection, name: str, settings: Settings) -> pl.LazyFrame:
    return db.query(conn, f"indicators/{name}", settings).lazy()


def rebuild_indicators(conn: duckdb.DuckDBPyConnection, settings: Settings) -> int:
    """Recompute every indicator for every unit and period; returns the row count."""
    values = compute(
        _frame(conn, "returns", settings),
        _frame(conn, "registry", settings),
        _frame(conn, "expected", settings),
        _frame(conn, "targets", settings),
        load_catalog(),
    )
    conn.execute("delete from out_indicator__values")
    conn.register("incoming", values)
    try:
        conn.execute("insert into out_indicator__values by name select * from incoming")
    finally:
        conn.unregister("incoming")
    return values.height
