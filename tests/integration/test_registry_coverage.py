"""A pulled school registry (raw_registry__schools) defines the schools a unit is expected to
report: schools that never sent anything count as missing, a closed school stops being
expected, a school opened later starts being expected, and each school is expected in the
periods of the scheme its place is coded in. Empty, it changes nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from ingest.core_tables import rebuild_core
from ingest.runner import ingest
from ioc import db
from ioc.compute.out_tables import rebuild_indicators
from ioc.config import Settings
from ioc.views.quality import quality_report
from ioc.views.units import find_unit
from tests.fixtures import write_csv

HEAD = ["Mã trường", "Tên trường", "Cấp học", "Loại hình", "Mã tỉnh", "Mã huyện", "Mã xã"]
LEGACY = ("94", "942", "31576")  # old Sóc Trăng, district 942, commune 31576 ...
NEW = ("92", "", "31582")  # ... merged whole into the 2025 commune 31582 of Cần Thơ (92)


def row(code: str, place: tuple[str, str, str]) -> list[str]:
    return [code, f"Trường Tiểu học {code}", "TH", "Công lập", *place]


# code, name, scheme, province, district, commune, status, opened_year, closed_year
REGISTRY = [
    ("A", "legacy", *LEGACY, "open", None, None),
    ("B", "legacy", *LEGACY, "open", "2019-2020", None),
    ("C", "legacy", *LEGACY, "closed", "2010-2011", "2024-2025"),  # closed in 2024-2025
    ("D", "legacy", *LEGACY, "open", None, None),  # never reported
    ("E", "legacy", *LEGACY, "open", "2024-2025", None),  # opened in 2024-2025, never reported
    ("F", "legacy", *LEGACY, "closed", None, None),  # closed, when unknown: never expected
    ("G", "2025", "92", None, "31582", "open", None, None),  # 2025 place, never reported
]


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Returns of A, B, C (2023-2024/DN), A, B (2024-2025/DN) and A (2025-2026/DN), each
    received on time; the registry not pulled yet."""
    tmp = tmp_path_factory.mktemp("registry-coverage")
    settings = Settings(data_dir=tmp / "data")
    files: list[tuple[Path, str, date]] = [
        (
            write_csv(tmp / "a.csv", [HEAD, *(row(c, LEGACY) for c in "ABC")]),
            "2023-2024/DN",
            date(2023, 10, 1),
        ),
        (
            write_csv(tmp / "b.csv", [HEAD, *(row(c, LEGACY) for c in "AB")]),
            "2024-2025/DN",
            date(2024, 10, 1),
        ),
        (write_csv(tmp / "c.csv", [HEAD, row("A", NEW)]), "2025-2026/DN", date(2025, 10, 1)),
    ]
    for path, period, received in files:
        (report,) = ingest([path], period=period, received=received, settings=settings)
        assert report.rejected == 0 and report.status == "loaded", report.message
    return settings


def expected(settings: Settings) -> dict[str, list[str]]:
    """Schools expected per period ('*' after a school that sent its return)."""
    with duckdb.connect(str(settings.published_db), read_only=True) as conn:
        rows = conn.sql(
            "select school_year || '/' || term, school_code, has_return "
            "from core_school__expected order by all"
        ).fetchall()
    found: dict[str, list[str]] = {}
    for period, school, has_return in rows:
        found.setdefault(period, []).append(school + ("*" if has_return else ""))
    return found


def pull_registry(settings: Settings) -> None:
    """What a pull of the `schools` resource leaves: the table filled, core and indicators
    rebuilt, in one published session."""
    with db.writer(settings) as conn:
        conn.execute("delete from raw_registry__schools")
        conn.executemany(
            "insert into raw_registry__schools (school_code, school_name, level, ownership, "
            "scheme, province_code, district_code, commune_code, status, opened_year, "
            "closed_year, source, version, run_id, pulled_at) values "
            "(?, ?, 'TH', 'cong_lap', ?, ?, ?, ?, ?, ?, ?, 'registry', '1', 99, now())",
            [(code, f"Trường {code} (danh mục)", *rest) for code, *rest in REGISTRY],
        )
        rebuild_core(conn, settings)
        rebuild_indicators(conn, settings)


