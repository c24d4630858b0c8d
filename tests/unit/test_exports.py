"""Tests for ioc.exports.writer (and the list columns of ioc.exports.lists): files read back
with real readers (csv, polars, fastexcel), and the XLSX sheet XML inspected for formulas,
frozen panes, autofilter, widths, number formats."""

from __future__ import annotations

import csv
import datetime as dt
import io
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import fastexcel
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ioc.exports import writer as exports
from ioc.exports.cells import Column, column_widths, neutralise, neutralise_expr
from ioc.exports.lists import columns_for
from ioc.exports.rows import TRUNCATION_MARK, truncation_for
from ioc.exports.writer import (
    csv_chunks,
    open_workbook,
    unique_sheet_name,
    write_sheet,
    write_xlsx,
)

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
INJECTIONS = [
    '=HYPERLINK("http://x","y")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
    "=cmd|' /C calc'!A0",
    "\r=1",
]
COLUMNS = [
    Column("school", "Tên trường", "School", "text"),
    Column("students", "Số học sinh", "Students", "integer"),
    Column("ratio", "Học sinh/lớp", "Students per class", "decimal"),
    Column("rate", "Tỷ lệ đi học đúng độ tuổi (%)", "Enrolment rate (%)", "percent"),
    Column("received", "Ngày nhận", "Received", "date"),
]


def schools(n: int = 4) -> pl.DataFrame:
    names = ["Trường THCS Lê Quý Đôn", "Trường Mầm non Hoa Sen", "Trường TH Mỹ Xuyên 1", None]
    return pl.DataFrame(
        {
            "school": [names[i % 4] for i in range(n)],
            "students": [256347 - i if i % 4 != 3 else None for i in range(n)],
            "ratio": [-2.5 if i % 4 == 1 else 35.25 for i in range(n)],
            "rate": [87.5 if i % 4 != 2 else None for i in range(n)],
            "received": [dt.date(2024, 10, 28) + dt.timedelta(days=i % 7) for i in range(n)],
        }
    )


def csv_bytes(frames: exports.Source, columns: list[Column] = COLUMNS, **kw: object) -> bytes:
    kw.setdefault("limit", None)
    return b"".join(csv_chunks(frames, columns, **kw))  # type: ignore[arg-type]


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def xlsx_bytes(frames: exports.Source, columns: list[Column] = COLUMNS, **kw: object) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(frames, buffer, columns, **kw)  # type: ignore[arg-type]
    return buffer.getvalue()


def sheet_xml(data: bytes, n: int = 1) -> ET.Element:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return ET.fromstring(z.read(f"xl/worksheets/sheet{n}.xml"))


def cell_formats(data: bytes) -> dict[str, str]:
    """Cell reference -> number format code, from the sheet XML and styles.xml."""
    builtin = {0: "General", 3: "#,##0", 4: "#,##0.00"}
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        styles = ET.fromstring(z.read("xl/styles.xml"))
    codes = {
        int(f.get("numFmtId", "0")): f.get("formatCode", "")
        for f in styles.iterfind("m:numFmts/m:numFmt", NS)
    }
    xfs = [int(x.get("numFmtId", "0")) for x in styles.iterfind("m:cellXfs/m:xf", NS)]
    out = {}
    for c in sheet_xml(data).iterfind(".//m:c", NS):
        fmt_id = xfs[int(c.get("s", "0"))]
        out[c.get("r", "")] = codes.get(fmt_id, builtin.get(fmt_id, str(fmt_id)))
    return out


def read_xlsx(data: bytes, header_row: int = 0) -> pl.DataFrame:
    return pl.read_excel(
        data, read_options={"header_row": header_row}, drop_empty_rows=False, has_header=True
    )


# --------------------------------------------------------------------------- neutralise


@pytest.mark.parametrize("value", INJECTIONS)
def test_neutralise_dangerous(value: str) -> None:
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["Trường", "", "'=1", " =1", "a=b", "1-2", "#N/A", "Tổng"])
def test_neutralise_leaves_safe_text(value: str) -> None:
    assert neutralise(value) == value


@given(st.lists(st.one_of(st.none(), st.text(max_size=8)), max_size=30))
def test_neutralise_expr_matches_function(values: list[str | None]) -> None:
    frame = pl.DataFrame({"t": values}, schema={"t": pl.String})
    got = frame.select(neutralise_expr(pl.col("t")))["t"].to_list()
    assert got == [None if v is None else neutralise(v) for v in values]
    assert all(v is None or not v.startswith(("=", "+", "-", "@", "\t", "\r")) for v in got)


