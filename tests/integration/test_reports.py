"""`ioc export` on the demo province, read back and compared with the API's JSON for the
same unit and period: the standard workbook sheet by sheet, CSV, period rules, errors."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import fastexcel
import httpx
import polars as pl
import pytest

from ioc.catalog.definitions import load_catalog
from ioc.config import Settings
from ioc.reports.labels import STATUS
from tests.conftest import run_ioc, summary_totals
from tests.integration.test_api import client
from tests.xlsx_xml import Book, text

PERIOD = "2021-2022/DN"
STATUS_CODE = {f"{vi} / {en}": code for code, (vi, en) in STATUS.items()}


@pytest.fixture(scope="module")
def leader(api_server: Any) -> httpx.Client:
    return client(api_server, "demo-leader")


@pytest.fixture(scope="module")
def served(api_server: Any) -> Settings:
    """The API server's data: exports read the very build the API answers from (other
    tests may have published builds on it, e.g. new targets)."""
    return Settings(data_dir=api_server.data_dir)


@pytest.fixture(scope="module")
def workbook(served: Settings, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("export")
    run_ioc(served, "export", "--unit", "94", "--period", PERIOD, "--out", str(out))
    (path,) = out.glob("*.xlsx")
    return path


def sheet(path: Path, name: str) -> pl.DataFrame:
    return fastexcel.read_excel(path).load_sheet(name, header_row=1).to_polars()


def close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def assert_kpis_match(rows: pl.DataFrame, api: list[dict[str, Any]]) -> None:
    """Every indicator row of a KPI sheet equals the API's row for it."""
    got = {r["Mã chỉ tiêu\nIndicator"]: r for r in rows.iter_rows(named=True)}
    assert set(got) == {r["indicator_id"] for r in api}
    for want in api:
        row = got[want["indicator_id"]]
        pairs = [
            ("Giá trị\nValue", "value"),
            ("Định mức\nNorm", "norm_value"),
            ("Mục tiêu\nTarget", "target_value"),
            ("Cùng kỳ năm trước\nSame period last year", "previous_value"),
            ("Tử số\nNumerator", "numerator"),
            ("Mẫu số\nDenominator", "denominator"),
            ("Số trường có số liệu\nSchools contributing", "schools_contributing"),
            ("Số trường phải báo cáo\nSchools in scope", "schools_in_scope"),
        ]
        for column, key in pairs:
            assert close(row[column], want[key]), (want["indicator_id"], key)
        assert STATUS_CODE[row["Đánh giá theo định mức\nAgainst the norm"]] == want["norm_status"]
        target_status = want["target_status"] or "no_value"
        assert STATUS_CODE[row["Đánh giá theo mục tiêu\nAgainst the target"]] == target_status


def test_file_name_carries_unit_period_and_time(workbook: Path) -> None:
    assert re.fullmatch(r"bao-cao_legacy-94_2021-2022_DN_\d{8}-\d{6}\.xlsx", workbook.name)


def test_indicator_sheets_match_the_api(workbook: Path, leader: httpx.Client) -> None:
    params = {"unit": "94", "period": PERIOD}
    own = leader.get("/indicators/values", params=params).json()
    assert_kpis_match(sheet(workbook, "Chỉ tiêu"), own)
    children = leader.get("/indicators/values", params=params | {"children": "true"}).json()
    names = {r["unit_code"]: r["unit_name"] for r in children}
    sheets = fastexcel.read_excel(workbook).sheet_names
    assert [s for s in sheets if s[:3].isdigit()] == [
        f"{code} {name}"[:31] for code, name in sorted(names.items())
    ]
    for code in ("941", "945"):
        rows = [r for r in children if r["unit_code"] == code]
        assert_kpis_match(sheet(workbook, f"{code} {names[code]}"[:31]), rows)


