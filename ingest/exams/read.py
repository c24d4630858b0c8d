"""Read an exam results file or a registration file into a frame of text cells.

Results come as the Ministry's published JSON (the shared files' form: a head saying what
the file is, and ``data``, one object per candidate) or as CSV/XLSX with one row per
candidate under the catalog's headers (Vietnamese ones such as "SBD", "Toán", "Mã môn ngoại
ngữ"); a registration file is CSV/XLSX ("SBD", "Mã trường"). CSV and workbooks go through
the return files' reader (:func:`ioc.returns.read.read_grids`: encodings, formats and the
reading limits); a JSON file is bounded by the file-size limit.

Every cell stays text here; the frame has ``_sheet``, ``_row`` (the row a person sees: the
spreadsheet's row, or the candidate's position in ``data``) and the canonical fields
(``candidate_no``, ``council``, ``foreign_language``, the subject codes; ``school_code`` in
a registration file). A cell a spreadsheet would compute (a formula such as
``=HYPERLINK(...)``) or a merged header makes the file unreadable: a score must be the value
written, and a merged header hides which column is which.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import polars as pl

from ioc.catalog import normalize_label
from ioc.config import Settings
from ioc.exams.catalog import load_exam_catalog
from ioc.returns.errors import FileError
from ioc.returns.headers import Column
from ioc.returns.limits import ReadLimits, check_size
from ioc.returns.read import Grid, read_grids

HEADER_SCAN_ROWS = 30
SHEET_MEMBER = re.compile(r"^xl/worksheets/[^/]+\.xml$")
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
CELL_REF = re.compile(r"^([A-Z]{1,3})(\d+)$")
FORMULA_START = re.compile(r"^[=+@]\s*[A-Za-z_]")  # a text cell that reads as a formula
BOM = b"\xef\xbb\xbf"
#: a key of a JSON object (possessive: a quoted text not followed by a colon fails at once)
JSON_KEY = re.compile(r'"((?:[^"\\]|\\.){1,200}+)"\s*:')
KEY_SAMPLE = 256 * 1024  # characters at each end of a JSON file whose keys are read
#: what a JSON file states about itself, read as text beside its candidates
HEAD_KEYS = (
    "province_code",
    "total_records",
    "expected_max_sbd",
    "coverage_percentage",
    "export_time",
)


@dataclass(frozen=True)
class ExamFile:
    """What a file holds: its format, its rows as text, the column each field came from
    (``_sheet``, ``field``, ``column_name``: how a reject names it), and what the file states
    about itself (the JSON head's :data:`HEAD_KEYS` present, as text; None for CSV/XLSX)."""

    fmt: str
    rows: pl.DataFrame
    columns: pl.DataFrame
    head: dict[str, Any] | None = None


def result_headers() -> dict[str, str]:
    """normalised header -> field, for a results file."""
    catalog = load_exam_catalog()
    index = {
        normalize_label(h): field
        for field, names in catalog.candidate_headers.items()
        for h in names
    }
    index |= {normalize_label(h): s.code for s in catalog.subjects for h in s.headers}
    return index


def registration_headers() -> dict[str, str]:
    catalog = load_exam_catalog()
    return {
        normalize_label(h): field
        for field, names in catalog.registration_headers.items()
        for h in names
    }


def read_results(path: Path, settings: Settings) -> ExamFile:
    """A results file (JSON, CSV or a workbook) as text rows; :class:`FileError` when it
    cannot be read."""
    _exists(path)
    if _is_json(path):
        return _read_json(path, ReadLimits.of(settings))
    subjects = {s.code for s in load_exam_catalog().subjects}
    return _read_table(path, settings, result_headers(), lambda found: bool(found & subjects))


def read_registrations(path: Path, settings: Settings) -> ExamFile:
    """A registration file (CSV or a workbook: "SBD", "Mã trường") as text rows."""
    _exists(path)
    return _read_table(path, settings, registration_headers(), lambda f: "school_code" in f)


def _exists(path: Path) -> None:
    if not path.is_file():
        raise FileError(path, "no_such_file")
    if path.stat().st_size == 0:
        raise FileError(path, "file_empty")


def _is_json(path: Path) -> bool:
    with path.open("rb") as fh:
        head = fh.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"{") or path.suffix.lower() == ".json"


