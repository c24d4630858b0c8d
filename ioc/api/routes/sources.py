"""Sources the Department pulls from (docs/pulls.md, "API"): declare, read, try, pull, and
the ledger of their pulls.

Admins manage sources; admins and leaders read them all, analysts and operators those whose
every unit is within theirs (the others do not exist for them: 404); admins, and operators
whose units cover all of a source's units, try and pull it; every signed-in role reads
``/sources/status``. No answer holds a credential: the store has none, only the name of the
source's entry in the secrets file."""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Annotated, Any

import polars as pl
from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi import Path as PathParam
from starlette.convertors import StringConvertor, register_url_convertor

from ioc.api.deps import PrincipalDep, SettingsDep, client_ip, require, store_session
from ioc.api.errors import ApiError
from ioc.api.listing import Format, respond
from ioc.api.params import MAX_ID
from ioc.api.principal import Principal
from ioc.api.routes.jobs import job_path, job_problem
from ioc.api.scope import allowed_units
from ioc.catalog.source_messages import source_text
from ioc.config import Settings
from ioc.jobs import pull
from ioc.reports.limits import fires_too_often
from ioc.sources.spec import NAME, RESERVED_NAMES, SourceSpec
from ioc.store import pulls
from ioc.store import sources as store
from ioc.store.models import Source, SourcePull
from ioc.store.types import utcnow

router = APIRouter(prefix="/sources", tags=["sources"])
Admin = Annotated[Principal, Depends(require("admin"))]
Readers = Annotated[Principal, Depends(require("admin", "leader", "analyst", "operator"))]
Pullers = Annotated[Principal, Depends(require("admin", "operator"))]
Name = Annotated[str, PathParam(pattern=NAME.pattern, max_length=40, description="A source")]


class _SourceName(StringConvertor):
    """A source's name in a path: never one of the API's own paths (``/sources/status``
    is the states, so no route of a source is found there, not even for PUT or DELETE)."""

    regex = "(?!(?:" + "|".join(sorted(RESERVED_NAMES)) + ")(?:/|$))[^/]+"


register_url_convertor("source", _SourceName())
MAX_SPEC_BYTES = 256 << 10  # a declaration (its mapping included) is a few KiB
_submitting = threading.Lock()  # one check-then-submit of a pull at a time in this server


def _problem(status: int, code: str, **values: Any) -> ApiError:
    return ApiError(status, code, source_text(code, "vi", values), source_text(code, "en", values))


async def _small_body(request: Request) -> None:
    """413 for a declaration above :data:`MAX_SPEC_BYTES` (the body is read once)."""
    if len(await request.body()) > MAX_SPEC_BYTES:
        raise _problem(413, "source_body_too_large", kib=MAX_SPEC_BYTES >> 10)


SmallBody = Depends(_small_body)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _within(request: Request, settings: Settings, who: Principal, source: Source) -> bool:
    """Every unit of the source is within the caller's units."""
    if who.unrestricted:
        return True
    with request.app.state.snapshot.cursor() as (_, cur):
        allowed = allowed_units(cur, settings, who)
    if allowed is None:
        return True
    inside = set(allowed.select("scheme", "code").iter_rows())
    return all((u["scheme"], u["code"]) in inside for u in source.units)


def _found(request: Request, settings: Settings, who: Principal, name: str) -> Source:
    with store_session(request) as session:
        source = store.get_source(session, name)
    if source is None or not _within(request, settings, who, source):
        raise _problem(404, "unknown_source", source=name)
    return source


def _state_json(state: pulls.SourceState) -> dict[str, Any]:
    return {
        "name": state.name,
        "state": state.state,
        "last_success_at": _iso(state.last_success_at),
        "last_pull_at": _iso(state.last_pull_at),
        "consecutive_failures": state.consecutive_failures,
        "error": state.error,
    }


def _states(request: Request, settings: Settings, found: list[Source]) -> dict[str, Any]:
    with store_session(request) as session:
        states = pulls.state_of(session, found, utcnow(), settings.sources_failing_after)
    return {name: _state_json(s) for name, s in states.items()}


