"""The reconciliation summary: totals of every count field and schools by level and
ownership, for any unit of either scheme in one period (what an officer checks against
the paper report)."""

from __future__ import annotations

from typing import Any

import duckdb
import polars as pl

from ioc import db
from ioc.catalog import load_contract
from ioc.config import Settings
from ioc.domain.period import Period
from ioc.views.units import find_unit


def summary(
    conn: duckdb.DuckDBPyConnection,
    settings: Settings,
    *,
    code: str,
    school_year: str,
    term: str,
    scheme: str | None = None,
) -> dict[str, Any]:
    scheme = scheme or Period.of(school_year, term).scheme
    unit = find_unit(conn, settings, code, scheme)
    returns = db.query(
        conn,
        "queries/unit_period_returns",
        settings,
        scheme=unit.scheme,
        level=unit.level,
        code=unit.code,
        school_year=school_year,
        term=term,
    )
    counts = load_contract().names_of("count")
    totals = {
        name: {
            "total": returns[name].sum() if returns[name].null_count() < returns.height else None,
            "schools_reporting": returns.height - returns[name].null_count(),
        }
        for name in counts
    }
    return {
        "unit": {"scheme": unit.scheme, "level": unit.level, "code": unit.code, "name": unit.name},
        "period": str(Period.of(school_year, term)),
        "schools": returns.height,
        "schools_by_level": _count_by(returns, "level"),
        "schools_by_ownership": _count_by(returns, "ownership"),
        "totals": totals,
    }


def _count_by(returns: pl.DataFrame, column: str) -> dict[str, int]:
    grouped = returns.group_by(column).len().sort(column)
    return {row[column]: row["len"] for row in grouped.iter_rows(named=True)}
