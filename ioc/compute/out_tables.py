"""Rebuild the ``out_`` tables of a snapshot from its ``core_`` tables (inside a writer).

After an ingest only the provinces whose schools changed are recomputed: every unit lies in
one province of its scheme, and old provinces nest in new ones, so recomputing the whole
2025 province(s) of the changed schools is exact for every unit it touches.
"""

from __future__ import annotations

import time
from collections.abc import Collection
from datetime import UTC, datetime

import duckdb
import polars as pl

from ioc import db
from ioc.catalog import load_rules
from ioc.catalog.definitions import load_catalog
from ioc.compute.findings import findings
from ioc.compute.indicators import prepare_schools, sums_columns, unit_sums
from ioc.config import Settings

FULL_REBUILD_SHARE = 0.5  # above this share of schools changed, recompute everything
APPROVED = "is_approved"  # sql/indicators/returns.sql: the return counts on the official basis
# a row of out_indicator__sums: one (unit, period) on one basis
SUMS_KEY = ["scheme", "level", "unit_code", "province_code", "school_year", "term", "basis"]
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
    registry, expected = (_frame(conn, name, settings, scope) for name in ("registry", "expected"))
    # read once: the official basis is the returns approved (off: every one, on both bases)
    flagged = _frame(conn, "returns", settings, scope, approved=settings.approval != "off")
    returns = flagged.drop(APPROVED)
    every = unit_sums(prepare_schools(returns, registry, expected, catalog.norms), catalog)
    official = every
    if settings.approval != "off":
        approved = flagged.filter(APPROVED).drop(APPROVED)
        official = unit_sums(prepare_schools(approved, registry, expected, catalog.norms), catalog)
    found = findings(returns, registry, load_rules().quality)  # of every return, once
    if not usable:
        # the wide table's columns follow the catalog (indicator_id__part), so it is created
        # from the frames themselves, each basis read where it is (no copy of the two joined);
        # the findings table's shape is in sql/out
        conn.register("official_sums", official)
        conn.register("every_sums", every)
        conn.execute(
            "create or replace table out_indicator__sums as "
            "select *, 'official' as basis from official_sums "
            "union all by name select *, 'all' as basis from every_sums"
        )
        conn.unregister("official_sums")
        conn.unregister("every_sums")
        rows = official.height + every.height
    else:  # after an ingest: most units' sums are what they were; only the others are written
        sums = pl.concat(
            [
                official.with_columns(pl.lit("official").alias("basis")),
                every.with_columns(pl.lit("all").alias("basis")),
            ],
            how="vertical_relaxed",
        )
        _replace_changed(conn, settings, sums, scope)
        rows = sums.height
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
