"""Turn the text cells of a return table into typed contract fields, vectorised in Polars.

Each field gives a typed column and, next to it, the name of the rule its text broke (or
null). Blank stays null: unknown, never zero.
"""

from __future__ import annotations

import polars as pl

from ioc.catalog import Contract, normalize_label

THOUSANDS = r"^\d{1,3}([.,]\d{3})+$"
INTEGER = r"^\d+$"
EXCEL_FLOAT_INT = r"^\d+\.0+$"
NEGATIVE = r"^-\s*\d+([.,]\d+)*$"
DECIMAL_COMMA = r"^-?\d+,\d+$"
DECIMAL_THOUSANDS_DOT = r"^-?\d{1,3}(\.\d{3})+,\d+$"
DECIMAL_THOUSANDS_COMMA = r"^-?\d{1,3}(,\d{3})+\.\d+$"
DECIMAL = r"^-?\d+(\.\d+)?$"
ERR = "_err__"
COORDINATES = ("latitude", "longitude")


def err_col(name: str) -> str:
    return f"{ERR}{name}"


def _count(name: str) -> tuple[pl.Expr, pl.Expr]:
    plain = pl.col(name).cast(pl.Int64, strict=False)  # fast path: most cells are plain digits
    text = pl.col(name).str.replace_all(r"\s", "")
    digits = (
        pl.when(text.str.contains(THOUSANDS))
        .then(text.str.replace_all(r"[.,]", ""))
        .when(text.str.contains(EXCEL_FLOAT_INT))
        .then(text.str.replace(r"\.0+$", ""))
        .when(text.str.contains(INTEGER))
        .then(text)
    )
    value = pl.when(plain.is_not_null()).then(plain).otherwise(digits.cast(pl.Int64, strict=False))
    error = (
        pl.when(pl.col(name).is_null())
        .then(None)
        .when(value < 0)
        .then(pl.lit("negative_count"))
        .when(plain.is_null() & text.str.contains(NEGATIVE))
        .then(pl.lit("negative_count"))
        .when(value.is_null())
        .then(pl.lit("not_a_whole_number"))
        .when(value > 2_000_000_000)
        .then(pl.lit("count_too_large"))
    )
    ok = value.is_between(0, 2_000_000_000)
    return pl.when(ok).then(value).cast(pl.Int32).alias(name), error.alias(err_col(name))


def _decimal(name: str) -> tuple[pl.Expr, pl.Expr]:
    text = pl.col(name).str.replace_all(r"\s", "")
    if name in COORDINATES:  # never written with thousands separators: '.' is the decimal point
        normal = (
            pl.when(text.str.contains(DECIMAL))
            .then(text)
            .when(text.str.contains(DECIMAL_COMMA))
            .then(text.str.replace(",", "."))
        )
        return _decimal_checked(name, text, normal)
    normal = (
        pl.when(text.str.contains(DECIMAL_THOUSANDS_DOT))
        .then(text.str.replace_all(r"\.", "").str.replace(",", "."))
        .when(text.str.contains(DECIMAL_THOUSANDS_COMMA))
        .then(text.str.replace_all(",", ""))
        .when(text.str.contains(DECIMAL_COMMA))
        .then(text.str.replace(",", "."))
        .when(text.str.contains(THOUSANDS) & text.str.contains(r"\."))
        .then(text.str.replace_all(r"\.", ""))
        .when(text.str.contains(DECIMAL))
        .then(text)
    )
    return _decimal_checked(name, text, normal)


def _decimal_checked(name: str, text: pl.Expr, normal: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    value = normal.cast(pl.Float64, strict=False)
    unread = pl.when(text.is_not_null() & value.is_null()).then(pl.lit("not_a_number"))
    if name == "latitude":
        error = unread.when((value < 8) | (value > 24)).then(pl.lit("latitude_outside_vietnam"))
    elif name == "longitude":
        error = unread.when((value < 102) | (value > 118)).then(pl.lit("longitude_outside_vietnam"))
    else:
        error = unread.when(value < 0).then(pl.lit("negative_value"))
    return value.alias(name), error.alias(err_col(name))


def _lookup(
    name: str, mapping: dict[str, str | bool], rule: str, dtype: pl.DataType
) -> tuple[pl.Expr, pl.Expr]:
    key = (
        pl.col(name)
        .str.normalize("NFC")
        .str.to_lowercase()
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
    )
    value = key.replace_strict(mapping, default=None, return_dtype=dtype)
    error = pl.when(pl.col(name).is_not_null() & value.is_null()).then(pl.lit(rule))
    return value.alias(name), error.alias(err_col(name))


def _code(name: str, width: int) -> tuple[pl.Expr, pl.Expr]:
    text = pl.col(name).str.replace_all(r"\s", "").str.replace(r"\.0+$", "")
    ok = text.str.contains(rf"^\d{{1,{width}}}$")
    value = pl.when(ok).then(text.str.zfill(width))
    error = pl.when(text.is_not_null() & ~ok).then(pl.lit("invalid_code"))
    return value.alias(name), error.alias(err_col(name))


def _text(name: str) -> tuple[pl.Expr, pl.Expr]:
    value = pl.col(name).str.strip_chars()
    return value.alias(name), pl.lit(None, dtype=pl.String).alias(err_col(name))


def typing_exprs(contract: Contract, present: list[str]) -> list[pl.Expr]:
    """Expressions giving each present field typed, plus its error column."""
    flags: dict[str, str | bool] = {
        normalize_label(text): value
        for value, texts in contract.flag_values.items()
        for text in texts
    }
    exprs: list[pl.Expr] = []
    for name in present:
        f = contract.field(name)
        if f.type == "count":
            pair = _count(name)
        elif f.type == "decimal":
            pair = _decimal(name)
        elif f.type == "flag":
            pair = _lookup(name, flags, "invalid_flag", pl.Boolean())
        elif f.type == "enum":
            mapping: dict[str, str | bool] = dict(contract.enum_index(name))
            pair = _lookup(name, mapping, "unknown_value", pl.String())
        elif f.type == "code":
            pair = _code(name, f.width or 1)
        else:
            pair = _text(name)
        exprs.extend(pair)
    return exprs


def cast_to_contract(frame: pl.DataFrame, contract: Contract) -> pl.DataFrame:
    """Typed frame with every contract field (absent ones as nulls) and ``_err__<field>``."""
    present = [c for c in frame.columns if c in contract.by_name]
    typed = frame.with_columns(typing_exprs(contract, present))
    dtypes = {
        "count": pl.Int32(),
        "decimal": pl.Float64(),
        "flag": pl.Boolean(),
    }
    missing = [
        pl.lit(None, dtype=dtypes.get(f.type, pl.String())).alias(f.name)
        for f in contract.fields
        if f.name not in present
    ]
    return typed.with_columns(missing) if missing else typed
