"""Request dependencies: settings, a snapshot cursor, the signed-in principal."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated

import duckdb
from fastapi import Depends, Request

from ioc.api.errors import ApiError
from ioc.api.principal import Principal
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
    middleware for a GET); 401 otherwise."""
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
            raise ApiError(
                403,
                "role_forbidden",
                "Vai trò của tài khoản không được làm việc này",
                f"The {who.role} role may not do this",
            )
        return who

    return check


SettingsDep = Annotated[Settings, Depends(get_settings)]
CursorDep = Annotated[duckdb.DuckDBPyConnection, Depends(get_cursor)]
PrincipalDep = Annotated[Principal, Depends(get_principal)]
SnapshotDep = Annotated[Snapshot, Depends(get_snapshot)]
