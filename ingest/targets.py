"""The Department's own yearly targets per indicator and unit: import from CSV/XLSX, list.

A targets file has one row per target with the columns indicator_id (Mã chỉ tiêu),
unit_code (Mã đơn vị), school_year (Năm học), target (Mục tiêu) and optionally scheme
(Hệ đơn vị: 2025 or legacy; default: the scheme of the school year's start-of-year census).
The file is all or nothing: any bad row rejects it, naming row, column and reason.
"""

from __future__ import annotations

import getpass
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from ioc import db
from ioc.catalog import normalize_label
from ioc.catalog.definitions import load_catalog
from ioc.catalog.messages import file_text
from ioc.compute.out_tables import rebuild_indicators
from ioc.config import Settings
from ioc.domain.period import InvalidPeriod, Period
from ioc.returns.limits import ReadLimits
from ioc.returns.read import FileError, column_letter, read_grids

COLUMNS = {
    "indicator_id": ["indicator_id", "mã chỉ tiêu", "chỉ tiêu"],
    "unit_code": ["unit_code", "mã đơn vị", "đơn vị"],
    "school_year": ["school_year", "năm học"],
    "target": ["target", "mục tiêu", "giá trị mục tiêu"],
    "scheme": ["scheme", "hệ đơn vị"],
}


@dataclass(frozen=True)
class TargetRow:
    indicator_id: str
    scheme: str
    unit_code: str
    school_year: str
    target_value: float


class TargetsInvalid(db.DataError):
    """Targets given through the API with bad values: each error is an object of the
    catalog's ``parts`` (ioc/catalog/messages.yaml), so the text exists in both languages."""

    code = "targets_rejected"

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        self.errors = errors
        self.vi = file_text(self.code, "vi", {"errors": errors})
        super().__init__(file_text(self.code, "en", {"errors": errors}))


def parse_targets(path: Path, settings: Settings, units: pl.DataFrame) -> list[TargetRow]:
    _, grids = read_grids(path, ReadLimits.of(settings))
    grid = grids[0]
    first = grid.cells.row(0, named=True)
    header = {normalize_label(v): c for c, v in first.items() if isinstance(v, str)}
    found = {
        name: next((header[a] for a in aliases if a in header), None)
        for name, aliases in COLUMNS.items()
    }
    missing = [n for n, c in found.items() if c is None and n != "scheme"]
    if missing:
        names = ", ".join(f"'{COLUMNS[n][1].capitalize()}' ({n})" for n in missing)
        raise FileError(path, "targets_missing_columns", columns=names)
    places = {
        name: f"{first[c]} [{_letter(c, grid.sheet is not None)}]"
        for name, c in found.items()
        if c is not None
    }
    known_units = {(s, c) for s, c in units.select("scheme", "code").iter_rows()}
    catalog = load_catalog()
    rows, errors = [], []
    for raw in grid.cells.slice(1).iter_rows(named=True):
        get = {n: (raw[c] or "").strip() if c else "" for n, c in found.items()}
        if not any(get.values()):
            continue
        row_errors, row = _check(get, catalog.by_id, known_units)
        errors += [
            why | {"where": {"part": "file_cell", "row": raw["_row"], "column": places[name]}}
            for name, why in row_errors
        ]
        if row is not None:
            rows.append(row)
    if errors:
        raise FileError(path, "targets_invalid", errors=errors)
    if not rows:
        raise FileError(path, "targets_empty")
    return rows


def _letter(column: str, is_sheet: bool) -> str:
    """The spreadsheet letter of grid column ``cN`` (its number in a CSV file)."""
    index = int(column.removeprefix("c"))
    return column_letter(index) if is_sheet else str(index + 1)


def _check(
    get: dict[str, str], indicators: Mapping[str, object], units: set[tuple[str, str]]
) -> tuple[list[tuple[str, dict[str, Any]]], TargetRow | None]:
    """The errors of one target (column, catalog part without its place) and its row."""
    errors: list[tuple[str, dict[str, Any]]] = []

    def bad(column: str, part: str, **values: Any) -> None:
        errors.append((column, {"part": part, "value": get[column], **values}))

    if get["indicator_id"] not in indicators:
        bad("indicator_id", "target_unknown_indicator")
    try:  # a target is for a school year: its scheme is the one of the start-of-year census
        census: Period | None = Period.of(get["school_year"], "DN")
    except InvalidPeriod:
        census = None
        bad("school_year", "target_bad_school_year")
    scheme = get["scheme"] or (census.scheme if census else "")
    if get["scheme"] and scheme not in ("2025", "legacy"):
        bad("scheme", "target_bad_scheme")
    elif scheme and (scheme, get["unit_code"]) not in units:
        bad("unit_code", "target_unknown_unit", scheme=scheme)
    try:
        value = float(get["target"].replace(",", "."))
    except ValueError:
        bad("target", "target_not_a_number")
    if errors:
        return errors, None
    return [], TargetRow(get["indicator_id"], scheme, get["unit_code"], get["school_year"], value)


def import_targets(path: Path, settings: Settings) -> int:
    """Replace the targets named in the file and recompute the affected provinces."""
    return save_targets(None, settings, set_by=getpass.getuser(), source=str(path), path=path)


def save_targets(
    rows: list[TargetRow] | None,
    settings: Settings,
    *,
    set_by: str,
    source: str,
    path: Path | None = None,
) -> int:
    """Validate and store targets in one writer session (rows given, or parsed from path)."""
    with db.writer(settings) as conn:
        units = conn.sql("select scheme, code, province_code from core_geo__units").pl()
        if rows is None:
            assert path is not None
            rows = parse_targets(path, settings, units)
        else:
            _check_rows(rows, units)
        frame = pl.DataFrame(rows).with_columns(
            pl.lit(set_by).alias("set_by"),
            pl.lit(datetime.now(UTC)).alias("set_at"),
            pl.lit(source).alias("source_file"),
        )
        conn.register("incoming", frame)
        conn.execute("insert or replace into core_targets by name select * from incoming")
        conn.unregister("incoming")
        affected = db.query(
            conn,
            "queries/schools_of_units",
            settings,
            schemes=frame["scheme"].to_list(),
            unit_codes=frame["unit_code"].to_list(),
        )
        if affected.height:
            rebuild_indicators(conn, settings, affected["school_code"].to_list())
    return len(rows)


def _check_rows(rows: list[TargetRow], units: pl.DataFrame) -> None:
    known_units = {(s, c) for s, c in units.select("scheme", "code").iter_rows()}
    catalog = load_catalog()
    errors = []
    for i, row in enumerate(rows, start=1):
        get = {
            "indicator_id": row.indicator_id,
            "unit_code": row.unit_code,
            "school_year": row.school_year,
            "target": str(row.target_value),
            "scheme": row.scheme,
        }
        errors += [
            why | {"where": {"part": "request_item", "item": i, "column": name}}
            for name, why in _check(get, catalog.by_id, known_units)[0]
        ]
    if errors:
        raise TargetsInvalid(errors)
