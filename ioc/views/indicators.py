"""Read-side views of the computed indicators (shared by the CLI and, later, the API)."""

from __future__ import annotations

import functools
from collections.abc import Collection
from datetime import date
from typing import Any, Literal

import duckdb
import polars as pl

from ioc import db
from ioc.catalog.definitions import Catalog, Indicator, load_catalog
from ioc.compute.bases import on_basis
from ioc.compute.indicators import stored_columns, with_every_measure
from ioc.compute.unit_values import finish_wide
from ioc.config import Settings
from ioc.domain.period import Period
from ioc.domain.units import Unit, child_level

Basis = Literal["official", "all"]  # official: approved returns only (docs/approval.md)


def norm_sources(catalog: Catalog, ind: Indicator, on: date) -> list[str]:
    """The legal sources of the norm rules in force on a date."""
    if ind.norm is None:
        return []
    rules = catalog.norms.by_id[ind.norm].rules
    valid = [
        r.source
        for r in rules
        if (r.valid_from is None or r.valid_from <= on) and (r.valid_to is None or on <= r.valid_to)
    ]
    return list(dict.fromkeys(valid))


def stored_sums(
    conn: duckdb.DuckDBPyConnection,
    settings: Settings,
    *,
    basis: Basis,
    indicators: Collection[str] | None,
    **where: Any,
) -> pl.DataFrame:
    """The stored sums (wide, every measure column named) of ``basis`` for the units and
    periods ``where`` names (the parameters of ``queries/indicator_sums``); ``indicators``:
    only theirs (all when None)."""
    catalog = load_catalog()
    columns = stored_columns(catalog, indicators)
    found = db.query(
        conn, "queries/indicator_sums", settings, basis=basis, columns=columns, **where
    )
    return with_every_measure(on_basis(found, basis), catalog, indicators)


def stored_values(
    conn: duckdb.DuckDBPyConnection,
    settings: Settings,
    *,
    scheme: str,
    level: str,
    unit_codes: list[str],
    school_years: list[str] | None,
    term: str | None,
    basis: Basis = "official",
    indicators: Collection[str] | None = None,
    pending: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Long indicator rows (value, norm, target, status, change) for some units, computed
    from the stored sums of ``basis``; previous-year rows must be among the years asked for.
    Each row says its ``basis`` and the unit's ``pending`` returns of its period (not counted
    officially; read from ``pending``, the rows of ``queries/pending_returns`` for at least
    these units and periods, when given). ``indicators``: only these (all when None)."""
    where = {
        "scheme": scheme,
        "level": level,
        "unit_codes": unit_codes,
        "school_years": school_years,
        "term": term,
    }
    wide = stored_sums(conn, settings, basis=basis, indicators=indicators, **where)
    targets = db.query(conn, "queries/unit_targets", settings, scheme=scheme, unit_codes=unit_codes)
    rows = finish_wide(wide, load_catalog(), targets.lazy())
    if pending is None:
        pending = db.query(
            conn, "queries/pending_returns", settings, off=settings.approval == "off", **where
        )
    keys = ["unit_code", "school_year", "term"]
    return rows.join(pending, on=keys, how="left").with_columns(
        pl.lit(basis).alias("basis"), pl.col("pending").fill_null(0)
    )


@functools.cache
def catalog_frame(school_year: str, term: str) -> pl.DataFrame:
    """Names, units, direction and the norm sources in force, one row per indicator (the
    same frame for every caller of a period: never change it in place)."""
    catalog = load_catalog()
    on = Period.of(school_year, term).date
    return pl.DataFrame(
        [
            {
                "indicator_id": i.id,
                "family": i.family,
                "name_vi": i.vi,
                "name_en": i.en,
                "unit_vi": i.unit.vi,
                "unit_en": i.unit.en,
                "direction": i.direction,
                "is_count": i.is_count,
                "norm_sources": norm_sources(catalog, i, on),
            }
            for i in catalog.indicators
        ],
        schema_overrides={"norm_sources": pl.List(pl.String)},
    )


def level_values(
    conn: duckdb.DuckDBPyConnection,
    settings: Settings,
    *,
    scheme: str,
    level: str,
    province: str | None,
    school_year: str,
    term: str,
    basis: Basis = "official",
    indicators: Collection[str] | None = None,
    described: bool = True,
) -> pl.DataFrame:
    """Every indicator (of ``indicators``, if given) of every unit of one level (within one
    province, if given) for a period, with unit and indicator names: the batch behind
    single-unit and children views. Without the indicators' names, units and norm sources
    unless ``described`` (:func:`describe_rows` adds them to the rows kept)."""
    units = db.query(
        conn, "queries/level_units", settings, scheme=scheme, level=level, province=province
    )
    rows = stored_values(
        conn,
        settings,
        scheme=scheme,
        level=level,
        unit_codes=units["unit_code"].to_list(),
        school_years=[school_year, Period.of(school_year, term).previous_same_term.school_year],
        term=term,
        basis=basis,
        indicators=indicators,
    ).filter(pl.col("school_year") == school_year)
    rows = rows.join(units, on="unit_code").sort("unit_code", "indicator_id")
    return describe_rows(rows, school_year, term) if described else rows


def describe_rows(rows: pl.DataFrame, school_year: str, term: str) -> pl.DataFrame:
    """Indicator rows of a period with each indicator's names, unit, direction and the norm
    sources in force (:func:`catalog_frame`), in the same order."""
    return rows.join(catalog_frame(school_year, term), on="indicator_id", maintain_order="left")


def values_for(
    batch: pl.DataFrame, unit: Unit, *, children: bool, family: str | None
) -> pl.DataFrame:
    """The rows of one unit (or of its children) out of a :func:`level_values` batch."""
    column = "parent_code" if children else "unit_code"
    rows = batch.filter(pl.col(column) == unit.code)
    if family is not None:
        rows = rows.filter(pl.col("family") == family)
    return rows


def batch_of(unit: Unit, children: bool) -> tuple[str, str | None]:
    """The (level, province) batch that holds a unit's rows, or its children's."""
    if children:
        level = child_level(unit.scheme, unit.level)
        if level is None:
            raise db.DataError(
                f"unit {unit.code} ({unit.level}) has no child units in the {unit.scheme} scheme"
            )
        return level, unit.province_code
    return unit.level, None if unit.level == "province" else unit.province_code


def check_family(family: str | None) -> None:
    families = {f.id for f in load_catalog().families}
    if family is not None and family not in families:
        raise db.DataError(f"unknown family {family!r}; one of: {', '.join(sorted(families))}")


def indicator_values(
    conn: duckdb.DuckDBPyConnection,
    settings: Settings,
    unit: Unit,
    school_year: str,
    term: str,
    *,
    children: bool = False,
    family: str | None = None,
    basis: Basis = "official",
) -> list[dict[str, Any]]:
    """Every indicator (of one family, if given) for the unit or each child unit."""
    check_family(family)
    level, province = batch_of(unit, children)
    batch = level_values(
        conn,
        settings,
        scheme=unit.scheme,
        level=level,
        province=province,
        school_year=school_year,
        term=term,
        basis=basis,
    )
    rows = values_for(batch, unit, children=children, family=family)
    first = ["unit_name", "scheme", "level", "unit_code"]
    return rows.select(*first, pl.exclude(*first, "parent_code")).to_dicts()
