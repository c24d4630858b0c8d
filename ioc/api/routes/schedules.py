"""Report schedules: list, create, change, delete, run now, run history, download a file.

Operators manage schedules within their units, admins any; leaders, analysts (within their
units) and operators read them. Every change is audited."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import duckdb
import polars as pl
from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi import Path as PathParam
from fastapi.responses import FileResponse
from sqlalchemy.orm import Session

from ioc import db
from ioc.api.capacity import export_slot
from ioc.api.deps import CursorDep, SettingsDep, client_ip, require
from ioc.api.errors import ApiError
from ioc.api.principal import Principal
from ioc.api.scope import allowed_units, require_in_scope
from ioc.config import Settings
from ioc.domain.formats import next_run_text
from ioc.domain.units import NATIONAL_CODE
from ioc.reports.limits import fires_too_often, recipients_refused
from ioc.reports.scheduler import ReportScheduler
from ioc.reports.spec import ScheduleSpec
from ioc.store import schedules as store
from ioc.store.models import ReportRun, ReportSchedule
from ioc.store.types import utcnow
from ioc.views.units import find_unit

router = APIRouter(prefix="/schedules", tags=["schedules"])
Readers = Annotated[Principal, Depends(require("admin", "leader", "analyst", "operator"))]
Writers = Annotated[Principal, Depends(require("admin", "operator"))]
MAX_ID = 2_147_483_647  # the store's integer keys
ScheduleId = Annotated[int, PathParam(ge=1, le=MAX_ID)]
RunId = Annotated[int, PathParam(ge=1, le=MAX_ID)]
MEDIA = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".csv": "text/csv; charset=utf-8",
    ".pdf": "application/pdf",
}


def _reports(request: Request) -> ReportScheduler:
    return request.app.state.reports


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _schedule_json(schedule: ReportSchedule, reports: ReportScheduler) -> dict[str, Any]:
    next_run, zone = reports.next_run(schedule), reports.settings.display_timezone
    return {
        "id": schedule.id,
        "name": schedule.name,
        "owner": schedule.owner,
        "cron": schedule.cron,
        "kind": schedule.kind,
        "scheme": schedule.scheme,
        "units": schedule.unit_codes,
        "period": schedule.period,
        "formats": schedule.formats,
        "folder": schedule.folder,
        "email_to": schedule.email_to,
        "enabled": schedule.enabled,
        "created_at": _iso(schedule.created_at),
        "updated_at": _iso(schedule.updated_at),
        "last_due_at": _iso(schedule.last_due_at),
        "next_run_at": _iso(next_run),
        # in the reader's words and the display time zone: 'Thứ Hai 07:00, 09/03/2026'
        "next_run_text_vi": next_run_text(next_run, zone, "vi") if next_run else None,
        "next_run_text_en": next_run_text(next_run, zone, "en") if next_run else None,
        "timezone": zone,
    }


def _run_json(run: ReportRun, settings: Settings) -> dict[str, Any]:
    files = [
        {
            "name": Path(rel).name,
            "url": f"/api/v1/schedules/{run.schedule_id}/runs/{run.id}/files/{n}",
            "available": (settings.report_files_dir / rel).is_file(),
        }
        for n, rel in enumerate(run.files, start=1)
    ]
    return {
        "id": run.id,
        "schedule_id": run.schedule_id,
        "trigger": run.trigger,
        "attempt": run.attempt,
        "due_at": _iso(run.due_at),
        "status": run.status,
        "started_at": _iso(run.started_at),
        "finished_at": _iso(run.finished_at),
        "duration_s": run.duration_s,
        "period": run.period,
        "files": files,
        "delivered": run.delivered,
        "error": run.error,
    }


def _visible(allowed: pl.DataFrame | None, schedule: ReportSchedule) -> bool:
    """Every unit of the schedule is within the caller's units (``allowed_units``)."""
    if allowed is None:
        return True
    keep = allowed.filter(pl.col("scheme") == schedule.scheme)["code"].to_list()
    return all(code in keep for code in schedule.unit_codes)


def _found(
    session: Session,
    cur: duckdb.DuckDBPyConnection,
    settings: Settings,
    who: Principal,
    schedule_id: int,
) -> ReportSchedule:
    schedule = store.get_schedule(session, schedule_id)
    if schedule is None or not _visible(allowed_units(cur, settings, who), schedule):
        raise ApiError(
            404,
            "unknown_schedule",
            f"Không có lịch báo cáo {schedule_id}",
            f"No report schedule {schedule_id}",
        )
    return schedule