def _read_json(path: Path, limits: ReadLimits) -> ExamFile:
    """The shared JSON form, parsed by Polars straight into text columns: each key the
    catalog knows is read as a string (a number as written: 6.35, -1), the others are
    skipped. Which keys the candidates carry is read from the file's first and last rows."""
    check_size(path, path.stat().st_size, limits)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileError(path, "exam_json_invalid", detail=str(exc)) from exc
    index = result_headers()
    fields = {
        index[normalize_label(key)]: key
        for key in sorted(_sampled_keys(text))
        if normalize_label(key) in index
    }
    schema: dict[str, pl.DataType] = {key: pl.String() for key in HEAD_KEYS}
    schema["data"] = pl.List(pl.Struct(dict.fromkeys(fields.values(), pl.String)))
    document = _parse_json(path, raw.removeprefix(BOM), schema)
    if document.height != 1 or document["data"][0] is None:
        raise FileError(path, "exam_json_invalid", detail="no 'data' list of candidate objects")
    if "candidate_no" not in fields:
        raise FileError(path, "exam_no_header", labels="'SBD'")
    cell = pl.col(list(fields)).str.strip_chars()
    rows = (
        document["data"][0]
        .struct.unnest()
        .rename({key: field for field, key in fields.items()})
        .select(
            pl.when(cell != "").then(cell).name.keep(),  # '' is no value
            pl.lit(None, dtype=pl.String).alias("_sheet"),
            pl.int_range(1, pl.len() + 1, dtype=pl.Int32).alias("_row"),
        )
    )
    names = pl.DataFrame(
        {"_sheet": None, "field": list(fields), "column_name": list(fields.values())},
        schema={"_sheet": pl.String, "field": pl.String, "column_name": pl.String},
    )
    head = {k: v for k, v in document.drop("data").row(0, named=True).items() if v is not None}
    return ExamFile("json", rows, names, head)


