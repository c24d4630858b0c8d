"""The standard workbook's exam sheet, "Thi tốt nghiệp THPT" (docs/exams.md): the results of
the national graduation exam that closes the report's school year, for the report's unit:
per subject the statistics, per admission combination the totals, the unit's ranks among
the provinces loaded (a province), and its linked schools ranked by the mean of all their
papers with their students and teachers per class. Three tables one under the other,
headers in Vietnamese with English beneath, written row by row (constant-memory mode)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import duckdb
import polars as pl

from ioc import db
from ioc.config import Settings
from ioc.domain.formats import vn_number
from ioc.domain.units import Unit, is_national
from ioc.exams.summary import summary
from ioc.exports.cells import TITLE_POINTS, neutralise, row_height
from ioc.exports.writer import REPORT, Workbook, sheet_name_for
from ioc.reports.print_setup import PageText, page_setup
from ioc.views import exams

SHEET = "Thi tốt nghiệp THPT"
WIDTHS = [12, 40, 12, 13, 12, 12, 13, 13, 13, 13, 12]
COUNT, SCORE, PCT = "#,##0", "0.00", "0.0"
# (column, format) of each table; labels from ioc.views.exams.LABELS
SUBJECT_COLUMNS = [
    ("subject", None),
    ("vi", None),
    ("candidates", COUNT),
    ("mean", SCORE),
    ("median", SCORE),
    ("sd", SCORE),
    ("ge5_pct", PCT),
    ("ge8_pct", PCT),
    ("eq10", COUNT),
    ("failing", COUNT),
    ("rank", COUNT),
]
COMBINATION_COLUMNS = [
    ("combination", None),
    ("subjects_vi", None),
    ("candidates", COUNT),
    ("mean", SCORE),
    ("median", SCORE),
    ("sd", SCORE),
    ("ge15", COUNT),
    ("ge24", COUNT),
]
SCHOOL_COLUMNS = [
    ("rank", COUNT),
    ("school_name", None),
    ("school_code", None),
    ("papers", COUNT),
    ("mean", SCORE),
    ("ge5", COUNT),
    ("failing", COUNT),
    ("students_per_class", SCORE),
    ("teachers_per_class", SCORE),
    ("inputs_period", None),
]


@dataclass(frozen=True)
class ExamSheet:
    year: int
    unit: Unit
    subjects: pl.DataFrame
    combinations: pl.DataFrame
    overall: dict[str, Any] | None  # the unit's rank by the mean of all papers (a province)
    councils: list[dict[str, Any]]  # the exam councils of its province's figures
    schools: pl.DataFrame


def exam_year(school_year: str) -> int:
    """The exam that closes a school year: '2024-2025' -> 2025."""
    return int(school_year[-4:])


def gather(
    conn: duckdb.DuckDBPyConnection, settings: Settings, unit: Unit, school_year: str
) -> ExamSheet | None:
    """The sheet's figures; None (no sheet) for the whole country or a year without results
    for the unit."""
    year = exam_year(school_year)
    if is_national(unit) or year not in exams.years(conn, settings)["year"].to_list():
        return None
    figures = summary(conn, settings, unit=unit.code, year=year, scheme=unit.scheme)
    if not figures["subjects"]:
        return None
    subjects = pl.DataFrame(
        [{k: v for k, v in s.items() if k != "spectrum"} for s in figures["subjects"]]
    )
    ranks = db.query(
        conn, "queries/exam_unit_ranks", settings, year=year, scheme=unit.scheme, unit=unit.code
    )
    return ExamSheet(
        year=year,
        unit=unit,
        subjects=subjects.join(ranks.select("subject", "rank"), on="subject", how="left"),
        combinations=exams.combinations(conn, settings, year=year, unit=unit),
        overall=figures["rank"],
        councils=figures["councils"],
        schools=exams.schools(conn, settings, year=year, unit=unit, subject=exams.ALL_PAPERS),
    )


class _Rows:
    """Writes the sheet top to bottom (constant-memory mode writes each row once)."""

    def __init__(self, book: Workbook, name: str) -> None:
        self.book = book
        self.ws = book.add_worksheet(sheet_name_for(name))
        self.row = 0
        for col, width in enumerate(WIDTHS):
            self.ws.set_column(col, col, width)

    def line(self, text: str, **style: Any) -> None:
        self.ws.write_string(self.row, 0, neutralise(text), self.book.cell_style(**style))
        self.row += 1

    def table(self, title: str, frame: pl.DataFrame, columns: list[tuple[str, str | None]]) -> None:
        self.row += 1
        self.line(title, bold=True, font_size=12)
        header = self.book.header_style(REPORT)
        labels = [f"{exams.LABELS[c][0]}\n{exams.LABELS[c][1]}" for c, _ in columns]
        self.ws.set_row(self.row, row_height(zip(labels, WIDTHS, strict=False)))
        for col, label in enumerate(labels):
            self.ws.write_string(self.row, col, label, header)
        self.row += 1
        text = self.book.cell_style(valign="top", text_wrap=True)
        for values in frame.select(c for c, _ in columns).iter_rows():
            for col, (value, (_, num)) in enumerate(zip(values, columns, strict=True)):
                if value is None or (isinstance(value, float) and not math.isfinite(value)):
                    continue
                if num is None:
                    self.ws.write_string(self.row, col, neutralise(str(value)), text)
                else:
                    self.ws.write_number(self.row, col, value, self.book.cell_style(num_format=num))
            self.row += 1


def write_exam_sheet(book: Workbook, name: str, sheet: ExamSheet, page: PageText) -> None:
    rows = _Rows(book, name)
    unit = sheet.unit
    rows.ws.set_row(0, TITLE_POINTS)
    rows.line(f"{SHEET} năm {sheet.year} — {unit.name}", bold=True, font_size=16)
    rows.line(f"National upper-secondary graduation exam {sheet.year} — {unit.name} ({unit.code})",
              italic=True, font_color="#595959")  # fmt: skip
    if sheet.councils:
        present = [
            f"{row['council_code']} {str(row['name']).title()}"
            + ("" if row["present"] else " (chưa có kết quả / not loaded)")
            for row in sheet.councils
        ]
        rows.line(f"Hội đồng thi / Exam councils: {'; '.join(present)}")
    if sheet.overall:
        mean = vn_number(sheet.overall["mean"], 2)
        rows.line(
            f"Xếp hạng theo điểm trung bình mọi bài thi: {sheet.overall['rank']}/"
            f"{sheet.overall['ranked']} tỉnh, thành phố có kết quả (điểm trung bình {mean}) / "
            "Rank by the mean of all papers among the provinces loaded",
            bold=True,
        )
    ranked = SUBJECT_COLUMNS if unit.level == "province" else SUBJECT_COLUMNS[:-1]
    rows.table("Theo môn thi / By subject", sheet.subjects, ranked)
    if sheet.combinations.height:
        rows.table(
            "Theo tổ hợp xét tuyển (tổng điểm ba môn) / By admission combination (totals)",
            sheet.combinations,
            COMBINATION_COLUMNS,
        )
    if sheet.schools.height:
        rows.table(
            "Xếp hạng trường theo điểm trung bình mọi bài thi, với sĩ số và giáo viên/lớp "
            "của trường / Schools ranked by the mean of all papers, with their inputs",
            sheet.schools,
            SCHOOL_COLUMNS,
        )
    page_setup(rows.ws, page, repeat_rows=0)
