"""What a report holds, read from the published snapshot with the shared readers.

A report's unit is any unit of either scheme, or the whole country (code ``VN``): the
country's figures are the stored sums of its provinces added up and finished by the
indicator engine, exactly as a province's are from its communes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import duckdb
import polars as pl

from ioc import db
from ioc.catalog import load_contract
from ioc.catalog.definitions import load_catalog
from ioc.compute.school_values import reported_values
from ioc.compute.unit_values import finish_wide
from ioc.config import Settings
from ioc.domain.period import Period
from ioc.domain.units import Unit, child_level, is_national, place_column
from ioc.reports.approvals import with_approvals
from ioc.views.indicators import (
    batch_of,
    catalog_frame,
    level_values,
    stored_sums,
    values_for,
)
from ioc.views.quality import completeness as unit_completeness
from ioc.views.quality import scored
from ioc.views.units import find_unit

#: indicators whose school-level value says nothing (a count of one school, or reporting)
NOT_PER_SCHOOL = ("schools", "completeness", "timeliness")
SUM_KEYS = ["scheme", "level", "unit_code", "province_code", "school_year", "term"]
#: place names the report's registry query adds to the registry's columns
UNIT_NAMES = ["district_name_legacy", "commune_name"]


def province_name(conn: duckdb.DuckDBPyConnection, settings: Settings, unit: Unit) -> str | None:
    """The name of the unit's province (e.g. 'Tỉnh Sóc Trăng'); None for the whole country."""
    if is_national(unit):
        return None
    if unit.level == "province" or not unit.province_code:
        return unit.name
    return find_unit(conn, settings, unit.province_code, unit.scheme).name


def children_level(unit: Unit) -> str | None:
    """The level of the units a report lists under its unit (the provinces of the country)."""
    return "province" if is_national(unit) else child_level(unit.scheme, unit.level)


@dataclass(frozen=True)
class Build:
    build_id: str | None
    data_as_of: datetime | None


def build_of(conn: duckdb.DuckDBPyConnection) -> Build:
    current = db.current_build(conn)
    return Build(*current) if current else Build(None, None)


def now() -> datetime:
    return datetime.now(UTC)


# --------------------------------------------------------------------------- indicators


def unit_rows(
    conn: duckdb.DuckDBPyConnection, settings: Settings, unit: Unit, school_year: str, term: str
) -> pl.DataFrame:
    """Every indicator of the unit (the rows of ``/indicators/values``)."""
    if is_national(unit):
        return _national_rows(conn, settings, unit, school_year, term)
    level, province = batch_of(unit, children=False)
    batch = level_values(
        conn,
        settings,
        scheme=unit.scheme,
        level=level,
        province=province,
        school_year=school_year,
        term=term,
    )
    return values_for(batch, unit, children=False, family=None)


def child_rows(
    conn: duckdb.DuckDBPyConnection, settings: Settings, unit: Unit, school_year: str, term: str
) -> pl.DataFrame:
    """Every indicator of each child unit (``/indicators/values?children=true``); none for a
    unit without children."""
    level = children_level(unit)
    if level is None:
        return pl.DataFrame()
    batch = level_values(
        conn,
        settings,
        scheme=unit.scheme,
        level=level,
        province=None if is_national(unit) else unit.province_code,
        school_year=school_year,
        term=term,
    )
    if is_national(unit):
        return batch
    return values_for(batch, unit, children=True, family=None)


