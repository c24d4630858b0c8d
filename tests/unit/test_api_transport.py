"""The dashboard's in-process calls (:class:`dashboards.api_transport.InProcess`): a real
uvicorn server in a thread serves a small ASGI application; the same requests made over the
loopback and in-process get the same answers, from threads other than the event loop's."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from dashboards.api_transport import LOCAL_URL, InProcess
from tests.conftest import free_port


async def echo(request: Request) -> Response:
    body = await request.body()
    return JSONResponse(
        {
            "method": request.method,
            "path": request.url.path,
            "query": dict(request.query_params),
            "client": request.client.host if request.client else None,
            "cookie": request.cookies.get("ioc_session"),
            "encoding": request.headers.get("accept-encoding"),
            "body": body.decode("utf-8"),
            "thread": threading.current_thread().name,
        },
        headers={"X-Answer": "yes"},
    )


async def slow(request: Request) -> Response:
    await asyncio.sleep(1.0)
    return Response("late")


async def boom(request: Request) -> Response:
    raise RuntimeError("a bug in a route")


APP = Starlette(
    routes=[
        Route("/echo", echo, methods=["GET", "POST"]),
        Route("/slow", slow),
        Route("/boom", boom),
    ]
)


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[str, InProcess]]:
    transport = InProcess(timeout=0.3)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(transport.serve(APP), host="127.0.0.1", port=port, log_level="error")
    )
    thread = threading.Thread(target=server.run, name="event-loop", daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    httpx.get(f"{base}/echo")  # the first request over the socket: the loop is known
    yield base, transport
    server.should_exit = True
    thread.join(timeout=10)


def test_before_the_server_answers_a_call_is_a_connect_error() -> None:
    client = httpx.Client(base_url=LOCAL_URL, transport=InProcess())
    with pytest.raises(httpx.ConnectError):
        client.get("/echo")


def test_the_same_answers_as_over_the_loopback(served: tuple[str, InProcess]) -> None:
    base, transport = served
    session = {"Cookie": "ioc_session=s1"}
    local = httpx.Client(base_url=LOCAL_URL, transport=transport, headers=session)
    remote = httpx.Client(base_url=base, headers=session)
    for method, params, content in (("GET", {"a": "1", "b": "ư"}, None), ("POST", {}, "é" * 5000)):
        answers = [
            client.request(method, "/echo", params=params, content=content)
            for client in (local, remote)
        ]
        near, far = (a.json() for a in answers)
        assert answers[0].status_code == answers[1].status_code == 200
        assert answers[0].headers["x-answer"] == "yes"
        assert near["encoding"] is None  # nothing compressed for an answer that goes nowhere
        for key in ("method", "path", "query", "client", "cookie", "body"):
            assert near[key] == far[key], key
        assert near["client"] == "127.0.0.1" and near["cookie"] == "s1"
        assert near["thread"] == far["thread"] == "event-loop"  # answered on the loop


def test_a_route_that_fails_answers_500_and_the_next_call_works(
    served: tuple[str, InProcess],
) -> None:
    _, transport = served
    client = httpx.Client(base_url=LOCAL_URL, transport=transport)
    assert client.get("/boom").status_code == 500
    assert client.get("/echo").status_code == 200


def test_a_late_answer_is_a_timeout_and_frees_the_caller(served: tuple[str, InProcess]) -> None:
    _, transport = served
    client = httpx.Client(base_url=LOCAL_URL, transport=transport)
    started = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):
        client.get("/slow")
    assert time.monotonic() - started < 0.9
    assert client.get("/echo").status_code == 200


def test_many_threads_at_once(served: tuple[str, InProcess]) -> None:
    _, transport = served
    client = httpx.Client(base_url=LOCAL_URL, transport=transport)

    def one(n: int) -> Any:
        return client.get("/echo", params={"n": str(n)}).json()["query"]["n"]

    with ThreadPoolExecutor(16) as pool:
        assert sorted(pool.map(one, range(200)), key=int) == [str(n) for n in range(200)]
