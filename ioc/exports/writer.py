"""The one writer of CSV and XLSX files, for lists (API, CLI) and reports alike.

- Cells as :mod:`ioc.exports.cells` makes them: text neutralised (a leading ``'`` before
  ``= + - @``, tab, carriage return), numbers cleaned, a number format by column kind.
- CSV is UTF-8 with a BOM, CRLF line ends and RFC 4180 quoting, produced chunk by chunk so a
  large export never sits in memory.
- XLSX: a :class:`Workbook` in xlsxwriter's ``constant_memory`` mode; :func:`write_sheet`
  adds a table: an optional title row, a bold frozen header row, an autofilter over the
  data, widths from the header and the first rows, a print-setup hook. Its rows go through
  xlsxwriter chunk by chunk, or (``bulk``: a large frame already in memory) as XML made by
  Polars and spliced in when the workbook closes (:mod:`ioc.exports.sheet_xml`).
- No silent caps: rows cut by ``limit`` or the sheet's capacity end the file with a notice
  row, and the caller gets a :class:`ioc.exports.rows.Truncation`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Generator, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import polars as pl
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from ioc.exports.cells import (
    TITLE_POINTS,
    Column,
    Headers,
    cell_format,
    column_widths,
    excel_serial,
    labels_of,
    neutralise,
    prepare,
    row_height,
)
from ioc.exports.rows import CHUNK_ROWS, ExportResult, LimitedRows, Source, Truncation
from ioc.exports.sheet_xml import FrameRows, Splice, row_xml, splice, string_cell

BOM = b"\xef\xbb\xbf"
EXCEL_MAX_ROWS = 1_048_576

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
        self._labels = labels_of(columns, headers)
        self._columns = columns
        self._rows = LimitedRows(source, limit, total, chunk_rows)
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

    def _generate(self) -> Generator[bytes]:
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


@dataclass(frozen=True, slots=True)
class SheetStyle:
    """How a table sheet looks: the header's fill, the columns frozen left of the data,
    whether the title and header rows get heights that fit their (wrapped) text, and the
    title's size in points."""

    header_fill: str | None = None
    freeze_columns: int = 0
    fit_rows: bool = False
    title_size: int = 14


LIST = SheetStyle()
REPORT = SheetStyle("#DDEBF7", freeze_columns=2, fit_rows=True)

#: called with a table sheet and its column widths once its layout is set (e.g. A4 setup)
PrintSetup = Callable[[Worksheet, list[int]], None]


class Workbook(xlsxwriter.Workbook):
    """An XLSX file in constant-memory mode: table sheets by :func:`write_sheet`, other
    sheets by xlsxwriter's own methods; rows made as XML are spliced in by :meth:`close`."""

    def __init__(self, target: str | Path | IO[bytes]) -> None:
        super().__init__(target, {"constant_memory": True})
        self._splice_path = Path(target) if isinstance(target, str | Path) else None
        self._pending_rows: list[Splice] = []
        self._cell_styles: dict[tuple[tuple[str, Any], ...], Format] = {}

    def cell_style(self, **properties: Any) -> Format:
        """The workbook's format with these xlsxwriter properties, made once."""
        key = tuple(sorted(properties.items()))
        if key not in self._cell_styles:
            self._cell_styles[key] = self.add_format(properties)
        return self._cell_styles[key]

    def header_style(self, style: SheetStyle) -> Format:
        fill = {"bg_color": style.header_fill} if style.header_fill else {}
        return self.cell_style(bold=True, text_wrap=True, valign="top", bottom=1, **fill)

    def last_member(self) -> str:
        """The file of the sheet added last, e.g. ``xl/worksheets/sheet3.xml``."""
        return f"xl/worksheets/sheet{len(self.worksheets())}.xml"

    def splice_later(self, rows: Splice) -> None:
        """Put these rows into their sheet when the workbook is closed (a file path only)."""
        if self._splice_path is None:
            raise TypeError("rows made as XML are spliced into a file: give a path")
        self._pending_rows.append(rows)

    def close(self) -> None:
        super().close()
        pending, self._pending_rows = self._pending_rows, []
        if pending and self._splice_path is not None:
            splice(self._splice_path, pending)


