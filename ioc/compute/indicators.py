"""The indicator engine: catalog entries computed for every school and rolled up to every unit
of both schemes, for every period, in one DuckDB query (``ioc.compute.indicator_sql``).

A unit's value is factor × Σn / Σd over its schools (ratio of sums, never a mean of ratios;
missing stays missing; Σd = 0 gives no value); its norm is Σw / Σd, so a norm that differs
by level or school type is weighted by the schools' denominators. Schools are first summed
per cell (their five places, the period and the basis), then cells are rolled up to each
level: every level is a function of the cell, so sums stay exact.

The same query runs on a snapshot's tables (:func:`sums_query` with the ``sql/indicators``
inputs) and on frames (:func:`compute`, :func:`school_values`, in an in-memory DuckDB).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import duckdb
import polars as pl

from ioc import db
from ioc.catalog.definitions import Catalog
from ioc.compute import indicator_sql as sql
from ioc.compute.unit_values import finish_wide, status_expr
from ioc.config import Settings
from ioc.domain.period import PERIOD_COLUMNS
from ioc.domain.units import PLACE_COLUMN, PLACE_COLUMNS, place_column

# (scheme, level, registry column of the unit, registry column of its province)
GROUPINGS: list[tuple[str, str, str, str]] = [
    (scheme, level, column, place_column(scheme, "province"))
    for (scheme, level), column in PLACE_COLUMN.items()
]
KEYS = ["scheme", "level", "unit_code", "province_code", *PERIOD_COLUMNS]
BASES = ("official", "all")  # docs/approval.md


def sums_columns(catalog: Catalog) -> list[str]:
    """The columns of the stored wide table, in order (changes when the catalog does)."""
    return KEYS + sql.sums_columns(catalog)


def _school_stages(catalog: Catalog, rows: str) -> list[tuple[str, str]]:
    """The CTEs from the rows of ``sql/indicators/school_rows.sql`` to ``schools``: one row
    per school, period and basis with every indicator's n, d, w, dn and s."""
    derived = ", ".join(
        [
            f"{sql.period_date()} as period_date",
            f"{sql.norm_level(catalog.norms)} as norm_level",
            "coalesce(school_type, 'regular') as school_type_or_regular",
            "coalesce(classes > 0 and classes_two_sessions = classes, false) as is_full_day",
        ]
    )
    ids = ", ".join(["school_code", *PLACE_COLUMNS, *PERIOD_COLUMNS, "basis"])
    return [
        ("school_rows", rows),
        ("derived", f"select *, {derived} from school_rows"),
        ("shared", f"select *, {', '.join(sql.shared_columns(catalog))} from derived"),
        ("raw", f"select *, {', '.join(sql.raw_columns(catalog))} from shared"),
        ("known", f"select *, {', '.join(sql.known_columns(catalog))} from raw"),
        ("schools", f"select {ids}, {', '.join(sql.school_columns(catalog))} from known"),
    ]


def _unit_stages(catalog: Catalog) -> list[tuple[str, str]]:
    """The CTEs from ``schools`` to ``units``: the wide sums of every unit of every level.
    Cells are summed to communes and districts; districts (with the cells of no district)
    to provinces of the old scheme, communes (with the cells of no commune) to provinces of
    the new one: the sums of a partition, so the same as from the cells."""
    period = ", ".join([*PERIOD_COLUMNS, "basis"])
    cell = ", ".join([*PLACE_COLUMNS, period])
    rolled = ", ".join(sql.rolled_sums(catalog))
    stored = ", ".join(sql.stored_measures(catalog))

    def group(source: str, *keys: str) -> str:
        return f"select {', '.join(keys)}, {period}, {rolled} from {source} group by all"

    levels = {  # (scheme, level): the CTE holding its unit sums
        ("legacy", "commune"): "communes_legacy",
        ("legacy", "district"): "districts_legacy",
        ("legacy", "province"): "provinces_legacy",
        ("2025", "commune"): "communes_2025",
        ("2025", "province"): "provinces_2025",
    }
    units = [
        f"select '{scheme}' as scheme, '{level}' as level, {key} as unit_code, "
        f"{province} as province_code, school_year, term, {stored}, basis "
        f"from {levels[(scheme, level)]} where {key} is not null and {province} is not null"
        for scheme, level, key, province in GROUPINGS
    ]
    return [
        ("cells", f"select {cell}, {', '.join(sql.cell_sums(catalog))} from schools group by {cell}"),
        ("communes_legacy", group("cells", "commune_code_legacy", "province_code_legacy")),
        ("districts_legacy", group("cells", "district_code_legacy", "province_code_legacy")),
        ("provinces_legacy", group("districts_legacy", "province_code_legacy")),
        ("communes_2025", group("cells", "commune_code_2025", "province_code_2025")),
        ("provinces_2025", group("communes_2025", "province_code_2025")),
        ("units", "\nunion all\n".join(units)),
    ]


ROLLED = {"cells", "districts_legacy", "communes_2025"}  # read twice or more: materialized


def _with(stages: list[tuple[str, str]], select: str, materialized: set[str]) -> str:
    ctes = ",\n".join(
        f"{name} as {'materialized ' if name in materialized else ''}(\n{body}\n)"
        for name, body in stages
    )
    return f"with {ctes}\n{select}"


