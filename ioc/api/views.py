"""Frames computed once per build and shared through the :class:`~ioc.api.cache.BuildCache`:
by the requests (which cut them to a unit, filter, sort and page after the cache) and by the
warm-up thread (:mod:`ioc.api.warm`), which computes the default views of a new build before
anyone asks.

Each frame is computed for as many units as one computation can serve cheaply: every
province or every old district at once, every school of a period (cut to a unit by its place
columns), every province's series. Each function returns a :class:`~ioc.api.cache.Spec`
(the cache key and how to compute the value); the caller looks it up, at once on the event
loop when it is kept (:func:`~ioc.api.cache.fetch`) or in a thread."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import duckdb
import polars as pl

from ioc import db
from ioc.api.cache import Getter, Spec
from ioc.api.slices import Indexed, as_text, compact
from ioc.catalog.definitions import load_catalog
from ioc.compute.school_values import reported_values
from ioc.config import Settings
from ioc.domain.period import Period
from ioc.domain.units import PLACE_COLUMN, PLACE_COLUMNS, Unit, place_column
from ioc.views.indicators import Basis, level_values, stored_values
from ioc.views.quality import level_figures
from ioc.views.units import search, unit_index

NATIONAL_LEVELS = ("province", "district")  # levels computed for every unit at once
DEFAULT_INDICATOR = "NET_CLASS_SIZE"  # of a school list
SCHOOL_COLUMNS = (
    "school_code",
    "school_name",
    "level",
    "ownership",
    "area",
    "district_code_legacy",
    "commune_code_legacy",
    "commune_code_2025",
)
# to cut by, not shown
PROVINCE_COLUMNS = (place_column("legacy", "province"), place_column("2025", "province"))
PLACE_KEYS = [(column,) for column in dict.fromkeys(PLACE_COLUMNS)]
BATCH_KEYS = [("unit_code",), ("parent_code",)]  # a unit's rows, its children's
SERIES_KEY = ("unit_code", "indicator_id")
PARENT = ("parent_code",)  # of a level's quality rows: the unit they are of
UNIT, UNIT_PARENT = ("scheme", "code"), ("scheme", "parent_code")  # of every unit's rows
SCHOOL = ("school_code",)  # of every school's registry row
FROM_UNIT = ("from_scheme", "from_code")  # of the counterparts: the unit they are of
PREDECESSORS_OF = ("unit_code",)  # of the 2025 units' predecessors: the unit they are of
EVERY_UNIT = 1_000_000  # a limit no scheme's units reach
RETURNED = "returned"  # of a period's school rows: the school sent a return


def unit_rows(cur: duckdb.DuckDBPyConnection, settings: Settings) -> Spec:
    """Every unit of both schemes as a unit list shows it (``queries/units_search``, in its
    order), indexed by :data:`UNIT` and by :data:`UNIT_PARENT`: a unit's row and its
    children."""

    def compute() -> Indexed:
        rows = search(
            cur,
            settings,
            None,
            scheme=None,
            level=None,
            parent=None,
            province=None,
            q=None,
            limit=EVERY_UNIT,
        )
        return Indexed(rows, [UNIT, UNIT_PARENT])

    return Spec(("unit-rows",), compute)


def counterparts(cur: duckdb.DuckDBPyConnection, settings: Settings) -> Spec:
    """The provinces of the other scheme each unit shares communes with
    (``queries/unit_counterparts``), indexed by :data:`FROM_UNIT`."""
    return Spec(
        ("counterparts",),
        lambda: Indexed(db.query(cur, "queries/unit_counterparts", settings), [FROM_UNIT]),
    )


def predecessors(
    get: Getter, cur: duckdb.DuckDBPyConnection, settings: Settings, unit: Unit
) -> Spec:
    """:func:`~ioc.views.quality.predecessors_without_returns` of a unit, taken from every 2025
    unit's, computed at once (none for a unit of the old scheme, its own predecessor)."""
    if unit.scheme != "2025":
        return Spec(("predecessors", "legacy"), list)

    def every() -> Indexed:
        rows = db.query(cur, "queries/predecessors_without_returns", settings, code=None)
        return Indexed(rows, [PREDECESSORS_OF])

    def compute() -> list[dict[str, str]]:
        batch = get(("predecessors-2025",), every)
        return batch.rows(PREDECESSORS_OF, unit.code).drop(*PREDECESSORS_OF).to_dicts()

    return Spec(("predecessors", unit.scheme, unit.code), compute)


