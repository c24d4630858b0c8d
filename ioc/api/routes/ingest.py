"""Upload a return file (operators, within their units), run status, per-row rejects."""

from __future__ import annotations

import json
import logging
import tempfile
from pathlib import Path
from typing import Annotated, Any

import polars as pl
from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi import Path as PathParam

from ioc import db
from ioc.api.deps import CursorDep, SettingsDep, client_ip, require
from ioc.api.errors import ApiError
from ioc.api.listing import Format, respond
from ioc.api.params import MAX_ID
from ioc.api.principal import Principal
from ioc.api.scope import allowed_units
from ioc.catalog.messages import LANGS, describe, file_message, run_messages
from ioc.config import Settings
from ioc.domain.period import PATTERN
from ioc.jobs.isolated import JobFailed, JobStopped, Limits, run_job
from ioc.returns.names import FileName, file_name

router = APIRouter(prefix="/ingest", tags=["ingest"])
log = logging.getLogger("ioc.api")
ALLOWED = (".csv", ".xlsx", ".xls", ".ods", ".txt", ".tsv")
JOB = "ingest.job"  # the ingest, run in a process of its own (see ioc.jobs.isolated)
STOPPED = {  # what stopped an upload's ingest: the problem's code and the setting
    "memory": ("ingest_memory_limit", "IOC_INGEST_MEMORY_LIMIT_MB"),
    "time": ("ingest_time_limit", "IOC_INGEST_TIME_LIMIT_SECONDS"),
}
# rejected rows carry other units' schools and values: not for unit-scoped analysts
Readers = Annotated[Principal, Depends(require("admin", "leader", "operator"))]
# A wall screen (display role) may list runs to show what happened, but not which file or by
# whom: no file names (they can name a school), accounts or messages.
RunListReaders = Annotated[
    Principal, Depends(require("admin", "leader", "analyst", "operator", "display"))
]
DISPLAY_RUN_COLUMNS = (
    "run_id",
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

UPLOAD = """The file is read, validated and loaded in a process of its own, bounded by
`IOC_INGEST_MEMORY_LIMIT_MB` and `IOC_INGEST_TIME_LIMIT_SECONDS`; before any parsing, a file
above a limit of size, archive, cells, columns or line length (`IOC_MAX_FILE_BYTES`,
`IOC_INGEST_MAX_*`) is refused. A refused file is a 413 problem naming the limit, and its
run is recorded as failed; the published data is untouched. The file name is stored
without path parts or control characters (`file_name`); `path` is the name as sent, with
control characters escaped."""


@router.post(
    "",
    summary="Upload a return file; it is validated, loaded and published",
    description=UPLOAD,
    status_code=201,
)
def upload(
    request: Request,
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
    with tempfile.TemporaryDirectory(prefix="ioc-upload-") as tmp:
        work = Path(tmp)
        _save(file, work / name.safe, settings.max_file_bytes)
        job = {
            "settings": _job_settings(settings, who),
            "paths": [name.safe],  # relative to the job's directory: no server path in a run
            "sources": [name.display],
            "period": period,
            "strict": strict,
            "scope": None if who.role == "admin" else [list(s) for s in who.scopes],
        }
        report, stopped = _run(job, work, settings)
    request.app.state.snapshot.published()
    request.app.state.auth.audit_event(
        "ingest",
        who.username,
        f"{name.display}: {report['status']}, run {report['run_id']}, "
        f"{report['accepted']} accepted, {report['rejected']} rejected",
        client_ip(request),
    )
    report = _worded(report)
    if stopped or report.get("refused_by"):
        raise _refused(name, report, stopped)
    body = {k: v for k, v in report.items() if k not in ("school_codes", "refused_by")}
    return {**body, "file_name": name.safe}


def _worded(report: dict[str, Any]) -> dict[str, Any]:
    """A run's report with its message in both languages (``message_vi``/``message_en``,
    from its code and parameters; the stored English one when it has no code)."""
    code, values = report.get("message_code"), report.pop("message_params", None)
    return report | {
        f"message_{lang}": file_message(code, lang, values, report.get("message")) for lang in LANGS
    }


def _job_settings(settings: Settings, who: Principal) -> dict[str, Any]:
    """The server's settings for the job, its directories absolute, the uploader its user."""
    return settings.model_copy(
        update={
            "data_dir": settings.data_dir.resolve(),
            "sql_dir": settings.sql_dir.resolve(),
            "user": who.username,  # the run's run_by
        }
    ).model_dump(mode="json", exclude={"smtp_password"})


def _run(job: dict[str, Any], work: Path, settings: Settings) -> tuple[dict[str, Any], str | None]:
    """The ingest job's report, and what stopped it if it was stopped (a second job then
    records its failed run, if it can); a job that failed is a 500 problem, recorded too."""
    limits = Limits(settings.ingest_memory_limit_mb << 20, settings.ingest_time_limit_seconds)
    try:
        (report,) = run_job(JOB, job, work, limits)["reports"]
        return report, None
    except JobStopped as exc:
        stopped, why = exc.limit, f"reading it {exc} ({STOPPED[exc.limit][1]})"
    except JobFailed as exc:
        log.error("the ingest job of %s failed: %s", job["paths"][0], exc)
        stopped, why = None, "an internal error stopped its ingest (logged on the server)"
    failure = f"{job['paths'][0]}: the file was refused: {why}"
    report = {"run_id": None, "status": "failed", "message": failure, "accepted": 0, "rejected": 0}
    try:
        report = run_job(JOB, {**job, "failure": failure}, work, limits)["reports"][0]
    except (JobStopped, JobFailed) as exc:
        log.error("the failed run of %s could not be recorded: %s", job["paths"][0], exc)
    if stopped is None:
        raise ApiError(
            500,
            "ingest_failed",
            "Lỗi hệ thống khi nạp tệp, vui lòng thử lại",
            f"Internal error while loading the file; {_recorded(report)}",
            run_id=report["run_id"],
        )
    return report, stopped


def _refused(name: FileName, report: dict[str, Any], stopped: str | None) -> ApiError:
    """413: the file went above a limit (before parsing, or while its job ran)."""
    code, setting = STOPPED[stopped] if stopped else ("file_over_limit", report["refused_by"])
    vi = f"Tệp {name.safe} bị từ chối vì vượt giới hạn {setting}"
    if report.get("message_code"):  # the catalog's words for what went above the limit
        vi = f"{report['message_vi']}: tệp bị từ chối"
    return ApiError(
        413,
        code,
        f"{vi}; dữ liệu không thay đổi, {_recorded_vi(report)}",
        f"{report['message']}; nothing was loaded, {_recorded(report)}",
        run_id=report["run_id"],
        limit=setting,
        message_vi=report.get("message_vi"),
        message_en=report.get("message_en"),
    )


def _recorded_vi(report: dict[str, Any]) -> str:
    if report["run_id"] is None:
        return "và không ghi nhận được lần nạp (xem nhật ký máy chủ)"
    return f"đã ghi nhận là lần nạp {report['run_id']} không thành công"


def _recorded(report: dict[str, Any]) -> str:
    if report["run_id"] is None:
        return "and its run could not be recorded (see the server log)"
    return f"recorded as failed run {report['run_id']}"


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
    schools = _scope_schools(request, cur, settings, who)
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


def _scope_schools(
    request: Request, cur: Any, settings: Settings, who: Principal
) -> list[str] | None:
    """The registry schools of a scoped caller's units; None for an unrestricted one."""
    allowed = allowed_units(cur, settings, who, request)
    if allowed is None:
        return None
    return db.query(
        cur,
        "queries/scope_schools",
        settings,
        schemes=allowed["scheme"].to_list(),
        codes=allowed["code"].to_list(),
    )["school_code"].to_list()


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
    schools = _scope_schools(request, cur, settings, who)
    rows = db.query(
        cur, "queries/rejects", settings, run_id=run_id, schools=schools, account=who.username
    )
    return respond(request, describe(rows.head(limit)), f"rejects_run_{run_id}", format)