def _national_rows(
    conn: duckdb.DuckDBPyConnection, settings: Settings, unit: Unit, school_year: str, term: str
) -> pl.DataFrame:
    provinces = db.query(
        conn, "queries/level_units", settings, scheme=unit.scheme, level="province", province=None
    )
    wide = stored_sums(
        conn,
        settings,
        basis="official",  # reports read official figures (docs/approval.md)
        scheme=unit.scheme,
        level="province",
        unit_codes=provinces["unit_code"].to_list(),
        school_years=[school_year, Period.of(school_year, term).previous_same_term.school_year],
        term=term,
        indicators=None,
    )
    summed = wide.group_by("scheme", "school_year", "term").agg(pl.exclude(SUM_KEYS).sum())
    summed = summed.select(
        "scheme",
        pl.lit("country").alias("level"),
        pl.lit(unit.code).alias("unit_code"),
        pl.lit(unit.code).alias("province_code"),
        "school_year",
        "term",
        pl.exclude("scheme", "school_year", "term"),
    )
    no_targets = db.query(conn, "queries/unit_targets", settings, scheme=unit.scheme, unit_codes=[])
    rows = finish_wide(summed, load_catalog(), no_targets.lazy())
    return (
        rows.filter(pl.col("school_year") == school_year)
        .with_columns(
            pl.lit(unit.name).alias("unit_name"), pl.lit(None, pl.String).alias("parent_code")
        )
        .join(catalog_frame(school_year, term), on="indicator_id")
        .sort("indicator_id")
    )


# --------------------------------------------------------------------------- completeness


def completeness(
    conn: duckdb.DuckDBPyConnection, settings: Settings, unit: Unit, school_year: str, term: str
) -> tuple[dict[str, Any] | None, pl.DataFrame]:
    """The unit's reporting completeness and timeliness, and each child unit's (``/quality``)."""
    if not is_national(unit):  # /quality's by_unit and total, without its chase list and findings
        by_unit, whole = unit_completeness(conn, settings, unit, school_year, term)
        return (whole.to_dicts()[0] if whole.height else None), by_unit
    params = {
        "scheme": unit.scheme,
        "level": "country",
        "code": None,
        "school_year": school_year,
        "term": term,
    }
    by_unit = scored(conn, settings, "province", **params)
    whole = scored(conn, settings, "country", **params)
    return (whole.to_dicts()[0] if whole.height else None), by_unit


# --------------------------------------------------------------------------- schools


def school_rows(
    conn: duckdb.DuckDBPyConnection, settings: Settings, unit: Unit, school_year: str, term: str
) -> pl.DataFrame:
    """One row per school of the unit with a return in the period: its registry entry and
    the value of every indicator computed on its return (as ``/schools`` computes one)."""
    params = {
        "scheme": unit.scheme,
        "level": unit.level,
        "code": None if is_national(unit) else unit.code,
    }
    registry = db.query(conn, "reports/school_registry", settings, **params)
    returns = db.query(
        conn, "reports/school_returns", settings, **params, school_year=school_year, term=term
    )
    catalog = load_catalog()
    ids = [i.id for i in catalog.indicators if i.kind not in NOT_PER_SCHOOL]
    values = reported_values(returns, registry.drop(UNIT_NAMES), catalog, ids)
    wide = values.pivot(on="indicator_id", index="school_code", values="value")
    missing = [i for i in ids if i not in wide.columns]
    wide = wide.with_columns(pl.lit(None, pl.Float64).alias(i) for i in missing)
    enums = load_contract().enums
    base = registry.join(returns.select("school_code"), on="school_code", how="semi").select(
        "school_code",
        "school_name",
        _enum_label("level", enums["level"]),
        _enum_label("ownership", enums["ownership"]),
        _enum_label("area", enums["area"]),
        "district_code_legacy",
        "district_name_legacy",
        pl.col(place_column(unit.scheme, "commune")).alias("commune_code"),
        "commune_name",
    )
    base = with_approvals(
        conn, settings, base, {**params, "school_year": school_year, "term": term}
    )
    return base.join(wide.select("school_code", *ids), on="school_code", how="left")


def _enum_label(name: str, labels: dict[str, list[str]]) -> pl.Expr:
    return pl.col(name).replace({code: names[0] for code, names in labels.items()})


def chase_rows(
    conn: duckdb.DuckDBPyConnection, settings: Settings, unit: Unit, school_year: str, term: str
) -> pl.DataFrame:
    """Schools expected but missing or late (``/quality/chase``)."""
    if is_national(unit):
        raise db.DataError("the chase list is per province or smaller unit, not the country")
    return db.query(
        conn,
        "queries/chase_list",
        settings,
        scheme=unit.scheme,
        level=unit.level,
        code=unit.code,
        school_year=school_year,
        term=term,
    )
