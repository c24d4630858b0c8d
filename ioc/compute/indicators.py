"""The indicator engine: catalog entries to Polars expressions, computed for every school and
rolled up to every unit of both schemes, for every period.

Every indicator is reduced, per school and period, to a numerator ``n`` and a denominator
``d`` that are both known or both null, plus ``w`` = the school's norm × ``d`` where a
norm applies. A unit's value is factor × Σn / Σd over its schools (ratio of sums, never a
mean of ratios; missing stays missing; Σd = 0 gives no value); its norm is Σw / Σd, so a
norm that differs by level or school type is weighted by the schools' denominators.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import TypeVar

import polars as pl

from ioc.catalog.definitions import Catalog, Indicator, Norm, Norms
from ioc.compute.unit_values import finish_wide
from ioc.domain.period import PERIOD_COLUMNS, date_expr
from ioc.domain.units import PLACE_COLUMN, PLACE_COLUMNS, place_column

# what a norm's rule may be conditioned on (ioc/catalog/norms.yaml)
NORM_CONDITIONS = (
    "levels",
    "ownership",
    "school_types",
    "area",
    "full_day",
    "valid_from",
    "valid_to",
)
Frame = TypeVar("Frame", pl.DataFrame, pl.LazyFrame)
# (scheme, level, registry column of the unit, registry column of its province)
GROUPINGS: list[tuple[str, str, str, str]] = [
    (scheme, level, column, place_column(scheme, "province"))
    for (scheme, level), column in PLACE_COLUMN.items()
]


def measure_column(ind: Indicator, part: str) -> str:
    """The column of an indicator's measure (``NET_CLASS_SIZE__n``)."""
    return f"{ind.id}__{part}"


def _matches(values: Sequence[str] | None, column: str) -> pl.Expr:
    return pl.lit(True) if values is None else pl.col(column).is_in(values)


def norm_expr(norm: Norm) -> pl.Expr:
    """The norm value that applies to each school-period (first matching rule), or null."""
    rules: list[pl.Expr] = []
    for rule in norm.rules:
        cond = (
            _matches(rule.levels, "norm_level")
            & _matches(rule.ownership, "ownership")
            & _matches(rule.school_types, "school_type_or_regular")
            & _matches(rule.area, "area")
        )
        if rule.full_day is not None:
            cond = cond & (pl.col("is_full_day") == rule.full_day)
        if rule.valid_from is not None:
            cond = cond & (pl.col("period_date") >= rule.valid_from)
        if rule.valid_to is not None:
            cond = cond & (pl.col("period_date") <= rule.valid_to)
        rules.append(pl.when(cond).then(pl.lit(rule.value)))
    if not rules:
        raise ValueError(f"norm {norm.id} has no rules")
    # the first rule that matches: rule values are never null, so coalesce picks it
    return pl.coalesce(rules).cast(pl.Float64)


def _scope_key(ind: Indicator) -> str:
    scope = ind.scope
    parts = ["-".join(v) if v else "*" for v in (scope.levels, scope.ownership, scope.terms)]
    return "__scope_" + "_".join(parts)


def _scope(ind: Indicator) -> pl.Expr:
    return (
        pl.col("is_expected")
        & _matches(ind.scope.levels, "level")
        & _matches(ind.scope.ownership, "ownership")
        & _matches(ind.scope.terms, "term")
    )


def shared_exprs(catalog: Catalog) -> list[pl.Expr]:
    """Columns several indicators share, computed once: scope masks and school norms."""
    scopes = {_scope_key(i): _scope(i) for i in catalog.indicators}
    norms = {n for i in catalog.indicators for n in (i.norm, i.ratio_norm) if n}
    return [e.alias(k) for k, e in scopes.items()] + [
        norm_expr(catalog.norms.by_id[n]).alias(f"__norm_{n}") for n in sorted(norms)
    ]


