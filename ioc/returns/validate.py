"""Apply the contract's rules to a typed return table: which rows are accepted, which are
rejected (and why, one record per broken rule), and which carry warnings."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from ioc.catalog import Contract, Rules
from ioc.catalog.messages import ISSUE_COLUMNS, params
from ioc.domain.period import Period, is_school_year_expr, scheme_expr
from ioc.returns.parse import ERR, err_col

FORMULA_START = ("=", "+", "-", "@", "\t")
KEY = ["_sheet", "_row"]
# An error column holds the rule broken, or "rule:{json}" with the parameters of its message
# (ioc/catalog/messages.yaml); a "value" parameter is the record's value instead of the cell.


@dataclass(frozen=True)
class Checked:
    accepted: pl.DataFrame  # typed rows that passed, with school_year, term, scheme
    rejects: pl.DataFrame  # ISSUE_COLUMNS
    warnings: pl.DataFrame  # ISSUE_COLUMNS


def _issues(frame: pl.DataFrame, text: pl.DataFrame) -> pl.DataFrame:
    """Long form of the ``_err__*`` columns: one row per broken rule, with the cell's text."""
    errs = [c for c in frame.columns if c.startswith(ERR)]
    if not errs:
        return pl.DataFrame(schema=dict.fromkeys(ISSUE_COLUMNS, pl.String))
    long = (
        frame.select([*KEY, "school_code", *errs])
        .unpivot(index=[*KEY, "school_code"], on=errs, variable_name="field", value_name="rule")
        .drop_nulls("rule")
        .with_columns(pl.col("field").str.strip_prefix(ERR))
    )
    fields = [c for c in text.columns if c not in KEY]
    bad_rows = text.join(frame.select(KEY), on=KEY, how="semi", nulls_equal=True)
    cells = bad_rows.unpivot(index=KEY, on=fields, variable_name="field", value_name="cell")
    long = long.join(cells, on=[*KEY, "field"], how="left", nulls_equal=True)
    detail = pl.col("rule").str.extract(r"^[^:]+:(.*)$", 1)
    return long.select(
        pl.col("_sheet"),
        pl.col("_row"),
        pl.col("school_code"),
        pl.col("field"),
        pl.col("rule").str.extract(r"^([^:]+)", 1).alias("rule"),
        pl.coalesce(detail.str.json_path_match("$.value"), pl.col("cell")).alias("value"),
        detail.alias("params"),
    )


def _communeless(units: pl.DataFrame) -> pl.Series:
    """Legacy districts without a commune level (the island districts, now đặc khu)."""
    legacy = units.filter(pl.col("scheme") == "legacy")
    districts = legacy.filter(pl.col("level") == "district")["code"]
    with_communes = legacy.filter(pl.col("level") == "commune")["district_code"]
    return districts.filter(~districts.is_in(with_communes.implode()))


def _required(contract: Contract, communeless: pl.Series) -> list[pl.Expr]:
    """A blank required value; ``unless_no_communes``: not in a legacy return from a
    district that has no communes (its school's place is the district)."""
    exprs = []
    legacy = pl.col("scheme") == "legacy"
    for f in contract.fields:
        if f.required in ("always", "legacy", "unless_no_communes"):
            missing = pl.col(f.name).is_null() & pl.col(err_col(f.name)).is_null()
            if f.required == "legacy":
                missing = missing & legacy
            if f.required == "unless_no_communes":
                in_island = pl.col("district_code").is_in(communeless.implode()).fill_null(False)
                no_communes = legacy & in_island
                missing = missing & ~no_communes
            exprs.append(
                pl.when(missing)
                .then(pl.lit("required_missing"))
                .otherwise(pl.col(err_col(f.name)))
                .alias(err_col(f.name))
            )
    return exprs


