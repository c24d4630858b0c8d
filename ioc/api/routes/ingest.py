"""Upload a return file (operators, within their units), run status, per-row rejects."""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any

import polars as pl
from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile
from fastapi import Path as PathParam

from ioc import db
from ioc.api.deps import CursorDep, SettingsDep, client_ip, require
from ioc.api.errors import ApiError
from ioc.api.listing import Format, respond
from ioc.api.params import MAX_ID
from ioc.api.principal import Principal
from ioc.api.routes.jobs import job_path, job_problem, job_view
from ioc.api.scope import schools_in_scope
from ioc.catalog.messages import describe, run_messages
from ioc.config import Settings
from ioc.domain.period import PATTERN
from ioc.jobs import upload as upload_job
from ioc.returns.limits import LimitError, ReadLimits
from ioc.returns.names import file_name
from ioc.returns.read import check_limits

router = APIRouter(prefix="/ingest", tags=["ingest"])
log = logging.getLogger("ioc.api")
ALLOWED = (".csv", ".xlsx", ".xls", ".ods", ".txt", ".tsv")
# rejected rows carry other units' schools and values: not for unit-scoped analysts
Readers = Annotated[Principal, Depends(require("admin", "leader", "operator"))]
# A wall screen (display role) may list runs to show what happened, but not which file or by
# whom: no file names (they can name a school), accounts or messages.
RunListReaders = Annotated[
    Principal, Depends(require("admin", "leader", "analyst", "operator", "display"))
]
DISPLAY_RUN_COLUMNS = (
    "run_id",
    "kind",  # 'returns', or 'exam' / 'exam_registrations' (docs/exams.md)
    "file_format",
    "period_given",
    "received_date",
    "started_at",
    "finished_at",
    "status",
    "rows_read",
    "rows_accepted",
    "rows_replaced",
    "rows_rejected",
    "warnings",
)

RUNS_SCOPE = """Admins and leaders read every run in full. An operator, who is scoped to
units, reads in full the runs they uploaded and the runs that loaded, replaced or rejected a
row of a school of their units; of other runs, only the outcome and the counts (file name,
account and message are null: a file name can name another unit's school). Analysts and wall
screens read outcomes and counts only. No run shows the path a file was read from or the
host that ran it."""

UPLOAD = """The file is saved and a job is queued: the answer is **202** with the job
(`Location: /api/v1/jobs/{id}`); follow it until it ends. The job reads, validates and
loads the file in a process of its own, bounded by `IOC_INGEST_MEMORY_LIMIT_MB` and
`IOC_INGEST_TIME_LIMIT_SECONDS`; a succeeded job's `result` is the run's report (this
route's answer before jobs), a job stopped at a limit fails with the 413 problem as its
`problem` (code `ingest_memory_limit` or `ingest_time_limit`), its run recorded as failed.

What is known before the job starts is answered at once: a file above a limit of size,
archive, cells, columns or line length (`IOC_MAX_FILE_BYTES`, `IOC_INGEST_MAX_*`) is refused
before any parsing with a 413 problem naming the limit (its run recorded as failed; the
published data is untouched), a file of another type with 415. The file name is stored
without path parts or control characters (`file_name`); `path` is the name as sent, with
control characters escaped."""


@router.post(
    "",
    summary="Upload a return file; a job validates, loads and publishes it",
    description=UPLOAD,
    status_code=202,
    responses={
        202: {
            "description": "The job that loads the file (`Location`: its address)",
            "headers": {"Location": {"schema": {"type": "string"}, "description": "The job"}},
        }
    },
)
def upload(
    request: Request,
    response: Response,
    settings: SettingsDep,
    who: Annotated[Principal, Depends(require("admin", "operator"))],
    file: Annotated[UploadFile, File(description="CSV or XLSX return file")],
    period: Annotated[str | None, Form(pattern=PATTERN, max_length=12)] = None,
    strict: Annotated[bool, Form()] = False,
) -> dict[str, Any]:
    name = file_name(file.filename)
    if not name.safe.lower().endswith(ALLOWED):
        raise ApiError(
            415,
            "unsupported_type",
            "Chỉ nhận tệp CSV, XLSX, XLS hoặc ODS",
            f"{name.display}: only CSV, XLSX, XLS or ODS return files are accepted",
        )
    uploads = settings.data_dir / "uploads"
    uploads.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="job-", dir=uploads))  # the job removes it
    try:
        _save(file, work / name.safe, settings.max_file_bytes)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    scope = None if who.role == "admin" else [list(s) for s in who.scopes]
    given = upload_job.request(
        work.relative_to(settings.data_dir),
        name.safe,
        name.display,
        period,
        strict,
        scope,
        client_ip(request),
    )
    runner = request.app.state.jobs
    try:
        check_limits(work / name.safe, ReadLimits.of(settings))
    except LimitError:  # refused before parsing: its failed run recorded now, answered at once
        job = runner.run_now("ingest", who.username, given)
        if job.problem is not None:
            raise job_problem(job.problem) from None
    else:
        job = runner.submit("ingest", who.username, given)
    response.headers["Location"] = job_path(job.id)
    return job_view(job)


