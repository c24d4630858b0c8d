"""Text cells to typed values: blanks stay unknown, numbers as text are read, bad text named."""

from __future__ import annotations

import polars as pl
import pytest

from ioc.catalog import load_contract
from ioc.returns.parse import cast_to_contract, err_col

CONTRACT = load_contract()


def cast(name: str, values: list[str | None]) -> tuple[list[object], list[str | None]]:
    frame = cast_to_contract(pl.DataFrame({name: pl.Series(values, dtype=pl.String)}), CONTRACT)
    return frame[name].to_list(), frame[err_col(name)].to_list()


@pytest.mark.parametrize(
    ("text", "value", "error"),
    [
        ("8259", 8259, None),
        ("8.259", 8259, None),
        ("8,259", 8259, None),
        ("1.234.567", 1234567, None),
        (" 12 ", 12, None),
        ("12.0", 12, None),
        ("1 234", 1234, None),
        (None, None, None),
        ("-3", None, "negative_count"),
        ("mười", None, "not_a_whole_number"),
        ("12.5", None, "not_a_whole_number"),
        ("1.23", None, "not_a_whole_number"),
    ],
)
def test_counts(text: str | None, value: int | None, error: str | None) -> None:
    assert cast("students", [text]) == ([value], [error])


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1234,5", 1234.5),
        ("1.234,5", 1234.5),
        ("1,234.5", 1234.5),
        ("1.234", 1234.0),
        ("350", 350.0),
        (None, None),
    ],
)
def test_decimals(text: str | None, value: float | None) -> None:
    assert cast("site_area_m2", [text]) == ([value], [None])


def test_coordinates_outside_vietnam() -> None:
    assert cast("latitude", ["9,6", "48.85"]) == ([9.6, 48.85], [None, "latitude_outside_vietnam"])


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1", True),
        ("Có", True),
        ("x", True),
        ("YES", True),
        ("true", True),
        ("0", False),
        ("không", False),
        ("No", False),
        (None, None),
    ],
)
def test_flags(text: str | None, value: bool | None) -> None:
    assert cast("internet", [text]) == ([value], [None])


def test_bad_flag_and_enum() -> None:
    assert cast("internet", ["có lẽ"]) == ([None], ["invalid_flag"])
    assert cast("level", ["Đại học"]) == ([None], ["unknown_value"])


@pytest.mark.parametrize(
    ("text", "value"),
    [("Tiểu học", "TH"), ("TRUNG HỌC  CƠ SỞ", "THCS"), ("thpt", "THPT"), ("Mẫu giáo", "MN")],
)
def test_enum_codes_or_labels(text: str, value: str) -> None:
    assert cast("level", [text]) == ([value], [None])


@pytest.mark.parametrize(
    ("text", "value", "error"),
    [
        ("4", "00004", None),
        ("31498", "31498", None),
        ("31498.0", "31498", None),
        ("314980", None, "invalid_code"),
        ("X1", None, "invalid_code"),
    ],
)
def test_commune_codes_are_zero_padded(text: str, value: str | None, error: str | None) -> None:
    assert cast("commune_code", [text]) == ([value], [error])


def test_absent_fields_are_unknown() -> None:
    frame = cast_to_contract(pl.DataFrame({"students": ["5"]}), CONTRACT)
    assert frame["teachers"].to_list() == [None]
    assert frame["internet"].dtype == pl.Boolean
