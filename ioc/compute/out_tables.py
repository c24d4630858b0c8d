"""Rebuild the ``out_`` tables of a snapshot from its ``core_`` tables (inside a writer).

After an ingest only the provinces whose schools changed are recomputed: every unit lies in
one province of its scheme, and old provinces nest in new ones, so recomputing the whole
2025 province(s) of the changed schools is exact for every unit it touches.
"""

from __future__ import annotations

import time
from collections.abc import Collection
from typing import Any
from datetime import UTC, datetime

import duckdb
import polars as pl

from ioc import db
from ioc.catalog import load_rules
from ioc.catalog.definitions import load_catalog
from ioc.compute.findings import findings
from ioc.compute.indicators import BASES, sums_columns, sums_query
from ioc.config import Settings

FULL_REBUILD_SHARE = 0.5  # above this share of schools changed, recompute everything
APPROVED = "is_approved"  # sql/indicators/returns.sql: the return counts on the official basis
# a row of out_indicator__sums: one (unit, period) on one basis
SUMS_KEY = ["scheme", "level", "unit_code", "province_code", "school_year", "term", "basis"]
SCHOOL_YEARS = "select distinct school_year from core_school__expected order by school_year"
STORED, OLD = "__stored", "__old"  # while stored and new sums are compared
SAME_WITHIN = 1e-12  # relative difference of a recomputed float sum still the stored one


def _frame(
    conn: duckdb.DuckDBPyConnection,
    name: str,
    settings: Settings,
    scope: pl.DataFrame | None,
    **more: object,
) -> pl.LazyFrame:
    """An input of the computation, limited in SQL to the provinces in ``scope``."""
    params = _provinces(scope) | more
    return db.query(conn, f"indicators/{name}", settings, **params).lazy()


def _provinces(scope: pl.DataFrame | None) -> dict[str, object]:
    """The parameters of a query limited to the provinces in ``scope`` (None: every one):
    ``$all``, ``$provinces_2025``, ``$provinces_legacy``."""
    params: dict[str, object] = {"all": scope is None, "provinces_2025": [], "provinces_legacy": []}
    if scope is not None:
        for scheme in ("2025", "legacy"):
            codes = scope.filter(pl.col("scheme") == scheme)["code"].to_list()
            params[f"provinces_{scheme}"] = codes
    return params


def rebuild_indicators(
    conn: duckdb.DuckDBPyConnection,
    settings: Settings,
    changed_schools: Collection[str] | None = None,
    moved_from: pl.DataFrame | None = None,
) -> int:
    """Recompute indicator sums and findings: everything, or the provinces of the changed
    schools, where they are now and where they were (``moved_from``: :func:`provinces_of`
    them before the core was rebuilt, so a school that left a province leaves nothing in
    it). Returns the number of (unit, period) rows written."""
    started = time.perf_counter()
    catalog = load_catalog()
    # after an ingest, stored sums made by this catalog and approval mode are updated in part
    usable = changed_schools is not None and _stored_usable(conn, settings)
    scope = None
    if usable and changed_schools is not None:
        scope = _affected(conn, settings, changed_schools, moved_from)
    same_bases = settings.approval == "off"  # every return counts on both bases
    query = sums_query(catalog, settings, same_bases=same_bases)
    params = _provinces(scope) | {
        "approved": not same_bases,
        "bases": ["all"] if same_bases else list(BASES),
    }
    if not usable:
        rows = _write_by_year(conn, query, params)
    else:  # after an ingest: most units' sums are what they were; only the others are written
        sums = conn.sql(query, params=params | {"school_year": None}).pl()
        _replace_changed(conn, settings, sums, scope)
        rows = sums.height
    registry = _frame(conn, "registry", settings, scope)
    returns = _frame(conn, "returns", settings, scope, approved=False).drop(APPROVED)
    found = findings(returns, registry, load_rules().quality)  # of every return, once
    if scope is None:
        db.execute(conn, "out/out_quality__findings", settings)
    else:
        conn.register("schools", registry.select("school_code").collect())
        conn.execute(
            "delete from out_quality__findings as f using schools as s "
            "where f.school_code = s.school_code"
        )
        conn.unregister("schools")
    db.insert_frame(conn, "out_quality__findings", found)
    conn.execute("delete from meta__approval")
    conn.execute("insert into meta__approval values (?)", [settings.approval])
    _record(conn, started, rows, scope)
    return rows


def _write_by_year(conn: duckdb.DuckDBPyConnection, query: str, params: dict[str, Any]) -> int:
    """Create ``out_indicator__sums`` from the sums ``query`` gives, one school year at a
    time: a unit's sums never mix two years, and the grouping of one year at a time holds a
    tenth of the memory. The wide table's columns follow the catalog (indicator_id__part), so
    it is created by the query itself. Returns the rows written."""
    years = [y for (y,) in conn.execute(SCHOOL_YEARS).fetchall()]
    empty = params | {"school_year": None}
    conn.execute(f"create or replace table out_indicator__sums as {query} with no data", empty)
    conn.execute(f"prepare sums_of_year as insert into out_indicator__sums {query}")
    try:
        given = ", ".join(f"\"{name}\" := {_literal(value)}" for name, value in params.items())
        for year in years:  # a prepared statement: planned once
            conn.execute(f"execute sums_of_year({given}, school_year := {_literal(year)})")
    finally:
        conn.execute("deallocate sums_of_year")
    return int(db.scalar(conn, "select count(*) from out_indicator__sums"))


