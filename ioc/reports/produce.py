"""Produce report files: one unit, one period, one kind, one or more formats."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl

from ioc import db
from ioc.config import Settings
from ioc.domain.period import Period
from ioc.domain.units import Unit
from ioc.exports.cells import Column
from ioc.exports.lists import columns_for
from ioc.exports.writer import REPORT, csv_chunks, write_xlsx
from ioc.reports import content
from ioc.reports.cover import issuer_for
from ioc.reports.exam_sheet import gather as gather_exams
from ioc.reports.files import file_name
from ioc.reports.kinds import (
    INDICATOR_TABLE,
    KINDS,
    STANDARD,
    Format,
    Kind,
    check_format,
    check_kind,
)
from ioc.reports.labels import STATUS, both
from ioc.reports.pdf import write_pdf
from ioc.reports.periods import check_rule, resolve_period
from ioc.reports.workbook import (
    SCHOOL_COLUMNS,
    Cover,
    WorkbookData,
    school_columns,
    write_workbook,
)
from ioc.views.units import find_unit

TABLE_LABELS = {
    "name_vi": ("Chỉ tiêu", "Indicator name"),
    "unit_vi": ("Đơn vị tính", "Unit"),
    "school_name": ("Tên trường", "School name"),
    "district_code_legacy": ("Mã huyện cũ", "Old district code"),
    "commune_code_2025": ("Mã xã (2025)", "Commune code (2025)"),
    "due_date": ("Hạn báo cáo", "Due date"),
    "first_received_date": ("Ngày nhận lần đầu", "First received"),
    "last_period": ("Kỳ báo cáo gần nhất", "Last period reported"),
    "previous_value": ("Cùng kỳ năm trước", "Same period last year"),
}


@dataclass(frozen=True)
class ReportRequest:
    """What to produce: ``unit`` is a unit code or ``VN``; ``period`` a period or a rule
    (``latest``, ``previous``); ``scheme`` None means the period's own scheme."""

    unit: str
    period: str
    scheme: str | None = None
    kind: str = STANDARD
    formats: tuple[str, ...] = ("xlsx",)
    filters: Mapping[str, str] = field(default_factory=dict)

    def checked(self) -> ReportRequest:
        """Raises ValueError naming what is wrong."""
        check_kind(self.kind)
        check_rule(self.period)
        for fmt in self.formats:
            check_format(fmt, self.kind)
        if not self.formats:
            raise ValueError("give at least one format")
        if self.scheme not in (None, "legacy", "2025"):
            raise ValueError(f"scheme must be 'legacy' or '2025', not {self.scheme!r}")
        return self


@dataclass(frozen=True)
class Produced:
    unit: Unit
    school_year: str
    term: str
    paths: list[Path]


def produce(
    conn: duckdb.DuckDBPyConnection,
    settings: Settings,
    request: ReportRequest,
    folder: Path,
    *,
    at: datetime | None = None,
    out: Path | None = None,
) -> Produced:
    """Write the report's files into ``folder`` under their standard names (or to ``out``,
    with one format), each first written beside it and then renamed into place."""
    request = request.checked()
    kind = check_kind(request.kind)
    at = at or content.now()
    period = resolve_period(conn, settings, request.period)
    school_year, term = period.school_year, period.term
    scheme = request.scheme or period.scheme
    unit = find_unit(conn, settings, request.unit, scheme, national_code=True)
    filters = {
        "Loại báo cáo / Report": f"{kind.vi} / {kind.en}",
        "Quy tắc kỳ / Period rule": request.period,
        **request.filters,
    }
    paths = []
    for fmt in request.formats:
        name = file_name(kind.slug, unit.scheme, unit.code, school_year, term, at, fmt)
        target = out if out is not None else folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            dir=target.parent, prefix=".writing-", suffix=f".{fmt}", delete=False
        ) as tmp:
            partial = Path(tmp.name)
        try:
            write_report(
                conn,
                settings,
                kind,
                unit,
                school_year,
                term,
                check_format(fmt),
                partial,
                at=at,
                filters=filters,
            )
            partial.replace(target)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        paths.append(target)
    return Produced(unit, school_year, term, paths)


