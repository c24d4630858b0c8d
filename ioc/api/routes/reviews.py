"""The review desk (docs/approval.md, "API"): the queue, the summary per child unit, one
return's detail, the actions on a return, approve-clean, locks and the chain's verdict.

Reads are scoped like every read. Actions need the ``approver`` role and ``may(...)``
(the store service checks again); each checks the caller's units where the school is now
(its place in the snapshot) and, for a bulk, where the request says. After a successful
action a ``review_publish`` job republishes the figures of the schools acted on."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import polars as pl
from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi import Path as PathParam

from ioc import db
from ioc.api.deps import CursorDep, PrincipalDep, SettingsDep, client_ip, require, store_session
from ioc.api.errors import ApiError
from ioc.api.listing import Format, respond
from ioc.api.params import UnitPeriodDep, period_of
from ioc.api.principal import Principal
from ioc.api.routes.jobs import job_path
from ioc.api.routes.review_models import (
    MAX_BULK,
    PERIOD_PATH,
    ActionIn,
    ActionOut,
    BulkIn,
    BulkOut,
)
from ioc.api.routes.schools import SchoolCode
from ioc.api.scope import (
    require_in_scope,
    require_school_in_scope,
    require_schools,
    schools_in_scope,
)
from ioc.catalog.review_messages import review_text
from ioc.config import Settings
from ioc.domain.period import Period
from ioc.domain.units import PLACE_COLUMN
from ioc.jobs import review as review_job
from ioc.reviews import mail
from ioc.reviews.levels import may
from ioc.reviews.states import Action, ReviewError, State, Stored
from ioc.store import reviews as store
from ioc.store.audit import Action as AuditAction
from ioc.store.review_values import Item
from ioc.views import reviews as desk
from ioc.views.review_places import place_of
from ioc.views.units import find_unit, unit_index

router = APIRouter(prefix="/reviews", tags=["reviews"])
MAX_BODY_BYTES = 16 << 10  # an action's body is a few hundred bytes
PeriodPath = Annotated[
    str,
    PathParam(
        pattern=PERIOD_PATH,
        max_length=12,
        description="School year and term joined by '-', e.g. 2024-2025-DN",
        examples=["2024-2025-DN"],
    ),
]
Approvers = Annotated[Principal, Depends(require("approver"))]
ChainReaders = Annotated[Principal, Depends(require("admin", "leader", "approver"))]


async def _small_body(request: Request) -> None:
    """413 for a body above :data:`MAX_BODY_BYTES`, measured before it is parsed."""
    if len(await request.body()) > MAX_BODY_BYTES:
        raise ApiError(
            413,
            "body_too_large",
            f"Nội dung yêu cầu vượt quá {MAX_BODY_BYTES >> 10} KiB",
            f"The request body is above {MAX_BODY_BYTES >> 10} KiB",
        )


SmallBody = Depends(_small_body)


def review_problem(exc: ReviewError) -> ApiError:
    return ApiError(
        exc.status,
        exc.code,
        review_text(exc.code, "vi", exc.params),
        review_text(exc.code, "en", exc.params),
    )


def _stored(
    reviews: dict[store.ReturnKey, store.Review],
) -> tuple[dict[str, Stored], dict[str, dict[str, Any]]]:
    stored = {k.school_code: Stored(State(r.state), r.content_hash) for k, r in reviews.items()}
    detail = {k.school_code: r.__dict__ for k, r in reviews.items()}
    return stored, detail


def states_of(request: Request, frame: pl.DataFrame, period: Period) -> pl.DataFrame:
    with store_session(request) as session:
        reviews = store.reviews_of_period(session, period.school_year, period.term)
    return desk.with_states(frame, *_stored(reviews))


def _unit_returns(
    request: Request, cur: Any, settings: Settings, who: Principal, at: Any
) -> pl.DataFrame:
    period = Period.of(at.school_year, at.term)
    rows = desk.in_unit(desk.period_returns(cur, settings, period), at.unit)
    rows = desk.in_schools(rows, schools_in_scope(cur, settings, who, request))
    return states_of(request, rows, period)


@router.get("/queue", summary="Returns waiting for review in a unit")
def queue(
    request: Request,
    cur: CursorDep,
    settings: SettingsDep,
    who: PrincipalDep,
    at: UnitPeriodDep,
    state: Annotated[
        list[Literal["received", "checked", "returned", "approved"]] | None,
        Query(max_length=4, description="Only these states (default: received, checked, returned)"),
    ] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    size: Annotated[int, Query(ge=1, le=1000)] = 100,
    format: Format = "json",
) -> Any:
    require_schools(who)
    rows = desk.queue(_unit_returns(request, cur, settings, who, at), state or desk.WAITING)
    name = f"review_queue_{at.unit.code}_{at.school_year}_{at.term}"
    if format != "json":
        return respond(request, rows, name, format)
    return {
        "total": rows.height,
        "page": page,
        "size": size,
        "items": rows.slice((page - 1) * size, size).to_dicts(),
    }


@router.get("/summary", summary="Returns by review state per child unit")
def summary(
    request: Request,
    cur: CursorDep,
    settings: SettingsDep,
    who: PrincipalDep,
    at: UnitPeriodDep,
    format: Format = "json",
) -> Any:
    require_schools(who)
    rows = _unit_returns(request, cur, settings, who, at)
    with store_session(request) as session:
        locks = store.locks(session)
    locked = [
        (lk.unit_scheme, lk.unit_code)
        for lk in locks
        if (lk.school_year, lk.term) == (at.school_year, at.term)
    ]
    out = desk.summary(rows, at.unit, unit_index(cur, settings), locked)
    return respond(
        request, out, f"review_summary_{at.unit.code}_{at.school_year}_{at.term}", format
    )


def _one(
    request: Request, cur: Any, settings: Settings, who: Principal, school_code: str, period: Period
) -> dict[str, Any]:
    """The return's row with its state (404 if none, 403 out of scope)."""
    require_schools(who)
    rows = desk.period_returns(cur, settings, period, school_code)
    if rows.is_empty():
        raise ApiError(
            404,
            "unknown_return",
            f"Trường {school_code} không có báo cáo kỳ {period}",
            f"School {school_code} sent no return for {period}",
        )
    row = rows.row(0, named=True)
    require_school_in_scope(cur, settings, who, row)
    return states_of(request, rows, period).row(0, named=True)


