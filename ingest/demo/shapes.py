"""Write return files in the shapes Departments really receive (for the demo and for tests).

Input frames have canonical field names as columns (a subset of ``fields.yaml``; other
columns are written as they are) and typed values: ints, floats, str, bools, None = unknown.
CSV: UTF-8 with or without BOM or UTF-16 ("Unicode text"), any delimiter, counts as text with
thousands separators. XLSX: title rows, merged group headers, a unit row ("ĐVT"), blank spacer
rows and a "Tổng cộng" row, as real sector exports have them.
"""

from __future__ import annotations

import codecs
import csv
import io
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import polars as pl
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from ioc.catalog import ContractField, load_contract

Headers = Literal["vi", "canonical", "mixed"]
Flags = Literal["x", "co_khong", "01"]
Encoding = Literal["utf-8", "utf-8-sig", "utf-16"]
Thousands = Literal[".", ","] | None
Cell = str | int | float | None
Converter = Callable[[Any], Cell]

FLAG_TEXT: dict[str, tuple[str, str]] = {
    "x": ("x", ""), "co_khong": ("có", "không"), "01": ("1", "0"),
}  # fmt: skip
TOTAL_LABEL = "Tổng cộng"
HEADER_FORMAT = {"bold": True, "align": "center", "valign": "vcenter", "text_wrap": True}
FORMATS: dict[str, dict[str, Any]] = {
    "title": {"bold": True, "align": "center", "font_size": 13},
    "header": {**HEADER_FORMAT, "border": 1},
    "unit": {"italic": True, "align": "center"},
    "total": {"bold": True},
}
SPACER_EVERY = 20
LINE_BREAK_AT = 18
UNITS = (  # field-name prefix -> unit for the "ĐVT" row (first match wins)
    ("classrooms", "phòng"), ("classes", "lớp"), ("students", "học sinh"),
    ("subject_rooms", "phòng"), ("smart_classrooms", "phòng"), ("computers", "máy"),
    ("toilets", "nhà"), ("taps", "vòi"), ("satellite_sites", "điểm"), ("site_area", "m²"),
)  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Headers and cell text


def _field(name: str) -> ContractField | None:
    return load_contract().by_name.get(name)


def _mixed(label: str, name: str, index: int) -> str:
    """Some headers canonical, some labels with other case/spacing (any header matching)."""
    variants = (label, name, label.upper(), f"  {label.replace(' ', '  ')} ", label.lower())
    return variants[index % len(variants)]