def _check_units(
    cur: duckdb.DuckDBPyConnection, settings: Settings, who: Principal, spec: ScheduleSpec
) -> None:
    """Each unit exists (422 naming 'units') and is within the caller's units (403)."""
    for code in spec.units:
        if code == NATIONAL_CODE:
            if not who.unrestricted:
                raise ApiError(
                    403,
                    "unit_out_of_scope",
                    "Chỉ tài khoản không giới hạn đơn vị mới lập lịch toàn quốc",
                    "Only an account without unit limits may schedule the whole country",
                )
            continue
        try:
            find_unit(cur, settings, code, spec.scheme)
        except db.DataError as exc:
            raise ApiError(
                422,
                "invalid_parameter",
                f"Đơn vị {code} không tồn tại trong hệ đơn vị {spec.scheme}",
                str(exc),
                errors=[{"parameter": "units", "in": "body", "reason": str(exc)}],
            ) from exc
        require_in_scope(cur, settings, who, spec.scheme, code)


def _check_limits(settings: Settings, who: Principal, spec: ScheduleSpec) -> None:
    """The schedule fires at most once per minimum interval and e-mails only allowed
    addresses (422 naming the field, what was asked and the limit)."""
    for refused in (
        fires_too_often(spec.cron, settings, utcnow()),
        recipients_refused(spec.email_to, settings, admin=who.role == "admin"),
    ):
        if refused is not None:
            raise ApiError(
                422,
                refused.code,
                refused.vi,
                refused.en,
                errors=[{"parameter": refused.parameter, "in": "body", "reason": refused.en}],
            )


def _check_room(session: Session, settings: Settings, who: Principal) -> None:
    """The account owns fewer schedules than it may (409 otherwise)."""
    owned, most = (
        store.count_schedules(session, who.username),
        settings.reports_max_schedules_per_account,
    )
    if owned >= most:
        raise ApiError(
            409,
            "too_many_schedules",
            f"Tài khoản {who.username} đã có {owned} lịch báo cáo, tối đa {most}; "
            "hãy xoá bớt lịch cũ trước",
            f"The account {who.username} owns {owned} schedules, the most one account may "
            f"own (IOC_REPORTS_MAX_SCHEDULES_PER_ACCOUNT={most}); delete one first",
        )


@router.get("", summary="Report schedules the caller may see")
def list_schedules(
    request: Request, cur: CursorDep, settings: SettingsDep, who: Readers
) -> list[dict[str, Any]]:
    reports = _reports(request)
    with reports.session() as session:
        found = store.list_schedules(session)
    allowed = allowed_units(cur, settings, who)
    return [_schedule_json(s, reports) for s in found if _visible(allowed, s)]


@router.post("", summary="Create a schedule", status_code=201)
def create(
    request: Request, cur: CursorDep, settings: SettingsDep, who: Writers, spec: ScheduleSpec
) -> dict[str, Any]:
    _check_units(cur, settings, who, spec)
    _check_limits(settings, who, spec)
    reports = _reports(request)
    with reports.session() as session:
        _check_room(session, settings, who)
        schedule = store.create_schedule(
            session,
            spec.store_values(),
            owner=who.username,
            actor=who.username,
            ip=client_ip(request),
        )
    reports.sync(schedule.id)
    return _schedule_json(schedule, reports)


@router.get("/{schedule_id}", summary="One schedule")
def get(
    request: Request,
    cur: CursorDep,
    settings: SettingsDep,
    who: Readers,
    schedule_id: ScheduleId,
) -> dict[str, Any]:
    reports = _reports(request)
    with reports.session() as session:
        schedule = _found(session, cur, settings, who, schedule_id)
    return _schedule_json(schedule, reports)


@router.put("/{schedule_id}", summary="Change a schedule (the whole definition)")
def update(
    request: Request,
    cur: CursorDep,
    settings: SettingsDep,
    who: Writers,
    schedule_id: ScheduleId,
    spec: ScheduleSpec,
) -> dict[str, Any]:
    _check_units(cur, settings, who, spec)
    _check_limits(settings, who, spec)
    reports = _reports(request)
    with reports.session() as session:
        schedule = _found(session, cur, settings, who, schedule_id)
        store.update_schedule(
            session, schedule, spec.store_values(), actor=who.username, ip=client_ip(request)
        )
    reports.sync(schedule_id)
    return _schedule_json(schedule, reports)


