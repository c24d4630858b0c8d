"""Local time and counts on screen (issue 15 items 4 and 5), on a server whose own time
zone is UTC: the dashboard and the wall show the build's time in Việt Nam time, the same
on both, and no count of schools, people or classes shows a decimal on the overview or
the wall."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from ioc.config import Settings
from tests.conftest import serve
from tests.e2e.conftest import DESKTOP, Console, screenshot, session_cookie

VN = ZoneInfo("Asia/Ho_Chi_Minh")
TOKEN = "ioc_demo-display-soc-trang-94"
COUNTS = ("NET_SCHOOLS", "NET_CLASSES", "NET_STUDENTS", "STF_TEACHER_SHORTFALL")


@pytest.fixture(scope="module")
def utc_server(demo_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    yield from serve(demo_settings, tmp_path_factory.mktemp("utc"), {"TZ": "UTC"})


@pytest.fixture
def opened(browser: Any, console: Console) -> Iterator[Any]:
    contexts: list[Any] = []

    def opener(base: str, path: str, username: str | None = None) -> Any:
        context = browser.new_context(viewport=DESKTOP)
        contexts.append(context)
        if username:
            cookie = {"name": "ioc_session", "value": session_cookie(base, username), "url": base}
            context.add_cookies([cookie])
        page = context.new_page()
        page.set_default_timeout(30_000)
        console.watch(page)
        page.goto(base + path)
        return page

    yield opener
    for context in contexts:
        context.close()
    assert not console.errors, console.errors


def _vietnam_as_of(base: str) -> str:
    health = httpx.get(f"{base}/api/v1/health").json()
    assert health["display_timezone"] == "Asia/Ho_Chi_Minh"
    built = datetime.fromisoformat(health["data_as_of"])
    return built.astimezone(VN).strftime("%H:%M %d/%m/%Y")


def test_dashboard_and_wall_show_the_build_in_vietnam_time(utc_server: Any, opened: Any) -> None:
    expected = _vietnam_as_of(utc_server.base)
    page = opened(utc_server.base, "/", "demo-leader")
    page.wait_for_selector("#overview-tiles")
    assert page.inner_text("#data-as-of").endswith(expected)
    wall = opened(utc_server.base, f"/wall?token={TOKEN}&dim=0&panels=kpis&dwell=600")
    wall.wait_for_selector("#wall-kpi-NET_STUDENTS")
    assert wall.inner_text("#wall-asof-time") == expected
    screenshot(wall, "wall-vietnam-time")


def test_no_count_shows_a_decimal(utc_server: Any, opened: Any) -> None:
    page = opened(utc_server.base, "/", "demo-leader")
    page.wait_for_selector("#overview-tiles")
    seen = 0
    for indicator in COUNTS:
        tile = page.locator(f"#tile-{indicator}")
        if not tile.count():
            continue
        seen += 1
        value = tile.locator(".tile-value").inner_text()
        change = tile.locator(".tile-foot").inner_text()
        assert "," not in value and "," not in change.split("·")[0], (indicator, value, change)
    assert seen >= 3
    screenshot(page, "overview-counts")
    wall = opened(utc_server.base, f"/wall?token={TOKEN}&dim=0&panels=kpis&dwell=600")
    wall.wait_for_selector("#wall-kpi-NET_STUDENTS")
    for indicator in COUNTS:
        kpi = wall.locator(f"#wall-kpi-{indicator}")
        if kpi.count():
            figure = kpi.locator(".wall-kpi-figure").inner_text()
            foot = kpi.locator(".wall-kpi-foot").inner_text()
            assert "," not in figure and "," not in foot, (indicator, figure, foot)
