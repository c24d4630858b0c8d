"""The values of findings and rejects as the dashboard's grids hold them."""

from __future__ import annotations

from dashboards.components.datagrid import number_col, value_col
from dashboards.formats import cell_value


def test_a_number_stays_a_number_so_the_grid_sorts_it() -> None:
    assert cell_value("51.6", "class_size", "vi") == 51.6
    assert cell_value("1234", "students", "en") == 1234


def test_codes_years_and_words_are_kept_as_written() -> None:
    assert cell_value("94411012", "school_code", "vi") == "94411012"
    assert cell_value("2024", "school_year", "vi") == "2024"
    assert cell_value("abc", "students", "vi") == "abc"
    assert cell_value(None, "students", "vi") == ""


def test_a_comparison_of_two_numbers_in_each_language() -> None:
    assert cell_value("1453.5 > 1416", "students_female", "vi") == "1.453,5 > 1.416"
    assert cell_value("1453.5 > 1416", "students_female", "en") == "1,453.5 > 1,416"


def test_grid_numbers_use_the_pages_locale() -> None:
    vi, en = value_col("value", "Giá trị", "vi"), number_col("n", "N", "en")
    assert vi["valueFormatter"]["function"] == "localNumber(params.value, 'vi-VN')"
    assert en["valueFormatter"]["function"] == "localNumber(params.value, 'en-US')"


def test_a_column_may_show_a_fixed_number_of_decimals() -> None:
    mean = number_col("mean", "Điểm TB", "vi", decimals=2)
    assert mean["valueFormatter"]["function"] == "localNumber(params.value, 'vi-VN', 2)"