def test_progress_cover_and_definitions_match(workbook: Path, leader: httpx.Client) -> None:
    quality = leader.get("/quality", params={"unit": "94", "period": PERIOD}).json()
    progress = sheet(workbook, "Tiến độ báo cáo")
    assert progress["Mã đơn vị\nUnit code"].to_list() == [
        r["unit_code"] for r in quality["by_unit"]
    ]
    assert progress["Đã báo cáo\nReported"].to_list() == [
        r["schools_reported"] for r in quality["by_unit"]
    ]
    assert progress["Tỷ lệ đầy đủ (%)\nCompleteness (%)"].to_list() == [
        r["completeness_pct"] for r in quality["by_unit"]
    ]
    cover = dict(
        fastexcel.read_excel(workbook).load_sheet("Bìa", header_row=None).to_polars().rows()
    )
    assert cover["Đơn vị / Unit"].startswith("Tỉnh Sóc Trăng (94)")
    assert "2021-2022/DN" in cover["Kỳ báo cáo / Period"]
    total = quality["total"]
    assert cover["Số trường đã báo cáo / Schools reported"] == str(total["schools_reported"])
    completeness = f"{total['completeness_pct']:.1f}".replace(".", ",") + " %"
    assert cover["Tỷ lệ đầy đủ / Completeness"] == completeness
    health = leader.get("/health").json()
    built = datetime.fromisoformat(health["data_as_of"])
    local = built.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%d/%m/%Y %H:%M")
    as_of = cover["Số liệu tính đến / Data as of"]
    assert as_of.startswith(local) and as_of.endswith(f"build {health['build_id']})")
    assert cover["Loại báo cáo / Report"].startswith("Báo cáo thống kê chuẩn")
    assert cover["Quy tắc kỳ / Period rule"] == PERIOD
    definitions = sheet(workbook, "Định nghĩa")
    assert definitions.height == len(load_catalog().indicators)
    assert definitions["Căn cứ pháp lý\nLegal source"].str.contains("TT").any()


def test_school_list_matches_the_api(workbook: Path, leader: httpx.Client) -> None:
    schools = sheet(workbook, "Danh sách trường")
    for indicator in ("NET_CLASS_SIZE", "STF_TEACHERS_PER_CLASS", "WSH_CLEAN_WATER_PCT"):
        page = leader.get(
            "/schools",
            params={"unit": "94", "period": PERIOD, "indicator": indicator, "size": 1000},
        ).json()
        assert page["total"] == schools.height
        column = next(c for c in schools.columns if c.endswith(f"\n{indicator}"))
        got = dict(zip(schools["Mã trường\nSchool code"], schools[column], strict=True))
        for item in page["items"]:
            assert close(got[item["school_code"]], item["value"]), (indicator, item)


def test_workbook_layout_colours_and_formats(workbook: Path) -> None:
    book = Book(workbook)
    kpi = book.sheet("Chỉ tiêu")
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    pane = kpi.find(".//m:pane", ns)
    assert pane is not None and pane.get("ySplit") == "2" and pane.get("state") == "frozen"
    assert kpi.find("m:autoFilter", ns) is not None
    cells = book.cells("Chỉ tiêu")
    rows: dict[str, dict[str, Any]] = {}
    for ref, cell in cells.items():
        match = re.fullmatch(r"([A-Z]+)(\d+)", ref)
        assert match is not None
        rows.setdefault(match[2], {})[match[1]] = cell
    fills = {}
    for row in rows.values():
        if "A" in row and "F" in row:
            fills[text(row["F"])] = book.fill_of(row["F"])
            if text(row["A"]) == "NET_STUDENTS":
                assert book.format_of(row["D"]) == "#,##0"
            if text(row["A"]) == "STF_QUALIFIED_PCT":
                assert book.format_of(row["D"]) == "0.0"
    assert fills["Đạt / Meets"].endswith("C6EFCE")
    assert any(
        fills.get(f"{vi} / {en}", "").endswith("FFC7CE")
        for vi, en in (STATUS["below"], STATUS["above"])
    )
    assert "Danh sách trường" in book.sheets and "Định nghĩa" in book.sheets


def test_csv_with_bom_matches_the_api(
    served: Settings, tmp_path: Path, leader: httpx.Client
) -> None:
    out = tmp_path / "chi-tieu.csv"
    run_ioc(
        served,
        "export",
        "--unit",
        "945",
        "--period",
        PERIOD,
        "--scheme",
        "legacy",
        "--format",
        "csv",
        "--out",
        str(out),
    )
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw[3:].decode("utf-8"))))
    params = {"unit": "945", "period": PERIOD, "scheme": "legacy"}
    api = leader.get("/indicators/values", params=params).json()
    api += leader.get("/indicators/values", params=params | {"children": "true"}).json()
    assert len(rows) == len(api)
    by_key = {(r["unit_code"], r["indicator_id"]): r for r in api}
    for row in rows:
        want = by_key[(row["Mã đơn vị"], row["Mã chỉ tiêu"])]
        value = float(row["Giá trị"]) if row["Giá trị"] else None
        assert close(value, want["value"])


