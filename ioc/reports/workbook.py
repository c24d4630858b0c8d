"""The Department's standard workbook (XLSX).

Sheets: cover (the issuer's heading, place and date, title, unit, period, generated at, data
as-of, filters, completeness, the signature block), the unit's indicators with status
colours, reporting progress by child unit, one sheet per child unit, the school list with
every indicator, the exam results (:mod:`ioc.reports.exam_sheet`) and the definitions of
every indicator. Headers in Vietnamese over English, frozen; data under an autofilter, number
formats by indicator; A4 landscape (:mod:`ioc.reports.print_setup`); :mod:`ioc.exports.writer`."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from ioc.catalog.definitions import load_catalog
from ioc.config import display_zone
from ioc.domain.formats import as_local, local_datetime, vn_count, zone_label
from ioc.domain.period import Period
from ioc.domain.units import Unit
from ioc.exports import sheet_xml
from ioc.exports.cells import LINE_POINTS, TITLE_POINTS, Column, Kind, neutralise, row_height
from ioc.exports.writer import (
    REPORT,
    Workbook,
    open_workbook,
    sheet_head,
    unique_sheet_name,
    write_sheet,
)
from ioc.reports import definitions
from ioc.reports.approvals import review_columns
from ioc.reports.cover import Issuer
from ioc.reports.exam_sheet import SHEET, ExamSheet, write_exam_sheet
from ioc.reports.labels import (
    ALERT_STATUSES,
    LEVELS,
    MOTTO,
    MOTTO_SUBTITLE,
    REPORT_TITLE,
    SCHEMES,
    SIGNATURES,
    STATUS,
    both,
    place_date,
)
from ioc.reports.print_setup import PageText, column_blocks, page_setup

SUMMED_KINDS = ("sum", "schools", "shortfall")
INDICATOR_WIDTH = 16
#: the indicator sheets (titles at 16 points) and the definitions (one column frozen)
KPI_STYLE = replace(REPORT, title_size=16)
DEFINITIONS_STYLE = replace(KPI_STYLE, freeze_columns=1)


@dataclass(frozen=True)
class Cover:
    """What the cover sheet says about the report."""

    unit: Unit
    school_year: str
    term: str
    generated_at: datetime
    data_as_of: datetime | None
    build_id: str | None
    issuer: Issuer
    filters: dict[str, str] = field(default_factory=dict)

    def page_text(self) -> PageText:
        """The header of every printed page: issuer, unit and period."""
        period = Period.of(self.school_year, self.term).title_vi()
        return PageText(self.issuer.name, f"{self.unit.name} — {period}")


@dataclass(frozen=True)
class WorkbookData:
    cover: Cover
    kpis: pl.DataFrame
    children: pl.DataFrame
    completeness_total: dict[str, Any] | None
    completeness_by_unit: pl.DataFrame
    schools: pl.DataFrame
    exams: ExamSheet | None = None  # no exam results for the unit and year: no sheet


# (source column, Vietnamese, English, cell kind)
KPI_COLUMNS: list[tuple[str, str, str, str]] = [
    ("indicator_id", "Mã chỉ tiêu", "Indicator", "text"),
    ("name_vi", "Chỉ tiêu", "Name", "text"),
    ("unit_vi", "Đơn vị tính", "Unit", "text"),
    ("value", "Giá trị", "Value", "value"),
    ("norm_value", "Định mức", "Norm", "value"),
    ("norm_status", "Đánh giá theo định mức", "Against the norm", "status"),
    ("target_value", "Mục tiêu", "Target", "value"),
    ("target_status", "Đánh giá theo mục tiêu", "Against the target", "status"),
    ("previous_value", "Cùng kỳ năm trước", "Same period last year", "value"),
    ("change", "Thay đổi", "Change", "value"),
    ("numerator", "Tử số", "Numerator", "count"),
    ("denominator", "Mẫu số", "Denominator", "count"),
    ("schools_contributing", "Số trường có số liệu", "Schools contributing", "count"),
    ("schools_in_scope", "Số trường phải báo cáo", "Schools in scope", "count"),
    ("coverage_pct", "Độ bao phủ (%)", "Coverage (%)", "pct"),
]
KPI_WIDTHS = [29, 44, 10, 13, 12, 27, 12, 27, 13, 11, 12, 12, 12, 12, 11]
COMPLETENESS_COLUMNS = [
    Column("unit_code", "Mã đơn vị\nUnit code", "Unit code"),
    Column("unit_name", "Tên đơn vị\nUnit", "Unit"),
    Column("schools_expected", "Phải báo cáo\nExpected", "Expected", "integer"),
    Column("schools_reported", "Đã báo cáo\nReported", "Reported", "integer"),
    Column("schools_on_time", "Đúng hạn\nOn time", "On time", "integer"),
    Column("schools_missing", "Chưa báo cáo\nMissing", "Missing", "integer"),
    Column("schools_late", "Báo cáo trễ\nLate", "Late", "integer"),
    Column("completeness_pct", "Tỷ lệ đầy đủ (%)\nCompleteness (%)", "Completeness", "percent"),
    Column("timeliness_pct", "Tỷ lệ đúng hạn (%)\nTimeliness (%)", "Timeliness", "percent"),
    Column("schools_with_findings", "Có cảnh báo\nWith findings", "With findings", "integer"),
    Column("quality_score", "Điểm chất lượng\nQuality score", "Quality score", "decimal"),
]
SCHOOL_COLUMNS = [
    Column("school_code", "Mã trường\nSchool code", "School code"),
    Column("school_name", "Tên trường\nSchool name", "School name"),
    Column("level", "Cấp học\nLevel", "Level"),
    Column("ownership", "Loại hình\nOwnership", "Ownership"),
    Column("area", "Khu vực\nArea", "Area"),
    Column("district_code_legacy", "Mã huyện cũ\nOld district code", "Old district code"),
    Column("district_name_legacy", "Huyện cũ\nOld district", "Old district"),
    Column("commune_code", "Mã xã\nCommune code", "Commune code"),
    Column("commune_name", "Xã/phường\nCommune", "Commune"),
    *review_columns(),
]
#: the definitions sheet's columns: its cells in Vietnamese (the English name and formula
#: stay in the PDF report and the API), its headers bilingual
DEFINITION_COLUMNS = [
    Column(name, f"{vi}\n{en}", en)
    for name, (vi, en) in definitions.LABELS.items()
    if not name.endswith("_en")
]
#: the definitions sheet's widths (characters), its long texts wrapped within them
DEFINITION_WIDTHS = [27, 28, 14, 30, 8, 14, 30, 30, 18, 26]


def local_text(moment: datetime | None) -> str:
    """A time in the display time zone (IOC_DISPLAY_TIMEZONE), the Department's own."""
    return local_datetime(moment, display_zone(), "%d/%m/%Y %H:%M")


