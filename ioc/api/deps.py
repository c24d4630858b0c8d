"""Request dependencies: settings, a snapshot cursor, the signed-in principal."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated

import duckdb
from fastapi import Depends, Request
from sqlalchemy.orm import Session

from ioc.api.errors import ApiError
from ioc.api.principal import SYNC_ONLY, SYNC_READERS, Principal
from ioc.api.snapshot import Snapshot
from ioc.config import Settings


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_snapshot(request: Request) -> Snapshot:
    return request.app.state.snapshot


async def get_cursor(
    request: Request, snapshot: Annotated[Snapshot, Depends(get_snapshot)]
) -> AsyncIterator[duckdb.DuckDBPyConnection]:
    """A cursor on the newest build; the request's cached answers are those of that build."""
    with snapshot.cursor() as (build, cur):
        request.state.build = build
        yield cur


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def get_principal(request: Request) -> Principal:
    """The account behind a bearer token or a session cookie (resolved already by the
    middleware for a GET); 401 otherwise. A sync account is refused (403) here: it reads
    /sync/* (:func:`get_sync_reader`) and nothing else."""
    who = await _signed_in(request)
    if who.role in SYNC_ONLY:
        raise ApiError(
            403,
            "sync_only",
            "Tài khoản đồng bộ chỉ được đọc dữ liệu đồng bộ (/sync)",
            "A sync account may read the sync endpoints (/sync) only",
        )
    return who


async def get_sync_reader(request: Request) -> Principal:
    """The caller of a /sync/* route: a sync account, an admin or a leader (403 otherwise)."""
    who = await _signed_in(request)
    if who.role not in SYNC_READERS:
        raise _forbidden(who)
    return who


async def _signed_in(request: Request) -> Principal:
    who: Principal | None = getattr(request.state, "principal", None)
    if who is None:
        headers = request.headers
        who = await request.app.state.auth.principal(
            headers.get("authorization", ""), headers.get("cookie", "")
        )
    if who is None:
        raise ApiError(401, "unauthenticated", "Cần đăng nhập", "Sign in or send a bearer token")
    request.state.principal = who
    return who


def require(*roles: str) -> Callable[[Principal], Awaitable[Principal]]:
    async def check(who: Annotated[Principal, Depends(get_principal)]) -> Principal:
        if who.role not in roles:
            raise _forbidden(who)
        return who

    return check


def _forbidden(who: Principal) -> ApiError:
    return ApiError(
        403,
        "role_forbidden",
        "Vai trò của tài khoản không được làm việc này",
        f"The {who.role} role may not do this",
    )


SettingsDep = Annotated[Settings, Depends(get_settings)]
CursorDep = Annotated[duckdb.DuckDBPyConnection, Depends(get_cursor)]
PrincipalDep = Annotated[Principal, Depends(get_principal)]
SyncReaderDep = Annotated[Principal, Depends(get_sync_reader)]
SnapshotDep = Annotated[Snapshot, Depends(get_snapshot)]


def store_session(request: Request) -> Session:
    """A session of the operational store for one request (the job runner's factory: one
    engine per server process); use it as a context manager."""
    session: Session = request.app.state.jobs.session()
    return session