def _source_json(request: Request, source: Source, state: dict[str, Any]) -> dict[str, Any]:
    spec = store.spec_of(source).model_dump(mode="json")
    return {
        **spec,
        "created_by": source.created_by,
        "created_at": _iso(source.created_at),
        "updated_at": _iso(source.updated_at),
        "next_pulls": request.app.state.pulls.planned(source),
        "status": state,
        "links": {
            "self": f"/api/v1/sources/{source.name}",
            "pulls": f"/api/v1/sources/{source.name}/pulls",
        },
    }


def _check_crons(settings: Settings, spec: SourceSpec) -> None:
    """Each cron expression is valid and fires at most once per minimum interval (422)."""
    for field in ("cron", "reconcile_cron"):
        cron = getattr(spec, field)
        if not cron:
            continue
        try:
            refused = fires_too_often(cron, settings, utcnow())
        except ValueError as exc:
            raise ApiError(
                422,
                "invalid_parameter",
                f"Tham số không hợp lệ: {field}",
                str(exc),
                errors=[{"parameter": field, "in": "body", "reason": str(exc)}],
            ) from None
        if refused is not None:
            raise ApiError(
                422,
                refused.code,
                refused.vi,
                refused.en,
                errors=[{"parameter": field, "in": "body", "reason": refused.en}],
            )


@router.get("/status", summary="Each source's state: never, ok, failing or late")
def status(request: Request, settings: SettingsDep, who: PrincipalDep) -> list[dict[str, Any]]:
    with store_session(request) as session:
        found = store.list_sources(session)
    found = [s for s in found if _within(request, settings, who, s)]
    return list(_states(request, settings, found).values())


@router.get("", summary="Sources the caller may see, with their state")
def list_sources(request: Request, settings: SettingsDep, who: Readers) -> list[dict[str, Any]]:
    with store_session(request) as session:
        found = store.list_sources(session)
    found = [s for s in found if _within(request, settings, who, s)]
    states = _states(request, settings, found)
    return [_source_json(request, s, states[s.name]) for s in found]


@router.post("", summary="Declare a source", status_code=201, dependencies=[SmallBody])
def create(
    request: Request, response: Response, settings: SettingsDep, who: Admin, spec: SourceSpec
) -> dict[str, Any]:
    _check_crons(settings, spec)
    with store_session(request) as session:
        try:
            source = store.add_source(session, spec, actor=who.username, ip=client_ip(request))
        except store.SourceExists:
            raise _problem(409, "source_exists", source=spec.name) from None
    request.app.state.pulls.sync(spec.name)
    response.headers["Location"] = f"/api/v1/sources/{spec.name}"
    return _source_json(request, source, _states(request, settings, [source])[source.name])


@router.get("/{name:source}", summary="One source")
def get(request: Request, settings: SettingsDep, who: Readers, name: Name) -> dict[str, Any]:
    source = _found(request, settings, who, name)
    return _source_json(request, source, _states(request, settings, [source])[name])


@router.put(
    "/{name:source}",
    summary="Declare a source anew (the whole declaration)",
    dependencies=[SmallBody],
)
def update(
    request: Request, settings: SettingsDep, who: Admin, name: Name, spec: SourceSpec
) -> dict[str, Any]:
    _found(request, settings, who, name)
    if spec.name != name:
        raise ApiError(
            422,
            "source_renamed",
            source_text("source_renamed", "vi", {"given": spec.name, "source": name}),
            source_text("source_renamed", "en", {"given": spec.name, "source": name}),
            errors=[{"parameter": "name", "in": "body", "reason": "differs from the address"}],
        )
    _check_crons(settings, spec)
    with store_session(request) as session:
        source = store.update_source(session, spec, actor=who.username, ip=client_ip(request))
    request.app.state.pulls.sync(name)
    return _source_json(request, source, _states(request, settings, [source])[name])


@router.delete("/{name:source}", summary="Delete a source (its ledger stays)", status_code=204)
def delete(request: Request, settings: SettingsDep, who: Admin, name: Name) -> Response:
    _found(request, settings, who, name)
    with store_session(request) as session:
        store.delete_source(session, name, actor=who.username, ip=client_ip(request))
    request.app.state.pulls.sync(name)
    return Response(status_code=204)


@router.post(
    "/{name:source}/test",
    summary="Try a source: connect, authenticate, fetch, map and validate a first page",
    description="Runs as a `source_test` job, waited for; nothing is stored.",
)
def try_source(request: Request, settings: SettingsDep, who: Pullers, name: Name) -> dict[str, Any]:
    _found(request, settings, who, name)
    job = request.app.state.jobs.run_now("source_test", who.username, {"source": name})
    if job.problem is not None:
        raise job_problem(job.problem)
    return dict(job.result)