class _Formats:
    """The workbook's own cell formats (the tables' come from the writer)."""

    def __init__(self, book: Workbook) -> None:
        self.book = book
        centred = {"align": "center", "valign": "top", "text_wrap": True}
        self.heading = book.cell_style(**centred)
        self.heading_bold = book.cell_style(**centred, bold=True)
        self.motto = book.cell_style(**centred, bold=True, underline=1)
        self.place_date = book.cell_style(**centred, italic=True)
        self.cover_title = book.cell_style(**centred, bold=True, font_size=16)
        self.cover_subtitle = book.cell_style(**centred, italic=True, font_color="#595959")
        self.label = book.cell_style(bold=True, valign="top")
        self.text = book.cell_style(valign="top", text_wrap=True)
        self._numbers: dict[tuple[str, str], Format] = {}  # a lookup a cell: kept cheap

    def number(self, num_format: str, status: str = "") -> Format:
        if (num_format, status) not in self._numbers:
            spec: dict[str, Any] = {"num_format": num_format}
            if status == "meets":
                spec |= {"bg_color": "#C6EFCE", "font_color": "#006100"}
            elif status in ALERT_STATUSES:
                spec |= {"bg_color": "#FFC7CE", "font_color": "#9C0006", "bold": True}
            elif status:
                spec |= {"font_color": "#7F7F7F"}
            self._numbers[(num_format, status)] = self.book.cell_style(**spec)
        return self._numbers[(num_format, status)]