def open_workbook(target: str | Path | IO[bytes]) -> Workbook:
    """A workbook in constant-memory mode, for :func:`write_sheet`."""
    return Workbook(target)


def sheet_name_for(name: str) -> str:
    """A valid Excel sheet name: no ``[]:*?/\\``, at most 31 characters."""
    return re.sub(r"[\[\]:*?/\\]", "-", name).strip("'")[:31] or "Sheet1"


def unique_sheet_name(name: str, taken: set[str]) -> str:
    """:func:`sheet_name_for` made unique (Excel ignores case) among ``taken``, to which it
    is added: a ``(2)``, ``(3)``... at the end if needed."""
    base = sheet_name_for(name)
    candidate, n = base, 2
    while candidate.lower() in taken:
        tail = f" ({n})"
        candidate, n = base[: 31 - len(tail)] + tail, n + 1
    taken.add(candidate.lower())
    return candidate


def sheet_head(
    book: Workbook,
    name: str,
    labels: list[str],
    widths: list[int],
    *,
    title: str | None,
    style: SheetStyle,
) -> Worksheet:
    """A new sheet with its title row (if any), header row, column widths and frozen panes
    (the rows above the data, ``style.freeze_columns`` columns)."""
    ws = book.add_worksheet(sheet_name_for(name))
    header_row = 0 if title is None else 1
    if style.fit_rows:
        if title is not None:
            ws.set_row(0, TITLE_POINTS)
        ws.set_row(header_row, row_height(zip(labels, widths, strict=True)))
    if title is not None:
        title_format = book.cell_style(bold=True, font_size=style.title_size)
        ws.write_string(0, 0, neutralise(title), title_format)
    header = book.header_style(style)
    for col, label in enumerate(labels):
        ws.write_string(header_row, col, label, header)
    header._get_xf_index()  # style indices in the order xlsxwriter gives them on first use
    ws.freeze_panes(header_row + 1, style.freeze_columns)
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    return ws


Writer = Callable[[int, int, Any, Format | None], Any]


class _CellWriters:
    """Writes prepared chunks cell by cell: each column's write method and format by the
    chunk's dtypes (made once per sheet), dates as Excel serial numbers (much faster than
    write_datetime), no cell for a None."""

    def __init__(self, book: Workbook, ws: Worksheet, columns: list[Column]):
        self._book, self._ws, self._columns = book, ws, columns
        self._by_schema: dict[tuple[pl.DataType, ...], list[tuple[Writer, Format | None]]] = {}

    def _writers(self, dtypes: tuple[pl.DataType, ...]) -> list[tuple[Writer, Format | None]]:
        if dtypes not in self._by_schema:
            out: list[tuple[Writer, Format | None]] = []
            for column, dtype in zip(self._columns, dtypes, strict=True):
                num_format = cell_format(column, dtype)
                if num_format is None:
                    out.append((self._ws.write_string, None))
                else:
                    out.append(
                        (self._ws.write_number, self._book.cell_style(num_format=num_format))
                    )
            self._by_schema[dtypes] = out
        return self._by_schema[dtypes]

    def write(self, frame: pl.DataFrame, row: int) -> int:
        """Write ``frame`` from ``row`` on; returns the row after it."""
        writers = self._writers(tuple(frame.dtypes))
        dates = [n for n, t in frame.schema.items() if isinstance(t, pl.Date | pl.Datetime)]
        frame = frame.with_columns(excel_serial(pl.col(n)).alias(n) for n in dates)
        for values in frame.iter_rows():
            for col, value in enumerate(values):
                if value is not None:
                    write, fmt = writers[col]
                    write(row, col, value, fmt)
            row += 1
        return row