@router.get(
    "/{school_code}/{period}", summary="One return: figures, state, history, findings, effect"
)
def detail(
    request: Request,
    cur: CursorDep,
    settings: SettingsDep,
    who: PrincipalDep,
    school_code: SchoolCode,
    period: PeriodPath,
) -> dict[str, Any]:
    at = path_period(period)
    row = _one(request, cur, settings, who, school_code, at)
    full, figures = desk.figures(cur, settings, school_code, at)
    key = store.ReturnKey(school_code, at.school_year, at.term)
    province = full["province_code"]
    everyone = states_of(
        request,
        desk.period_returns(cur, settings, at).filter(pl.col("province_code") == province),
        at,
    )
    with store_session(request) as session:
        history = [e.__dict__ for e in store.history(session, key)]
    return {
        "return": {k: row[k] for k in desk.QUEUE_COLUMNS},
        "period": str(at),
        "scheme": at.scheme,
        "previous_period": str(at.previous_same_term),
        "figures": figures,
        "history": history,
        "findings": desk.findings_of(cur, settings, school_code, at),
        "effect": desk.effect(
            cur, settings, full, at, desk.counted_schools(everyone), unit_index(cur, settings)
        ),
    }


def path_period(text: str) -> Period:
    year, _, term = text.rpartition("-")
    return period_of(f"{year}/{term}")


def _publish(request: Request, who: Principal, schools: list[str]) -> str:
    """Submit the review_publish job for ``schools``; its link."""
    job = request.app.state.jobs.submit("review_publish", who.username, review_job.request(schools))
    return job_path(job.id)


