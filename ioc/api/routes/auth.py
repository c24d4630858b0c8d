"""Sign in and out (session cookie for the dashboard), who am I, and the audit log."""

from __future__ import annotations

from typing import Annotated, Any

import duckdb
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from ioc import db
from ioc.api.auth import SESSION_COOKIE, HashingBusy
from ioc.api.cache import Getter, uncached
from ioc.api.deps import PrincipalDep, SettingsDep, client_ip, require
from ioc.api.errors import ApiError, problem
from ioc.api.params import MAX_ID
from ioc.api.principal import Principal
from ioc.api.snapshot import Snapshot
from ioc.config import Settings
from ioc.store import Throttled

router = APIRouter(tags=["auth"])


class Login(BaseModel):
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=200)


def _me(who: Principal, home: dict[str, str] | None = None) -> dict[str, Any]:
    """The account; ``home`` is the unit its dashboard opens on."""
    return {
        "username": who.username,
        "role": who.role,
        "units": [{"scheme": s, "code": c} for s, c in who.scopes],
        "home": home,
    }


def _home(
    cur: duckdb.DuckDBPyConnection, settings: Settings, who: Principal, get: Getter
) -> dict[str, str]:
    """The first unit in scope; for unscoped roles the configured home, else the
    province with the most schools (looked up once per build, through ``get``)."""
    if who.scopes:
        scheme, code = who.scopes[0]
        return {"scheme": scheme, "code": code}
    if settings.home_unit:
        scheme, _, code = settings.home_unit.partition(":")
        return {"scheme": scheme, "code": code}
    code = get(
        ("home-province",),
        lambda: db.scalar(cur, db.sql("queries/home_province", settings.sql_dir)),
    )
    return {"scheme": "legacy", "code": str(code)} if code else {}


def _home_in(request: Request, settings: Settings, who: Principal) -> dict[str, str] | None:
    """The account's home unit; None on an installation without data yet (signing in, the
    ingest page and the first upload work before any data is published)."""
    snapshot: Snapshot = request.app.state.snapshot
    try:
        with snapshot.cursor() as (build, cur):
            get = request.app.state.cache.getter(build.build_id) if build else uncached
            return _home(cur, settings, who, get)
    except db.NoData:
        return None


@router.post(
    "/auth/login",
    summary="Sign in; sets the session cookie",
    description="401: wrong username or password; 429 (with Retry-After): too many failed "
    "logins from this address or for this account; 503 (with Retry-After): every password "
    "hashing slot is busy.",
)
async def login(body: Login, request: Request, settings: SettingsDep) -> JSONResponse:
    """Sign in. The snapshot is opened only after the password check, so that logins
    waiting for a hashing slot hold no cursor."""
    auth = request.app.state.auth
    try:
        result = await auth.login(body.username, body.password, client_ip(request))
    except Throttled as exc:
        return _wait(
            429,
            "login_throttled",
            f"Quá nhiều lần đăng nhập sai; thử lại sau {exc.retry_after} giây",
            f"Too many failed logins ({exc.kind}); try again in {exc.retry_after} s",
            exc.retry_after,
        )
    except HashingBusy as exc:
        return _wait(
            503,
            "login_busy",
            "Máy chủ đang xử lý nhiều lần đăng nhập; vui lòng thử lại",
            "The server is checking many logins at once; try again shortly",
            exc.retry_after,
        )
    if result is None:
        raise ApiError(
            401,
            "bad_credentials",
            "Sai tên đăng nhập hoặc mật khẩu",
            "Wrong username or password",
        )
    who, secret = result
    home = await run_in_threadpool(_home_in, request, settings, who)
    response = JSONResponse(_me(who, home))
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        max_age=auth.session_seconds,
        path="/",
    )
    return response


def _wait(status: int, code: str, vi: str, en: str, seconds: int) -> JSONResponse:
    return problem(status, code, vi, en, headers={"Retry-After": str(seconds)}, retry_after=seconds)


@router.post("/auth/logout", summary="Sign out (ends the session)", status_code=204)
def logout(request: Request, who: PrincipalDep) -> Response:
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        request.app.state.auth.logout(secret, who.username, client_ip(request))
    response = Response(status_code=204)
    secure = request.url.scheme == "https"
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=secure)
    return response


@router.get("/auth/me", summary="The signed-in account (home null before any data)")
def me(request: Request, who: PrincipalDep, settings: SettingsDep) -> dict[str, Any]:
    return _me(who, _home_in(request, settings, who))


@router.get("/audit", summary="Audit log (admins)")
def audit_log(
    request: Request,
    who: Annotated[Principal, Depends(require("admin"))],
    action: Annotated[str | None, Query(pattern=r"^[a-z_]+$", max_length=64)] = None,
    username: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> dict[str, Any]:
    del who
    return request.app.state.auth.audit_page(action, username, limit, offset)
