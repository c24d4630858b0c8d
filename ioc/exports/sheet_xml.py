"""Sheet rows as XML, spliced into a workbook's file after xlsxwriter has closed it.

Writing cell by cell costs xlsxwriter about 10 µs a cell (30 µs for small sheets: dimension
checks, row flushes, a temporary file), half a minute for a national school list (53,000
schools × 60 columns). Here xlsxwriter still writes the sheet itself (title, header, column
widths and formats, frozen panes, autofilter over the final range); only the data rows come
from here, in the XML that xlsxwriter writes in constant-memory mode (inline strings, numbers
with ``%.16G``, a style index on every styled cell):

- :func:`rows_xml`: a prepared frame's rows, made by Polars column by column (large sheets);
- :func:`string_cell`, :func:`number_cell`, :func:`row_xml`: cells made one by one with
  plain string formatting, about 1 µs a cell (small sheets whose cells each have a style).

Callers neutralise text first (:func:`ioc.exports.cells.prepare`), as every export does.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import polars as pl
from xlsxwriter.utility import xl_col_to_name

from ioc.exports.cells import excel_serial

CHUNK_ROWS = 20_000
_INVALID_XML = r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]"
_DIMENSION = re.compile(rb'<dimension ref="[^"]*"/>')
# xlsxwriter's escapes: a literal _xHHHH_ gets its underscore escaped, control characters
# become _xHHHH_, and leading or trailing white space asks for xml:space="preserve".
_LITERAL_ESCAPE = re.compile("(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile(r"([\x00-\x08\x0b-\x1f])")
_LEADING_SPACE = re.compile(r"^\s")
_TRAILING_SPACE = re.compile(r"\s$")


class Splice(Protocol):
    """Rows to put into a sheet's ``<sheetData>``: :class:`FrameRows` or :class:`ReadyRows`."""

    @property
    def member(self) -> str: ...

    @property
    def last_cell(self) -> str: ...

    def chunks(self) -> Iterable[bytes]: ...


@dataclass(frozen=True)
class ReadyRows:
    """Rows whose XML is made, to splice into a sheet once the workbook is closed."""

    member: str  # e.g. xl/worksheets/sheet2.xml
    xml: bytes
    last_cell: str  # bottom-right cell of the sheet, e.g. O49

    def chunks(self) -> Sequence[bytes]:
        return (self.xml,)


@dataclass(frozen=True)
class FrameRows:
    """A prepared frame's rows, to splice into a sheet once the workbook is closed."""

    member: str  # e.g. xl/worksheets/sheet6.xml
    frame: pl.DataFrame  # prepared: the exported columns, text neutralised
    styles: list[int | None]  # xf index of each column (None: unstyled text)
    first_row: int  # 0-based row of the first data row
    last_cell: str  # bottom-right cell of the sheet, e.g. BH53002
    after: str = ""  # XML of rows after the data (a truncation notice)

    def chunks(self) -> Iterator[bytes]:
        yield from rows_xml(self.frame, self.styles, self.first_row)
        if self.after:
            yield self.after.encode("utf-8")


def column_letters(count: int) -> list[str]:
    return [xl_col_to_name(col) for col in range(count)]


def string_cell(ref: str, style: int | None, text: str) -> str:
    text = _LITERAL_ESCAPE.sub(r"_x005F\1", text)
    text = _CONTROL.sub(lambda m: f"_x{ord(m.group(1)):04X}_", text)
    text = text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    preserve = _LEADING_SPACE.search(text) or _TRAILING_SPACE.search(text)
    space = ' xml:space="preserve"' if preserve else ""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    style_attr = "" if style is None else f' s="{style}"'
    return f'<c r="{ref}"{style_attr} t="inlineStr"><is><t{space}>{text}</t></is></c>'


def number_cell(ref: str, style: int, number: float) -> str:
    return f'<c r="{ref}" s="{style}"><v>{number:.16G}</v></c>'


def row_xml(row: int, cells: list[str], height: float | None = None) -> str:
    """A ``<row>`` (``row`` 0-based), of ``height`` points if given; nothing for a row
    without cells, as xlsxwriter."""
    if not cells:
        return ""
    ht = f' ht="{height:g}" customHeight="1"' if height else ""
    return f'<row r="{row + 1}"{ht}>{"".join(cells)}</row>'


def _cell(name: str, letter: str, style: int | None, dtype: pl.DataType) -> pl.Expr:
    row = pl.col("__row").cast(pl.String)
    if style is None:
        text = (
            pl.col(name)
            .cast(pl.String)
            .str.replace_all(_INVALID_XML, "")
            .str.replace_all("&", "&amp;", literal=True)
            .str.replace_all("<", "&lt;", literal=True)
            .str.replace_all(">", "&gt;", literal=True)
        )
        parts = [
            pl.lit(f'<c r="{letter}'),
            row,
            pl.lit('" t="inlineStr"><is><t xml:space="preserve">'),
            text,
            pl.lit("</t></is></c>"),
        ]
    else:
        value = pl.col(name)
        if isinstance(dtype, pl.Date | pl.Datetime):
            value = excel_serial(value)
        parts = [
            pl.lit(f'<c r="{letter}'),
            row,
            pl.lit(f'" s="{style}"><v>'),
            value.cast(pl.String),
            pl.lit("</v></c>"),
        ]
    return pl.concat_str(parts).fill_null("")


def rows_xml(frame: pl.DataFrame, styles: list[int | None], first_row: int) -> Iterator[bytes]:
    """The ``<row>`` elements of a prepared frame's rows (``first_row`` 0-based), in chunks:
    a cell per value, with its column's style (None: text)."""
    schema = frame.schema  # made anew on every access: once, not once a column
    cells = [
        _cell(name, xl_col_to_name(i), styles[i], schema[name])
        for i, name in enumerate(frame.columns)
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
    start = first_row + 1  # Excel rows are 1-based
    for offset in range(0, frame.height, CHUNK_ROWS):
        chunk = frame.slice(offset, CHUNK_ROWS).with_row_index("__row", offset=start + offset)
        yield "".join(chunk.select(row.alias("xml")).to_series().to_list()).encode("utf-8")


def splice(path: Path, pending: Sequence[Splice]) -> None:
    """Put the pending rows into the closed workbook at ``path`` (rewritten in place)."""
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
                if rows is None:
                    target.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
                else:
                    _write_member(target, info, data, rows)
        work.replace(path)
    finally:
        work.unlink(missing_ok=True)


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
