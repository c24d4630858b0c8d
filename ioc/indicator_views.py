"""Read-side views of the computed indicators (shared by the CLI and, later, the API)."""

from __future__ import annotations

from datetime import date
from typing import Any

import duckdb
import polars as pl

from ioc import db
from ioc.catalog.definitions import Catalog, Indicator, load_catalog
from ioc.config import Settings
from ioc.geo import period_date
from ioc.indicators import finish_wide
from ioc.summary import Unit

CHILD_LEVEL = {
    ("legacy", "province"): "district",
    ("legacy", "district"): "commune",
    ("2025", "province"): "commune",
}


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


def stored_values(
    conn: duckdb.DuckDBPyConnection,
    settings: Settings,
    *,
    scheme: str,
    level: str,
    unit_codes: list[str],
    school_years: list[str] | None,
    term: str | None,
) -> pl.DataFrame:
    """Long indicator rows (value, norm, target, status, change) for some units, computed
    from the stored sums; previous-year rows must be among the years asked for."""
    wide = db.query(
        conn,
        "queries/indicator_sums",
        settings,
        scheme=scheme,
        level=level,
        unit_codes=unit_codes,
        school_years=school_years,
        term=term,
    )
    targets = db.query(conn, "queries/unit_targets", settings, scheme=scheme, unit_codes=unit_codes)
    return finish_wide(wide, load_catalog(), targets.lazy())


def previous_year(school_year: str) -> str:
    first = int(school_year[:4])
    return f"{first - 1}-{first}"


def indicator_values(
    conn: duckdb.DuckDBPyConnection,
    settings: Settings,
    unit: Unit,
    school_year: str,
    term: str,
    *,
    children: bool = False,
    family: str | None = None,
) -> list[dict[str, Any]]:
    """Every indicator (of one family, if given) for the unit or each child unit."""
    catalog = load_catalog()
    if family is not None and family not in {f.id for f in catalog.families}:
        known = ", ".join(f.id for f in catalog.families)
        raise db.DataError(f"unknown family {family!r}; one of: {known}")
    child_level = CHILD_LEVEL.get((unit.scheme, unit.level))
    if children and child_level is None:
        raise db.DataError(
            f"unit {unit.code} ({unit.level}) has no child units in the {unit.scheme} scheme"
        )
    if children:
        names = db.query(
            conn,
            "queries/child_units",
            settings,
            scheme=unit.scheme,
            level=child_level,
            code=unit.code,
        )
        level, codes = child_level or "", names["code"].to_list()
    else:
        names = pl.DataFrame({"code": [unit.code], "name": [unit.name]})
        level, codes = unit.level, [unit.code]
    rows = stored_values(
        conn,
        settings,
        scheme=unit.scheme,
        level=level,
        unit_codes=codes,
        school_years=[school_year, previous_year(school_year)],
        term=term,
    ).filter(pl.col("school_year") == school_year)
    if family is not None:
        ids = [i.id for i in catalog.indicators if i.family == family]
        rows = rows.filter(pl.col("indicator_id").is_in(ids))
    rows = rows.join(names.rename({"code": "unit_code", "name": "unit_name"}), on="unit_code")
    on = period_date(school_year, term)
    out = []
    for row in rows.sort("unit_code", "indicator_id").iter_rows(named=True):
        ind = catalog.by_id[row["indicator_id"]]
        out.append(
            {
                "unit_name": row.pop("unit_name"),
                **row,
                "family": ind.family,
                "name_vi": ind.vi,
                "name_en": ind.en,
                "unit_vi": ind.unit.vi,
                "unit_en": ind.unit.en,
                "direction": ind.direction,
                "norm_sources": norm_sources(catalog, ind, on),
            }
        )
    return out