def test_column_labels() -> None:
    column = COLUMNS[0]
    assert [column.label(h) for h in ("vi", "en", "canonical")] == [
        "Tên trường",
        "School",
        "school",
    ]
    with pytest.raises(ValueError, match="headers"):
        column.label("fr")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="kind"):
        Column("x", "x", "x", "money")  # type: ignore[arg-type]


def test_truncation_for() -> None:
    assert truncation_for(253_000, 100_000) == exports.Truncation(100_000, 253_000)
    assert truncation_for(100_000, 100_000) is None
    assert truncation_for(5, None) is None
    notice = exports.Truncation(100_000, 253_000).notice
    assert notice.startswith(f"{TRUNCATION_MARK}: 100000 of 253000 rows")
    assert "ĐÃ CẮT BỚT" in notice and "phân trang" in notice


# --------------------------------------------------------------------------- CSV


def test_csv_bom_crlf_and_vietnamese_round_trip() -> None:
    frame = schools()
    data = csv_bytes(frame)
    assert data.startswith(b"\xef\xbb\xbf" + "Tên trường,Số học sinh".encode())
    assert data.count(b"\r\n") == frame.height + 1
    assert data.replace(b"\r\n", b"").count(b"\n") == 0
    rows = csv_rows(data)
    assert rows[0] == [c.vi for c in COLUMNS]
    assert [r[0] for r in rows[1:]] == [
        "Trường THCS Lê Quý Đôn",
        "Trường Mầm non Hoa Sen",
        "Trường TH Mỹ Xuyên 1",
        "",
    ]
    back = pl.read_csv(data, try_parse_dates=True)
    expected = frame.rename({c.name: c.vi for c in COLUMNS})
    assert back.columns == expected.columns
    assert back.equals(expected)


@pytest.mark.parametrize("headers", ["en", "canonical"])
def test_csv_headers(headers: exports.Headers) -> None:
    rows = csv_rows(csv_bytes(schools(1), headers=headers))
    assert rows[0] == [c.label(headers) for c in COLUMNS]


def test_csv_quotes_and_line_breaks_round_trip() -> None:
    texts = ['Trường "Hy Vọng", xã An Hiệp', "dòng 1\r\ndòng 2", "a\nb", "x\ry", ""]
    data = csv_bytes(pl.DataFrame({"t": texts}), [Column("t", "Ghi chú", "Note")])
    assert [r[0] for r in csv_rows(data)[1:]] == texts


def test_csv_formula_injection_neutralised() -> None:
    frame = pl.DataFrame({"t": INJECTIONS, "n": range(len(INJECTIONS))})
    columns = [Column("t", "Ghi chú", "Note"), Column("n", "Số", "Number", "integer")]
    got = [r[0] for r in csv_rows(csv_bytes(frame, columns))[1:]]
    assert got == ["'" + v for v in INJECTIONS]


def test_csv_header_neutralised() -> None:
    rows = csv_rows(csv_bytes(pl.DataFrame({"d": [1]}), [Column("d", "+/- so với năm trước", "x")]))
    assert rows[0] == ["'+/- so với năm trước"]


def test_csv_numbers_plain_negative_and_empty() -> None:
    frame = pl.DataFrame(
        {
            "i": [-2, 1_234_567, None, 0],
            "f": [-2.5, 0.0000001, float("nan"), float("inf")],
            "d": pl.Series([Decimal("-3"), Decimal("256347"), None, Decimal("0")]),
        }
    )
    columns = [
        Column("i", "Số nguyên", "Integer", "integer"),
        Column("f", "Số thập phân", "Decimal", "decimal"),
        Column("d", "Tổng", "Sum", "integer"),
    ]
    data = csv_bytes(frame, columns)
    assert csv_rows(data)[1:] == [
        ["-2", "-2.5", "-3"],
        ["1234567", "0.0000001", "256347"],
        ["", "", ""],
        ["0", "", "0"],
    ]
    back = pl.read_csv(data)
    assert back.dtypes == [pl.Int64, pl.Float64, pl.Int64]
    assert back.row(0) == (-2, -2.5, -3)


def test_csv_text_kind_keeps_codes_and_negative_text() -> None:
    frame = pl.DataFrame({"code": [94001, 94002], "note": ["-5", "5"]})
    columns = [Column("code", "Mã trường", "School code"), Column("note", "Ghi chú", "Note")]
    assert csv_rows(csv_bytes(frame, columns))[1:] == [["94001", "'-5"], ["94002", "5"]]


def test_csv_datetimes_in_vietnam_time() -> None:
    at = dt.datetime(2024, 10, 28, 13, 30, tzinfo=dt.UTC)
    frame = pl.DataFrame({"at": [at], "naive": [dt.datetime(2024, 1, 2, 3, 4, 5)]})
    columns = [Column("at", "Lúc", "At", "date"), Column("naive", "Lúc", "At", "date")]
    assert csv_rows(csv_bytes(frame, columns))[1] == ["2024-10-28 20:30:00", "2024-01-02 03:04:05"]


@pytest.mark.parametrize("n", [0, 1, 9, 10])
def test_csv_no_notice_when_nothing_cut(n: int) -> None:
    stream = csv_chunks(schools(n), COLUMNS, limit=10)
    rows = csv_rows(b"".join(stream))
    assert len(rows) == n + 1
    assert not any(r and r[0].startswith(TRUNCATION_MARK) for r in rows)
    assert stream.truncation is None and stream.rows == n


@pytest.mark.parametrize(("limit", "chunk_rows"), [(0, 3), (1, 3), (7, 3), (9, 3), (7, 100)])
def test_csv_truncation_notice_is_last_line(limit: int, chunk_rows: int) -> None:
    frames = [schools(5), schools(5), schools(3)]
    stream = csv_chunks(frames, COLUMNS, limit=limit, chunk_rows=chunk_rows)
    rows = csv_rows(b"".join(stream))
    assert len(rows) == 1 + limit + 1
    assert rows[-1][0] == exports.Truncation(limit, 13).notice
    assert rows[-1][1:] == [""] * (len(COLUMNS) - 1)
    assert sum(r[0].startswith(TRUNCATION_MARK) for r in rows) == 1
    assert stream.truncation == exports.Truncation(limit, 13)
    assert stream.rows == limit
    # the file still parses as a table: the notice is one row of the right width
    assert pl.read_csv(b"".join(csv_chunks(frames, COLUMNS, limit=limit))).height == limit + 1


def test_csv_truncation_known_before_streaming_when_total_given() -> None:
    pulled: list[int] = []

    def frames() -> Iterator[pl.DataFrame]:
        for i in range(100):
            pulled.append(i)
            yield schools(10)

    stream = csv_chunks(frames(), COLUMNS, limit=25, total=1000)
    assert stream.truncation == exports.Truncation(25, 1000)
    assert stream.truncation.http_headers()["X-Total-Count"] == "1000"
    rows = csv_rows(b"".join(stream))
    assert len(rows) == 27 and rows[-1][0].startswith(f"{TRUNCATION_MARK}: 25 of 1000 rows")
    assert len(pulled) == 3  # the rest of the source was not read to count it


def test_csv_sources_agree() -> None:
    frame = schools(23)
    expected = csv_bytes(frame)
    assert csv_bytes(frame.lazy(), chunk_rows=5) == expected
    assert csv_bytes([frame.head(10), frame.slice(10)], chunk_rows=4) == expected
    assert csv_bytes(iter([frame.head(0), frame])) == expected


def test_csv_missing_column_and_nested_type() -> None:
    with pytest.raises(KeyError, match="students"):
        csv_bytes(pl.DataFrame({"school": ["x"]}), COLUMNS[:2])
    with pytest.raises(TypeError, match="nested"):
        csv_bytes(pl.DataFrame({"l": [[1, 2]]}), [Column("l", "l", "l")])
    with pytest.raises(ValueError, match="at least one column"):
        csv_bytes(schools(), [])