def _value_format(kind: str, unit_vi: str) -> str:
    if kind in SUMMED_KINDS:
        return "#,##0"
    return "0.0" if unit_vi == "%" else "#,##0.00"


def _write_kpi_sheet(
    book: Workbook, fmt: _Formats, name: str, title: str, rows: pl.DataFrame, page: PageText
) -> None:
    """One unit's indicators: a title row, a frozen two-language header, one row per
    indicator with its value formatted for its unit and its statuses coloured. xlsxwriter
    writes the sheet and its header; the indicator rows are spliced in after closing."""
    labels = [f"{vi}\n{en}" for _, vi, en, _ in KPI_COLUMNS]
    ws = sheet_head(book, name, labels, KPI_WIDTHS, title=title, style=KPI_STYLE)
    catalog = load_catalog()
    kinds = {i.id: i.kind for i in catalog.indicators}
    order = {i.id: n for n, i in enumerate(catalog.indicators)}  # the catalog's order
    frame = rows.with_columns(
        (100 * pl.col("schools_contributing") / pl.col("schools_in_scope")).alias("coverage_pct")
    ).sort(pl.col("indicator_id").replace_strict(order, default=len(order)))
    letters = sheet_xml.column_letters(len(KPI_COLUMNS))
    lines = []
    for r, row in enumerate(frame.iter_rows(named=True), start=2):
        value_format = _value_format(kinds.get(row["indicator_id"], ""), row["unit_vi"])
        cells = []
        for col, (key, _, _, kind) in enumerate(KPI_COLUMNS):
            value, ref = row[key], f"{letters[col]}{r + 1}"
            if kind == "status":
                status = value or "no_value"
                style = fmt.number("@", status)._get_xf_index()
                cells.append(sheet_xml.string_cell(ref, style, both(STATUS[status])))
            elif kind == "text":
                text = neutralise(str(value or ""))
                cells.append(sheet_xml.string_cell(ref, fmt.text._get_xf_index(), text))
            elif value is not None and math.isfinite(value):  # NaN and infinity are unknown
                num = {"value": value_format, "count": "#,##0", "pct": "0.0"}[kind]
                style = fmt.number(num)._get_xf_index()
                cells.append(sheet_xml.number_cell(ref, style, float(value)))
        height = row_height([(str(row["name_vi"] or ""), KPI_WIDTHS[1])])
        lines.append(sheet_xml.row_xml(r, cells, height if height > LINE_POINTS else None))
    ws.autofilter(1, 0, max(2, frame.height + 1), len(KPI_COLUMNS) - 1)
    page_setup(ws, page, repeat_rows=2)
    last_cell = f"{letters[-1]}{frame.height + 2}"
    xml = "".join(lines).encode("utf-8")
    book.splice_later(sheet_xml.ReadyRows(book.last_member(), xml, last_cell))


