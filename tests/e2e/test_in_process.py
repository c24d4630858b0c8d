"""Pages with two workers, each worker's dashboard calling its own worker's API in-process
(``dashboards.api_transport``; tests/unit/test_api_transport.py checks the transport
itself): the pages load without a console error, every API request their callbacks make is
logged (JSON request log) with the signed-in user, by a process that renders pages."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from ioc.config import Settings
from tests.conftest import serve
from tests.e2e.conftest import Console, open_page

CALLBACK = "/_dash-update-component"
# asked by the browser itself, not by the dashboard's callbacks
FROM_BROWSER = ("/api/v1/auth/login", "/api/v1/health", "/api/v1/boundaries")
PAGES = ("/", "/unit?unit=94&scheme=legacy", "/unit?unit=945&scheme=legacy", "/quality", "/map")


@pytest.fixture(scope="module")
def two_workers(demo_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    env = {"IOC_WORKERS": "2", "IOC_LOG_FORMAT": "json"}
    yield from serve(demo_settings, tmp_path_factory.mktemp("two-workers"), env)


def lines(server: Any) -> list[dict[str, Any]]:
    text = server.log.read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_a_pages_api_calls_are_answered_by_its_own_worker(
    browser: Any, console: Console, two_workers: Any
) -> None:
    contexts: list[Any] = []
    try:
        for path in PAGES * 2:
            page = open_page(browser, console, contexts, two_workers.base, "demo-leader", path)
            page.wait_for_load_state("networkidle")
    finally:
        for context in contexts:
            context.close()
    assert not console.errors, console.errors
    time.sleep(1)  # each line is written just after its answer
    logged = [line for line in lines(two_workers) if "route" in line]
    rendering = {line["instance"] for line in logged if line["route"] == CALLBACK}
    called = [
        line
        for line in logged
        if line["route"].startswith("/api/v1/") and line["route"] not in FROM_BROWSER
    ]
    assert rendering and len(called) >= 3 * len(PAGES)
    assert {line["instance"] for line in called} <= rendering
    assert all(line["user"] == "demo-leader" for line in called)
    # two workers answer on the port: the check above was not decided by one worker alone
    for _ in range(100):
        httpx.get(f"{two_workers.base}/api/v1/health", timeout=10)  # a connection each
    time.sleep(1)
    health = {
        line["instance"] for line in lines(two_workers) if line.get("route") == FROM_BROWSER[1]
    }
    assert len(health) == 2
