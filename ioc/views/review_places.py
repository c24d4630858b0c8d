"""The one reader of a school's :data:`~ioc.reviews.levels.Place`: its unit codes in both
schemes, from the snapshot's ``core_school__registry`` (``queries/school_unit_codes``)."""

from __future__ import annotations

from collections.abc import Iterable

import duckdb

from ioc import db
from ioc.config import Settings
from ioc.db import NotFound
from ioc.domain.units import PLACE_COLUMN
from ioc.reviews.levels import Place


def places_of(
    conn: duckdb.DuckDBPyConnection, settings: Settings, school_codes: Iterable[str]
) -> dict[str, Place]:
    """The place of each of ``school_codes`` the registry knows (unknown codes are left out)."""
    codes = sorted(set(school_codes))
    if not codes:
        return {}
    rows = db.query(conn, "queries/school_unit_codes", settings, school_codes=codes)
    return {
        row["school_code"]: {key: row[column] for key, column in PLACE_COLUMN.items()}
        for row in rows.iter_rows(named=True)
    }


def place_of(conn: duckdb.DuckDBPyConnection, settings: Settings, school_code: str) -> Place:
    """The place of one school; :class:`~ioc.db.NotFound` if the registry does not list it."""
    found = places_of(conn, settings, [school_code]).get(school_code)
    if found is None:
        raise NotFound(f"unknown school {school_code!r}")
    return found
