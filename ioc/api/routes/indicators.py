"""Indicator values for a unit or its children, and series across periods."""

from __future__ import annotations

from typing import Any, Literal

import polars as pl
from fastapi import APIRouter, Request

from ioc.api.cache import fetch, getter
from ioc.api.deps import CursorDep, PrincipalDep, SettingsDep
from ioc.api.errors import ApiError
from ioc.api.listing import Format, respond_async
from ioc.api.params import (
    BasisQuery,
    FamilyQuery,
    IndicatorPath,
    IndicatorQuery,
    PeriodQuery,
    SchemeQuery,
    UnitPeriodDep,
    UnitQuery,
    period_of,
)
from ioc.api.scope import allowed_units_async, filter_units, require_in_scope_async
from ioc.api.views import (
    level_batch,
    periods,
    predecessors,
    series_batch,
    unit_series,
    units,
)
from ioc.catalog.definitions import load_catalog
from ioc.views.indicators import batch_of, describe_rows
from ioc.views.quality import without_reporting_shares
from ioc.views.units import find_in

router = APIRouter(prefix="/indicators", tags=["indicators"])


@router.get("/values", summary="Every indicator for a unit, or for each of its child units")
async def values(
    request: Request,
    cur: CursorDep,
    settings: SettingsDep,
    who: PrincipalDep,
    at: UnitPeriodDep,
    children: bool = False,
    family: FamilyQuery = None,
    indicator: IndicatorQuery = None,
    basis: BasisQuery = "official",
    format: Format = "json",
) -> Any:
    found, school_year, term = at.unit, at.school_year, at.term
    level, province = batch_of(found, children)
    if indicator is not None:
        _known(indicator)
    # one computation serves every unit of the batch (a whole level, or a province's units,
    # or one indicator of every unit of the level)
    batch = level_batch(
        cur,
        settings,
        scheme=found.scheme,
        level=level,
        province=province,
        school_year=school_year,
        term=term,
        basis=basis,
        indicator=indicator,
    )
    column = "parent_code" if children else "unit_code"
    rows = (await fetch(request, batch)).rows((column,), found.code)
    rows = describe_rows(rows, school_year, term)
    if family is not None:
        rows = rows.filter(pl.col("family") == family)
    rows = rows.drop("parent_code")
    if (
        not children
        and rows.height
        and await fetch(request, predecessors(getter(request), cur, settings, found))
    ):
        rows = without_reporting_shares(rows)
    if indicator is not None and rows.height:
        rows = rows.filter(pl.col("indicator_id") == indicator)
    if children and rows.height:
        rows = filter_units(rows, await allowed_units_async(request, cur, settings, who))
    return await respond_async(
        request, rows, f"indicators_{found.code}_{school_year}_{term}", format
    )


def _known(indicator: str) -> None:
    if indicator not in load_catalog().by_id:
        raise ApiError(
            404, "unknown_indicator", f"Không có chỉ tiêu {indicator}", f"No indicator {indicator}"
        )


@router.get("/{indicator}/series", summary="One indicator for one unit across periods")
async def series(
    request: Request,
    cur: CursorDep,
    settings: SettingsDep,
    who: PrincipalDep,
    indicator: IndicatorPath,
    unit: UnitQuery,
    scheme: Literal["legacy", "2025"],
    term: Literal["DN", "CN"] | None = None,
    basis: BasisQuery = "official",
    format: Format = "json",
) -> Any:
    _known(indicator)
    found = find_in(await fetch(request, units(cur, settings)), unit, scheme)
    await require_in_scope_async(request, cur, settings, who, scheme, unit)
    batch = await fetch(
        request, series_batch(getter(request), cur, settings, found, indicator, basis)
    )
    rows = unit_series(batch, found, indicator, term)
    return await respond_async(request, rows, f"series_{indicator}_{unit}", format)


@router.get(
    "/provinces",
    summary="Every indicator (or one) for every province of a scheme: the whole-country map",
)
async def provinces(
    request: Request,
    cur: CursorDep,
    settings: SettingsDep,
    who: PrincipalDep,
    period: PeriodQuery,
    scheme: SchemeQuery = None,
    family: FamilyQuery = None,
    indicator: IndicatorQuery = None,
    basis: BasisQuery = "official",
    format: Format = "json",
) -> Any:
    at = period_of(period)
    school_year, term = at.school_year, at.term
    if str(at) not in await fetch(request, periods(cur, settings)):
        raise ApiError(
            404, "unknown_period", f"Chưa có số liệu kỳ {period}", f"No returns for {period}"
        )
    scheme = scheme or at.scheme
    batch = await fetch(
        request,
        level_batch(
            cur,
            settings,
            scheme=scheme,
            level="province",
            province=None,
            school_year=school_year,
            term=term,
            basis=basis,
        ),
    )
    rows = describe_rows(batch.whole(), school_year, term)
    rows = rows.drop("parent_code") if "parent_code" in rows.columns else rows
    if family is not None:
        rows = rows.filter(pl.col("family") == family)
    if indicator is not None:
        _known(indicator)
        rows = rows.filter(pl.col("indicator_id") == indicator) if rows.height else rows
    rows = filter_units(rows, await allowed_units_async(request, cur, settings, who))
    return await respond_async(request, rows, f"indicators_provinces_{school_year}_{term}", format)
