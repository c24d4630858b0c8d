"""The inputs of the indicator sums as a snapshot holds them, and the sums on both bases.

A unit's figures are kept on two bases (docs/approval.md): ``official``, the returns
approved (approval off: every return), and ``all``, every return received. Both are sums
over the unit's schools of the parts :func:`ioc.compute.indicators.unit_sums` adds up, so
what a set of schools adds to them (a :class:`Contribution`) can be taken apart from the
rest (:mod:`ioc.compute.sums_delta`).

``out_indicator__sums`` holds every unit's official row, and an ``all`` row only where it
differs from the official one (:func:`differing`): with approval off, or where none of a
unit's returns waits for approval, there is none, and a reader of ``all`` takes the official
row (:func:`on_basis`, ``sql/out/sums_of_units.sql``).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import duckdb
import polars as pl

from ioc import db
from ioc.catalog.definitions import Catalog, load_catalog
from ioc.compute.indicators import school_rows, sums_columns, unit_sums
from ioc.config import Settings
from ioc.domain.period import PERIOD_COLUMNS
from ioc.domain.units import PLACE_COLUMNS

APPROVED = "is_approved"  # sql/indicators/schools.sql: the return counts on the official basis
RECEIVED = "is_received"  # sql/indicators/schools.sql: the row has a return
# the columns of sql/indicators/schools.sql that are not the return's
NOT_RETURN = {
    "school_code",
    *PERIOD_COLUMNS,
    "has_return",
    "is_on_time",
    APPROVED,
    *PLACE_COLUMNS,
    "registry_level",
    "registry_ownership",
}
CELL = ["school_code", *PLACE_COLUMNS, *PERIOD_COLUMNS]  # where a school is counted
# a unit-period of out_indicator__sums (a row on each basis: SUMS_KEY)
UNIT_PERIOD = ["scheme", "level", "unit_code", "province_code", *PERIOD_COLUMNS]
SUMS_KEY = [*UNIT_PERIOD, "basis"]
OTHER = "__other"  # the compared row's columns, while two rows of sums are compared
SAME_WITHIN = 1e-12  # relative difference of a recomputed float sum still the stored one
# the registry, and the expected schools with their returns (sql/indicators/schools.sql)
Inputs = tuple[pl.LazyFrame, pl.DataFrame]


@dataclass(frozen=True)
class Contribution:
    """What some schools add to the stored sums at one moment: their own unit sums on both
    bases (``sums``: the stored table's columns) and the cells they are counted in (one row
    per school and expected period, sorted)."""

    sums: pl.DataFrame
    cells: pl.DataFrame


def params(scope: pl.DataFrame | None, schools: Collection[str] = ()) -> dict[str, object]:
    """The parameters of a query limited to the provinces in ``scope`` (None, and no
    ``schools``: every one) and the ``schools`` named: ``$all``, ``$provinces_2025``,
    ``$provinces_legacy``, ``$schools``."""
    found: dict[str, object] = {"all": scope is None and not schools, "schools": list(schools)}
    found |= {"provinces_2025": [], "provinces_legacy": []}
    if scope is not None:
        for scheme in ("2025", "legacy"):
            codes = scope.filter(pl.col("scheme") == scheme)["code"].to_list()
            found[f"provinces_{scheme}"] = codes
    return found


def inputs(conn: duckdb.DuckDBPyConnection, settings: Settings, given: dict[str, object]) -> Inputs:
    """The registry, and the expected (school, period) rows with their returns (flagged
    when approved) and places, of the schools ``given`` names (:func:`params`), read in SQL."""
    registry = db.query(conn, "indicators/registry", settings, **given).lazy()
    approved = settings.approval != "off"
    joined = db.query(conn, "indicators/schools", settings, **given, approved=approved)
    return registry, joined


def received(read: Inputs) -> pl.LazyFrame:
    """Every return received, with its own level and ownership (what findings read)."""
    _, joined = read
    return (
        joined.lazy()
        .filter(RECEIVED)
        .rename({"return_level": "level", "return_ownership": "ownership"})
        .drop(APPROVED, RECEIVED)
    )


def bases(
    read: Inputs, settings: Settings, catalog: Catalog
) -> tuple[pl.DataFrame, pl.DataFrame, pl.LazyFrame]:
    """The unit sums on the official basis and on all returns, and the schools' prepared
    rows. The official basis is the returns approved (approval off, or none waiting: every
    one, the same sums)."""
    _, joined = read
    schools = school_rows(joined.lazy().drop(APPROVED, RECEIVED), catalog.norms)
    every = unit_sums(schools, catalog)
    official = every
    if settings.approval != "off" and not _all_approved(joined):
        # an expected school whose return does not count officially is one without a return
        counted = pl.col(APPROVED)
        returned = [c for c in joined.columns if c not in NOT_RETURN and c != RECEIVED]
        approved = joined.lazy().with_columns(pl.when(counted).then(c).alias(c) for c in returned)
        official = unit_sums(school_rows(approved.drop(APPROVED, RECEIVED), catalog.norms), catalog)
    return official, every, schools


def _all_approved(joined: pl.DataFrame) -> bool:
    """Whether every return counts officially: then the official sums are all returns' (one
    computation instead of two, as with approval off)."""
    return bool(joined.filter(RECEIVED)[APPROVED].fill_null(False).all())


def with_basis(official: pl.DataFrame, every: pl.DataFrame) -> pl.DataFrame:
    """Both bases in one frame, the stored table's shape (its last column ``basis``)."""
    return pl.concat(
        [
            official.with_columns(pl.lit("official").alias("basis")),
            every.with_columns(pl.lit("all").alias("basis")),
        ],
        how="vertical_relaxed",
    )


