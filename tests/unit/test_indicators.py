"""The indicator engine against expectations computed by hand on a tiny province.

District 901 has schools A (TH), B (THCS), C (TH, pupils unknown); district 902 has D (TH)
and E (private MN). Two periods: 2023-2024/DN and 2024-2025/DN. E stops reporting in
2024-2025: it is expected (it reported in the previous period) but missing.
"""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest

from ioc.catalog.definitions import load_catalog
from ioc.compute.indicators import compute

CATALOG = load_catalog()
P1, P2 = "2023-2024", "2024-2025"


def school(code: str, year: str, level: str, **fields: Any) -> dict[str, Any]:
    return {
        "school_code": code,
        "school_year": year,
        "term": "DN",
        "level": level,
        "ownership": fields.pop("ownership", "cong_lap"),
        **fields,
    }


RETURNS = [
    school(
        "A", P1, "TH", students=280, classes=10, teachers=12, internet=True, classes_two_sessions=4
    ),
    school("B", P1, "THCS", students=400, classes=10, teachers=20, internet=False),
    school("C", P1, "TH", students=None, classes=5, teachers=6, internet=None),
    school("D", P1, "TH", students=70, classes=2, teachers=3, internet=True),
    school("E", P1, "MN", students=100, classes=4, teachers=8, ownership="tu_thuc"),
    school(
        "A", P2, "TH", students=300, classes=10, teachers=11, internet=True, classes_two_sessions=10
    ),
    school("B", P2, "THCS", students=90, classes=2, teachers=5, internet=False),
    school("C", P2, "TH", students=None, classes=5, teachers=6, internet=True),
    school("D", P2, "TH", students=0, classes=0, teachers=1, internet=True),
]
PLACES = {
    "A": ("901", "90101"),
    "B": ("901", "90102"),
    "C": ("901", "90101"),
    "D": ("902", "90201"),
    "E": ("902", "90201"),
}


def frames() -> tuple[pl.LazyFrame, ...]:
    fields = {f.name: f for f in __import__("ioc.catalog", fromlist=["x"]).load_contract().fields}
    dtypes = {"count": pl.Int32, "decimal": pl.Float64, "flag": pl.Boolean}
    schema = {n: dtypes.get(f.type, pl.String) for n, f in fields.items()}
    returns = pl.DataFrame(RETURNS, schema_overrides=schema).with_columns(
        [
            pl.lit(None, schema[n]).alias(n)
            for n in schema
            if n not in RETURNS[0] and all(n not in r for r in RETURNS)
        ]
    )
    registry = pl.DataFrame(
        [
            {
                "school_code": c,
                "province_code_legacy": "90",
                "district_code_legacy": d,
                "commune_code_legacy": k,
                "province_code_2025": "91",
                "commune_code_2025": "91" + k[2:],
                "level": next(r["level"] for r in RETURNS if r["school_code"] == c),
                "ownership": "tu_thuc" if c == "E" else "cong_lap",
            }
            for c, (d, k) in PLACES.items()
        ]
    )
    expected = pl.DataFrame(
        [
            {
                "school_code": r["school_code"],
                "school_year": r["school_year"],
                "term": "DN",
                "has_return": True,
                "is_on_time": r["school_code"] != "B",
            }
            for r in RETURNS
        ]
        + [
            {
                "school_code": "E",
                "school_year": P2,
                "term": "DN",
                "has_return": False,
                "is_on_time": False,
            }
        ]
    )
    targets = pl.DataFrame(
        [
            {
                "indicator_id": "FAC_INTERNET_PCT",
                "scheme": "legacy",
                "unit_code": "901",
                "school_year": P2,
                "target_value": 90.0,
            }
        ]
    )
    return returns.lazy(), registry.lazy(), expected.lazy(), targets.lazy()


@pytest.fixture(scope="module")
def values() -> pl.DataFrame:
    return compute(*frames(), CATALOG)


def get(
    values: pl.DataFrame, ind: str, unit: str, year: str, scheme: str = "legacy"
) -> dict[str, Any]:
    rows = values.filter(
        (pl.col("indicator_id") == ind)
        & (pl.col("unit_code") == unit)
        & (pl.col("school_year") == year)
        & (pl.col("scheme") == scheme)
    ).to_dicts()
    assert len(rows) == 1, rows
    return rows[0]


