"""Ingest runs: return files in, one published DuckDB snapshot out.

One call of :func:`ingest` is one writer session on a private copy of the snapshot
(:func:`ioc.db.writer`), published atomically at the end. Inside it each file is one run
in its own transaction: its raw rows, accepted returns, rejects (with reasons),
warnings and replacements land together or not at all. A file that cannot be read is
recorded as a failed run and changes nothing else: a session whose every file failed
publishes its runs without a new build (readers keep theirs, with its caches).
"""

from __future__ import annotations

import getpass
import json
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import polars as pl

from ingest import places
from ingest.sources.files import archive, file_meta, read_tables
from ioc import db
from ioc.catalog import load_contract, load_rules
from ioc.catalog.messages import file_message, messages
from ioc.compute.out_tables import rebuild_indicators
from ioc.config import Settings, get_settings
from ioc.domain.period import Period
from ioc.geo import admin as geo
from ioc.returns.changes import period_change_warnings
from ioc.returns.headers import Table
from ioc.returns.limits import LimitError
from ioc.returns.names import file_name
from ioc.returns.parse import cast_to_contract
from ioc.returns.read import FileError
from ioc.returns.totals import total_row_warnings
from ioc.returns.validate import Checked, check

Progress = Callable[[str, str], None]  # (file name, stage)


@dataclass
class FileReport:
    path: str
    run_id: int
    status: str  # 'loaded' | 'failed' | 'rejected_strict'
    rows_read: int = 0
    accepted: int = 0
    replaced: int = 0
    rejected: int = 0
    warnings: int = 0
    message: str | None = None  # English; its code and parameters make it in any language
    message_code: str | None = None  # the code of its text (``files`` of messages.yaml)
    message_params: dict[str, object] | None = None
    sheets: list[str] = field(default_factory=list)
    school_codes: list[str] = field(default_factory=list)  # schools whose returns changed
    refused_by: str | None = None  # the setting a file was refused by (above a limit)


@dataclass(frozen=True)
class Batch:
    """Files received together, with the period they cover if the files do not say."""

    paths: Sequence[Path]
    period: Period | None = None
    received: date | None = None
    sources: Sequence[str] | None = None  # names the files were sent under, if not paths


def ingest(
    paths: Sequence[Path],
    *,
    period: str | None = None,
    strict: bool = False,
    received: date | None = None,
    settings: Settings | None = None,
    progress: Progress | None = None,
    scope: Sequence[tuple[str, str]] | None = None,
    sources: Sequence[str] | None = None,
) -> list[FileReport]:
    """Load return files; publish one new snapshot with every file's run recorded.

    ``scope`` (scheme, unit code) pairs limit what may be loaded: rows of schools outside
    those units, or registered outside them, are rejected (an operator loads returns for
    their own units only; see :mod:`ingest.places`). ``sources`` are the names the files
    were sent under (an upload's), recorded and reported instead of the paths."""
    batch = Batch(paths, Period.parse(period) if period else None, received, sources)
    return ingest_batches([batch], strict=strict, settings=settings, progress=progress, scope=scope)


def ingest_batches(
    batches: Sequence[Batch],
    *,
    strict: bool = False,
    settings: Settings | None = None,
    progress: Progress | None = None,
    scope: Sequence[tuple[str, str]] | None = None,
) -> list[FileReport]:
    """Load several batches in one writer session: one snapshot published at the end."""
    settings = settings or get_settings()
    reports: list[FileReport] = []
    with db.writer(settings, new_build=lambda: _stored_rows(reports)) as conn:
        ensure_units(conn, settings)
        reference = Reference(
            conn.sql("select * from core_geo__units").pl(),
            places.registry(conn, settings),
            places.scope_of(conn, settings, scope),
        )
        for batch in batches:
            sources = batch.sources or [str(p) for p in batch.paths]
            for path, source in zip(batch.paths, sources, strict=True):
                reports.append(
                    _ingest_file(
                        conn,
                        Path(path),
                        source,
                        batch.period,
                        strict,
                        batch.received,
                        settings,
                        progress,
                        reference,
                    )
                )
        if not any(r.status == "loaded" for r in reports):
            return reports  # no returns changed: the registry and indicators stand
        if progress:
            progress("", "rebuilding the registry and indicators")
        rebuild_core(conn, settings)
        changed = {code for r in reports for code in r.school_codes}
        if changed:
            rebuild_indicators(conn, settings, changed)
    return reports


