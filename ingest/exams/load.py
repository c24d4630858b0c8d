"""Exam results and registrations in: one writer session, one run per file, one build out.

As for returns (:mod:`ingest.runner`), :func:`ingest_exams` is one writer session on a
private copy of the snapshot (:func:`ioc.db.writer`), published atomically at the end. Each
file is one run in ``ingest_runs`` (``kind`` 'exam' or 'exam_registrations') in its own
transaction: its rejects, warnings, the candidates (and papers) it replaces and those it
loads land together or not at all. A file that cannot be read is a failed run that changes
nothing else; a session whose every file failed publishes its runs without a new build.
Once the files are in, the statistics of the years touched are rebuilt in the same session
(``ioc.exams.stats.rebuild``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from ingest.exams.read import ExamFile, read_registrations, read_results
from ingest.exams.validate import CANDIDATE_COLUMNS, check_registrations, check_results
from ingest.run_store import FileReport, RunRecord, issue_frame, record_run, say
from ingest.runner import ensure_units, rebuild_core
from ingest.sources.files import archive, file_meta
from ioc import db
from ioc.config import Settings, get_settings
from ioc.exams import stats
from ioc.exams.catalog import ExamCatalog, load_exam_catalog
from ioc.returns.errors import FileError
from ioc.returns.limits import LimitError
from ioc.returns.names import file_name
from ioc.returns.validate import Checked

FIRST_YEAR, LAST_YEAR = 2000, 2100  # a year outside these is a typing error
CHECKPOINT_THRESHOLD = "64GB"  # in an ingest session: checkpointed when published only
#: DuckDB's share of the session's memory unless IOC_DUCKDB_MEMORY_LIMIT says otherwise: a
#: national year is held to 2 GB, and the files' frames (three at a time) and Python need the
#: rest (the statistics spill to disk beyond it)
MEMORY_LIMIT = "1GB"
READ_AHEAD = 2  # files read, checked (and hashed) in threads while one is stored
Read = tuple[ExamFile, Checked, int]  # a file read and checked, and the exam's year


def ingest_exams(
    paths: Sequence[Path],
    *,
    registrations: Sequence[Path] = (),
    year: int | None = None,
    settings: Settings | None = None,
) -> list[FileReport]:
    """Load results files, then registration files; publish one snapshot with every file's
    run, and the statistics of the years loaded. ``year`` is the exam's year (else a JSON
    file's ``export_time``; a registration file takes the results' year when they have
    one)."""
    settings = settings or get_settings()
    catalog = load_exam_catalog()
    reports: list[FileReport] = []
    years: set[int] = set()
    with db.writer(settings, new_build=lambda: any(r.status != "failed" for r in reports)) as conn:
        # the session's own copy is checkpointed once, when it is published: not after
        # each file's commit (a national year's files would each rewrite the tables)
        conn.execute(f"set checkpoint_threshold = '{CHECKPOINT_THRESHOLD}'")
        if "duckdb_memory_limit" not in settings.model_fields_set:
            conn.execute("set memory_limit = ?", [MEMORY_LIMIT])
        ensure_units(conn, settings)
        if not db.scalar(conn, db.sql("ingest/has_registry", settings.sql_dir)):
            rebuild_core(conn, settings)  # an exam-only snapshot: the (empty) registry
        results, linking = [Path(p) for p in paths], [Path(p) for p in registrations]
        schools = _registry(conn, settings) if linking else _none()
        reads: list[tuple[Path, Callable[[], Any]]] = [
            (p, functools.partial(_read_results, p, settings, year, catalog)) for p in results
        ]
        reads += [
            (p, functools.partial(_read_registrations, p, settings, schools)) for p in linking
        ]
        jobs = [functools.partial(_prepare, path, read) for path, read in reads]
        with ThreadPoolExecutor(max_workers=READ_AHEAD) as pool:
            ahead = _ahead(pool, jobs)
            for path in results:
                done = next(ahead).result()
                reports.append(_run(conn, path, "exam", settings, years, done.meta, done.result))
            linked = year if year is not None else (min(years) if len(years) == 1 else None)
            for path in linking:
                done = next(ahead).result()
                checked = functools.partial(_linked, done.result, path, linked)
                reports.append(
                    _run(conn, path, "exam_registrations", settings, years, done.meta, checked)
                )
        if years:
            stats.rebuild(conn, settings, sorted(years))
    return reports


@dataclass(frozen=True)
class Prepared:
    """A file as a thread prepared it: what its run records of it (its SHA-256 and size) and
    what reading and checking it gave, or the :class:`FileError` that made it a failed run."""

    meta: dict[str, object]
    outcome: Any

    def result(self) -> Any:
        if isinstance(self.outcome, FileError):
            raise self.outcome
        return self.outcome


def _prepare(path: Path, read: Callable[[], Any]) -> Prepared:
    meta = file_meta(path)  # hashed here too: not on the storing thread
    try:
        return Prepared(meta, read())
    except FileError as exc:
        return Prepared(meta, exc)


def _ahead(
    pool: ThreadPoolExecutor, jobs: Sequence[Callable[[], Prepared]]
) -> Iterator[Future[Prepared]]:
    """Each job's future, in order, the next READ_AHEAD jobs running in the pool's threads
    while the caller stores this one's file (Polars' JSON reader holds one core per file;
    Polars and DuckDB work outside the GIL: both cores busy)."""
    futures = [pool.submit(job) for job in jobs[:READ_AHEAD]]
    for i in range(len(jobs)):
        if i + READ_AHEAD < len(jobs):
            futures.append(pool.submit(jobs[i + READ_AHEAD]))
        yield futures.pop(0)


def _read_results(path: Path, settings: Settings, year: int | None, catalog: ExamCatalog) -> Read:
    found = read_results(path, settings)
    at = _year(path, found, year)
    return found, check_results(found.rows, catalog), at


def _read_registrations(
    path: Path, settings: Settings, schools: pl.Series
) -> tuple[ExamFile, Checked]:
    """A registration file read and checked against the registry's schools (read before the
    threads start: the results loaded meanwhile do not change it)."""
    found = read_registrations(path, settings)
    return found, check_registrations(found.rows, schools)


def _linked(read: Callable[[], tuple[ExamFile, Checked]], path: Path, year: int | None) -> Read:
    """A registration file read and checked, with the year of the results it links (known
    once they are loaded)."""
    found, checked = read()
    if year is None:
        raise FileError(path, "exam_no_year")
    return found, checked, year


def _run(
    conn: duckdb.DuckDBPyConnection,
    path: Path,
    kind: str,
    settings: Settings,
    years: set[int],
    meta: dict[str, object],
    checked_file: Callable[[], Read],
) -> FileReport:
    """One file's run: ``meta`` is what it records of the file, ``checked_file()`` gives it
    read and checked (or raises :class:`FileError`: a failed run)."""
    run_id = db.scalar(conn, db.sql("ingest/next_run_id", settings.sql_dir))
    report = FileReport(str(path), run_id, "failed")
    record = RunRecord(
        file_name(path.name).safe, meta, None, False, None, datetime.now(UTC), kind=kind
    )
    try:
        found, checked, at = checked_file()
        meta["file_format"] = found.fmt
        conn.execute("begin transaction")
        try:
            _store(conn, report, found, checked, at, kind, settings)
            record_run(conn, report, record, settings)
            conn.execute("commit")
        except BaseException:
            conn.execute("rollback")
            raise
        years.add(at)
        archive(path, run_id, settings)
    except FileError as exc:
        report.status = "failed"
        say(report, exc.code, exc.values)
        report.refused_by = exc.setting if isinstance(exc, LimitError) else None
        record_run(conn, report, record, settings)
    return report


def _year(path: Path, found: ExamFile, given: int | None) -> int:
    """The exam's year: the one given, else the year of the JSON's export time."""
    if given is not None:
        if not FIRST_YEAR <= given <= LAST_YEAR:
            raise FileError(path, "exam_bad_year", value=given)
        return given
    stated = (found.head or {}).get("export_time")
    try:
        return datetime.fromisoformat(str(stated)).year if stated else _no_year(path)
    except ValueError:
        return _no_year(path)


def _no_year(path: Path) -> int:
    raise FileError(path, "exam_no_year")


def _registry(conn: duckdb.DuckDBPyConnection, settings: Settings) -> pl.Series:
    if not db.scalar(conn, db.sql("ingest/has_registry", settings.sql_dir)):
        return _none()
    return db.query(conn, "ingest/registry_codes", settings)["school_code"]


def _none() -> pl.Series:
    return pl.Series("school_code", [], dtype=pl.String)


def _store(
    conn: duckdb.DuckDBPyConnection,
    report: FileReport,
    found: ExamFile,
    checked: Checked,
    year: int,
    kind: str,
    settings: Settings,
) -> None:
    """One run's rows: rejects, warnings, and the candidates or links it loads or replaces."""
    run_id = report.run_id
    issues = {"ingest_rejects": checked.rejects, "ingest_warnings": checked.warnings}
    for table, found_issues in issues.items():
        if found_issues.height:  # most files have none: no insert
            db.insert_frame(conn, table, issue_frame(found_issues, found.columns, run_id))
    accepted = checked.accepted
    if kind == "exam":
        report.replaced = _store_results(conn, accepted, found, year, run_id, settings)
    else:
        conn.register("incoming_registrations", accepted)
        try:
            count = db.sql("ingest/exam_registration_count", settings.sql_dir)
            report.replaced = db.scalar(conn, count, {"year": year})
            _execute(conn, "ingest/exam_insert_registrations", settings, year=year, run_id=run_id)
        finally:
            conn.unregister("incoming_registrations")
    report.status = "loaded"
    report.rows_read = found.rows.height
    report.accepted = accepted.height
    report.rejected = checked.rejects.select(pl.struct("_sheet", "_row").n_unique()).item()
    report.warnings = checked.warnings.height


