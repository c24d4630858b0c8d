"""Each school's place in both unit schemes, across the 1 July 2025 reorganisation."""

from __future__ import annotations

from typing import Any

import duckdb
import pytest

from ingest.runner import ingest
from ioc.config import Settings
from tests.conftest import summary_totals
from tests.fixtures import write_csv

HEAD = [
    "Mã trường",
    "Tên trường",
    "Cấp học",
    "Loại hình",
    "Mã tỉnh",
    "Mã huyện",
    "Mã xã",
    "Vĩ độ",
    "Kinh độ",
    "Số lớp",
    "Số học sinh",
]


def row(
    code: str, province: str, district: str, commune: str, lat: str = "", lon: str = ""
) -> list[str]:
    return [
        code,
        f"Trường Tiểu học {code}",
        "TH",
        "Công lập",
        province,
        district,
        commune,
        lat,
        lon,
        "10",
        "300",
    ]


@pytest.fixture(scope="module")
def two_schemes(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    tmp = tmp_path_factory.mktemp("registry")
    settings = Settings(data_dir=tmp / "data")
    legacy = [
        HEAD,
        # A: split old commune 31582, coordinates near new commune 31378 (Phú Hữu)
        row("A", "94", "942", "31582", "9,9009", "105,852"),
        # B: the same split commune, no coordinates: cannot be placed in a 2025 commune
        row("B", "94", "942", "31582"),
        # C: old commune 31576 merged whole into new 31582
        row("C", "94", "942", "31576"),
    ]
    new = [
        HEAD,
        row("A", "92", "", "31378", "9,9009", "105,852"),
        row("C", "92", "", "31582"),
        # D: new commune 31582 draws on old communes of Hậu Giang and Sóc Trăng; the
        # coordinates put the school in old Thuận Hòa (31576, district 942)
        row("D", "92", "", "31582", "9,6753", "105,9054"),
        # E: same new commune, no coordinates: its old province is not knowable
        row("E", "92", "", "31582"),
    ]
    reports = ingest([write_csv(tmp / "old.csv", legacy)], period="2021-2022/DN", settings=settings)
    reports += ingest([write_csv(tmp / "new.csv", new)], period="2025-2026/DN", settings=settings)
    assert [r.accepted for r in reports] == [3, 4], [r.message for r in reports]
    return settings


def registry(settings: Settings) -> dict[str, dict[str, Any]]:
    with duckdb.connect(str(settings.published_db), read_only=True) as conn:
        rows = conn.sql("select * from core_school__registry").pl().to_dicts()
    return {r["school_code"]: r for r in rows}


def place(r: dict[str, Any]) -> tuple[Any, ...]:
    return (
        r["province_code_legacy"],
        r["district_code_legacy"],
        r["commune_code_legacy"],
        r["province_code_2025"],
        r["commune_code_2025"],
    )


def test_places_in_both_schemes(two_schemes: Settings) -> None:
    reg = registry(two_schemes)
    assert place(reg["A"]) == ("94", "942", "31582", "92", "31378")
    assert place(reg["B"]) == ("94", "942", "31582", "92", None)
    assert place(reg["C"]) == ("94", "942", "31576", "92", "31582")
    assert place(reg["D"]) == ("94", "942", "31576", "92", "31582")
    assert place(reg["E"]) == (None, None, None, "92", "31582")
    assert reg["B"]["place_2025_method"] == "ambiguous" and reg["B"]["is_place_ambiguous"]
    assert reg["D"]["place_legacy_method"] == "coordinates"
    assert reg["E"]["place_legacy_method"] == "ambiguous" and reg["E"]["is_place_ambiguous"]
    assert not reg["A"]["is_place_ambiguous"] and not reg["C"]["is_place_ambiguous"]


def test_old_district_continues_after_2025(two_schemes: Settings) -> None:
    result = summary_totals(two_schemes, "942", "2025-2026/DN", scheme="legacy")
    assert result["schools"] == 3  # A, C, D; E cannot be placed
    assert result["totals"]["students"] == {"total": 900, "schools_reporting": 3}


def test_new_units_restated_before_2025(two_schemes: Settings) -> None:
    assert summary_totals(two_schemes, "92", "2021-2022/DN", scheme="2025")["schools"] == 3
    assert summary_totals(two_schemes, "31378", "2021-2022/DN", scheme="2025")["schools"] == 1


def test_default_scheme_follows_the_period(two_schemes: Settings) -> None:
    assert summary_totals(two_schemes, "92", "2025-2026/DN")["unit"]["scheme"] == "2025"
    assert summary_totals(two_schemes, "94", "2021-2022/DN")["unit"]["name"] == "Tỉnh Sóc Trăng"