def _num_den(ind: Indicator, norms: Norms) -> tuple[pl.Expr, pl.Expr]:
    """School-level numerator and denominator before scoping (null = not computable)."""
    one = pl.lit(1.0)
    if ind.kind == "schools":
        return one, one
    if ind.kind == "completeness":
        return pl.col("has_return").cast(pl.Float64), one
    if ind.kind == "timeliness":
        return pl.col("is_on_time").cast(pl.Float64), one
    n = pl.col(_needed(ind, "numerator", ind.numerator))
    if ind.kind in ("sum", "per_school"):
        return n, pl.when(n.is_not_null()).then(one)
    if ind.kind == "share_of_schools":
        hit = (n > 0) if ind.condition == "positive" else n
        return hit.cast(pl.Float64), pl.when(n.is_not_null()).then(one)
    d = pl.col(_needed(ind, "denominator", ind.denominator))
    if ind.kind == "ratio":
        return n, d
    ratio_norm = _needed(ind, "ratio_norm", ind.ratio_norm)
    cap = pl.col(f"__norm_{ratio_norm}")
    if ind.kind == "schools_above_norm":
        known = (d > 0) & n.is_not_null() & cap.is_not_null()
        return pl.when(known).then((n / d > cap).cast(pl.Float64)), pl.when(known).then(one)
    # shortfall: numerator = the school's shortfall, denominator = its net gap (< 0: surplus),
    # in whole people: the school's norm × classes rounded by the norm's rule first
    gap = whole_people(cap * d, norms.by_id[ratio_norm]) - n
    return pl.when(gap.is_not_null()).then(pl.max_horizontal(gap, 0.0)), gap


def _needed(ind: Indicator, part: str, value: str | None) -> str:
    """A part the indicator's kind needs (the catalog's validator guarantees it is given)."""
    if value is None:
        raise ValueError(f"indicator {ind.id} ({ind.kind}) has no {part}")
    return value


def whole_people(need: pl.Expr, norm: Norm) -> pl.Expr:
    """People a school needs by a per-class norm (norm × classes), rounded by the norm's
    rule (``norms.yaml``): 26,6 → 27, 29,25 → 29 to the nearest; 29,25 → 30 up. The product
    is first rounded to 6 decimals so that 1,9 × 15 (28,499999...) is 28,5."""
    if norm.rounding is None:
        return need
    exact = need.round(6)
    if norm.rounding.rule == "up":
        return exact.ceil()
    return (exact + 0.5).floor()


def school_stages(catalog: Catalog) -> list[list[pl.Expr]]:
    """Per indicator: n, d (both known or both null, within scope), w (norm × d), dn (d where
    w is known). In stages, each reading the columns of the one before so that no expression
    repeats another's tree: the shared columns, each indicator's mask (``__both_<id>``), n and
    d, then w and dn. One school's rows take half the time (the cost is per expression)."""
    masks, parts, normed = [], [], []
    for ind in catalog.indicators:
        n, d = _num_den(ind, catalog.norms)
        if ind.kind not in ("completeness", "timeliness"):
            n, d = pl.when(pl.col("has_return")).then(n), pl.when(pl.col("has_return")).then(d)
        both = f"__both_{ind.id}"
        masks.append((pl.col(_scope_key(ind)) & n.is_not_null() & d.is_not_null()).alias(both))
        d_ok = measure_column(ind, "d")
        parts += [
            pl.when(pl.col(both)).then(n.cast(pl.Float64)).alias(measure_column(ind, "n")),
            pl.when(pl.col(both)).then(d.cast(pl.Float64)).alias(d_ok),
        ]
        if ind.norm:
            w = pl.col(f"__norm_{ind.norm}") * pl.col(d_ok)
            normed.append(w.alias(measure_column(ind, "w")))
            if not _always(catalog.norms.by_id[ind.norm]):
                dn = pl.when(w.is_not_null()).then(pl.col(d_ok))
                normed.append(dn.alias(measure_column(ind, "dn")))
    return [shared_exprs(catalog), masks, parts, normed]


def with_school_measures(schools: Frame, stages: Sequence[Sequence[pl.Expr]]) -> Frame:
    """``schools`` with the columns of :func:`school_stages` (made once by the caller)."""
    for stage in stages:
        schools = schools.with_columns(stage)
    return schools


def _always(norm: Norm) -> bool:
    """Whether the norm applies to every school (a rule without conditions): then ``w`` is
    known wherever ``d`` is, so ``dn`` is ``d`` and ``wc`` is ``c``."""
    return any(all(getattr(rule, c) is None for c in NORM_CONDITIONS) for rule in norm.rules)


def measures(catalog: Catalog) -> dict[str, tuple[str, str]]:
    """Every stored measure column (:func:`sums_columns`, in order) as the school column it
    adds up and how ('sum' or 'count'): ``s`` is the sum of the indicator's scope mask, and
    where the norm always applies ``dn`` is the sum of ``d`` and ``wc`` its count."""
    out: dict[str, tuple[str, str]] = {}
    for ind in catalog.indicators:
        d = measure_column(ind, "d")
        always = ind.norm is not None and _always(catalog.norms.by_id[ind.norm])
        out[measure_column(ind, "n")] = (measure_column(ind, "n"), "sum")
        out[d] = (d, "sum")
        out[measure_column(ind, "s")] = (_scope_key(ind), "sum")
        if ind.norm:
            out[measure_column(ind, "w")] = (measure_column(ind, "w"), "sum")
            out[measure_column(ind, "dn")] = (d if always else measure_column(ind, "dn"), "sum")
        out[measure_column(ind, "c")] = (d, "count")
        if ind.norm:
            out[measure_column(ind, "wc")] = (d if always else measure_column(ind, "w"), "count")
    return out


