"""CSV and XLSX writers shared by every list: the same frames, the same columns, two formats.

- Text cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``,
  ``@``, a tab or a carriage return) get a leading ``'`` (OWASP CSV injection guidance) in
  both formats; numbers are never touched. XLSX text is always written with ``write_string``.
- CSV is UTF-8 with a BOM, CRLF line ends and RFC 4180 quoting, produced chunk by chunk so a
  large export never sits in memory; XLSX uses xlsxwriter's ``constant_memory`` mode.
- No silent caps: when ``limit`` (or the sheet's capacity) cuts rows, the last row of the
  file says so in English and Vietnamese, and the caller gets a :class:`Truncation` to put
  in a response header too.
- NaN and infinity are unknown, written as empty cells like None. Time-zone aware times are
  shown in Vietnam time (Asia/Ho_Chi_Minh) without an offset.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal

import polars as pl
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from ioc.catalog import load_contract
from ioc.config import display_zone

if TYPE_CHECKING:  # pyarrow (and NumPy) cost 0.2 s to import; only the annotation needs it
    import pyarrow as pa

Kind = Literal["text", "integer", "decimal", "percent", "date"]
Headers = Literal["vi", "en", "canonical"]
Source = pl.DataFrame | pl.LazyFrame | Iterable[pl.DataFrame]

BOM = b"\xef\xbb\xbf"
TRUNCATION_MARK = "# TRUNCATED"
EXCEL_MAX_ROWS = 1_048_576
CHUNK_ROWS = 10_000
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
_DANGEROUS_PATTERN = r"^([=+\-@\t\r])"
_KINDS = ("text", "integer", "decimal", "percent", "date")
_WIDTH_MIN, _WIDTH_MAX, _WIDTH_SAMPLE = 8, 50, 500


def neutralise(value: str) -> str:
    """Make a text cell inert in Excel, LibreOffice and Google Sheets (prefix ``'``)."""
    return "'" + value if value.startswith(_DANGEROUS) else value


def neutralise_expr(expr: pl.Expr) -> pl.Expr:
    """:func:`neutralise` as a Polars expression over a String column (nulls stay null)."""
    return expr.str.replace(_DANGEROUS_PATTERN, "'$1")


@dataclass(frozen=True, slots=True)
class Column:
    """One exported column: source column ``name``, its labels, and how to format it.

    ``percent`` values are stored as the number shown (87.5 for 87,5 %). ``decimals`` is the
    number of decimals shown in XLSX for decimal and percent columns (default 1).
    """

    name: str
    vi: str
    en: str
    kind: Kind = "text"
    decimals: int = 1

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise ValueError(f"column {self.name!r}: unknown kind {self.kind!r}")

    def label(self, headers: Headers) -> str:
        if headers == "vi":
            return self.vi
        if headers == "en":
            return self.en
        if headers == "canonical":
            return self.name
        raise ValueError(f"headers must be 'vi', 'en' or 'canonical', not {headers!r}")


# Labels of output columns that are not fields of the return contract (those come from
# ioc/catalog/fields.yaml). A list may pass its own labels to columns_for.
_LABELS: dict[str, tuple[str, str]] = {
    "unit_code": ("Mã đơn vị", "Unit code"),
    "unit_name": ("Tên đơn vị", "Unit name"),
    "scheme": ("Hệ đơn vị", "Unit scheme"),
    "period": ("Kỳ báo cáo", "Period"),
    "indicator": ("Mã chỉ tiêu", "Indicator"),
    "indicator_id": ("Mã chỉ tiêu", "Indicator"),
    "numerator": ("Tử số", "Numerator"),
    "denominator": ("Mẫu số", "Denominator"),
    "value": ("Giá trị", "Value"),
    "norm": ("Định mức", "Norm"),
    "target": ("Mục tiêu", "Target"),
    "status": ("Trạng thái", "Status"),
    "norm_status": ("Đánh giá theo định mức", "Status against the norm"),
    "target_status": ("Đánh giá theo mục tiêu", "Status against the target"),
    "coverage_pct": ("Độ bao phủ (%)", "Coverage (%)"),
    "schools": ("Số trường", "Schools"),
    "schools_contributing": ("Số trường có số liệu", "Schools contributing"),
    "schools_expected": ("Số trường phải báo cáo", "Schools expected"),
    "schools_reported": ("Số trường đã báo cáo", "Schools reported"),
    "schools_on_time": ("Số trường báo cáo đúng hạn", "Schools on time"),
    "schools_late": ("Số trường báo cáo trễ", "Schools late"),
    "schools_missing": ("Số trường chưa báo cáo", "Schools missing"),
    "schools_with_findings": ("Số trường có cảnh báo", "Schools with findings"),
    "completeness_pct": ("Tỷ lệ đầy đủ (%)", "Completeness (%)"),
    "timeliness_pct": ("Tỷ lệ đúng hạn (%)", "Timeliness (%)"),
    "quality_score": ("Điểm chất lượng dữ liệu", "Data-quality score"),
    "rule": ("Quy tắc", "Rule"),
    "message": ("Nội dung", "Message"),
    "received_at": ("Ngày nhận", "Received"),
    "schools_in_scope": ("Số trường phải báo cáo", "Schools expected"),
    "norm_value": ("Định mức", "Norm"),
    "target_value": ("Mục tiêu", "Target"),
    "previous_value": ("Năm trước", "Previous year"),
    "change": ("Thay đổi so với năm trước", "Change since last year"),
    "is_break": ("Qua sắp xếp địa giới 2025", "Across the 2025 reorganisation"),
    # rejects, warnings and findings (their rule, field and message: ioc.catalog.messages)
    "run_id": ("Lần nạp", "Run"),
    "file_name": ("Tệp", "File"),
    "sheet": ("Trang tính", "Sheet"),
    "source_row": ("Dòng", "Row"),
    "column_name": ("Cột", "Column"),
    "field": ("Chỉ số", "Field"),
    "params": ("Tham số", "Parameters"),
    # schools and indicators (their X_vi/X_en pairs shown as X: ioc.catalog.messages.localise)
    "indicator_name": ("Chỉ tiêu", "Indicator"),
    "name": ("Tên", "Name"),
    "unit": ("Đơn vị tính", "Unit"),
    "family": ("Nhóm chỉ tiêu", "Family"),
    "direction": ("Chiều đánh giá", "Direction"),
    "is_count": ("Chỉ tiêu đếm", "Count indicator"),
    "norm_sources": ("Căn cứ định mức", "Norm sources"),
    "district_code_legacy": ("Mã huyện cũ", "Old district code"),
    "district_name_legacy": ("Huyện cũ", "Old district"),
    "commune_code_legacy": ("Mã xã (trước 01/7/2025)", "Commune code (before 1 July 2025)"),
    "commune_code_2025": ("Mã xã (từ 01/7/2025)", "Commune code (since 1 July 2025)"),
    "commune_name": ("Xã/phường", "Commune"),
    "province_code_legacy": ("Mã tỉnh (trước 01/7/2025)", "Province code (before 1 July 2025)"),
    "province_code_2025": ("Mã tỉnh (từ 01/7/2025)", "Province code (since 1 July 2025)"),
}
_PERCENT_SUFFIXES = ("_pct", "_rate", "_percent")


def _kind_for(name: str, dtype: pl.DataType, field_type: str | None) -> Kind:
    if field_type in ("text", "code", "enum") or name.endswith("_code"):
        return "text"
    if isinstance(dtype, pl.Date | pl.Datetime):
        return "date"
    if dtype.is_integer() or (isinstance(dtype, pl.Decimal) and dtype.scale == 0):
        return "integer"
    if dtype.is_float() or isinstance(dtype, pl.Decimal):
        return "percent" if name.endswith(_PERCENT_SUFFIXES) else "decimal"
    return "text"


def columns_for(
    frame: pl.DataFrame | pl.LazyFrame, labels: Mapping[str, tuple[str, str]] | None = None
) -> list[Column]:
    """Column specs for every column of ``frame``: labels from ``labels`` (name -> (vi, en)),
    else the return contract or the common output columns, else the name itself; the kind
    from the contract field type, the dtype and a ``_pct``/``_rate`` suffix."""
    schema = frame.collect_schema() if isinstance(frame, pl.LazyFrame) else frame.schema
    fields = load_contract().by_name
    out = []
    for name, dtype in schema.items():
        field = fields.get(name)
        vi, en = (
            (labels or {}).get(name)
            or _LABELS.get(name)
            or ((field.vi, field.en) if field else (name, name))
        )
        out.append(Column(name, vi, en, _kind_for(name, dtype, field.type if field else None)))
    return out


@dataclass(frozen=True, slots=True)
class Truncation:
    """``rows`` of ``total`` rows were written; the file ends with :attr:`notice`."""

    rows: int
    total: int

    @property
    def notice(self) -> str:
        return (
            f"{TRUNCATION_MARK}: {self.rows} of {self.total} rows; narrow the query or use "
            f"pagination. / ĐÃ CẮT BỚT: chỉ có {self.rows} trên {self.total} dòng; hãy thu hẹp "
            "truy vấn hoặc dùng phân trang."
        )

    def http_headers(self) -> dict[str, str]:
        """Suggested response headers (the API layer owns the names)."""
        return {
            "X-Export-Truncated": "true",
            "X-Export-Rows": str(self.rows),
            "X-Total-Count": str(self.total),
        }


def truncation_for(total: int, limit: int | None) -> Truncation | None:
    """The truncation a query of ``total`` rows will get, known before streaming starts."""
    return Truncation(limit, total) if limit is not None and total > limit else None


@dataclass(frozen=True, slots=True)
class ExportResult:
    rows: int
    truncation: Truncation | None


# --------------------------------------------------------------------------- frames


def _frames(source: Source, chunk_rows: int) -> Iterator[pl.DataFrame]:
    if isinstance(source, pl.LazyFrame):
        batches: Iterable[pl.DataFrame] = source.collect_batches(chunk_size=chunk_rows)
    elif isinstance(source, pl.DataFrame):
        batches = (source,)
    else:
        batches = source
    iterator = iter(batches)
    try:
        for frame in iterator:
            yield from frame.iter_slices(chunk_rows)
    finally:  # a cut export stops early: let the source release its query result
        close = getattr(iterator, "close", None)
        if close is not None:
            close()


def arrow_frames(reader: pa.RecordBatchReader) -> Iterator[pl.DataFrame]:
    """Frames from an Arrow reader (e.g. DuckDB's ``relation.to_arrow_reader(50_000)``),
    closing the reader when the export ends or stops early, so the connection is free."""
    with reader:
        for batch in reader:
            frame = pl.from_arrow(batch)
            assert isinstance(frame, pl.DataFrame)
            yield frame


class _Limited:
    """The source's rows up to ``limit``, in chunks; :attr:`truncation` is set once consumed
    (or at once when ``total`` already shows the cut)."""

    def __init__(self, source: Source, limit: int | None, total: int | None, chunk_rows: int):
        if limit is not None and limit < 0:
            raise ValueError("limit must be >= 0")
        self._source, self._limit, self._total = source, limit, total
        self._chunk_rows = chunk_rows
        self.rows = 0
        self.truncation = truncation_for(total, limit) if total is not None else None

    def __iter__(self) -> Iterator[pl.DataFrame]:
        with closing(_frames(self._source, self._chunk_rows)) as frames:
            yield from self._limited(frames)

    def _limited(self, frames: Iterator[pl.DataFrame]) -> Iterator[pl.DataFrame]:
        limit = self._limit
        for frame in frames:
            if limit is not None and self.rows + frame.height > limit:
                keep = limit - self.rows
                if keep:
                    self.rows += keep
                    yield frame.head(keep)
                total = self._total
                if total is None or total <= limit:  # count what was left (no writing)
                    total = self.rows + frame.height - keep + sum(f.height for f in frames)
                self.truncation = Truncation(self.rows, total)
                return
            self.rows += frame.height
            yield frame
        self.truncation = None


def _prepare_expr(column: Column, dtype: pl.DataType) -> pl.Expr:
    expr = pl.col(column.name)
    if dtype.is_nested():
        raise TypeError(f"column {column.name!r}: nested type {dtype} cannot be exported")
    if column.kind != "text":
        if isinstance(dtype, pl.Decimal):
            return expr.cast(pl.Int64 if dtype.scale == 0 else pl.Float64)
        if dtype.is_float():
            return pl.when(expr.is_finite()).then(expr)
        if dtype.is_integer():
            return expr
        if isinstance(dtype, pl.Datetime):
            if dtype.time_zone is not None:
                # shown in the display time zone, the Department's local time
                zone = display_zone()
                expr = expr.dt.convert_time_zone(zone).dt.replace_time_zone(None)
            return expr
        if isinstance(dtype, pl.Date):
            return expr
    return neutralise_expr(expr.cast(pl.String))


def prepare(frame: pl.DataFrame, columns: list[Column]) -> pl.DataFrame:
    """The exported columns in order, text cast to String and neutralised, numbers cleaned."""
    schema = frame.schema  # made anew on every access: once, not once a column
    missing = [c.name for c in columns if c.name not in schema]
    if missing:
        raise KeyError(f"export columns missing from the data: {', '.join(missing)}")
    return frame.select(_prepare_expr(c, schema[c.name]) for c in columns)


def _check(columns: list[Column], headers: Headers) -> list[str]:
    if not columns:
        raise ValueError("an export needs at least one column")
    return [neutralise(c.label(headers)) for c in columns]


# --------------------------------------------------------------------------- CSV


def _csv_line(cells: list[str]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(cells)
    return out.getvalue().encode("utf-8")


class CsvStream(Iterator[bytes]):
    """The CSV file as byte chunks. :attr:`truncation` is known up front when the caller
    passed ``total``, otherwise once the stream is exhausted; :attr:`rows` counts data rows."""

    def __init__(
        self,
        source: Source,
        columns: list[Column],
        headers: Headers,
        *,
        limit: int | None,
        total: int | None = None,
        chunk_rows: int = CHUNK_ROWS,
    ):
        self._labels = _check(columns, headers)
        self._columns = columns
        self._rows = _Limited(source, limit, total, chunk_rows)
        self._chunks = self._generate()

    @property
    def rows(self) -> int:
        return self._rows.rows

    @property
    def truncation(self) -> Truncation | None:
        return self._rows.truncation

    def __next__(self) -> bytes:
        return next(self._chunks)

    def close(self) -> None:
        """Stop early (e.g. the client went away) and release the source's query result."""
        self._chunks.close()

    def _generate(self) -> Iterator[bytes]:
        yield BOM + _csv_line(self._labels)
        with closing(iter(self._rows)) as frames:
            for frame in frames:
                buffer = io.BytesIO()
                prepare(frame, self._columns).write_csv(
                    buffer,
                    include_header=False,
                    line_terminator="\r\n",
                    float_scientific=False,
                    datetime_format="%Y-%m-%d %H:%M:%S",
                )
                yield buffer.getvalue()
        if self._rows.truncation is not None:
            yield _csv_line([self._rows.truncation.notice] + [""] * (len(self._columns) - 1))


def csv_chunks(
    frames: Source,
    columns: list[Column],
    headers: Headers = "vi",
    *,
    limit: int | None,
    total: int | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> CsvStream:
    """Stream ``frames`` as CSV bytes (an iterator with ``.truncation`` and ``.rows``).

    ``total``: the query's row count if known (e.g. from a ``count(*)``); then the truncation
    is known before the first chunk, for a response header, and the rest of the source is
    not read to count it.
    """
    return CsvStream(frames, columns, headers, limit=limit, total=total, chunk_rows=chunk_rows)


# --------------------------------------------------------------------------- XLSX


def open_workbook(target: str | Path | IO[bytes]) -> xlsxwriter.Workbook:
    """An xlsxwriter workbook in constant-memory mode, for :func:`write_sheet`."""
    return xlsxwriter.Workbook(target, {"constant_memory": True})


def sheet_name_for(name: str) -> str:
    """A valid Excel sheet name: no ``[]:*?/\\``, at most 31 characters."""
    return re.sub(r"[\[\]:*?/\\]", "-", name).strip("'")[:31] or "Sheet1"


def _number_format(column: Column) -> str:
    if column.kind == "integer":
        return "#,##0"
    decimals = "." + "0" * column.decimals if column.decimals > 0 else ""
    return ("#,##0" if column.kind == "decimal" else "0") + decimals


def _width(value: Any) -> int:
    if isinstance(value, str):
        return max(len(line) for line in value.split("\n"))
    if isinstance(value, int | float):
        return len(f"{value:,.1f}")
    return 16 if isinstance(value, dt.datetime) else 10  # dd/mm/yyyy hh:mm, dd/mm/yyyy


def _widths(labels: list[str], sample: pl.DataFrame | None) -> list[int]:
    widths = [len(label) + 3 for label in labels]  # room for the filter button
    if sample is not None:
        for i, series in enumerate(sample.head(_WIDTH_SAMPLE).get_columns()):
            widths[i] = max([widths[i], *(_width(v) + 1 for v in series if v is not None)])
    return [min(max(w, _WIDTH_MIN), _WIDTH_MAX) for w in widths]


Writer = Callable[[int, int, Any, Format | None], Any]


class _Writers:
    """The write method and cell format of each column, by the chunk's dtypes (formats are
    made once per sheet)."""

    def __init__(self, workbook: xlsxwriter.Workbook, ws: Worksheet, columns: list[Column]):
        self._workbook, self._ws, self._columns = workbook, ws, columns
        self._formats: dict[str, Format] = {}
        self._by_schema: dict[tuple[pl.DataType, ...], list[tuple[Writer, Format | None]]] = {}

    def _format(self, num_format: str) -> Format:
        if num_format not in self._formats:
            self._formats[num_format] = self._workbook.add_format({"num_format": num_format})
        return self._formats[num_format]

    def _writer(self, column: Column, dtype: pl.DataType) -> tuple[Writer, Format | None]:
        if dtype == pl.String or dtype == pl.Null:
            return self._ws.write_string, None
        if isinstance(dtype, pl.Date):
            return self._ws.write_number, self._format("dd/mm/yyyy")
        if isinstance(dtype, pl.Datetime):
            return self._ws.write_number, self._format("dd/mm/yyyy hh:mm")
        return self._ws.write_number, self._format(_number_format(column))

    def for_frame(
        self, frame: pl.DataFrame
    ) -> tuple[pl.DataFrame, list[tuple[Writer, Format | None]]]:
        """The frame with dates as Excel serial numbers (much faster than write_datetime),
        and each column's writer."""
        key = tuple(frame.dtypes)
        if key not in self._by_schema:
            self._by_schema[key] = [
                self._writer(c, d) for c, d in zip(self._columns, key, strict=True)
            ]
        serials = [
            _excel_serial(name)
            for name, dtype in frame.schema.items()
            if isinstance(dtype, pl.Date | pl.Datetime)
        ]
        return frame.with_columns(serials), self._by_schema[key]


def _excel_serial(name: str) -> pl.Expr:
    """Days since 1899-12-30 (Excel's serial date; dates from 1 March 1900 on)."""
    since = pl.col(name).cast(pl.Datetime("us")) - dt.datetime(1899, 12, 30)
    return since.dt.total_microseconds() / 86_400_000_000


def write_sheet(
    workbook: xlsxwriter.Workbook,
    source: Source,
    columns: list[Column],
    headers: Headers = "vi",
    *,
    sheet_name: str = "Dữ liệu",
    title: str | None = None,
    limit: int | None = None,
    total: int | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> ExportResult:
    """Write one list as a sheet of ``workbook`` (see :func:`open_workbook`): optional title
    row, bold frozen header row, autofilter over the data, widths from header and sample
    values, number formats by kind, a final notice row when rows were cut."""
    labels = _check(columns, headers)
    ws = workbook.add_worksheet(sheet_name_for(sheet_name))
    header_row = 0 if title is None else 1
    if title is not None:
        ws.write_string(0, 0, neutralise(title), workbook.add_format({"bold": True, "size": 14}))
    header_fmt = workbook.add_format(
        {"bold": True, "text_wrap": True, "valign": "top", "bottom": 1}
    )
    for col, label in enumerate(labels):
        ws.write_string(header_row, col, label, header_fmt)
    capacity = EXCEL_MAX_ROWS - header_row - 2  # header above, notice below
    rows = _Limited(source, capacity if limit is None else min(limit, capacity), total, chunk_rows)
    row, sample, writers = header_row + 1, None, _Writers(workbook, ws, columns)
    for chunk in rows:
        frame = prepare(chunk, columns)
        sample = frame if sample is None else sample
        frame, by_column = writers.for_frame(frame)
        for values in frame.iter_rows():
            for col, value in enumerate(values):
                if value is not None:
                    write, fmt = by_column[col]
                    write(row, col, value, fmt)
            row += 1
    ws.freeze_panes(header_row + 1, 0)
    ws.autofilter(header_row, 0, max(header_row, row - 1), len(columns) - 1)
    for col, width in enumerate(_widths(labels, sample)):
        ws.set_column(col, col, width)
    if rows.truncation is not None:
        ws.write_string(row, 0, rows.truncation.notice, workbook.add_format({"bold": True}))
    return ExportResult(rows.rows, rows.truncation)


def write_xlsx(
    frame_or_chunks: Source,
    path_or_buffer: str | Path | IO[bytes],
    columns: list[Column],
    headers: Headers = "vi",
    *,
    sheet_name: str = "Dữ liệu",
    title: str | None = None,
    limit: int | None = None,
    total: int | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> ExportResult:
    """Write a one-sheet workbook to a path or binary buffer; see :func:`write_sheet`."""
    workbook = open_workbook(path_or_buffer)
    try:
        return write_sheet(
            workbook,
            frame_or_chunks,
            columns,
            headers,
            sheet_name=sheet_name,
            title=title,
            limit=limit,
            total=total,
            chunk_rows=chunk_rows,
        )
    finally:
        workbook.close()
