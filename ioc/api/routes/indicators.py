"""Indicator values for a unit or its children, and series across periods."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import polars as pl
from fastapi import APIRouter, Path, Query, Request

from ioc import db
from ioc.api.cache import cached
from ioc.api.deps import CursorDep, PrincipalDep, SettingsDep
from ioc.api.errors import ApiError
from ioc.api.listing import Format, respond
from ioc.api.params import PeriodQuery, SchemeQuery, UnitPeriodDep, UnitQuery
from ioc.api.scope import allowed_units, check_unit, filter_units
from ioc.catalog.definitions import load_catalog
from ioc.indicator_views import (
    batch_of,
    check_family,
    level_values,
    stored_values,
    values_for,
)

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
    # one computation serves every unit of the batch (all provinces, or a province's units)
    batch = cached(
        request,
        ("level-values", found.scheme, level, province, school_year, term),
        lambda: level_values(
            cur,
            settings,
            scheme=found.scheme,
            level=level,
            province=province,
            school_year=school_year,
            term=term,
        ),
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
    from ioc.summary import find_unit

    found = cached(request, ("unit", scheme, unit), lambda: find_unit(cur, settings, unit, scheme))
    check_unit(cur, settings, who, scheme, unit, request)
    rows = cached(
        request,
        ("series", scheme, unit, indicator, term),
        lambda: (
            stored_values(
                cur,
                settings,
                scheme=scheme,
                level=found.level,
                unit_codes=[unit],
                school_years=None,
                term=term,
            )
            .filter(pl.col("indicator_id") == indicator)
            .sort("school_year", pl.col("term") != "DN")
        ),
    )
    return respond(request, rows, f"series_{indicator}_{unit}", format)


@router.get(
    "/provinces",
    summary="Every indicator (or one) for every province of a scheme: the whole-country map",
)
def provinces(
    request: Request,
    cur: CursorDep,
    settings: SettingsDep,
    who: PrincipalDep,
    period: PeriodQuery,
    scheme: SchemeQuery = None,
    family: Annotated[str | None, Query(pattern=r"^[a-z]+$")] = None,
    indicator: Annotated[str | None, Query(pattern=r"^[A-Z_]+$")] = None,
    format: Format = "json",
) -> Any:
    from ioc.api.errors import ApiError
    from ioc.geo import scheme_for_period
    from ioc.returns.validate import parse_period

    try:
        school_year, term = parse_period(period)
    except ValueError as exc:
        raise ApiError(422, "invalid_parameter", "Kỳ báo cáo không hợp lệ", str(exc)) from exc
    known = cached(
        request,
        ("periods",),
        lambda: {(r[0], r[1]) for r in db.query(cur, "queries/periods", settings).iter_rows()},
    )
    if (school_year, term) not in known:
        raise ApiError(
            404, "unknown_period", f"Chưa có số liệu kỳ {period}", f"No returns for {period}"
        )
    check_family(family)
    scheme = scheme or scheme_for_period(school_year, term)
    batch = cached(
        request,
        ("level-values", scheme, "province", None, school_year, term),
        lambda: level_values(
            cur,
            settings,
            scheme=scheme,
            level="province",
            province=None,
            school_year=school_year,
            term=term,
        ),
    )
    rows = batch.drop("parent_code") if "parent_code" in batch.columns else batch
    if family is not None:
        rows = rows.filter(pl.col("family") == family)
    if indicator is not None:
        _known(indicator)
        rows = rows.filter(pl.col("indicator_id") == indicator) if rows.height else rows
    rows = filter_units(rows, allowed_units(cur, settings, who, request))
    return respond(request, rows, f"indicators_provinces_{school_year}_{term}", format)
