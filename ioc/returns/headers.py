"""Find the header of a return sheet and map its columns onto contract fields.

Real exports put title rows above the header, split it over two rows with merged group
cells, add a unit row ("ĐVT") or a row of column numbers below it, leave blank spacer
rows and end with a "Tổng cộng" total row. This module recognises all of that.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import polars as pl

from ioc.catalog import Contract, normalize_label
from ioc.returns.read import Grid, column_letter

HEADER_SCAN_ROWS = 30
MIN_HEADER_MATCHES = 3
TOTAL_LABEL = re.compile(r"(?i)^\s*(tổng\s*cộng|tổng\s*số|tổng|cộng|total)\b", re.IGNORECASE)
UNIT_ROW = re.compile(r"^\s*(đvt|đơn vị tính)\b", re.IGNORECASE)
COLUMN_NUMBER = re.compile(r"^\(?[0-9a-z]{1,3}\)?$", re.IGNORECASE)


@dataclass(frozen=True)
class Column:
    index: int
    header: str  # as written in the file (two-row headers joined with " / ")

    def ref(self, is_sheet: bool) -> str:
        """'Số học sinh [I]' in a sheet, 'Số học sinh [9]' in a CSV file (its column
        number): no word of either language, as a reject's column in both."""
        where = column_letter(self.index) if is_sheet else str(self.index + 1)
        return f"{self.header} [{where}]"


@dataclass
class Table:
    """The data part of one sheet, with columns renamed to contract fields (text values)."""

    sheet: str | None
    columns: dict[str, Column]
    data: pl.DataFrame  # field columns (String) + _row
    totals: pl.DataFrame  # "Tổng cộng" rows, same columns
    ignored: list[str] = field(default_factory=list)  # headers that are not contract fields
    duplicates: dict[str, list[Column]] = field(default_factory=dict)  # one field, many columns


@dataclass(frozen=True)
class _Header:
    top: int  # first header row (0-based position in the grid)
    height: int  # 1 or 2 rows
    columns: dict[str, Column]
    ignored: list[str]
    duplicates: dict[str, list[Column]]


def _match_columns(
    upper: list[str | None], lower: list[str | None] | None, index: dict[str, str]
) -> tuple[dict[str, list[Column]], list[str]]:
    """Map each column to a field. Two-row headers try 'lower', 'upper lower', 'upper'."""
    matched: dict[str, list[Column]] = {}
    ignored: list[str] = []
    filled = _forward_fill(upper) if lower is not None else upper
    for i, top in enumerate(upper):
        below = lower[i] if lower is not None else None
        candidates = [
            c for c in (below, f"{filled[i]} {below}" if below and filled[i] else None, top) if c
        ]
        name = next((index[k] for k in map(normalize_label, candidates) if k in index), None)
        text = " / ".join(c for c in (filled[i] if below else top, below) if c)
        if name:
            matched.setdefault(name, []).append(Column(i, text))
        elif text:
            ignored.append(text)
    return matched, ignored


def _forward_fill(cells: list[str | None]) -> list[str | None]:
    out, last = [], None
    for cell in cells:
        last = cell if cell else last
        out.append(last)
    return out


def _find_header(rows: list[list[str | None]], contract: Contract) -> _Header | None:
    index = contract.header_index()
    best: tuple[int, _Header] | None = None
    for top in range(min(len(rows), HEADER_SCAN_ROWS)):
        options: list[tuple[int, list[str | None], list[str | None] | None]] = [
            (1, rows[top], None)
        ]
        if top + 1 < len(rows):
            options.append((2, rows[top], rows[top + 1]))
        for height, upper, lower in options:
            matched, ignored = _match_columns(upper, lower, index)
            score = len(matched)
            if score >= MIN_HEADER_MATCHES and (best is None or score > best[0]):
                columns = {name: cols[0] for name, cols in matched.items()}
                dupes = {n: c for n, c in matched.items() if len(c) > 1}
                header = _Header(top, height, columns, ignored, dupes)
                best = (score, header)
    return best[1] if best else None


def locate(grid: Grid, contract: Contract) -> Table | None:
    """Find the header and split the sheet into data rows and total rows; None if no header."""
    cells = grid.cells
    grid_cols = [c for c in cells.columns if c != "_row"]
    head_rows = cells.head(HEADER_SCAN_ROWS + 1).select(grid_cols).rows()
    header = _find_header([list(r) for r in head_rows], contract)
    if header is None:
        return None
    body = cells.slice(header.top + header.height)
    body = body.filter(~pl.all_horizontal(pl.col(grid_cols).is_null()))
    body = _drop_unit_rows(body, header, grid_cols)
    label_cols = [
        f"c{c.index}" for n, c in header.columns.items() if n in ("school_code", "school_name")
    ]
    label_cols = list(dict.fromkeys([grid_cols[0], *label_cols]))
    is_total = pl.any_horizontal(
        pl.col(c).str.contains(TOTAL_LABEL.pattern).fill_null(False) for c in label_cols
    )
    rename = {f"c{col.index}": name for name, col in header.columns.items()}
    keep = [*rename, "_row"]
    totals = body.filter(is_total).select(keep).rename(rename)
    data = body.filter(~is_total).select(keep).rename(rename)
    return Table(grid.sheet, header.columns, data, totals, header.ignored, header.duplicates)


def _drop_unit_rows(body: pl.DataFrame, header: _Header, grid_cols: list[str]) -> pl.DataFrame:
    """Drop a unit row ('ĐVT') or column-number row ('(1)', '(2)'...) right under the header."""
    drop: list[int] = []
    code_col = header.columns.get("school_code")
    name_col = header.columns.get("school_name")
    for row in body.head(3).iter_rows(named=True):
        texts = [row[c] for c in grid_cols if row[c] is not None]
        is_unit = any(UNIT_ROW.match(t) for t in texts)
        ident = [row[f"c{c.index}"] for c in (code_col, name_col) if c is not None]
        is_numbers = (
            bool(texts)
            and all(COLUMN_NUMBER.match(t) for t in texts)
            and all(v is None or COLUMN_NUMBER.match(v) for v in ident)
        )
        if is_unit or (is_numbers and len(texts) > MIN_HEADER_MATCHES):
            drop.append(row["_row"])
    return body.filter(~pl.col("_row").is_in(drop)) if drop else body
