"""The standard report as a PDF to print and sign (fpdf2; no browser, no office suite).

A4 landscape. The first page is the cover as Vietnamese administrative documents set it out
(Nghị định 30/2020/NĐ-CP): the issuer over its parent body on the left, the national motto
on the right, place and date, the title and the report's facts. Then, each from a new page:
the unit's indicators with their norm and target status, reporting progress by child unit,
the key indicators of every child unit, and the definitions (formula, norm, legal source);
the signature block closes the report. Table headings repeat on every page; every page but
the cover carries the issuer, unit and period above, and every page 'Trang x/y' below. The
school list (a column per indicator, a row per school) stays in the Excel workbook.

Text is set in DejaVu Sans Condensed, embedded as a subset (``ioc/reports/fonts``, with its
licence): its glyphs cover Vietnamese, and its licence allows bundling it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import polars as pl
from fpdf import FPDF, FontFace
from fpdf.enums import TableHeadingsDisplay

from ioc.catalog.definitions import load_catalog
from ioc.config import display_zone
from ioc.domain.formats import as_local, vn_number
from ioc.domain.period import Period
from ioc.reports import definitions
from ioc.reports.labels import (
    ALERT_STATUSES,
    MOTTO,
    MOTTO_SUBTITLE,
    PAGE,
    PDF_NO_CHILDREN,
    PDF_NO_SCHOOL_LIST,
    PDF_SECTIONS,
    REPORT_TITLE,
    SIGNATURES,
    STATUS,
    place_date,
)
from ioc.reports.workbook import (
    COMPLETENESS_COLUMNS,
    SUMMED_KINDS,
    WorkbookData,
    cover_lines,
)

FONTS = Path(__file__).with_name("fonts")
FAMILY = "DejaVu"
FONT_FILES = {
    "": "DejaVuSansCondensed.ttf",
    "B": "DejaVuSansCondensed-Bold.ttf",
    "I": "DejaVuSansCondensed-Oblique.ttf",
}
BODY_PT, TABLE_PT, SMALL_PT = 11, 8, 7
MARGIN_MM = 12
#: the child units' table: these indicators, when the catalog has them, in this order
KEY_INDICATORS = (
    "NET_SCHOOLS",
    "NET_STUDENTS",
    "NET_CLASS_SIZE",
    "STF_TEACHERS_PER_CLASS",
    "STF_TEACHER_SHORTFALL",
    "STF_QUALIFIED_PCT",
    "NET_NATIONAL_STANDARD_PCT",
    "FAC_SOLID_CLASSROOM_PCT",
    "WSH_CLEAN_WATER_PCT",
    "DQ_COMPLETENESS_PCT",
)
FILLS = {"meets": (198, 239, 206), "alert": (255, 199, 206)}
HEADING_FILL = (221, 235, 247)


class _Document(FPDF):
    """A4 landscape pages with the report's running header and footer."""

    def __init__(self, running_head: tuple[str, str]) -> None:
        super().__init__(orientation="L", unit="mm", format="A4")
        for style, name in FONT_FILES.items():
            self.add_font(FAMILY, style, FONTS / name)
        self.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
        self.set_auto_page_break(True, margin=MARGIN_MM + 2)
        self.running_head = running_head

    def header(self) -> None:
        if self.page_no() == 1:  # the cover has the administrative heading instead
            return
        left, right = self.running_head
        self.set_font(FAMILY, "", SMALL_PT)
        self.set_y(6)
        self.cell(self.epw / 2, 4, left)
        self.cell(self.epw / 2, 4, right, align="R")
        self.set_y(MARGIN_MM)

    def footer(self) -> None:
        self.set_y(-9)
        self.set_font(FAMILY, "", SMALL_PT)
        self.cell(0, 4, f"{PAGE} {self.page_no()}/{{nb}}", align="C")


