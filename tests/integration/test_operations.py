"""A real `ioc serve` with IOC_LOG_FORMAT=json: one JSON line per request (API and dashboard)
with its request id, user, route template and status; the health of the process."""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from ioc.config import Settings
from tests.conftest import serve

PASSWORD = "demo-2025!"


@pytest.fixture(scope="module")
def server(demo_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    yield from serve(demo_settings, tmp_path_factory.mktemp("ops"), {"IOC_LOG_FORMAT": "json"})


def json_lines(server: Any) -> list[dict[str, Any]]:
    """Every JSON line of the server's output (the console's own lines are not JSON)."""
    return [
        json.loads(line) for line in server.log.read_text().splitlines() if line.startswith("{")
    ]


def logged(server: Any, ids: list[str]) -> dict[str, dict[str, Any]]:
    """The request lines of these ids (each is written just after its answer is sent)."""
    deadline = time.monotonic() + 10
    while True:
        by_id = {line["request_id"]: line for line in json_lines(server) if "request_id" in line}
        if set(ids) <= set(by_id) or time.monotonic() > deadline:
            return by_id
        time.sleep(0.1)


def raw_get(server: Any, path: str, header: bytes) -> bytes:
    """A GET sent byte by byte (httpx will not send a hostile header)."""
    host, port = server.base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(
            b"GET " + path.encode() + b" HTTP/1.1\r\nHost: x\r\n" + header + b"\r\n"
            b"Connection: close\r\n\r\n"
        )
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return data


def test_one_json_line_per_request_with_id_user_and_route(server: Any) -> None:
    api = httpx.Client(base_url=server.base, timeout=30)
    answers = [api.get("/api/v1/health")]
    answers.append(
        api.post("/api/v1/auth/login", json={"username": "demo-analyst", "password": PASSWORD})
    )
    assert answers[-1].status_code == 200
    answers += [api.get("/api/v1/units/legacy/94") for _ in range(2)]  # the second one: kept
    answers.append(api.get("/api/v1/nothing-here"))
    answers.append(api.get("/login"))  # the dashboard
    ids = [r.headers["x-request-id"] for r in answers]
    assert len(set(ids)) == len(ids)
    by_id = logged(server, ids)
    assert set(ids) <= set(by_id)
    for r, request_id in zip(answers, ids, strict=True):
        line = by_id[request_id]
        assert line["status"] == r.status_code and line["path"] == r.request.url.path
        assert line["event"] == "request" and line["level"] == "INFO"
        assert line["instance"].endswith(line["instance"].split(":")[-1])
        assert isinstance(line["duration_ms"], int | float)
    health, login, unit, kept, nothing, page = (by_id[i] for i in ids)
    assert health["route"] == "/api/v1/health" and health["user"] is None
    assert login["route"] == "/api/v1/auth/login"
    for line in (unit, kept):
        assert line["route"] == "/api/v1/units/{scheme}/{code}"
        assert line["user"] == "demo-analyst" and line["build_id"]
    assert nothing["route"] == "/api/v1/nothing-here" and nothing["status"] == 404  # no route
    assert page["route"] == "/login" and page["user"] == "demo-analyst"
    assert sum(1 for line in json_lines(server) if line.get("request_id") in ids) == len(ids)


def test_other_records_are_json_lines_too(server: Any) -> None:
    lines = json_lines(server)
    assert any(line.get("logger", "").startswith("uvicorn") for line in lines)
    assert all({"ts", "level"} <= set(line) for line in lines)
    assert not any(line.startswith("INFO:") for line in server.log.read_text().splitlines())


def test_a_hostile_request_id_never_reaches_the_log(server: Any) -> None:
    # the test's client is on the loopback, a trusted proxy by default: an id in the allowed
    # form is kept, anything else is replaced
    kept = raw_get(server, "/api/v1/health", b"X-Request-Id: proxy-7.a_B")
    assert b"\r\nx-request-id: proxy-7.a_B\r\n" in kept
    long_id = b"A" * 10_000
    hostile = [long_id, b'x","user":"admin', b"evil\x0bline"]
    for value in hostile:
        answer = raw_get(server, "/api/v1/health", b"X-Request-Id: " + value)
        # a control character is refused by the HTTP parser itself, before the application
        assert answer.startswith(b"HTTP/1.1 200") or (
            b"\x0b" in value and answer.startswith(b"HTTP/1.1 400")
        ), answer[:100]
        assert value not in answer
    text = server.log.read_text()
    assert "A" * 100 not in text and '"user":"admin' not in text and "\x0b" not in text


def test_health_says_the_process_its_build_and_lag(server: Any) -> None:
    health = httpx.get(f"{server.base}/api/v1/health", timeout=10).json()
    assert health["status"] == "ok" and health["pid"] == server.pid
    assert health["instance"].split(":")[1] == str(server.pid)
    assert health["published_build_id"] == health["build_id"] and health["lag_seconds"] == 0
    assert os.getpid() != health["pid"]
