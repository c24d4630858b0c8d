"""Access to units, the one home of the check "may this caller read or write this unit":
an analyst, operator or display account reaches only the units they are assigned (and their
descendants) and the schools placed in them; the queries are cut to them, and a request
naming a unit outside them is refused (403). Reading and writing are limited to the same
units (what a role may do at all is :mod:`ioc.api.auth`'s business)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import duckdb
import polars as pl
from fastapi import Request

from ioc import db
from ioc.api.cache import Spec, cached, fetch
from ioc.api.errors import ApiError
from ioc.api.principal import Principal
from ioc.config import Settings
from ioc.domain.units import PLACE_COLUMN


def _scope(conn: duckdb.DuckDBPyConnection, settings: Settings, who: Principal) -> Spec:
    """The units a restricted principal may see, as a cached value (key: their scopes)."""

    def compute() -> pl.DataFrame:
        if not who.scopes:
            return pl.DataFrame(schema={"scheme": pl.String, "level": pl.String, "code": pl.String})
        schemes, codes = zip(*who.scopes, strict=True)
        return db.query(
            conn, "queries/scope_units", settings, schemes=list(schemes), codes=list(codes)
        )

    return Spec(("scope", who.scopes), compute)


def allowed_units(
    conn: duckdb.DuckDBPyConnection,
    settings: Settings,
    who: Principal,
    request: Request | None = None,
) -> pl.DataFrame | None:
    """(scheme, level, code) of every unit the principal may see; None = every unit."""
    if who.unrestricted:
        return None
    spec = _scope(conn, settings, who)
    return spec.compute() if request is None else cached(request, *spec)


def schools_in_scope(
    conn: duckdb.DuckDBPyConnection,
    settings: Settings,
    who: Principal,
    request: Request | None = None,
) -> list[str] | None:
    """The registry schools placed in a restricted principal's units; None = every school."""
    allowed = allowed_units(conn, settings, who, request)
    if allowed is None:
        return None
    return db.query(
        conn,
        "queries/scope_schools",
        settings,
        schemes=allowed["scheme"].to_list(),
        codes=allowed["code"].to_list(),
        school_codes=None,
    )["school_code"].to_list()


async def allowed_units_async(
    request: Request, conn: duckdb.DuckDBPyConnection, settings: Settings, who: Principal
) -> pl.DataFrame | None:
    """:func:`allowed_units` for an async route (the query, if any, in a worker thread)."""
    return None if who.unrestricted else await fetch(request, _scope(conn, settings, who))


def require_in_scope(
    conn: duckdb.DuckDBPyConnection,
    settings: Settings,
    who: Principal,
    scheme: str,
    code: str,
    request: Request | None = None,
) -> None:
    """403 unless the unit is within the caller's units (to read it, or to write to it)."""
    _check(allowed_units(conn, settings, who, request), scheme, code)


async def require_in_scope_async(
    request: Request,
    conn: duckdb.DuckDBPyConnection,
    settings: Settings,
    who: Principal,
    scheme: str,
    code: str,
) -> None:
    """:func:`require_in_scope` for an async route."""
    _check(await allowed_units_async(request, conn, settings, who), scheme, code)


def _check(units: pl.DataFrame | None, scheme: str, code: str) -> None:
    if units is None:
        return
    if units.filter((pl.col("scheme") == scheme) & (pl.col("code") == code)).is_empty():
        raise ApiError(
            403,
            "unit_out_of_scope",
            f"Tài khoản không được xem đơn vị {code}",
            f"This account may not see unit {code} ({scheme} scheme)",
        )


def filter_units(
    frame: pl.DataFrame,
    allowed: pl.DataFrame | None,
    *,
    scheme_col: str = "scheme",
    code_col: str = "unit_code",
) -> pl.DataFrame:
    if allowed is None:
        return frame
    keep = allowed.select(pl.col("scheme").alias(scheme_col), pl.col("code").alias(code_col))
    return frame.join(keep.unique(), on=[scheme_col, code_col], how="semi")


def require_school_in_scope(
    conn: duckdb.DuckDBPyConnection,
    settings: Settings,
    who: Principal,
    school: Mapping[str, Any],
) -> None:
    """403 unless one of the school's places (its registry row) is within the caller's units."""
    allowed = allowed_units(conn, settings, who)
    if allowed is None:
        return
    places = {(scheme, school[column]) for (scheme, _), column in PLACE_COLUMN.items()}
    inside = {(s, c) for s, c in allowed.select("scheme", "code").iter_rows()}
    if not places & inside:
        raise ApiError(
            403,
            "school_out_of_scope",
            "Tài khoản không được xem trường này",
            "This account may not see this school",
        )


def require_schools(who: Principal) -> None:
    if not who.sees_schools:
        raise ApiError(
            403,
            "no_school_detail",
            "Tài khoản màn hình chỉ xem số liệu tổng hợp",
            "A display account sees aggregates only, not schools",
        )
