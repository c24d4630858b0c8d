"""Catalog entries as DuckDB SQL: the per-school numerator, denominator, norm and scope of
every indicator, and their sums per cell (a school's five places and the period).

Every indicator is reduced, per school and period, to a numerator ``n`` and a denominator
``d`` that are both known or both null, plus ``w`` = the school's norm × ``d`` where a
norm applies (``dn``: ``d`` where ``w`` is known) and ``s`` = 1 when the school is in the
indicator's scope. The expressions read the columns of ``sql/indicators/school_rows.sql``.
"""

from __future__ import annotations

from collections.abc import Sequence

from ioc.catalog.definitions import Catalog, Indicator, Norm, Norms
from ioc.domain.period import TERMS, Period


def q(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def lit(value: object) -> str:
    """A SQL literal of a catalog value (text, number, boolean or date)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(float(value))
    text = str(value).replace("'", "''")
    return f"date '{text}'" if hasattr(value, "isoformat") else f"'{text}'"


def col(ind: Indicator, part: str) -> str:
    """The column of one part (n, d, w, dn, s, c, wc) of an indicator."""
    return f"{ind.id}__{part}"


def _matches(values: Sequence[str] | None, column: str) -> str:
    return "true" if values is None else f"{column} in ({', '.join(lit(v) for v in values)})"


def period_date(school_year: str = "school_year", term: str = "term") -> str:
    """:attr:`Period.date` of two columns (null for a term that is not one)."""
    first = f"try_cast(substr({school_year}, 1, 4) as integer)"
    cases = []
    for code in TERMS:
        day = Period.of("2020-2021", code).date
        cases.append(
            f"when {term} = {lit(code)} then make_date({first} + {day.year - 2020}, "
            f"{day.month}, {day.day})"
        )
    return f"case {' '.join(cases)} end"


def norm_level(norms: Norms) -> str:
    """The level a school's norms are looked up by (``level_for_norms``, else its level)."""
    if not norms.level_for_norms:
        return "level"
    cases = " ".join(f"when {lit(k)} then {lit(v)}" for k, v in norms.level_for_norms.items())
    return f"case level {cases} else level end"


def norm_sql(norm: Norm) -> str:
    """The norm value that applies to each school-period (first matching rule), or null."""
    if not norm.rules:
        raise ValueError(f"norm {norm.id} has no rules")
    cases = []
    for rule in norm.rules:
        conds = [
            _matches(rule.levels, "norm_level"),
            _matches(rule.ownership, "ownership"),
            _matches(rule.school_types, "school_type_or_regular"),
            _matches(rule.area, "area"),
        ]
        if rule.full_day is not None:
            conds.append(f"is_full_day = {lit(rule.full_day)}")
        if rule.valid_from is not None:
            conds.append(f"period_date >= {lit(rule.valid_from)}")
        if rule.valid_to is not None:
            conds.append(f"period_date <= {lit(rule.valid_to)}")
        cases.append(f"when {' and '.join(conds)} then {lit(rule.value)}")
    return f"cast(case {' '.join(cases)} end as double)"


def whole_people(need: str, norm: Norm) -> str:
    """People a school needs by a per-class norm (norm × classes), rounded by the norm's
    rule (``norms.yaml``): 26,6 → 27, 29,25 → 29 to the nearest; 29,25 → 30 up. The product
    is first rounded to 6 decimals so that 1,9 × 15 (28,499999...) is 28,5."""
    if norm.rounding is None:
        return need
    exact = f"round({need}, 6)"
    if norm.rounding.rule == "up":
        return f"ceil({exact})"
    return f"floor({exact} + 0.5)"


def _scope_key(ind: Indicator) -> str:
    scope = ind.scope
    parts = ["-".join(v) if v else "*" for v in (scope.levels, scope.ownership, scope.terms)]
    return "__scope_" + "_".join(parts)


def _scope(ind: Indicator) -> str:
    return " and ".join(
        [
            _matches(ind.scope.levels, "level"),
            _matches(ind.scope.ownership, "ownership"),
            _matches(ind.scope.terms, "term"),
        ]
    )


def shared_columns(catalog: Catalog) -> list[str]:
    """Columns several indicators share, computed once: scope masks and school norms."""
    scopes = {_scope_key(i): _scope(i) for i in catalog.indicators}
    norms = {n for i in catalog.indicators for n in (i.norm, i.ratio_norm) if n}
    return [f"{e} as {q(k)}" for k, e in scopes.items()] + [
        f"{norm_sql(catalog.norms.by_id[n])} as {q('__norm_' + n)}" for n in sorted(norms)
    ]


def _needed(ind: Indicator, part: str, value: str | None) -> str:
    """A part the indicator's kind needs (the catalog's validator guarantees it is given)."""
    if value is None:
        raise ValueError(f"indicator {ind.id} ({ind.kind}) has no {part}")
    return value


def _num_den(ind: Indicator, norms: Norms) -> tuple[str, str]:
    """School-level numerator and denominator before scoping (null = not computable)."""
    if ind.kind == "schools":
        return "1.0", "1.0"
    if ind.kind == "completeness":
        return "cast(has_return as double)", "1.0"
    if ind.kind == "timeliness":
        return "cast(is_on_time as double)", "1.0"
    n = q(_needed(ind, "numerator", ind.numerator))
    known = f"case when {n} is not null then 1.0 end"
    if ind.kind in ("sum", "per_school"):
        return n, known
    if ind.kind == "share_of_schools":
        hit = f"({n} > 0)" if ind.condition == "positive" else n
        return f"cast({hit} as double)", known
    d = q(_needed(ind, "denominator", ind.denominator))
    if ind.kind == "ratio":
        return n, d
    ratio_norm = _needed(ind, "ratio_norm", ind.ratio_norm)
    cap = q(f"__norm_{ratio_norm}")
    if ind.kind == "schools_above_norm":
        ok = f"{d} > 0 and {n} is not null and {cap} is not null"
        return (
            f"case when {ok} then cast({n} / {d} > {cap} as double) end",
            f"case when {ok} then 1.0 end",
        )
    # shortfall: numerator = the school's shortfall, denominator = its net gap (< 0: surplus),
    # in whole people: the school's norm × classes rounded by the norm's rule first
    gap = f"({whole_people(f'{cap} * {d}', norms.by_id[ratio_norm])} - {n})"
    return f"case when {gap} is not null then greatest({gap}, 0.0) end", gap


def raw_columns(catalog: Catalog) -> list[str]:
    """Per indicator: the school's numerator and denominator (``rn``, ``rd``) before
    scoping, null unless it reported (but for completeness and timeliness)."""
    out = []
    for ind in catalog.indicators:
        n, d = _num_den(ind, catalog.norms)
        if ind.kind not in ("completeness", "timeliness"):
            n, d = (f"case when has_return then {x} end" for x in (n, d))
        out += [f"cast({n} as double) as {q(col(ind, 'rn'))}"]
        out += [f"cast({d} as double) as {q(col(ind, 'rd'))}"]
    return out


def known_columns(catalog: Catalog) -> list[str]:
    """Per indicator, from :func:`raw_columns`: n and d, both known or both null (in scope,
    and both known before scoping)."""
    out = []
    for ind in catalog.indicators:
        rn, rd = q(col(ind, "rn")), q(col(ind, "rd"))
        both = f"{q(_scope_key(ind))} and {rn} is not null and {rd} is not null"
        out += [
            f"case when {both} then {rn} end as {q(col(ind, 'n'))}",
            f"case when {both} then {rd} end as {q(col(ind, 'd'))}",
        ]
    return out


def _always(norm: Norm) -> bool:
    """Whether the norm applies to every school (a rule without conditions): then ``w`` is
    known wherever ``d`` is, so ``dn`` is ``d`` and ``wc`` is ``c``."""
    conditions = ("levels", "ownership", "school_types", "area", "full_day", "valid_from", "valid_to")
    return any(all(getattr(rule, c) is None for c in conditions) for rule in norm.rules)


def school_columns(catalog: Catalog) -> list[str]:
    """Per indicator, from :func:`known_columns`: n, d, w (norm × d) and dn (d where w is
    known, unless it is always d); ``s`` is the indicator's scope column."""
    out = [f"cast({q(k)} as uinteger) as {q(k)}" for k in sorted(_scopes(catalog))]
    for ind in catalog.indicators:
        n, d = q(col(ind, "n")), q(col(ind, "d"))
        out += [n, d]
        if ind.norm:
            w = f"{q('__norm_' + ind.norm)} * {d}"
            out.append(f"{w} as {q(col(ind, 'w'))}")
            if not _always(catalog.norms.by_id[ind.norm]):
                out.append(f"case when {w} is not null then {d} end as {q(col(ind, 'dn'))}")
    return out


def _scopes(catalog: Catalog) -> set[str]:
    return {_scope_key(i) for i in catalog.indicators}


def measures(catalog: Catalog) -> dict[str, tuple[str, str]]:
    """Every stored column (:func:`sums_columns`) as (school column, 'sum' | 'count'): the
    same measure of several indicators is summed once (a scope, a denominator counted)."""
    out: dict[str, tuple[str, str]] = {}
    for ind in catalog.indicators:
        d = col(ind, "d")
        out[col(ind, "n")] = (col(ind, "n"), "sum")
        out[col(ind, "d")] = (d, "sum")
        out[col(ind, "s")] = (_scope_key(ind), "sum")
        if ind.norm:
            always = _always(catalog.norms.by_id[ind.norm])
            out[col(ind, "w")] = (col(ind, "w"), "sum")
            out[col(ind, "dn")] = (d if always else col(ind, "dn"), "sum")
        out[col(ind, "c")] = (d, "count")
        if ind.norm:
            out[col(ind, "wc")] = (d if always else col(ind, "w"), "count")
    return out


def distinct_measures(catalog: Catalog) -> dict[tuple[str, str], str]:
    """Each distinct (school column, 'sum' | 'count') and the name of its sum."""
    found = dict.fromkeys(measures(catalog).values())
    return {m: f"__m{i}" for i, m in enumerate(found)}


def _is_count(source: str, how: str) -> bool:
    return how == "count" or source.startswith("__scope_")


def cell_sums(catalog: Catalog) -> list[str]:
    """Sums of the school columns per cell (a sum of nothing is 0, as a count is)."""
    out = []
    for (source, how), name in distinct_measures(catalog).items():
        if how == "count":
            out.append(f"cast(count({q(source)}) as uinteger) as {name}")
        else:
            kind = "uinteger" if _is_count(source, how) else "double"
            out.append(f"cast(coalesce(sum({q(source)}), 0) as {kind}) as {name}")
    return out


def rolled_sums(catalog: Catalog) -> list[str]:
    """Sums of cell sums (or of sums of cell sums), distinct measures only."""
    return [
        f"cast(sum({name}) as {'uinteger' if _is_count(*m) else 'double'}) as {name}"
        for m, name in distinct_measures(catalog).items()
    ]


def stored_measures(catalog: Catalog) -> list[str]:
    """The rolled sums as the stored columns, in order."""
    names = distinct_measures(catalog)
    return [f"{names[m]} as {q(c)}" for c, m in measures(catalog).items()]


def sums_columns(catalog: Catalog) -> list[str]:
    """The measure columns of the stored wide table, in order (change with the catalog)."""
    return list(measures(catalog))
