"""Errors as ``application/problem+json`` with a stable code and Vietnamese/English text."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from ioc.catalog.definitions import load_messages
from ioc.db import DataError, NoData, NotFound

PROBLEM = "application/problem+json"
#: the store cannot be reached: how long a client should wait before it asks again
RETRY_AFTER_SECONDS = 5
#: what SQLAlchemy raises when the store does not answer (refused, cut, timed out, busy)
STORE_AWAY = (OperationalError, DisconnectionError, PoolTimeout)
log = logging.getLogger("ioc.api")
STATUS_TEXT = {
    400: ("bad_request", "Yêu cầu không hợp lệ", "Bad request"),
    401: ("unauthenticated", "Cần đăng nhập", "Sign-in required"),
    403: ("forbidden", "Không có quyền truy cập", "Not allowed"),
    404: ("not_found", "Không tìm thấy", "Not found"),
    405: ("method_not_allowed", "Phương thức không được hỗ trợ", "Method not allowed"),
    409: ("conflict", "Xung đột với trạng thái hiện tại", "Conflict with the current state"),
    410: ("gone", "Không còn nữa", "Gone"),
    413: ("too_large", "Tệp quá lớn", "File too large"),
    415: ("unsupported_type", "Loại tệp không được hỗ trợ", "Unsupported file type"),
    422: ("invalid_parameter", "Tham số không hợp lệ", "Invalid parameter"),
    429: ("too_many_requests", "Quá nhiều yêu cầu", "Too many requests"),
    503: ("no_data", "Chưa có dữ liệu", "No data published yet"),
}


class Message(BaseModel):
    vi: str = Field(description="In Vietnamese")
    en: str = Field(description="In English")


class ParameterError(BaseModel):
    parameter: str = Field(description="The parameter or body field at fault")
    in_: str | None = Field(alias="in", description="query, path, body, header or cookie")
    reason: str


class Problem(BaseModel):
    """Every error answers as ``application/problem+json`` (RFC 9457) in this shape."""

    type: str = Field(description="about:blank#<code>")
    title: str
    status: int = Field(ge=400, le=599)
    code: str = Field(description="A stable machine-readable code, e.g. unit_out_of_scope")
    detail: str
    message: Message
    errors: list[ParameterError] | None = Field(
        default=None, description="For an invalid request: each parameter at fault and why"
    )


def _problem_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


#: The errors any route of the API may answer, documented once for every router.
PROBLEMS: dict[int | str, dict[str, Any]] = {
    status: _problem_response(description)
    for status, description in {
        400: "The body is not well-formed (JSON or multipart)",
        401: "Not signed in: no valid bearer token or session cookie",
        403: "The account's role or units do not allow this",
        404: "No such resource (unit, period, school, indicator, run, schedule, ...)",
        422: "A parameter or the body is invalid (`errors` says which and why)",
        429: "Too many requests; retry after the `Retry-After` seconds",
        503: "No data published yet, or the operational store cannot be reached for the "
        "moment (`store_unavailable`, with `Retry-After`)",
    }.items()
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """More documented errors for one route (e.g. 413 and 415 for an upload)."""
    return {
        status: _problem_response(STATUS_TEXT[status][2] if status in STATUS_TEXT else "Error")
        for status in statuses
    }


class ApiError(Exception):
    """A problem answer; ``headers`` go on the response (e.g. ``Retry-After``), ``extra``
    into the body."""

    def __init__(
        self,
        status: int,
        code: str,
        vi: str,
        en: str,
        *,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(en)
        self.status, self.code, self.vi, self.en, self.extra = status, code, vi, en, extra
        self.headers = headers


def problem_body(status: int, code: str, vi: str, en: str, **extra: Any) -> dict[str, Any]:
    """A problem's body (the shape of :class:`Problem`)."""
    return {
        "type": f"about:blank#{code}",
        "title": en,
        "status": status,
        "code": code,
        "detail": en,
        "message": {"vi": vi, "en": en},
        **extra,
    }


def problem(
    status: int,
    code: str,
    vi: str,
    en: str,
    *,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body = problem_body(status, code, vi, en, **extra)
    if status == 401:
        headers = {"WWW-Authenticate": "Bearer", **(headers or {})}
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return problem(exc.status, exc.code, exc.vi, exc.en, headers=exc.headers, **exc.extra)

    @app.exception_handler(DataError)
    async def _data_error(_: Request, exc: DataError) -> JSONResponse:
        if isinstance(exc, NoData):
            return problem(503, "no_data", "Chưa có dữ liệu được công bố", str(exc))
        if isinstance(exc, NotFound):
            return problem(404, "not_found", "Không tìm thấy", str(exc))
        return problem(422, exc.code, exc.vi or "Yêu cầu không hợp lệ", str(exc))

    for away in STORE_AWAY:
        app.add_exception_handler(away, _store_unavailable)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "parameter": ".".join(
                    str(p) for p in e["loc"] if p not in ("query", "path", "body")
                ),
                "in": e["loc"][0] if e["loc"] else None,
                "reason": e["msg"],
            }
            for e in exc.errors()
        ]
        names = ", ".join(e["parameter"] for e in errors)
        return problem(
            422,
            "invalid_parameter",
            f"Tham số không hợp lệ: {names}",
            f"Invalid parameter: {names}",
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code, vi, en = STATUS_TEXT.get(exc.status_code, ("error", "Lỗi", "Error"))
        detail = exc.detail if isinstance(exc.detail, str) else en
        return problem(exc.status_code, code, vi, detail, headers=exc.headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
        return problem(
            500,
            "internal_error",
            "Lỗi hệ thống, vui lòng thử lại",
            "Internal error; the incident was logged",
        )


async def _store_unavailable(request: Request, exc: Exception) -> JSONResponse:
    """The store is away (refused, cut, timed out): 503, and the next request tries again
    (the engine checks a pooled connection before it hands it out)."""
    log.warning(
        "the store cannot be reached on %s %s: %s",
        request.method,
        request.url.path,
        (str(exc).splitlines() or [""])[0],
    )
    text = load_messages().operations["store_unavailable"]
    return problem(
        503,
        "store_unavailable",
        text.vi,
        text.en,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )
