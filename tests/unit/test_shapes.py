"""Tests for ingest.demo.shapes: each shape written to disk and read back independently.

CSV files are read with the csv module, workbooks with a small stdlib reader (zipfile +
ElementTree over the sheet XML), so these tests check the writer, not the project's reader.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET

import polars as pl
import pytest

from ingest.demo.shapes import header_labels, mangle_headers, write_csv, write_xlsx
from ioc.catalog import load_contract, normalize_label

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
COLUMNS = [
    "school_code", "school_name", "level", "ownership", "district_code", "latitude",
    "classes", "students", "students_female", "teachers", "internet", "site_area_m2",
]  # fmt: skip


def frame(rows: int = 3) -> pl.DataFrame:
    data = {
        "school_code": [f"9441{i:04d}" for i in range(rows)],
        "school_name": [f"Trường Tiểu học Đại Hải {i}, Kế Sách" for i in range(rows)],
        "level": ["TH"] * rows,
        "ownership": ["cong_lap"] * rows,
        "district_code": ["943"] * rows,
        "latitude": [9.602 if i == 0 else 9.6 + i / 1000 + 0.0001 for i in range(rows)],
        "classes": [40 + i for i in range(rows)],
        "students": [1234 + i for i in range(rows)],
        "students_female": [None if i == 1 else 600 for i in range(rows)],
        "teachers": [58] * rows,
        "internet": [i % 2 == 0 for i in range(rows)],
        "site_area_m2": [2500.0] * rows,
    }
    return pl.DataFrame(data).select(COLUMNS)


def vi(name: str) -> str:
    return load_contract().field(name).vi


# ---------------------------------------------------------------------------------------------
# CSV


def read_csv(path: Path, encoding: str, delimiter: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode(encoding)), delimiter=delimiter))


def test_csv_utf8_with_bom_has_vietnamese_labels_and_enum_labels(tmp_path: Path) -> None:
    path = write_csv(frame(), tmp_path / "a.csv")
    assert path.read_bytes().startswith(codecs.BOM_UTF8)
    rows = read_csv(path, "utf-8-sig", ",")
    assert rows[0] == [vi(c) for c in COLUMNS]
    first = dict(zip(COLUMNS, rows[1], strict=True))
    assert first["level"] == "Tiểu học"
    assert first["ownership"] == "Công lập"
    assert first["school_name"] == "Trường Tiểu học Đại Hải 0, Kế Sách"  # quoted comma
    assert first["students"] == "1234"
    assert first["internet"] == "x"
    second = dict(zip(COLUMNS, rows[2], strict=True))
    assert second["students_female"] == ""  # None -> empty cell
    assert second["internet"] == ""


def test_csv_utf16_tab_with_dot_thousands_and_co_khong(tmp_path: Path) -> None:
    path = write_csv(
        frame(), tmp_path / "b.csv", encoding="utf-16", delimiter="\t", thousands=".",
        flags="co_khong",
    )  # fmt: skip
    raw = path.read_bytes()
    assert raw.startswith(codecs.BOM_UTF16_LE)
    assert "\t" in raw.decode("utf-16")
    rows = read_csv(path, "utf-16", "\t")
    first = dict(zip(COLUMNS, rows[1], strict=True))
    second = dict(zip(COLUMNS, rows[2], strict=True))
    assert (first["students"], first["classes"]) == ("1.234", "40")
    assert (first["internet"], second["internet"]) == ("có", "không")
    assert first["latitude"] == "9,6020"  # decimal comma, never three decimals
    assert first["site_area_m2"] == "2.500"


def test_csv_comma_thousands_are_quoted_when_they_clash_with_the_delimiter(tmp_path: Path) -> None:
    path = write_csv(
        frame(), tmp_path / "c.csv", encoding="utf-8", thousands=",", headers="canonical",
        flags="01",
    )  # fmt: skip
    raw = path.read_bytes()
    assert not raw.startswith(codecs.BOM_UTF8)
    assert b'"1,234"' in raw
    rows = read_csv(path, "utf-8", ",")
    assert rows[0] == COLUMNS
    first = dict(zip(COLUMNS, rows[1], strict=True))
    assert (first["students"], first["level"], first["ownership"]) == ("1,234", "TH", "cong_lap")
    assert (first["internet"], rows[2][COLUMNS.index("internet")]) == ("1", "0")
    assert first["latitude"] == "9.6020"


def test_csv_semicolon(tmp_path: Path) -> None:
    path = write_csv(frame(), tmp_path / "d.csv", delimiter=";", thousands=".")
    rows = read_csv(path, "utf-8-sig", ";")
    assert len(rows) == 4
    assert all(len(r) == len(COLUMNS) for r in rows)
    assert rows[1][COLUMNS.index("students")] == "1.234"


# ---------------------------------------------------------------------------------------------
# XLSX, read back with a stdlib reader


@dataclass
class Sheet:
    cells: dict[tuple[int, int], str | float]  # (row, col), 1-based
    merged: set[str]

    def row(self, r: int, width: int) -> list[str | float | None]:
        return [self.cells.get((r, c)) for c in range(1, width + 1)]

    def is_blank(self, r: int) -> bool:
        return not any(k[0] == r for k in self.cells)


def col_letter(col: int) -> str:
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _ref(ref: str) -> tuple[int, int]:
    match = re.fullmatch(r"([A-Z]+)(\d+)", ref)
    assert match
    col = 0
    for ch in match[1]:
        col = col * 26 + ord(ch) - 64
    return int(match[2]), col


def _cell_value(cell: ET.Element, shared: list[str]) -> str | float | None:
    kind = cell.get("t")
    if kind == "inlineStr":
        return "".join(t.text or "" for t in cell.iter(f"{MAIN}t"))
    value = cell.find(f"{MAIN}v")
    if value is None or value.text is None:
        return None
    if kind == "s":
        return shared[int(value.text)]
    return value.text if kind == "str" else float(value.text)


def read_xlsx(path: Path) -> dict[str, Sheet]:
    sheets = {}
    with zipfile.ZipFile(path) as z:
        workbook = ET.fromstring(z.read("xl/workbook.xml"))
        rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target", "") for r in rels}
        shared: list[str] = []
        if "xl/sharedStrings.xml" in z.namelist():
            root = ET.fromstring(z.read("xl/sharedStrings.xml"))
            shared = ["".join(t.text or "" for t in si.iter(f"{MAIN}t")) for si in root]
        for sheet in workbook.iter(f"{MAIN}sheet"):
            target = targets[sheet.get(f"{REL}id")].lstrip("/")
            xml = ET.fromstring(z.read(target if target.startswith("xl/") else f"xl/{target}"))
            cells = {}
            for cell in xml.iter(f"{MAIN}c"):
                value = _cell_value(cell, shared)
                if value is not None:
                    cells[_ref(cell.get("r", ""))] = value
            merged = {m.get("ref", "") for m in xml.iter(f"{MAIN}mergeCell")}
            sheets[sheet.get("name", "")] = Sheet(cells, merged)
    return sheets


TITLES = ("SỞ GIÁO DỤC VÀ ĐÀO TẠO TỈNH SÓC TRĂNG", "BÁO CÁO THỐNG KÊ ĐẦU NĂM HỌC 2021-2022")


@pytest.fixture
def decorated(tmp_path: Path) -> dict[str, Sheet]:
    path = write_xlsx(
        {"Tiểu học": frame(45), "THCS": frame(2)}, tmp_path / "e.xlsx",
        title_rows=TITLES, numbers_as_text=".", total_row_delta=7,
    )  # fmt: skip
    return read_xlsx(path)


def test_xlsx_title_rows_merged_across_the_table(decorated: dict[str, Sheet]) -> None:
    assert list(decorated) == ["Tiểu học", "THCS"]
    sheet = decorated["Tiểu học"]
    last = col_letter(len(COLUMNS))
    assert (sheet.cells[(1, 1)], sheet.cells[(2, 1)]) == TITLES
    assert {f"A1:{last}1", f"A2:{last}2"} <= sheet.merged
    assert sheet.is_blank(3)


def test_xlsx_group_header_merges(decorated: dict[str, Sheet]) -> None:
    sheet = decorated["Tiểu học"]
    groups = load_contract().groups
    identity = [c for c in COLUMNS if load_contract().field(c).group == "identity"]
    for i, name in enumerate(identity, start=1):  # identity columns span both header rows
        assert sheet.cells[(4, i)] == vi(name)
        assert f"{col_letter(i)}4:{col_letter(i)}5" in sheet.merged
    network = [i for i, c in enumerate(COLUMNS, 1) if load_contract().field(c).group == "network"]
    assert sheet.cells[(4, network[0])] == groups["network"].vi
    assert f"{col_letter(network[0])}4:{col_letter(network[-1])}4" in sheet.merged
    assert [sheet.cells[(5, i)] for i in network] == [vi(COLUMNS[i - 1]) for i in network]
    teachers = COLUMNS.index("teachers") + 1  # a one-column group: no merge, label above
    assert sheet.cells[(4, teachers)] == groups["staff"].vi
    assert not any(m.startswith(f"{col_letter(teachers)}4:") for m in sheet.merged)


def test_xlsx_unit_row(decorated: dict[str, Sheet]) -> None:
    units = dict(zip(COLUMNS, decorated["Tiểu học"].row(6, len(COLUMNS)), strict=True))
    assert units["school_name"] == "ĐVT"
    assert (units["classes"], units["teachers"], units["site_area_m2"]) == ("lớp", "người", "m²")
    assert units["school_code"] is None


def test_xlsx_spacer_rows_and_text_numbers(decorated: dict[str, Sheet]) -> None:
    sheet = decorated["Tiểu học"]
    data_rows = [r for r in range(7, 54) if not sheet.is_blank(r)]
    assert [r for r in range(7, 53) if sheet.is_blank(r)] == [27, 48]  # after rows 20 and 40
    assert len(data_rows) == 45
    first = dict(zip(COLUMNS, sheet.row(7, len(COLUMNS)), strict=True))
    assert (first["students"], first["classes"]) == ("1.234", "40")  # text, '.' thousands
    assert first["latitude"] == pytest.approx(9.602)  # decimals stay numbers
    assert first["level"] == "Tiểu học"


def test_xlsx_total_row_sums_counts_plus_planted_delta(decorated: dict[str, Sheet]) -> None:
    sheet = decorated["Tiểu học"]
    total = dict(zip(COLUMNS, sheet.row(54, len(COLUMNS)), strict=True))
    df = frame(45)
    assert total["school_name"] == "Tổng cộng"
    assert total["classes"] == f"{int(df['classes'].sum()) + 7:,}".replace(",", ".")  # delta
    assert total["students"] == f"{int(df['students'].sum()):,}".replace(",", ".")
    assert total["students_female"] == f"{600 * 44:,}".replace(",", ".")  # blanks count as 0
    assert total["latitude"] is None
    small = decorated["THCS"]
    assert small.cells[(9, COLUMNS.index("school_name") + 1)] == "Tổng cộng"  # 2 rows, no spacer


def test_xlsx_plain_layout_with_numbers(tmp_path: Path) -> None:
    path = write_xlsx(
        {"S": frame(25)}, tmp_path / "f.xlsx", group_header=False, unit_row=False,
        spacer_rows=False, total_row=False, headers="canonical",
    )  # fmt: skip
    sheet = read_xlsx(path)["S"]
    assert sheet.row(1, len(COLUMNS)) == COLUMNS
    assert not sheet.merged
    first = dict(zip(COLUMNS, sheet.row(2, len(COLUMNS)), strict=True))
    assert (first["students"], first["level"], first["internet"]) == (1234.0, "TH", "x")
    assert all(not sheet.is_blank(r) for r in range(2, 27))
    assert sheet.is_blank(27)


def test_xlsx_header_line_breaks(tmp_path: Path) -> None:
    path = write_xlsx({"S": frame()}, tmp_path / "g.xlsx", header_line_breaks=True)
    sheet = read_xlsx(path)["S"]
    # identity labels sit in the first header row, the others in the second
    labels = [sheet.cells.get((2, i)) or sheet.cells[(1, i)] for i in range(1, len(COLUMNS) + 1)]
    wrapped = [str(label) for label in labels if "\n" in str(label)]
    assert wrapped, "long labels are wrapped"
    assert all(len(str(label)) <= 18 for label in labels if "\n" not in str(label))
    index = load_contract().header_index()
    assert [index[normalize_label(str(label))] for label in labels] == COLUMNS


# ---------------------------------------------------------------------------------------------
# Header helpers


def test_mixed_headers_still_name_every_field() -> None:
    labels = header_labels(COLUMNS, "mixed")
    assert any(label in COLUMNS for label in labels)  # some canonical
    assert any(label.isupper() for label in labels)  # some shouted
    assert any("  " in label for label in labels)  # some with odd spacing
    index = load_contract().header_index()
    assert [index[normalize_label(label)] for label in labels] == COLUMNS


def test_unknown_columns_pass_through(tmp_path: Path) -> None:
    df = frame().with_columns(pl.lit("ghi chú").alias("Ghi chú"))
    rows = read_csv(write_csv(df, tmp_path / "h.csv"), "utf-8-sig", ",")
    assert rows[0][-1] == "Ghi chú"
    assert rows[1][-1] == "ghi chú"


def test_mangle_headers_is_a_seeded_permutation() -> None:
    df = frame()
    shuffled = mangle_headers(df, 7)
    assert sorted(shuffled.columns) == sorted(df.columns)
    assert shuffled.columns != df.columns
    assert mangle_headers(df, 7).columns == shuffled.columns
    assert shuffled.select(df.columns).equals(df)
