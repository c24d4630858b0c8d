"""Ingest runs: return files in, one published DuckDB snapshot out.

One call of :func:`ingest` is one writer session on a private copy of the snapshot
(:func:`ioc.db.writer`), published atomically at the end. Inside it each file is one run
in its own transaction: its raw rows, accepted returns, rejects (with reasons),
warnings and replacements land together or not at all. A file that cannot be read is
recorded as a failed run and changes nothing else: a session whose every file failed
publishes its runs without a new build (readers keep theirs, with its caches).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import polars as pl

from ingest import places
from ingest.approvals import frozen_rejects, sync_approvals
from ingest.core_tables import ensure_units, rebuild_core
from ingest.run_store import (
    FileReport,
    Pulled,
    RunRecord,
    column_names,
    record_run,
    say,
    store_checked,
)
from ingest.sources.files import archive, file_meta, read_tables
from ioc import db
from ioc.catalog import load_contract, load_rules
from ioc.compute.out_tables import provinces_of, rebuild_indicators
from ioc.compute.sums_delta import Baseline
from ioc.config import Settings, get_settings
from ioc.domain.period import Period
from ioc.returns.headers import Table
from ioc.returns.limits import LimitError
from ioc.returns.names import file_name
from ioc.returns.parse import cast_to_contract
from ioc.returns.read import FileError
from ioc.returns.totals import total_row_warnings
from ioc.returns.validate import Checked, check

Progress = Callable[[str, str], None]  # (file name, stage)


@dataclass(frozen=True)
class Batch:
    """Files received together, with the period they cover if the files do not say."""

    paths: Sequence[Path]
    period: Period | None = None
    received: date | None = None
    sources: Sequence[str] | None = None  # names the files were sent under, if not paths
    pulled: Pulled | None = None  # the source the files were pulled from


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
    then: Callable[[duckdb.DuckDBPyConnection, list[FileReport]], None] | None = None,
    publish: bool = True,
) -> list[FileReport]:
    """Load several batches in one writer session: one snapshot published at the end.
    ``then`` writes more in the same session once the files are in (a pulled file's
    watermark), so that it is published with them; ``publish=False`` (a dry run) keeps
    nothing."""
    settings = settings or get_settings()
    reports: list[FileReport] = []
    new_build = lambda: _stored_rows(reports)  # noqa: E731
    with db.writer(settings, new_build=new_build, publish=publish) as conn:
        reference = open_session(conn, settings, scope)
        for batch in batches:
            sources = batch.sources or [str(p) for p in batch.paths]
            for path, source in zip(batch.paths, sources, strict=True):
                reports.append(
                    _ingest_file(
                        conn,
                        Path(path),
                        source,
                        batch,
                        strict,
                        settings,
                        progress,
                        reference,
                    )
                )
        if then is not None:
            then(conn, reports)
        finish_session(conn, settings, reports, progress, reference.baseline)
    return reports


def open_session(
    conn: duckdb.DuckDBPyConnection,
    settings: Settings,
    scope: Sequence[tuple[str, str]] | None,
    schools: Sequence[str] | None = None,
) -> Reference:
    """Ready a writer session for runs: the units, the store's approvals and locks (read
    once: what the runs may not change, what official figures count), and what every run is
    checked against. ``schools``: every school the session's rows name, when known before
    (a pull's): the registry's places are read for those only."""
    ensure_units(conn, settings)
    # approvals the snapshot did not have: the stored official sums no longer match them,
    # so no difference can be taken from them (the provinces are recomputed instead)
    approvals_changed = sync_approvals(conn, settings)
    return Reference(
        conn.sql("select * from core_geo__units").pl(),
        places.registry(conn, settings, schools),
        places.scope_of(conn, settings, scope, schools),
        None if approvals_changed else Baseline(conn, settings),
    )


def finish_session(
    conn: duckdb.DuckDBPyConnection,
    settings: Settings,
    reports: Sequence[FileReport],
    progress: Progress | None = None,
    baseline: Baseline | None = None,
) -> None:
    """Rebuild the registry and the indicators of the schools whose returns changed (nothing
    when no run loaded: the registry and indicators stand); ``baseline``: the session's
    (:attr:`Reference.baseline`), what the schools added to the sums before it."""
    if not any(r.status == "loaded" for r in reports):
        return
    if progress:
        progress("", "rebuilding the registry and indicators")
    changed = {code for r in reports for code in r.school_codes}
    # where the changed schools were before this session: a school that moved province
    # leaves nothing behind in its old one
    before = provinces_of(conn, settings, changed) if changed else None
    if baseline is not None:  # schools whose registry record alone changed: as they stand
        baseline.capture(conn, changed)
    if not rebuild_core(conn, settings, changed or None):
        baseline = None  # every school's expected periods were made anew: no difference
    if changed:
        rebuild_indicators(conn, settings, changed, moved_from=before, baseline=baseline)


def _stored_rows(reports: list[FileReport]) -> bool:
    """Whether a run stored rows readers see (returns, rejects): then it is a new build."""
    return any(r.status != "failed" for r in reports)


@dataclass(frozen=True)
class Reference:
    """What every file of a session is checked against."""

    units: pl.DataFrame  # both unit schemes
    registry: pl.DataFrame  # where the registry places each school named (ingest.places)
    scope: places.Scope | None  # what a scoped account may write; None: unrestricted
    baseline: Baseline | None = None  # what the schools the session changes added before


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
        say(report, code, {"file": path.name, **params})
        given = Period.parse(period) if period else None
        record = RunRecord(
            file_name(path.name).safe, file_meta(path), given, strict, received, started
        )
        record_run(conn, report, record, settings)
    return report


def _ingest_file(
    conn: duckdb.DuckDBPyConnection,
    path: Path,
    source: str,
    batch: Batch,
    strict: bool,
    settings: Settings,
    progress: Progress | None,
    reference: Reference,
) -> FileReport:
    run_id = db.scalar(conn, db.sql("ingest/next_run_id", settings.sql_dir))
    report = FileReport(source, run_id, "failed")
    record = RunRecord(
        batch.pulled.label if batch.pulled else file_name(path.name).safe,
        file_meta(path),
        batch.period,
        strict,
        batch.received,
        datetime.now(UTC),
        batch.pulled,
    )
    try:
        if progress:
            progress(path.name, "reading")
        fmt, tables = read_tables(path, settings)
        record.meta["file_format"] = fmt
        report.sheets = [t.sheet or "" for t in tables]
        if progress:
            progress(path.name, "validating")
        columns = column_names(tables)
        _load(conn, report, tables, columns, path, record, reference, settings, progress)
        archive(path, run_id, settings)
    except FileError as exc:
        report.status = "failed"
        say(report, exc.code, exc.values)
        report.refused_by = exc.setting if isinstance(exc, LimitError) else None
        record_run(conn, report, record, settings)
    return report


def ingest_table(
    conn: duckdb.DuckDBPyConnection,
    table: Table,
    pulled: Pulled,
    *,
    source_file: str,
    sha256: str,
    reference: Reference,
    settings: Settings,
) -> FileReport:
    """One run of pulled rows (a :class:`Table` in memory, ``_row`` = position in the pull,
    each column's header the vendor's field) through the same validation, scope, rejects,
    replacements and run record as a file, in the caller's writer session."""
    run_id = db.scalar(conn, db.sql("ingest/next_run_id", settings.sql_dir))
    report = FileReport(source_file, run_id, "failed")
    meta: dict[str, object] = {"sha256": sha256, "size_bytes": None, "file_format": "json"}
    record = RunRecord(pulled.label, meta, None, False, None, datetime.now(UTC), pulled)
    columns = column_names([table], as_written=True)
    try:
        _load(conn, report, [table], columns, Path(pulled.label), record, reference, settings)
    except FileError as exc:
        say(report, exc.code, exc.values)
        record_run(conn, report, record, settings)
    return report


def check_tables(
    tables: list[Table], period: Period | None, path: Path, reference: Reference
) -> tuple[Checked, pl.DataFrame, pl.DataFrame]:
    """Validate tables as a run does: the contract, then the scope; the checked rows, their
    text and the warnings of schools that moved (:class:`FileError` when nothing can be
    checked)."""
    checked, text = _validate(tables, period, path, reference.units)
    if reference.scope is not None:
        checked = places.within(checked, reference.scope, reference.registry)
    moved = places.moves(checked.accepted, reference.registry)
    warnings = pl.concat([checked.warnings, moved], how="vertical_relaxed")
    return Checked(checked.accepted, checked.rejects, warnings), text, moved


def _load(
    conn: duckdb.DuckDBPyConnection,
    report: FileReport,
    tables: list[Table],
    columns: pl.DataFrame,
    path: Path,
    record: RunRecord,
    reference: Reference,
    settings: Settings,
    progress: Progress | None = None,
) -> None:
    """Validate and store one run's tables in its own transaction, with its run record."""
    checked, text, moved = check_tables(tables, record.period, path, reference)
    checked = frozen_rejects(conn, checked, settings)
    if reference.baseline is not None:  # before their returns are replaced
        reference.baseline.capture(conn, checked.accepted["school_code"].unique().to_list())
    if progress:
        progress(path.name, "writing")
    conn.execute("begin transaction")
    try:
        store_checked(conn, report.run_id, columns, checked, text, record.strict, report, settings)
        if report.message_code is None and (found := places.summary(checked.rejects, moved)):
            say(report, *found)
        record_run(conn, report, record, settings)
        conn.execute("commit")
    except BaseException:
        conn.execute("rollback")
        raise


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
