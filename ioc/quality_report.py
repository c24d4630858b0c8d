"""The data-quality report of a unit and period: completeness and timeliness per child unit
with a score, the schools to chase, and every finding and warning."""

from __future__ import annotations

from typing import Any

import duckdb
import polars as pl

from ioc import db
from ioc.catalog import load_rules
from ioc.catalog.messages import describe
from ioc.config import Settings
from ioc.indicator_views import CHILD_LEVEL
from ioc.summary import Unit


def score(frame: pl.DataFrame) -> pl.DataFrame:
    """Completeness, timeliness (per cent) and the data-quality score of quality rows."""
    w = load_rules().quality.score_weights
    expected = pl.col("schools_expected")
    reported = pl.col("schools_reported")
    completeness = reported / expected
    timeliness = pl.col("schools_on_time") / expected
    clean = (
        pl.when(reported > 0).then(1 - pl.col("schools_with_findings") / reported).otherwise(0.0)
    )
    score = 100 * (
        w["completeness"] * completeness + w["timeliness"] * timeliness + w["clean"] * clean
    )
    return frame.with_columns(
        (100 * completeness).round(1).alias("completeness_pct"),
        (100 * timeliness).round(1).alias("timeliness_pct"),
        score.round(1).alias("quality_score"),
    )


def _params(unit: Unit, school_year: str, term: str) -> dict[str, str]:
    return {
        "scheme": unit.scheme,
        "level": unit.level,
        "code": unit.code,
        "school_year": school_year,
        "term": term,
    }


def completeness(
    conn: duckdb.DuckDBPyConnection, settings: Settings, unit: Unit, school_year: str, term: str
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Scored completeness rows of each child unit, and of the unit as a whole (one row, or
    none without expected schools)."""
    params = _params(unit, school_year, term)
    child_level = CHILD_LEVEL.get((unit.scheme, unit.level), unit.level)
    by_unit = score(
        db.query(conn, "queries/quality_by_unit", settings, child_level=child_level, **params)
    )
    whole = score(
        db.query(conn, "queries/quality_by_unit", settings, child_level=unit.level, **params)
    )
    return by_unit, whole


def quality_report(
    conn: duckdb.DuckDBPyConnection, settings: Settings, unit: Unit, school_year: str, term: str
) -> dict[str, Any]:
    params = _params(unit, school_year, term)
    by_unit, whole = completeness(conn, settings, unit, school_year, term)
    chase = db.query(conn, "queries/chase_list", settings, **params)
    found = describe(db.query(conn, "queries/unit_findings", settings, **params))
    return {
        "unit": {"scheme": unit.scheme, "level": unit.level, "code": unit.code, "name": unit.name},
        "period": f"{school_year}/{term}",
        "total": whole.to_dicts()[0] if whole.height else None,
        "by_unit": by_unit.to_dicts(),
        "chase_list": chase.to_dicts(),
        "findings": found.to_dicts(),
    }