def _store_results(
    conn: duckdb.DuckDBPyConnection,
    accepted: pl.DataFrame,
    found: ExamFile,
    year: int,
    run_id: int,
    settings: Settings,
) -> int:
    """Replace the councils' candidates of the year with the accepted ones; the number
    replaced."""
    councils = sorted(accepted["council_code"].unique().to_list())
    head = found.head
    stated = _stated_council(head)
    if stated is not None and stated not in councils:
        councils.append(stated)  # a file of a council whose every row was rejected
    keys = {"year": year, "councils": councils}
    replaced = int(db.scalar(conn, db.sql("ingest/exam_council_count", settings.sql_dir), keys))
    _execute(conn, "ingest/exam_replace_councils", settings, **keys)
    subjects = [c for c in accepted.columns if c not in ("_sheet", "_row", *CANDIDATE_COLUMNS)]
    scores = accepted.select("candidate_no", *subjects)  # unpivoted by DuckDB as inserted
    conn.register("incoming_candidates", accepted)
    conn.register("incoming_scores", scores)
    try:
        _execute(conn, "ingest/exam_insert_candidates", settings, year=year, run_id=run_id)
    finally:
        conn.unregister("incoming_candidates")
        conn.unregister("incoming_scores")
    if head is not None and stated is not None:
        db.insert_frame(conn, "core_exam__files", _file_row(head, stated, year, run_id))
    return replaced


