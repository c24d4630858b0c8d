"""Large sheets for the standard workbook: the cells' XML made by Polars, column by column,
and spliced into the workbook's file after xlsxwriter has closed it.

Writing cell by cell costs xlsxwriter about 10 µs a cell, half a minute for a national
school list (53,000 schools × 60 columns). Here xlsxwriter still writes the sheet itself
(title, header, column widths and formats, frozen panes, autofilter over the final range);
only the data rows come from :func:`rows_xml`, in the same XML that xlsxwriter writes in
constant-memory mode (inline strings, numbers with a style index). Text is neutralised and
numbers cleaned by :func:`ioc.exports.lists.prepare` first, as in every export.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import polars as pl
import xlsxwriter
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from ioc.exports.lists import Column, neutralise, prepare, sheet_name_for
from ioc.reports.print_setup import TITLE_POINTS, row_height

CHUNK_ROWS = 20_000
WIDTH_MIN, WIDTH_MAX = 8, 50
_INVALID_XML = r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]"
_DIMENSION = re.compile(rb'<dimension ref="[^"]*"/>')


@dataclass(frozen=True)
class PendingRows:
    """Rows to splice into a sheet's XML once the workbook is closed."""

    member: str  # e.g. xl/worksheets/sheet6.xml
    frame: pl.DataFrame  # prepared: the exported columns, text neutralised
    columns: list[Column]
    styles: list[int | None]  # xf index of each column (None: unstyled text)
    first_row: int  # 0-based row of the first data row
    last_cell: str  # bottom-right cell of the sheet, e.g. BH53002
    widths: tuple[int, ...]  # each column's width in characters, as set on the sheet

    def chunks(self) -> Iterator[bytes]:
        return rows_xml(self)


@dataclass(frozen=True)
class RowHeights:
    """Heights (points) of rows already in a sheet's XML, keyed by 0-based row: for a sheet
    whose writer takes no row options (:func:`ioc.exports.lists.write_sheet`)."""

    member: str
    heights: dict[int, float]


class Splice(Protocol):
    """Rows to put into a sheet's ``<sheetData>``: :class:`PendingRows`, or rows already
    made (:class:`ioc.reports.sheet_xml.ReadyRows`)."""

    @property
    def member(self) -> str: ...

    @property
    def last_cell(self) -> str: ...

    def chunks(self) -> Iterable[bytes]: ...


def _number_format(column: Column) -> str:
    if column.kind == "integer":
        return "#,##0"
    decimals = "." + "0" * column.decimals if column.decimals > 0 else ""
    return ("#,##0" if column.kind == "decimal" else "0") + decimals


def add_sheet(
    book: xlsxwriter.Workbook,
    frame: pl.DataFrame,
    columns: list[Column],
    *,
    sheet_name: str,
    title: str,
    widths: dict[int, int] | None = None,
) -> PendingRows:
    """Add a sheet with a title row, a frozen header row and an autofilter over ``frame``'s
    rows; the rows themselves are written by :func:`splice` after ``book.close()``."""
    ws = book.add_worksheet(sheet_name_for(sheet_name))
    prepared = prepare(frame, columns)
    chosen = tuple(
        (widths or {}).get(col, width) for col, width in enumerate(_widths(prepared, columns))
    )
    ws.set_row(0, TITLE_POINTS)
    ws.set_row(1, row_height((c.vi, w) for c, w in zip(columns, chosen, strict=True)))
    ws.write_string(0, 0, neutralise(title), book.add_format({"bold": True, "font_size": 14}))
    header = book.add_format(
        {"bold": True, "text_wrap": True, "valign": "top", "bottom": 1, "bg_color": "#DDEBF7"}
    )
    for col, column in enumerate(columns):
        ws.write_string(1, col, neutralise(column.vi), header)
    formats = {}
    styles: list[int | None] = []
    for column in columns:
        if column.kind == "text":
            styles.append(None)
            continue
        num = _number_format(column)
        if num not in formats:
            formats[num] = book.add_format({"num_format": num})
        # the index xlsxwriter gives the format in styles.xml (assigned on first use)
        styles.append(formats[num]._get_xf_index())
    last_row = 1 + max(prepared.height, 1)
    ws.freeze_panes(2, 2)
    ws.autofilter(1, 0, last_row, len(columns) - 1)
    for col, width in enumerate(chosen):
        ws.set_column(col, col, width)
    member = f"xl/worksheets/sheet{len(book.worksheets())}.xml"
    last_cell = xl_rowcol_to_cell(last_row, len(columns) - 1)
    return PendingRows(member, prepared, columns, styles, 2, last_cell, chosen)


