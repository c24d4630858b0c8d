"""Per school and period: the value, norm and status of some indicators, from the same
expressions the unit sums add up (:mod:`ioc.compute.indicators`), for a school's page, a
report's schools and the values of the returns of a unit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from ioc.catalog.definitions import Catalog
from ioc.compute.indicators import (
    MAX_KEPT,
    measure_column,
    measures,
    prepare_schools,
    school_stages,
    with_school_measures,
)
from ioc.compute.unit_values import status_expr
from ioc.domain.period import PERIOD_COLUMNS


@dataclass(frozen=True)
class _SchoolPlan:
    """The expressions of :func:`school_values` for some indicators."""

    stages: list[list[pl.Expr]]  # :func:`ioc.compute.indicators.school_stages`
    parts: list[pl.Expr]  # one struct per indicator, all of one type
    rules: pl.LazyFrame  # each indicator's norm comparison and tolerance


#: plans by (catalog, indicators): making one costs more than using it on one school's rows
_PLANS: dict[tuple[int, tuple[str, ...]], tuple[Catalog, _SchoolPlan]] = {}


def _school_plan(catalog: Catalog, indicator_ids: Sequence[str]) -> _SchoolPlan:
    key = (id(catalog), tuple(indicator_ids))
    kept = _PLANS.get(key)
    if kept is not None and kept[0] is catalog:
        return kept[1]
    chosen = [catalog.by_id[i] for i in indicator_ids]
    sub = catalog.model_copy(update={"indicators": chosen})
    stored = measures(sub)
    parts = []
    for ind in chosen:
        n, d = pl.col(measure_column(ind, "n")), pl.col(measure_column(ind, "d"))
        summed = ind.kind in ("sum", "schools", "shortfall")
        value = n if summed else pl.when(d != 0).then(ind.factor * n / d)
        norm = pl.lit(None, pl.Float64)
        if ind.norm:
            w, dn = pl.col(measure_column(ind, "w")), pl.col(stored[measure_column(ind, "dn")][0])
            norm = w if summed else pl.when(dn != 0).then(w / dn)
        parts.append(
            pl.struct(
                (pl.col(stored[measure_column(ind, "s")][0]) > 0).alias("in_scope"),
                n.cast(pl.Float64).alias("numerator"),
                d.cast(pl.Float64).alias("denominator"),
                value.cast(pl.Float64).alias("value"),
                norm.cast(pl.Float64).alias("norm_value"),
            ).alias(ind.id)
        )
    norms = [catalog.norms.by_id[i.norm] if i.norm else None for i in chosen]
    rules = pl.LazyFrame(
        {
            "indicator_id": [i.id for i in chosen],
            "comparison": [n.comparison if n else None for n in norms],
            "tolerance": [n.tolerance if n else 0.0 for n in norms],
        },
        schema_overrides={"comparison": pl.String, "tolerance": pl.Float64},
    )
    plan = _SchoolPlan(school_stages(sub), parts, rules)
    if len(_PLANS) >= MAX_KEPT:
        _PLANS.clear()
    _PLANS[key] = (catalog, plan)
    return plan


def school_values(
    returns: pl.LazyFrame,
    registry: pl.LazyFrame,
    expected: pl.LazyFrame,
    catalog: Catalog,
    indicator_ids: list[str],
) -> pl.DataFrame:
    """Per school and period: value, norm and status of the given indicators (long frame)."""
    plan = _school_plan(catalog, indicator_ids)
    keys = ["school_code", *PERIOD_COLUMNS]
    schools = prepare_schools(returns, registry, expected, catalog.norms)
    return (
        with_school_measures(schools, plan.stages)
        .select(*keys, *plan.parts)
        .unpivot(index=keys, variable_name="indicator_id", value_name="x")
        .unnest("x")
        .filter("in_scope")
        .drop("in_scope")
        .join(plan.rules, on="indicator_id", how="left", maintain_order="left")
        .with_columns(
            status_expr("value", "norm_value", "comparison", "tolerance").alias("norm_status")
        )
        .drop("comparison", "tolerance")
        .collect()
    )


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