def differing(official: pl.DataFrame, every: pl.DataFrame) -> pl.DataFrame:
    """The rows of ``every`` (sums of all returns) that differ from the official row of the
    same unit-period, or have none: the ``all`` rows stored (none when they are the same
    computation)."""
    if every is official:
        return every.clear()
    values = [c for c in every.columns if c not in UNIT_PERIOD]
    marked = official.with_columns(pl.lit(True).alias(OTHER))
    paired = every.join(marked, on=UNIT_PERIOD, how="left", suffix=OTHER, nulls_equal=True)
    schema = every.schema  # once: each lookup builds it anew
    same = pl.col(OTHER).fill_null(False) & pl.all_horizontal(
        same_value(c, schema[c]) for c in values
    )
    return paired.filter(~same).select(every.columns)


def on_basis(stored: pl.DataFrame, basis: str) -> pl.DataFrame:
    """The rows of ``stored`` (stored rows of both bases, with ``basis``; without it, rows
    of one basis, returned as they are) a reader of ``basis`` takes: a unit-period's ``all``
    row where there is one, else its official row; without the column ``basis``."""
    if "basis" not in stored.columns:
        return stored  # read from one basis only
    if basis == "all":
        key = [c for c in UNIT_PERIOD if c in stored.columns]
        every = stored.filter(pl.col("basis") == "all")
        official = stored.filter(pl.col("basis") == "official")
        stored = pl.concat([every, official.join(every, on=key, how="anti", nulls_equal=True)])
    else:
        stored = stored.filter(pl.col("basis") == basis)
    return stored.drop("basis")


def same_value(column: str, dtype: pl.DataType) -> pl.Expr:
    """Whether ``column`` equals ``column`` + :data:`OTHER` (both null, or equal; floats
    within :data:`SAME_WITHIN` of each other: sums of fractional parts come out in the last
    bits as the order of the additions falls)."""
    new, old = pl.col(column), pl.col(f"{column}{OTHER}")
    if not dtype.is_float():
        return new.eq_missing(old)
    close = (new - old).abs() <= SAME_WITHIN * pl.max_horizontal(new.abs(), old.abs())
    either = new.is_null() | old.is_null()
    return pl.when(either).then(new.is_null() & old.is_null()).otherwise(close)


def contribution(
    conn: duckdb.DuckDBPyConnection, settings: Settings, schools: Collection[str]
) -> Contribution:
    """What ``schools`` add to the sums as the snapshot holds them now."""
    read = inputs(conn, settings, params(None, sorted(schools)))
    official, every, prepared = bases(read, settings, load_catalog())
    cells = prepared.select(CELL).collect().sort(CELL, nulls_last=True)
    return Contribution(with_basis(official, every), cells)


def approval_mode(conn: duckdb.DuckDBPyConnection) -> str | None:
    """The approval mode the snapshot's official figures were computed under (None: never)."""
    return db.scalar(conn, "select max(mode) from meta__approval")


def stored_usable(conn: duckdb.DuckDBPyConnection, settings: Settings) -> bool:
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
    # empty (a snapshot made before the bases, sql/schema/64_out_indicator_basis.sql, has no
    # approval mode recorded: sql/schema/65_meta__approval.sql)
    return bool(db.scalar(conn, "select count(*) from out_indicator__sums"))