def _widths(frame: pl.DataFrame, columns: list[Column]) -> list[int]:
    sample = frame.head(500)
    longest = (
        sample.select(pl.col(c.name).cast(pl.String).str.len_chars().max() for c in columns).row(0)
        if sample.height
        else [0] * len(columns)
    )  # one query for every column
    out = []
    for column, values in zip(columns, longest, strict=True):
        label = max(len(line) for line in column.vi.split("\n")) + 3
        out.append(min(max(label, int(values or 0) + 1, WIDTH_MIN), WIDTH_MAX))
    return out


def _cell(name: str, letter: str, style: int | None, dtype: pl.DataType) -> pl.Expr:
    row = pl.col("__row").cast(pl.String)
    if style is None or dtype == pl.String:
        text = (
            pl.col(name)
            .cast(pl.String)
            .str.replace_all(_INVALID_XML, "")
            .str.replace_all("&", "&amp;", literal=True)
            .str.replace_all("<", "&lt;", literal=True)
            .str.replace_all(">", "&gt;", literal=True)
        )
        style_attr = "" if style is None else f' s="{style}"'
        parts = [
            pl.lit(f'<c r="{letter}'),
            row,
            pl.lit(f'"{style_attr} t="inlineStr"><is><t xml:space="preserve">'),
            text,
            pl.lit("</t></is></c>"),
        ]
    else:
        value = pl.col(name)
        if isinstance(dtype, pl.Date | pl.Datetime):  # Excel serial days
            value = (
                value.cast(pl.Datetime("us")) - pl.datetime(1899, 12, 30)
            ).dt.total_microseconds() / 86_400_000_000
        parts = [
            pl.lit(f'<c r="{letter}'),
            row,
            pl.lit(f'" s="{style}"><v>'),
            value.cast(pl.String),
            pl.lit("</v></c>"),
        ]
    return pl.concat_str(parts).fill_null("")


def rows_xml(pending: PendingRows) -> Iterator[bytes]:
    """The ``<row>`` elements of the data, in chunks."""
    frame = pending.frame
    schema = frame.schema  # made anew on every access: once, not once a column
    cells = [
        _cell(c.name, xl_col_to_name(i), pending.styles[i], schema[c.name])
        for i, c in enumerate(pending.columns)
    ]
    row = pl.concat_str(
        [
            pl.lit('<row r="'),
            pl.col("__row").cast(pl.String),
            pl.lit('">'),
            *cells,
            pl.lit("</row>"),
        ]
    )
    start = pending.first_row + 1  # Excel rows are 1-based
    for offset in range(0, frame.height, CHUNK_ROWS):
        chunk = frame.slice(offset, CHUNK_ROWS).with_row_index("__row", offset=start + offset)
        yield "".join(chunk.select(row.alias("xml")).to_series().to_list()).encode("utf-8")


def splice(path: Path, pending: Sequence[Splice | RowHeights]) -> None:
    """Put the pending rows into the closed workbook at ``path`` (rewritten in place), and
    set the given rows' heights."""
    if not pending:
        return
    by_member = {p.member: p for p in pending}
    work = path.with_name(path.name + ".splice")
    try:
        with (
            zipfile.ZipFile(path) as source,
            zipfile.ZipFile(work, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as target,
        ):
            for info in source.infolist():
                data = source.read(info.filename)
                rows = by_member.get(info.filename)
                if isinstance(rows, RowHeights):
                    data, rows = _with_heights(data, rows.heights), None
                if rows is None:
                    target.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
                    continue
                _write_member(target, info, data, rows)
        work.replace(path)
    finally:
        work.unlink(missing_ok=True)


def _with_heights(xml: bytes, heights: dict[int, float]) -> bytes:
    for row, points in heights.items():
        xml = re.sub(
            rf'<row r="{row + 1}"(?=[ >])'.encode(),
            f'<row r="{row + 1}" ht="{points:g}" customHeight="1"'.encode(),
            xml,
            count=1,
        )
    return xml


def _write_member(target: zipfile.ZipFile, info: zipfile.ZipInfo, xml: bytes, rows: Splice) -> None:
    head, marker, tail = xml.partition(b"</sheetData>")
    if not marker:
        raise ValueError(f"{info.filename}: no sheetData to add rows to")
    head = _DIMENSION.sub(f'<dimension ref="A1:{rows.last_cell}"/>'.encode(), head, count=1)
    member = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    member.compress_type = zipfile.ZIP_DEFLATED
    with target.open(member, "w") as out:
        out.write(head)
        for chunk in rows.chunks():
            out.write(chunk)
        out.write(marker + tail)
