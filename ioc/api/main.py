"""The FastAPI application: ``/api/v1``, OpenAPI at ``/api/docs``."""

from __future__ import annotations

import hashlib
import logging
import time
from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ioc import __version__
from ioc.api import errors
from ioc.api.auth import AuthService
from ioc.api.cache import BuildCache
from ioc.api.routes import auth, indicators, ingest, meta, reports, schools, targets, units
from ioc.api.routes import boundaries as boundary_routes
from ioc.api.snapshot import Snapshot
from ioc.config import Settings, get_settings

log = logging.getLogger("ioc.api")
PREFIX = "/api/v1"
SUFFIXES = {".csv": "csv", ".xlsx": "xlsx", ".json": "json"}
NO_ETAG = ("/auth", "/audit", "/health")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.auth.start()
        boundary_routes.warm(app)
        yield
        app.state.snapshot.close()

    app = FastAPI(
        title="IOC-EDU API",
        version=__version__,
        description="Indicators, schools, data quality and ingest of a Department of "
        "Education and Training. Every list answers as JSON, CSV (UTF-8 with BOM) or XLSX: "
        "`?format=csv` or a `.csv`/`.xlsx` suffix.",
        docs_url="/api/docs",
        openapi_url="/api/openapi.json",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.snapshot = Snapshot(settings)
    app.state.cache = BuildCache()
    app.state.auth = AuthService(settings)
    app.state.audit_export = app.state.auth.audit_export
    errors.install(app)
    for module in (meta, auth, units, indicators, schools, reports, ingest, targets):
        app.include_router(module.router, prefix=PREFIX)
    app.include_router(boundary_routes.router, prefix=PREFIX)

    app.add_middleware(SuffixAndETag)
    return app


class SuffixAndETag:
    """Plain ASGI middleware: ``.csv``/``.xlsx`` suffixes become ``?format=``, and GET
    answers carry an ETag from the build id (and the caller), honouring If-None-Match."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.responses = ResponseCache()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        _format_suffix(scope)
        etag = _etag(scope)
        if etag is None:
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        if headers.get(b"if-none-match", b"").decode() == etag:
            await Response(status_code=304, headers={"ETag": etag})(scope, receive, send)
            return

        key = (etag, scope["path"], scope.get("query_string", b""))
        hit = self.responses.get(key)
        if hit is not None:
            for message in hit:
                await send(message)
            return
        sent: list[Message] = []

        async def send_with_etag(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                message["headers"] = [*message.get("headers", []), (b"etag", etag.encode())]
            sent.append(message)
            await send(message)

        await self.app(scope, receive, send_with_etag)
        self.responses.keep(key, sent)


class ResponseCache:
    """Whole JSON answers to repeated GETs, keyed by ETag (build and caller), path and query,
    kept for a few seconds: a dashboard or wall screen asking again is answered at once.
    Exports (CSV, XLSX) are not kept, so every download is audited."""

    seconds = 10.0
    max_items = 2000
    max_bytes = 1 << 20

    def __init__(self) -> None:
        self._items: OrderedDict[tuple[Any, ...], tuple[float, list[Message]]] = OrderedDict()

    def get(self, key: tuple[Any, ...]) -> list[Message] | None:
        item = self._items.get(key)
        if item is None or time.monotonic() - item[0] > self.seconds:
            return None
        return item[1]

    def keep(self, key: tuple[Any, ...], sent: list[Message]) -> None:
        start = sent[0] if sent else {}
        headers = dict(start.get("headers", []))
        body = [m for m in sent[1:] if m["type"] == "http.response.body"]
        if (
            start.get("status") != 200
            or not headers.get(b"content-type", b"").startswith(b"application/json")
            or len(body) != 1
            or body[0].get("more_body")
            or len(body[0].get("body", b"")) > self.max_bytes
        ):
            return
        self._items[key] = (time.monotonic(), [start, body[0]])
        self._items.move_to_end(key)
        while len(self._items) > self.max_items:
            self._items.popitem(last=False)


def _etag(scope: Scope) -> str | None:
    path: str = scope["path"]
    if scope["method"] != "GET" or not path.startswith(PREFIX):
        return None
    if any(path.startswith(PREFIX + p) for p in NO_ETAG):
        return None
    build = scope["app"].state.snapshot.current()
    if build is None:
        return None
    headers = dict(scope["headers"])
    who = headers.get(b"authorization", b"") + headers.get(b"cookie", b"")
    return f'W/"{build.build_id}-{hashlib.sha256(who).hexdigest()[:12]}"'


def _format_suffix(scope: Scope) -> None:
    """/api/v1/schools.csv?... is /api/v1/schools?format=csv&..."""
    path: str = scope["path"]
    for suffix, fmt in SUFFIXES.items():
        if path.startswith(PREFIX) and path.endswith(suffix):
            scope["path"] = path[: -len(suffix)]
            query = scope.get("query_string", b"").decode()
            extra = f"format={fmt}"
            scope["query_string"] = (f"{query}&{extra}" if query else extra).encode()
            break