def sums_query(catalog: Catalog, settings: Settings, *, same_bases: bool) -> str:
    """The wide sums of a snapshot (one row per unit, period and basis, ``basis`` last), with
    the parameters of ``sql/indicators``: ``$all``, ``$provinces_2025``,
    ``$provinces_legacy``, ``$approved``, ``$bases`` and ``$school_year``. ``same_bases``: the official basis
    is every return (approval off): ``$bases`` is ``['all']`` and its sums are given on both."""
    inputs = [
        (name, db.sql(f"indicators/{name}", settings.sql_dir))
        for name in ("expected", "returns", "registry")
    ]
    rows = db.sql("indicators/school_rows", settings.sql_dir)
    stages = inputs + _school_stages(catalog, rows) + _unit_stages(catalog)
    if not same_bases:
        return _with(stages, "select * from units", ROLLED)
    both = "select * replace ('official' as basis) from units union all select * from units"
    return _with(stages, both, ROLLED | {"units"})


@contextmanager
def _on_frames(
    returns: pl.LazyFrame, registry: pl.LazyFrame, expected: pl.LazyFrame
) -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB where the frames are the inputs of the engine's SQL."""
    conn = db.connect_memory(Settings())
    try:
        for name, frame in (("returns", returns), ("registry", registry), ("expected", expected)):
            conn.register(f"{name}_frame", frame.collect())
        yield conn
    finally:
        conn.close()


def _frame_stages(catalog: Catalog, settings: Settings) -> list[tuple[str, str]]:
    """The stages on frames (every return counted, on the 'all' basis)."""
    inputs = [
        ("returns", "select *, true as is_approved from returns_frame"),
        ("registry", "select * from registry_frame"),
        ("expected", "select * from expected_frame"),
    ]
    rows = db.sql("indicators/school_rows", settings.sql_dir)
    return inputs + _school_stages(catalog, rows)


def frame_sums(
    returns: pl.LazyFrame, registry: pl.LazyFrame, expected: pl.LazyFrame, catalog: Catalog
) -> pl.DataFrame:
    """Wide frame, one row per (unit, period) of every level of both schemes: for each
    indicator the sums n, d, w, dn, s and the counts c (schools contributing) and wc."""
    query = _with(
        _frame_stages(catalog, Settings()) + _unit_stages(catalog),
        f"select * exclude (basis) from units order by {', '.join(KEYS)}",
        ROLLED,
    )
    with _on_frames(returns, registry, expected) as conn:
        return conn.sql(query, params={"bases": ["all"], "school_year": None}).pl()


def compute(
    returns: pl.LazyFrame,
    registry: pl.LazyFrame,
    expected: pl.LazyFrame,
    targets: pl.LazyFrame,
    catalog: Catalog,
) -> pl.DataFrame:
    """Every indicator at every level for every period (the out_indicator__values rows)."""
    return finish_wide(frame_sums(returns, registry, expected, catalog), catalog, targets)


def school_values(
    returns: pl.LazyFrame,
    registry: pl.LazyFrame,
    expected: pl.LazyFrame,
    catalog: Catalog,
    indicator_ids: list[str],
) -> pl.DataFrame:
    """Per school and period: value, norm and status of the given indicators (long frame)."""
    chosen = [catalog.by_id[i] for i in indicator_ids]
    sub = catalog.model_copy(update={"indicators": chosen})
    query = _with(_frame_stages(sub, Settings()), "select * exclude (basis) from schools", set())
    with _on_frames(returns, registry, expected) as conn:
        wide = conn.sql(query, params={"bases": ["all"], "school_year": None}).pl().lazy()
    parts = []
    for ind in chosen:
        n, d = pl.col(sql.col(ind, "n")), pl.col(sql.col(ind, "d"))
        scope = pl.col(sql.measures(sub)[sql.col(ind, "s")][0])
        summed = ind.kind in ("sum", "schools", "shortfall")
        value = n if summed else pl.when(d != 0).then(ind.factor * n / d)
        norm = pl.lit(None, pl.Float64)
        if ind.norm:
            w, dn = pl.col(sql.col(ind, "w")), pl.col(sql.measures(sub)[sql.col(ind, "dn")][0])
            norm = w if summed else pl.when(dn != 0).then(w / dn)
        comparison = catalog.norms.by_id[ind.norm].comparison if ind.norm else None
        tolerance = catalog.norms.by_id[ind.norm].tolerance if ind.norm else 0.0
        parts.append(
            wide.filter(scope > 0).select(
                "school_code",
                *PERIOD_COLUMNS,
                pl.lit(ind.id).alias("indicator_id"),
                n.alias("numerator"),
                d.alias("denominator"),
                value.alias("value"),
                norm.alias("norm_value"),
                pl.lit(comparison, pl.String).alias("comparison"),
                pl.lit(tolerance).alias("tolerance"),
            )
        )
    frame = pl.concat(parts).with_columns(
        status_expr("value", "norm_value", "comparison", "tolerance").alias("norm_status")
    )
    return frame.drop("comparison", "tolerance").collect()


def reported_values(
    returns: pl.DataFrame, registry: pl.DataFrame, catalog: Catalog, indicator_ids: list[str]
) -> pl.DataFrame:
    """:func:`school_values` for the returns given (each counted as expected and on time)."""
    expected = returns.select(
        "school_code",
        *PERIOD_COLUMNS,
        pl.lit(True).alias("has_return"),
        pl.lit(True).alias("is_on_time"),
    )
    fields = [c for c in returns.columns if c not in ("scheme", "run_id", "sheet", "source_row")]
    return school_values(
        returns.select(fields).lazy(), registry.lazy(), expected.lazy(), catalog, indicator_ids
    )
