"""Upload a return file (operators, within their units), run status, per-row rejects."""

from __future__ import annotations

import json
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
from ioc.config import Settings
from ioc.returns.validate import PERIOD_PATTERN

router = APIRouter(prefix="/ingest", tags=["ingest"])
ALLOWED = (".csv", ".xlsx", ".txt", ".tsv")
# rejected rows carry other units' schools and values: not for unit-scoped analysts
Readers = Annotated[Principal, Depends(require("admin", "leader", "operator"))]
# A wall screen (display role) may list runs to show what happened, but not which file, from
# where or by whom: no file names (they can name a school), paths, hosts, accounts or messages.
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
paths, host, account and message are null: a file name can name another unit's school).
Analysts and wall screens read outcomes and counts only."""


@router.post(
    "", summary="Upload a return file; it is validated, loaded and published", status_code=201
)
def upload(
    request: Request,
    settings: SettingsDep,
    who: Annotated[Principal, Depends(require("admin", "operator"))],
    file: Annotated[UploadFile, File(description="CSV or XLSX return file")],
    period: Annotated[str | None, Form(pattern=PERIOD_PATTERN, max_length=12)] = None,
    strict: Annotated[bool, Form()] = False,
) -> dict[str, Any]:
    from ingest.runner import ingest

    name = Path(file.filename or "upload").name
    if not name.lower().endswith(ALLOWED):
        raise ApiError(
            415,
            "unsupported_type",
            "Chỉ nhận tệp CSV hoặc XLSX",
            f"{name}: only CSV or XLSX return files are accepted",
        )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        _save(file, path, settings.max_file_bytes)
        scope = None if who.role == "admin" else list(who.scopes)
        as_account = settings.model_copy(update={"user": who.username})  # the run's run_by
        (report,) = ingest([path], period=period, strict=strict, settings=as_account, scope=scope)
    request.app.state.snapshot.published()
    request.app.state.auth.audit_event(
        "ingest",
        who.username,
        f"{name}: {report.status}, run {report.run_id}, "
        f"{report.accepted} accepted, {report.rejected} rejected",
        client_ip(request),
    )
    body = {k: v for k, v in report.__dict__.items() if k != "school_codes"}
    return {**body, "file_name": name}


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
        return db.query(cur, "queries/ingest_runs", settings, run_id=run_id)
    rows = db.query(
        cur,
        "queries/ingest_runs_scoped",
        settings,
        run_id=run_id,
        schools=schools,
        account=who.username,
    )
    theirs = pl.col("is_theirs")
    return rows.select(
        pl.col(name) if name in DISPLAY_RUN_COLUMNS else pl.when(theirs).then(pl.col(name))
        for name in rows.columns
        if name != "is_theirs"
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
    return respond(request, rows.head(limit), f"rejects_run_{run_id}", format)
