"""The one resolver: a unit code of a scheme to the :class:`~ioc.domain.units.Unit` it names
in the published snapshot, with one error for a code that names no unit.

Two sources, the same rules and errors: one ``unit_lookup`` query (:func:`unit_row`,
:func:`find_unit`), or what the API keeps per build (:func:`unit_index` and :func:`find_in`;
every unit's row, :func:`first_row`). A malformed code is a :class:`~ioc.db.DataError` (422
in the API), a unit that does not exist a :class:`~ioc.db.NotFound` (404)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import duckdb
import polars as pl

from ioc import db
from ioc.config import Settings
from ioc.domain.units import (
    NATIONAL_CODE,
    NoSuchLevel,
    Unit,
    UnitCodeError,
    level_in,
    national,
)

#: every unit of both schemes by (scheme, code)
UnitIndex = Mapping[tuple[str, str], Unit]


def unit_row(
    conn: duckdb.DuckDBPyConnection, settings: Settings, code: str, scheme: str
) -> dict[str, Any]:
    """The snapshot's row of the unit (``queries/unit_lookup``: names, type, parent,
    centroid)."""
    return first_row(
        db.query(conn, "queries/unit_lookup", settings, scheme=scheme, code=code), code, scheme
    )


def first_row(found: pl.DataFrame, code: str, scheme: str) -> dict[str, Any]:
    """The unit's row among the rows ``found`` for it (a kept frame's), or the resolver's
    errors: a malformed code, no such unit."""
    _check(code, scheme)
    if found.is_empty():
        raise _unknown(code, scheme)
    return found.row(0, named=True)


def search(
    conn: duckdb.DuckDBPyConnection,
    settings: Settings,
    allowed: pl.DataFrame | None,
    **filters: Any,
) -> pl.DataFrame:
    """Units matching the filters of ``queries/units_search`` (scheme, level, parent, province,
    q, limit), limited in the query itself to the ``allowed`` units (scheme, code; None: every
    unit)."""
    return db.query(
        conn,
        "queries/units_search",
        settings,
        **filters,
        restricted=allowed is not None,
        allowed_schemes=[] if allowed is None else allowed["scheme"].to_list(),
        allowed_codes=[] if allowed is None else allowed["code"].to_list(),
    )


def as_unit(row: Mapping[str, Any]) -> Unit:
    """The :class:`Unit` of a :func:`unit_row`."""
    return Unit(row["scheme"], row["level"], row["code"], row["name"], row["province_code"])


def find_unit(
    conn: duckdb.DuckDBPyConnection,
    settings: Settings,
    code: str,
    scheme: str,
    *,
    national_code: bool = False,
) -> Unit:
    """The unit ``code`` names in the scheme. With ``national_code`` (a report's unit),
    ``VN`` names the whole country and the code may carry surrounding spaces."""
    if national_code:
        code = code.strip()
        if code.upper() == NATIONAL_CODE:
            return national(scheme)
    return as_unit(unit_row(conn, settings, code, scheme))


def unit_index(conn: duckdb.DuckDBPyConnection, settings: Settings) -> dict[tuple[str, str], Unit]:
    """Every unit of both schemes by (scheme, code) (``queries/unit_index``)."""
    rows = db.query(conn, "queries/unit_index", settings)
    return {(r[0], r[2]): Unit(*r) for r in rows.iter_rows()}


def find_in(index: UnitIndex, code: str, scheme: str) -> Unit:
    """:func:`find_unit` in a :func:`unit_index`."""
    _check(code, scheme)
    found = index.get((scheme, code))
    if found is None:
        raise _unknown(code, scheme)
    return found


def _check(code: str, scheme: str) -> None:
    try:
        level_in(code, scheme)
    except NoSuchLevel as exc:  # no such unit: 404 in the API
        raise db.NotFound(str(exc)) from None
    except UnitCodeError as exc:
        raise db.DataError(str(exc)) from None


def _unknown(code: str, scheme: str) -> db.NotFound:
    return db.NotFound(f"unit {code} does not exist in the {scheme} scheme")