def prepare_schools(
    returns: pl.LazyFrame, registry: pl.LazyFrame, expected: pl.LazyFrame, norms: Norms
) -> pl.LazyFrame:
    """One row per expected (school, period): the return's fields (null when none came),
    the school's places and attributes, and the columns norms condition on."""
    return school_rows(join_schools(returns, registry, expected), norms)


def join_schools(
    returns: pl.LazyFrame, registry: pl.LazyFrame, expected: pl.LazyFrame
) -> pl.LazyFrame:
    """The expected (school, period) rows with their return (its level and ownership as
    ``return_level`` and ``return_ownership``) and the school's places and registry level
    and ownership. ``sql/indicators/schools.sql`` makes the same join in a snapshot."""
    places = registry.select(
        "school_code",
        *PLACE_COLUMNS,
        pl.col("level").alias("registry_level"),
        pl.col("ownership").alias("registry_ownership"),
    )
    return expected.join(
        returns.rename({"level": "return_level", "ownership": "return_ownership"}),
        on=["school_code", *PERIOD_COLUMNS],
        how="left",
    ).join(places, on="school_code", how="left")


def school_rows(joined: pl.LazyFrame, norms: Norms) -> pl.LazyFrame:
    """The rows :func:`join_schools` makes, with the school's level and ownership (the
    return's, else the registry's) and the columns norms condition on."""
    return joined.with_columns(
        pl.coalesce("return_level", "registry_level").alias("level"),
        pl.coalesce("return_ownership", "registry_ownership").alias("ownership"),
    ).with_columns(
        date_expr().alias("period_date"),
        pl.col("level").replace(norms.level_for_norms).alias("norm_level"),
        pl.col("school_type").fill_null("regular").alias("school_type_or_regular"),
        ((pl.col("classes") > 0) & (pl.col("classes_two_sessions") == pl.col("classes")))
        .fill_null(False)
        .alias("is_full_day"),
        pl.lit(True).alias("is_expected"),
    )


def stored_measures(catalog: Catalog) -> dict[str, str]:
    """Every measure column of :func:`measures` and the stored column that holds it: the
    first of the columns that sum the same school column the same way (the indicators of
    one scope share their ``s``; where a norm always applies, ``dn`` is ``d`` and ``wc`` is
    ``c``), so each sum is stored once."""
    first: dict[tuple[str, str], str] = {}
    return {column: first.setdefault(m, column) for column, m in measures(catalog).items()}


def with_every_measure(
    wide: pl.DataFrame, catalog: Catalog, indicators: Collection[str] | None = None
) -> pl.DataFrame:
    """Stored sums (:func:`sums_columns`) with every measure column of ``indicators``
    (every indicator's when None) and no other, as
    :func:`ioc.compute.unit_values.finish_wide` reads them."""
    named = _named_measures(catalog, None if indicators is None else tuple(sorted(indicators)))
    get = wide.get_column  # columns taken as they are: a select of hundreds costs ~1 ms
    unit = [get(c) for c in wide.columns if "__" not in c]  # the unit, the period (basis)
    return pl.DataFrame([*unit, *(get(source).alias(column) for column, source in named)])


#: (column, stored column) pairs by (catalog, indicators): every API read of sums names them
MAX_KEPT = 512
_NAMED: dict[tuple[int, tuple[str, ...] | None], tuple[Catalog, list[tuple[str, str]]]] = {}


def _named_measures(catalog: Catalog, indicators: tuple[str, ...] | None) -> list[tuple[str, str]]:
    key = (id(catalog), indicators)
    kept = _NAMED.get(key)
    if kept is not None and kept[0] is catalog:
        return kept[1]
    wanted = None if indicators is None else set(indicators)
    named = [
        (column, source)
        for column, source in stored_measures(catalog).items()
        if wanted is None or column.split("__")[0] in wanted
    ]
    if len(_NAMED) >= MAX_KEPT:
        _NAMED.clear()
    _NAMED[key] = (catalog, named)
    return named


def stored_columns(catalog: Catalog, indicators: Collection[str] | None) -> list[str] | None:
    """The stored measure columns :func:`with_every_measure` needs for ``indicators`` (None:
    every one)."""
    if indicators is None:
        return None
    named = _named_measures(catalog, tuple(sorted(indicators)))
    return sorted({source for _, source in named})