def _break_line(label: str) -> str:
    """Wrap a long label at the space nearest its middle, as real exports do."""
    if len(label) <= LINE_BREAK_AT or " " not in label:
        return label
    spaces = [i for i, ch in enumerate(label) if ch == " "]
    cut = min(spaces, key=lambda i: abs(i - len(label) // 2))
    return f"{label[:cut]}\n{label[cut + 1 :]}"


def header_labels(columns: Sequence[str], headers: Headers, line_breaks: bool = False) -> list[str]:
    """Header cells for ``columns``: Vietnamese labels, canonical names or a mix."""
    out = []
    for i, name in enumerate(columns):
        f = _field(name)
        if f is None or headers == "canonical":
            label = name
        elif headers == "mixed":
            label = _mixed(f.vi, name, i)
        else:
            label = f.vi
        out.append(_break_line(label) if line_breaks else label)
    return out


def _group_text(value: int, sep: str) -> str:
    return f"{value:,}".replace(",", sep)


def _decimal_text(value: float, thousands: Thousands) -> str:
    """Decimal as text; never exactly three decimals (that would read as a thousands group)."""
    if float(value).is_integer():
        whole = int(value)
        return _group_text(whole, ".") if thousands == "." and abs(whole) >= 1000 else str(whole)
    text = f"{value:.6f}".rstrip("0")
    if len(text.split(".")[1]) == 3:
        text += "0"
    return text.replace(".", ",") if thousands == "." else text


def _converter(name: str, *, headers: Headers, flags: Flags, thousands: Thousands) -> Converter:
    """Value -> cell (str for text, int/float for numbers; None = blank) for one column."""
    f = _field(name)
    kind = f.type if f is not None else "text"
    if kind == "count":
        if thousands is None:
            return lambda v: None if v is None else int(v)
        sep = thousands
        return lambda v: None if v is None else _group_text(int(v), sep)
    if kind == "decimal":
        return lambda v: None if v is None else float(v)
    if kind == "flag":
        yes, no = FLAG_TEXT[flags]
        return lambda v: None if v is None else (yes if v else no) or None
    if kind == "enum" and headers != "canonical":
        labels = {code: texts[0] for code, texts in load_contract().enums[name].items()}
        return lambda v: None if v is None else labels.get(str(v), str(v))
    return lambda v: None if v is None else str(v)


def _csv_text(cell: Cell, thousands: Thousands) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float):
        return _decimal_text(cell, thousands)
    return str(cell)


# ---------------------------------------------------------------------------------------------
# CSV


def write_csv(
    df: pl.DataFrame,
    path: Path,
    *,
    encoding: Encoding = "utf-8-sig",
    delimiter: str = ",",
    headers: Headers = "vi",
    thousands: Thousands = None,
    flags: Flags = "x",
) -> Path:
    """One CSV return file; a cell holding the delimiter is quoted by the csv module."""
    path = Path(path)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header_labels(df.columns, headers))
    convert = [_converter(c, headers=headers, flags=flags, thousands=thousands) for c in df.columns]
    for row in df.iter_rows():
        writer.writerow([_csv_text(c(v), thousands) for c, v in zip(convert, row, strict=True)])
    text = buffer.getvalue()
    if encoding == "utf-16":  # Excel's "Unicode text": UTF-16 LE with a BOM
        path.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    else:
        path.write_bytes(text.encode(encoding))
    return path


# ---------------------------------------------------------------------------------------------
# XLSX


def _unit(name: str) -> str | None:
    f = _field(name)
    if f is None or f.type not in ("count", "decimal"):
        return None
    if f.group == "staff" or name in ("health_staff", "parents_e_contact"):
        return "người"
    return next((unit for prefix, unit in UNITS if name.startswith(prefix)), "số")


def _group_runs(columns: Sequence[str]) -> list[tuple[int, int, str | None]]:
    """Runs of adjacent columns sharing a non-identity group: (first, last, group key or None).

    Identity fields and non-contract columns are single-column runs with group None: their
    label is merged vertically over the two header rows.
    """
    runs: list[tuple[int, int, str | None]] = []
    for i, name in enumerate(columns):
        f = _field(name)
        group = f.group if f is not None and f.group != "identity" else None
        if group is not None and runs and runs[-1][2] == group and runs[-1][1] == i - 1:
            runs[-1] = (runs[-1][0], i, group)
        else:
            runs.append((i, i, group))
    return runs


class _SheetWriter:
    """Writes one sheet strictly row by row (xlsxwriter constant_memory mode)."""

    def __init__(self, ws: Worksheet, formats: dict[str, Any], width: int) -> None:
        self.ws, self.fmt, self.width, self.row = ws, formats, width, 0

    def titles(self, title_rows: Sequence[str]) -> None:
        for title in title_rows:
            if self.width > 1:
                self.ws.merge_range(self.row, 0, self.row, self.width - 1, title, self.fmt["title"])
            else:
                self.ws.write_string(self.row, 0, title, self.fmt["title"])
            self.row += 1
        if title_rows:
            self.row += 1

    def header(self, columns: Sequence[str], labels: list[str], grouped: bool) -> None:
        fmt = self.fmt["header"]
        if not grouped:
            for col, label in enumerate(labels):
                self.ws.write_string(self.row, col, label, fmt)
            self.row += 1
            return
        groups = load_contract().groups
        top, runs = self.row, _group_runs(columns)
        for first, last, group in runs:  # register every merge before leaving the top row
            if group is None:
                self.ws.merge_range(top, first, top + 1, first, "", None)
                self.ws.write_string(top, first, labels[first], fmt)
            elif last > first:
                self.ws.merge_range(top, first, top, last, groups[group].vi, fmt)
            else:
                self.ws.write_string(top, first, groups[group].vi, fmt)
        vertical = {first for first, _, group in runs if group is None}
        for col, label in enumerate(labels):
            if col in vertical:
                self.ws.write_blank(top + 1, col, None, fmt)
            else:
                self.ws.write_string(top + 1, col, label, fmt)
        self.row += 2

    def cells(self, values: Sequence[Cell], fmt: Any = None) -> None:
        ws, row = self.ws, self.row
        for col, value in enumerate(values):
            if value is None:
                continue
            if isinstance(value, str):
                ws.write_string(row, col, value, fmt)
            else:
                ws.write_number(row, col, value, fmt)
        self.row += 1


