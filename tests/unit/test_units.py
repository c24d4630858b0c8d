"""The unit domain (ioc/domain/units.py): code rules per scheme, child levels, the placement
columns, and the SQL macro ``school_unit`` checked against them."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import polars as pl
import pytest

from ioc.domain import units as u
from ioc.geo import admin

MACRO = Path(__file__).resolve().parents[2] / "sql" / "schema" / "60_macro_school_unit.sql"


@pytest.mark.parametrize(
    ("code", "scheme", "ok"),
    [
        ("94", "legacy", True),
        ("945", "legacy", True),
        ("31117", "legacy", True),
        ("92", "2025", True),
        ("31117", "2025", True),
        ("945", "2025", False),  # no districts since 1 July 2025
        ("9411", "legacy", False),  # 4 digits name no level
        ("9", "legacy", False),
        ("941170", "legacy", False),
        ("٩٤", "legacy", False),  # Arabic-Indic digits are digits to str.isdigit, not codes
        ("9a", "legacy", False),
        (" 94", "legacy", False),
        ("", "2025", False),
    ],
)
def test_code_rules(code: str, scheme: u.Scheme, ok: bool) -> None:
    assert u.is_code(code, scheme) is ok
    assert (re.fullmatch(u.code_pattern(scheme), code) is not None) is ok


def test_either_scheme_pattern_is_the_api_contract() -> None:
    assert u.code_pattern() == "^([0-9]{2}|[0-9]{3}|[0-9]{5})$"
    assert u.code_pattern(national=True) == "^([0-9]{2}|[0-9]{3}|[0-9]{5}|VN)$"
    assert u.code_lengths("2025") == (2, 5)
    assert u.code_lengths("legacy") == u.code_lengths() == (2, 3, 5)


def test_level_of_a_code_and_its_scheme() -> None:
    assert [u.level_of(c) for c in ("94", "945", "31117")] == ["province", "district", "commune"]
    assert u.level_in("945", "legacy") == "district"
    with pytest.raises(u.NoSuchLevel, match="districts exist only in the legacy scheme"):
        u.level_in("945", "2025")
    for bad in ("9411", "٩٤", "x"):
        with pytest.raises(u.UnitCodeError, match="give 2 digits"):
            u.level_of(bad)
    assert u.scheme_of(" 2025 ") == "2025"
    with pytest.raises(u.UnitCodeError, match="unknown unit scheme"):
        u.scheme_of("new")


def test_child_levels() -> None:
    assert u.child_level("legacy", "province") == "district"
    assert u.child_level("legacy", "district") == "commune"
    assert u.child_level("legacy", "commune") is None
    assert u.child_level("2025", "province") == "commune"
    assert u.child_level("2025", "commune") is None
    assert u.child_level("2025", "district") is None  # no such level
    assert u.child_level("legacy", "country") is None
    assert u.levels_above("legacy", "commune") == ("province", "district")
    assert u.levels_above("2025", "province") == ()


def test_national_unit() -> None:
    country = u.national("2025")
    assert (country.code, country.level, country.scheme) == ("VN", "country", "2025")
    assert u.is_national(country)
    assert not u.is_national(u.Unit("2025", "province", "92", "Thành phố Cần Thơ"))


def test_place_columns() -> None:
    assert u.place_column("legacy", "district") == "district_code_legacy"
    assert u.place_column("2025", "commune") == "commune_code_2025"
    assert set(u.PLACE_COLUMN) == {(s, lv) for s in u.SCHEMES for lv in u.LEVELS[s]}
    with pytest.raises(u.UnitCodeError):
        u.place_column("2025", "district")


def test_the_sql_macro_places_a_school_as_the_domain_does() -> None:
    """``school_unit`` (sql/schema) agrees with PLACE_COLUMN for every (scheme, level), and
    names no unit for a level a scheme does not have."""
    conn = duckdb.connect()
    conn.execute(MACRO.read_text())
    # a school whose every place column holds its own name, so the macro's pick shows
    values = ", ".join(f"'{column}' as {column}" for column in u.PLACE_COLUMNS)
    conn.execute(f"create table registry as select {values}")
    expected: dict[tuple[str, str], str] = dict(u.PLACE_COLUMN)
    pairs = [(s, lv) for s in u.SCHEMES for lv in ("province", "district", "commune", "country")]
    for scheme, level in pairs:
        (picked,) = conn.execute(
            "select school_unit(registry, $scheme, $level) from registry",
            {"scheme": scheme, "level": level},
        ).fetchone() or (None,)
        assert picked == expected.get((scheme, level)), (scheme, level)


def test_every_unit_of_both_schemes_follows_the_code_rules() -> None:
    """The real units (vietnamadminunits) have the shape the rules say, the đặc khu included:
    communes of the 2025 scheme, 5 digits; the island districts they came from are legacy
    districts without communes."""
    units = admin.units()
    for (scheme_text, level), rows in units.group_by("scheme", "level"):
        scheme = u.scheme_of(str(scheme_text))
        assert u.has_level(scheme, str(level)), (scheme, level)
        codes = rows["code"].to_list()
        assert all(u.is_code(c, scheme) and u.level_of(c) == level for c in codes), (scheme, level)
    zones = units.filter(pl.col("unit_type") == "Đặc khu")
    assert zones.height == 13
    assert set(zones["scheme"]) == {"2025"} and set(zones["level"]) == {"commune"}
    islands = admin.district_crosswalk()
    assert all(u.level_of(c) == "district" for c in islands["legacy_district_code"])
    assert set(islands["commune_code_2025"]) <= set(zones["code"])


def test_a_level_has_one_code_length_and_an_unknown_level_is_refused() -> None:
    from ioc.domain.units import UnitCodeError, code_length

    assert [code_length(level) for level in ("province", "district", "commune")] == [2, 3, 5]
    with pytest.raises(UnitCodeError):
        code_length("ward")