def _literal(value: object) -> str:
    """A parameter of the sums query as SQL (text, boolean, list of texts or null)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v) for v in value) + "]::varchar[]"
    return "'" + str(value).replace("'", "''") + "'"


def approval_mode(conn: duckdb.DuckDBPyConnection) -> str | None:
    """The approval mode the snapshot's official figures were computed under (None: never)."""
    return db.scalar(conn, "select max(mode) from meta__approval")


def provinces_of(
    conn: duckdb.DuckDBPyConnection, settings: Settings, schools: Collection[str]
) -> pl.DataFrame | None:
    """The provinces (scheme, code) the schools are in by the snapshot's registry as it
    stands (None before the first build)."""
    tables = {t for (t,) in conn.execute("select table_name from duckdb_tables()").fetchall()}
    if "core_school__registry" not in tables:
        return None
    return db.query(conn, "indicators/affected_provinces", settings, school_codes=sorted(schools))


def _affected(
    conn: duckdb.DuckDBPyConnection,
    settings: Settings,
    changed: Collection[str],
    moved_from: pl.DataFrame | None,
) -> pl.DataFrame | None:
    """The provinces (scheme, code) of the changed schools, now and before, or None when
    they are most."""
    provinces = provinces_of(conn, settings, changed)
    if provinces is None:
        return None
    if moved_from is not None:
        provinces = pl.concat([provinces, moved_from]).unique()
    total = db.scalar(conn, "select count(distinct province_code_2025) from core_school__registry")
    if provinces.filter(pl.col("scheme") == "2025").height > FULL_REBUILD_SHARE * total:
        return None
    return provinces


def _stored_usable(conn: duckdb.DuckDBPyConnection, settings: Settings) -> bool:
    """Whether the stored sums and findings may be updated in part: made under this approval
    mode, by the present catalog, and not empty."""
    if approval_mode(conn) != settings.approval:
        return False  # official figures made under the other mode
    tables = {
        t for (t,) in conn.execute("select table_name from information_schema.tables").fetchall()
    }
    if not {"out_indicator__sums", "out_quality__findings"} <= tables:
        return False  # first build
    columns = conn.execute(
        "select column_name from information_schema.columns "
        "where table_name = 'out_indicator__sums' order by ordinal_position"
    ).fetchall()
    if [c for (c,) in columns] != [*sums_columns(load_catalog()), "basis"]:
        return False  # the catalog changed: the table's shape changes with it
    # empty, or made before the bases (sql/schema/64_out_indicator_basis.sql)
    return bool(db.scalar(conn, "select count(*) from out_indicator__sums where basis = 'all'"))


def _replace_changed(
    conn: duckdb.DuckDBPyConnection,
    settings: Settings,
    sums: pl.DataFrame,
    scope: pl.DataFrame | None,
) -> None:
    """Make the stored sums of the provinces in ``scope`` (all: None) those of ``sums``,
    rewriting only the rows whose values differ, or that are new or gone: writing the
    table's few hundred columns is most of a rebuild's cost, and most units are unchanged.
    A sum within :data:`SAME_WITHIN` of the stored one is the same: the sums of fractional
    parts come out in the last bits as the order of the additions falls, so a rebuild is no
    closer to itself than that."""
    stored = db.query(conn, "out/sums_of_provinces", settings, **_provinces(scope))
    values = [c for c in sums.columns if c not in SUMS_KEY]
    compared = sums.join(
        stored.with_columns(pl.lit(True).alias(STORED)),
        on=SUMS_KEY,
        how="left",
        suffix=OLD,
        nulls_equal=True,
    )
    same = pl.col(STORED).fill_null(False) & pl.all_horizontal(
        _same(c, sums.schema[c]) for c in values
    )
    fresh = compared.filter(~same).select(sums.columns)
    gone = stored.select(SUMS_KEY).join(sums.select(SUMS_KEY), on=SUMS_KEY, how="anti")
    conn.register("replaced", pl.concat([fresh.select(SUMS_KEY), gone]))
    db.execute(conn, "out/delete_sums_rows", settings)
    conn.unregister("replaced")
    db.insert_frame(conn, "out_indicator__sums", fresh)


def _same(column: str, dtype: pl.DataType) -> pl.Expr:
    """Whether a recomputed value is the stored one (both null, or equal; floats within
    :data:`SAME_WITHIN` of each other)."""
    new, old = pl.col(column), pl.col(f"{column}{OLD}")
    if not dtype.is_float():
        return new.eq_missing(old)
    close = (new - old).abs() <= SAME_WITHIN * pl.max_horizontal(new.abs(), old.abs())
    either = new.is_null() | old.is_null()
    return pl.when(either).then(new.is_null() & old.is_null()).otherwise(close)


def _record(
    conn: duckdb.DuckDBPyConnection, started: float, rows: int, provinces: pl.DataFrame | None
) -> None:
    detail = None
    if provinces is not None:
        detail = ", ".join(f"{s}:{p}" for s, p in provinces.sort(pl.all()).iter_rows())
    conn.execute(
        "insert into meta__build_steps values (?, 'indicators', ?, ?, ?, ?)",
        [
            datetime.now(UTC),
            "full" if provinces is None else "incremental",
            detail,
            time.perf_counter() - started,
            rows,
        ],
    )
