"""The demo's files, in the shapes Departments receive, each old province's from its own
Department before 1 July 2025 and new Cần Thơ's from the merged Department after it.

Sóc Trăng's rotate through every shape and carry the planted problems (late districts, a
file with rejected rows and its correction); the other two send province-wide CSV files.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from ingest.demo.figures import generate_returns
from ingest.demo.population import NO_PLAN, DemoPlan, geo_of, population
from ingest.demo.provinces import ALL, LEGACY_PERIODS, LEVELS, PERIODS, PROVINCES, Province
from ingest.demo.shapes import write_csv, write_xlsx
from ioc.domain.period import Period

SHEET_NAMES = {"MN": "Mầm non", "TH": "Tiểu học", "THCS": "THCS", "THPT": "THPT"}


@dataclass(frozen=True)
class DemoBatch:
    """Files received together: one ingest call."""

    paths: list[Path]
    period: str | None  # "2021-2022/DN" when the files have no period columns
    received: date


DEPARTMENT_2025 = "SỞ GIÁO DỤC VÀ ĐÀO TẠO THÀNH PHỐ CẦN THƠ"
PERIOD_COLUMNS = ("school_year", "term")
LEVEL_ORDER = {level: i for i, level in enumerate(LEVELS)}
Writer = Callable[["_Context", str, str], list[DemoBatch]]


@dataclass(frozen=True)
class _Context:
    out_dir: Path
    returns: pl.DataFrame
    plan: DemoPlan
    province: Province | None  # None: the merged Department of 2025 Cần Thơ

    @property
    def department(self) -> str:
        return self.province.department if self.province else DEPARTMENT_2025

    @property
    def spec(self) -> Province:
        assert self.province is not None, "a district shape needs an old province"
        return self.province

    def frame(self, year: str, term: str, *, with_period: bool) -> pl.DataFrame:
        """The period's returns in file order (province, district, level, code)."""
        frame = self.returns.filter(pl.col("school_year") == year, pl.col("term") == term)
        order = pl.col("level").replace_strict(LEVEL_ORDER, return_dtype=pl.Int32)
        frame = frame.sort(pl.col("school_code").str.slice(0, 4), order, "school_code")
        return frame if with_period else frame.drop(PERIOD_COLUMNS)

    def path(self, name: str) -> Path:
        return self.out_dir / name


def _title(year: str, term: str, suffix: str = "") -> str:
    when = "ĐẦU" if term == "DN" else "CUỐI"
    return f"BÁO CÁO THỐNG KÊ {when} NĂM HỌC {year}{suffix}"


def _period(year: str, term: str) -> str:
    return str(Period.of(year, term))


def _received(year: str, term: str, days_before_due: int) -> date:
    """DN is due 31 October of the first year, CN 30 June of the second."""
    first = Period.of(year, term).first_year
    due = date(first, 10, 31) if term == "DN" else date(first + 1, 6, 30)
    return date.fromordinal(due.toordinal() - days_before_due)


def _by_level(frame: pl.DataFrame) -> dict[str, pl.DataFrame]:
    return {
        SHEET_NAMES[level]: part
        for level in LEVELS
        if not (part := frame.filter(pl.col("level") == level)).is_empty()
    }


def _by_district(ctx: _Context, frame: pl.DataFrame) -> dict[str, pl.DataFrame]:
    return {code: frame.filter(pl.col("district_code") == code) for code in ctx.spec.districts}


def _district_file(ctx: _Context, year: str, term: str, district: str, ext: str) -> str:
    key = geo_of(ctx.spec.code).district_keys[district].replace(" ", "_")
    return f"{year}_{term}_{district}_{key}.{ext}"


def _csv_batch(ctx: _Context, year: str, term: str, received: date, **options: Any) -> DemoBatch:
    """One province-wide CSV with the period columns."""
    frame = ctx.frame(year, term, with_period=True)
    path = write_csv(frame, ctx.path(f"{year}_{term}_toan_tinh.csv"), **options)
    return DemoBatch([path], None, received)


def _xlsx_levels(ctx: _Context, year: str, term: str, frame: pl.DataFrame, **options: Any) -> Path:
    titles = (ctx.department, _title(year, term))
    return write_xlsx(
        _by_level(frame), ctx.path(f"{year}_{term}_theo_cap_hoc.xlsx"), title_rows=titles, **options
    )


