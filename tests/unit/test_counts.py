"""Counts read as counts (issue 15 item 5): counts of schools, people and classes print as
whole numbers, ratios keep their decimals, and the teacher shortfall rounds each school to
whole teachers by the catalog's stated rule before the schools are summed."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest

from dashboards.formats import change_text, value_text
from ioc.catalog import load_contract
from ioc.catalog.definitions import load_catalog
from ioc.compute.indicators import compute, whole_people
from ioc.reports.definitions import definitions_frame

CATALOG = load_catalog()
YEAR = "2024-2025"  # TT 20/2023 in force (period date 30/09/2024)


def test_a_count_is_whole_a_ratio_keeps_its_decimals() -> None:
    assert value_text(826.9, "GV", count=True) == "827 GV"
    assert value_text(256347, "HS", count=True) == "256.347 HS"
    assert change_text(2.0, "trường", "vi", count=True) == "+2"
    assert change_text(-1234.0, "HS", "vi", count=True) == "−1.234"
    assert change_text(0.0, "lớp", "vi", count=True) == "±0"
    assert value_text(31.04, "HS/lớp") == "31,0 HS/lớp"
    assert value_text(1.525, "GV/lớp") == "1,52 GV/lớp"
    assert change_text(2.0, "HS/lớp") == "+2,0"
    assert value_text(87.54, "%") == "87,5 %"
    assert change_text(1.26, "%", "vi") == "+1,3 điểm %"


def test_the_catalog_says_which_indicators_count() -> None:
    counting = {i.id for i in CATALOG.indicators if i.is_count}
    assert {"NET_SCHOOLS", "NET_CLASSES", "NET_STUDENTS", "STF_TEACHER_SHORTFALL"} <= counting
    assert "STF_TEACHERS_PER_CLASS" not in counting
    assert "NET_SITES_PER_SCHOOL" not in counting  # an average per school


# (code, level, classes, full-day classes, teachers): the norm × classes and its whole
# number of teachers (to the nearest, 0,5 up), and the school's shortfall, by hand
SCHOOLS = [
    ("S1", "THCS", 14, 0, 20),  # 1,9 × 14 = 26,6 → 27; 27 - 20 = 7
    ("S2", "THPT", 13, 0, 25),  # 2,25 × 13 = 29,25 → 29; 29 - 25 = 4
    ("S3", "THCS", 15, 0, 28),  # 1,9 × 15 = 28,5 (28,4999... in floating point) → 29; 1
    ("S4", "TH", 7, 0, 9),  # one session: 1,2 × 7 = 8,4 → 8; 8 - 9 = -1: a surplus, 0
    ("S5", "TH", 3, 3, 4),  # full-day: 1,5 × 3 = 4,5 → 5; 5 - 4 = 1
    ("S6", "MN", 5, 0, 10),  # 2,2 × 5 = 11; 11 - 10 = 1
]
SHORTFALL = 7 + 4 + 1 + 0 + 1 + 1
NET = 7 + 4 + 1 - 1 + 1 + 1


def _frames() -> tuple[pl.LazyFrame, ...]:
    dtypes = {"count": pl.Int32, "decimal": pl.Float64, "flag": pl.Boolean}
    schema = {f.name: dtypes.get(f.type, pl.String) for f in load_contract().fields}
    rows: list[dict[str, Any]] = [
        {
            "school_code": code,
            "school_year": YEAR,
            "term": "DN",
            "level": level,
            "ownership": "cong_lap",
            "classes": classes,
            "classes_two_sessions": full_day,
            "teachers": teachers,
        }
        for code, level, classes, full_day, teachers in SCHOOLS
    ]
    returns = pl.DataFrame(rows, schema_overrides=schema).with_columns(
        pl.lit(None, dtype).alias(name) for name, dtype in schema.items() if name not in rows[0]
    )
    registry = pl.DataFrame(
        {
            "school_code": [s[0] for s in SCHOOLS],
            "province_code_legacy": "90",
            "district_code_legacy": "901",
            "commune_code_legacy": "90101",
            "province_code_2025": "91",
            "commune_code_2025": "91101",
            "level": [s[1] for s in SCHOOLS],
            "ownership": "cong_lap",
        }
    )
    expected = pl.DataFrame(
        {
            "school_code": [s[0] for s in SCHOOLS],
            "school_year": YEAR,
            "term": "DN",
            "has_return": True,
            "is_on_time": True,
        }
    )
    targets = pl.DataFrame(
        schema={
            "indicator_id": pl.String,
            "scheme": pl.String,
            "unit_code": pl.String,
            "school_year": pl.String,
            "target_value": pl.Float64,
        }
    )
    return returns.lazy(), registry.lazy(), expected.lazy(), targets.lazy()


def test_shortfall_rounds_each_school_then_sums() -> None:
    values = compute(*_frames(), CATALOG)
    for scheme, unit in (("legacy", "901"), ("legacy", "90"), ("2025", "91")):
        row = values.filter(
            (pl.col("scheme") == scheme)
            & (pl.col("unit_code") == unit)
            & (pl.col("indicator_id") == "STF_TEACHER_SHORTFALL")
        ).row(0, named=True)
        assert row["value"] == SHORTFALL  # not 12,85: the schools' unrounded shortfalls
        assert row["denominator"] == NET
        assert row["schools_contributing"] == len(SCHOOLS)


def test_the_rounding_rule_and_its_basis_are_in_the_definition() -> None:
    norm = CATALOG.norms.by_id["TEACHERS_PER_CLASS"]
    assert norm.rounding is not None and norm.rounding.rule == "nearest"
    assert "TT 20/2023" in norm.rounding.source
    note = (
        definitions_frame(YEAR, "DN")
        .filter(pl.col("indicator_id") == "STF_TEACHER_SHORTFALL")["note"]
        .item()
    )
    assert norm.rounding.vi in note and norm.rounding.source in note


@pytest.mark.parametrize(
    "rule, expected", [("nearest", (27.0, 2.0, 29.0)), ("up", (27.0, 3.0, 29.0))]
)
def test_a_department_may_round_up(rule: str, expected: tuple[float, ...]) -> None:
    norm = CATALOG.norms.by_id["TEACHERS_PER_CLASS"]
    assert norm.rounding is not None
    changed = norm.model_copy(update={"rounding": norm.rounding.model_copy(update={"rule": rule})})
    needs = pl.DataFrame({"need": [26.6, 2.25, 1.9 * 15]})
    got = needs.select(whole_people(pl.col("need"), changed))["need"].to_list()
    assert got == list(expected)