@router.post(
    "/{name:source}/pull",
    summary="Pull a source now (in the background)",
    status_code=202,
    description="A `pull` job: 202 with its address in `Location`; 409 while a pull of the "
    "source is queued or running. The job's result is the PullReport.",
)
def pull_now(
    request: Request,
    response: Response,
    settings: SettingsDep,
    who: Pullers,
    name: Name,
    full: Annotated[bool, Query(description="Fetch everything and report drift")] = False,
    dry_run: Annotated[bool, Query(description="The same report, nothing published")] = False,
) -> dict[str, Any]:
    _found(request, settings, who, name)
    runner = request.app.state.jobs
    with _submitting:
        with runner.session() as session:
            busy = pulls.pending_job(session, name)
        if busy is not None:
            raise ApiError(
                409,
                "pull_in_progress",
                source_text("pull_in_progress", "vi", {"source": name, "job": busy.id}),
                source_text("pull_in_progress", "en", {"source": name, "job": busy.id}),
                job=job_path(busy.id),
            )
        job = runner.submit(
            "pull",
            who.username,
            pull.request(name, full=full, dry_run=dry_run, trigger="api", ip=client_ip(request)),
        )
    response.headers["Location"] = job_path(job.id)
    return {"job_id": job.id, "source": name, "links": {"self": job_path(job.id)}}


PULL_COLUMNS = {
    "id": pl.Int64,
    "source": pl.String,
    "job_id": pl.Int64,
    "trigger": pl.String,
    "started_by": pl.String,
    "mode": pl.String,
    "dry_run": pl.Boolean,
    "status": pl.String,
    "started_at": pl.String,
    "finished_at": pl.String,
    "duration_seconds": pl.Float64,
    **dict.fromkeys(pulls.COUNTS, pl.Int64),
    "watermarks": pl.String,
    "reject_reasons": pl.String,
    "run_ids": pl.String,
    "error_code": pl.String,
    "error_vi": pl.String,
    "error_en": pl.String,
}


def _pull_json(row: SourcePull) -> dict[str, Any]:
    return {
        "id": row.id,
        "source": row.source,
        "job_id": row.job_id,
        "trigger": row.trigger,
        "started_by": row.started_by,
        "mode": row.mode,
        "dry_run": row.dry_run,
        "status": row.status,
        "started_at": _iso(row.started_at),
        "finished_at": _iso(row.finished_at),
        "duration_seconds": row.duration_seconds,
        **{n: getattr(row, n) for n in pulls.COUNTS},
        "watermarks": row.watermarks,
        "reject_reasons": row.reject_reasons,
        "run_ids": row.run_ids,
        "drift": row.drift,
        "error": row.error,
    }


def _pull_row(item: dict[str, Any]) -> dict[str, Any]:
    """One ledger row flat, for CSV and XLSX."""
    error = item["error"] or {}
    flat = {k: v for k, v in item.items() if k in PULL_COLUMNS}
    flat["watermarks"] = "; ".join(
        f"{r}: {b or '—'} → {a or '—'}" for r, (b, a) in item["watermarks"].items()
    )
    flat["reject_reasons"] = "; ".join(f"{r}: {n}" for r, n in item["reject_reasons"].items())
    flat["run_ids"] = ", ".join(str(r) for r in item["run_ids"])
    return flat | {f"error_{k}": error.get(k) for k in ("code", "vi", "en")}


@router.get("/{name:source}/pulls", summary="The ledger of a source's pulls, newest first")
def ledger(
    request: Request,
    settings: SettingsDep,
    who: Readers,
    name: Name,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
    format: Format = "json",
) -> Any:
    _found(request, settings, who, name)
    with store_session(request) as session:
        total = pulls.count_pulls(session, name)
        items = [_pull_json(p) for p in pulls.list_pulls(session, name, limit, offset)]
    if format == "json":
        return {"total": total, "limit": limit, "offset": offset, "items": items}
    frame = pl.DataFrame([_pull_row(i) for i in items], schema=PULL_COLUMNS)
    return respond(request, frame, f"pulls_{name}", format)
