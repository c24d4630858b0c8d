"""Units of both schemes: tree, children, search by Vietnamese name with or without diacritics."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import duckdb
from fastapi import APIRouter, Query, Request
from unidecode import unidecode

from ioc.api import views
from ioc.api.cache import Getter, cached, getter
from ioc.api.deps import CursorDep, PrincipalDep, SettingsDep
from ioc.api.listing import Format, respond
from ioc.api.params import ParentQuery, UnitPath
from ioc.api.scope import allowed_units, filter_units, require_in_scope
from ioc.config import Settings
from ioc.views.units import as_unit, first_row, search

router = APIRouter(prefix="/units", tags=["units"])
Scheme = Literal["legacy", "2025"]


def search_key(text: str) -> str:
    return " ".join(unidecode(text).lower().split())


@router.get("", summary="List or search units")
def list_units(
    request: Request,
    cur: CursorDep,
    settings: SettingsDep,
    who: PrincipalDep,
    scheme: Scheme | None = None,
    level: Literal["province", "district", "commune"] | None = None,
    parent: ParentQuery = None,
    province: Annotated[str | None, Query(pattern=r"^[0-9]{2}$", max_length=2)] = None,
    q: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=20000)] = 5000,
    format: Format = "json",
) -> Any:
    rows = search(
        cur,
        settings,
        allowed_units(cur, settings, who),
        scheme=scheme,
        level=level,
        parent=parent,
        province=province,
        q=search_key(q) if q else None,
        limit=limit,
    )
    return respond(request, rows, "units", format)


@router.get(
    "/{scheme}/{code}",
    summary="One unit with its children, the provinces of the other scheme it maps to and the "
    "old provinces it was formed from that never reported",
)
def get_unit(
    request: Request,
    cur: CursorDep,
    settings: SettingsDep,
    who: PrincipalDep,
    scheme: Scheme,
    code: UnitPath,
) -> dict[str, Any]:
    # what every caller is told, kept for the build (every page asks for its unit); the
    # caller's scope applies after
    get = getter(request)
    found = cached(
        request, ("unit-answer", scheme, code), lambda: _unit(get, cur, settings, scheme, code)
    )
    require_in_scope(cur, settings, who, scheme, code, request)
    children = filter_units(
        found["children"], allowed_units(cur, settings, who, request), code_col="code"
    )
    return found | {"children": children.to_dicts()}


def _unit(
    get: Getter, cur: duckdb.DuckDBPyConnection, settings: Settings, scheme: str, code: str
) -> dict[str, Any]:
    """A unit's row (404 if unknown), all its children, the provinces of the other scheme
    its communes belong to (for a scheme switch) and the old provinces it was formed from
    that never reported (its figures and coverage leave them out), from what is kept of
    every unit for the build."""
    units = get(*views.unit_rows(cur, settings))
    row = first_row(units.rows(views.UNIT, (scheme, code)), code, scheme)
    shared = get(*views.counterparts(cur, settings)).rows(views.FROM_UNIT, (scheme, code))
    return {
        **row,
        "children": units.rows(views.UNIT_PARENT, (scheme, code)),
        "counterparts": shared.drop(*views.FROM_UNIT).to_dicts(),
        "predecessors_without_returns": get(*views.predecessors(get, cur, settings, as_unit(row))),
    }
