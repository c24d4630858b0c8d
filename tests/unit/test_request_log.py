"""The request-id and request-log layer (ioc.api.request_log) over a small Starlette app,
driven over ASGI from a chosen peer address: which incoming ids are kept, that the proxy
headers are still believed from trusted proxies only, and that the JSON line of a request
is one line whatever the client sent."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ioc import logs
from ioc.api.principal import Principal
from ioc.api.request_log import RequestLog
from ioc.config import Settings
from tests.fixtures import run_coroutine

GENERATED = re.compile(r"[0-9a-f]{32}")
ALICE = Principal("alice", "analyst", ("94",), "session")


async def echo(request: Request) -> JSONResponse:
    request.state.principal = ALICE if "who" in request.query_params else None
    return JSONResponse({"client": request.client.host if request.client else None})


def remembered(authorization: str, cookie: str) -> Principal | None:
    return ALICE if "ioc_session=alice" in cookie else None


def call(
    peer: str, path: str = "/items/7", headers: dict[str, str] | None = None
) -> httpx.Response:
    settings = Settings(log_format="json", trusted_proxies=["127.0.0.1"])
    app = RequestLog(Starlette(routes=[Route("/items/{item}", echo)]), settings, remembered)
    transport = httpx.ASGITransport(app=app, client=(peer, 40000))

    async def go() -> httpx.Response:
        async with httpx.AsyncClient(transport=transport, base_url="http://ioc") as client:
            return await client.get(path, headers=headers)

    return run_coroutine(go())


def lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    formatter = logs.JsonLines()
    out = []
    for record in caplog.records:
        if record.name == "ioc.request":
            text = formatter.format(record)
            assert "\n" not in text and "\r" not in text
            out.append(json.loads(text))
    return out


@pytest.fixture(autouse=True)
def capture(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="ioc.request")


def test_every_answer_has_a_new_id_and_one_json_line(caplog: pytest.LogCaptureFixture) -> None:
    ids = [call("10.0.0.9", "/items/7?who=1").headers["x-request-id"] for _ in range(3)]
    assert all(GENERATED.fullmatch(i) for i in ids) and len(set(ids)) == 3
    got = lines(caplog)
    assert [g["request_id"] for g in got] == ids
    line = got[0]
    assert line["event"] == "request" and line["level"] == "INFO"
    assert line["route"] == "/items/{item}" and line["path"] == "/items/7"
    assert line["method"] == "GET" and line["status"] == 200 and line["user"] == "alice"
    assert line["duration_ms"] >= 0 and line["ts"].endswith("Z")
    assert set(line) >= {"instance", "build_id"}


def test_an_id_from_an_untrusted_client_is_replaced(caplog: pytest.LogCaptureFixture) -> None:
    r = call("10.0.0.9", headers={"X-Request-Id": "forged-1"})
    assert GENERATED.fullmatch(r.headers["x-request-id"])
    assert lines(caplog)[0]["request_id"] == r.headers["x-request-id"]


def test_a_trusted_proxy_id_is_kept_in_the_allowed_form_only(
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert call("127.0.0.1", headers={"X-Request-Id": "lb.7-a_B"}).headers["x-request-id"] == (
        "lb.7-a_B"
    )
    hostile = [
        "a" * 10_000,
        'x", "user": "admin',
        "a\tb",
        "\x1b[31mred",
        "",
    ]
    for value in hostile:
        r = call("127.0.0.1", headers={"X-Request-Id": value})
        assert GENERATED.fullmatch(r.headers["x-request-id"]), value
    written = "\n".join(json.dumps(g) for g in lines(caplog))
    assert "a" * 100 not in written and "admin" not in written and "\x1b" not in written


def test_forwarded_for_is_believed_from_trusted_proxies_only() -> None:
    forwarded = {"X-Forwarded-For": "203.0.113.5"}
    assert call("127.0.0.1", headers=forwarded).json()["client"] == "203.0.113.5"
    assert call("10.0.0.9", headers=forwarded).json()["client"] == "10.0.0.9"


def test_the_user_of_a_dashboard_request_comes_from_remembered_credentials(
    caplog: pytest.LogCaptureFixture,
) -> None:
    call("10.0.0.9", headers={"Cookie": "ioc_session=alice"})
    call("10.0.0.9")
    assert [g["user"] for g in lines(caplog)] == ["alice", None]
