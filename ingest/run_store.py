"""What one run writes into the writer session's snapshot: its raw rows, accepted returns,
rejects, warnings and replacements (:func:`store_checked`), and its ``ingest_runs`` record
(:func:`record_run`), for a file or for the rows of a pulled source alike."""

from __future__ import annotations

import getpass
import json
import socket
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import duckdb
import polars as pl

from ioc import db
from ioc.catalog.messages import file_message, messages
from ioc.config import Settings
from ioc.domain.period import Period
from ioc.returns.changes import period_change_warnings
from ioc.returns.headers import Table
from ioc.returns.validate import Checked

RAW_SLICE = 5000  # rows of a run stored as received at a time (raw_file__rows)


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
class Pulled:
    """Where the rows of a run came from when a source was pulled (docs/pulls.md)."""

    source: str  # the source's name
    kind: str  # 'http-json' | 'http-file' | 'ioc-edu'
    resource: str  # 'returns' | 'schools'

    @property
    def label(self) -> str:
        """What a user reads as the run's name: 'vendor-a: returns'."""
        return f"{self.source}: {self.resource}"


@dataclass(frozen=True)
class RunRecord:
    """What ``ingest_runs`` says of a run besides its report."""

    file_name: str
    meta: dict[str, object]  # sha256, size_bytes, file_format
    period: Period | None
    strict: bool
    received: date | None
    started: datetime
    pulled: Pulled | None = None
    kind: str = "returns"  # what the run loaded: 'returns', 'exam', 'exam_registrations'


def say(report: FileReport, code: str, values: dict[str, object]) -> None:
    """Give the run its message: the code, its parameters and the English text."""
    report.message_code, report.message_params = code, values
    report.message = file_message(code, "en", values)


def column_names(tables: list[Table], *, as_written: bool = False) -> pl.DataFrame:
    """Each field's column as a reject names it: the header and its column letter (a file),
    or the header as written (``as_written``: the vendor's field of a pulled row)."""
    rows = [
        {
            "_sheet": t.sheet,
            "field": name,
            "column_name": col.header if as_written else col.ref(t.sheet is not None),
        }
        for t in tables
        for name, col in t.columns.items()
    ]
    return pl.DataFrame(
        rows, schema={"_sheet": pl.String, "field": pl.String, "column_name": pl.String}
    )


def issue_frame(issues: pl.DataFrame, columns: pl.DataFrame, run_id: int) -> pl.DataFrame:
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


def store_checked(
    conn: duckdb.DuckDBPyConnection,
    run_id: int,
    columns: pl.DataFrame,
    checked: Checked,
    text: pl.DataFrame,
    strict: bool,
    report: FileReport,
    settings: Settings,
) -> None:
    """Store a validated table's rows: raw, rejects, warnings, replacements and returns."""
    # the rows as received, a slice at a time: all of a national file's rows as JSON text at
    # once would be a fifth of a gigabyte more at the session's peak
    for part in text.iter_slices(RAW_SLICE):
        raw = part.select(
            pl.lit(run_id).alias("run_id"),
            pl.col("_sheet").alias("sheet"),
            pl.col("_row").alias("source_row"),
            pl.struct(pl.all().exclude("_sheet", "_row")).struct.json_encode().alias("cells"),
        )
        db.insert_frame(conn, "raw_file__rows", raw)
        del raw
    db.insert_frame(conn, "ingest_rejects", issue_frame(checked.rejects, columns, run_id))
    report.rows_read = text.height
    report.rejected = checked.rejects.select(pl.struct("_sheet", "_row").n_unique()).item()
    if strict and report.rejected:
        report.status = "rejected_strict"
        say(report, "strict_rejected", {"rows": report.rejected})
        return
    conn.register("incoming", checked.accepted)
    conn.execute("create or replace temp table stage_returns as select * from incoming")
    conn.unregister("incoming")
    previous = db.query(conn, "ingest/previous_year_returns", settings)
    warnings = pl.concat([checked.warnings, period_change_warnings(checked.accepted, previous)])
    db.insert_frame(conn, "ingest_warnings", issue_frame(warnings, columns, run_id))
    before = db.scalar(conn, "select count(*) from ingest_replacements")
    db.execute(conn, "ingest/record_replacements", settings, run_id=run_id)
    after = db.scalar(conn, "select count(*) from ingest_replacements")
    db.execute(conn, "ingest/delete_replaced", settings)
    db.execute(conn, "ingest/insert_returns", settings, run_id=run_id)
    db.execute(conn, "schema/66_fill_return_hash", settings)
    conn.execute("drop table stage_returns")
    report.status = "loaded"
    report.accepted = checked.accepted.height
    report.school_codes = checked.accepted["school_code"].to_list()
    report.replaced = after - before
    report.warnings = warnings.height


def record_run(
    conn: duckdb.DuckDBPyConnection, report: FileReport, record: RunRecord, settings: Settings
) -> None:
    """The run's row of ``ingest_runs`` (columns named: older snapshots gain columns)."""
    pulled = record.pulled
    values: dict[str, object] = {
        "run_id": report.run_id,
        "source_file": report.path,
        "file_name": record.file_name,
        "sha256": record.meta["sha256"],
        "size_bytes": record.meta["size_bytes"],
        "file_format": record.meta["file_format"],
        "period_given": None if record.period is None else str(record.period),
        "strict": record.strict,
        "received_date": record.received or date.today(),
        "run_by": settings.user or getpass.getuser(),
        "host": socket.gethostname(),
        "started_at": record.started,
        "finished_at": datetime.now(UTC),
        "status": report.status,
        "rows_read": report.rows_read,
        "rows_accepted": report.accepted,
        "rows_replaced": report.replaced,
        "rows_rejected": report.rejected,
        "warnings": report.warnings,
        "message": report.message,
        "message_code": report.message_code,
        "message_params": None
        if report.message_params is None
        else json.dumps(report.message_params),
        "source_name": pulled and pulled.source,
        "source_kind": pulled and pulled.kind,
        "pull_resource": pulled and pulled.resource,
        "kind": record.kind,
    }
    names = ", ".join(values)
    marks = ", ".join("?" for _ in values)
    conn.execute(f"insert into ingest_runs ({names}) values ({marks})", list(values.values()))