def test_csv_streams_300k_rows_in_many_small_chunks() -> None:
    pulled = 0

    def frames() -> Iterator[pl.DataFrame]:
        nonlocal pulled
        for start in range(0, 300_000, 50_000):
            pulled += 1
            yield pl.DataFrame(
                {
                    "school": [f"Trường số {i}" for i in range(start, start + 50_000)],
                    "students": pl.int_range(start, start + 50_000, eager=True),
                    "ratio": [35.25] * 50_000,
                    "rate": [87.5] * 50_000,
                    "received": [dt.date(2024, 10, 28)] * 50_000,
                }
            )

    stream = csv_chunks(frames(), COLUMNS, limit=None)
    header, first = next(stream), next(stream)
    assert pulled == 1  # lazy: only the first source frame has been read so far
    assert header.startswith(b"\xef\xbb\xbf") and first.count(b"\r\n") == exports.CHUNK_ROWS
    chunks, lines, largest = 2, first.count(b"\r\n"), len(first)
    for chunk in stream:
        chunks += 1
        lines += chunk.count(b"\r\n")
        largest = max(largest, len(chunk))
    assert chunks >= 30  # header + one chunk per 10,000 rows
    assert largest < 2_000_000  # no chunk holds more than a slice of the file
    assert lines == 300_000
    assert stream.rows == 300_000 and stream.truncation is None


# --------------------------------------------------------------------------- XLSX


def test_xlsx_round_trip_vietnamese_numbers_dates() -> None:
    frame = schools(6)
    data = xlsx_bytes(frame)
    back = read_xlsx(data)
    assert back.columns == [c.vi for c in COLUMNS]
    assert back["Tên trường"].to_list() == frame["school"].to_list()
    assert back["Số học sinh"].to_list() == frame["students"].to_list()
    assert back["Học sinh/lớp"].to_list() == frame["ratio"].to_list()
    assert back["Tỷ lệ đi học đúng độ tuổi (%)"].to_list() == frame["rate"].to_list()
    assert back["Ngày nhận"].cast(pl.Date).to_list() == frame["received"].to_list()
    # negative numbers are numbers, None is no cell at all
    cells = {c.get("r"): c for c in sheet_xml(data).iterfind(".//m:c", NS)}
    assert cells["C3"].get("t") is None and cells["C3"].findtext("m:v", namespaces=NS) == "-2.5"
    assert "A5" not in cells and "B5" not in cells and "D4" not in cells


def test_xlsx_number_formats_by_kind() -> None:
    formats = cell_formats(xlsx_bytes(schools(2)))
    assert formats["B2"] == "#,##0"
    assert formats["C2"] == "#,##0.0"
    assert formats["D2"] == "0.0"
    assert formats["E2"] == "dd/mm/yyyy"
    assert formats["A2"] == "General"
    two = Column("r", "Tỷ lệ", "Rate", "percent", decimals=2)
    assert cell_formats(xlsx_bytes(pl.DataFrame({"r": [87.25]}), [two]))["A2"] == "0.00"


def test_xlsx_text_never_a_formula_and_neutralised() -> None:
    frame = pl.DataFrame({"t": INJECTIONS, "n": [-2, -1, 0, 1, 2, 3, -4]})
    columns = [Column("t", "Ghi chú", "Note"), Column("n", "Số", "Number", "integer")]
    data = xlsx_bytes(frame, columns)
    sheet = sheet_xml(data)
    assert sheet.find(".//m:f", NS) is None
    assert b"<f>" not in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    for c in sheet.iterfind(".//m:c", NS):
        assert c.get("t") in (None, "inlineStr", "s")  # never "str" (a formula's result)
    back = fastexcel.read_excel(data).load_sheet(0).to_polars()
    assert back["Ghi chú"].to_list() == ["'" + v for v in INJECTIONS]
    assert back["Số"].to_list() == [-2, -1, 0, 1, 2, 3, -4]
    assert back["Số"].dtype.is_numeric()


def test_xlsx_frozen_header_autofilter_widths() -> None:
    long = "Trường Phổ thông Dân tộc Nội trú Trung học cơ sở và Trung học phổ thông huyện"
    frame = schools(9).with_columns(pl.lit(long).alias("school"))
    sheet = sheet_xml(xlsx_bytes(frame))
    pane = sheet.find(".//m:sheetView/m:pane", NS)
    assert pane is not None
    assert (pane.get("state"), pane.get("ySplit"), pane.get("topLeftCell")) == ("frozen", "1", "A2")
    assert sheet.find("m:autoFilter", NS).get("ref") == "A1:E10"  # type: ignore[union-attr]
    widths = [float(c.get("width", "0")) for c in sheet.iterfind("m:cols/m:col", NS)]
    assert len(widths) == len(COLUMNS)
    assert 50 <= widths[0] <= 51  # capped
    assert all(8 <= w <= 51 for w in widths)
    assert widths[1] >= len("Số học sinh")


