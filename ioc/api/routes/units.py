"""Units of both schemes: tree, children, search by Vietnamese name with or without diacritics."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import duckdb
import polars as pl
from fastapi import APIRouter, Query, Request
from unidecode import unidecode

from ioc import db
from ioc.api.deps import CursorDep, PrincipalDep, SettingsDep
from ioc.api.listing import Format, respond
from ioc.api.params import ParentQuery, UnitPath
from ioc.api.principal import Principal
from ioc.api.scope import allowed_units, require_in_scope
from ioc.config import Settings
from ioc.views.quality import predecessors_without_returns
from ioc.views.units import as_unit, unit_row

router = APIRouter(prefix="/units", tags=["units"])
Scheme = Literal["legacy", "2025"]


def search_key(text: str) -> str:
    return " ".join(unidecode(text).lower().split())


def _search(
    cur: duckdb.DuckDBPyConnection, settings: Settings, who: Principal, **filters: Any
) -> pl.DataFrame:
    """Units matching the filters, limited in the query itself to the caller's scope."""
    allowed = allowed_units(cur, settings, who)
    return db.query(
        cur,
        "queries/units_search",
        settings,
        **filters,
        restricted=allowed is not None,
        allowed_schemes=[] if allowed is None else allowed["scheme"].to_list(),
        allowed_codes=[] if allowed is None else allowed["code"].to_list(),
    )


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
    rows = _search(
        cur,
        settings,
        who,
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
    cur: CursorDep,
    settings: SettingsDep,
    who: PrincipalDep,
    scheme: Scheme,
    code: UnitPath,
) -> dict[str, Any]:
    row = unit_row(cur, settings, code, scheme)
    unit = as_unit(row)
    require_in_scope(cur, settings, who, scheme, code)
    children = _search(
        cur,
        settings,
        who,
        scheme=scheme,
        level=None,
        parent=code,
        province=None,
        q=None,
        limit=20000,
    )
    # the provinces of the other scheme this unit's communes belong to (for a scheme switch)
    counterparts = db.query(
        cur, "queries/unit_counterparts", settings, scheme=unit.scheme, code=unit.code
    )
    return {
        **row,
        "children": children.to_dicts(),
        "counterparts": counterparts.to_dicts(),
        # old provinces this 2025 unit was formed from that never reported: its figures and
        # coverage leave them out
        "predecessors_without_returns": predecessors_without_returns(cur, settings, unit),
    }
