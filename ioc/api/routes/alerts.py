"""Alerts (docs/alerts.md): the list with its filters, counts and CSV/XLSX twins, the wall's
summary, the history export, one alert with its timeline and deliveries, acknowledge,
resolve and a manual evaluation. Rules, silences and webhooks: :mod:`alert_rules`,
:mod:`alert_silences`.

Every read and action is cut to the caller's units in the store's query (an alert outside
them does not exist for the caller: 404)."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Body, Query, Request
from fastapi import Path as PathParam

from ioc.alerts.rules import Kind
from ioc.api.deps import store_session
from ioc.api.errors import ApiError
from ioc.api.listing import Format, respond
from ioc.api.params import MAX_ID, MAX_PAGE, UNIT_PATTERN, UNIT_TEXT
from ioc.api.routes.alert_deps import (
    Evaluators,
    Readers,
    SmallBody,
    SummaryReaders,
    alert_problem,
    audit,
    problem,
    scopes_of,
)
from ioc.api.routes.alert_models import (
    AcknowledgeIn,
    AlertDetail,
    AlertPage,
    EvaluateOut,
    ResolveIn,
    SchemeName,
    SeverityName,
    StateFilter,
    SummaryOut,
)
from ioc.api.routes.jobs import job_path
from ioc.config import display_zone
from ioc.store import alert_export as export
from ioc.store import alerts as store
from ioc.store.alert_models import AlertState
from ioc.store.audit import Action
from ioc.store.jobs import unfinished_of

router = APIRouter(prefix="/alerts", tags=["alerts"])
AlertId = Annotated[int, PathParam(ge=1, le=MAX_ID, description="The alert's id")]
RuleKeys = Annotated[
    list[Annotated[str, Query(pattern=r"^[a-z0-9_]{3,60}$")]] | None,
    Query(max_length=50, description="Only these rules (repeatable)"),
]
Instant = Annotated[
    str | None,
    Query(
        pattern=r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?)?$",
        max_length=32,
        description="A date or an ISO 8601 instant, e.g. 2026-03-09T17:15:00+07:00 "
        "(no offset: the Department's local time)",
    ),
]
SchemeQuery = Annotated[SchemeName, Query(description="The scheme of `unit`")]
UnitFilter = Annotated[str | None, Query(pattern=UNIT_PATTERN, max_length=5, description=UNIT_TEXT)]


def _instant(text: str | None) -> datetime | None:
    """An ISO 8601 date or instant (without a zone: the display zone's local time)."""
    if text is None:
        return None
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise ApiError(
            422,
            "invalid_parameter",
            f"Tham số không hợp lệ: thời điểm {text}",
            f"Invalid parameter: no such instant {text}",
            errors=[{"parameter": "since/until", "in": "query", "reason": "no such date"}],
        ) from None
    return at if at.tzinfo is not None else at.replace(tzinfo=ZoneInfo(display_zone()))


def _unit(scheme: str, unit: str | None) -> tuple[str, str] | None:
    return None if unit is None else (scheme, unit)


@router.get(
    "",
    summary="Alerts in the caller's units, filtered, counted, paged",
    response_model=None,
    responses={200: {"model": AlertPage, "description": "A page of alerts, and the counts"}},
)
def list_alerts(
    request: Request,
    who: Readers,
    state: Annotated[
        list[StateFilter] | None,
        Query(max_length=6, description="States (repeatable; default open, acknowledged; all)"),
    ] = None,
    severity: Annotated[list[SeverityName] | None, Query(max_length=3)] = None,
    rule: RuleKeys = None,
    kind: Annotated[list[Kind] | None, Query(max_length=7, description="Rule kinds")] = None,
    scheme: SchemeQuery = "2025",
    unit: UnitFilter = None,
    q: Annotated[
        str | None, Query(max_length=100, description="In the subject's name or code")
    ] = None,
    silenced: Annotated[bool | None, Query(description="Only silenced (or not) alerts")] = None,
    sort: Annotated[
        str,
        Query(
            pattern=f"^-?({'|'.join(store.SORTS)})$",
            max_length=16,
            description="Column to sort by; prefix - for descending",
        ),
    ] = "-opened_at",
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    size: Annotated[int, Query(ge=1, le=1000)] = 50,
    format: Format = "json",
) -> Any:
    states: tuple[str, ...] = tuple(state or (AlertState.OPEN, AlertState.ACKNOWLEDGED))
    if "all" in states:
        states = tuple(s.value for s in AlertState if s != AlertState.PENDING)
    filters = store.Filters(
        states=states,
        severities=tuple(severity or ()),
        rules=tuple(rule or ()),
        kinds=tuple(kind or ()),
        unit=_unit(scheme, unit),
        q=q.strip() or None if q else None,
        silenced=silenced,
    )
    scopes = scopes_of(who)
    with store_session(request) as session:
        if format != "json":
            rows = store.list_alerts(session, filters, scopes, sort=sort)
            frame = export.frame(rows, export.LIST_COLUMNS)
            return respond(request, frame, "alerts", format, export.column_labels())
        counted = store.counts(session, filters, scopes)
        items = store.list_alerts(
            session, filters, scopes, sort=sort, offset=(page - 1) * size, limit=size
        )
    return AlertPage.model_validate(
        {
            "total": sum(counted["state"].values()),
            "page": page,
            "size": size,
            "counts": counted,
            "items": items,
        }
    )


@router.get("/summary", summary="Open alerts (not silenced) for the wall and the overview")
def summary(
    request: Request,
    who: SummaryReaders,
    scheme: SchemeQuery = "2025",
    unit: UnitFilter = None,
    top: Annotated[int, Query(ge=0, le=100, description="The most severe, oldest N")] = 10,
) -> SummaryOut:
    with store_session(request) as session:
        out = store.summary(session, scopes_of(who), _unit(scheme, unit), top=top)
    return SummaryOut.model_validate(out)


@router.get("/events", summary="The alerts' history: every event in the caller's units")
def events(
    request: Request,
    who: Readers,
    since: Instant = None,
    until: Instant = None,
    rule: RuleKeys = None,
    scheme: SchemeQuery = "2025",
    unit: UnitFilter = None,
    format: Format = "json",
) -> Any:
    with store_session(request) as session:
        rows = store.events(
            session,
            scopes_of(who),
            since=_instant(since),
            until=_instant(until),
            rules=tuple(rule or ()),
            unit=_unit(scheme, unit),
        )
    frame = export.frame(rows, export.EVENT_COLUMNS)
    return respond(request, frame, "alert_events", format, export.column_labels())


@router.post(
    "/evaluate",
    summary="Evaluate the rules now (a job of kind alerts, trigger manual)",
    status_code=202,
    response_model=EvaluateOut,
)
def evaluate(request: Request, who: Evaluators) -> Any:
    jobs = request.app.state.jobs
    if "alerts" not in jobs.kinds:
        raise problem("alert_evaluate_unavailable", 409)
    with store_session(request) as session:  # one at a time: asking again queues nothing
        running = unfinished_of(session, "alerts")
    if running is not None:
        raise problem("alert_evaluate_running", 409, job_id=running.id)
    # the request of ioc.jobs.alerts (the job kind's module): why it runs, on which build
    job = jobs.submit(
        "alerts", who.username, {"trigger": "manual", "build_id": _current_build(request)}
    )
    audit(request, Action.ALERT_EVALUATE, who, {"job_id": job.id})
    return {"job_id": job.id, "job": job_path(job.id)}


@router.get("/{alert_id:int}", summary="One alert with its units, timeline and deliveries")
def detail(request: Request, who: Readers, alert_id: AlertId) -> AlertDetail:
    with store_session(request) as session:
        alert = store.get_alert(session, alert_id, scopes_of(who))
        if alert is None:
            raise problem("unknown_alert", 404, id=alert_id)
        out = store.alert_detail(session, alert, addresses=who.role == "admin")
    return _detail(out)


@functools.cache
def _unit_names() -> dict[tuple[str, str], str]:
    """Every unit's name by (scheme, code), from the package's unit list."""
    from ioc.geo import admin

    return {(s, c): n for s, c, n in admin.units().select("scheme", "code", "name").iter_rows()}


def _detail(out: dict[str, Any]) -> AlertDetail:
    """The alert's answer, its units named."""
    names = _unit_names()
    units = [u | {"name": names.get((u["scheme"], u["code"]))} for u in out["units"]]
    return AlertDetail.model_validate(out | {"units": units})


def _current_build(request: Request) -> str | None:
    build = request.app.state.snapshot.current()
    return None if build is None else str(build.build_id)


@router.post(
    "/{alert_id:int}/acknowledge",
    summary="Acknowledge an open alert (who, comment)",
    dependencies=[SmallBody],
)
def acknowledge(
    request: Request,
    who: Readers,
    alert_id: AlertId,
    body: Annotated[AcknowledgeIn | None, Body()] = None,
) -> AlertDetail:
    comment = body.comment if body else None
    with store_session(request) as session:
        try:
            alert, event = store.acknowledge(
                session, alert_id, who.username, comment, scopes_of(who)
            )
        except store.AlertError as exc:
            raise alert_problem(exc) from exc
        out = store.alert_detail(session, alert, addresses=who.role == "admin")
    audit(request, Action.ALERT_ACKNOWLEDGE, who, {"alert_id": alert_id, "event_id": event.id})
    return _detail(out)


@router.post(
    "/{alert_id:int}/resolve",
    summary="Resolve an open or acknowledged alert (who, comment required)",
    dependencies=[SmallBody],
)
def resolve(
    request: Request, who: Readers, alert_id: AlertId, body: Annotated[ResolveIn, Body()]
) -> AlertDetail:
    build_id = _current_build(request)
    with store_session(request) as session:
        try:
            alert, event = store.resolve(
                session, alert_id, who.username, body.comment, build_id, scopes_of(who)
            )
        except store.AlertError as exc:
            raise alert_problem(exc) from exc
        out = store.alert_detail(session, alert, addresses=who.role == "admin")
    audit(
        request,
        Action.ALERT_RESOLVE,
        who,
        {"alert_id": alert_id, "event_id": event.id, "build_id": build_id},
    )
    return _detail(out)
