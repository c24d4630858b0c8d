"""Read a return file (CSV, XLSX, XLS or ODS) into grids of text cells, one per sheet.

Workbooks of every format go through the same reader (calamine, via fastexcel), given the
file's bytes so that the content decides the format, not the name: a legacy .xls saved
under .xlsx reads as well. An OLE2 compound file is a legacy .xls, or an encrypted
(password-protected) workbook of any format; each gets its own message.

Everything stays text here: typing and validation happen in :mod:`ioc.returns.parse`.
Row numbers are the ones a person sees in Excel or a text editor (1-based).
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import zipfile
from dataclasses import dataclass
from pathlib import Path

import fastexcel
import olefile
import polars as pl

from ioc.returns.errors import FileError
from ioc.returns.limits import (
    LimitError,
    ReadLimits,
    check_archive,
    check_columns,
    check_lines,
    check_size,
)


@dataclass(frozen=True)
class Grid:
    """One sheet as text: columns ``c0..cN`` plus ``_row`` (1-based source row number)."""

    sheet: str | None
    cells: pl.DataFrame


OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted .xlsx and legacy .xls
ZIP_MAGIC = b"PK\x03\x04"  # .xlsx and .ods
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
XLS_STREAMS = ("Workbook", "Book")  # BIFF8 (Excel 97-2003), BIFF5 (Excel 5/95)
FILEPASS, BIFF_EOF = 0x002F, 0x000A  # BIFF records: the workbook is encrypted; end of globals
PASSWORD = "password_protected"  # the code of its message (ioc/catalog/messages.yaml)
CSV_HEAD = 200_000  # characters of a text table whose rows give its width


def read_grids(path: Path, limits: ReadLimits) -> tuple[str, list[Grid]]:
    """Return the file format ('csv', 'xlsx', 'xls' or 'ods') and its sheets as text grids.

    What reading would cost is checked first (see :mod:`ioc.returns.limits`): a file above
    a limit is refused before any of it is parsed."""
    size = path.stat().st_size
    if size == 0:
        raise FileError(path, "file_empty")
    check_size(path, size, limits)
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(ZIP_MAGIC):
        kind = _zip_kind(path)
        check_archive(path, limits, kind)
        return kind, _read_workbook(path, kind)
    if head.startswith(OLE_MAGIC):
        _check_ole(path)  # bounded by the file's size (and the ingest job's memory) alone
        return "xls", _read_workbook(path, "xls")
    if head.startswith(b"%PDF"):
        raise FileError(path, "file_is_pdf")
    return "csv", [_read_csv(path, limits)]


def check_limits(path: Path, limits: ReadLimits) -> None:
    """The checks :func:`read_grids` makes before parsing, alone: :class:`LimitError` for a
    file above a limit. Cheap (an archive's directory, a text's lines), so a server can
    refuse such a file at once; any other fault is left to reading it."""
    size = path.stat().st_size
    if size == 0:
        return
    check_size(path, size, limits)
    with path.open("rb") as fh:
        head = fh.read(CSV_HEAD)
    try:
        if head.startswith(ZIP_MAGIC):
            check_archive(path, limits, _zip_kind(path))
        elif not head.startswith((OLE_MAGIC, b"%PDF")):
            check_lines(path, limits)
            if size > CSV_HEAD:  # whole lines: the head must not end inside a character
                if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                    return
                head = head[: head.rfind(b"\n") + 1]
            check_columns(path, _width(_decode(path, head)), limits)
    except LimitError:
        raise
    except FileError:
        return


def _zip_kind(path: Path) -> str:
    """'ods' for an OpenDocument spreadsheet (its first member names its type), else 'xlsx'."""
    if not zipfile.is_zipfile(path):
        raise FileError(path, "archive_invalid")
    try:
        with zipfile.ZipFile(path) as archive:
            if "mimetype" not in archive.namelist():
                return "xlsx"
            with archive.open("mimetype") as member:
                mimetype = member.read(len(ODS_MIMETYPE) + 16)
    # NotImplementedError: a compression method zipfile does not know; EOFError: truncated
    except (zipfile.BadZipFile, NotImplementedError, EOFError) as exc:
        raise FileError(path, "archive_unreadable", detail=str(exc)) from exc
    if not mimetype.startswith(ODS_MIMETYPE):
        kind = mimetype.decode("ascii", "replace").strip()
        raise FileError(path, "opendocument_not_spreadsheet", kind=kind)
    return "ods"


def _check_ole(path: Path) -> None:
    """An OLE2 file is read only as a legacy .xls without a password."""
    try:
        with olefile.OleFileIO(str(path)) as ole:
            if ole.exists("EncryptionInfo"):  # an encrypted .xlsx (or .xlsb, .docx...)
                raise FileError(path, PASSWORD)
            stream = next((s for s in XLS_STREAMS if ole.exists(s)), None)
            if stream is None:
                raise FileError(path, "office_not_workbook")
            if _biff_encrypted(ole.openstream(stream).read()):
                raise FileError(path, PASSWORD)
    except OSError as exc:  # olefile's "not an OLE2 structured storage file", truncation
        raise FileError(path, "xls_invalid", detail=str(exc)) from exc


def _biff_encrypted(data: bytes) -> bool:
    """Whether the workbook globals (the records before the first EOF) hold a FILEPASS."""
    at = 0
    while at + 4 <= len(data):
        kind = int.from_bytes(data[at : at + 2], "little")
        if kind in (FILEPASS, BIFF_EOF):
            return kind == FILEPASS
        at += 4 + int.from_bytes(data[at + 2 : at + 4], "little")
    return False


def _read_workbook(path: Path, kind: str) -> list[Grid]:
    try:
        reader = fastexcel.read_excel(path.read_bytes())
        grids = []
        for name in reader.sheet_names:
            sheet = reader.load_sheet(name, header_row=None, dtypes="string")
            frame = sheet.to_polars()
            frame = frame.rename({c: f"c{i}" for i, c in enumerate(frame.columns)})
            frame = frame.with_row_index("_row", offset=1).with_columns(
                pl.col("_row").cast(pl.Int32)
            )
            grids.append(Grid(name, frame))
    except (fastexcel.FastExcelError, zipfile.BadZipFile, OSError) as exc:
        raise FileError(path, "workbook_unreadable", kind=kind.upper(), detail=str(exc)) from exc
    except BaseException as exc:  # a panic of the Rust reader derives from BaseException
        if type(exc).__name__ != "PanicException":
            raise
        raise FileError(path, "reader_failed", detail=str(exc)) from exc
    return grids


def _decode(path: Path, data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise FileError(path, "utf16_invalid", byte=exc.start) from exc
    if b"\x00" in data[:4096]:
        raise FileError(path, "binary_content")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FileError(path, "not_utf8", line=line, byte=f"0x{data[exc.start]:02x}") from exc


def _sniff_delimiter(text: str) -> str:
    sample = text[:20000].splitlines()[:30]
    counts = {d: sum(line.count(d) for line in sample) for d in ("\t", ";", ",")}
    return max(counts, key=lambda d: counts[d])


def _width(text: str) -> int:
    """A text table's width: its widest row among the first 60 (of its head)."""
    delimiter = _sniff_delimiter(text)
    head = csv.reader(io.StringIO(text[:CSV_HEAD], newline=""), delimiter=delimiter)
    return max((len(row) for row in itertools.islice(head, 60)), default=0)


def _read_csv(path: Path, limits: ReadLimits) -> Grid:
    check_lines(path, limits)
    text = _decode(path, path.read_bytes())
    if not text.strip():
        raise FileError(path, "no_content")
    delimiter = _sniff_delimiter(text)
    width = _width(text)
    check_columns(path, width, limits)
    try:
        frame = pl.read_csv(
            text.encode("utf-8"),
            has_header=False,
            schema={f"c{i}": pl.String for i in range(width)},
            separator=delimiter,
            quote_char='"',
            truncate_ragged_lines=True,
            missing_columns="insert",
        )
    except pl.exceptions.ComputeError as exc:
        raise FileError(path, "csv_unparsable", detail=str(exc)) from exc
    frame = frame.with_columns(pl.all().str.strip_chars().replace("", None))
    frame = frame.with_row_index("_row", offset=1).with_columns(pl.col("_row").cast(pl.Int32))
    return Grid(None, frame)


def column_letter(index: int) -> str:
    """0 -> 'A', 27 -> 'AB' (spreadsheet column names)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters
