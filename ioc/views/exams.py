"""The exam results as the API and the standard workbook read them (docs/exams.md): the
``out_exam__*`` tables of the published snapshot cut to a unit, a subject, a year, with the
names of units, subjects and combinations from the catalogs."""

from __future__ import annotations

import duckdb
import polars as pl

from ioc import db
from ioc.config import Settings
from ioc.domain.units import Unit
from ioc.exams.catalog import load_exam_catalog

ALL_PAPERS = "*"  # a subject code standing for every paper (ranks, school rankings)
#: the exam lists' columns in Vietnamese and English (exports, the workbook's exam sheet)
LABELS: dict[str, tuple[str, str]] = {
    "rank": ("Xếp hạng", "Rank"),
    "ranked": ("Số tỉnh được xếp hạng", "Provinces ranked"),
    "school_code": ("Mã trường", "School code"),
    "school_name": ("Tên trường", "School name"),
    "subject": ("Mã môn thi", "Subject code"),
    "vi": ("Môn thi", "Subject"),
    "papers": ("Số bài thi", "Papers"),
    "candidates": ("Số thí sinh", "Candidates"),
    "mean": ("Điểm trung bình", "Mean"),
    "median": ("Trung vị", "Median"),
    "sd": ("Độ lệch chuẩn", "Standard deviation"),
    "ge5": ("Số bài từ 5 điểm", "Papers ≥ 5"),
    "ge8": ("Số bài từ 8 điểm", "Papers ≥ 8"),
    "eq10": ("Số điểm 10", "Papers = 10"),
    "failing": ("Số bài bị điểm liệt (≤ 1)", "Failing papers (≤ 1)"),
    "off_grid": ("Số điểm lệch bước chấm", "Papers off the grid"),
    "ge5_pct": ("Tỷ lệ từ 5 điểm (%)", "Papers ≥ 5 (%)"),
    "ge8_pct": ("Tỷ lệ từ 8 điểm (%)", "Papers ≥ 8 (%)"),
    "eq10_pct": ("Tỷ lệ điểm 10 (%)", "Papers = 10 (%)"),
    "failing_pct": ("Tỷ lệ điểm liệt (%)", "Failing papers (%)"),
    "students_per_class": ("Sĩ số bình quân (HS/lớp)", "Students per class"),
    "teachers_per_class": ("Giáo viên/lớp", "Teachers per class"),
    "inputs_period": ("Kỳ báo cáo của trường", "The school's return"),
    "bin_from": ("Từ điểm", "Bin from"),
    "share_pct": ("Tỷ lệ bài thi (%)", "Share of papers (%)"),
    "asked": ("Đơn vị được hỏi", "The unit asked"),
    "combination": ("Tổ hợp", "Combination"),
    "subjects": ("Mã các môn", "Subject codes"),
    "subjects_vi": ("Các môn", "Subjects"),
    "language": ("Ngoại ngữ", "Foreign language"),
    "ge15": ("Số thí sinh tổng từ 15", "Totals ≥ 15"),
    "ge24": ("Số thí sinh tổng từ 24", "Totals ≥ 24"),
    "council_code": ("Mã hội đồng thi", "Exam council"),
    "council_name": ("Hội đồng thi", "Council name"),
    "highest_no": ("Số báo danh lớn nhất", "Highest candidate number"),
    "expected_max_no": ("Số báo danh tối đa (theo tệp)", "Expected highest number (file)"),
    "range_covered_pct": ("Tỷ lệ dải số báo danh (%)", "Number range covered (%)"),
    "stated_coverage": ("Độ phủ theo tệp (%)", "Coverage stated by the file (%)"),
    "linked": ("Thí sinh gắn với trường", "Candidates linked to a school"),
    "linked_pct": ("Tỷ lệ gắn với trường (%)", "Linked to a school (%)"),
    "outlier_schools": ("Số trường có điểm bất thường", "Outlier schools"),
}


def exam_school_year(year: int) -> str:
    """The school year whose end an exam year closes: 2025 -> '2024-2025'."""
    return f"{year - 1}-{year}"


def subject_codes() -> list[str]:
    return [s.code for s in load_exam_catalog().subjects]


def combination_codes() -> list[str]:
    return [c.code for c in load_exam_catalog().combinations]


def years(conn: duckdb.DuckDBPyConnection, settings: Settings) -> pl.DataFrame:
    return db.query(conn, "queries/exam_years", settings)


def spectrum(
    conn: duckdb.DuckDBPyConnection,
    settings: Settings,
    *,
    year: int,
    scheme: str,
    level: str,
    units: list[str] | None,
    subject: str,
) -> pl.DataFrame:
    """Papers per 0.25 bin and their share (%) of the unit's papers."""
    return db.query(
        conn,
        "queries/exam_spectrum",
        settings,
        year=year,
        scheme=scheme,
        level=level,
        units=units,
        subject=subject,
    )


def combinations(
    conn: duckdb.DuckDBPyConnection, settings: Settings, *, year: int, unit: Unit
) -> pl.DataFrame:
    """The unit's admission combinations, with their papers and language from the catalog."""
    rows = db.query(
        conn,
        "queries/exam_combinations",
        settings,
        year=year,
        scheme=unit.scheme,
        level=unit.level,
        unit=unit.code,
    )
    catalog = load_exam_catalog()
    papers = pl.DataFrame(
        {
            "combination": [c.code for c in catalog.combinations],
            "subjects": [", ".join(c.subjects) for c in catalog.combinations],
            "subjects_vi": [
                ", ".join(catalog.subject(code).vi for code in c.subjects)
                for c in catalog.combinations
            ],
            "language": [c.language for c in catalog.combinations],
        }
    )
    return papers.join(rows, on="combination", how="inner")


def schools(
    conn: duckdb.DuckDBPyConnection, settings: Settings, *, year: int, unit: Unit, subject: str
) -> pl.DataFrame:
    """The unit's linked schools ranked by mean (1 = highest, ties share a rank), with their
    students and teachers per class from their latest return of the exam's school year."""
    return db.query(
        conn,
        "queries/exam_schools",
        settings,
        year=year,
        scheme=unit.scheme,
        level=unit.level,
        unit=unit.code,
        subject=subject,
        school_year=exam_school_year(year),
    )


def provinces(
    conn: duckdb.DuckDBPyConnection, settings: Settings, *, year: int, scheme: str, subject: str
) -> pl.DataFrame:
    """The provinces loaded ranked by mean in one subject (``*``: all papers)."""
    return db.query(
        conn, "queries/exam_ranks", settings, year=year, scheme=scheme, subject=subject
    ).with_columns(pl.lit(scheme).alias("scheme"))


def council_names() -> pl.DataFrame:
    """(council_code, council_name) of every exam council (the Ministry's names)."""
    councils = load_exam_catalog().councils
    return pl.DataFrame(
        {"council_code": list(councils), "council_name": [c.name for c in councils.values()]}
    )


def quality(conn: duckdb.DuckDBPyConnection, settings: Settings, *, year: int) -> pl.DataFrame:
    """Per council: the number range covered, the candidates linked, the outlier schools."""
    rows = db.query(conn, "queries/exam_quality", settings, year=year)
    return rows.join(council_names(), on="council_code", how="left").select(
        "council_code", "council_name", pl.exclude("council_code", "council_name")
    )
