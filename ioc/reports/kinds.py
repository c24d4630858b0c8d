"""Report kinds: the standard report (XLSX workbook or PDF) and single-table reports, each
as XLSX or CSV."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import duckdb
import polars as pl

from ioc.config import Settings
from ioc.domain.units import Unit
from ioc.reports import content

Format = Literal["xlsx", "csv", "pdf"]
FORMATS: tuple[Format, ...] = ("xlsx", "csv", "pdf")
#: formats only the standard report has (a PDF of a single table would not fit a page)
STANDARD_ONLY: tuple[Format, ...] = ("pdf",)
STANDARD = "standard"


@dataclass(frozen=True)
class Kind:
    name: str
    slug: str  # in file names (ASCII)
    vi: str
    en: str
    #: the table of a single-table kind (None for the standard workbook)
    table: Callable[[duckdb.DuckDBPyConnection, Settings, Unit, str, str], pl.DataFrame] | None


def _indicators(
    conn: duckdb.DuckDBPyConnection, settings: Settings, unit: Unit, school_year: str, term: str
) -> pl.DataFrame:
    """The unit's indicators then each child unit's, in one long table."""
    own = content.unit_rows(conn, settings, unit, school_year, term)
    children = content.child_rows(conn, settings, unit, school_year, term)
    frames = [own, children] if children.height else [own]
    return pl.concat([f.select(INDICATOR_TABLE) for f in frames])


def _quality(
    conn: duckdb.DuckDBPyConnection, settings: Settings, unit: Unit, school_year: str, term: str
) -> pl.DataFrame:
    return content.completeness(conn, settings, unit, school_year, term)[1]


INDICATOR_TABLE = [
    "unit_code",
    "unit_name",
    "school_year",
    "term",
    "indicator_id",
    "name_vi",
    "unit_vi",
    "value",
    "norm_value",
    "norm_status",
    "target_value",
    "target_status",
    "previous_value",
    "change",
    "numerator",
    "denominator",
    "schools_contributing",
    "schools_in_scope",
]

KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind(STANDARD, "bao-cao", "Báo cáo thống kê chuẩn của Sở", "Standard report", None),
        Kind(
            "indicators", "chi-tieu", "Chỉ tiêu của đơn vị và đơn vị con", "Indicators", _indicators
        ),
        Kind(
            "schools", "truong", "Danh sách trường với mọi chỉ tiêu", "Schools", content.school_rows
        ),
        Kind("quality", "tien-do", "Tiến độ báo cáo theo đơn vị", "Reporting progress", _quality),
        Kind("chase", "don-doc", "Trường cần đôn đốc", "Schools to chase", content.chase_rows),
    )
}


def check_kind(name: str) -> Kind:
    kind = KINDS.get(name)
    if kind is None:
        raise ValueError(f"unknown report kind {name!r}; one of: {', '.join(KINDS)}")
    return kind


def check_format(name: str, kind: str = STANDARD) -> Format:
    if name not in FORMATS:
        raise ValueError(f"unknown format {name!r}; one of: {', '.join(FORMATS)}")
    if name in STANDARD_ONLY and kind != STANDARD:
        raise ValueError(f"format {name!r} is made for the standard report only, not {kind!r}")
    return name
