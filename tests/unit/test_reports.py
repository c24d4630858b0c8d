"""Report building blocks without a snapshot: cron, period rules, schedule checks, file
names and retention, the definitions sheet, and large sheets spliced into a workbook."""

from __future__ import annotations

import os
import time
from datetime import UTC, date, datetime
from pathlib import Path

import fastexcel
import polars as pl
import pytest
import xlsxwriter
from pydantic import ValidationError

from ioc.catalog.definitions import load_catalog
from ioc.config import Settings
from ioc.exports import sheet_xml
from ioc.exports.cells import Column, text_lines
from ioc.exports.writer import REPORT, open_workbook, write_sheet
from ioc.reports.cover import Issuer, issuer_for
from ioc.reports.cron import latest_due, next_after, trigger_for
from ioc.reports.definitions import definitions_frame, formula
from ioc.reports.files import file_name, prune
from ioc.reports.labels import place_date
from ioc.reports.periods import check_rule
from ioc.reports.print_setup import PRINTABLE_WIDTH_IN, column_blocks, width_inches
from ioc.reports.produce import ReportRequest
from ioc.reports.spec import ScheduleSpec
from tests.xlsx_xml import NS, Book, text

HANOI = "Asia/Ho_Chi_Minh"


def spec(**changes: object) -> ScheduleSpec:
    values: dict[str, object] = {
        "name": "Báo cáo tháng",
        "cron": "0 7 1 * *",
        "scheme": "legacy",
        "units": ["94"],
    }
    return ScheduleSpec.model_validate(values | changes)


def test_cron_five_and_six_fields_in_vietnam_time() -> None:
    monthly = trigger_for("0 7 1 * *", HANOI)
    after = datetime(2026, 1, 15, tzinfo=UTC)
    assert next_after(monthly, after) == datetime(2026, 2, 1, 0, 0, tzinfo=UTC)  # 07:00 +07
    every_two = trigger_for("*/2 * * * * *", HANOI)
    start = datetime(2026, 1, 1, 0, 0, 1, tzinfo=UTC)
    assert next_after(every_two, start) == datetime(2026, 1, 1, 0, 0, 2, tzinfo=UTC)
    for bad in ("0 7 1 *", "61 * * * *", "0 7 32 * *", "a b c d e"):
        with pytest.raises(ValueError, match="cron expression"):
            trigger_for(bad, HANOI)


def test_latest_due_is_the_last_fire_time_not_after_now() -> None:
    daily = trigger_for("0 7 * * *", HANOI)
    since = datetime(2026, 3, 1, 0, 0, tzinfo=UTC)  # 07:00 local on 1 March
    now = datetime(2026, 3, 4, 1, 0, tzinfo=UTC)
    assert latest_due(daily, since, now) == datetime(2026, 3, 4, 0, 0, tzinfo=UTC)
    assert latest_due(daily, now, now) is None


def test_period_rules() -> None:
    assert check_rule(" Latest ") == "latest"
    assert check_rule("previous") == "previous"
    assert check_rule("2024-2025/dn") == "2024-2025/DN"
    for bad in ("last", "2024-2026/DN", "2024-2025"):
        with pytest.raises(ValueError):
            check_rule(bad)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("cron", "0 25 * * *"),
        ("kind", "pdf"),
        ("period", "tomorrow"),
        ("units", ["9"]),
        ("units", []),
        ("formats", ["docx"]),
        ("folder", "../etc"),
        ("folder", "/abs/path"),
        ("folder", "a/../../b"),
        ("email_to", ["not-an-address"]),
        ("scheme", "1990"),
    ],
)
def test_schedule_spec_errors_name_their_field(field: str, value: object) -> None:
    with pytest.raises(ValidationError) as caught:
        spec(**{field: value})
    assert {e["loc"][0] for e in caught.value.errors()} == {field}


def test_schedule_spec_normalises() -> None:
    given = spec(
        cron=" 0  7 1 * * ",
        units=["94", "945", "94"],
        period="2024-2025/cn",
        formats=["xlsx", "csv", "xlsx"],
        folder="thang/94",
        email_to=[" so@example.vn "],
    )
    assert given.cron == "0 7 1 * *"
    assert given.units == ["94", "945"]
    assert given.period == "2024-2025/CN"
    assert given.formats == ["xlsx", "csv"]
    assert given.store_values()["email_to"] == ["so@example.vn"]


def test_file_names_carry_unit_period_and_time() -> None:
    at = datetime(2026, 1, 4, 23, 30, 5, tzinfo=UTC)  # 06:30:05 on 5 Jan in Vietnam
    name = file_name("bao-cao", "legacy", "94", "2024-2025", "DN", at, "xlsx")
    assert name == "bao-cao_legacy-94_2024-2025_DN_20260105-063005.xlsx"


def test_retention_deletes_only_old_report_files(tmp_path: Path) -> None:
    old, new, other = tmp_path / "a" / "old.xlsx", tmp_path / "new.csv", tmp_path / "old.txt"
    old.parent.mkdir()
    for path in (old, new, other):
        path.write_text("x")
    long_ago = time.time() - 91 * 86_400
    os.utime(old, (long_ago, long_ago))
    os.utime(other, (long_ago, long_ago))
    assert prune(tmp_path, 0) == []
    assert prune(tmp_path, 90) == [old]
    assert not old.exists() and new.exists() and other.exists()
    assert not old.parent.exists()  # the run folder it left empty


def test_definitions_cover_every_indicator_with_formula_norm_and_source() -> None:
    rows = definitions_frame("2024-2025", "DN")
    catalog = load_catalog()
    assert rows["indicator_id"].to_list() == [i.id for i in catalog.indicators]
    by_id = {r["indicator_id"]: r for r in rows.iter_rows(named=True)}
    ratio = by_id["STF_TEACHERS_PER_CLASS"]
    assert ratio["formula_vi"] == "Σ Giáo viên / Σ Số lớp"
    assert "TT 20/2023/TT-BGDĐT" in ratio["legal_source"]
    assert "TT 16/2017" not in ratio["legal_source"]  # replaced on 16 Dec 2023
    older = definitions_frame("2020-2021", "DN").filter(
        pl.col("indicator_id") == "STF_TEACHERS_PER_CLASS"
    )
    assert "TT 16/2017/TT-BGDĐT" in older["legal_source"][0]
    for ind in catalog.indicators:
        assert all(formula(ind)), ind.id
        row = by_id[ind.id]
        assert bool(row["norm"]) == bool(ind.norm) == bool(row["legal_source"]), ind.id


def test_bulk_sheet_cells_read_back_and_text_is_neutralised(tmp_path: Path) -> None:
    frame = pl.DataFrame(
        {
            "name": ['=HYPERLINK("x")', "A & B <c>", "tab\x01ctl", None, "  spaced "],
            "count": [1, None, 256347, 0, -3],
            "share": [87.5, 1e-7, None, float("nan"), 100.0],
        }
    )
    columns = [
        Column("name", "Tên\nName", "Name"),
        Column("count", "Số\nCount", "Count", "integer"),
        Column("share", "Tỷ lệ\nShare", "Share", "percent"),
    ]
    path = tmp_path / "bulk.xlsx"
    book = open_workbook(path)
    write_sheet(book, frame, columns, sheet_name="Trường", title="Tiêu đề", style=REPORT, bulk=True)
    book.close()
    read = fastexcel.read_excel(path).load_sheet("Trường", header_row=1).to_polars()
    assert read.columns == ["Tên\nName", "Số\nCount", "Tỷ lệ\nShare"]
    assert read["Tên\nName"].to_list() == [
        '\'=HYPERLINK("x")',
        "A & B <c>",
        "tabctl",
        None,
        "  spaced ",
    ]
    assert read["Số\nCount"].to_list() == [1, None, 256347, 0, -3]
    assert read["Tỷ lệ\nShare"].to_list() == [87.5, 1e-7, None, None, 100.0]
    xml = Book(path)
    sheet = xml.sheet("Trường")
    assert sheet.find("m:dimension", NS).get("ref") == "A1:C7"  # type: ignore[union-attr]
    assert sheet.find("m:autoFilter", NS).get("ref") == "A2:C7"  # type: ignore[union-attr]
    pane = sheet.find(".//m:pane", NS)
    assert pane is not None and pane.get("ySplit") == "2" and pane.get("state") == "frozen"
    cells = xml.cells("Trường")
    assert text(cells["A1"]) == "Tiêu đề"
    assert xml.format_of(cells["B5"]) == "#,##0"
    assert xml.format_of(cells["C3"]) == "0.0"


