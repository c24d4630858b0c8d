"""Warnings about a school's figures compared with its own earlier returns."""

from __future__ import annotations

import polars as pl

from ioc.catalog import load_rules
from ioc.catalog.messages import ISSUE_COLUMNS, params


def period_change_warnings(accepted: pl.DataFrame, previous: pl.DataFrame) -> pl.DataFrame:
    """A change of more than the configured share since the same term of the previous year."""
    spec = load_rules().warnings.period_change
    if previous.is_empty():
        return pl.DataFrame(schema=dict.fromkeys(ISSUE_COLUMNS, pl.String)).with_columns(
            pl.col("_row").cast(pl.Int32)
        )
    old = previous.select(
        "school_code", "term", pl.col("school_year").alias("previous_year"), *spec.fields
    )
    pairs = accepted.join(old, on=["school_code", "term"], suffix="_old")
    found = []
    for name in spec.fields:
        new, was = pl.col(name), pl.col(f"{name}_old")
        changed = (was > 0) & new.is_not_null() & ((new - was).abs() > spec.max_share * was)
        found.append(
            pairs.filter(changed).select(
                "_sheet",
                "_row",
                "school_code",
                pl.lit(name).alias("field"),
                pl.lit("period_change").alias("rule"),
                pl.format("{} -> {}", was, new).alias("value"),
                params(
                    share=((new - was) * 100 / was).round(0).cast(pl.Int64),
                    year=pl.col("previous_year"),
                    max=round(spec.max_share * 100),
                ),
            )
        )
    return pl.concat(found)
