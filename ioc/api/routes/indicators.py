"""Indicator values for a unit or its children, and series across periods."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import polars as pl
from fastapi import APIRouter, Path, Query, Request

from ioc.api.cache import getter
from ioc.api.deps import CursorDep, PrincipalDep, SettingsDep
from ioc.api.errors import ApiError
from ioc.api.listing import Format, respond
from ioc.api.params import UnitPeriodDep, UnitQuery
from ioc.api.scope import allowed_units, check_unit, filter_units
from ioc.api.views import find_unit, level_batch, series_batch, unit_series
from ioc.catalog.definitions import load_catalog
from ioc.indicator_views import batch_of, check_family, values_for

router = APIRouter(prefix="/indicators", tags=["indicators"])


@router.get("/values", summary="Every indicator for a unit, or for each of its child units")
def values(
    request: Request,
    cur: CursorDep,
    settings: SettingsDep,
    who: PrincipalDep,
    at: UnitPeriodDep,
    children: bool = False,
    family: Annotated[str | None, Query(pattern=r"^[a-z]+$")] = None,
    indicator: Annotated[str | None, Query(pattern=r"^[A-Z_]+$")] = None,
    format: Format = "json",
) -> Any:
    found, school_year, term = at.unit, at.school_year, at.term
    check_family(family)
    level, province = batch_of(found, children)
    # one computation serves every unit of the batch (a whole level, or a province's units)
    batch = level_batch(
        getter(request),
        cur,
        settings,
        scheme=found.scheme,
        level=level,
        province=province,
        school_year=school_year,
        term=term,
    )
    rows = values_for(batch, found, children=children, family=family).drop("parent_code")
    if indicator is not None:
        _known(indicator)
        rows = rows.filter(pl.col("indicator_id") == indicator) if rows.height else rows
    if children and rows.height:
        rows = filter_units(rows, allowed_units(cur, settings, who, request))
    return respond(request, rows, f"indicators_{found.code}_{school_year}_{term}", format)


def _known(indicator: str) -> None:
    if indicator not in load_catalog().by_id:
        raise ApiError(
            404, "unknown_indicator", f"Không có chỉ tiêu {indicator}", f"No indicator {indicator}"
        )


@router.get("/{indicator}/series", summary="One indicator for one unit across periods")
def series(
    request: Request,
    cur: CursorDep,
    settings: SettingsDep,
    who: PrincipalDep,
    indicator: Annotated[str, Path(pattern=r"^[A-Z_]+$")],
    unit: UnitQuery,
    scheme: Literal["legacy", "2025"],
    term: Literal["DN", "CN"] | None = None,
    format: Format = "json",
) -> Any:
    _known(indicator)
    found = find_unit(getter(request), cur, settings, unit, scheme)
    check_unit(cur, settings, who, scheme, unit, request)
    batch = series_batch(getter(request), cur, settings, found)
    rows = unit_series(batch, found, indicator, term)
    return respond(request, rows, f"series_{indicator}_{unit}", format)
