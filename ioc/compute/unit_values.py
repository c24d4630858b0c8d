"""From the wide sums of a unit's schools to the values users read: one row per unit, period
and indicator with its value, its norm and target and their status, and the change since
the same term of the previous school year (``is_break`` where that crosses 1 July 2025)."""

from __future__ import annotations

import polars as pl

from ioc.catalog.definitions import Catalog
from ioc.domain.period import PERIOD_COLUMNS, crosses_reform_expr, next_year_expr


def finish_wide(wide: pl.DataFrame, catalog: Catalog, targets: pl.LazyFrame) -> pl.DataFrame:
    """Long rows (one per unit, period and indicator) with values, norm and target status and
    the change since the same term of the previous year, from the stored wide sums."""
    return finish(_long(wide, catalog).lazy(), catalog, targets).select(OUT_COLUMNS).collect()


LONG_PARTS = {
    "n": "numerator",
    "d": "denominator",
    "c": "schools_contributing",
    "s": "schools_in_scope",
    "w": "norm_weighted",
    "dn": "norm_denominator",
    "wc": "norm_schools",
}


def _long(wide: pl.DataFrame, catalog: Catalog) -> pl.DataFrame:
    """One row per (unit, period, indicator) from the wide sums: one unpivot and one pivot."""
    keys = ["scheme", "level", "unit_code", "province_code", *PERIOD_COLUMNS]
    ids = {i.id for i in catalog.indicators}
    measures = [c for c in wide.columns if c.split("__")[0] in ids]
    if wide.is_empty():
        schema: dict[str, type[pl.DataType]] = {
            **dict.fromkeys(keys, pl.String),
            "indicator_id": pl.String,
        }
        schema |= dict.fromkeys(LONG_PARTS.values(), pl.Float64)
        return pl.DataFrame(schema=schema)
    long = (
        wide.select(*keys, pl.col(measures).cast(pl.Float64))
        .unpivot(index=keys, on=measures, variable_name="measure", value_name="x")
        .with_columns(
            pl.col("measure")
            .str.split_exact("__", 1)
            .struct.rename_fields(["indicator_id", "part"])
        )
        .unnest("measure")
        .pivot(on="part", index=[*keys, "indicator_id"], values="x")
    )
    for part in LONG_PARTS:
        if part not in long.columns:
            long = long.with_columns(pl.lit(None, pl.Float64).alias(part))
    return (
        long.select(
            *keys,
            "indicator_id",
            *[pl.col(p).alias(name) for p, name in LONG_PARTS.items()],
        )
        .with_columns(
            pl.col("schools_contributing", "schools_in_scope").cast(pl.UInt32),
            pl.col("norm_schools").fill_null(0).cast(pl.UInt32),
        )
        .filter(pl.col("schools_in_scope") > 0)
    )


def finish(values: pl.LazyFrame, catalog: Catalog, targets: pl.LazyFrame) -> pl.LazyFrame:
    """Values, norm and target status, change since the same term of the previous year."""
    meta = pl.LazyFrame(
        [
            {
                "indicator_id": i.id,
                "kind": i.kind,
                "factor": i.factor,
                "comparison": catalog.norms.by_id[i.norm].comparison if i.norm else None,
                "tolerance": catalog.norms.by_id[i.norm].tolerance if i.norm else 0.0,
                "target_comparison": {"up": "min", "down": "max", "near": "near"}.get(i.direction),
            }
            for i in catalog.indicators
        ]
    )
    summed = pl.col("kind").is_in(["sum", "schools", "shortfall"])
    value = (
        pl.when(pl.col("schools_contributing") == 0)
        .then(None)
        .when(summed)
        .then(pl.col("numerator"))
        .when(pl.col("denominator") != 0)
        .then(pl.col("factor") * pl.col("numerator") / pl.col("denominator"))
    )
    # norm weighted by the denominators of the schools a norm applies to
    norm = (
        pl.when(pl.col("norm_schools") == 0)
        .then(None)
        .when(summed)
        .then(pl.col("norm_weighted"))
        .when(pl.col("norm_denominator") != 0)
        .then(pl.col("norm_weighted") / pl.col("norm_denominator"))
    )
    out = (
        values.join(meta, on="indicator_id", how="left")
        .with_columns(value.alias("value"), norm.alias("norm_value"))
        .join(targets, on=["scheme", "unit_code", "school_year", "indicator_id"], how="left")
        .with_columns(
            status_expr("value", "norm_value", "comparison", "tolerance").alias("norm_status"),
            status_expr("value", "target_value", "target_comparison", pl.lit(0.0)).alias(
                "target_status"
            ),
        )
    )
    return _with_previous(out)


def status_expr(value: str, reference: str, comparison: str, tolerance: pl.Expr | str) -> pl.Expr:
    v, r, c = pl.col(value), pl.col(reference), pl.col(comparison)
    tol = pl.col(tolerance) if isinstance(tolerance, str) else tolerance
    return (
        pl.when(r.is_null() | c.is_null())
        .then(pl.lit("no_norm"))
        .when(v.is_null())
        .then(pl.lit("no_value"))
        .when((c == "max") & (v <= r))
        .then(pl.lit("meets"))
        .when(c == "max")
        .then(pl.lit("above"))
        .when((c == "min") & (v >= r))
        .then(pl.lit("meets"))
        .when(c == "min")
        .then(pl.lit("below"))
        .when((v - r).abs() <= tol * r.abs())
        .then(pl.lit("meets"))
        .when(v < r)
        .then(pl.lit("below"))
        .otherwise(pl.lit("above"))
    )


def _with_previous(out: pl.LazyFrame) -> pl.LazyFrame:
    previous = out.select(
        "scheme",
        "level",
        "unit_code",
        "indicator_id",
        "term",
        next_year_expr().alias("school_year"),  # where this value is the previous one
        pl.col("value").alias("previous_value"),
    )
    return out.join(
        previous, on=["scheme", "level", "unit_code", "indicator_id", *PERIOD_COLUMNS], how="left"
    ).with_columns(
        (pl.col("value") - pl.col("previous_value")).alias("change"),
        crosses_reform_expr().alias("is_break"),
    )


OUT_COLUMNS = [
    "scheme",
    "level",
    "unit_code",
    "province_code",
    "school_year",
    "term",
    "indicator_id",
    "numerator",
    "denominator",
    "value",
    "schools_contributing",
    "schools_in_scope",
    "norm_value",
    "norm_status",
    "target_value",
    "target_status",
    "previous_value",
    "change",
    "is_break",
]
