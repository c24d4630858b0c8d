"""The review desk's locks (docs/approval.md, "Locked periods") and the record's verdict:
list, lock and unlock a province's period; the hash chain intact or not."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import polars as pl
from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi import Path as PathParam

from ioc.api.deps import CursorDep, PrincipalDep, SettingsDep, client_ip, require, store_session
from ioc.api.listing import Format, respond
from ioc.api.params import UNIT_PATTERN, UNIT_TEXT, period_of
from ioc.api.principal import Principal
from ioc.api.routes.review_models import MAX_REASON, ChainOut, LockIn, LockOut
from ioc.api.routes.reviews import (
    Approvers,
    PeriodPath,
    SmallBody,
    path_period,
    review_problem,
    states_of,
)
from ioc.config import Settings
from ioc.domain.period import Period
from ioc.reviews.states import ReviewError, State
from ioc.store import review_chain
from ioc.store import reviews as store
from ioc.store.audit import Action as AuditAction
from ioc.views import reviews as desk
from ioc.views.units import find_unit

router = APIRouter(prefix="/reviews", tags=["reviews"])
ChainReaders = Annotated[Principal, Depends(require("admin", "leader", "approver"))]


@router.get("/locks", summary="Locked periods")
def list_locks(request: Request, who: PrincipalDep, format: Format = "json") -> Any:
    with store_session(request) as session:
        locks = store.locks(session)
    frame = (
        pl.DataFrame([lk.__dict__ for lk in locks], schema=list(LockOut.model_fields))
        if locks
        else pl.DataFrame(schema=dict.fromkeys(LockOut.model_fields, pl.String))
    )
    return respond(request, frame, "review_locks", format)


@router.get(
    "/chain", summary="The review record's hash chain: intact or not", response_model=ChainOut
)
def chain(request: Request, who: ChainReaders) -> Any:
    with store_session(request) as session:
        return review_chain.verify(session)


def _pending(
    request: Request, cur: Any, settings: Settings, scheme: str, code: str, at: Period
) -> int:
    unit = find_unit(cur, settings, code, scheme)
    rows = states_of(request, desk.in_unit(desk.period_returns(cur, settings, at), unit), at)
    return rows.filter(pl.col("state") != str(State.APPROVED)).height


@router.post(
    "/locks", summary="Lock a province's period", dependencies=[SmallBody], response_model=LockOut
)
def lock(
    request: Request,
    cur: CursorDep,
    settings: SettingsDep,
    who: Approvers,
    body: Annotated[LockIn, Body()],
) -> Any:
    at = period_of(body.period)
    pending = _pending(request, cur, settings, body.scheme, body.unit, at)
    with store_session(request) as session:
        try:
            done = store.lock(
                session,
                actor=who.username,
                unit_scheme=body.scheme,
                unit_code=body.unit,
                school_year=at.school_year,
                term=at.term,
                pending=pending,
                scopes=who.scopes,
                reason=body.reason,
            )
        except ReviewError as exc:
            raise review_problem(exc) from exc
    request.app.state.auth.audit_event(
        AuditAction.PERIOD_LOCK,
        who.username,
        {"unit": f"{body.scheme}:{body.unit}", "period": str(at)},
        client_ip(request),
    )
    return done


@router.delete(
    "/locks/{scheme}/{unit}/{period}", summary="Unlock a province's period", status_code=204
)
def unlock(
    request: Request,
    who: Approvers,
    scheme: Literal["legacy", "2025"],
    unit: Annotated[str, PathParam(pattern=UNIT_PATTERN, max_length=5, description=UNIT_TEXT)],
    period: PeriodPath,
    reason: Annotated[str, Query(min_length=1, max_length=MAX_REASON, description="Why")],
) -> None:
    at = path_period(period)
    with store_session(request) as session:
        try:
            store.unlock(
                session,
                actor=who.username,
                unit_scheme=scheme,
                unit_code=unit,
                school_year=at.school_year,
                term=at.term,
                reason=reason,
                scopes=who.scopes,
            )
        except ReviewError as exc:
            raise review_problem(exc) from exc
    request.app.state.auth.audit_event(
        AuditAction.PERIOD_UNLOCK,
        who.username,
        {"unit": f"{scheme}:{unit}", "period": str(at)},
        client_ip(request),
    )
