"""Shared query parameters and their resolution to a unit the caller may see."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import Depends, Query, Request

from ioc.api.cache import fetch
from ioc.api.deps import CursorDep, PrincipalDep, SettingsDep
from ioc.api.errors import ApiError
from ioc.api.scope import check_unit_async
from ioc.api.views import find_unit, periods, units
from ioc.geo import scheme_for_period
from ioc.returns.validate import parse_period
from ioc.summary import Unit

UnitQuery = Annotated[
    str,
    Query(pattern=r"^\d{2,5}$", description="Unit code: province 2 digits, district 3, commune 5"),
]
PeriodQuery = Annotated[
    str,
    Query(pattern=r"^\d{4}-\d{4}/(DN|CN)$", description="School year and term, e.g. 2024-2025/DN"),
]
SchemeQuery = Annotated[
    Literal["legacy", "2025"] | None,
    Query(description="Unit scheme; default: the scheme in force at the period"),
]


@dataclass(frozen=True)
class UnitPeriod:
    """The unit (in scope for the caller) and the period of a ``?unit=&period=`` request."""

    unit: Unit
    school_year: str
    term: str


async def unit_period(
    request: Request,
    cur: CursorDep,
    settings: SettingsDep,
    who: PrincipalDep,
    unit: UnitQuery,
    period: PeriodQuery,
    scheme: SchemeQuery = None,
) -> UnitPeriod:
    """The unit (404 if unknown, 403 if out of scope) and the period's year and term."""
    try:
        school_year, term = parse_period(period)
    except ValueError as exc:
        raise ApiError(
            422,
            "invalid_parameter",
            "Kỳ báo cáo không hợp lệ",
            str(exc),
            errors=[{"parameter": "period", "in": "query", "reason": str(exc)}],
        ) from exc
    if f"{school_year}/{term}" not in await fetch(request, periods(cur, settings)):
        raise ApiError(
            404,
            "unknown_period",
            f"Chưa có số liệu kỳ {period}",
            f"No returns for the period {period}",
        )
    scheme = scheme or scheme_for_period(school_year, term)
    found = find_unit(await fetch(request, units(cur, settings)), unit, scheme)
    await check_unit_async(request, cur, settings, who, found.scheme, found.code)
    return UnitPeriod(found, school_year, term)


UnitPeriodDep = Annotated[UnitPeriod, Depends(unit_period)]