def quality(
    cur: duckdb.DuckDBPyConnection, settings: Settings, unit: Unit, school_year: str, term: str
) -> Spec:
    """:func:`~ioc.views.quality.level_figures` of the unit's level in a period: every unit of
    the level at once."""

    def compute() -> QualityBatch:
        figures = level_figures(cur, settings, unit.scheme, unit.level, school_year, term)
        counts = figures.findings.iter_rows()
        return QualityBatch(
            Indexed(figures.children, [PARENT]),
            Indexed(figures.whole, [PARENT]),
            {str(code): int(count) for code, count in counts},
        )

    return Spec(("quality", unit.scheme, unit.level, school_year, term), compute)


@dataclass(frozen=True)
class QualityBatch:
    """A :func:`~ioc.views.quality.level_figures` indexed by unit."""

    children: Indexed
    whole: Indexed
    findings: dict[str, int]

    def of(self, code: str) -> tuple[pl.DataFrame, pl.DataFrame, int]:
        """One unit's child rows, own row (none without expected schools) and findings."""
        return (
            self.children.rows(PARENT, code),
            self.whole.rows(PARENT, code),
            self.findings.get(code, 0),
        )

    def estimated_size(self) -> int:
        return (
            self.children.estimated_size() + self.whole.estimated_size() + 100 * len(self.findings)
        )


def periods(cur: duckdb.DuckDBPyConnection, settings: Settings) -> Spec:
    """``school_year/term`` of every period with returns, newest first."""
    return Spec(
        ("periods",),
        lambda: [
            str(Period.of(y, t))
            for y, t in db.query(cur, "queries/periods", settings)
            .select("school_year", "term")
            .iter_rows()
        ],
    )


def units(cur: duckdb.DuckDBPyConnection, settings: Settings) -> Spec:
    """Every unit of both schemes by (scheme, code) (:func:`ioc.views.units.unit_index`)."""
    return Spec(("units",), lambda: unit_index(cur, settings))


def pending(cur: duckdb.DuckDBPyConnection, settings: Settings, scheme: str, level: str) -> Spec:
    """The returns not counted officially of every unit of a level in every period (one
    query over every return, shared by the level's series)."""
    return Spec(
        ("pending", scheme, level),
        lambda: db.query(
            cur,
            "queries/pending_returns",
            settings,
            off=settings.approval == "off",
            scheme=scheme,
            level=level,
            unit_codes=None,
            school_years=None,
            term=None,
        ),
    )


def level_batch(
    cur: duckdb.DuckDBPyConnection,
    settings: Settings,
    *,
    scheme: str,
    level: str,
    province: str | None,
    school_year: str,
    term: str,
    basis: Basis = "official",
    indicator: str | None = None,
) -> Spec:
    """:func:`~ioc.views.indicators.level_values` of a level: every unit at once for the
    national levels; below them, every indicator of one province's units, or (``indicator``
    given) that indicator of every unit of the level. Indexed by unit and by parent. Kept
    without the indicators' descriptions, which an answer adds to the rows it keeps
    (:func:`~ioc.views.indicators.describe_rows`): half the memory."""
    national = level in NATIONAL_LEVELS
    if national or indicator is not None:
        province = None
    if national:
        indicator = None

    def compute() -> Indexed:
        rows = level_values(
            cur,
            settings,
            scheme=scheme,
            level=level,
            province=province,
            school_year=school_year,
            term=term,
            basis=basis,
            indicators=None if indicator is None else [indicator],
            described=False,
        )
        return Indexed(rows, BATCH_KEYS)

    key = ("level-values", scheme, level, province, school_year, term, basis, indicator)
    return Spec(key, compute)


def school_rows(cur: duckdb.DuckDBPyConnection, settings: Settings) -> Spec:
    """Every school of the registry (``queries/registry``, in school code order), as the
    indicators read it, indexed by :data:`SCHOOL`."""
    return Spec(
        ("school-rows",),
        lambda: Indexed(db.query(cur, "queries/registry", settings), [SCHOOL]),
    )