def test_class_size_is_a_ratio_of_sums(values: pl.DataFrame) -> None:
    r = get(values, "NET_CLASS_SIZE", "901", P1)
    # A 280/10 and B 400/10; C has no pupil count so neither of its figures counts
    assert (r["numerator"], r["denominator"], r["schools_contributing"]) == (680, 20, 2)
    assert r["value"] == pytest.approx(34.0)  # not the mean of 28 and 40 either way
    # norm weighted by classes: TH 35 x 10 + THCS 45 x 10 over 20 classes
    assert r["norm_value"] == pytest.approx(40.0) and r["norm_status"] == "meets"
    assert r["schools_in_scope"] == 3  # coverage 2/3


def test_province_rolls_up_from_schools(values: pl.DataFrame) -> None:
    r = get(values, "NET_CLASS_SIZE", "90", P2)
    # A 300/10, B 90/2, D 0/0 (both known: counts in the sums), C unknown
    assert (r["numerator"], r["denominator"]) == (390, 12)
    assert r["value"] == pytest.approx(32.5)
    # 2023-2024: A 280/10, B 400/10, D 70/2, E 100/4 (every level counts in class size)
    assert r["previous_value"] == pytest.approx(850 / 26)
    assert r["change"] == pytest.approx(32.5 - 850 / 26)


def test_zero_denominator_gives_no_value(values: pl.DataFrame) -> None:
    r = get(values, "NET_CLASS_SIZE", "902", P2)  # only D, 0 pupils / 0 classes
    assert r["denominator"] == 0 and r["value"] is None


def test_share_of_schools_ignores_unknown_flags(values: pl.DataFrame) -> None:
    r = get(values, "FAC_INTERNET_PCT", "901", P1)
    assert (r["numerator"], r["denominator"]) == (1, 2)  # C unknown: not a "no"
    assert r["value"] == pytest.approx(50.0)
    assert r["norm_value"] == pytest.approx(100.0) and r["norm_status"] == "below"


def test_target_status(values: pl.DataFrame) -> None:
    r = get(values, "FAC_INTERNET_PCT", "901", P2)  # A, C yes; B no
    assert r["value"] == pytest.approx(200 / 3)
    assert (r["target_value"], r["target_status"]) == (90.0, "below")


def test_completeness_counts_the_missing_school(values: pl.DataFrame) -> None:
    r = get(values, "DQ_COMPLETENESS_PCT", "902", P2)
    assert (r["numerator"], r["denominator"], r["value"]) == (1, 2, 50.0)
    t = get(values, "DQ_TIMELINESS_PCT", "901", P1)  # B late
    assert t["value"] == pytest.approx(200 / 3)


def test_teachers_per_class_norm_and_shortfall(values: pl.DataFrame) -> None:
    # 2024-2025, district 901, public: A TH full-day (10/10 classes) norm 1.5; B THCS 1.9;
    # C TH one session norm 1.2
    r = get(values, "STF_TEACHERS_PER_CLASS", "901", P2)
    assert (r["numerator"], r["denominator"]) == (22, 17)
    assert r["norm_value"] == pytest.approx((1.5 * 10 + 1.9 * 2 + 1.2 * 5) / 17)
    s = get(values, "STF_TEACHER_SHORTFALL", "901", P2)
    # whole teachers per school (norm × classes to the nearest): A 15 - 11 = 4;
    # B 3.8 → 4, 4 - 5 = -1 (surplus, no offset); C 6 - 6 = 0
    assert s["value"] == 4.0
    assert s["denominator"] == 4.0 - 1.0  # the net figure


def test_private_schools_outside_public_scope(values: pl.DataFrame) -> None:
    r = get(values, "STF_TEACHERS_PER_CLASS", "902", P1)
    assert (r["numerator"], r["denominator"], r["schools_in_scope"]) == (3, 2, 1)


def test_same_value_through_either_scheme(values: pl.DataFrame) -> None:
    old = get(values, "NET_CLASS_SIZE", "90", P1)
    new = get(values, "NET_CLASS_SIZE", "91", P1, scheme="2025")
    assert (old["numerator"], old["denominator"]) == (new["numerator"], new["denominator"])


def test_full_day_primary_only_counts_primary(values: pl.DataFrame) -> None:
    r = get(values, "NET_FULLDAY_PRIMARY_PCT", "901", P1)
    # A 4 of 10; C has no full-day figure; B is THCS
    assert (r["numerator"], r["denominator"], r["schools_in_scope"]) == (4, 10, 2)