def _stated_council(head: dict[str, Any] | None) -> str | None:
    """The council a JSON file says it holds (its ``province_code``, a council code)."""
    code = (head or {}).get("province_code")
    text = str(code).strip() if code is not None else ""
    return text.zfill(2) if text.isdigit() and len(text) <= 2 else None


def _file_row(head: dict[str, Any], council: str, year: int, run_id: int) -> pl.DataFrame:
    def number(key: str, kind: type) -> Any:  # the head's values are text (ingest.exams.read)
        try:
            return kind(float(head[key])) if head.get(key) is not None else None
        except (TypeError, ValueError, OverflowError):
            return None

    exported = head.get("export_time")
    try:
        at = datetime.fromisoformat(str(exported)) if exported else None
    except ValueError:
        at = None
    return pl.DataFrame(
        [
            {
                "year": year,
                "council_code": council,
                "run_id": run_id,
                "expected_max_no": number("expected_max_sbd", int),
                "stated_records": number("total_records", int),
                "stated_coverage": number("coverage_percentage", float),
                "exported_at": at,
            }
        ],
        schema={
            "year": pl.Int16,
            "council_code": pl.String,
            "run_id": pl.Int32,
            "expected_max_no": pl.Int32,
            "stated_records": pl.Int32,
            "stated_coverage": pl.Float64,
            "exported_at": pl.Datetime,
        },
    )


def _execute(conn: duckdb.DuckDBPyConnection, name: str, settings: Settings, **values: Any) -> None:
    """Each statement of ``sql/<name>.sql`` with the parameters it names (DuckDB prepares
    one statement at a time)."""
    for statement in db.sql(name, settings.sql_dir).split(";\n"):
        lines = statement.splitlines()
        code = "\n".join(line for line in lines if not line.lstrip().startswith("--"))
        if code.strip():
            conn.execute(statement, {k: v for k, v in values.items() if f"${k}" in code})
