"""Alerts (docs/alerts.md): the list with its filters, counts and CSV/XLSX twins, the wall's
summary, the history export, one alert with its timeline and deliveries, acknowledge,
resolve and a manual evaluation. Rules, silences and webhooks: :mod:`alert_rules`,
:mod:`alert_silences`.

Every read and action is cut to the caller's units in the store's query (an alert outside
them does not exist for the caller: 404)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import polars as pl
from fastapi import APIRouter, Body, Query, Request
from fastapi import Path as PathParam

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
    column_labels,
    problem,
    scopes_of,
    store_session,
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
from ioc.store import alerts as store
from ioc.store.alert_models import AlertState
from ioc.store.audit import Action

router = APIRouter(prefix="/alerts", tags=["alerts"])
AlertId = Annotated[int, PathParam(ge=1, le=MAX_ID, description="The alert's id")]
RuleKeys = Annotated[
    list[Annotated[str, Query(pattern=r"^[a-z0-9_]{3,60}$")]] | None,
    Query(max_length=50, description="Only these rules (repeatable)"),
]
UnitFilter = Annotated[str | None, Query(pattern=UNIT_PATTERN, max_length=5, description=UNIT_TEXT)]
#: the columns of the list's CSV/XLSX form
EXPORT_COLUMNS = (
    "id",
    "rule_key",
    "rule_vi",
    "rule_en",
    "severity",
    "state",
    "subject_kind",
    "subject_code",
    "subject_name",
    "scheme",
    "unit_code",
    "item",
    "school_year",
    "term",
    "value",
    "threshold",
    "message_vi",
    "message_en",
    "opened_at",
    "last_seen_at",
    "acknowledged_at",
    "acknowledged_by",
    "resolved_at",
    "resolved_by",
    "recovered_at",
    "escalated_at",
    "silenced_until",
)
TIMES = (
    "opened_at",
    "last_seen_at",
    "acknowledged_at",
    "resolved_at",
    "recovered_at",
    "escalated_at",
    "silenced_until",
    "at",
)


def _unit(scheme: str | None, unit: str | None) -> tuple[str, str] | None:
    if unit is None:
        return None
    if scheme is None:
        raise ApiError(
            422,
            "invalid_parameter",
            "Tham số không hợp lệ: scheme (cần kèm theo unit)",
            "Invalid parameter: scheme (required with unit)",
            errors=[{"parameter": "scheme", "in": "query", "reason": "required with unit"}],
        )
    return scheme, unit


def _frame(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> pl.DataFrame:
    """The rows as an export's frame: instants in UTC (shown in local time), ids whole."""
    schema: dict[str, pl.DataType | type[pl.DataType]] = {
        c: pl.Datetime("us", "UTC")
        if c in TIMES
        else pl.Float64
        if c in ("value", "threshold")
        else pl.Int64
        if c in ("id", "alert_id", "reopened_from")
        else pl.String
        for c in columns
    }
    return pl.from_dicts([{c: r[c] for c in columns} for r in rows], schema=schema)


@router.get("", summary="Alerts in the caller's units, filtered, counted, paged")
def list_alerts(
    request: Request,
    who: Readers,
    state: Annotated[
        list[StateFilter] | None,
        Query(max_length=6, description="States (repeatable; default open, acknowledged; all)"),
    ] = None,
    severity: Annotated[list[SeverityName] | None, Query(max_length=3)] = None,
    rule: RuleKeys = None,
    kind: Annotated[list[str] | None, Query(max_length=7, pattern=r"^[a-z_]{3,24}$")] = None,
    scheme: SchemeName | None = None,
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
            frame = _frame(rows, EXPORT_COLUMNS)
            return respond(request, frame, "alerts", format, column_labels())
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
    scheme: SchemeName | None = None,
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
    since: Annotated[datetime | None, Query(description="From this instant")] = None,
    until: Annotated[datetime | None, Query(description="Before this instant")] = None,
    rule: RuleKeys = None,
    scheme: SchemeName | None = None,
    unit: UnitFilter = None,
    format: Format = "json",
) -> Any:
    with store_session(request) as session:
        rows = store.events(
            session,
            scopes_of(who),
            since=since,
            until=until,
            rules=tuple(rule or ()),
            unit=_unit(scheme, unit),
        )
    columns = tuple(store.EVENT_COLUMNS)
    return respond(request, _frame(rows, columns), "alert_events", format, column_labels())


@router.post(
    "/evaluate",
    summary="Evaluate the rules now (a job of kind alerts, trigger manual)",
    status_code=202,
    response_model=EvaluateOut,
)
def evaluate(request: Request, who: Evaluators) -> Any:
    jobs = request.app.state.jobs
    if "alerts" not in jobs.kinds:
        raise problem("alert_evaluate_unavailable", 503)
    job = jobs.submit("alerts", who.username, {"trigger": "manual"})
    audit(request, Action.ALERT_EVALUATE, who, {"job_id": job.id})
    return {"job_id": job.id, "job": job_path(job.id)}


@router.get("/{alert_id}", summary="One alert with its units, timeline and deliveries")
def detail(request: Request, who: Readers, alert_id: AlertId) -> AlertDetail:
    with store_session(request) as session:
        alert = store.get_alert(session, alert_id, scopes_of(who))
        if alert is None:
            raise problem("unknown_alert", 404, id=alert_id)
        out = store.alert_detail(session, alert, addresses=who.role == "admin")
    return AlertDetail.model_validate(out)


def _current_build(request: Request) -> str | None:
    build = request.app.state.snapshot.current()
    return None if build is None else str(build.build_id)


@router.post(
    "/{alert_id}/acknowledge",
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
    return AlertDetail.model_validate(out)


@router.post(
    "/{alert_id}/resolve",
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
    return AlertDetail.model_validate(out)
