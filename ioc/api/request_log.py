"""The outermost layer of the server (API, dashboard, assets): every answer carries an
``X-Request-Id``, and with ``IOC_LOG_FORMAT=json`` every request is one JSON line
(:func:`ioc.logs.request`: request id, instance, user, method, route template, path,
status, duration, build).

A request id sent by the client is kept only when the connection comes from a trusted proxy
(``IOC_TRUSTED_PROXIES``) and the id is 1-64 characters of ``[A-Za-z0-9._-]``; any other is
replaced by a new one. That needs the peer's own address, before ``X-Forwarded-For`` is
believed, so this layer applies uvicorn's proxy-headers handling itself, inside it: the
server runs it outermost, with ``proxy_headers=False``."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from typing import cast

from fastapi.routing import APIRoute
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from ioc import logs
from ioc.api.middleware import PREFIX
from ioc.api.principal import Principal
from ioc.config import Settings
from ioc.store.instances import this_instance

HEADER = b"x-request-id"
ALLOWED = re.compile(rb"[A-Za-z0-9._-]{1,64}")
#: who sent a request's credentials, from memory only (never a store query per request)
Remembered = Callable[[str, str], Principal | None]


class RequestLog:
    """See the module's description; ``remembered`` names the user of a dashboard request
    (its API calls verified the credential already)."""

    def __init__(self, app: ASGIApp, settings: Settings, remembered: Remembered) -> None:
        proxy = ProxyHeadersMiddleware(app, trusted_hosts=settings.trusted_proxies)  # type: ignore[arg-type]  # uvicorn's ASGI typing, not Starlette's
        self.trusted = proxy.trusted_hosts
        self.app = cast(ASGIApp, proxy)
        self.json = settings.log_format == "json"
        self.remembered = remembered

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = self._incoming(scope) or uuid.uuid4().hex
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        method, path = scope["method"], scope["path"]  # as asked (before any rewriting)
        started = time.perf_counter()
        status = 500  # unless an answer starts
        stamp = (HEADER, request_id.encode("ascii"))

        async def with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != HEADER]
                message = {**message, "headers": [*headers, stamp]}
            await send(message)

        try:
            await self.app(scope, receive, with_id)
        finally:
            if self.json:
                build = state.get("build")
                logs.request(
                    request_id=request_id,
                    instance=this_instance(),
                    user=self._user(scope),
                    method=method,
                    route=_route(scope, path),
                    path=path,
                    status=status,
                    duration_ms=round((time.perf_counter() - started) * 1000, 2),
                    build_id=build.build_id if build is not None else None,
                )

    def _incoming(self, scope: Scope) -> str | None:
        """The client's request id, if a trusted proxy sent it in the allowed form."""
        peer = scope.get("client")
        if peer is None or peer[0] not in self.trusted:
            return None
        for name, value in scope["headers"]:
            if name == HEADER:
                return value.decode("ascii") if ALLOWED.fullmatch(value) else None
        return None

    def _user(self, scope: Scope) -> str | None:
        who: Principal | None = scope["state"].get("principal")
        if who is None:
            headers = dict(scope["headers"])
            who = self.remembered(
                headers.get(b"authorization", b"").decode("latin-1"),
                headers.get(b"cookie", b"").decode("latin-1"),
            )
        return who.username if who is not None else None


def _route(scope: Scope, path: str) -> str:
    """The template of the API route that answered (``/api/v1/schools/{code}``); the path
    itself for the dashboard's pages and files (the dashboard's own routes are few)."""
    route = scope.get("route")
    if isinstance(route, APIRoute):  # every API router is included under PREFIX (ioc.api.main)
        return PREFIX + route.path
    if isinstance(route, Route):  # added whole: /api/docs, /api/{rest:path}
        return route.path
    return path
