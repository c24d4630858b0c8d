"""The review desk in the browser (issue 17), on a server with ``IOC_APPROVAL=required`` over
the demo data: an approver of Cần Thơ (2025 scheme) opens the desk, sees the queue, opens a
return and returns it with a reason (its row changes state), approves another (the
province's KPI on the overview changes only after it, as the API's official figures do); an
analyst reads without buttons; the overview's pending marker and its switch to the figures
including pending returns, marked unofficial. Screenshots on a desk and a phone."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from dashboards.formats import vn_number
from ioc.config import Settings
from tests.conftest import serve
from tests.e2e.conftest import PHONE, Console, pages_on, screenshot
from tests.e2e.helpers import api_get, grid_cells
from tests.integration.test_review_api import approval_demo

PERIOD = "2025-2026/DN"  # the demo's latest period, in the 2025 units
VIEW = f"?unit=92&scheme=2025&period={PERIOD}"
WIDE = {"width": 1440, "height": 900}
KPI = "NET_STUDENTS"


@pytest.fixture(scope="module")
def server(demo_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    data = approval_demo(demo_settings, tmp_path_factory.mktemp("review-src"))
    yield from serve(data, tmp_path_factory.mktemp("review"), {"IOC_APPROVAL": "required"})


@pytest.fixture
def opened(browser: Any, console: Console, server: Any) -> Iterator[Any]:
    yield from pages_on(browser, console, server.base, WIDE)


def _official(server: Any, basis: str = "official") -> dict[str, Any]:
    rows = api_get(
        server.base, "demo-approver", "/indicators/values",
        unit="92", scheme="2025", period=PERIOD, indicator=KPI, basis=basis,
    )  # fmt: skip
    return rows[0]


def _pick(page: Any, school: str) -> None:
    page.click(f"#review-queue .ag-row[row-id='{school}'] [col-id='school']")
    page.wait_for_selector(f"#review-detail h3:has-text('({school})')")


def test_the_overview_marks_pending_returns_and_shows_them_on_request(
    server: Any, opened: Any
) -> None:
    page = opened("demo-approver", "/" + VIEW)
    row = _official(server)
    assert row["pending"] > 0
    marker = page.wait_for_selector("#review-pending")
    assert marker.inner_text() == f"{vn_number(row['pending'])} báo cáo chờ duyệt"
    assert page.locator("#review-unofficial").count() == 0
    page.click("#review-include-pending")
    page.wait_for_selector("#review-unofficial")
    assert "basis=all" in page.url
    assert page.inner_text("#review-unofficial") == "Số liệu chưa duyệt"
    every = _official(server, "all")
    tile = page.locator(f"#tile-{KPI}")
    assert tile.get_attribute("data-value") == repr(every["value"])
    screenshot(page, "review-overview-including-pending")


def test_an_approver_returns_one_return_and_approves_another(server: Any, opened: Any) -> None:
    page = opened("demo-approver", "/review" + VIEW)
    page.wait_for_selector("#review-queue .ag-row")
    queue = api_get(server.base, "demo-approver", "/reviews/queue", period=PERIOD, unit="92")
    items = queue["items"] if isinstance(queue, dict) else queue
    states = grid_cells(page, "review-queue", "state")
    assert states and set(states) <= {r["school_code"] for r in items}
    assert set(states.values()) <= {"Chờ duyệt", "Đã kiểm tra", "Đã trả lại"}
    received = [r["school_code"] for r in items if r["state"] == "received"]
    first, second = received[0], received[1]
    before = _official(server)

    # return the first with a reason: its row says so, the official figure does not move
    _pick(page, first)
    page.click("#review-detail button:has-text('Trả lại')")
    page.wait_for_selector("#review-message .state-error")  # no reason: asked for one
    page.fill("#review-reason", "Sĩ số lớp 1 không khớp với danh sách học sinh")
    page.click("#review-detail button:has-text('Trả lại')")
    page.wait_for_selector("#review-message .ok")
    screenshot(page, "review-desk-returned")
    page.wait_for_function(
        """school => [...document.querySelectorAll(`#review-queue .ag-row[row-id="${school}"]
            [col-id="state"]`)].some(c => c.textContent.trim() === 'Đã trả lại')""",
        arg=first,
    )
    assert page.get_attribute("#review-detail-state", "data-state") == "returned"
    screenshot(page, "review-desk-returned")

    # approve the second: the province's official figure changes only now
    _pick(page, second)
    effect = api_get(server.base, "demo-approver", f"/reviews/{second}/{PERIOD.replace('/', '-')}")
    assert _official(server)["value"] == before["value"]
    page.click("#review-detail button:has-text('Duyệt')")
    page.wait_for_selector("#review-message .ok")
    assert page.get_attribute("#review-detail-state", "data-state") == "approved"
    deadline, after = time.monotonic() + 90, before
    while time.monotonic() < deadline and after["value"] == before["value"]:
        time.sleep(1)
        after = _official(server)
    assert after["value"] != before["value"], "the approval was not published"
    assert effect["return"]["content_hash"]
    overview = opened("demo-approver", "/" + VIEW)
    tile = overview.wait_for_selector(f"#tile-{KPI}")
    assert tile.get_attribute("data-value") == repr(after["value"])


def test_an_analyst_reads_the_desk_without_buttons(server: Any, opened: Any) -> None:
    page = opened("demo-leader", "/review" + VIEW)
    page.wait_for_selector("#review-queue .ag-row")
    first = page.get_attribute("#review-queue .ag-center-cols-container .ag-row", "row-id")
    _pick(page, first)
    assert page.locator("#review-detail button").count() == 0
    assert page.locator("#review-approve-clean").count() == 0
    analyst = opened("demo-analyst", "/review?unit=94&scheme=legacy&period=2024-2025/CN")
    analyst.wait_for_selector("#review-summary")
    assert analyst.locator("#review-approve-clean").count() == 0
    assert analyst.locator("button:has-text('Duyệt')").count() == 0


def test_the_desk_on_a_desk_and_a_phone(server: Any, opened: Any) -> None:
    for name, viewport in (("desk", WIDE), ("phone", PHONE)):
        page = opened("demo-approver", "/review" + VIEW, viewport)
        page.wait_for_selector("#review-queue .ag-row")
        first = page.get_attribute("#review-queue .ag-center-cols-container .ag-row", "row-id")
        _pick(page, first)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"] + 1, f"the page is wider than the {name}"
        screenshot(page, f"review-desk-{name}")


def test_the_quality_page_says_whether_the_review_record_is_whole(server: Any, opened: Any) -> None:
    verdict = api_get(server.base, "demo-leader", "/reviews/chain")
    assert verdict["ok"]
    page = opened("demo-leader", "/quality" + VIEW)
    panel = page.wait_for_selector("#review-chain")
    page.wait_for_selector(f"#review-chain :text('{vn_number(verdict['events'])} sự kiện')")
    text = panel.inner_text()
    assert "Nhật ký duyệt toàn vẹn" in text
    assert "Z" not in text.split("kiểm tra lúc")[-1]  # a local time, not the API's UTC stamp
