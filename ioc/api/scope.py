"""Unit scoping, enforced in the queries: an analyst or operator sees only the units they
are assigned (and their descendants), and the schools placed in them."""

from __future__ import annotations

import duckdb
import polars as pl
from fastapi import Request

from ioc import db
from ioc.api.cache import Spec, cached, fetch
from ioc.api.errors import ApiError
from ioc.api.principal import Principal
from ioc.config import Settings


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


async def allowed_units_async(
    request: Request, conn: duckdb.DuckDBPyConnection, settings: Settings, who: Principal
) -> pl.DataFrame | None:
    """:func:`allowed_units` for an async route (the query, if any, in a worker thread)."""
    return None if who.unrestricted else await fetch(request, _scope(conn, settings, who))


def check_unit(
    conn: duckdb.DuckDBPyConnection,
    settings: Settings,
    who: Principal,
    scheme: str,
    code: str,
    request: Request | None = None,
) -> None:
    _check(allowed_units(conn, settings, who, request), scheme, code)


async def check_unit_async(
    request: Request,
    conn: duckdb.DuckDBPyConnection,
    settings: Settings,
    who: Principal,
    scheme: str,
    code: str,
) -> None:
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


def require_schools(who: Principal) -> None:
    if not who.sees_schools:
        raise ApiError(
            403,
            "no_school_detail",
            "Tài khoản màn hình chỉ xem số liệu tổng hợp",
            "A display account sees aggregates only, not schools",
        )