def _period(frame: pl.DataFrame, period: Period | None) -> pl.DataFrame:
    """The period of every row (the one given, if any: a row that says another is rejected)
    and the unit scheme of its codes."""
    year_ok = is_school_year_expr()
    if period is not None:
        given_year, given_term = period.school_year, period.term
        mismatch = (pl.col("school_year").is_not_null() & (pl.col("school_year") != given_year)) | (
            pl.col("term").is_not_null() & (pl.col("term") != given_term)
        )
        frame = frame.with_columns(
            pl.when(mismatch)
            .then(
                pl.concat_str(
                    pl.lit("period_mismatch:"),
                    params(
                        value=pl.format("{}/{}", pl.col("school_year"), pl.col("term")),
                        given=str(period),
                    ),
                )
            )
            .alias(err_col("period")),
            pl.lit(given_year).alias("school_year"),
            pl.lit(given_term).alias("term"),
        )
    else:
        frame = frame.with_columns(
            pl.when(pl.col("school_year").is_not_null() & ~year_ok)
            .then(pl.lit("invalid_school_year"))
            .otherwise(pl.col(err_col("school_year")))
            .alias(err_col("school_year")),
            pl.when(pl.col("school_year").is_null())
            .then(pl.lit("required_missing"))
            .alias(err_col("period")),
        )
    return frame.with_columns(scheme_expr().alias("scheme"))


def _sum_rules(rules: Rules) -> list[pl.Expr]:
    exprs = []
    for rule in rules.rejects:
        if rule.parts is not None and rule.total is not None:
            parts = pl.sum_horizontal(pl.col(rule.parts))
            known = pl.all_horizontal(pl.col([*rule.parts, rule.total]).is_not_null())
            broken = known & (parts > pl.col(rule.total))
            detail = params(
                value=pl.format("{} > {}", parts, pl.col(rule.total)),
                parts_value=parts,
                total_value=pl.col(rule.total),
            )
        else:
            cond = rule.requires_positive or {}
            a, b = cond["if_positive"], cond["then_positive"]
            broken = (pl.col(a) > 0) & (pl.col(b) == 0)  # a blank is unknown, not zero
            detail = params(
                value=pl.format("{}, {}", pl.col(a), pl.col(b)),
                if_value=pl.col(a),
                then_value=pl.col(b),
            )
        exprs.append(
            pl.when(broken)
            .then(pl.concat_str(pl.lit(f"{rule.name}:"), detail))
            .alias(err_col(f"rule__{rule.name}"))
        )
    return exprs


def _duplicates(frame: pl.DataFrame) -> pl.Expr:
    rows = pl.col("_row").cast(pl.String).implode().over(["school_code", "school_year", "term"])
    dup = pl.len().over(["school_code", "school_year", "term"]) > 1
    detail = pl.concat_str(
        pl.lit("duplicate_school_code:"),
        params(value=pl.col("school_code"), rows=rows.list.join(", ")),
    )
    return pl.when(dup & pl.col("school_code").is_not_null()).then(detail).alias(err_col("dup"))


def _unit_error(rule: str, column: str, **values: pl.Expr) -> pl.Expr:
    """A unit rule's error, its value the code the row gives."""
    return pl.concat_str(pl.lit(f"{rule}:"), params(value=pl.col(column), **values))


