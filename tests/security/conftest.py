"""The security suite: the real server on loopback, probed as a hostile but signed-in user
(or an anonymous one) would. Each test names the finding of issue 13 it covers."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import httpx
import pytest

PASSWORD = "demo-2025!"
T = TypeVar("T")


def signed_in(base: str, username: str, password: str = PASSWORD) -> httpx.Client:
    """An httpx client with the session cookie of ``username`` (who must exist)."""
    client = httpx.Client(base_url=base, timeout=60)
    answer = client.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert answer.status_code == 200, answer.text
    return client


@pytest.fixture
def as_user(api_server: Any) -> Iterator[Any]:
    """``as_user(name)``: a signed-in client on the shared demo server, closed afterwards."""
    clients: list[httpx.Client] = []

    def make(username: str, password: str = PASSWORD) -> httpx.Client:
        client = signed_in(api_server.base, username, password)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def run_async(awaitable: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` in a thread of its own: a Playwright session (the browser tests'
    ``browser`` fixture lives for the whole test session) keeps an event loop running in
    the main thread, where ``asyncio.run`` refuses to start."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, awaitable).result()
