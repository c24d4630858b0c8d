"""Issue 13, item 3: login cannot be used against others. An anonymous client's wrong
passwords make that client wait (429 + Retry-After), never lock the owner out; concurrent
logins hash at most IOC_LOGIN_HASH_CONCURRENCY passwords at once; a burst is audited once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import psutil
import pytest

from ioc.config import Settings
from tests.conftest import serve
from tests.security.conftest import PASSWORD, signed_in

LOGIN = "/api/v1/auth/login"
HASH_CONCURRENCY = 2
ARGON2_BYTES = 64 << 20  # one RFC 9106 low-memory hash


@pytest.fixture(scope="module")
def server(demo_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Its own server (these tests make addresses wait); the loopback is a trusted proxy
    (the default), so a test client stands for a browser by its X-Forwarded-For."""
    env = {"IOC_LOGIN_HASH_CONCURRENCY": str(HASH_CONCURRENCY)}
    yield from serve(demo_settings, tmp_path_factory.mktemp("login"), env)


def attempt(base: str, username: str, password: str, address: str) -> httpx.Response:
    return httpx.post(
        f"{base}{LOGIN}",
        json={"username": username, "password": password},
        headers={"X-Forwarded-For": address},
        timeout=120,
    )


def audit(base: str, **params: str) -> list[dict[str, Any]]:
    admin = signed_in(base, "demo-admin")
    try:
        answer = admin.get("/api/v1/audit", params={**params, "limit": "1000"})
    finally:
        admin.close()
    assert answer.status_code == 200, answer.text
    return list(answer.json()["items"])


def test_an_attacker_waits_and_the_owner_still_signs_in(server: Any) -> None:
    statuses = [
        attempt(server.base, "demo-admin", f"guess {i}", "203.0.113.66").status_code
        for i in range(50)
    ]
    assert statuses[:5] == [401] * 5
    assert set(statuses[5:]) == {429}
    refused = attempt(server.base, "demo-admin", PASSWORD, "203.0.113.66")
    assert refused.status_code == 429  # even the right password waits from that address
    assert int(refused.headers["Retry-After"]) > 0
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["code"] == "login_throttled"
    # the owner, elsewhere, is not locked out
    owner = attempt(server.base, "demo-admin", PASSWORD, "198.51.100.7")
    assert owner.status_code == 200, owner.text
    # the burst is one counted event, not a row per attempt
    throttled = [
        e
        for e in audit(server.base, action="login_throttled", username="demo-admin")
        if e["ip"] == "203.0.113.66"
    ]
    assert len(throttled) == 1
    assert throttled[0]["detail"]["refused"] == 46
    failed = audit(server.base, action="login_failed", username="demo-admin")
    assert len([e for e in failed if e["ip"] == "203.0.113.66"]) == 5


def test_concurrent_logins_hash_a_bounded_number_of_passwords(server: Any) -> None:
    """40 logins at once, each from its own address (so no throttle refuses them): the
    server's memory grows by at most the hashes it may compute at once, plus slack."""
    process = psutil.Process(server.pid)
    before = process.memory_info().rss
    peak = before
    done = threading.Event()

    def watch() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, process.memory_info().rss)
            done.wait(0.02)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        with ThreadPoolExecutor(40) as pool:
            answers = list(
                pool.map(
                    lambda i: attempt(server.base, "demo-leader", f"wrong {i}", f"10.9.0.{i}"),
                    range(40),
                )
            )
    finally:
        done.set()
        watcher.join()
    statuses = {a.status_code for a in answers}
    assert statuses <= {401, 503}, statuses
    for busy in (a for a in answers if a.status_code == 503):
        assert int(busy.headers["Retry-After"]) > 0
    ceiling = (HASH_CONCURRENCY + 1) * ARGON2_BYTES
    assert peak - before <= ceiling, f"grew {(peak - before) >> 20} MiB"
    leader = signed_in(server.base, "demo-leader")
    assert leader.get("/api/v1/auth/me").status_code == 200
    leader.close()


def test_an_address_spraying_accounts_waits(server: Any) -> None:
    """One address trying many accounts (existing or not) is throttled as an address."""
    statuses = [
        attempt(server.base, f"someone-{i}", "guess", "192.0.2.99").status_code for i in range(40)
    ]
    allowance = Settings().login_address_failures
    assert statuses[:allowance] == [401] * allowance
    assert set(statuses[allowance:]) == {429}
    assert attempt(server.base, "demo-analyst", PASSWORD, "192.0.2.100").status_code == 200