def quality(settings: Settings, unit: str, scheme: str, period: str) -> dict[str, Any]:
    school_year, term = period.split("/")
    with duckdb.connect(str(settings.published_db), read_only=True) as conn:
        found = find_unit(conn, settings, unit, scheme)
        return quality_report(conn, settings, found, school_year, term)


def counts(report: dict[str, Any]) -> tuple[int, int, int]:
    total = report["total"]
    return total["schools_expected"], total["schools_reported"], total["schools_missing"]


def test_registry_defines_the_expected_schools(data: Settings) -> None:
    # without a registry: reported, plus carried forward from the province's last period
    assert expected(data) == {
        "2023-2024/DN": ["A*", "B*", "C*"],
        "2024-2025/DN": ["A*", "B*", "C"],
        "2025-2026/DN": ["A*", "B"],
    }
    assert counts(quality(data, "94", "legacy", "2024-2025/DN")) == (3, 2, 1)

    pull_registry(data)
    assert expected(data) == {
        # D never reported; E not open yet; F closed; G coded in the 2025 scheme
        "2023-2024/DN": ["A*", "B*", "C*", "D"],
        # C closed in 2024-2025; E opened
        "2024-2025/DN": ["A*", "B*", "D", "E"],
        # the listed legacy schools are not carried into the 2025 scheme; G is expected
        "2025-2026/DN": ["A*", "G"],
    }

    report = quality(data, "94", "legacy", "2024-2025/DN")
    assert counts(report) == (4, 2, 2)
    assert report["total"]["completeness_pct"] == pytest.approx(50.0)
    chase = {r["school_code"]: r for r in report["chase_list"]}
    assert sorted(chase) == ["D", "E"]
    assert {r["status"] for r in chase.values()} == {"missing"}
    assert chase["D"]["school_name"] == "Trường D (danh mục)"
    assert chase["D"]["last_period"] is None

    assert counts(quality(data, "94", "legacy", "2023-2024/DN")) == (4, 3, 1)
    report = quality(data, "92", "2025", "2025-2026/DN")
    assert counts(report) == (2, 1, 1)
    assert [r["school_code"] for r in report["chase_list"]] == ["G"]


def test_schools_that_never_reported_are_in_the_registry(data: Settings) -> None:
    pull_registry(data)
    with duckdb.connect(str(data.published_db), read_only=True) as conn:
        rows = conn.sql("select * from core_school__registry order by school_code").pl()
    by_code = {r["school_code"]: r for r in rows.to_dicts()}
    assert sorted(by_code) == list("ABCDEFG")
    assert [by_code[c]["returns_count"] for c in "ABCDEFG"] == [3, 2, 1, 0, 0, 0, 0]
    d = by_code["D"]
    assert [d["school_name"], d["level"], d["ownership"]] == [
        "Trường D (danh mục)",
        "TH",
        "cong_lap",
    ]
    legacy = ("province_code_legacy", "district_code_legacy", "commune_code_legacy")
    assert tuple(d[c] for c in legacy) == LEGACY
    # its 2025 place through the crosswalk, as for a school that reported
    assert (d["province_code_2025"], d["commune_code_2025"]) == ("92", "31582")
    assert (d["place_legacy_method"], d["place_2025_method"]) == ("registry", "crosswalk")
    assert d["first_period"] is None and d["last_period"] is None
    g = by_code["G"]
    assert (g["province_code_2025"], g["commune_code_2025"], g["place_2025_method"]) == (
        "92",
        "31582",
        "registry",
    )
    # a school that reported keeps the name of its latest return
    assert by_code["A"]["school_name"] == "Trường Tiểu học A"