def cover_lines(data: WorkbookData) -> list[tuple[str, str]]:
    """The cover's facts, (label, value): unit, period, times, filters, completeness."""
    cover = data.cover
    unit = cover.unit
    level = both(LEVELS.get(unit.level, (unit.level, unit.level)))
    lines: list[tuple[str, str]] = [
        ("Đơn vị / Unit", f"{unit.name} ({unit.code}) — {level}"),
        ("Hệ đơn vị hành chính / Unit scheme", both(SCHEMES[unit.scheme])),
        ("Kỳ báo cáo / Period", Period.of(cover.school_year, cover.term).bilingual()),
        (
            "Thời điểm lập / Generated at",
            f"{local_text(cover.generated_at)} ({zone_label(display_zone())})",
        ),
        (
            "Số liệu tính đến / Data as of",
            f"{local_text(cover.data_as_of)} (bản dựng / build {cover.build_id or '—'})",
        ),
    ]
    lines += list(cover.filters.items())
    total = data.completeness_total
    if total:
        lines += [
            ("Số trường phải báo cáo / Schools expected", vn_count(total["schools_expected"])),
            ("Số trường đã báo cáo / Schools reported", vn_count(total["schools_reported"])),
            ("Tỷ lệ đầy đủ / Completeness", _pct(total["completeness_pct"])),
            ("Tỷ lệ đúng hạn / Timeliness", _pct(total["timeliness_pct"])),
            ("Điểm chất lượng dữ liệu / Data-quality score", _pct(total["quality_score"], "")),
        ]
    else:
        lines.append(("Tỷ lệ đầy đủ / Completeness", "Chưa có số liệu / no data"))
    return lines


def _write_cover(book: Workbook, fmt: _Formats, data: WorkbookData) -> None:
    """The cover as an administrative report's first page: the issuer (left) and the
    national motto (right), place and date, the title, the facts, the signature block."""
    cover = data.cover
    issuer = cover.issuer
    ws = book.add_worksheet("Bìa")
    ws.set_column(0, 0, 42)
    ws.set_column(1, 1, 70)
    ws.write_string(0, 0, neutralise(issuer.parent), fmt.heading)
    ws.write_string(0, 1, MOTTO, fmt.heading_bold)
    ws.write_string(1, 0, neutralise(issuer.name), fmt.heading_bold)
    ws.write_string(1, 1, MOTTO_SUBTITLE, fmt.motto)
    when = as_local(cover.generated_at, display_zone()).date()  # the date line, local time
    ws.write_string(3, 1, neutralise(place_date(issuer.place, when)), fmt.place_date)
    ws.set_row(5, TITLE_POINTS)
    ws.merge_range(5, 0, 5, 1, REPORT_TITLE[0], fmt.cover_title)
    ws.merge_range(6, 0, 6, 1, REPORT_TITLE[1], fmt.cover_subtitle)
    lines = cover_lines(data)
    first = 8
    for row, (label, value) in enumerate(lines, start=first):
        ws.set_row(row, row_height([(label, 42), (value, 70)]))
        ws.write_string(row, 0, label, fmt.label)
        ws.write_string(row, 1, neutralise(value), fmt.text)
    row = first + len(lines) + 1
    ws.write_string(row, 0, "Các trang / Sheets", fmt.label)
    ws.merge_range(
        row + 1,
        0,
        row + 1,
        1,
        "Chỉ tiêu: giá trị, định mức, mục tiêu và đánh giá (xanh: đạt; đỏ: chưa đạt) / "
        "Indicators with norm and target status (green: meets; red: does not)",
        fmt.text,
    )
    row += 4
    for col, (title, _) in enumerate(SIGNATURES):  # row by row: constant-memory mode
        ws.write_string(row, col, title, fmt.heading_bold)
    for col, (_, how) in enumerate(SIGNATURES):
        ws.write_string(row + 1, col, how, fmt.place_date)
    ws.set_row(row + 2, 60)  # room to sign and stamp
    page_setup(ws, cover.page_text(), repeat_rows=0, one_page=True, gridlines=False)


def _pct(value: float | None, suffix: str = " %") -> str:
    if value is None:
        return "—"
    return f"{value:.1f}".replace(".", ",") + suffix


def school_columns(indicator_ids: Sequence[str]) -> list[Column]:
    """The school list's columns: identity, places, then one per indicator."""
    catalog = load_catalog()
    columns = list(SCHOOL_COLUMNS)
    for ind_id in indicator_ids:
        ind = catalog.by_id[ind_id]
        kind: Kind = "integer" if ind.kind in SUMMED_KINDS else "decimal"
        decimals = 1 if ind.unit.vi == "%" else 2
        columns.append(
            Column(ind_id, f"{ind.vi} ({ind.unit.vi})\n{ind_id}", ind.en, kind, decimals)
        )
    return columns


