"""The operational store (PostgreSQL) cut off from a real `ioc serve` and given back: the
server answers 503 store_unavailable quickly while it is away (sign-in, a read of the store,
health), never 500, and serves again by itself when it is back, without a restart.

The store is reached through a small TCP proxy the test runs: cutting it closes every
connection and refuses new ones, as a PostgreSQL that went down does."""

from __future__ import annotations

import os
import re
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import suppress
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from ioc.config import Settings
from tests.conftest import serve

POSTGRES_URL = os.environ.get("IOC_TEST_POSTGRES_URL")
pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="IOC_TEST_POSTGRES_URL is not set")


class CuttableProxy:
    """TCP on a free loopback port to ``target``, cut and restored at will."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.open = threading.Event()
        self.open.set()
        self.sockets: set[socket.socket] = set()
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # closed
            if not self.open.is_set():
                client.close()  # refused while cut
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self.lock:
                self.sockets |= {client, upstream}
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        with suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        for s in (source, sink):
            with suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        self.open.clear()
        with self.lock:
            for s in self.sockets:
                with suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()
            self.sockets.clear()

    def restore(self) -> None:
        self.open.set()

    def close(self) -> None:
        self.cut()
        self.listener.close()


@pytest.fixture(scope="module")
def store_behind_proxy(
    demo_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Any, CuttableProxy]]:
    assert POSTGRES_URL
    real = make_url(POSTGRES_URL)
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    proxy = CuttableProxy((real.host or "127.0.0.1", real.port or 5432))
    url = real.set(host="127.0.0.1", port=proxy.port).update_query_dict(
        {"options": f"-csearch_path={schema}"}
    )
    env = {"IOC_DATABASE_URL": url.render_as_string(hide_password=False)}
    try:
        for server in serve(demo_settings, tmp_path_factory.mktemp("store-away"), env):
            yield server, proxy
    finally:
        proxy.close()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def admin_password(server: Any) -> str:
    found = re.search(r"created with password\s+(\S+)", server.log.read_text())
    assert found, server.log.read_text()
    return found[1]


def store_calls(base: str, password: str, cookie: str) -> dict[str, httpx.Response]:
    """Sign-in, a read of the store with a session, health: each timed out at 8 s."""
    api = f"{base}/api/v1"
    return {
        "login": httpx.post(
            f"{api}/auth/login", json={"username": "admin", "password": password}, timeout=8
        ),
        "jobs": httpx.get(f"{api}/jobs", cookies={"ioc_session": cookie}, timeout=8),
        "health": httpx.get(f"{api}/health", timeout=8),
    }


@pytest.mark.parametrize("seconds", [3, pytest.param(30, marks=pytest.mark.slow)])
def test_the_store_away_gives_503_and_the_server_recovers_by_itself(
    store_behind_proxy: tuple[Any, CuttableProxy], seconds: float
) -> None:
    server, proxy = store_behind_proxy
    password = admin_password(server)
    login = httpx.post(
        f"{server.base}/api/v1/auth/login",
        json={"username": "admin", "password": password},
        timeout=30,
    )
    assert login.status_code == 200, login.text
    cookie = login.cookies["ioc_session"]
    assert all(r.status_code == 200 for r in store_calls(server.base, password, cookie).values())

    proxy.cut()
    time.sleep(2.1)  # health's answer about the store is kept for 2 s
    away_until = time.monotonic() + seconds
    while True:
        started = time.monotonic()
        answers = store_calls(server.base, password, cookie)
        assert time.monotonic() - started < 15  # three calls, none hanging
        for name, r in answers.items():
            assert r.status_code == 503, (name, r.status_code, r.text)
            assert r.headers["retry-after"] == "5"
            assert r.headers["x-request-id"]
        for name in ("login", "jobs"):
            problem = answers[name].json()
            assert problem["code"] == "store_unavailable"
            assert problem["message"]["vi"] and problem["message"]["en"]
            assert answers[name].headers["content-type"] == "application/problem+json"
        assert answers["health"].json()["status"] == "store_unavailable"
        # what the published build holds is still read (the session is known to this process)
        units = httpx.get(
            f"{server.base}/api/v1/periods", cookies={"ioc_session": cookie}, timeout=8
        )
        assert units.status_code in (200, 503), units.text
        if time.monotonic() >= away_until:
            break
        time.sleep(1)

    proxy.restore()
    deadline = time.monotonic() + 15
    while True:
        answers = store_calls(server.base, password, cookie)
        if all(r.status_code == 200 for r in answers.values()):
            break
        assert time.monotonic() < deadline, {k: r.status_code for k, r in answers.items()}
        time.sleep(0.5)
    assert answers["health"].json()["status"] == "ok"
    assert "unexpected error" not in server.log.read_text()  # no 500 at any time
