"""Frames computed once per build and shared through the :class:`~ioc.api.cache.BuildCache`:
by the requests (which cut them to a unit, filter, sort and page after the cache) and by the
warm-up thread (:mod:`ioc.api.warm`), which computes the default views of a new build before
anyone asks.

Each frame is computed for as many units as one computation can serve cheaply: every
province or every old district at once, every school of a period (cut to a unit by its place
columns), every province's series."""

from __future__ import annotations

import duckdb
import polars as pl

from ioc import db
from ioc.api.cache import Getter
from ioc.catalog.definitions import load_catalog
from ioc.config import Settings
from ioc.indicator_views import level_values, stored_values
from ioc.indicators import reported_values
from ioc.summary import Unit, no_unit, unit_level

NATIONAL_LEVELS = ("province", "district")  # levels computed for every unit at once
DEFAULT_INDICATOR = "NET_CLASS_SIZE"  # of a school list
SCHOOL_COLUMNS = (
    "school_code",
    "school_name",
    "level",
    "ownership",
    "area",
    "district_code_legacy",
    "commune_code_legacy",
    "commune_code_2025",
)
PROVINCE_COLUMNS = ("province_code_legacy", "province_code_2025")  # to cut by, not shown
PLACE_COLUMN = {
    ("legacy", "province"): "province_code_legacy",
    ("legacy", "district"): "district_code_legacy",
    ("legacy", "commune"): "commune_code_legacy",
    ("2025", "province"): "province_code_2025",
    ("2025", "commune"): "commune_code_2025",
}


def periods(get: Getter, cur: duckdb.DuckDBPyConnection, settings: Settings) -> list[str]:
    """``school_year/term`` of every period with returns, newest first."""
    return get(  # type: ignore[no-any-return]
        ("periods",),
        lambda: [
            f"{y}/{t}"
            for y, t in db.query(cur, "queries/periods", settings)
            .select("school_year", "term")
            .iter_rows()
        ],
    )


def units(
    get: Getter, cur: duckdb.DuckDBPyConnection, settings: Settings
) -> dict[tuple[str, str], Unit]:
    """Every unit of both schemes by (scheme, code)."""

    def index() -> dict[tuple[str, str], Unit]:
        rows = db.query(cur, "queries/unit_index", settings)
        return {(r[0], r[2]): Unit(*r) for r in rows.iter_rows()}

    return get(("units",), index)  # type: ignore[no-any-return]


def find_unit(
    get: Getter, cur: duckdb.DuckDBPyConnection, settings: Settings, code: str, scheme: str
) -> Unit:
    """:func:`ioc.summary.find_unit` from the index of every unit."""
    unit_level(code, scheme)
    found = units(get, cur, settings).get((scheme, code))
    if found is None:
        raise no_unit(code, scheme)
    return found  # type: ignore[no-any-return]


def level_batch(
    get: Getter,
    cur: duckdb.DuckDBPyConnection,
    settings: Settings,
    *,
    scheme: str,
    level: str,
    province: str | None,
    school_year: str,
    term: str,
) -> pl.DataFrame:
    """:func:`~ioc.indicator_views.level_values` of a level: every unit at once for the
    national levels, the units of one province otherwise."""
    if level in NATIONAL_LEVELS:
        province = None
    return get(  # type: ignore[no-any-return]
        ("level-values", scheme, level, province, school_year, term),
        lambda: level_values(
            cur,
            settings,
            scheme=scheme,
            level=level,
            province=province,
            school_year=school_year,
            term=term,
        ),
    )


def period_schools(
    get: Getter,
    cur: duckdb.DuckDBPyConnection,
    settings: Settings,
    *,
    school_year: str,
    term: str,
    indicator: str,
) -> pl.DataFrame:
    """Every school with a return in the period: its registry row, the units it is placed
    in and one indicator's value and norm status, by school code."""

    def compute() -> pl.DataFrame:
        registry = get(("registry",), lambda: db.query(cur, "queries/registry", settings))
        returns = db.query(
            cur, "queries/period_returns", settings, school_year=school_year, term=term
        )
        values = reported_values(returns, registry, load_catalog(), [indicator])
        base = registry.select(*SCHOOL_COLUMNS, *PROVINCE_COLUMNS).join(
            returns.select("school_code"), on="school_code", how="semi"
        )
        return (
            base.join(values.drop("school_year", "term"), on="school_code", how="left")
            .sort("school_code")
            .rechunk()
        )

    return get(("schools", school_year, term, indicator), compute)  # type: ignore[no-any-return]


def unit_schools(frame: pl.DataFrame, unit: Unit) -> pl.DataFrame:
    """The rows of :func:`period_schools` placed in one unit, without the province columns."""
    column = PLACE_COLUMN[(unit.scheme, unit.level)]
    return frame.filter(pl.col(column) == unit.code).drop(PROVINCE_COLUMNS)


def series_batch(
    get: Getter, cur: duckdb.DuckDBPyConnection, settings: Settings, unit: Unit
) -> pl.DataFrame:
    """Every indicator of a unit in every period (both terms); for a province, computed for
    every province of the scheme at once."""
    codes: list[str] | None = None if unit.level == "province" else [unit.code]

    def compute() -> pl.DataFrame:
        units = (
            codes
            or db.query(
                cur,
                "queries/level_units",
                settings,
                scheme=unit.scheme,
                level=unit.level,
                province=None,
            )["unit_code"].to_list()
        )
        return stored_values(
            cur,
            settings,
            scheme=unit.scheme,
            level=unit.level,
            unit_codes=units,
            school_years=None,
            term=None,
        )

    key = ("series", unit.scheme, unit.level, None if codes is None else unit.code)
    return get(key, compute)  # type: ignore[no-any-return]


def unit_series(batch: pl.DataFrame, unit: Unit, indicator: str, term: str | None) -> pl.DataFrame:
    """One indicator of one unit out of a :func:`series_batch`, oldest period first."""
    rows = batch.filter((pl.col("unit_code") == unit.code) & (pl.col("indicator_id") == indicator))
    if term is not None:
        rows = rows.filter(pl.col("term") == term)
    return rows.sort("school_year", pl.col("term") != "DN")
