"""The FastAPI application: ``/api/v1``, OpenAPI at ``/api/docs``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import Response
from starlette.routing import Match, Route
from starlette.types import Receive, Scope, Send

from ioc import __version__
from ioc.api import errors, memory, warm
from ioc.api.activity import Activity, activity_of
from ioc.api.auth import SESSION_COOKIE, AuthService
from ioc.api.cache import BuildCache
from ioc.api.middleware import PREFIX, ResponseCache, SuffixAndETag
from ioc.api.routes import (
    alert_rules,
    alert_silences,
    alerts,
    auth,
    exams,
    indicators,
    ingest,
    jobs,
    meta,
    reports,
    review_locks,
    reviews,
    schools,
    sync,
    targets,
    units,
)
from ioc.api.routes import boundaries as boundary_routes
from ioc.api.routes.schedules import router as schedules_router
from ioc.api.routes.sources import router as sources_router
from ioc.api.snapshot import Snapshot
from ioc.api.store_probe import StoreProbe
from ioc.catalog.definitions import load_catalog
from ioc.config import Settings, get_settings
from ioc.jobs.alert_schedule import AlertScheduler
from ioc.jobs.duties import Duties
from ioc.jobs.kinds import KINDS
from ioc.jobs.presence import Presence
from ioc.jobs.pull_schedule import PullScheduler
from ioc.jobs.runner import Hooks, JobRunner
from ioc.reports.scheduler import ReportScheduler


def create_app(settings: Settings | None = None, store_prepared: bool = False) -> Api:
    """The API; ``store_prepared``: the store was migrated (and its first account made) by
    the serving command before it started this process (see :func:`ioc.api.auth.prepare_store`)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.auth.start()
        app.state.reports.start()
        app.state.jobs.connect()
        # known to the other processes before the runner claims a job; the scheduler if the
        # lease is free: its alert schedule starts before the snapshot opens its build
        app.state.presence.start()
        app.state.jobs.start()
        app.state.pulls.start()
        load_catalog()  # read once, before any request needs it
        app.state.snapshot.current()  # open the published build now: its warm-up starts
        boundary_routes.warm(app)
        yield
        app.state.presence.stop()  # the schedules stop, the lease is given up
        app.state.jobs.shutdown()
        app.state.reports.shutdown()
        app.state.snapshot.close()

    memory.limit_arenas(settings.malloc_arena_max)
    responses = ResponseCache(max_bytes=settings.response_cache_mb << 20)
    app = Api(
        responses,
        activity_of(settings),
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
    app.state.cache = cache = BuildCache(
        max_bytes=settings.cache_mb << 20, computations=settings.computations
    )
    # a new build is warmed before it is served (up to a few seconds), then switched to
    snapshot.on_prepare(
        lambda build, conn: warm.start(cache, settings, build, conn, app.activity.wait_quiet)
    )
    snapshot.on_open(lambda build, conn: cache.switch(build.build_id))
    snapshot.on_open(lambda build, conn: responses.switch(build.build_id))
    app.state.auth = AuthService(settings, prepared=store_prepared)
    app.state.audit_export = app.state.auth.audit_export
    app.state.store_probe = StoreProbe(app.state.auth.ping)
    app.state.reports = ReportScheduler(settings, connect=app.state.snapshot.connection)
    app.state.jobs = JobRunner(
        settings, KINDS, Hooks(published=snapshot.published, audit=app.state.auth.audit_event)
    )
    app.state.pulls = PullScheduler(app.state.jobs)
    app.state.alert_schedule = AlertScheduler(app.state.jobs, look=snapshot.current)
    snapshot.on_open(app.state.alert_schedule.opened)
    duties = Duties(app.state.jobs, app.state.reports, app.state.pulls, app.state.alert_schedule)
    app.state.presence = Presence(
        settings,
        app.state.jobs.session,
        duties.gain,
        duties.loss,
        on_held=duties.held,
        build=lambda: build.build_id if (build := snapshot.current()) else None,
    )
    duties.fence(app.state.presence.holding)
    errors.install(app)
    for module in (
        meta,
        auth,
        units,
        indicators,
        schools,
        exams,
        reports,
        targets,
        jobs,
        boundary_routes,
        sync,
    ):
        app.include_router(module.router, prefix=PREFIX, responses=errors.PROBLEMS)
    app.include_router(
        ingest.router, prefix=PREFIX, responses=errors.PROBLEMS | errors.problem_responses(413, 415)
    )
    app.include_router(
        schedules_router,
        prefix=PREFIX,
        responses=errors.PROBLEMS | errors.problem_responses(409, 410),
    )
    for review_routes in (review_locks, reviews):  # /reviews/locks before /reviews/{school}/..
        app.include_router(
            review_routes.router,
            prefix=PREFIX,
            responses=errors.PROBLEMS | errors.problem_responses(409, 413),
        )
    app.include_router(
        sources_router,
        prefix=PREFIX,
        responses=errors.PROBLEMS | errors.problem_responses(409, 413),
    )
    for alert_routes in (alert_rules, alert_silences, alerts):  # /alerts/{id} last
        app.include_router(
            alert_routes.router,
            prefix=PREFIX,
            responses=errors.PROBLEMS | errors.problem_responses(409, 413),
        )
    # anything else under /api (any method) is answered by the API, never by the dashboard at /
    app.router.routes.append(Elsewhere("/api/{rest:path}", _elsewhere))
    return app


class Elsewhere(Route):
    """Takes every method: what the API's routes do not answer under /api is answered here
    (by :func:`_elsewhere`), never by the dashboard mounted at /."""

    def __init__(self, path: str, endpoint: Callable[[Request], Awaitable[Response]]) -> None:
        super().__init__(path, endpoint, include_in_schema=False)
        self.methods = None  # Route would take only GET and HEAD


async def _elsewhere(request: Request) -> Response:
    """A request under /api that no route takes: OPTIONS is answered with the path's methods
    in ``Allow``, another method on a known path is a 405 with ``Allow``, any other path
    is a 404."""
    path = request.url.path
    methods = _methods(request)
    if not methods:
        raise errors.ApiError(
            404, "no_such_resource", f"Không có tài nguyên {path}", f"No resource {path}"
        )
    if "GET" in methods:
        methods.add("HEAD")  # answered as a GET without its body (see SuffixAndETag)
    allow = ", ".join(sorted(methods | {"OPTIONS"}))
    if request.method == "OPTIONS":
        return Response(status_code=204, headers={"Allow": allow})
    raise errors.ApiError(
        405,
        "method_not_allowed",
        f"{path} chỉ nhận các phương thức {allow}",
        f"{path} answers only {allow}",
        headers={"Allow": allow},
    )


def _methods(request: Request) -> set[str]:
    """The methods the API's routes answer on the request's path."""
    found: set[str] = set()
    for method in METHODS:
        probe = {**request.scope, "method": method}
        for route in request.app.router.routes:
            if isinstance(route, Elsewhere):
                break
            if route.matches(probe)[0] is Match.FULL:
                found.add(method)
                break
    return found


class Api(FastAPI):
    """The FastAPI application with :class:`SuffixAndETag` in front of all its layers (error
    handling, telemetry, routing): answering from the response cache costs no more than
    that middleware."""

    def __init__(self, responses: ResponseCache, activity: Activity, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.front = SuffixAndETag(super().__call__, responses)
        self.activity = activity  # requests in flight: the warm-up of a served build waits

    def openapi(self) -> dict[str, Any]:
        """The document, with what FastAPI cannot infer: errors as problem+json, the CSV and
        XLSX answers of every list (its ``format`` parameter) and how to sign in."""
        if self.openapi_schema is None:
            doc = get_openapi(
                title=self.title,
                version=self.version,
                description=self.description,
                routes=self.routes,
            )
            document(doc)
            self.openapi_schema = doc
        return self.openapi_schema

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope["app"] = self
        if scope["type"] != "http":
            await self.front(scope, receive, send)
            return
        self.activity.begin()
        try:
            await self.front(scope, receive, send)
        finally:
            self.activity.end()


EXPORTS = {
    "text/csv": {"schema": {"type": "string"}},
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
        "schema": {"type": "string", "format": "binary"}
    },
}
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
PUBLIC_OPERATIONS = {("/api/v1/health", "get"), ("/api/v1/auth/login", "post")}


def document(doc: dict[str, Any]) -> None:
    """Add the Problem schema, the export media types and the security schemes to ``doc``."""
    components = doc.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    problem = errors.Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(problem.pop("$defs", {}))
    schemas["Problem"] = problem
    components["securitySchemes"] = {
        "bearer": {"type": "http", "scheme": "bearer", "description": "An API token"},
        "session": {"type": "apiKey", "in": "cookie", "name": SESSION_COOKIE},
    }
    doc["security"] = [{"bearer": []}, {"session": []}]
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            if (path, method) in PUBLIC_OPERATIONS:
                operation["security"] = []
            names = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
            ok = operation["responses"].get("200")
            if "format" in names and ok is not None:
                ok.setdefault("content", {}).update(EXPORTS)
