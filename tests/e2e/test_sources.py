"""Pulled sources in the dashboard (issue 16): an admin declares a source through the form
(a bad cron is explained by its field), sees it listed and starts a dry run that ends with a
readable message; a leader reads without form or buttons; a source that fails (it points at
a closed loopback port) is on the quality page. One server for the module, whose sources
count as failing after one failed pull."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from ioc.config import Settings
from tests.conftest import free_port, serve, wait_for_job
from tests.e2e.conftest import DESKTOP, PHONE, Console, pages_on, screenshot, session_cookie
from tests.e2e.helpers import grid_cells

VIEW = "?unit=94&scheme=legacy&period=2024-2025/CN"
MAPPING = {
    "resources": {
        "returns": {
            "path": "/v1/returns",
            "records": "data",
            "fields": {"school_code": "ma_truong", "school_year": "nam_hoc", "term": "ky"},
        }
    }
}


@pytest.fixture(scope="module")
def server(demo_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    env = {"IOC_SOURCES_FAILING_AFTER": "1"}
    yield from serve(demo_settings, tmp_path_factory.mktemp("sources"), env)


@pytest.fixture(scope="module")
def closed_url() -> str:
    """A loopback address nothing listens on: every pull of it fails."""
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture
def opened(browser: Any, console: Console, server: Any) -> Iterator[Any]:
    yield from pages_on(browser, console, server.base, DESKTOP)


def _admin(server: Any) -> httpx.Client:
    cookies = {"ioc_session": session_cookie(server.base, "demo-admin")}
    return httpx.Client(base_url=server.base, cookies=cookies, timeout=60)


@pytest.fixture(scope="module")
def failing(server: Any, closed_url: str) -> str:
    """A source declared through the API whose one pull failed."""
    with _admin(server) as client:
        spec = {"name": "vendor-b", "kind": "http-json", "base_url": closed_url,
                "units": [{"scheme": "legacy", "code": "94"}], "cron": None,
                "mapping": MAPPING}  # fmt: skip
        assert client.post("/api/v1/sources", json=spec).status_code == 201
        started = client.post("/api/v1/sources/vendor-b/pull")
        assert started.status_code == 202, started.text
        job = wait_for_job(client, server.base + started.headers["Location"], timeout=120)
        assert job["status"] == "failed", job
    return "vendor-b"


def test_an_admin_declares_a_source_and_tries_a_dry_run(
    server: Any, opened: Any, closed_url: str, failing: str
) -> None:
    page = opened("demo-admin", f"/sources{VIEW}", {"width": 1440, "height": 900})
    page.wait_for_selector("#sources-grid .ag-row[row-id='vendor-b']")
    page.fill("#source-name", "vendor-a")
    page.fill("#source-base-url", closed_url)
    page.fill("#source-secret", "vendor-a")
    page.fill("#source-units", "94")
    page.fill("#source-cron", "every monday")
    page.fill("#source-mapping", json.dumps(MAPPING, indent=2))
    page.click("#source-save")
    by_field = page.wait_for_selector("#source-error-cron:not(:empty)")
    assert "every monday" in by_field.inner_text()  # the API's reason, by the cron field
    assert page.locator("#source-saved .state-error").count() == 1
    page.fill("#source-cron", "0 2 * * *")
    page.click("#source-save")
    page.wait_for_selector("#source-saved .state.ok")
    assert page.inner_text("#source-error-cron") == ""
    page.wait_for_selector("#sources-grid .ag-row[row-id='vendor-a']")
    states = grid_cells(page, "sources-grid", "state")
    assert states == {"vendor-a": "Chưa kéo lần nào", "vendor-b": "Đang lỗi"}, states
    assert grid_cells(page, "sources-grid", "schedule")["vendor-a"] == "hằng ngày lúc 02:00"
    page.click("#sources-grid .ag-row[row-id='vendor-a'] [col-id='kind']")
    page.wait_for_selector("#sources-ledger .state-empty")  # never pulled yet
    page.click("#sources-dry-run")
    ended = page.wait_for_selector(
        "#sources-action-job[data-status='succeeded'], #sources-action-job[data-status='failed']",
        timeout=120_000,
    )
    message = ended.inner_text()
    assert message.startswith("«vendor-a»") and "{" not in message and "None" not in message
    page.wait_for_selector("#sources-ledger .ag-row")
    modes = grid_cells(page, "sources-ledger-grid", "mode")
    assert list(modes.values()) == ["phần thay đổi · chạy thử"], modes
    screenshot(page, "sources-desktop")
    phone = opened("demo-admin", f"/sources{VIEW}", PHONE)
    phone.wait_for_selector("#sources-grid .ag-row[row-id='vendor-a']")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, width  # nothing wider than the phone
    screenshot(phone, "sources-phone")


def test_a_leader_reads_without_form_or_buttons(opened: Any, failing: str) -> None:
    page = opened("demo-leader", f"/sources{VIEW}")
    page.wait_for_selector(f"#sources-grid .ag-row[row-id='{failing}']")
    for control in ("#source-save", "#sources-pull", "#sources-dry-run", "#source-delete"):
        assert page.locator(control).count() == 0, control
    page.click(f"#sources-grid .ag-row[row-id='{failing}'] [col-id='kind']")
    page.wait_for_selector("#sources-ledger .ag-row")
    assert list(grid_cells(page, "sources-ledger-grid", "status").values()) == ["lỗi"]


def test_the_quality_page_shows_a_failing_source(opened: Any, failing: str) -> None:
    page = opened("demo-leader", f"/quality{VIEW}")
    panel = page.wait_for_selector("#quality-sources")
    line = panel.query_selector(f"[data-source='{failing}']")
    assert line is not None
    text = line.inner_text()
    assert f"Nguồn «{failing}»" in text and "lỗi 1 lần liên tiếp" in text, text
    assert panel.query_selector("a[href='/sources']") is not None
