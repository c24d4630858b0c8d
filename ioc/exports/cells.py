"""What goes into a cell of an export, in CSV and XLSX alike: the column spec, text made
inert, numbers cleaned, the XLSX number format of each column, and the sizes of columns and
rows (:mod:`ioc.exports.writer` writes the files).

- Text cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``,
  ``@``, a tab or a carriage return) get a leading ``'`` (OWASP CSV injection guidance);
  numbers are never touched.
- NaN and infinity are unknown, written as empty cells like None. Time-zone aware times are
  shown in the display time zone (Vietnam time) without an offset.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import polars as pl

from ioc.config import display_zone

Kind = Literal["text", "integer", "decimal", "percent", "date"]
Headers = Literal["vi", "en", "canonical"]

_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
_DANGEROUS_PATTERN = r"^([=+\-@\t\r])"
_KINDS = ("text", "integer", "decimal", "percent", "date")
WIDTH_MIN, WIDTH_MAX, WIDTH_SAMPLE = 8, 50, 500
DATE_FORMAT, DATETIME_FORMAT = "dd/mm/yyyy", "dd/mm/yyyy hh:mm"
LINE_POINTS = 15.0  # one line of 11-point text
TITLE_POINTS = 24.0  # a sheet's title row (14 to 16 points)


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


def labels_of(columns: list[Column], headers: Headers) -> list[str]:
    """The header cells, neutralised like any text."""
    if not columns:
        raise ValueError("an export needs at least one column")
    return [neutralise(c.label(headers)) for c in columns]


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
    """The exported columns in order, text cast to String and neutralised, numbers cleaned:
    the only dtypes left are String, numbers, Date and Datetime."""
    schema = frame.schema  # made anew on every access: once, not once a column
    missing = [c.name for c in columns if c.name not in schema]
    if missing:
        raise KeyError(f"export columns missing from the data: {', '.join(missing)}")
    return frame.select(_prepare_expr(c, schema[c.name]) for c in columns)


def number_format(column: Column) -> str:
    """The XLSX number format of a number column, by its kind and decimals."""
    if column.kind == "integer":
        return "#,##0"
    decimals = "." + "0" * column.decimals if column.decimals > 0 else ""
    return ("#,##0" if column.kind == "decimal" else "0") + decimals


def cell_format(column: Column, dtype: pl.DataType) -> str | None:
    """The XLSX number format of a prepared column's cells; None for text (no style)."""
    if dtype == pl.String or dtype == pl.Null:
        return None
    if isinstance(dtype, pl.Date):
        return DATE_FORMAT
    if isinstance(dtype, pl.Datetime):
        return DATETIME_FORMAT
    return number_format(column)


def excel_serial(expr: pl.Expr) -> pl.Expr:
    """Days since 1899-12-30 (Excel's serial date; dates from 1 March 1900 on)."""
    since = expr.cast(pl.Datetime("us")) - dt.datetime(1899, 12, 30)
    return since.dt.total_microseconds() / 86_400_000_000


def _longest_line(text: str) -> int:
    return max(len(line) for line in text.split("\n"))


def _value_widths(sample: pl.DataFrame) -> list[int]:
    """Each column's widest value as shown: text by its longest line, numbers with
    thousands separators and a decimal, dates as dd/mm/yyyy (hh:mm)."""
    out = []
    for series in sample.get_columns():
        dtype = series.dtype
        if isinstance(dtype, pl.Datetime):
            out.append(16 if series.null_count() < series.len() else 0)
        elif isinstance(dtype, pl.Date):
            out.append(10 if series.null_count() < series.len() else 0)
        elif dtype.is_numeric():
            # the shown length grows with the magnitude, a sign adds one: min and max suffice
            as_float = series.cast(pl.Float64)
            ends = [v for v in (as_float.min(), as_float.max()) if isinstance(v, float)]
            out.append(max((len(f"{v:,.1f}") for v in ends if math.isfinite(v)), default=0))
        else:
            lines = series.cast(pl.String).str.split("\n").explode().str.len_chars().max()
            out.append(int(lines or 0))  # type: ignore[arg-type]  # an integer or None
    return out


def column_widths(labels: list[str], sample: pl.DataFrame | None) -> list[int]:
    """Widths (characters) from the header's longest line (with room for the filter button)
    and the first rows of the prepared data, between 8 and 50."""
    widths = [_longest_line(label) + 3 for label in labels]
    if sample is not None and sample.height:
        values = _value_widths(sample.head(WIDTH_SAMPLE))
        widths = [max(w, v + 1 if v else 0) for w, v in zip(widths, values, strict=True)]
    return [min(max(w, WIDTH_MIN), WIDTH_MAX) for w in widths]


def text_lines(text: str, width: float) -> int:
    """Lines a wrapped text takes in a column ``width`` characters wide (a column's width
    counts digits; Vietnamese text runs about 15 % narrower)."""
    per_line = max(1, int(width * 1.15))
    return sum(max(1, math.ceil(len(part) / per_line)) for part in text.split("\n"))


def row_height(cells: Iterable[tuple[str, float]]) -> float:
    """The height (points) of a row of wrapped texts, each with its column's width: set
    explicitly, as neither Excel nor LibreOffice sizes rows written without one."""
    return LINE_POINTS * max((text_lines(text, width) for text, width in cells), default=1)