def test_xlsx_title_row_and_headers() -> None:
    data = xlsx_bytes(schools(3), headers="en", title="Danh sách trường — Sóc Trăng 2024-2025")
    sheet = sheet_xml(data)
    assert sheet.find(".//m:pane", NS).get("ySplit") == "2"  # type: ignore[union-attr]
    assert sheet.find("m:autoFilter", NS).get("ref") == "A2:E5"  # type: ignore[union-attr]
    raw = fastexcel.read_excel(data).load_sheet(0, header_row=None).to_polars()
    assert raw.row(0)[0] == "Danh sách trường — Sóc Trăng 2024-2025"
    assert list(raw.row(1)) == [c.en for c in COLUMNS]
    assert read_xlsx(data, header_row=1).height == 3


@pytest.mark.parametrize("n", [0, 3, 10])
def test_xlsx_no_notice_when_nothing_cut(n: int) -> None:
    buffer = io.BytesIO()
    result = write_xlsx(schools(n), buffer, COLUMNS, limit=10)
    raw = fastexcel.read_excel(buffer.getvalue()).load_sheet(0, header_row=None).to_polars()
    assert result == exports.ExportResult(n, None)
    assert not any(str(v).startswith(TRUNCATION_MARK) for v in raw[:, 0].to_list())
    ref = sheet_xml(buffer.getvalue()).find("m:autoFilter", NS).get("ref")  # type: ignore[union-attr]
    assert ref == f"A1:E{max(n + 1, 1)}"


@pytest.mark.parametrize("limit", [0, 1, 6])
def test_xlsx_truncation_notice_is_last_row(limit: int, tmp_path: Path) -> None:
    path = tmp_path / "truncated.xlsx"
    frame = schools(12).with_columns(pl.col("school").fill_null("Trường mới"))
    result = write_xlsx([frame.head(5), frame.slice(5)], path, COLUMNS, limit=limit, title="T")
    assert result.truncation == exports.Truncation(limit, 12) and result.rows == limit
    back = read_xlsx(path.read_bytes(), header_row=1)
    assert back.height == limit + 1
    assert back[-1, 0] == exports.Truncation(limit, 12).notice
    assert back[:limit, 0].to_list() == frame["school"].head(limit).to_list()
    ref = sheet_xml(path.read_bytes()).find("m:autoFilter", NS).get("ref")  # type: ignore[union-attr]
    assert ref == f"A2:E{limit + 2}"  # the filter covers the data, not the notice


def test_xlsx_sheet_capacity_is_never_a_silent_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(exports, "EXCEL_MAX_ROWS", 10)
    buffer = io.BytesIO()
    frame = schools(20).with_columns(pl.col("school").fill_null("x"))
    result = write_xlsx(frame, buffer, COLUMNS)
    assert result.truncation == exports.Truncation(8, 20)
    back = read_xlsx(buffer.getvalue())
    assert back.height == 9 and back[-1, 0].startswith(f"{TRUNCATION_MARK}: 8 of 20 rows")


def test_xlsx_matches_csv_of_the_same_frames() -> None:
    frame = schools(40)
    from_csv = pl.read_csv(csv_bytes(frame), try_parse_dates=True)
    from_xlsx = read_xlsx(xlsx_bytes(frame)).with_columns(pl.col("Ngày nhận").cast(pl.Date))
    assert from_xlsx.equals(from_csv)


def test_workbook_with_several_sheets(tmp_path: Path) -> None:
    path = tmp_path / "report.xlsx"
    workbook = open_workbook(path)
    first = write_sheet(workbook, schools(3), COLUMNS, sheet_name="Huyện Mỹ Xuyên")
    second = write_sheet(workbook, schools(5), COLUMNS, "canonical", sheet_name="Kế/hoạch [2025]")
    workbook.close()
    assert (first.rows, second.rows) == (3, 5)
    reader = fastexcel.read_excel(path)
    assert reader.sheet_names == ["Huyện Mỹ Xuyên", "Kế-hoạch -2025-"]
    assert reader.load_sheet(1).to_polars().columns == [c.name for c in COLUMNS]
    assert exports.sheet_name_for("x" * 40) == "x" * 31