def _label_column(columns: Sequence[str]) -> int:
    for name in ("school_name", "school_code"):
        if name in columns:
            return list(columns).index(name)
    return 0


def _total_cells(df: pl.DataFrame, convert: list[Converter], delta: int) -> list[Cell]:
    counts = [c for c in df.columns if (f := _field(c)) is not None and f.type == "count"]
    cells: list[Cell] = [None] * df.width
    cells[_label_column(df.columns)] = TOTAL_LABEL
    for k, name in enumerate(counts):
        total = int(df.get_column(name).cast(pl.Int64).sum()) + (delta if k == 0 else 0)
        cells[df.columns.index(name)] = convert[df.columns.index(name)](total)
    return cells


@dataclass(frozen=True)
class _Layout:
    title_rows: Sequence[str]
    group_header: bool
    unit_row: bool
    spacer_rows: bool
    total_row: bool
    total_row_delta: int
    numbers_as_text: Thousands
    headers: Headers
    header_line_breaks: bool
    flags: Flags


def _write_sheet(sw: _SheetWriter, df: pl.DataFrame, lay: _Layout) -> None:
    columns = df.columns
    sw.titles(lay.title_rows)
    sw.header(
        columns, header_labels(columns, lay.headers, lay.header_line_breaks), lay.group_header
    )
    if lay.unit_row:
        units: list[Cell] = [_unit(c) for c in columns]
        units[_label_column(columns)] = "ĐVT"
        sw.cells(units, sw.fmt["unit"])
    convert = [
        _converter(c, headers=lay.headers, flags=lay.flags, thousands=lay.numbers_as_text)
        for c in columns
    ]
    for i, row in enumerate(df.iter_rows()):
        if lay.spacer_rows and i and i % SPACER_EVERY == 0:
            sw.row += 1
        sw.cells([c(v) for c, v in zip(convert, row, strict=True)])
    if lay.total_row:
        sw.cells(_total_cells(df, convert, lay.total_row_delta), sw.fmt["total"])


def write_xlsx(
    sheets: dict[str, pl.DataFrame],
    path: Path,
    *,
    title_rows: Sequence[str] = (),
    group_header: bool = True,
    unit_row: bool = True,
    spacer_rows: bool = True,
    total_row: bool = True,
    total_row_delta: int = 0,
    numbers_as_text: Thousands = None,
    headers: Headers = "vi",
    header_line_breaks: bool = False,
    flags: Flags = "x",
) -> Path:
    """One workbook, one sheet per frame, laid out like a Department's statistics export."""
    path = Path(path)
    layout = _Layout(
        title_rows, group_header, unit_row, spacer_rows, total_row, total_row_delta,
        numbers_as_text, headers, header_line_breaks, flags,
    )  # fmt: skip
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    try:
        formats = {key: wb.add_format(spec) for key, spec in FORMATS.items()}
        for name, df in sheets.items():
            ws = wb.add_worksheet(name)
            for col, column in enumerate(df.columns):
                ws.set_column(col, col, 34 if column == "school_name" else 12)
            _write_sheet(_SheetWriter(ws, formats, df.width), df, layout)
    finally:
        wb.close()
    return path


def mangle_headers(df: pl.DataFrame, seed: int) -> pl.DataFrame:
    """The same frame with its columns in a seeded random order."""
    columns = list(df.columns)
    random.Random(seed).shuffle(columns)
    return df.select(columns)