def _shape_csv_bom(ctx: _Context, year: str, term: str) -> list[DemoBatch]:
    return [_csv_batch(ctx, year, term, _received(year, term, 5), flags="co_khong")]


def _shape_xlsx_export(ctx: _Context, year: str, term: str) -> list[DemoBatch]:
    """The sector database export: one sheet per level, every decoration, text numbers."""
    frame = ctx.frame(year, term, with_period=False)
    path = _xlsx_levels(ctx, year, term, frame, numbers_as_text=".", flags="co_khong")
    return [DemoBatch([path], _period(year, term), _received(year, term, 2))]


def _shape_csv_utf16(ctx: _Context, year: str, term: str) -> list[DemoBatch]:
    options = {"encoding": "utf-16", "delimiter": "\t", "flags": "01"}
    return [_csv_batch(ctx, year, term, _received(year, term, 1), **options)]


def _shape_csv_canonical(ctx: _Context, year: str, term: str) -> list[DemoBatch]:
    options = {"encoding": "utf-8", "headers": "canonical", "thousands": ",", "flags": "01"}
    return [_csv_batch(ctx, year, term, _received(year, term, 0), **options)]


def _shape_csv_semicolon(ctx: _Context, year: str, term: str) -> list[DemoBatch]:
    options = {"delimiter": ";", "thousands": ".", "flags": "co_khong"}
    return [_csv_batch(ctx, year, term, _received(year, term, 1), **options)]


def _late_split(
    ctx: _Context, year: str, term: str, paths: dict[str, Path], on_time: date
) -> list[DemoBatch]:
    """Per-district files; a late district's file comes in its own, later batch."""
    late = ctx.plan.late.get(_period(year, term))
    period = _period(year, term)
    batches = [
        DemoBatch([p for d, p in paths.items() if not late or d != late[0]], period, on_time)
    ]
    if late:
        batches.append(DemoBatch([paths[late[0]]], period, late[1]))
    return batches


def _shape_district_csv(ctx: _Context, year: str, term: str) -> list[DemoBatch]:
    """District offices' CSV (semicolons, '.' thousands), no period columns."""
    frame = ctx.frame(year, term, with_period=False)
    paths = {
        district: write_csv(
            part, ctx.path(_district_file(ctx, year, term, district, "csv")),
            delimiter=";", thousands=".", flags="co_khong",
        )
        for district, part in _by_district(ctx, frame).items()
    }  # fmt: skip
    return _late_split(ctx, year, term, paths, _received(year, term, 3))


def _shape_district_xlsx(ctx: _Context, year: str, term: str) -> list[DemoBatch]:
    """District workbooks: title rows, one header row, unit and total rows, ',' thousands."""
    frame = ctx.frame(year, term, with_period=False)
    paths = {}
    names = geo_of(ctx.spec.code).district_names
    for district, part in _by_district(ctx, frame).items():
        titles = (ctx.department, _title(year, term, f" - {names[district].upper()}"))
        paths[district] = write_xlsx(
            {"Báo cáo": part}, ctx.path(_district_file(ctx, year, term, district, "xlsx")),
            title_rows=titles, group_header=False, numbers_as_text=",", flags="01",
        )  # fmt: skip
    return _late_split(ctx, year, term, paths, _received(year, term, 3))


def _replace(code: str, name: str, value: pl.Expr) -> pl.Expr:
    return pl.when(pl.col("school_code") == code).then(value).otherwise(pl.col(name)).alias(name)


def _plant_problems(frame: pl.DataFrame, plan: DemoPlan) -> pl.DataFrame:
    """Rows the ingest rejects, and valid-but-wrong figures a correction file replaces."""
    rule = {name: school for school, name in plan.rejected.items()}
    first, second = plan.revised
    return frame.with_columns(
        _replace(rule["negative_count"], "classrooms_temporary", pl.lit(-2)),
        _replace(rule["students_female_le_students"], "students_female", pl.col("students") + 37),
        *(
            _replace(rule["students_require_classes"], name, pl.lit(0, dtype=pl.Int64))
            for name in ("classes", "classes_two_sessions", "classes_multigrade")
        ),
        _replace(first, "students", pl.col("students") + 90),
        _replace(second, "teachers", pl.col("teachers") + 10),
    )