def test_schools_csv_kind_and_period_rules(
    served: Settings, tmp_path: Path, leader: httpx.Client
) -> None:
    run_ioc(
        served,
        "export",
        "--unit",
        "945",
        "--period",
        "latest",
        "--scheme",
        "legacy",
        "--kind",
        "schools",
        "--format",
        "csv",
        "--out",
        str(tmp_path),
    )
    (path,) = tmp_path.glob("truong_legacy-945_*.csv")
    latest = leader.get("/periods").json()[0]["period"]
    assert latest.replace("/", "_") in path.name
    rows = list(csv.DictReader(io.StringIO(path.read_bytes()[3:].decode("utf-8"))))
    page = leader.get(
        "/schools", params={"unit": "945", "period": latest, "scheme": "legacy", "size": 1000}
    ).json()
    assert len(rows) == page["total"]
    run_ioc(
        served,
        "export",
        "--unit",
        "945",
        "--period",
        latest,
        "--scheme",
        "legacy",
        "--kind",
        "schools",
        "--out",
        str(tmp_path),
    )
    (book,) = tmp_path.glob("truong_legacy-945_*.xlsx")
    reader = fastexcel.read_excel(book)
    schools = reader.load_sheet(reader.sheet_names[0], header_row=1).to_polars()
    assert schools.height == page["total"]
    values = dict(zip(schools["Mã trường"], schools["Sĩ số bình quân (HS/lớp)"], strict=True))
    for item in page["items"]:  # the default indicator of /schools: NET_CLASS_SIZE
        assert close(values[item["school_code"]], item["value"])


def test_national_workbook_adds_up_the_provinces(demo_settings: Settings, tmp_path: Path) -> None:
    run_ioc(
        demo_settings,
        "export",
        "--unit",
        "VN",
        "--period",
        PERIOD,
        "--scheme",
        "legacy",
        "--out",
        str(tmp_path),
    )
    (path,) = tmp_path.glob("bao-cao_legacy-VN_*.xlsx")
    country = sheet(path, "Chỉ tiêu")
    # the demo's provinces with returns: the three old provinces of 2025 Cần Thơ
    names = [n for n in fastexcel.read_excel(path).sheet_names if n[:3] in ("92 ", "93 ", "94 ")]
    assert len(names) == 3, names
    key = country.columns[0]
    counts = (
        "Tử số\nNumerator",
        "Mẫu số\nDenominator",
        "Số trường có số liệu\nSchools contributing",
    )
    provinces = pl.concat([sheet(path, n).select(key, *counts) for n in names])
    summed = provinces.group_by(key).agg(
        # a sum over the provinces that know it; unknown everywhere stays unknown
        pl.when(pl.col(c).is_not_null().any()).then(pl.col(c).sum()).alias(c)
        for c in counts
    )
    both = country.select(key, *counts).join(summed, on=key, suffix="_sum")
    assert both.height == country.height
    for c in counts:
        for row in both.select(c, f"{c}_sum").iter_rows():
            assert close(*row), (c, row)
    schools = sum(
        summary_totals(demo_settings, code, PERIOD, scheme="legacy")["schools"]
        for code in ("92", "93", "94")
    )
    assert sheet(path, "Danh sách trường").height == schools


def test_bad_requests_say_what_is_wrong(demo_settings: Settings, tmp_path: Path) -> None:
    bad_kind = run_ioc(
        demo_settings,
        "export",
        "--unit",
        "94",
        "--period",
        PERIOD,
        "--kind",
        "nope",
        "--out",
        str(tmp_path),
        check=False,
    )
    assert bad_kind.returncode == 2 and "unknown report kind" in bad_kind.stderr
    unknown = run_ioc(
        demo_settings,
        "export",
        "--unit",
        "99",
        "--period",
        PERIOD,
        "--out",
        str(tmp_path),
        check=False,
    )
    assert unknown.returncode == 2 and "does not exist" in unknown.stderr
    no_data = run_ioc(
        demo_settings,
        "export",
        "--unit",
        "94",
        "--period",
        "2010-2011/DN",
        "--out",
        str(tmp_path),
        check=False,
    )
    assert no_data.returncode == 2 and "no returns" in no_data.stderr
    assert list(tmp_path.iterdir()) == []