def ensure_units(conn: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    """Load both unit schemes and the crosswalks into a new snapshot (static reference data).

    Each table is filled when empty, so a store made before a table existed gets it."""
    if not db.scalar(conn, "select count(*) from core_geo__units"):
        db.insert_frame(conn, "core_geo__units", geo.units())
        db.insert_frame(conn, "core_geo__commune_crosswalk", geo.commune_crosswalk())
    if not db.scalar(conn, "select count(*) from core_geo__district_crosswalk"):
        db.insert_frame(conn, "core_geo__district_crosswalk", geo.district_crosswalk())


def _stored_rows(reports: list[FileReport]) -> bool:
    """Whether a run stored rows readers see (returns, rejects): then it is a new build."""
    return any(r.status != "failed" for r in reports)


@dataclass(frozen=True)
class Reference:
    """What every file of a session is checked against."""

    units: pl.DataFrame  # both unit schemes
    registry: pl.DataFrame  # where the registry places each school (ingest.places)
    scope: places.Scope | None  # what a scoped account may write; None: unrestricted


def record_failure(
    path: Path,
    code: str,
    params: dict[str, object],
    *,
    source: str | None = None,
    period: str | None = None,
    strict: bool = False,
    received: date | None = None,
    settings: Settings | None = None,
) -> FileReport:
    """Record a failed run for a file whose ingest could not finish (stopped at a limit),
    its message the catalog's ``code`` (``files``) with ``params``: published without a new
    build, as every session that loaded nothing."""
    settings = settings or get_settings()
    started = datetime.now(UTC)
    with db.writer(settings, new_build=lambda: False) as conn:
        run_id = db.scalar(conn, db.sql("ingest/next_run_id", settings.sql_dir))
        report = FileReport(source or str(path), run_id, "failed")
        _say(report, code, {"file": path.name, **params})
        meta = file_meta(path)
        given = Period.parse(period) if period else None
        _record_run(conn, report, path, meta, given, strict, received, started, settings)
    return report


def rebuild_core(conn: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    """Rebuild the derived core tables (registry, expected schools) from the returns."""
    due = load_rules().quality.due
    params = {"dn_due": due["DN"], "cn_due": due["CN"]}
    for file in sorted((settings.sql_dir / "core").glob("*.sql")):
        text = file.read_text(encoding="utf-8")
        conn.execute(text, {k: v for k, v in params.items() if f"${k}" in text} or None)


def _ingest_file(
    conn: duckdb.DuckDBPyConnection,
    path: Path,
    source: str,
    period: Period | None,
    strict: bool,
    received: date | None,
    settings: Settings,
    progress: Progress | None,
    reference: Reference,
) -> FileReport:
    started = datetime.now(UTC)
    run_id = db.scalar(conn, db.sql("ingest/next_run_id", settings.sql_dir))
    report = FileReport(source, run_id, "failed")
    meta = file_meta(path)
    try:
        if progress:
            progress(path.name, "reading")
        fmt, tables = read_tables(path, settings)
        meta["file_format"] = fmt
        report.sheets = [t.sheet or "" for t in tables]
        if progress:
            progress(path.name, "validating")
        checked, text = _validate(tables, period, path, reference.units)
        if reference.scope is not None:
            checked = places.within(checked, reference.scope, reference.registry)
        moved = places.moves(checked.accepted, reference.registry)
        warnings = pl.concat([checked.warnings, moved], how="vertical_relaxed")
        checked = Checked(checked.accepted, checked.rejects, warnings)
        if progress:
            progress(path.name, "writing")
        conn.execute("begin transaction")
        try:
            _store(conn, run_id, tables, checked, text, strict, report, settings)
            if report.message_code is None and (found := places.summary(checked.rejects, moved)):
                _say(report, *found)
            _record_run(conn, report, path, meta, period, strict, received, started, settings)
            conn.execute("commit")
        except BaseException:
            conn.execute("rollback")
            raise
        archive(path, run_id, settings)
    except FileError as exc:
        report.status = "failed"
        _say(report, exc.code, exc.values)
        report.refused_by = exc.setting if isinstance(exc, LimitError) else None
        _record_run(conn, report, path, meta, period, strict, received, started, settings)
    return report


def _say(report: FileReport, code: str, values: dict[str, object]) -> None:
    """Give the run its message: the code, its parameters and the English text."""
    report.message_code, report.message_params = code, values
    report.message = file_message(code, "en", values)


def _validate(
    tables: list[Table], given: Period | None, path: Path, units: pl.DataFrame
) -> tuple[Checked, pl.DataFrame]:
    contract = load_contract()
    parts = [t.data.with_columns(pl.lit(t.sheet, dtype=pl.String).alias("_sheet")) for t in tables]
    text = pl.concat(parts, how="diagonal")
    if given is None and "school_year" not in text.columns:
        raise FileError(path, "no_period_columns")
    for name in ("school_year", "term"):
        if name not in text.columns:
            text = text.with_columns(pl.lit(None, dtype=pl.String).alias(name))
    typed = cast_to_contract(text, contract)
    checked = check(typed, text, contract=contract, rules=load_rules(), units=units, period=given)
    totals = total_row_warnings(tables, typed, contract)
    return Checked(checked.accepted, checked.rejects, pl.concat([checked.warnings, totals])), text


def _column_names(tables: list[Table]) -> pl.DataFrame:
    rows = [
        {"_sheet": t.sheet, "field": name, "column_name": col.ref(t.sheet is not None)}
        for t in tables
        for name, col in t.columns.items()
    ]
    return pl.DataFrame(
        rows, schema={"_sheet": pl.String, "field": pl.String, "column_name": pl.String}
    )


def _issue_frame(issues: pl.DataFrame, columns: pl.DataFrame, run_id: int) -> pl.DataFrame:
    joined = issues.join(columns, on=["_sheet", "field"], how="left", nulls_equal=True)
    return joined.select(
        pl.lit(run_id).alias("run_id"),
        pl.col("_sheet").alias("sheet"),
        pl.col("_row").alias("source_row"),
        "school_code",
        "column_name",
        "field",
        "rule",
        "value",
        "params",
        messages(joined, "en").alias("message"),  # for readers of the store itself
    )


def _store(
    conn: duckdb.DuckDBPyConnection,
    run_id: int,
    tables: list[Table],
    checked: Checked,
    text: pl.DataFrame,
    strict: bool,
    report: FileReport,
    settings: Settings,
) -> None:
    columns = _column_names(tables)
    raw = text.select(
        pl.lit(run_id).alias("run_id"),
        pl.col("_sheet").alias("sheet"),
        pl.col("_row").alias("source_row"),
        pl.struct(pl.all().exclude("_sheet", "_row")).struct.json_encode().alias("cells"),
    )
    db.insert_frame(conn, "raw_file__rows", raw)
    db.insert_frame(conn, "ingest_rejects", _issue_frame(checked.rejects, columns, run_id))
    report.rows_read = text.height
    report.rejected = checked.rejects.select(pl.struct("_sheet", "_row").n_unique()).item()
    if strict and report.rejected:
        report.status = "rejected_strict"
        _say(report, "strict_rejected", {"rows": report.rejected})
        return
    conn.register("incoming", checked.accepted)
    conn.execute("create or replace temp table stage_returns as select * from incoming")
    conn.unregister("incoming")
    previous = db.query(conn, "ingest/previous_year_returns", settings)
    warnings = pl.concat([checked.warnings, period_change_warnings(checked.accepted, previous)])
    db.insert_frame(conn, "ingest_warnings", _issue_frame(warnings, columns, run_id))
    before = db.scalar(conn, "select count(*) from ingest_replacements")
    db.execute(conn, "ingest/record_replacements", settings, run_id=run_id)
    after = db.scalar(conn, "select count(*) from ingest_replacements")
    db.execute(conn, "ingest/delete_replaced", settings)
    db.execute(conn, "ingest/insert_returns", settings, run_id=run_id)
    conn.execute("drop table stage_returns")
    report.status = "loaded"
    report.accepted = checked.accepted.height
    report.school_codes = checked.accepted["school_code"].to_list()
    report.replaced = after - before
    report.warnings = warnings.height


def _record_run(
    conn: duckdb.DuckDBPyConnection,
    report: FileReport,
    path: Path,
    meta: dict[str, object],
    period: Period | None,
    strict: bool,
    received: date | None,
    started: datetime,
    settings: Settings,
) -> None:
    conn.execute(
        """insert into ingest_runs values
        (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [
            report.run_id,
            report.path,
            file_name(path.name).safe,
            meta["sha256"],
            meta["size_bytes"],
            meta["file_format"],
            None if period is None else str(period),
            strict,
            received or date.today(),
            settings.user or getpass.getuser(),
            socket.gethostname(),
            started,
            datetime.now(UTC),
            report.status,
            report.rows_read,
            report.accepted,
            report.replaced,
            report.rejected,
            report.warnings,
            report.message,
            report.message_code,
            None if report.message_params is None else json.dumps(report.message_params),
        ],
    )
