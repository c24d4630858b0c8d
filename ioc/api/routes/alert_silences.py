"""Silences (admins, leaders, operators within their units) and webhooks (admins) of the
alerts (docs/alerts.md, "Silences", "Delivery")."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request, Response
from fastapi import Path as PathParam

from ioc.api.deps import store_session
from ioc.api.params import MAX_ID
from ioc.api.routes.alert_deps import (
    Admins,
    Readers,
    SilenceWriters,
    SmallBody,
    alert_problem,
    audit,
)
from ioc.api.routes.alert_models import (
    WEBHOOK_NAME,
    SilenceIn,
    SilenceOut,
    WebhookIn,
    WebhookOut,
)
from ioc.api.scope import allowed_units, require_in_scope
from ioc.store import alert_config as config
from ioc.store.alerts import AlertError
from ioc.store.audit import Action

router = APIRouter(prefix="/alerts", tags=["alerts"])
SilenceId = Annotated[int, PathParam(ge=1, le=MAX_ID)]
WebhookName = Annotated[str, PathParam(pattern=WEBHOOK_NAME, max_length=40)]


def _within(request: Request, who: Any, scheme: str, code: str) -> None:
    """403 unless the unit is within the caller's units (admins, leaders: any)."""
    if who.role in ("admin", "leader"):
        return
    with request.app.state.snapshot.cursor() as (_, cur):
        require_in_scope(cur, request.app.state.settings, who, scheme, code)


@router.get("/silences", summary="Silences on the caller's units (in force, or all)")
def list_silences(
    request: Request,
    who: Readers,
    ended: Annotated[bool, Query(description="Also those that ended")] = False,
) -> list[SilenceOut]:
    with store_session(request) as session:
        rows = config.list_silences(session, current=not ended)
    if rows and who.role not in ("admin", "leader"):
        with request.app.state.snapshot.cursor() as (_, cur):
            units = allowed_units(cur, request.app.state.settings, who)
        if units is not None:
            inside = set(units.select("scheme", "code").iter_rows())
            rows = [r for r in rows if (r["scheme"], r["unit_code"]) in inside]
    return [SilenceOut.model_validate(r) for r in rows]


@router.post(
    "/silences",
    summary="Silence a rule's (or every rule's) alerts in a unit until a time, with a reason",
    status_code=201,
    dependencies=[SmallBody],
)
def add_silence(
    request: Request, who: SilenceWriters, body: Annotated[SilenceIn, Body()]
) -> SilenceOut:
    _within(request, who, body.scheme, body.unit)
    with store_session(request) as session:
        try:
            out = config.add_silence(
                session,
                rule_key=body.rule_key,
                scheme=body.scheme,
                unit_code=body.unit,
                reason=body.reason,
                ends_at=body.ends_at,
                actor=who.username,
                settings=request.app.state.settings,
            )
        except AlertError as exc:
            raise alert_problem(exc) from exc
    audit(
        request,
        Action.ALERT_SILENCE_ADD,
        who,
        {"id": out["id"], "rule": body.rule_key, "unit": f"{body.scheme}:{body.unit}"},
    )
    return SilenceOut.model_validate(out)


@router.delete("/silences/{silence_id}", summary="End a silence early (recorded)")
def end_silence(request: Request, who: SilenceWriters, silence_id: SilenceId) -> SilenceOut:
    with store_session(request) as session:
        try:
            silence = config.get_silence(session, silence_id)
            _within(request, who, silence.scheme, silence.unit_code)
            out = config.end_silence(session, silence, who.username)
        except AlertError as exc:
            raise alert_problem(exc) from exc
    audit(request, Action.ALERT_SILENCE_END, who, {"id": silence_id})
    return SilenceOut.model_validate(out)


@router.get("/webhooks", summary="Webhooks alerts are sent to (admins)")
def list_webhooks(request: Request, who: Admins) -> list[WebhookOut]:
    with store_session(request) as session:
        return [WebhookOut.model_validate(h) for h in config.list_webhooks(session)]


@router.post(
    "/webhooks",
    summary="Add a webhook; its secret names an entry of the secrets file",
    status_code=201,
    dependencies=[SmallBody],
)
def add_webhook(request: Request, who: Admins, body: Annotated[WebhookIn, Body()]) -> WebhookOut:
    with store_session(request) as session:
        try:
            out = config.add_webhook(
                session,
                request.app.state.settings,
                name=body.name,
                url=body.url,
                secret=body.secret,
                min_severity=body.min_severity,
                units=[u.model_dump() for u in body.units],
                enabled=body.enabled,
                actor=who.username,
            )
        except AlertError as exc:
            raise alert_problem(exc) from exc
    audit(request, Action.ALERT_WEBHOOK_ADD, who, {"name": body.name})
    return WebhookOut.model_validate(out)


@router.delete("/webhooks/{name}", summary="Delete a webhook", status_code=204)
def delete_webhook(request: Request, who: Admins, name: WebhookName) -> Response:
    with store_session(request) as session:
        try:
            config.delete_webhook(session, name)
        except AlertError as exc:
            raise alert_problem(exc) from exc
    audit(request, Action.ALERT_WEBHOOK_DELETE, who, {"name": name})
    return Response(status_code=204)
