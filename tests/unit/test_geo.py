"""Tests for ioc.geo.admin against facts known independently of the source package.

Province merges follow Nghị quyết 202/2025/QH15; the 2025 list has 3,321 communes (687 phường,
2,621 xã, 13 đặc khu in the final GSO list, also counted so by the separate `vietnam-provinces`
data); codes follow QĐ 19/2025/QĐ-TTg and the GSO legacy code list.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest

from ioc.geo import admin as geo

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "sql" / "schema"

# New province code -> old province codes merged into it (NQ 202/2025/QH15).
PROVINCE_MERGES: dict[str, set[str]] = {
    "01": {"01"},
    "04": {"04"},
    "08": {"02", "08"},
    "11": {"11"},
    "12": {"12"},
    "14": {"14"},
    "15": {"10", "15"},
    "19": {"06", "19"},
    "20": {"20"},
    "22": {"22"},
    "24": {"24", "27"},
    "25": {"17", "25", "26"},
    "31": {"30", "31"},
    "33": {"33", "34"},
    "37": {"35", "36", "37"},
    "38": {"38"},
    "40": {"40"},
    "42": {"42"},
    "44": {"44", "45"},
    "46": {"46"},
    "48": {"48", "49"},
    "51": {"51", "62"},
    "52": {"52", "64"},
    "56": {"56", "58"},
    "66": {"54", "66"},
    "68": {"60", "67", "68"},
    "75": {"70", "75"},
    "79": {"74", "77", "79"},
    "80": {"72", "80"},
    "82": {"82", "87"},
    "86": {"83", "84", "86"},
    "91": {"89", "91"},
    "92": {"92", "93", "94"},
    "96": {"95", "96"},
}


@pytest.fixture(scope="module")
def units() -> pl.DataFrame:
    return geo.units()


@pytest.fixture(scope="module")
def xwalk() -> pl.DataFrame:
    return geo.commune_crosswalk()


def _level(units: pl.DataFrame, scheme: str, level: str) -> pl.DataFrame:
    return units.filter(pl.col("scheme") == scheme, pl.col("level") == level)


def _one(units: pl.DataFrame, scheme: str, level: str, code: str) -> dict[str, object]:
    rows = _level(units, scheme, level).filter(pl.col("code") == code)
    assert rows.height == 1, (scheme, level, code)
    return rows.row(0, named=True)


# --- shape ---------------------------------------------------------------------------------


def _load_into_duckdb(frame: pl.DataFrame, ddl_file: str, table: str) -> duckdb.DuckDBPyConnection:
    conn = duckdb.connect()
    conn.execute((SCHEMA_DIR / ddl_file).read_text(encoding="utf-8"))
    columns = [r[0] for r in conn.execute(f"describe {table}").fetchall()]
    assert frame.columns == columns
    conn.register("frame", frame.to_arrow())
    conn.execute(f"insert into {table} select * from frame")  # enforces NOT NULL and the PK
    return conn


def test_units_fit_the_core_table(units: pl.DataFrame) -> None:
    conn = _load_into_duckdb(units, "10_core_geo__units.sql", "core_geo__units")
    assert conn.execute("select count(*) from core_geo__units").fetchone() == (units.height,)
    assert units.schema["latitude"] == pl.Float64
    assert units.schema["longitude"] == pl.Float64


def test_crosswalk_fits_the_core_table(xwalk: pl.DataFrame) -> None:
    conn = _load_into_duckdb(
        xwalk, "11_core_geo__commune_crosswalk.sql", "core_geo__commune_crosswalk"
    )
    assert conn.execute("select count(*) from core_geo__commune_crosswalk").fetchone() == (
        xwalk.height,
    )


def test_results_are_cached() -> None:
    assert geo.units() is geo.units()
    assert geo.commune_crosswalk() is geo.commune_crosswalk()
    assert geo.district_crosswalk() is geo.district_crosswalk()


# --- units ---------------------------------------------------------------------------------


def test_counts_per_scheme_and_level(units: pl.DataFrame) -> None:
    counts = {
        (r["scheme"], r["level"]): r["len"]
        for r in units.group_by("scheme", "level").len().iter_rows(named=True)
    }
    assert counts[("legacy", "province")] == 63
    assert counts[("2025", "province")] == 34
    assert counts[("2025", "commune")] == 3321
    assert ("2025", "district") not in counts
    # Legacy counts as of mid-2025 (source data pinned at vietnamadminunits 1.0.4).
    assert counts[("legacy", "district")] == 696
    assert counts[("legacy", "commune")] == 10035


def test_2025_commune_types(units: pl.DataFrame) -> None:
    types = dict(_level(units, "2025", "commune").group_by("unit_type").len().iter_rows())
    assert types == {"Phường": 687, "Xã": 2621, "Đặc khu": 13}
    provinces = dict(_level(units, "2025", "province").group_by("unit_type").len().iter_rows())
    assert provinces == {"Thành phố": 6, "Tỉnh": 28}


def test_code_widths(units: pl.DataFrame) -> None:
    width = {"province": 2, "district": 3, "commune": 5}
    for level, n in width.items():
        codes = units.filter(pl.col("level") == level)["code"]
        assert codes.str.contains(rf"^\d{{{n}}}$").all(), level


def test_names_are_type_plus_short_name(units: pl.DataFrame) -> None:
    rebuilt = units.select(pl.concat_str("unit_type", pl.lit(" "), "short_name"))
    assert (rebuilt.to_series() == units["name"]).all()
    assert not units["short_name"].str.contains(r"\(").any()


def test_soc_trang_districts(units: pl.DataFrame) -> None:
    districts = _level(units, "legacy", "district").filter(pl.col("province_code") == "94")
    assert sorted(districts["code"]) == [str(c) for c in range(941, 952)]
    assert (districts["parent_code"] == "94").all()
    assert _one(units, "legacy", "district", "941")["name"] == "Thành phố Sóc Trăng"
    assert _one(units, "legacy", "district", "951")["name"] == "Huyện Trần Đề"
    ke_sach = _one(units, "legacy", "district", "943")
    assert (ke_sach["name"], ke_sach["short_name"], ke_sach["unit_type"]) == (
        "Huyện Kế Sách",
        "Kế Sách",
        "Huyện",
    )
    assert ke_sach["search_key"] == "huyen ke sach"
    assert _one(units, "legacy", "province", "94")["name"] == "Tỉnh Sóc Trăng"


def test_codes_reused_with_new_meanings(units: pl.DataFrame) -> None:
    assert _one(units, "legacy", "province", "24")["name"] == "Tỉnh Bắc Giang"
    assert _one(units, "2025", "province", "24")["name"] == "Tỉnh Bắc Ninh"
    assert _one(units, "legacy", "province", "27")["name"] == "Tỉnh Bắc Ninh"
    assert _one(units, "legacy", "commune", "00004")["name"] == "Phường Trúc Bạch"
    assert _one(units, "2025", "commune", "00004")["name"] == "Phường Ba Đình"


def test_search_key(units: pl.DataFrame) -> None:
    assert _one(units, "legacy", "district", "951")["search_key"] == "huyen tran de"
    assert _one(units, "2025", "province", "01")["search_key"] == "thanh pho ha noi"
    # Only diacritics go; punctuation stays ("Ia H'Drai", "Bà Rịa - Vũng Tàu").
    assert _one(units, "legacy", "district", "618")["search_key"] == "huyen ia h'drai"
    assert units["search_key"].str.contains(r"^[a-z0-9 '\-]+$").all()


def test_name_casing_is_normalised(units: pl.DataFrame) -> None:
    # The source spells this one 'Thành Phố Bắc Kạn'.
    bac_kan = _one(units, "legacy", "district", "058")
    assert (bac_kan["name"], bac_kan["unit_type"]) == ("Thành phố Bắc Kạn", "Thành phố")


def test_hierarchy(units: pl.DataFrame) -> None:
    for scheme in ("legacy", "2025"):
        provinces = set(_level(units, scheme, "province")["code"])
        assert _level(units, scheme, "province")["parent_code"].is_null().all()
        assert set(units.filter(pl.col("scheme") == scheme)["province_code"]) == provinces

    new_communes = _level(units, "2025", "commune")
    assert set(new_communes["parent_code"]) <= set(_level(units, "2025", "province")["code"])
    assert (new_communes["parent_code"] == new_communes["province_code"]).all()
    assert new_communes["district_code"].is_null().all()

    districts = _level(units, "legacy", "district")
    assert (districts["parent_code"] == districts["province_code"]).all()
    assert (districts["district_code"] == districts["code"]).all()

    old_communes = _level(units, "legacy", "commune")
    assert (old_communes["parent_code"] == old_communes["district_code"]).all()
    parents = old_communes.join(
        districts.select("code", d_province="province_code"),
        left_on="district_code",
        right_on="code",
        how="left",
    )
    assert (parents["d_province"] == parents["province_code"]).all()


def test_island_districts_have_no_communes(units: pl.DataFrame) -> None:
    islands = {"318", "471", "498", "536", "755"}  # Bạch Long Vĩ, Cồn Cỏ, Hoàng Sa, Lý Sơn, Côn Đảo
    assert islands <= set(_level(units, "legacy", "district")["code"])
    with_communes = set(_level(units, "legacy", "commune")["district_code"])
    assert not islands & with_communes
    assert set(_level(units, "legacy", "district")["code"]) - with_communes == islands


def test_centroids_lie_in_vietnam(units: pl.DataFrame) -> None:
    assert units["latitude"].is_between(8.0, 23.5).all()
    assert units["longitude"].is_between(102.0, 117.5).all()  # Hoàng Sa is near 112 E


# --- crosswalk -----------------------------------------------------------------------------


def test_crosswalk_codes_exist(units: pl.DataFrame, xwalk: pl.DataFrame) -> None:
    new = _level(units, "2025", "commune").select(
        commune_code_2025="code", province_code_2025="province_code"
    )
    assert xwalk.join(new, on=["commune_code_2025", "province_code_2025"]).height == xwalk.height
    old = _level(units, "legacy", "commune").select(
        legacy_commune_code="code",
        legacy_district_code="district_code",
        legacy_province_code="province_code",
    )
    keys = ["legacy_commune_code", "legacy_district_code", "legacy_province_code"]
    assert xwalk.join(old, on=keys).height == xwalk.height


def test_every_legacy_commune_is_mapped(units: pl.DataFrame, xwalk: pl.DataFrame) -> None:
    assert set(xwalk["legacy_commune_code"]) == set(_level(units, "legacy", "commune")["code"])
    assert xwalk.select("legacy_commune_code", "commune_code_2025").is_unique().all()


def test_only_island_special_zones_lack_a_legacy_commune(
    units: pl.DataFrame, xwalk: pl.DataFrame
) -> None:
    unreached = _level(units, "2025", "commune").filter(
        ~pl.col("code").is_in(xwalk["commune_code_2025"].implode())
    )
    assert sorted(unreached["short_name"]) == [
        "Bạch Long Vĩ",
        "Côn Đảo",
        "Cồn Cỏ",
        "Hoàng Sa",
        "Lý Sơn",
    ]
    assert (unreached["unit_type"] == "Đặc khu").all()


# Island district (no commune level) -> (2025 province, 2025 đặc khu code, its name): codes
# of QĐ 19/2025/QĐ-TTg; Côn Đảo left Bà Rịa-Vũng Tàu (77) for Hồ Chí Minh City (79), Cồn Cỏ's
# Quảng Trị (45) merged into the new Quảng Trị (44).
SPECIAL_ZONES = {
    "318": ("31", "31", "11948", "Đặc khu Bạch Long Vĩ"),
    "471": ("45", "44", "19742", "Đặc khu Cồn Cỏ"),
    "498": ("48", "48", "20333", "Đặc khu Hoàng Sa"),
    "536": ("51", "51", "21548", "Đặc khu Lý Sơn"),
    "755": ("77", "79", "26732", "Đặc khu Côn Đảo"),
}


def test_island_districts_become_special_zones(units: pl.DataFrame) -> None:
    zones = geo.district_crosswalk()
    got = {
        r["legacy_district_code"]: (
            r["legacy_province_code"],
            r["province_code_2025"],
            r["commune_code_2025"],
            _one(units, "2025", "commune", r["commune_code_2025"])["name"],
        )
        for r in zones.iter_rows(named=True)
    }
    assert got == SPECIAL_ZONES
    for district, (province, province_2025, commune, _) in SPECIAL_ZONES.items():
        assert _one(units, "legacy", "district", district)["province_code"] == province
        assert _one(units, "2025", "commune", commune)["province_code"] == province_2025
    assert geo.communeless_districts() == set(SPECIAL_ZONES)
    conn = _load_into_duckdb(
        zones, "12_core_geo__district_crosswalk.sql", "core_geo__district_crosswalk"
    )
    assert conn.execute("select count(*) from core_geo__district_crosswalk").fetchone() == (5,)


def test_every_unit_can_be_placed_in_both_schemes(units: pl.DataFrame, xwalk: pl.DataFrame) -> None:
    """Every 2008-2025 (legacy) district and commune has a place in the 2025 scheme, and every
    2025 commune one in the legacy scheme: a school anywhere can be loaded and counted in both.

    The legacy units are those in force on 30 June 2025 (vietnamadminunits 1.0.4): a district
    abolished or merged earlier (2008-2024 reorganisations) is not in the source list, so a
    return of an earlier year naming it is rejected as ``unknown_district`` rather than placed;
    the list below covers every unit the source knows."""
    zones = geo.district_crosswalk()
    mapped = set(xwalk["legacy_commune_code"])
    reached = set(xwalk["commune_code_2025"]) | set(zones["commune_code_2025"])
    districts = _level(units, "legacy", "district")
    communes = _level(units, "legacy", "commune")
    with_communes = set(communes["district_code"])
    provinces_2025 = set(_level(units, "2025", "province")["code"])
    unplaced = [
        ("legacy district", r["code"], r["name"])
        for r in districts.iter_rows(named=True)
        if r["code"] not in with_communes and r["code"] not in set(zones["legacy_district_code"])
    ]
    unplaced += [
        ("legacy commune", r["code"], r["name"])
        for r in communes.iter_rows(named=True)
        if r["code"] not in mapped
    ]
    unplaced += [
        ("2025 commune", r["code"], r["name"])
        for r in _level(units, "2025", "commune").iter_rows(named=True)
        if r["code"] not in reached or r["province_code"] not in provinces_2025
    ]
    assert unplaced == []
    # and each legacy district lands in exactly one 2025 province
    per_district = (
        pl.concat(
            [
                xwalk.select("legacy_district_code", "province_code_2025"),
                zones.select("legacy_district_code", "province_code_2025"),
            ]
        )
        .group_by("legacy_district_code")
        .agg(pl.col("province_code_2025").n_unique())
    )
    assert set(per_district["legacy_district_code"]) == set(districts["code"])
    assert (per_district["province_code_2025"] == 1).all()


def test_province_merges(xwalk: pl.DataFrame) -> None:
    merges = xwalk.group_by("province_code_2025").agg(pl.col("legacy_province_code").unique())
    got = {r[0]: set(r[1]) for r in merges.iter_rows()}
    assert got == PROVINCE_MERGES


def test_soc_trang_goes_to_can_tho(xwalk: pl.DataFrame) -> None:
    soc_trang = xwalk.filter(pl.col("legacy_province_code") == "94")
    assert soc_trang.height > 0
    assert set(soc_trang["province_code_2025"]) == {"92"}
    into_92 = xwalk.filter(pl.col("province_code_2025") == "92")
    assert set(into_92["legacy_province_code"]) == {"92", "93", "94"}


def test_no_old_district_straddles_new_provinces(xwalk: pl.DataFrame) -> None:
    per_district = xwalk.group_by("legacy_district_code").agg(
        pl.col("province_code_2025").n_unique().alias("n")
    )
    assert (per_district["n"] == 1).all()


def test_split_communes(xwalk: pl.DataFrame) -> None:
    per_old = xwalk.group_by("legacy_commune_code").agg(
        pl.len().alias("rows"),
        pl.col("is_default").sum().alias("defaults"),
        pl.col("is_split").all().alias("all_split"),
        pl.col("is_split").any().alias("any_split"),
    )
    assert (per_old["all_split"] == per_old["any_split"]).all()
    assert ((per_old["rows"] > 1) == per_old["all_split"]).all()
    assert (per_old["defaults"] == 1).all()  # one default per legacy commune, split or not
    assert per_old["all_split"].sum() > 0
    # Phường Cống Vị (Ba Đình) was divided between Phường Ngọc Hà and Phường Giảng Võ.
    cong_vi = xwalk.filter(pl.col("legacy_commune_code") == "00007")
    assert cong_vi["is_split"].all()
    assert set(cong_vi["commune_code_2025"]) == {"00008", "00025"}
    assert cong_vi["is_default"].sum() == 1


def test_known_merge(units: pl.DataFrame, xwalk: pl.DataFrame) -> None:
    # Xã Lê Ninh (Thị xã Kinh Môn, Hải Dương) is now part of Phường Bắc An Phụ, Hải Phòng.
    le_ninh = (
        _level(units, "legacy", "commune")
        .filter(pl.col("name") == "Xã Lê Ninh", pl.col("province_code") == "30")
        .join(
            _level(units, "legacy", "district").select(district_code="code", district="name"),
            on="district_code",
        )
        .filter(pl.col("district") == "Thị xã Kinh Môn")
    )
    assert le_ninh.height == 1
    rows = xwalk.filter(pl.col("legacy_commune_code") == le_ninh["code"][0])
    assert rows.select("province_code_2025", "commune_code_2025", "is_default").rows() == [
        ("31", "10678", True)
    ]
    assert _one(units, "2025", "commune", "10678")["name"] == "Phường Bắc An Phụ"
