"""What a return file may cost to read, checked before any of it is parsed.

An XLSX file is a zip archive: its directory says how many members it holds and what each
expands to, so a compression bomb (a few megabytes expanding to gigabytes of cells or one
gigantic text cell) is refused from the directory alone, and a sheet's declared size (its
``<dimension>``) from the first bytes of the sheet. An ODS file is a zip archive too, so the
same directory checks apply; it declares no sheet range, and its repeat counts are no size
(LibreOffice writes ``number-columns-repeated="16384"`` for a row's empty rest), so its
``content.xml`` (already bounded by the member limits) is scanned, streaming, for the range
of cells that hold a value, which is what the reader materialises: a few bytes that repeat
a filled cell a billion times are refused. A legacy ``.xls`` (an OLE2 compound file, not a
zip) is bounded by its size alone, and by the ingest job's memory limit. A CSV file is
checked line by line, in bounded reads, for its longest line. Every refusal is a
:class:`LimitError` naming the file, what was found and the setting that bounds it.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from ioc.config import Settings
from ioc.returns.errors import FileError

RATIO_FLOOR = 1 << 20  # members that expand to less than this are not judged by their ratio
DIMENSION_BYTES = 64 * 1024  # the <dimension> element comes before any cell of the sheet
DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]{1,3})(\d+)(?::([A-Z]{1,3})(\d+))?\"")
SHEET_MEMBER = re.compile(r"^xl/worksheets/[^/]+\.xml$")
ODS_CONTENT = "content.xml"
TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
ODS_CELLS = (f"{TABLE}table-cell", f"{TABLE}covered-table-cell")


class LimitError(FileError):
    """The file is refused because reading it would cost more than a setting allows."""

    def __init__(self, path: Path | str, code: str, setting: str, **params: Any) -> None:
        super().__init__(path, code, setting=setting, **params)
        self.setting = setting


@dataclass(frozen=True)
class ReadLimits:
    """The bounds of one file's reading (see the ``ingest_*`` settings)."""

    max_file_bytes: int
    max_zip_members: int
    max_unzipped_bytes: int
    max_member_bytes: int
    max_zip_ratio: float
    max_cells: int
    max_columns: int
    max_line_bytes: int

    @classmethod
    def of(cls, settings: Settings) -> ReadLimits:
        return cls(
            max_file_bytes=settings.max_file_bytes,
            max_zip_members=settings.ingest_max_zip_members,
            max_unzipped_bytes=settings.ingest_max_unzipped_bytes,
            max_member_bytes=settings.ingest_max_member_bytes,
            max_zip_ratio=settings.ingest_max_zip_ratio,
            max_cells=settings.ingest_max_cells,
            max_columns=settings.ingest_max_columns,
            max_line_bytes=settings.ingest_max_line_bytes,
        )


def check_size(path: Path, size: int, limits: ReadLimits) -> None:
    if size > limits.max_file_bytes:
        raise LimitError(
            path,
            "file_too_large",
            "IOC_MAX_FILE_BYTES",
            size=size,
            limit=limits.max_file_bytes,
        )


