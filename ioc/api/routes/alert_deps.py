"""What every alerts route shares (docs/alerts.md, "Who sees and acts"): who may call it,
the caller's scopes as the store takes them, the store session, the problems of
:class:`ioc.store.alerts.AlertError` in the catalog's words, a body measured before it is
parsed, and the export columns' headers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import Depends, Request

from ioc.api.deps import client_ip, require
from ioc.api.errors import ApiError
from ioc.api.principal import Principal
from ioc.catalog.definitions import load_messages
from ioc.catalog.messages import FORMATTERS, Lang
from ioc.store.alerts import AlertError, Scopes
from ioc.store.audit import Action

MAX_BODY_BYTES = 64 << 10  # a rule with 200 units is a few KiB
#: who reads alerts (display accounts read the summary only, sync accounts nothing)
READERS = ("admin", "leader", "analyst", "operator", "approver")
Readers = Annotated[Principal, Depends(require(*READERS))]
SummaryReaders = Annotated[Principal, Depends(require(*READERS, "display"))]
RuleWriters = Annotated[Principal, Depends(require("admin", "operator"))]
SilenceWriters = Annotated[Principal, Depends(require("admin", "leader", "operator"))]
Evaluators = Annotated[Principal, Depends(require("admin", "operator"))]
Admins = Annotated[Principal, Depends(require("admin"))]


def scopes_of(who: Principal) -> Scopes:
    """The caller's units for the store: None for admins and leaders (every alert), and for
    a display account without units."""
    if who.role in ("admin", "leader") or (who.role == "display" and not who.scopes):
        return None
    return who.scopes


def alert_text(code: str, lang: Lang, params: Mapping[str, Any] | None = None) -> str:
    return FORMATTERS[lang].vformat(getattr(load_messages().alerts[code], lang), (), params or {})


def problem(code: str, status: int, **params: Any) -> ApiError:
    return ApiError(
        status, code, alert_text(code, "vi", params), alert_text(code, "en", params), **params
    )


def alert_problem(exc: AlertError) -> ApiError:
    return problem(exc.code, exc.status, **exc.params)


def audit(request: Request, action: Action, who: Principal, detail: Mapping[str, Any]) -> None:
    request.app.state.auth.audit_event(action, who.username, detail, client_ip(request))


async def _small_body(request: Request) -> None:
    """413 for a body above :data:`MAX_BODY_BYTES`, measured before it is parsed."""
    if len(await request.body()) > MAX_BODY_BYTES:
        raise problem("alert_body_too_large", 413, kib=MAX_BODY_BYTES >> 10)


SmallBody = Depends(_small_body)