def write_report(
    conn: duckdb.DuckDBPyConnection,
    settings: Settings,
    kind: Kind,
    unit: Unit,
    school_year: str,
    term: str,
    fmt: Format,
    path: Path,
    *,
    at: datetime,
    filters: Mapping[str, str],
) -> None:
    if kind.name == STANDARD and fmt in ("xlsx", "pdf"):
        data = gather_workbook(
            conn, settings, unit, school_year, term, at=at, filters=filters, schools=fmt == "xlsx"
        )
        (write_workbook if fmt == "xlsx" else write_pdf)(data, path)
        return
    table = KINDS["indicators"].table if kind.table is None else kind.table
    assert table is not None
    frame = table(conn, settings, unit, school_year, term)
    columns = _table_columns(kind, frame)
    frame = _statuses_as_text(frame)
    title = f"{kind.vi} / {kind.en} — {unit.name} ({unit.code}) — {Period.of(school_year, term)}"
    if fmt == "xlsx" and kind.name == "schools":  # large: its rows are spliced in
        write_xlsx(frame, path, columns, sheet_name=kind.vi, title=title, style=REPORT, bulk=True)
        return
    if fmt == "xlsx":
        write_xlsx(frame, path, columns, "vi", sheet_name=kind.vi, title=title)
        return
    with path.open("wb") as out:
        for chunk in csv_chunks(frame, columns, "vi", limit=None):
            out.write(chunk)


def _table_columns(kind: Kind, frame: pl.DataFrame) -> list[Column]:
    if kind.name == "schools":
        known = {c.name for c in SCHOOL_COLUMNS}
        columns = school_columns([c for c in frame.columns if c not in known])
        return [Column(c.name, c.vi.split("\n")[0], c.en, c.kind, c.decimals) for c in columns]
    if kind.table is None or kind.name == "indicators":
        frame = frame.select(INDICATOR_TABLE)
    return columns_for(frame, TABLE_LABELS)


def _statuses_as_text(frame: pl.DataFrame) -> pl.DataFrame:
    texts = {code: both(pair) for code, pair in STATUS.items()}
    return frame.with_columns(
        pl.col(c).replace(texts) for c in ("norm_status", "target_status") if c in frame.columns
    )


def gather_workbook(
    conn: duckdb.DuckDBPyConnection,
    settings: Settings,
    unit: Unit,
    school_year: str,
    term: str,
    *,
    at: datetime,
    filters: Mapping[str, str],
    schools: bool = True,
) -> WorkbookData:
    """Everything the standard report shows, from the shared readers (``schools``: with the
    school list, which only the workbook has)."""
    build = content.build_of(conn)
    total, by_unit = content.completeness(conn, settings, unit, school_year, term)
    issuer = issuer_for(settings, content.province_name(conn, settings, unit))
    cover = Cover(
        unit, school_year, term, at, build.data_as_of, build.build_id, issuer, dict(filters)
    )
    return WorkbookData(
        cover=cover,
        kpis=content.unit_rows(conn, settings, unit, school_year, term),
        children=content.child_rows(conn, settings, unit, school_year, term),
        completeness_total=total,
        completeness_by_unit=by_unit,
        schools=(
            content.school_rows(conn, settings, unit, school_year, term)
            if schools
            else pl.DataFrame()
        ),
        exams=gather_exams(conn, settings, unit, school_year) if schools else None,
    )


def produce_published(
    settings: Settings,
    request: ReportRequest,
    folder: Path,
    *,
    at: datetime | None = None,
    out: Path | None = None,
) -> Produced:
    """:func:`produce` on a fresh read-only connection to the published snapshot."""
    conn = db.connect_published(settings)
    try:
        return produce(conn, settings, request, folder, at=at, out=out)
    finally:
        conn.close()
