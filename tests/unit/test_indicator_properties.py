"""Properties of the roll-up that must hold for any data (hypothesis)."""

from __future__ import annotations

from typing import Any

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ioc.catalog import load_contract
from ioc.catalog.definitions import load_catalog
from ioc.compute.indicators import compute

CATALOG = load_catalog()
CONTRACT = load_contract()
DTYPES = {"count": pl.Int32, "decimal": pl.Float64, "flag": pl.Boolean}
SCHEMA = {f.name: DTYPES.get(f.type, pl.String) for f in CONTRACT.fields}
# two old provinces merged into one new province; old districts nest in old provinces
PLACES = [
    ("90", "901", "90101"),
    ("90", "901", "90102"),
    ("90", "902", "90201"),
    ("93", "931", "93101"),
    ("93", "931", "93102"),
]

counts = st.one_of(st.none(), st.integers(min_value=0, max_value=3000))
school = st.fixed_dictionaries(
    {
        "place": st.sampled_from(PLACES),
        "commune_2025": st.sampled_from(["91001", "91002", "91003"]),
        "level": st.sampled_from(["MN", "TH", "THCS", "THPT"]),
        "students": counts,
        "classes": st.one_of(st.none(), st.integers(min_value=0, max_value=80)),
        "internet": st.one_of(st.none(), st.booleans()),
    }
)


def run(schools: list[dict[str, Any]]) -> tuple[pl.DataFrame, list[dict[str, Any]]]:
    rows = []
    for i, s in enumerate(schools):
        rows.append(
            {
                "school_code": f"S{i}",
                "school_year": "2024-2025",
                "term": "DN",
                "level": s["level"],
                "ownership": "cong_lap",
                "students": s["students"],
                "classes": s["classes"],
                "internet": s["internet"],
            }
        )
    returns = pl.DataFrame(rows, schema_overrides=SCHEMA).with_columns(
        [pl.lit(None, t).alias(n) for n, t in SCHEMA.items() if n not in rows[0]]
    )
    registry = pl.DataFrame(
        [
            {
                "school_code": f"S{i}",
                "province_code_legacy": s["place"][0],
                "district_code_legacy": s["place"][1],
                "commune_code_legacy": s["place"][2],
                "province_code_2025": "91",
                "commune_code_2025": s["commune_2025"],
                "level": s["level"],
                "ownership": "cong_lap",
            }
            for i, s in enumerate(schools)
        ]
    )
    expected = returns.select("school_code", "school_year", "term").with_columns(
        pl.lit(True).alias("has_return"), pl.lit(True).alias("is_on_time")
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
    values = compute(returns.lazy(), registry.lazy(), expected.lazy(), targets.lazy(), CATALOG)
    return values, [{**s, "code": f"S{i}"} for i, s in enumerate(schools)]


def unit_rows(values: pl.DataFrame, ind: str) -> dict[tuple[str, str, str], dict[str, Any]]:
    rows = values.filter(pl.col("indicator_id") == ind).to_dicts()
    return {(r["scheme"], r["level"], r["unit_code"]): r for r in rows}


def member(s: dict[str, Any], scheme: str, level: str) -> str:
    if scheme == "2025":
        return "91" if level == "province" else s["commune_2025"]
    return s["place"][{"province": 0, "district": 1, "commune": 2}[level]]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(school, min_size=1, max_size=25))
def test_every_unit_is_the_ratio_of_its_schools_sums(schools: list[dict[str, Any]]) -> None:
    values, placed = run(schools)
    for (scheme, level, code), r in unit_rows(values, "NET_CLASS_SIZE").items():
        inside = [s for s in placed if member(s, scheme, level) == code]
        known = [s for s in inside if s["students"] is not None and s["classes"] is not None]
        num, den = sum(s["students"] for s in known), sum(s["classes"] for s in known)
        assert r["schools_in_scope"] == len(inside)
        assert r["schools_contributing"] == len(known)
        if known:
            assert (r["numerator"], r["denominator"]) == (num, den)
            assert r["value"] == (None if den == 0 else num / den)
        else:
            assert r["value"] is None  # unknown, never zero


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(school, min_size=1, max_size=25))
def test_roll_up_paths_agree(schools: list[dict[str, Any]]) -> None:
    values, _ = run(schools)
    for ind in ("NET_CLASS_SIZE", "FAC_INTERNET_PCT", "NET_STUDENTS"):
        rows = unit_rows(values, ind)

        def total(scheme: str, level: str, part: str, rows: dict = rows) -> float:
            return sum(r[part] or 0 for (s, lv, _), r in rows.items() if (s, lv) == (scheme, level))

        for part in ("numerator", "denominator"):
            province = total("legacy", "province", part)
            assert total("legacy", "district", part) == province  # through old districts
            assert total("legacy", "commune", part) == province  # through old communes
            assert total("2025", "commune", part) == province  # through 2025 communes
            assert total("2025", "province", part) == province  # new = sum of the old provinces


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(school, min_size=1, max_size=25))
def test_unknown_flags_are_not_no(schools: list[dict[str, Any]]) -> None:
    values, placed = run(schools)
    r = unit_rows(values, "FAC_INTERNET_PCT").get(("2025", "province", "91"))
    known = [s for s in placed if s["internet"] is not None]
    if not known:
        assert r is None or r["value"] is None
        return
    assert r is not None
    assert r["denominator"] == len(known)
    assert r["numerator"] == sum(1 for s in known if s["internet"])
