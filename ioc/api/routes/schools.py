"""Schools of a unit (filter, sort, page) and a school's profile over time."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import duckdb
import polars as pl
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from ioc import db
from ioc.api import views
from ioc.api.cache import fetch, getter
from ioc.api.combine import Combiner
from ioc.api.deps import CursorDep, PrincipalDep, SettingsDep
from ioc.api.errors import ApiError
from ioc.api.listing import Format, respond, respond_async
from ioc.api.params import (
    INDICATOR_PATTERN,
    MAX_PAGE,
    OptionalPeriodQuery,
    UnitPeriodDep,
    period_of,
)
from ioc.api.scope import require_school_in_scope, require_schools
from ioc.api.views import DEFAULT_INDICATOR, period_schools, school_places, unit_schools
from ioc.catalog.definitions import load_catalog
from ioc.catalog.messages import describe
from ioc.compute.school_values import reported_values
from ioc.config import Settings

router = APIRouter(prefix="/schools", tags=["schools"])
SORTABLE = ("school_code", "school_name", "level", "ownership", "value")
# what a return's run says of where it came from (a file, or a source's resource when pulled)
RUN_COLUMNS = ("file_name", "received_date", "source_name", "pull_resource")
PARTS = """`files`: per period, the run its figures came from: `file_name` and `received_date` for a
file; for a pulled run also `source_name` and `pull_resource` (`file_name` is then
'source: resource'). `pulls`: per source, resource and period (`''` for the registry), when
the school was last pulled (`pulled_at`), the change `version` the source gave and the
`run_id` that stored it (a return file pulled from a URL: when its run finished and the
file's ETag or Last-Modified); empty for a school only ever loaded from uploaded files."""
SchoolCode = Annotated[
    str, Path(pattern=r"^[A-Za-z0-9_.-]{1,40}$", max_length=40, examples=["94411001"])
]


@router.get("", summary="Schools of a unit, with one indicator's value and status")
async def list_schools(
    request: Request,
    cur: CursorDep,
    settings: SettingsDep,
    who: PrincipalDep,
    at: UnitPeriodDep,
    indicator: Annotated[
        str, Query(pattern=INDICATOR_PATTERN, max_length=64, description="Indicator id (catalog)")
    ] = DEFAULT_INDICATOR,
    level: Annotated[str | None, Query(pattern=r"^[A-Z_]{1,16}$", max_length=16)] = None,
    ownership: Literal["cong_lap", "tu_thuc", "dan_lap"] | None = None,
    area: Literal["urban", "rural", "remote"] | None = None,
    status: Literal["meets", "below", "above", "no_norm", "no_value"] | None = None,
    sort: Annotated[
        str,
        Query(
            pattern=f"^-?({'|'.join(SORTABLE)})$",
            max_length=16,
            description="Column to sort by; prefix - for descending",
        ),
    ] = "school_code",
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    size: Annotated[int, Query(ge=1, le=1000)] = 50,
    format: Format = "json",
) -> Any:
    require_schools(who)
    if indicator not in load_catalog().by_id:
        raise ApiError(
            404, "unknown_indicator", f"Không có chỉ tiêu {indicator}", f"No indicator {indicator}"
        )
    found, school_year, term = at.unit, at.school_year, at.term
    # every school of the period computed once, then cut to the unit asked for
    get = getter(request)
    places = await fetch(request, school_places(get, cur, settings))
    period = await fetch(
        request,
        period_schools(get, cur, settings, school_year=school_year, term=term, indicator=indicator),
    )
    rows = unit_schools(places, period, found)
    for column, wanted in (
        ("level", level),
        ("ownership", ownership),
        ("area", area),
        ("norm_status", status),
    ):
        if wanted is not None:
            rows = rows.filter(pl.col(column) == wanted)
    by, descending = sort.lstrip("-"), sort.startswith("-")
    if by != "school_code":  # ties in school code order, whichever way
        rows = rows.sort(by, descending=descending, nulls_last=True, maintain_order=True)
    elif descending:
        rows = rows.reverse()
    name = f"schools_{found.code}_{school_year}_{term}_{indicator}"
    if format != "json":
        return await respond_async(request, rows, name, format)
    items = rows.slice((page - 1) * size, size).write_json()
    head = f'{{"total":{rows.height},"page":{page},"size":{size},"items":'
    return Response(f"{head}{items}}}", media_type="application/json")


@router.get(
    "/{school_code}",
    summary="A school's profile: every field over time, its files, when it was last pulled",
)
def profile(
    request: Request,
    cur: CursorDep,
    settings: SettingsDep,
    who: PrincipalDep,
    school_code: SchoolCode,
    period: OptionalPeriodQuery = None,
) -> dict[str, Any]:
    """With ``period``, the indicators are that period's only (a page showing one period
    asks so); everything else is the school's whole history."""
    school, parts = _profile(request, cur, settings, who, school_code)
    indicators = parts["indicators"]
    if period is not None:
        at = period_of(period)
        indicators = indicators.filter(
            (pl.col("school_year") == at.school_year) & (pl.col("term") == at.term)
        )
    return {
        "school": school,
        "places": parts["places"].to_dicts(),
        "returns": parts["returns"].to_dicts(),
        "indicators": indicators.to_dicts(),
        "findings": parts["findings"].to_dicts(),
        "pulls": json.loads(parts["pulls"].write_json()),  # times as its list says them
    }


@router.get(
    "/{school_code}/{part}",
    summary="One part of a school's profile as a list (returns, indicators, findings, files, "
    "pulls)",
    description=PARTS,
)
def profile_part(
    request: Request,
    cur: CursorDep,
    settings: SettingsDep,
    who: PrincipalDep,
    school_code: SchoolCode,
    part: Literal["returns", "indicators", "findings", "files", "pulls"],
    period: OptionalPeriodQuery = None,
    format: Format = "json",
) -> Any:
    _, parts = _profile(request, cur, settings, who, school_code)
    rows = parts[part]
    if period is not None:
        at = period_of(period)
        rows = rows.filter((pl.col("school_year") == at.school_year) & (pl.col("term") == at.term))
    return respond(request, rows, f"school_{school_code}_{part}", format)


def _profile(
    request: Request, cur: Any, settings: Any, who: Any, school_code: str
) -> tuple[dict[str, Any], dict[str, pl.DataFrame]]:
    """The school's registry row (404 if unknown, 403 if out of scope) and its profile parts."""
    require_schools(who)
    get = getter(request)
    registry = get(*views.school_rows(cur, settings)).rows(views.SCHOOL, school_code)
    if registry.is_empty():
        raise ApiError(
            404, "unknown_school", f"Không có trường {school_code}", f"No school {school_code}"
        )
    school = registry.to_dicts()[0]
    require_school_in_scope(cur, settings, who, school)
    build = getattr(request.state, "build", None)
    parts = _PROFILES(_Asked(build.build_id if build else None, cur, settings, registry))
    returns = parts["returns"]
    files = (
        returns.select("school_year", "term", "run_id", *RUN_COLUMNS)
        .unique()
        .sort("school_year", pl.col("term") != "DN")
    )
    return school, {
        "places": views.unit_places(get(*views.unit_rows(cur, settings)), school),
        "returns": returns,
        "indicators": parts["values"]
        .join(_indicator_names(), on="indicator_id", how="left")
        .sort("catalog_order", "school_year", pl.col("term") != "DN")
        .drop("catalog_order"),
        "findings": parts["findings"].drop("school_code"),
        "files": files,
        "pulls": parts["pulls"].drop("school_code"),
    }


@dataclass(frozen=True)
class _Asked:
    """A school whose profile a request asks for: the build it reads and its cursor on it,
    and the school's registry row."""

    build: str | None
    cur: duckdb.DuckDBPyConnection
    settings: Settings
    registry: pl.DataFrame

    @property
    def code(self) -> str:
        return str(self.registry["school_code"][0])


def _profiles_of(asked: Sequence[_Asked]) -> list[dict[str, pl.DataFrame]]:
    """The returns, findings, pulls and indicator values of several schools, one query of each
    and one computation of the values per build read (each request's cursor is idle while it
    waits): for one school most of their cost is fixed, not the rows'."""
    found: dict[tuple[str | None, str], dict[str, pl.DataFrame]] = {}
    ids = [i.id for i in load_catalog().indicators if i.kind not in ("completeness", "timeliness")]
    for build in dict.fromkeys(a.build for a in asked):
        mine = {a.code: a for a in asked if a.build == build}
        first = next(iter(mine.values()))
        cur, settings, codes = first.cur, first.settings, sorted(mine)
        returns = db.query(cur, "queries/school_returns", settings, school_codes=codes)
        registry = pl.concat([a.registry for a in mine.values()], how="vertical_relaxed")
        parts = {
            "returns": returns,
            "values": reported_values(returns.drop(*RUN_COLUMNS), registry, load_catalog(), ids),
            "findings": describe(
                db.query(cur, "queries/school_findings", settings, school_codes=codes)
            ),
            "pulls": db.query(cur, "queries/school_pulls", settings, school_codes=codes),
        }
        split = {
            name: frame.partition_by("school_code", as_dict=True, maintain_order=True)
            for name, frame in parts.items()
        }
        for code in codes:
            found[build, code] = {
                name: split[name].get((code,), frame.clear()) for name, frame in parts.items()
            }
    return [found[a.build, a.code] for a in asked]


_PROFILES = Combiner(_profiles_of)  # school pages asked at once share their queries


def _indicator_names() -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "indicator_id": i.id,
                "catalog_order": order,
                "family": i.family,
                "name_vi": i.vi,
                "name_en": i.en,
                "unit_vi": i.unit.vi,
                "unit_en": i.unit.en,
                "direction": i.direction,
                "is_count": i.is_count,
            }
            for order, i in enumerate(load_catalog().indicators)
        ]
    )