def write_pdf(data: WorkbookData, target: Path) -> None:
    """Write the standard report as a PDF to the file ``target``."""
    cover = data.cover
    period = Period.of(cover.school_year, cover.term).title_vi()
    pdf = _Document((cover.issuer.name, f"{cover.unit.name} — {period}"))
    pdf.set_title(f"{REPORT_TITLE[0]} — {cover.unit.name} — {period}")
    pdf.set_lang("vi")
    pdf.set_creator("IOC-EDU")
    _cover(pdf, data, period)
    _section(pdf, 1, "indicators", cover.unit.name)
    _indicators(pdf, data.kpis)
    _section(pdf, 2, "progress", cover.unit.name)
    _progress(pdf, data.completeness_by_unit)
    _section(pdf, 3, "children", cover.unit.name)
    _children(pdf, data.children)
    _section(pdf, 4, "definitions", None)
    _definitions(pdf, cover.school_year, cover.term)
    _signatures(pdf, data)
    pdf.output(str(target))


# --------------------------------------------------------------------------- cover


def _heading(pdf: _Document, data: WorkbookData) -> None:
    """Issuer on the left, the national motto on the right, place and date under it."""
    issuer = data.cover.issuer
    left, right = pdf.epw * 0.42, pdf.epw * 0.58
    top = pdf.get_y()
    pdf.set_font(FAMILY, "", BODY_PT)
    pdf.multi_cell(left, 5.5, issuer.parent, align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_font(FAMILY, "B", BODY_PT)
    pdf.multi_cell(left, 5.5, issuer.name, align="C", new_x="LEFT", new_y="NEXT")
    _rule_under(pdf, MARGIN_MM + left / 2, 30)
    pdf.set_xy(MARGIN_MM + left, top)
    pdf.set_font(FAMILY, "B", BODY_PT)
    pdf.cell(right, 5.5, MOTTO, align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_font(FAMILY, "BU", BODY_PT + 1)
    pdf.cell(right, 6, MOTTO_SUBTITLE, align="C", new_x="LEFT", new_y="NEXT")
    pdf.ln(4)
    pdf.set_x(MARGIN_MM + left)
    when = as_local(data.cover.generated_at, display_zone()).date()  # the date line
    pdf.set_font(FAMILY, "I", BODY_PT)
    pdf.cell(right, 6, place_date(issuer.place, when), align="C", new_x="LMARGIN", new_y="NEXT")


def _rule_under(pdf: _Document, centre: float, length: float) -> None:
    y = pdf.get_y() + 0.8
    pdf.line(centre - length / 2, y, centre + length / 2, y)


def _cover(pdf: _Document, data: WorkbookData, period: str) -> None:
    pdf.add_page()
    _heading(pdf, data)
    pdf.ln(8)
    pdf.set_font(FAMILY, "B", 16)
    pdf.cell(0, 9, REPORT_TITLE[0], align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "B", 13)
    pdf.cell(0, 7, f"{data.cover.unit.name} — {period}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "I", BODY_PT - 1)
    pdf.set_text_color(90)
    pdf.cell(0, 6, REPORT_TITLE[1], align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0)
    pdf.ln(5)
    pdf.set_font(FAMILY, "", BODY_PT - 1)
    with pdf.table(
        col_widths=(38, 62),
        width=pdf.epw * 0.85,
        first_row_as_headings=False,
        borders_layout="HORIZONTAL_LINES",
        text_align="LEFT",
        line_height=5.5,
    ) as table:
        for label, value in cover_lines(data):
            row = table.row()
            row.cell(label, style=FontFace(emphasis="BOLD"))
            row.cell(value)
    pdf.ln(4)
    pdf.set_font(FAMILY, "I", BODY_PT - 2)
    parts = [f"{n}. {vi} / {en}" for n, (vi, en) in enumerate(PDF_SECTIONS.values(), start=1)]
    contents = "Nội dung / Contents: " + "; ".join(parts) + "."
    pdf.multi_cell(0, 5, contents, new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 5, " ".join(PDF_NO_SCHOOL_LIST), new_x="LMARGIN", new_y="NEXT")


# --------------------------------------------------------------------------- sections


def _section(pdf: _Document, number: int, key: str, unit_name: str | None) -> None:
    vi, en = PDF_SECTIONS[key]
    pdf.add_page()
    pdf.set_font(FAMILY, "B", 13)
    title = f"{_roman(number)}. {vi}" + (f" — {unit_name}" if unit_name else "")
    pdf.multi_cell(0, 7, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "I", BODY_PT - 2)
    pdf.cell(0, 5, en, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)


def _roman(number: int) -> str:
    return ("I", "II", "III", "IV", "V", "VI")[number - 1]


def _table(
    pdf: _Document,
    headings: Sequence[str],
    widths: Sequence[float],
    rows: Sequence[Sequence[tuple[str, str | None]]],
    aligns: Sequence[str],
) -> None:
    """A table over the page's width: headings repeated on every page, each cell a text and
    a status (None, 'meets' or an alert) that colours it."""
    pdf.set_font(FAMILY, "", TABLE_PT)
    heading_style = FontFace(emphasis="BOLD", fill_color=HEADING_FILL)
    with pdf.table(
        col_widths=widths,
        width=pdf.epw,
        headings_style=heading_style,
        repeat_headings=TableHeadingsDisplay.ON_TOP_OF_EVERY_PAGE,
        line_height=3.6,
        text_align="LEFT",
        padding=0.8,
        v_align="TOP",
    ) as table:
        heading = table.row()
        for text in headings:
            heading.cell(text)
        for values in rows:
            row = table.row()
            for (text, status), align in zip(values, aligns, strict=True):
                row.cell(text, align=align, style=_status_style(status))


def _status_style(status: str | None) -> FontFace | None:
    if status == "meets":
        return FontFace(fill_color=FILLS["meets"], color=(0, 97, 0))
    if status in ALERT_STATUSES:
        return FontFace(fill_color=FILLS["alert"], color=(156, 0, 6), emphasis="BOLD")
    return None


def _number(value: Any, kind: str, unit_vi: str) -> str:
    if value is None or not math.isfinite(value):
        return "—"
    if kind in SUMMED_KINDS:
        return vn_number(value)
    return vn_number(value, 1 if unit_vi == "%" else 2)


def _status_text(status: str | None) -> str:
    return STATUS[status or "no_value"][0]


def _indicators(pdf: _Document, kpis: pl.DataFrame) -> None:
    catalog = load_catalog()
    kinds = {i.id: i.kind for i in catalog.indicators}
    order = {i.id: n for n, i in enumerate(catalog.indicators)}
    frame = kpis.sort(pl.col("indicator_id").replace_strict(order, default=len(order)))
    rows = []
    for r in frame.iter_rows(named=True):
        kind, unit = kinds.get(r["indicator_id"], ""), r["unit_vi"] or ""
        contributing = r["schools_contributing"]
        scope = r["schools_in_scope"]
        rows.append(
            [
                (r["indicator_id"], None),
                (r["name_vi"] or "", None),
                (unit, None),
                (_number(r["value"], kind, unit), None),
                (_number(r["norm_value"], kind, unit), None),
                (_status_text(r["norm_status"]), r["norm_status"]),
                (_number(r["target_value"], kind, unit), None),
                (_status_text(r["target_status"]), r["target_status"]),
                (_number(r["previous_value"], kind, unit), None),
                (_number(r["change"], kind, unit), None),
                (f"{vn_number(contributing)}/{vn_number(scope)}", None),
            ]
        )
    headings = [
        "Mã chỉ tiêu\nIndicator",
        "Chỉ tiêu\nName",
        "Đơn vị tính\nUnit",
        "Giá trị\nValue",
        "Định mức\nNorm",
        "Theo định mức\nAgainst the norm",
        "Mục tiêu\nTarget",
        "Theo mục tiêu\nAgainst the target",
        "Cùng kỳ năm trước\nLast year",
        "Thay đổi\nChange",
        "Trường có số liệu\nSchools reporting",
    ]
    widths = (36, 56, 14, 16, 14, 24, 14, 24, 16, 14, 18)
    _table(pdf, headings, widths, rows, ("L", "L", "L", *["R"] * 2, "L", "R", "L", *["R"] * 3))


def _progress(pdf: _Document, by_unit: pl.DataFrame) -> None:
    if by_unit.is_empty():
        _note(pdf, PDF_NO_CHILDREN)
        return
    rows = []
    for r in by_unit.iter_rows(named=True):
        cells = []
        for column in COMPLETENESS_COLUMNS:
            value = r.get(column.name)
            if column.kind == "text":
                cells.append((str(value or ""), None))
            else:
                cells.append((vn_number(value, 0 if column.kind == "integer" else 1), None))
        rows.append(cells)
    headings = [c.vi for c in COMPLETENESS_COLUMNS]
    widths = [14, 40, *[16] * (len(COMPLETENESS_COLUMNS) - 2)]
    aligns = ["L", "L", *["R"] * (len(COMPLETENESS_COLUMNS) - 2)]
    _table(pdf, headings, widths, rows, aligns)


def _children(pdf: _Document, children: pl.DataFrame) -> None:
    if children.is_empty():
        _note(pdf, PDF_NO_CHILDREN)
        return
    catalog = load_catalog()
    keys = [i for i in KEY_INDICATORS if i in catalog.by_id]
    rows = []
    for (code, name), unit_rows in children.group_by("unit_code", "unit_name", maintain_order=True):
        by_id = {r["indicator_id"]: r for r in unit_rows.iter_rows(named=True)}
        cells: list[tuple[str, str | None]] = [(str(code), None), (str(name), None)]
        for ind_id in keys:
            r = by_id.get(ind_id)
            ind = catalog.by_id[ind_id]
            if r is None:
                cells.append(("—", None))
            else:
                cells.append((_number(r["value"], ind.kind, ind.unit.vi), r["norm_status"]))
        rows.append(cells)
    headings = [
        "Mã\nCode",
        "Đơn vị\nUnit",
        *(f"{catalog.by_id[i].vi} ({catalog.by_id[i].unit.vi})" for i in keys),
    ]
    widths = [12, 38, *[20] * len(keys)]
    _table(pdf, headings, widths, rows, ["L", "L", *["R"] * len(keys)])
    _note(
        pdf,
        (
            "Màu theo định mức: xanh là đạt, đỏ là chưa đạt.",
            "Colours against the norm: green meets it, red does not.",
        ),
    )


def _definitions(pdf: _Document, school_year: str, term: str) -> None:
    frame = definitions.definitions_frame(school_year, term)
    names = ("indicator_id", "name_vi", "formula_vi", "unit_vi", "norm", "legal_source", "note")
    rows = [[(str(r[n] or ""), None) for n in names] for r in frame.iter_rows(named=True)]
    headings = [f"{definitions.LABELS[n][0]}\n{definitions.LABELS[n][1]}" for n in names]
    _table(pdf, headings, (36, 42, 54, 14, 42, 46, 39), rows, ["L"] * len(names))


def _note(pdf: _Document, text: tuple[str, str]) -> None:
    pdf.ln(2)
    pdf.set_font(FAMILY, "I", BODY_PT - 2)
    pdf.multi_cell(0, 5, " / ".join(text), new_x="LMARGIN", new_y="NEXT")


def _signatures(pdf: _Document, data: WorkbookData) -> None:
    """Place and date, then the preparer (left) and the head of the body (right), with
    room to sign and stamp; on a new page if the last one has no room."""
    needed = 55
    if pdf.get_y() + needed > pdf.h - pdf.b_margin:
        pdf.add_page()
    pdf.ln(8)
    half = pdf.epw / 2
    when = as_local(data.cover.generated_at, display_zone()).date()  # the date line
    pdf.set_font(FAMILY, "I", BODY_PT)
    pdf.set_x(MARGIN_MM + half)
    pdf.cell(half, 6, place_date(data.cover.issuer.place, when), align="C")
    pdf.ln(7)
    pdf.set_font(FAMILY, "B", BODY_PT)
    for title, _ in SIGNATURES:
        pdf.cell(half, 6, title, align="C")
    pdf.ln(6)
    pdf.set_font(FAMILY, "I", BODY_PT - 1)
    for _, how in SIGNATURES:
        pdf.cell(half, 5, how, align="C")
    pdf.ln(30)
