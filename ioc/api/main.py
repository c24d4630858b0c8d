"""The FastAPI application: ``/api/v1``, OpenAPI at ``/api/docs``."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import Response

from ioc import __version__
from ioc.api import errors
from ioc.api.auth import AuthService
from ioc.api.cache import BuildCache
from ioc.api.routes import auth, indicators, ingest, meta, reports, schools, targets, units
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

    @app.middleware("http")
    async def suffix_and_etag(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        _format_suffix(request)
        build = request.app.state.snapshot.current()
        path = request.url.path
        cacheable = request.method == "GET" and path.startswith(PREFIX) and build is not None
        cacheable = cacheable and not any(path.startswith(PREFIX + p) for p in NO_ETAG)
        if cacheable:
            who = request.headers.get("authorization", "") + request.cookies.get("ioc_session", "")
            etag = f'W/"{build.build_id}-{hashlib.sha256(who.encode()).hexdigest()[:12]}"'
            if request.headers.get("if-none-match") == etag:
                return Response(status_code=304, headers={"ETag": etag})
        response = await call_next(request)
        if cacheable and response.status_code == 200:
            current = request.app.state.snapshot.build
            if current is not None and current.build_id == build.build_id:
                response.headers["ETag"] = etag
        return response

    return app


def _format_suffix(request: Request) -> None:
    """/api/v1/schools.csv?... is /api/v1/schools?format=csv&..."""
    path: str = request.scope["path"]
    for suffix, fmt in SUFFIXES.items():
        if path.startswith(PREFIX) and path.endswith(suffix):
            request.scope["path"] = path[: -len(suffix)]
            query = request.scope.get("query_string", b"").decode()
            extra = f"format={fmt}"
            request.scope["query_string"] = (f"{query}&{extra}" if query else extra).encode()
            break
