"""Cells of small sheets as XML, for rows spliced into a closed workbook (see
:mod:`ioc.reports.bulk_sheet`).

The XML is what xlsxwriter writes in constant-memory mode (inline strings, numbers with
``%.16G``, a style index on every cell), made with plain string formatting: about 1 µs a
cell, where ``write_string``/``write_number`` cost xlsxwriter some 30 µs (dimension checks,
row flushes, a temporary file). Callers neutralise text first, as every export does.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from xlsxwriter.utility import xl_col_to_name

# xlsxwriter's escapes: a literal _xHHHH_ gets its underscore escaped, control characters
# become _xHHHH_, and leading or trailing white space asks for xml:space="preserve".
_LITERAL_ESCAPE = re.compile("(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile(r"([\x00-\x08\x0b-\x1f])")
_LEADING_SPACE = re.compile(r"^\s")
_TRAILING_SPACE = re.compile(r"\s$")


@dataclass(frozen=True)
class ReadyRows:
    """Rows whose XML is made, to splice into a sheet once the workbook is closed."""

    member: str  # e.g. xl/worksheets/sheet2.xml
    xml: bytes
    last_cell: str  # bottom-right cell of the sheet, e.g. O49

    def chunks(self) -> Sequence[bytes]:
        return (self.xml,)


def column_letters(count: int) -> list[str]:
    return [xl_col_to_name(col) for col in range(count)]


def string_cell(ref: str, style: int, text: str) -> str:
    text = _LITERAL_ESCAPE.sub(r"_x005F\1", text)
    text = _CONTROL.sub(lambda m: f"_x{ord(m.group(1)):04X}_", text)
    text = text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    preserve = _LEADING_SPACE.search(text) or _TRAILING_SPACE.search(text)
    space = ' xml:space="preserve"' if preserve else ""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'<c r="{ref}" s="{style}" t="inlineStr"><is><t{space}>{text}</t></is></c>'


def number_cell(ref: str, style: int, number: float) -> str:
    return f'<c r="{ref}" s="{style}"><v>{number:.16G}</v></c>'


def row_xml(row: int, cells: list[str], height: float | None = None) -> str:
    """A ``<row>`` (``row`` 0-based), of ``height`` points if given; nothing for a row
    without cells, as xlsxwriter."""
    if not cells:
        return ""
    ht = f' ht="{height:g}" customHeight="1"' if height else ""
    return f'<row r="{row + 1}"{ht}>{"".join(cells)}</row>'