def _save(file: UploadFile, path: Path, limit: int) -> None:
    written = 0
    with path.open("wb") as out:
        while chunk := file.file.read(1 << 20):
            written += len(chunk)
            if written > limit:
                raise ApiError(
                    413,
                    "too_large",
                    "Tệp quá lớn",
                    f"the file is larger than the limit of {limit:,} bytes",
                )
            out.write(chunk)


@router.get(
    "/runs",
    summary="Ingest runs, newest first (display accounts: outcomes and counts only)",
    description=RUNS_SCOPE,
)
def runs(
    request: Request,
    cur: CursorDep,
    settings: SettingsDep,
    who: RunListReaders,
    format: Format = "json",
) -> Any:
    if not who.sees_schools or who.role == "analyst":
        rows = db.query(cur, "queries/ingest_runs", settings, run_id=None)
        return respond(request, rows.select(DISPLAY_RUN_COLUMNS), "ingest_runs", format)
    return respond(request, _runs(request, cur, settings, who, None), "ingest_runs", format)


@router.get("/runs/{run_id}", summary="One ingest run", description=RUNS_SCOPE)
def run(
    request: Request,
    cur: CursorDep,
    settings: SettingsDep,
    who: Readers,
    run_id: Annotated[int, PathParam(ge=1, le=MAX_ID)],
) -> dict[str, Any]:
    rows = _runs(request, cur, settings, who, run_id)
    if rows.is_empty():
        raise ApiError(404, "unknown_run", f"Không có lần nạp {run_id}", f"No ingest run {run_id}")
    return json.loads(rows.write_json())[0]  # encoded as the run list is (times with "Z")


def _runs(
    request: Request, cur: Any, settings: Settings, who: Principal, run_id: int | None
) -> pl.DataFrame:
    """Runs as ``who`` may read them (see ``RUNS_SCOPE``)."""
    schools = schools_in_scope(cur, settings, who, request)
    if schools is None:
        return run_messages(db.query(cur, "queries/ingest_runs", settings, run_id=run_id))
    rows = db.query(
        cur,
        "queries/ingest_runs_scoped",
        settings,
        run_id=run_id,
        schools=schools,
        account=who.username,
    )
    theirs = pl.col("is_theirs")
    return run_messages(
        rows.select(
            pl.col(name) if name in DISPLAY_RUN_COLUMNS else pl.when(theirs).then(pl.col(name))
            for name in rows.columns
            if name != "is_theirs"
        )
    )


REJECTS_SCOPE = """Admins and leaders see every rejected row of the run. An operator, who is
scoped to units, sees only:

* the rows of schools placed (in the school registry, in either unit scheme) in their units,
  in any run, including runs uploaded by others that mix schools of several units;
* in a run they uploaded themselves, also the rows that name no school of the registry
  (a blank or unknown school code, e.g. a new school): those rows are their own file's.

Rows of registry schools outside their units are never shown, even in their own run, so the
list can be shorter than the run's `rows_rejected`. Analysts and wall screens see the runs'
counts only (`/ingest/runs`)."""


@router.get(
    "/runs/{run_id}/rejects",
    summary="Rejected rows of a run: row, column, rule, value (operators: within their units)",
    description=REJECTS_SCOPE,
)
def rejects(
    request: Request,
    cur: CursorDep,
    settings: SettingsDep,
    who: Readers,
    run_id: Annotated[int, PathParam(ge=1, le=MAX_ID)],
    format: Format = "json",
    limit: Annotated[int, Query(ge=1, le=100000)] = 10000,
) -> Any:
    """Rejected rows of one run, cut to the caller's units for a scoped operator.

    See ``REJECTS_SCOPE``: rows of schools in their units; rows naming no registry school
    only in a run they uploaded (``run_by`` is the uploading account); nothing else."""
    schools = schools_in_scope(cur, settings, who, request)
    rows = db.query(
        cur, "queries/rejects", settings, run_id=run_id, schools=schools, account=who.username
    )
    return respond(request, describe(rows.head(limit)), f"rejects_run_{run_id}", format)
