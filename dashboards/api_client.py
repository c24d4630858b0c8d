"""Typed httpx client for the IOC-EDU API: the dashboard's only way to data. Each call
forwards the browser's credentials (session cookie or display token), so the API applies
the caller's role and unit scope; the dashboard never widens it."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from http.cookiejar import DefaultCookiePolicy
from typing import Any, ClassVar

import httpx
import orjson

from dashboards.api_alerts import AlertCalls
from dashboards.api_exams import ExamCalls
from dashboards.api_reviews import ReviewCalls
from dashboards.api_sources import SourceCalls
from dashboards.api_types import (
    Health,
    Me,
    PeriodRow,
    Scheme,
    Unit,
    UnitWithChildren,
    Value,
)

SCHEMES: tuple[Scheme, ...] = ("legacy", "2025")
SESSION_COOKIE = "ioc_session"
DEFAULT_ZONE = "Asia/Ho_Chi_Minh"  # IOC_DISPLAY_TIMEZONE's default, while the API is unreachable


class ApiProblem(Exception):
    """An API error (problem+json) or an unreachable API, with vi/en text."""

    def __init__(
        self,
        status: int,
        code: str,
        vi: str,
        en: str,
        errors: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {en}")
        self.status, self.code, self.vi, self.en = status, code, vi, en
        self.errors = errors or []  # a 422's problems: {"parameter", "in", "reason"}

    def text(self, lang: str) -> str:
        return self.vi if lang == "vi" else self.en


@dataclass(frozen=True)
class Credentials:
    """What the browser sent: a session cookie or a bearer (display) token."""

    session: str | None = None
    token: str | None = None

    def headers(self) -> dict[str, str]:
        if self.token:
            return {"Authorization": f"Bearer {self.token}"}
        if self.session:
            return {"Cookie": f"{SESSION_COOKIE}={self.session}"}
        return {}


class Api(AlertCalls, ExamCalls, SourceCalls, ReviewCalls):
    """One caller's view of the API. Cheap to create; the connection pool is shared."""

    _pools: ClassVar[dict[str, httpx.Client]] = {}
    _zones: ClassVar[dict[str, str]] = {}  # display time zone of each API
    _healths: ClassVar[dict[str, Health]] = {}  # each API's health of its latest build seen
    _catalogs: ClassVar[dict[str, dict[str, Any]]] = {}  # each API's indicator catalog
    _transports: ClassVar[dict[str, httpx.BaseTransport]] = {}  # APIs answered in-process

    def __init__(self, base_url: str, credentials: Credentials, timeout: float = 30.0) -> None:
        if base_url not in Api._pools:
            client = httpx.Client(
                base_url=base_url.rstrip("/") + "/api/v1",
                timeout=timeout,
                limits=httpx.Limits(max_connections=32, max_keepalive_connections=16),
                transport=Api._transports.get(base_url),
            )
            # shared by every caller: it must never keep one caller's session cookie
            client.cookies.jar.set_policy(DefaultCookiePolicy(allowed_domains=[]))
            Api._pools[base_url] = client
        self._http = Api._pools[base_url]
        self._base = base_url
        self.credentials = credentials
        self._build: str | None = None  # the build the last periods() was read from

    @classmethod
    def in_process(cls, base_url: str, transport: httpx.BaseTransport) -> None:
        """Calls to ``base_url`` go through ``transport`` (the API of this very process:
        :class:`~dashboards.api_transport.InProcess`)."""
        cls._transports[base_url] = transport
        cls._pools.pop(base_url, None)

    # -- transport -------------------------------------------------------------------
    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        params = {k: v for k, v in (kwargs.pop("params", None) or {}).items() if v is not None}
        headers = {**self.credentials.headers(), **kwargs.pop("headers", {})}
        try:
            response = self._http.request(method, path, params=params, headers=headers, **kwargs)
        except httpx.HTTPError as exc:
            raise ApiProblem(
                503,
                "api_unreachable",
                "Không kết nối được máy chủ dữ liệu. Vui lòng thử lại sau.",
                f"The data service cannot be reached ({type(exc).__name__}). Try again later.",
            ) from exc
        if response.status_code >= 400:
            raise _problem(response)
        return response

    def get(self, path: str, **params: Any) -> Any:
        return orjson.loads(self._request("GET", path, params=params).content)

    # -- session ---------------------------------------------------------------------
    def login(self, username: str, password: str, client: str | None = None) -> tuple[Me, str]:
        """Sign in; returns the account and the session secret to set as a cookie. ``client``
        is the browser's address, forwarded so that the API throttles failed logins per
        browser rather than per dashboard (it believes it from trusted proxies only)."""
        forwarded = {"X-Forwarded-For": client} if client else {}
        response = self._request(
            "POST",
            "/auth/login",
            json={"username": username, "password": password},
            headers=forwarded,
        )
        return response.json(), response.cookies[SESSION_COOKIE]

    def logout(self) -> None:
        self._request("POST", "/auth/logout")

    def me(self) -> Me:
        return self.get("/auth/me")

    def health(self) -> Health:
        health: Health = self.get("/health")
        if health.get("display_timezone"):
            Api._zones[self._base] = health["display_timezone"]
        return health

    def build_health(self) -> Health:
        """The health of the build the last :meth:`periods` was read from (its ETag names
        it), asked once per build rather than on every page: ``data_as_of`` is the build's
        and the time zone the API's, the same until the next build."""
        kept = Api._healths.get(self._base)
        if kept is not None and self._build is not None and kept.get("build_id") == self._build:
            return kept
        health = Api._healths[self._base] = self.health()
        return health

    def display_zone(self) -> str:
        """The time zone the API says times are shown in (kept from its last health)."""
        if self._base not in Api._zones:
            with contextlib.suppress(ApiProblem):
                self.health()
        return Api._zones.get(self._base, DEFAULT_ZONE)

    # -- reference -------------------------------------------------------------------
    def periods(self) -> list[PeriodRow]:
        response = self._request("GET", "/periods")
        self._build = build_of(response.headers.get("etag"))
        return response.json()

    def catalog(self) -> dict[str, Any]:
        """The indicator definitions and norms (the API's package files, the same for every
        caller and build): asked once per process, with the first caller's credentials."""
        if self._base not in Api._catalogs:
            Api._catalogs[self._base] = self.get("/catalog/indicators")
        return Api._catalogs[self._base]

    def unit(self, scheme: Scheme, code: str) -> UnitWithChildren:
        return self.get(f"/units/{scheme}/{code}")

    def units(self, **params: Any) -> list[Unit]:
        return self.get("/units", **params)

    # -- indicators ------------------------------------------------------------------
    def values(
        self,
        unit: str,
        scheme: Scheme,
        period: str,
        *,
        children: bool = False,
        family: str | None = None,
        indicator: str | None = None,
        basis: str | None = None,  # 'official' (the API's default) or 'all'
    ) -> list[Value]:
        return self.get(
            "/indicators/values",
            unit=unit,
            scheme=scheme,
            period=period,
            children=str(children).lower(),
            family=family,
            indicator=indicator,
            basis=basis,
        )

    def series(
        self, indicator: str, unit: str, scheme: Scheme, term: str | None = None
    ) -> list[Value]:
        return self.get(f"/indicators/{indicator}/series", unit=unit, scheme=scheme, term=term)

    # -- schools ---------------------------------------------------------------------
    def schools(self, unit: str, scheme: Scheme, period: str, **params: Any) -> dict[str, Any]:
        return self.get("/schools", unit=unit, scheme=scheme, period=period, **params)

    def school(self, code: str, period: str | None = None) -> dict[str, Any]:
        """A school's profile; with ``period``, that period's indicators only."""
        return self.get(f"/schools/{code}", period=period)

    # -- quality and reconciliation --------------------------------------------------
    def quality(self, unit: str, scheme: Scheme, period: str) -> dict[str, Any]:
        return self.get("/quality", unit=unit, scheme=scheme, period=period)

    def chase(self, unit: str, scheme: Scheme, period: str) -> list[dict[str, Any]]:
        return self.get("/quality/chase", unit=unit, scheme=scheme, period=period)

    def findings(self, unit: str, scheme: Scheme, period: str) -> list[dict[str, Any]]:
        return self.get("/quality/findings", unit=unit, scheme=scheme, period=period)

    def summary(self, unit: str, scheme: Scheme, period: str) -> dict[str, Any]:
        return self.get("/summary", unit=unit, scheme=scheme, period=period)

    # -- ingest and targets (operators) ----------------------------------------------
    def upload(
        self, name: str, content: bytes, period: str | None = None, strict: bool = False
    ) -> dict[str, Any]:
        data = {"strict": str(strict).lower()}
        if period:
            data["period"] = period
        response = self._request(
            "POST", "/ingest", files={"file": (name, content)}, data=data, timeout=600
        )
        return response.json()  # the job that loads it (202)

    def job(self, job_id: int) -> dict[str, Any]:
        return self.get(f"/jobs/{job_id}")

    def jobs(self, limit: int = 20) -> list[dict[str, Any]]:
        """The caller's jobs, newest first."""
        return self.get("/jobs", limit=limit)["items"]

    def runs(self) -> list[dict[str, Any]]:
        return self.get("/ingest/runs")

    def run(self, run_id: int) -> dict[str, Any]:
        return self.get(f"/ingest/runs/{run_id}")

    def rejects(self, run_id: int) -> list[dict[str, Any]]:
        return self.get(f"/ingest/runs/{run_id}/rejects")

    def targets(self) -> list[dict[str, Any]]:
        return self.get("/targets")

    def set_targets(self, targets: list[dict[str, Any]]) -> dict[str, Any]:
        return self._request("PUT", "/targets", json=targets).json()

    # -- maps ------------------------------------------------------------------------
    def boundaries(
        self,
        scheme: Scheme,
        parent: str | None = None,
        *,
        winding: str = "clockwise",
        tolerance: float | None = None,
    ) -> dict[str, Any] | None:
        """GeoJSON of a unit's children (every province without ``parent``), rings thinned
        to ``tolerance`` degrees; None (the map shows points) when no boundary file has them."""
        try:
            return self.get(
                "/boundaries",
                scheme=scheme,
                parent=parent,
                winding=winding,
                tolerance=tolerance,
            )
        except ApiProblem as problem:
            if problem.code == "no_boundaries":
                return None
            raise

    def province_values(
        self,
        scheme: Scheme,
        period: str,
        *,
        indicator: str | None = None,
        family: str | None = None,
    ) -> list[Value]:
        """Indicator values of every province of a scheme (the whole-country map)."""
        return self.get(
            "/indicators/provinces",
            scheme=scheme,
            period=period,
            indicator=indicator,
            family=family,
        )

    # -- unit, school and data-quality pages ----------------------------------------
    def all_schools(
        self, unit: str, scheme: Scheme, period: str, indicator: str
    ) -> list[dict[str, Any]]:
        """Every school of a unit with one indicator's value (all pages of the list)."""
        items: list[dict[str, Any]] = []
        page = 1
        while True:
            body = self.schools(unit, scheme, period, indicator=indicator, size=1000, page=page)
            items.extend(body["items"])
            if len(items) >= body["total"] or not body["items"]:
                return items
            page += 1

    def fields(self) -> dict[str, Any]:
        """The return's fields and their groups, with Vietnamese and English labels."""
        return self.get("/catalog/fields")

    # -- report schedules ------------------------------------------------------------
    def schedules(self) -> list[dict[str, Any]]:
        return self.get("/schedules")

    def create_schedule(self, spec: dict[str, Any]) -> dict[str, Any]:
        return self._request("POST", "/schedules", json=spec).json()

    def delete_schedule(self, schedule_id: int) -> None:
        self._request("DELETE", f"/schedules/{schedule_id}")

    def run_schedule(self, schedule_id: int) -> dict[str, Any]:
        return self._request("POST", f"/schedules/{schedule_id}/run").json()

    def schedule_runs(self, schedule_id: int, limit: int = 50) -> dict[str, Any]:
        """A schedule's runs, newest first: ``{"total", "limit", "offset", "items"}``."""
        return self.get(f"/schedules/{schedule_id}/runs", limit=limit)


def build_of(etag: str | None) -> str | None:
    """The build an answer was read from: its ETag is ``W/"BUILD-HASH"``."""
    build = (etag or "").removeprefix("W/").strip('"').rpartition("-")[0]
    return build or None


def problem_of(status: int, body: dict[str, Any]) -> ApiProblem:
    """A problem's body (an answer's, or a failed job's ``problem``) as an ApiProblem."""
    message = body.get("message") or {}
    return ApiProblem(
        status,
        str(body.get("code", "error")),
        str(message.get("vi") or body.get("detail") or body.get("title")),
        str(message.get("en") or body.get("detail") or body.get("title")),
        [e for e in body.get("errors") or [] if isinstance(e, dict)],
    )


def _problem(response: httpx.Response) -> ApiProblem:
    try:
        return problem_of(response.status_code, response.json())
    except ValueError:
        return ApiProblem(
            response.status_code,
            "error",
            f"Máy chủ trả lời lỗi {response.status_code}",
            f"The server answered {response.status_code}",
        )