def check_archive(path: Path, limits: ReadLimits, kind: str = "xlsx") -> None:
    """Refuse an XLSX or ODS archive whose directory or sheet sizes exceed the limits."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            _check_directory(path, members, limits)
            for member in members:
                if kind == "xlsx" and SHEET_MEMBER.match(member.filename):
                    _check_dimension(path, archive, member, limits)
                if kind == "ods" and member.filename == ODS_CONTENT:
                    _check_ods_content(path, archive, member, limits)
    # zipfile raises NotImplementedError for a compression method it does not know, EOFError
    # for a truncated archive: both are corrupt uploads, not a missing piece of this code
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError) as exc:
        raise FileError(path, "archive_kind_invalid", kind=kind.upper(), detail=str(exc)) from exc
    except ET.ParseError as exc:
        line, column = exc.position
        raise FileError(
            path, "ods_content_invalid", line=line, column=column + 1, detail=str(exc)
        ) from exc


def _check_directory(path: Path, members: list[zipfile.ZipInfo], limits: ReadLimits) -> None:
    if len(members) > limits.max_zip_members:
        raise LimitError(
            path,
            "zip_members",
            "IOC_INGEST_MAX_ZIP_MEMBERS",
            members=len(members),
            limit=limits.max_zip_members,
        )
    for m in members:
        if m.file_size > limits.max_member_bytes:
            raise LimitError(
                path,
                "member_bytes",
                "IOC_INGEST_MAX_MEMBER_BYTES",
                part=m.filename,
                size=m.file_size,
                limit=limits.max_member_bytes,
            )
        ratio = m.file_size / max(m.compress_size, 1)
        if m.file_size > RATIO_FLOOR and ratio > limits.max_zip_ratio:
            raise LimitError(
                path,
                "zip_ratio",
                "IOC_INGEST_MAX_ZIP_RATIO",
                part=m.filename,
                ratio=round(ratio),
                compressed=m.compress_size,
                size=m.file_size,
                limit=limits.max_zip_ratio,
            )
    total = sum(m.file_size for m in members)
    if total > limits.max_unzipped_bytes:
        raise LimitError(
            path,
            "unzipped_bytes",
            "IOC_INGEST_MAX_UNZIPPED_BYTES",
            size=total,
            limit=limits.max_unzipped_bytes,
        )


def _check_dimension(
    path: Path, archive: zipfile.ZipFile, member: zipfile.ZipInfo, limits: ReadLimits
) -> None:
    """The sheet's declared range, from the first bytes of its XML (decompressed no further)."""
    with archive.open(member) as sheet:
        head = sheet.read(DIMENSION_BYTES)
    found = DIMENSION.search(head)
    if found is None:  # optional in the format: the size limits still bound the sheet
        return
    first_col, first_row, last_col, last_row = found.groups()
    columns = _column_number(last_col or first_col) - _column_number(first_col) + 1
    rows = int(last_row or first_row) - int(first_row) + 1
    name = member.filename.rsplit("/", 1)[-1]
    if columns > limits.max_columns:
        raise LimitError(
            path,
            "sheet_declares_columns",
            "IOC_INGEST_MAX_COLUMNS",
            name=name,
            columns=columns,
            limit=limits.max_columns,
        )
    if rows * columns > limits.max_cells:
        raise LimitError(
            path,
            "sheet_declares_cells",
            "IOC_INGEST_MAX_CELLS",
            name=name,
            rows=rows,
            columns=columns,
            cells=rows * columns,
            limit=limits.max_cells,
        )


def _check_ods_content(
    path: Path, archive: zipfile.ZipFile, member: zipfile.ZipInfo, limits: ReadLimits
) -> None:
    """Each ODS sheet's range of cells with a value, counting repeats, against the limits."""
    name: str | None = None
    rows: tuple[int, int] | None = None
    row = columns = 0
    with archive.open(member) as content:
        for event, element in ET.iterparse(content, events=("start", "end")):
            if event == "start":
                if element.tag == f"{TABLE}table":
                    name, row, rows, columns = element.get(f"{TABLE}name"), 0, None, 0
                continue
            if element.tag == f"{TABLE}table-row":
                repeat = int(element.get(f"{TABLE}number-rows-repeated", "1"))
                width = _ods_row_width(element)
                if width:
                    rows = (rows[0], row + repeat) if rows else (row, row + repeat)
                    columns = max(columns, width)
                row += repeat
                element.clear()
            elif element.tag == f"{TABLE}table":
                height = rows[1] - rows[0] if rows else 0
                _check_cells(path, name or "", height, columns, limits)
                element.clear()


def _ods_row_width(row: ET.Element) -> int:
    """Columns up to the row's last cell with a value (its repeats counted)."""
    column = width = 0
    for cell in row:
        if cell.tag not in ODS_CELLS:
            continue
        column += int(cell.get(f"{TABLE}number-columns-repeated", "1"))
        if cell.get(f"{OFFICE}value-type") is not None or len(cell):
            width = column
    return width


def _check_cells(path: Path, sheet: str, rows: int, columns: int, limits: ReadLimits) -> None:
    if columns > limits.max_columns:
        raise LimitError(
            path,
            "sheet_columns",
            "IOC_INGEST_MAX_COLUMNS",
            name=sheet,
            columns=columns,
            limit=limits.max_columns,
        )
    if rows * columns > limits.max_cells:
        raise LimitError(
            path,
            "sheet_cells",
            "IOC_INGEST_MAX_CELLS",
            name=sheet,
            rows=rows,
            columns=columns,
            cells=rows * columns,
            limit=limits.max_cells,
        )


def _column_number(letters: bytes) -> int:
    """b'A' -> 1, b'AB' -> 28."""
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def check_lines(path: Path, limits: ReadLimits) -> None:
    """Refuse a text file with a line longer than the limit (read in bounded pieces)."""
    bound = limits.max_line_bytes
    with path.open("rb") as fh:
        number = 0
        while line := fh.readline(bound + 1):
            number += 1
            if len(line) > bound and not line.endswith(b"\n"):
                raise LimitError(
                    path,
                    "line_too_long",
                    "IOC_INGEST_MAX_LINE_BYTES",
                    line=number,
                    limit=bound,
                )


def check_columns(path: Path, columns: int, limits: ReadLimits) -> None:
    if columns > limits.max_columns:
        raise LimitError(
            path,
            "file_columns",
            "IOC_INGEST_MAX_COLUMNS",
            columns=columns,
            limit=limits.max_columns,
        )
