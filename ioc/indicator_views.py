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
    child_level = CHILD_LEVEL.get((unit.scheme, unit.level))
    if children and child_level is None:
        raise db.DataError(
            f"unit {unit.code} ({unit.level}) has no child units in the {unit.scheme} scheme"
        )
    rows = db.query(
        conn,
        "queries/indicator_values",
        settings,
        scheme=unit.scheme,
        code=unit.code,
        level=unit.level,
        child_level=child_level or "",
        children=children,
        school_year=school_year,
        term=term,
    )
    catalog = load_catalog()
    on = period_date(school_year, term)
    if family is not None:
        if family not in {f.id for f in catalog.families}:
            known = ", ".join(f.id for f in catalog.families)
            raise db.DataError(f"unknown family {family!r}; one of: {known}")
        ids = [i.id for i in catalog.indicators if i.family == family]
        rows = rows.filter(pl.col("indicator_id").is_in(ids))
    out = []
    for row in rows.iter_rows(named=True):
        ind = catalog.by_id[row["indicator_id"]]
        out.append(
            {
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
