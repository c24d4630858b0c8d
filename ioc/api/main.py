"""The FastAPI application: ``/api/v1``, OpenAPI at ``/api/docs``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from starlette.types import Receive, Scope, Send

from ioc import __version__
from ioc.api import errors, warm
from ioc.api.auth import AuthService
from ioc.api.cache import BuildCache
from ioc.api.middleware import PREFIX, ResponseCache, SuffixAndETag
from ioc.api.routes import auth, indicators, ingest, meta, reports, schools, targets, units
from ioc.api.routes import boundaries as boundary_routes
from ioc.api.routes.schedules import router as schedules_router
from ioc.api.snapshot import Snapshot
from ioc.catalog.definitions import load_catalog
from ioc.config import Settings, get_settings
from ioc.reports.scheduler import ReportScheduler


def create_app(settings: Settings | None = None) -> Api:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.auth.start()
        app.state.reports.start()
        load_catalog()  # read once, before any request needs it
        app.state.snapshot.current()  # open the published build now: its warm-up starts
        boundary_routes.warm(app)
        yield
        app.state.reports.shutdown()
        app.state.snapshot.close()

    responses = ResponseCache()
    app = Api(
        responses,
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
    app.state.snapshot = snapshot = Snapshot(settings)
    app.state.cache = cache = BuildCache()
    snapshot.on_open(lambda build, conn: cache.switch(build.build_id))
    snapshot.on_open(lambda build, conn: responses.switch(build.build_id))
    snapshot.on_open(lambda build, conn: warm.start(cache, settings, build, conn))
    app.state.auth = AuthService(settings)
    app.state.audit_export = app.state.auth.audit_export
    app.state.reports = ReportScheduler(settings, connect=app.state.snapshot.connection)
    errors.install(app)
    for module in (meta, auth, units, indicators, schools, reports, ingest, targets):
        app.include_router(module.router, prefix=PREFIX)
    app.include_router(schedules_router, prefix=PREFIX)
    app.include_router(boundary_routes.router, prefix=PREFIX)
    # anything else under /api is an unknown resource, not a page of the dashboard at /
    app.add_api_route(
        "/api/{rest:path}",
        _no_such_resource,
        methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        include_in_schema=False,
    )
    return app


def _no_such_resource(rest: str) -> None:
    raise errors.ApiError(
        404, "no_such_resource", f"Không có tài nguyên /api/{rest}", f"No resource /api/{rest}"
    )


class Api(FastAPI):
    """The FastAPI application with :class:`SuffixAndETag` in front of all its layers (error
    handling, telemetry, routing): answering from the response cache costs no more than
    that middleware."""

    def __init__(self, responses: ResponseCache, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.front = SuffixAndETag(super().__call__, responses)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope["app"] = self
        await self.front(scope, receive, send)