def _shape_xlsx_with_rejects(ctx: _Context, year: str, term: str) -> list[DemoBatch]:
    """Mixed headers wrapped over lines, plain numbers, planted bad rows; then a correction."""
    frame = ctx.frame(year, term, with_period=True)
    bad = _plant_problems(frame, ctx.plan)
    path = _xlsx_levels(ctx, year, term, bad, headers="mixed", header_line_breaks=True, flags="01")
    fixed = frame.filter(pl.col("school_code").is_in([*ctx.plan.rejected, *ctx.plan.revised]))
    correction = write_csv(
        fixed, ctx.path(f"{year}_{term}_bo_sung_dieu_chinh.csv"), flags="co_khong"
    )
    return [
        DemoBatch([path], None, _received(year, term, 1)),
        DemoBatch([correction], None, _received(year, term, -24)),
    ]


def _shape_xlsx_single(ctx: _Context, year: str, term: str) -> list[DemoBatch]:
    """One sheet for the province, group headers, no spacer rows, plain numbers."""
    frame = ctx.frame(year, term, with_period=False)
    path = write_xlsx(
        {"Tổng hợp": frame}, ctx.path(f"{year}_{term}_tong_hop.xlsx"),
        title_rows=(ctx.department, _title(year, term)), spacer_rows=False, flags="co_khong",
    )  # fmt: skip
    return [DemoBatch([path], _period(year, term), _received(year, term, 3))]


def _shape_csv_utf16_2025(ctx: _Context, year: str, term: str) -> list[DemoBatch]:
    options = {"encoding": "utf-16", "delimiter": "\t", "flags": "co_khong"}
    return [_csv_batch(ctx, year, term, _received(year, term, 1), **options)]


SHAPES: dict[tuple[str, str], Writer] = {
    ("2020-2021", "DN"): _shape_csv_bom,
    ("2020-2021", "CN"): _shape_xlsx_export,
    ("2021-2022", "DN"): _shape_xlsx_export,
    ("2021-2022", "CN"): _shape_csv_utf16,
    ("2022-2023", "DN"): _shape_district_csv,
    ("2022-2023", "CN"): _shape_csv_canonical,
    ("2023-2024", "DN"): _shape_xlsx_with_rejects,
    ("2023-2024", "CN"): _shape_district_xlsx,
    ("2024-2025", "DN"): _shape_csv_semicolon,
    ("2024-2025", "CN"): _shape_xlsx_single,
}
# The other two Departments send one province-wide CSV a period, in encodings of their own
# (CSV keeps the three-province build within its time: a workbook costs far more to write).
PROVINCE_WIDE: tuple[Writer, ...] = (
    _shape_csv_semicolon, _shape_csv_canonical, _shape_csv_bom, _shape_csv_utf16,
)  # fmt: skip
SHAPE_2025: Writer = _shape_csv_utf16_2025


def _shapes(province: str) -> dict[tuple[str, str], Writer]:
    if province == "94":
        return SHAPES
    offset = sorted(PROVINCES).index(province) * 2
    return {
        period: PROVINCE_WIDE[(i + offset) % len(PROVINCE_WIDE)]
        for i, period in enumerate(LEGACY_PERIODS)
    }


def write_demo_files(
    out_dir: Path, seed: int = 94, provinces: Iterable[str] = ALL
) -> list[DemoBatch]:
    """Write every period's files under ``out_dir`` (Sóc Trăng's at the top, the other old
    provinces' in a folder each); batches in the order they were received."""
    out_dir = Path(out_dir)
    codes = sorted(provinces)
    batches = []
    for code in codes:
        where = out_dir if code == "94" else out_dir / PROVINCES[code].key
        where.mkdir(parents=True, exist_ok=True)
        plan = population(seed, code)[1]
        ctx = _Context(where, generate_returns(seed, [code]), plan, PROVINCES[code])
        for (year, term), shape in _shapes(code).items():
            batches += shape(ctx, year, term)
    merged = _Context(out_dir, generate_returns(seed, codes), NO_PLAN, None)
    for year, term in PERIODS[len(LEGACY_PERIODS) :]:
        batches += SHAPE_2025(merged, year, term)
    return sorted(batches, key=lambda b: b.received)