def _parse_json(path: Path, body: bytes, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    try:
        return pl.read_json(io.BytesIO(body), schema=schema)
    except pl.exceptions.PolarsError as exc:
        raise FileError(path, "exam_json_invalid", detail=str(exc).splitlines()[0]) from exc


def _sampled_keys(text: str) -> set[str]:
    """The object keys in the first and last KEY_SAMPLE characters of a JSON file: its head
    and about a thousand candidates at each end (a candidate is some 300 characters)."""
    tail = text[-KEY_SAMPLE:] if len(text) > KEY_SAMPLE else ""
    tail = tail[tail.find("{") + 1 :]  # from a row's start
    keys = set()
    for written in set(JSON_KEY.findall(text[:KEY_SAMPLE])) | set(JSON_KEY.findall(tail)):
        try:
            keys.add(json.loads(f'"{written}"'))  # its escapes (\u00e1) read
        except json.JSONDecodeError:
            continue  # a window cut inside a string
    return keys


def _read_table(path: Path, settings: Settings, index: dict[str, str], enough: Any) -> ExamFile:
    fmt, grids = read_grids(path, ReadLimits.of(settings))
    found: list[tuple[Grid, int, dict[str, Column]]] = []
    for grid in grids:
        header = _find_header(grid, index, enough)
        if header is not None:
            found.append((grid, *header))
    if not found:
        if fmt == "xlsx":  # a header merged over two rows is why, most often: say so
            _check_markup(path, dict.fromkeys((g.sheet for g in grids), 1))
        labels = ", ".join(f"'{h}'" for h in _example_labels(index))
        raise FileError(path, "exam_no_header", labels=labels)
    if fmt == "xlsx":
        _check_markup(path, {g.sheet: top for g, top, _ in found})
    parts, names = [], []
    for grid, top, columns in found:
        body = grid.cells.filter(pl.col("_row") > top)
        cells = [c for c in body.columns if c != "_row"]
        body = body.filter(~pl.all_horizontal(pl.col(cells).is_null()))
        rename = {f"c{col.index}": field for field, col in columns.items()}
        part = body.select([*rename, "_row"]).rename(rename)
        parts.append(part.with_columns(pl.lit(grid.sheet, dtype=pl.String).alias("_sheet")))
        names += [
            {"_sheet": grid.sheet, "field": f, "column_name": c.ref(grid.sheet is not None)}
            for f, c in columns.items()
        ]
        _check_formulas(path, grid.sheet, part, columns)
    rows = pl.concat(parts, how="diagonal")
    schema = {"_sheet": pl.String, "field": pl.String, "column_name": pl.String}
    return ExamFile(fmt, rows, pl.DataFrame(names, schema=schema))


def _find_header(
    grid: Grid, index: dict[str, str], enough: Any
) -> tuple[int, dict[str, Column]] | None:
    """The header row (its ``_row``) and each field's column: the first row among the first
    ones that names the candidate number and what the file is about."""
    cells = [c for c in grid.cells.columns if c != "_row"]
    for row in grid.cells.head(HEADER_SCAN_ROWS).iter_rows(named=True):
        columns: dict[str, Column] = {}
        for i, name in enumerate(cells):
            text = row[name]
            field = index.get(normalize_label(text)) if text else None
            if field and field not in columns:
                columns[field] = Column(i, str(text).strip())
        if "candidate_no" in columns and enough(set(columns)):
            return row["_row"], columns
    return None


def _example_labels(index: dict[str, str]) -> list[str]:
    catalog = load_exam_catalog()
    if "school_code" in index.values():
        return [catalog.registration_headers[f][0] for f in ("candidate_no", "school_code")]
    return [catalog.candidate_headers["candidate_no"][0], *(s.vi for s in catalog.subjects[:3])]


def _check_formulas(
    path: Path, sheet: str | None, part: pl.DataFrame, columns: dict[str, Column]
) -> None:
    """A text cell that reads as a formula (``=HYPERLINK(...)`` in a CSV file)."""
    for field, column in columns.items():
        hit = part.filter(pl.col(field).str.contains(FORMULA_START.pattern).fill_null(False))
        if hit.height:
            where = column.ref(sheet is not None)
            raise FileError(
                path,
                "exam_formula_cell",
                sheet=sheet,
                row=hit["_row"][0],
                column=where,
                value=hit[field][0][:60],
            )


def _check_markup(path: Path, headers: dict[str | None, int]) -> None:
    """An XLSX sheet's formula cells and merged ranges at or below its header row (the
    sheets were read within the limits already; their XML is streamed)."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = _sheet_names(archive)
            for member in archive.namelist():
                sheet = names.get(member)
                if sheet is not None and SHEET_MEMBER.match(member) and sheet in headers:
                    with archive.open(member) as xml:
                        _scan_sheet(path, xml, sheet, headers[sheet])
    except (zipfile.BadZipFile, ET.ParseError, KeyError) as exc:
        raise FileError(path, "workbook_unreadable", kind="XLSX", detail=str(exc)) from exc


def _sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet member -> the sheet's name (the workbook and its relationships)."""
    rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    pkg = "{http://schemas.openxmlformats.org/package/2006/relationships}"
    book = ET.fromstring(archive.read("xl/workbook.xml"))
    rels = ET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{pkg}Relationship")}
    out = {}
    for sheet in book.iter(f"{MAIN}sheet"):
        target = targets.get(sheet.get(rel), "").lstrip("/")
        member = target if target.startswith("xl/") else f"xl/{target}"
        out[member] = sheet.get("name", "")
    return out


def _scan_sheet(path: Path, xml: Any, sheet: str, header_row: int) -> None:
    for _, element in ET.iterparse(xml, events=("end",)):
        if element.tag == f"{MAIN}c":
            formula = element.find(f"{MAIN}f")
            if formula is not None:
                ref = element.get("r", "?")
                row = CELL_REF.match(ref)
                raise FileError(
                    path,
                    "exam_formula_cell",
                    sheet=sheet,
                    row=int(row.group(2)) if row else "?",
                    column=ref,
                    value=f"={formula.text or ''}"[:60],
                )
            element.clear()
        elif element.tag == f"{MAIN}mergeCell":
            ref = element.get("ref", "")
            last = CELL_REF.match(ref.rsplit(":", 1)[-1])
            if last and int(last.group(2)) >= header_row:
                raise FileError(path, "exam_merged_cells", sheet=sheet, cells=ref)