@pytest.mark.parametrize("limit", [None, 0, 3])
def test_xlsx_bulk_and_streamed_sheets_are_the_same_cells(
    limit: int | None, tmp_path: Path
) -> None:
    """The two ways rows reach a sheet (xlsxwriter cell by cell, XML spliced in) give the
    same values, number formats, filter range and truncation notice."""
    frame = schools(6).with_columns(pl.col("school").fill_null("=1+1"))
    files = {}
    for bulk in (False, True):
        path = tmp_path / f"bulk-{bulk}.xlsx"
        result = write_xlsx(frame, path, COLUMNS, title="T", limit=limit, bulk=bulk)
        assert result == exports.ExportResult(
            6 if limit is None else limit, truncation_for(6, limit)
        )
        files[bulk] = path.read_bytes()
    streamed, bulk_made = files[False], files[True]
    assert read_xlsx(bulk_made, header_row=1).equals(read_xlsx(streamed, header_row=1))
    assert cell_formats(bulk_made) == cell_formats(streamed)
    refs = [sheet_xml(d).find("m:autoFilter", NS).get("ref") for d in files.values()]  # type: ignore[union-attr]
    assert refs[0] == refs[1]
    widths = [
        [c.get("width") for c in sheet_xml(d).iterfind("m:cols/m:col", NS)] for d in files.values()
    ]
    assert widths[0] == widths[1]


def test_xlsx_bulk_sheet_needs_a_file_and_a_frame() -> None:
    with pytest.raises(TypeError, match="path"):
        write_xlsx(schools(2), io.BytesIO(), COLUMNS, bulk=True)
    with pytest.raises(TypeError, match="DataFrame"):
        write_xlsx(schools(2).lazy(), io.BytesIO(), COLUMNS, bulk=True)


def test_widths_fit_numbers_as_shown_and_the_longest_line() -> None:
    sample = pl.DataFrame(
        {
            "n": [-1_234_567, 5],
            "x": [0.5, float("nan")],
            "t": ["ngắn\nmột dòng rất là dài ở đây", None],
            "d": [dt.date(2024, 1, 1), None],
        }
    )
    labels = ["Số", "Tỷ lệ", "Ghi chú", "Tiêu đề dài\nEnglish"]
    # "-1,234,567.0" (12 + 1), the label (5 + 3) over "0.5", the longest line (25 + 1),
    # the label's longest line (11 + 3) over a date (10 + 1)
    assert column_widths(labels, sample) == [13, 8, 26, 14]
    assert column_widths(["x" * 80], None) == [50]


def test_unique_sheet_names() -> None:
    taken: set[str] = set()
    names = [unique_sheet_name(n, taken) for n in ("Bìa", "bìa", "a" * 40, "a" * 31)]
    assert names == ["Bìa", "bìa (2)", "a" * 31, "a" * 27 + " (2)"]


# --------------------------------------------------------------------------- columns_for


def test_columns_for_labels_and_kinds() -> None:
    frame = pl.DataFrame(
        {
            "school_code": ["94001"],
            "province_code": [94],
            "students": [256347],
            "total": pl.Series([Decimal("12")], dtype=pl.Decimal(38, 0)),
            "completeness_pct": [87.5],
            "value": [35.2],
            "received_at": [dt.date(2024, 10, 28)],
            "national_standard": [True],
            "mystery": ["x"],
        }
    )
    columns = {c.name: c for c in columns_for(frame.lazy())}
    assert list(columns) == frame.columns
    assert (columns["students"].vi, columns["students"].en) == ("Số học sinh", "Pupils")
    assert columns["completeness_pct"].vi == "Tỷ lệ đầy đủ (%)"
    assert (columns["mystery"].vi, columns["mystery"].en) == ("mystery", "mystery")
    kinds = {name: c.kind for name, c in columns.items()}
    assert kinds == {
        "school_code": "text",
        "province_code": "text",
        "students": "integer",
        "total": "integer",
        "completeness_pct": "percent",
        "value": "decimal",
        "received_at": "date",
        "national_standard": "text",
        "mystery": "text",
    }
    custom = columns_for(frame, {"mystery": ("Bí ẩn", "Mystery")})
    assert custom[-1].label("vi") == "Bí ẩn"
    rows = csv_rows(csv_bytes(frame, columns_for(frame)))
    assert rows[1] == ["94001", "94", "256347", "12", "87.5", "35.2", "2024-10-28", "true", "x"]