def _units(frame: pl.DataFrame, units: pl.DataFrame) -> pl.DataFrame:
    provinces = units.filter(pl.col("level") == "province").select(
        "scheme", pl.col("code").alias("province_code"), pl.lit(True).alias("_p_ok")
    )
    districts = units.filter(pl.col("level") == "district").select(
        "scheme", pl.col("code").alias("district_code"), pl.col("province_code").alias("_d_prov")
    )
    communes = units.filter(pl.col("level") == "commune").select(
        "scheme",
        pl.col("code").alias("commune_code"),
        pl.col("province_code").alias("_c_prov"),
        pl.col("district_code").alias("_c_dist"),
    )
    out = (
        frame.join(provinces, on=["scheme", "province_code"], how="left")
        .join(districts, on=["scheme", "district_code"], how="left")
        .join(communes, on=["scheme", "commune_code"], how="left")
    )
    legacy = pl.col("scheme") == "legacy"
    return out.with_columns(
        pl.when(pl.col("province_code").is_not_null() & pl.col("_p_ok").is_null())
        .then(_unit_error("unknown_province", "province_code", scheme=pl.col("scheme")))
        .alias(err_col("unit_province")),
        pl.when(legacy & pl.col("district_code").is_not_null() & pl.col("_d_prov").is_null())
        .then(_unit_error("unknown_district", "district_code", province=pl.col("province_code")))
        .when(
            legacy
            & pl.col("_p_ok")
            & pl.col("_d_prov").is_not_null()
            & (pl.col("_d_prov") != pl.col("province_code"))
        )
        .then(_unit_error("unknown_district", "district_code", province=pl.col("province_code")))
        .alias(err_col("unit_district")),
        pl.when(pl.col("commune_code").is_not_null() & pl.col("_c_prov").is_null())
        .then(_unit_error("unknown_commune", "commune_code", scheme=pl.col("scheme")))
        .when(
            pl.col("_p_ok")
            & pl.col("_c_prov").is_not_null()
            & (pl.col("_c_prov") != pl.col("province_code"))
        )
        .then(
            _unit_error(
                "commune_outside_province",
                "commune_code",
                actual=pl.col("_c_prov"),
                province=pl.col("province_code"),
            )
        )
        .when(
            legacy
            & pl.col("_d_prov").is_not_null()
            & pl.col("_c_dist").is_not_null()
            & (pl.col("_c_dist") != pl.col("district_code"))
        )
        .then(
            _unit_error(
                "commune_outside_district",
                "commune_code",
                actual=pl.col("_c_dist"),
                district=pl.col("district_code"),
            )
        )
        .alias(err_col("unit_commune")),
    ).drop("_p_ok", "_d_prov", "_c_prov", "_c_dist")


def _field_of(rules: Rules) -> dict[str, str]:
    """Pseudo error columns -> the contract field a reject record names."""
    mapping = {
        "unit_province": "province_code",
        "unit_district": "district_code",
        "unit_commune": "commune_code",
        "dup": "school_code",
        "period": "school_year",
    }
    for rule in rules.rejects:
        target = rule.total or (rule.requires_positive or {}).get("then_positive", "")
        mapping[f"rule__{rule.name}"] = target
    return mapping


def _warnings(accepted: pl.DataFrame, rules: Rules) -> pl.DataFrame:
    norm = rules.warnings.class_size_over_norm
    cap = pl.col("level").replace_strict(norm.norm_by_level, default=None, return_dtype=pl.Float64)
    size = pl.col("students") / pl.col("classes")
    over = (pl.col("classes") > 0) & (size > cap * norm.factor)
    formula = pl.col("school_name").str.starts_with(FORMULA_START[0])
    for start in FORMULA_START[1:]:
        formula = formula | pl.col("school_name").str.starts_with(start)
    found = [
        accepted.filter(over).select(
            *KEY,
            "school_code",
            pl.lit("students").alias("field"),
            pl.lit("class_size_over_norm").alias("rule"),
            pl.format("{}/{}", pl.col("students"), pl.col("classes")).alias("value"),
            params(size=size.round(1), norm=cap, over=round((norm.factor - 1) * 100)),
        ),
        accepted.filter(formula).select(
            *KEY,
            "school_code",
            pl.lit("school_name").alias("field"),
            pl.lit("text_looks_like_formula").alias("rule"),
            pl.col("school_name").alias("value"),
            pl.lit(None, dtype=pl.String).alias("params"),
        ),
    ]
    return pl.concat(found)


def check(
    frame: pl.DataFrame,
    text: pl.DataFrame,
    *,
    contract: Contract,
    rules: Rules,
    units: pl.DataFrame,
    period: Period | None,
) -> Checked:
    """Validate a typed table (from :func:`ioc.returns.parse.cast_to_contract`)."""
    frame = _period(frame, period)
    frame = frame.with_columns(_required(contract, _communeless(units)))
    frame = frame.with_columns([*_sum_rules(rules), _duplicates(frame)])
    frame = _units(frame, units)
    errs = [c for c in frame.columns if c.startswith(ERR)]
    bad = pl.any_horizontal(pl.col(errs).is_not_null())
    issues = _issues(frame.filter(bad), text)
    rejects = issues.with_columns(pl.col("field").replace(_field_of(rules)))
    keep = [f.name for f in contract.fields] + ["scheme", *KEY]
    accepted = frame.filter(~bad).select(keep)
    return Checked(accepted, rejects, _warnings(accepted, rules))
