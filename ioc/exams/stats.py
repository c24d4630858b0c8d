"""Rebuild the exam statistics (``out_exam__*``) of some years from the candidates' papers
(``core_exam__*``), inside a writer session: docs/exams.md "Statistics" and "Data quality".

The SQL is in ``sql/exams/``: the papers (and each candidate's combination totals) are first
counted per score for each cell, a year's council and school (``counts``); each cell's units
of both schemes are listed once per subject as numbered series (``series``: a unit of a level
and scheme, and a subject), and the counts summed per series and score (``unit_counts``), so
the statistics group and sort by an integer. Every figure of a unit is read from its own
counts, so a district's mean is the mean of its candidates' papers, never a mean of its
schools' means."""

from __future__ import annotations

import time
from collections.abc import Collection
from datetime import UTC, datetime

import duckdb
import polars as pl

from ioc import db
from ioc.config import Settings
from ioc.exams.catalog import ExamCatalog, load_exam_catalog
from ioc.geo.admin import province_successors

OUTLIER_Z = 3.0  # a school mean this many standard deviations from its province's is an outlier
OUTLIER_MIN_PAPERS = 10  # papers a school needs in a subject to be compared
OUTPUTS = (  # (table, sql/exams statement filling it), in the order they are written
    ("out_exam__subject_stats", "subject_stats"),
    ("out_exam__combination_stats", "combination_stats"),
    ("out_exam__spectrum", "spectrum"),
    ("out_exam__ranks", "ranks"),
    ("out_exam__province_councils", "province_councils"),
    ("out_exam__quality", "quality"),
    ("out_exam__school_outliers", "school_outliers"),
)
TEMPORARY = (
    "exam_unit_stats",
    "exam_unit_counts",
    "exam_series_units",
    "exam_series",
    "exam_counts",
)


def rebuild(
    conn: duckdb.DuckDBPyConnection, settings: Settings, years: Collection[int] | None = None
) -> None:
    """Rewrite the ``out_exam__*`` rows of ``years`` (every year when None: rows of years
    no longer loaded go too) from the loaded candidates."""
    started = time.perf_counter()
    catalog = load_exam_catalog()
    scope: dict[str, object] = {"all": years is None, "years": sorted(years or [])}
    inputs = _inputs(conn, settings, catalog)
    for name, frame in inputs.items():
        conn.register(name, frame)
    try:
        for table, _ in OUTPUTS:
            # the table name is one of OUTPUTS, never an input
            conn.execute(
                f"delete from {table} where ? or year in (select unnest(?))",
                [years is None, scope["years"]],
            )
        db.execute(conn, "exams/counts", settings, **scope)
        db.execute(conn, "exams/series", settings)
        db.execute(conn, "exams/series_units", settings)
        db.execute(conn, "exams/unit_counts", settings)
        db.execute(
            conn,
            "exams/unit_stats",
            settings,
            at_least=[float(t) for t in catalog.thresholds],
            failing_max=float(catalog.failing_max),
        )
        params: dict[str, dict[str, object]] = {
            "spectrum": {"step": float(catalog.spectrum_step)},
            "province_councils": scope,
            "quality": scope,
            "school_outliers": {"z": OUTLIER_Z, "min_papers": OUTLIER_MIN_PAPERS},
        }
        for _, statement in OUTPUTS:
            db.execute(conn, f"exams/{statement}", settings, **params.get(statement, {}))
        rows = db.scalar(conn, "select count(*) from exam_unit_stats")
    finally:
        for table in TEMPORARY:
            conn.execute(f"drop table if exists {table}")
        for name in inputs:
            conn.unregister(name)
    _record(conn, started, rows, years)


def _inputs(
    conn: duckdb.DuckDBPyConnection, settings: Settings, catalog: ExamCatalog
) -> dict[str, pl.DataFrame]:
    """The frames the statements read besides the snapshot's tables (sql/exams/counts.sql)."""
    successors = province_successors()
    provinces = pl.DataFrame(
        [
            (code, council.province, successors[council.province])
            for code, council in catalog.councils.items()
        ],
        schema=["council_code", "province_code_legacy", "province_code_2025"],
        orient="row",
    )
    subjects = pl.DataFrame(
        {"code": [s.code for s in catalog.subjects], "grid": [s.grid for s in catalog.subjects]},
        schema={"code": pl.String, "grid": pl.Decimal(4, 2)},
    )
    combinations = pl.DataFrame(
        [(c.code, s, c.language) for c in catalog.combinations for s in c.subjects],
        schema={"code": pl.String, "subject": pl.String, "language": pl.String},
        orient="row",
    )
    return {
        "exam_provinces": provinces,
        "exam_subjects": subjects,
        "exam_combinations": combinations,
        "exam_school_places": _school_places(conn, settings),
    }


def _school_places(conn: duckdb.DuckDBPyConnection, settings: Settings) -> pl.DataFrame:
    """Each school's old district and 2025 commune (none before the first returns' build)."""
    has_registry = db.scalar(
        conn, "select count(*) from duckdb_tables() where table_name = 'core_school__registry'"
    )
    if has_registry:
        return db.query(conn, "exams/school_places", settings)
    return pl.DataFrame(
        schema={
            "school_code": pl.String,
            "district_code_legacy": pl.String,
            "commune_code_2025": pl.String,
        }
    )


def _record(
    conn: duckdb.DuckDBPyConnection, started: float, rows: int, years: Collection[int] | None
) -> None:
    conn.execute(
        "insert into meta__build_steps values (?, 'exams', ?, ?, ?, ?)",
        [
            datetime.now(UTC),
            "full" if years is None else "incremental",
            None if years is None else ", ".join(map(str, sorted(years))),
            time.perf_counter() - started,
            rows,
        ],
    )