def test_sheet_xml_cells_are_the_ones_xlsxwriter_writes(tmp_path: Path) -> None:
    texts = ["plain", " lead", "trail ", "a\nb", "A & B <c> \"q\"", "ctl\x01\x1f", "_x0041_ lit",
             "nc\ufffe\uffff", "", "Tỉnh Sóc Trăng — 2025"]  # fmt: skip
    numbers = [0.0, -0.0, 100.0, 1 / 3, 1e-20, 123456789012345678.0, -3.5, 2**53 + 1.0]
    path = tmp_path / "cells.xlsx"
    book = open_workbook(path)
    ws = book.add_worksheet("S")
    style = book.add_format({"bold": True})
    made = []
    for row, (value, number) in enumerate(zip(texts, [*numbers, 1.0, 2.0], strict=True)):
        ws.write_string(row, 0, value, style)
        ws.write_number(row, 1, number, style)
        index = style._get_xf_index()
        cells = [
            sheet_xml.string_cell(f"A{row + 1}", index, value),
            sheet_xml.number_cell(f"B{row + 1}", index, number),
        ]
        made.append(sheet_xml.row_xml(row, cells))
    book.close()
    written = Book(path).zip.read(Book(path).sheets["S"]).decode()
    assert "".join(made) in written
    assert sheet_xml.row_xml(3, []) == ""


def test_pdf_is_a_format_of_the_standard_report_only() -> None:
    assert spec(formats=["pdf", "xlsx"]).formats == ["pdf", "xlsx"]
    with pytest.raises(ValidationError) as caught:
        spec(kind="schools", formats=["pdf"])
    assert {e["loc"][0] for e in caught.value.errors()} == {"formats"}
    with pytest.raises(ValueError, match="standard report only"):
        ReportRequest("94", "latest", kind="chase", formats=("pdf",)).checked()


def test_date_line_and_issuer_follow_the_administrative_conventions() -> None:
    assert place_date("Cần Thơ", date(2026, 2, 4)) == "Cần Thơ, ngày 04 tháng 02 năm 2026"
    assert place_date("Cần Thơ", date(2026, 3, 15)) == "Cần Thơ, ngày 15 tháng 3 năm 2026"
    assert place_date("Cần Thơ", date(2026, 12, 1)) == "Cần Thơ, ngày 01 tháng 12 năm 2026"
    plain = Settings()
    assert issuer_for(plain, "Thành phố Cần Thơ") == Issuer(
        "UBND THÀNH PHỐ CẦN THƠ", "SỞ GIÁO DỤC VÀ ĐÀO TẠO", "Cần Thơ"
    )
    assert issuer_for(plain, None) == Issuer("", "BỘ GIÁO DỤC VÀ ĐÀO TẠO", "Hà Nội")
    own = Settings(issuer_parent="", issuer_name="SỞ GD&ĐT HẬU GIANG", issuer_place="Vị Thanh")
    assert issuer_for(own, "Tỉnh Hậu Giang") == Issuer("", "SỞ GD&ĐT HẬU GIANG", "Vị Thanh")


def test_wide_sheets_print_in_blocks_at_one_scale(tmp_path: Path) -> None:
    book = xlsxwriter.Workbook(tmp_path / "wide.xlsx")
    ws = book.add_worksheet()
    widths = [12, 40, *[16] * 30]
    scale = column_blocks(ws, widths, [2, 12, 22], repeat_columns=2)
    book.close()
    widest = sum(width_inches(w) for w in widths[:2]) + 10 * width_inches(16)
    assert scale == int(100 * PRINTABLE_WIDTH_IN / widest)
    assert text_lines("Tỷ lệ giáo viên đạt chuẩn\nQualified", 10) == 4