@router.delete("/{schedule_id}", summary="Delete a schedule and its run history", status_code=204)
def delete(
    request: Request,
    cur: CursorDep,
    settings: SettingsDep,
    who: Writers,
    schedule_id: ScheduleId,
) -> Response:
    reports = _reports(request)
    with reports.session() as session:
        schedule = _found(session, cur, settings, who, schedule_id)
        store.delete_schedule(session, schedule, actor=who.username, ip=client_ip(request))
    reports.sync(schedule_id)
    return Response(status_code=204)


@router.post(
    "/{schedule_id}/run", summary="Run a schedule now (in the background)", status_code=202
)
def run_now(
    request: Request,
    cur: CursorDep,
    settings: SettingsDep,
    who: Writers,
    schedule_id: ScheduleId,
) -> dict[str, Any]:
    reports = _reports(request)
    with reports.session() as session:
        _found(session, cur, settings, who, schedule_id)
        running = store.running_run(session, schedule_id)
    if running is not None:
        raise ApiError(
            409,
            "run_in_progress",
            f"Lần chạy {running.id} của lịch này chưa xong; hãy đợi rồi chạy lại",
            f"Run {running.id} of this schedule has not finished; run it again once it has",
            run_id=running.id,
        )
    run_id = reports.run_now(schedule_id)
    request.app.state.auth.audit_event(
        "report_run",
        who.username,
        f"schedule {schedule_id}: run {run_id} started now",
        client_ip(request),
    )
    return {"run_id": run_id, "url": f"/api/v1/schedules/{schedule_id}/runs/{run_id}"}


@router.get("/{schedule_id}/runs", summary="Run history, newest first")
def runs(
    request: Request,
    cur: CursorDep,
    settings: SettingsDep,
    who: Readers,
    schedule_id: ScheduleId,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> dict[str, Any]:
    reports = _reports(request)
    with reports.session() as session:
        _found(session, cur, settings, who, schedule_id)
        items = store.list_runs(session, schedule_id, limit, offset)
        total = store.count_runs(session, schedule_id)
    return {
        "total": total,
        "limit": limit,
        "offset": offset,
        "items": [_run_json(r, settings) for r in items],
    }


def _run(
    request: Request,
    cur: duckdb.DuckDBPyConnection,
    settings: Settings,
    who: Principal,
    schedule_id: int,
    run_id: int,
) -> ReportRun:
    with _reports(request).session() as session:
        _found(session, cur, settings, who, schedule_id)
        run = store.get_run(session, schedule_id, run_id)
    if run is None:
        raise ApiError(
            404, "unknown_run", f"Không có lần chạy {run_id}", f"No run {run_id} of this schedule"
        )
    return run


@router.get("/{schedule_id}/runs/{run_id}", summary="One run")
def run(
    request: Request,
    cur: CursorDep,
    settings: SettingsDep,
    who: Readers,
    schedule_id: ScheduleId,
    run_id: RunId,
) -> dict[str, Any]:
    return _run_json(_run(request, cur, settings, who, schedule_id, run_id), settings)


@router.get("/{schedule_id}/runs/{run_id}/files/{number}", summary="Download a file of a run")
def download(
    request: Request,
    cur: CursorDep,
    settings: SettingsDep,
    who: Readers,
    schedule_id: ScheduleId,
    run_id: RunId,
    number: Annotated[int, PathParam(ge=1, le=1000, description="1 for the run's first file, ...")],
    _slot: Annotated[None, Depends(export_slot)],
) -> FileResponse:
    found = _run(request, cur, settings, who, schedule_id, run_id)
    if number > len(found.files):
        raise ApiError(
            404, "unknown_file", f"Không có tệp số {number}", f"This run has no file {number}"
        )
    path = settings.report_files_dir / found.files[number - 1]
    name = path.name
    if not path.is_file():
        raise ApiError(
            410,
            "file_expired",
            "Tệp đã bị xoá theo chính sách lưu trữ",
            f"{name} was deleted by the retention policy",
        )
    request.app.state.auth.audit_event(
        "export",
        who.username,
        f"{name}: schedule {schedule_id}, run {run_id} ({request.url.path})",
        client_ip(request),
    )
    return FileResponse(path, media_type=MEDIA[path.suffix], filename=name)
