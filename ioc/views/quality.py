"""The data-quality report of a unit and period: completeness and timeliness per child unit
with a score, the schools to chase, and every finding and warning."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb
import polars as pl

from ioc import db
from ioc.catalog import load_rules
from ioc.catalog.definitions import load_catalog
from ioc.catalog.messages import describe
from ioc.config import Settings
from ioc.domain.period import Period
from ioc.domain.units import Unit, child_level


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


#: columns of ``queries/quality_by_unit`` for the figures of a whole level, not shown
LEVEL_ONLY = ("parent_code", "schools_to_chase")


def scored(
    conn: duckdb.DuckDBPyConnection, settings: Settings, child_level: str, **params: Any
) -> pl.DataFrame:
    """Scored rows of ``queries/quality_by_unit`` as they are shown."""
    rows = db.query(conn, "queries/quality_by_unit", settings, child_level=child_level, **params)
    return score(rows.drop(LEVEL_ONLY))


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
    below = child_level(unit.scheme, unit.level) or unit.level
    return scored(conn, settings, below, **params), scored(conn, settings, unit.level, **params)


def predecessors_without_returns(
    conn: duckdb.DuckDBPyConnection, settings: Settings, unit: Unit
) -> list[dict[str, str]]:
    """The old provinces a 2025 unit was formed from that have never reported (code, name,
    short_name); none for a unit of the old scheme."""
    if unit.scheme != "2025":
        return []
    rows = db.query(conn, "queries/predecessors_without_returns", settings, code=unit.code)
    return rows.drop("unit_code").to_dicts()


def _partial(total: dict[str, Any] | None) -> dict[str, Any] | None:
    """A unit's total when part of it has never reported: its counts stand for the part that
    did, but a share of that part is not the unit's completeness, timeliness or score."""
    if total is None:
        return None
    return total | {"completeness_pct": None, "timeliness_pct": None, "quality_score": None}


def without_reporting_shares(rows: pl.DataFrame) -> pl.DataFrame:
    """Indicator rows of a unit part of which has never reported: its reporting completeness
    and timeliness are unknown (the schools of that part are not even known), not 100 %."""
    kinds = ("completeness", "timeliness")
    ids = [i.id for i in load_catalog().indicators if i.kind in kinds]
    unknown = ("value", "norm_status", "target_status", "change", "previous_value")
    keep = ~pl.col("indicator_id").is_in(ids)
    return rows.with_columns(
        pl.when(keep).then(pl.col(c)).otherwise(None).alias(c) for c in unknown if c in rows.columns
    )


def _head(
    unit: Unit, school_year: str, term: str, total: dict[str, Any] | None, missing: list[Any]
) -> dict[str, Any]:
    return {
        "unit": {"scheme": unit.scheme, "level": unit.level, "code": unit.code, "name": unit.name},
        "period": str(Period.of(school_year, term)),
        "total": _partial(total) if missing else total,
        "predecessors_without_returns": missing,
    }


def quality_report(
    conn: duckdb.DuckDBPyConnection, settings: Settings, unit: Unit, school_year: str, term: str
) -> dict[str, Any]:
    params = _params(unit, school_year, term)
    by_unit, whole = completeness(conn, settings, unit, school_year, term)
    chase = db.query(conn, "queries/chase_list", settings, **params)
    found = describe(db.query(conn, "queries/unit_findings", settings, **params))
    missing = predecessors_without_returns(conn, settings, unit)
    total = whole.to_dicts()[0] if whole.height else None
    return _head(unit, school_year, term, total, missing) | {
        "by_unit": by_unit.to_dicts(),
        "chase_list": chase.to_dicts(),
        "findings": found.to_dicts(),
    }


@dataclass(frozen=True)
class LevelFigures:
    """What :func:`quality_report` says of every unit of a level in a period, computed at
    once: scored rows of the child units (``children``) and of the units themselves
    (``whole``), each under its unit's ``parent_code``, with its ``schools_to_chase``; and
    each unit's ``findings_count`` (``findings``)."""

    children: pl.DataFrame
    whole: pl.DataFrame
    findings: pl.DataFrame


def level_figures(
    conn: duckdb.DuckDBPyConnection,
    settings: Settings,
    scheme: str,
    level: str,
    school_year: str,
    term: str,
) -> LevelFigures:
    """The :class:`LevelFigures` of every unit of a level in a period (3 queries)."""
    period = {"scheme": scheme, "level": level, "school_year": school_year, "term": term}
    params = period | {"code": None}
    below = child_level(scheme, level) or level
    known = pl.col("parent_code").is_not_null()
    children = db.query(conn, "queries/quality_by_unit", settings, child_level=below, **params)
    whole = db.query(conn, "queries/quality_by_unit", settings, child_level=level, **params)
    findings = db.query(conn, "queries/findings_by_unit", settings, **period)
    return LevelFigures(score(children.filter(known)), score(whole.filter(known)), findings)


def unit_figures(
    children: pl.DataFrame,
    whole: pl.DataFrame,
    findings: int,
    unit: Unit,
    school_year: str,
    term: str,
    missing: list[dict[str, str]],
) -> dict[str, Any]:
    """A unit's :func:`quality_report` from its part of its level's :class:`LevelFigures`
    (its child rows, its own row, if any, and its findings count), with the lengths of its
    chase list and findings instead of the lists; ``missing``: its
    :func:`predecessors_without_returns`."""
    total = whole.drop(LEVEL_ONLY).to_dicts()[0] if whole.height else None
    return _head(unit, school_year, term, total, missing) | {
        "by_unit": children.drop(LEVEL_ONLY).to_dicts(),
        "chase_count": int(whole["schools_to_chase"].sum()),
        "findings_count": findings,
    }