def unit_places(units: Indexed, school: Mapping[str, Any]) -> pl.DataFrame:
    """The units a school (its registry row) is placed in, from :func:`unit_rows`: scheme,
    level, code, name; the old scheme first, then from the province down."""
    found = [
        units.rows(UNIT, (scheme, school[column]))
        for (scheme, _), column in PLACE_COLUMN.items()
        if school.get(column)
    ]
    places = pl.concat(found) if found else units.whole().clear()
    return (
        places.select("scheme", "level", "code", "name")
        .unique(maintain_order=True)
        .sort(pl.col("scheme") == "2025", pl.col("code").str.len_chars(), maintain_order=True)
    )


def school_places(get: Getter, cur: duckdb.DuckDBPyConnection, settings: Settings) -> Spec:
    """Every school of the registry (what a school list shows of it, and the units it is
    placed in) in school code order, indexed by each place column: the rows every
    :func:`period_schools` is aligned with."""

    def compute() -> Indexed:
        rows = get(*school_rows(cur, settings)).whole()
        return Indexed(rows.select(*SCHOOL_COLUMNS, *PROVINCE_COLUMNS).rechunk(), PLACE_KEYS)

    return Spec(("school-places",), compute)


def period_schools(
    get: Getter,
    cur: duckdb.DuckDBPyConnection,
    settings: Settings,
    *,
    school_year: str,
    term: str,
    indicator: str,
) -> Spec:
    """One indicator's value and norm status of every school of the registry in a period, row
    for row with :func:`school_places` (``returned``: whether the school sent a return; null
    values where it did not or the indicator does not apply). The schools' names and places
    are kept once, not once per period (:func:`unit_schools` puts them side by side)."""

    def compute() -> pl.DataFrame:
        schools = get(*school_rows(cur, settings)).whole()
        places = as_text(get(*school_places(get, cur, settings)).frame.select("school_code"))
        returns = db.query(
            cur, "queries/period_returns", settings, school_year=school_year, term=term
        )
        values = reported_values(returns, schools, load_catalog(), [indicator])
        returned = returns.select("school_code", pl.lit(True).alias(RETURNED))
        return (
            places.join(returned, on="school_code", how="left", maintain_order="left")
            .join(
                values.drop("school_year", "term"),
                on="school_code",
                how="left",
                maintain_order="left",
            )
            .drop("school_code")
            .with_columns(pl.col(RETURNED).fill_null(False))
            .pipe(compact)
            .rechunk()
        )

    return Spec(("schools", school_year, term, indicator), compute)


def unit_schools(places: Indexed, period: pl.DataFrame, unit: Unit) -> pl.DataFrame:
    """The schools placed in one unit that sent a return in the period of ``period`` (a
    :func:`period_schools`), with their registry columns and the indicator's value, in school
    code order, without the province columns."""
    at = places.positions((place_column(unit.scheme, unit.level),), unit.code)
    rows = pl.concat([places.take(at).drop(PROVINCE_COLUMNS), period[at]], how="horizontal")
    return as_text(rows.filter(pl.col(RETURNED)).drop(RETURNED))


def series_batch(
    get: Getter,
    cur: duckdb.DuckDBPyConnection,
    settings: Settings,
    unit: Unit,
    indicator: str,
    basis: Basis = "official",
) -> Spec:
    """Series in every period (both terms), indexed by (unit, indicator): for a province,
    every indicator of every province of the scheme at once; below, the one indicator of
    every unit of the level (only those of the unit's province below the national
    levels)."""
    province = unit.level == "province"
    within = None if unit.level in NATIONAL_LEVELS else unit.province_code
    wanted = None if province else [indicator]

    def compute() -> Indexed:
        codes = db.query(
            cur,
            "queries/level_units",
            settings,
            scheme=unit.scheme,
            level=unit.level,
            province=within,
        )["unit_code"].to_list()
        rows = stored_values(
            cur,
            settings,
            scheme=unit.scheme,
            level=unit.level,
            unit_codes=codes,
            school_years=None,
            term=None,
            basis=basis,
            indicators=wanted,
            pending=get(*pending(cur, settings, unit.scheme, unit.level)),
        )
        return Indexed(rows, [SERIES_KEY])

    key = ("series", unit.scheme, unit.level, within, None if province else indicator, basis)
    return Spec(key, compute)


def unit_series(batch: Indexed, unit: Unit, indicator: str, term: str | None) -> pl.DataFrame:
    """One indicator of one unit out of a :func:`series_batch`, oldest period first."""
    rows = batch.rows(SERIES_KEY, (unit.code, indicator))
    if term is not None:
        rows = rows.filter(pl.col("term") == term)
    return rows.sort("school_year", pl.col("term") != "DN")