def unit_sums(schools: pl.LazyFrame, catalog: Catalog) -> pl.DataFrame:
    """Wide frame, one row per (unit, period) of every level of both schemes: for each
    indicator the sums n, d, w, dn, s and the counts c (schools contributing) and wc, each
    sum stored once (:func:`stored_measures`; :func:`with_every_measure` names them all).

    Schools are first summed per cell (their five places and the period), then cells are
    rolled up to each level: every level is a function of the cell, so sums stay exact. A
    measure several indicators share (a scope, a denominator counted) is summed once. The
    school years are summed a few at a time (:func:`_year_batches`)."""
    parts = [_unit_sums_at_once(batch, catalog) for batch in _year_batches(schools)]
    return pl.concat(parts, how="vertical")


#: school-periods summed together, at most (:func:`_year_batches`; a school year that has
#: more is summed on its own)
ROWS_AT_ONCE = 350_000


def _year_batches(schools: pl.LazyFrame) -> list[pl.LazyFrame]:
    """The rows of ``schools`` in batches of whole school years of at most :data:`ROWS_AT_ONCE`
    rows. Every unit sum is of one period, so the partial sums each thread holds are of one
    batch's cells: the national build (1.05 million rows) in one go peaked 0.2 GB higher."""
    sizes = schools.group_by("school_year").len().sort("school_year").collect()
    batches: list[list[str]] = []
    rows = 0
    for year, count in sizes.iter_rows():
        if not batches or rows + count > ROWS_AT_ONCE:
            batches.append([])
            rows = 0
        batches[-1].append(year)
        rows += count
    if len(batches) < 2 or None in sizes["school_year"]:
        return [schools]  # a row without a school year is in no batch: never left out
    return [schools.filter(pl.col("school_year").is_in(years)) for years in batches]


def _unit_sums_at_once(schools: pl.LazyFrame, catalog: Catalog) -> pl.DataFrame:
    """:func:`unit_sums` of the schools given, every period in one go (one batch of
    :func:`_year_batches`)."""
    stored = measures(catalog)
    distinct = {m: f"__m{i}" for i, m in enumerate(dict.fromkeys(stored.values()))}
    cells = (
        with_school_measures(schools, school_stages(catalog))
        .group_by(*PLACE_COLUMNS, *PERIOD_COLUMNS)
        .agg(_school_sum(source, how).alias(name) for (source, how), name in distinct.items())
        .collect(engine="streaming")
    )
    kept = stored_measures(catalog)
    named = [pl.col(distinct[m]).alias(c) for c, m in stored.items() if kept[c] == c]
    parts = pl.collect_all(
        [
            cells.lazy()
            .filter(pl.col(key).is_not_null() & pl.col(province).is_not_null())
            .group_by(
                pl.col(key).alias("unit_code"),
                pl.col(province).alias("province_code"),
                *PERIOD_COLUMNS,
            )
            .agg(pl.col(name).sum() for name in distinct.values())
            .select(
                pl.lit(scheme).alias("scheme"),
                pl.lit(level).alias("level"),
                "unit_code",
                "province_code",
                *PERIOD_COLUMNS,
                *named,
            )
            for scheme, level, key, province in GROUPINGS
        ]
    )
    return pl.concat(parts, how="vertical")


def _school_sum(source: str, how: str) -> pl.Expr:
    """The sum of a school column over a cell: a count (of known values, or of schools in
    a scope) is an unsigned integer, a sum of nothing is 0."""
    if how == "count":
        return pl.col(source).count().cast(pl.UInt32)
    if source.startswith("__scope_"):
        return pl.col(source).cast(pl.UInt32).sum()
    return pl.col(source).sum()


def sums_columns(catalog: Catalog) -> list[str]:
    """The columns of the stored wide table, in order (changes when the catalog does)."""
    held = dict.fromkeys(stored_measures(catalog).values())
    return ["scheme", "level", "unit_code", "province_code", *PERIOD_COLUMNS, *held]


def compute(
    returns: pl.LazyFrame,
    registry: pl.LazyFrame,
    expected: pl.LazyFrame,
    targets: pl.LazyFrame,
    catalog: Catalog,
) -> pl.DataFrame:
    """Every indicator at every level for every period (the out_indicator__values rows)."""
    schools = prepare_schools(returns, registry, expected, catalog.norms)
    wide = with_every_measure(unit_sums(schools, catalog), catalog)
    return finish_wide(wide, catalog, targets)