def _write_definitions(book: Workbook, fmt: _Formats, name: str, cover: Cover) -> None:
    """Every indicator's formula, norm and legal source: small, so written cell by cell,
    its long texts wrapped to print within the page's width."""
    labels = [c.vi for c in DEFINITION_COLUMNS]
    title = "Định nghĩa chỉ tiêu / Indicator definitions"
    ws = sheet_head(book, name, labels, DEFINITION_WIDTHS, title=title, style=DEFINITIONS_STYLE)
    frame = definitions.definitions_frame(cover.school_year, cover.term)
    for row, values in enumerate(frame.select(c.name for c in DEFINITION_COLUMNS).iter_rows()):
        texts = [str(v or "") for v in values]
        ws.set_row(row + 2, row_height(zip(texts, DEFINITION_WIDTHS, strict=True)))
        for col, value in enumerate(values):
            if value:
                ws.write_string(row + 2, col, neutralise(str(value)), fmt.text)
    ws.autofilter(1, 0, max(2, frame.height + 1), len(DEFINITION_COLUMNS) - 1)
    page_setup(ws, cover.page_text(), repeat_rows=2)


def _family_starts(ids: Sequence[str], first: int) -> list[int]:
    """The school list's columns where an indicator family begins (its print blocks)."""
    family = {i.id: i.family for i in load_catalog().indicators}
    return [first + n for n, ind in enumerate(ids) if n == 0 or family[ind] != family[ids[n - 1]]]


def write_workbook(data: WorkbookData, target: Path) -> None:
    """Write the standard workbook to the file ``target``."""
    book = open_workbook(target)
    try:
        fmt = _Formats(book)
        cover = data.cover
        page = cover.page_text()
        taken = {"bìa"}
        _write_cover(book, fmt, data)
        period = f"{cover.school_year}/{cover.term}"
        name = unique_sheet_name("Chỉ tiêu", taken)
        _write_kpi_sheet(book, fmt, name, f"{cover.unit.name} — {period}", data.kpis, page)
        if data.completeness_by_unit.height:
            write_sheet(
                book,
                data.completeness_by_unit,
                COMPLETENESS_COLUMNS,
                "vi",
                sheet_name=unique_sheet_name("Tiến độ báo cáo", taken),
                title=f"Tiến độ báo cáo / Reporting progress — {cover.unit.name} — {period}",
                style=REPORT,
                print_setup=lambda ws, _: page_setup(ws, page, repeat_rows=2),
            )
        if data.children.height:
            for (code, unit_name), rows in data.children.group_by(
                "unit_code", "unit_name", maintain_order=True
            ):
                name = unique_sheet_name(f"{code} {unit_name}", taken)
                title = f"{unit_name} ({code}) — {period}"
                _write_kpi_sheet(book, fmt, name, title, rows, page)
        ids = [c for c in data.schools.columns if c not in {c.name for c in SCHOOL_COLUMNS}]
        first = len(SCHOOL_COLUMNS)

        def print_blocks(ws: Worksheet, widths: list[int]) -> None:
            page_setup(ws, page, repeat_rows=2, fit_width=False)
            column_blocks(ws, widths, _family_starts(ids, first), repeat_columns=2)

        write_sheet(
            book,
            data.schools,
            school_columns(ids),
            sheet_name=unique_sheet_name("Danh sách trường", taken),
            title=f"Danh sách trường / Schools — {cover.unit.name} — {period}",
            style=REPORT,
            widths=dict.fromkeys(range(first, first + len(ids)), INDICATOR_WIDTH),
            print_setup=print_blocks,
            bulk=True,
        )
        if data.exams is not None:
            write_exam_sheet(book, unique_sheet_name(SHEET, taken), data.exams, page)
        _write_definitions(book, fmt, unique_sheet_name("Định nghĩa", taken), cover)
    finally:
        book.close()