def _splice_rows(
    book: Workbook,
    frame: pl.DataFrame,
    columns: list[Column],
    first_row: int,
    notice: str | None,
) -> None:
    """The prepared ``frame``'s rows (and a notice row) as XML, spliced in at close."""
    styles = []
    for column, dtype in zip(columns, frame.dtypes, strict=True):
        num_format = cell_format(column, dtype)
        # the index xlsxwriter gives the format in styles.xml (assigned on first use)
        styles.append(None if num_format is None else book.cell_style(num_format=num_format))
    indices = [None if s is None else s._get_xf_index() for s in styles]
    end = first_row + frame.height
    after = ""
    if notice is not None:
        bold = book.cell_style(bold=True)._get_xf_index()
        after = row_xml(end, [string_cell(xl_rowcol_to_cell(end, 0), bold, notice)])
    last_row = end if notice is not None else max(end - 1, first_row)
    last_cell = xl_rowcol_to_cell(last_row, len(columns) - 1)
    book.splice_later(FrameRows(book.last_member(), frame, indices, first_row, last_cell, after))


def write_sheet(
    book: Workbook,
    source: Source,
    columns: list[Column],
    headers: Headers = "vi",
    *,
    sheet_name: str = "Dữ liệu",
    title: str | None = None,
    limit: int | None = None,
    total: int | None = None,
    chunk_rows: int = CHUNK_ROWS,
    style: SheetStyle = LIST,
    widths: dict[int, int] | None = None,
    print_setup: PrintSetup | None = None,
    bulk: bool = False,
) -> ExportResult:
    """Write one table as a sheet of ``book``: title row (optional), frozen header row,
    autofilter over the data, widths from the header and the first rows (``widths``: those
    the caller sets), number formats by kind, a final notice row when rows were cut.

    ``bulk``: the rows (a DataFrame in memory) are made as XML by Polars and spliced in when
    the book closes, for sheets too large to write cell by cell (a file path only)."""
    labels = labels_of(columns, headers)
    header_row = 0 if title is None else 1
    capacity = EXCEL_MAX_ROWS - header_row - 2  # header above, notice below
    whole = source if isinstance(source, pl.DataFrame) else None
    if bulk:
        if whole is None:
            raise TypeError("a bulk sheet's rows are a DataFrame")
        chunk_rows = max(chunk_rows, whole.height, 1)  # one chunk: the whole frame
    rows = LimitedRows(
        source, capacity if limit is None else min(limit, capacity), total, chunk_rows
    )
    with closing(iter(rows)) as chunks:
        first = next(chunks, None)
        sample = None if first is None else prepare(first, columns)
        chosen = [(widths or {}).get(c, w) for c, w in enumerate(column_widths(labels, sample))]
        ws = sheet_head(book, sheet_name, labels, chosen, title=title, style=style)
        row = header_row + 1
        if whole is not None and bulk:
            frame = prepare(whole.head(0), columns) if sample is None else sample
            for _ in chunks:  # counts the rows cut
                pass
            notice = None if rows.truncation is None else rows.truncation.notice
            _splice_rows(book, frame, columns, row, notice)
            row += frame.height
        else:
            cells = _CellWriters(book, ws, columns)
            if sample is not None:
                row = cells.write(sample, row)
            for chunk in chunks:
                row = cells.write(prepare(chunk, columns), row)
            if rows.truncation is not None:
                ws.write_string(row, 0, rows.truncation.notice, book.cell_style(bold=True))
    ws.autofilter(header_row, 0, max(header_row, row - 1), len(columns) - 1)
    if print_setup is not None:
        print_setup(ws, chosen)
    return ExportResult(rows.rows, rows.truncation)


def write_xlsx(
    frame_or_chunks: Source,
    path_or_buffer: str | Path | IO[bytes],
    columns: list[Column],
    headers: Headers = "vi",
    **options: Any,
) -> ExportResult:
    """Write a one-sheet workbook to a path or binary buffer; ``options``: those of
    :func:`write_sheet`."""
    book = open_workbook(path_or_buffer)
    try:
        return write_sheet(book, frame_or_chunks, columns, headers, **options)
    finally:
        book.close()
