"""Shared query parameters and their resolution to a unit the caller may see.

Every parameter is bounded in its schema, and a pattern says exactly what the server
accepts: the OpenAPI document is the contract, and nothing outside it reaches a query."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import Depends, Path, Query, Request

from ioc.api.cache import fetch
from ioc.api.deps import CursorDep, PrincipalDep, SettingsDep
from ioc.api.errors import ApiError
from ioc.api.scope import require_in_scope_async
from ioc.api.views import periods, units
from ioc.catalog.definitions import load_catalog
from ioc.domain.period import FIRST_YEAR, LAST_YEAR, PATTERN, InvalidPeriod, Period
from ioc.domain.units import Unit, code_pattern
from ioc.views.units import find_in

# a province has 2 digits, an old district 3, a commune 5 (the code rules of either scheme)
UNIT_PATTERN = code_pattern()
UNIT_TEXT = "Unit code: province 2 digits, old district 3, commune 5"
PERIOD_TEXT = (
    "School year and term, e.g. 2024-2025/DN (DN first term, CN whole year); "
    f"school years from {FIRST_YEAR}-{FIRST_YEAR + 1} to {LAST_YEAR}-{LAST_YEAR + 1}"
)
INDICATOR_PATTERN = r"^[A-Z][A-Z0-9_]{0,63}$"  # catalog ids, e.g. NET_CLASS_SIZE
MAX_ID = 2_147_483_647  # the largest key (run, schedule) of the stores, and the largest offset
MAX_PAGE = 1_000_000

UnitQuery = Annotated[
    str, Query(pattern=UNIT_PATTERN, max_length=5, description=UNIT_TEXT, examples=["94"])
]
UnitPath = Annotated[
    str, Path(pattern=UNIT_PATTERN, max_length=5, description=UNIT_TEXT, examples=["94"])
]
ParentQuery = Annotated[
    str | None, Query(pattern=UNIT_PATTERN, max_length=5, description=f"Parent unit. {UNIT_TEXT}")
]
PeriodQuery = Annotated[str, Query(pattern=PATTERN, max_length=12, description=PERIOD_TEXT)]
OptionalPeriodQuery = Annotated[
    str | None,
    Query(pattern=PATTERN, max_length=12, description=f"Only this period. {PERIOD_TEXT}"),
]
IndicatorQuery = Annotated[
    str | None,
    Query(pattern=INDICATOR_PATTERN, max_length=64, description="Indicator id (catalog)"),
]
IndicatorPath = Annotated[
    str,
    Path(
        pattern=INDICATOR_PATTERN,
        max_length=64,
        description="Indicator id (catalog)",
        examples=["NET_STUDENTS"],
    ),
]
FamilyQuery = Annotated[
    str | None,
    Query(
        pattern=f"^({'|'.join(f.id for f in load_catalog().families)})$",
        max_length=32,
        description="Indicator family (catalog)",
    ),
]
BasisQuery = Annotated[
    Literal["official", "all"],
    Query(
        description="official: approved returns only (default); all: including the returns "
        "waiting for approval (docs/approval.md)"
    ),
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
    at = period_of(period)
    if str(at) not in await fetch(request, periods(cur, settings)):
        raise ApiError(
            404,
            "unknown_period",
            f"Chưa có số liệu kỳ {period}",
            f"No returns for the period {period}",
        )
    found = find_in(await fetch(request, units(cur, settings)), unit, scheme or at.scheme)
    await require_in_scope_async(request, cur, settings, who, found.scheme, found.code)
    return UnitPeriod(found, at.school_year, at.term)


UnitPeriodDep = Annotated[UnitPeriod, Depends(unit_period)]


def period_of(period: str) -> Period:
    """The period of a ``period`` parameter; 422 if it is not one (the query's pattern is the
    parser's own, so a request that reaches a route has a valid one)."""
    try:
        return Period.parse(period)
    except InvalidPeriod as exc:
        raise ApiError(
            422,
            "invalid_parameter",
            exc.text("vi"),
            str(exc),
            errors=[{"parameter": "period", "in": "query", "reason": str(exc)}],
        ) from exc