@router.post(
    "/{school_code}/{period}/actions",
    summary="Check, approve, return or reopen one return",
    dependencies=[SmallBody],
    response_model=ActionOut,
)
def act(
    request: Request,
    cur: CursorDep,
    settings: SettingsDep,
    who: PrincipalDep,
    school_code: SchoolCode,
    period: PeriodPath,
    body: Annotated[ActionIn, Body()],
) -> Any:
    if who.role != "approver":
        raise review_problem(ReviewError("review_forbidden", 403, action=body.action))
    at = path_period(period)
    row = _one(request, cur, settings, who, school_code, at)
    key = store.ReturnKey(school_code, at.school_year, at.term)
    with store_session(request) as session:
        try:
            review, event = store.act(
                session,
                actor=who.username,
                action=Action(body.action),
                key=key,
                content_hash=row["content_hash"],
                expected_hash=body.expected_hash,
                reason=body.reason,
                scheme=at.scheme,
                scopes=who.scopes,
                place=place_of(cur, settings, school_code),
            )
        except ReviewError as exc:
            raise review_problem(exc) from exc
        sent = None
        if body.action == Action.RETURN:
            sent = mail.send_returned(
                settings,
                _contact(cur, settings, school_code),
                school_code=school_code,
                school_name=row["school_name"],
                period=at,
                reason=body.reason or "",
                returned_by=who.username,
                findings=desk.findings_of(cur, settings, school_code, at),
            )
            store.set_detail(session, event.id, {"mail": sent})
    request.app.state.auth.audit_event(
        AuditAction(f"review_{body.action}"),
        who.username,
        {"school_code": school_code, "period": str(at), "event_id": event.id},
        client_ip(request),
    )
    return {
        "review": _review_out(review),
        "event_id": event.id,
        "mail": sent,
        "job": _publish(request, who, [school_code]),
    }


def _review_out(review: store.Review) -> dict[str, Any]:
    out = {k: v for k, v in review.__dict__.items() if k != "key"}
    return {**out, **review.key.__dict__}


def _contact(cur: Any, settings: Settings, school_code: str) -> str | None:
    found = db.query(cur, "queries/review_contact", settings, school_code=school_code)
    return None if found.is_empty() else str(found["email"][0]).strip()


@router.post(
    "/approve-clean",
    summary="Approve every waiting return of a unit that has no findings",
    dependencies=[SmallBody],
    response_model=BulkOut,
)
def approve_clean(
    request: Request,
    cur: CursorDep,
    settings: SettingsDep,
    who: Approvers,
    body: Annotated[BulkIn, Body()],
) -> Any:
    at = period_of(body.period)
    unit = find_unit(cur, settings, body.unit, body.scheme or at.scheme)
    require_in_scope(cur, settings, who, unit.scheme, unit.code, request)
    rows = desk.in_unit(desk.period_returns(cur, settings, at), unit)
    rows = desk.in_schools(rows, schools_in_scope(cur, settings, who, request))
    waiting = desk.queue(states_of(request, rows, at), (State.RECEIVED, State.CHECKED))
    places = {r["school_code"]: r for r in rows.to_dicts()}
    clean = waiting.filter(pl.col("findings") == 0)
    items: list[Item] = []
    not_allowed = 0
    for school_code, content_hash in (
        clean.select("school_code", "content_hash").head(MAX_BULK).iter_rows()
    ):
        place = _place(places[school_code])
        if not may(Action.APPROVE, at.scheme, who.scopes, place):
            not_allowed += 1
            continue
        key = store.ReturnKey(school_code, at.school_year, at.term)
        items.append(Item(key, content_hash, content_hash, place))
    with store_session(request) as session:
        acted = store.act_many(
            session,
            actor=who.username,
            action=Action.APPROVE,
            items=items,
            reason=None,
            scheme=at.scheme,
            scopes=who.scopes,
        )
    done = [review.key.school_code for review, _ in acted.done]
    refused: dict[str, int] = {}
    for error in acted.refused.values():
        refused[error.code] = refused.get(error.code, 0) + 1
    if done:
        request.app.state.auth.audit_event(
            AuditAction.REVIEW_APPROVE_CLEAN,
            who.username,
            {"unit": f"{unit.scheme}:{unit.code}", "period": str(at), "approved": len(done)},
            client_ip(request),
        )
    return {
        "approved": len(done),
        "with_findings": waiting.height - clean.height,
        "not_allowed": not_allowed,
        "refused": refused,
        "remaining": max(clean.height - MAX_BULK, 0),
        "job": _publish(request, who, done),
    }


def _place(row: dict[str, Any]) -> dict[tuple[str, str], str | None]:
    return {key: row[column] for key, column in PLACE_COLUMN.items()}
