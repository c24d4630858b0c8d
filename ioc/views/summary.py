"""The reconciliation summary: totals of every count field and schools by level and
ownership, for any unit of either scheme in one period (what an officer checks against
the paper report)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb
import polars as pl

from ioc import db
from ioc.catalog import load_contract
from ioc.config import Settings
from ioc.domain.period import Period

LEVEL_BY_LENGTH = {2: "province", 3: "district", 5: "commune"}


@dataclass(frozen=True)
class Unit:
    scheme: str
    level: str
    code: str
    name: str
    province_code: str = ""


def unit_level(code: str, scheme: str) -> str:
    """The level a unit code names (by its length); DataError if the scheme has no such."""
    level = LEVEL_BY_LENGTH.get(len(code))
    if level is None or not code.isdigit():
        raise db.DataError(
            f"unit code {code!r}: give 2 digits (province), 3 (district) or 5 (commune)"
        )
    if level == "district" and scheme == "2025":  # no such unit: 404 in the API
        raise db.NotFound(
            f"unit {code}: districts exist only in the legacy scheme (--scheme legacy)"
        )
    return level


def no_unit(code: str, scheme: str) -> db.NotFound:
    return db.NotFound(f"unit {code} does not exist in the {scheme} scheme")


def find_unit(conn: duckdb.DuckDBPyConnection, settings: Settings, code: str, scheme: str) -> Unit:
    unit_level(code, scheme)
    found = db.query(conn, "queries/unit_lookup", settings, scheme=scheme, code=code)
    if found.is_empty():
        raise no_unit(code, scheme)
    row = found.row(0, named=True)
    return Unit(scheme, row["level"], code, row["name"], row["province_code"])


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
