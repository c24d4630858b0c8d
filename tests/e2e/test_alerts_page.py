"""The alerts page in the browser (issue 18), over the demo data with alerts written into the
server's own store: the table lists them in Vietnamese (no raw codes), the filters narrow it,
acknowledging and resolving through the forms changes the state and shows in the timeline
(local times as dd/mm/yyyy HH:MM), an analyst of old district 945 does not see another
district's alert, the wall's "red now" panel and the overview show the open ones.
Screenshots on a desk (1440x900) and a phone (390x844)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ioc.alerts.condition import open_key
from ioc.config import Settings
from ioc.store import make_engine, open_session
from ioc.store.alert_models import Alert, AlertEvent, AlertUnit
from tests.conftest import serve
from tests.e2e.conftest import PHONE, Console, pages_on, screenshot
from tests.e2e.helpers import api_get, choose, grid_cells

WIDE = {"width": 1440, "height": 900}
VIEW = "?unit=94&scheme=legacy"
TOKEN = "ioc_demo-display-soc-trang-94"
TIME = re.compile(r"\b\d{2}/\d{2}/\d{4} \d{2}:\d{2}\b")
#: raw codes that must never reach the reader
RAW = ("acknowledged", "critical", "warning", "indicator_norm", "data_age", "rule_key")

# (name, rule, severity, state, subject code, subject name, old district, value, threshold)
ALERTS = (
    ("cld", "norm_district_key", "critical", "open", "945", "Cù Lao Dung", "945", 41.5, 0.1),
    ("other", "norm_district_key", "critical", "open", "941", "Sóc Trăng", "941", 38.0, 0.1),
    ("age", "data_age_province", "warning", "acknowledged", "94", "Sóc Trăng", None, 420.0, 400),
    ("done", "norm_district_key", "info", "resolved", "942", "Châu Thành", "942", 36.0, 0.1),
    ("act", "missing_returns_commune", "warning", "open", "945", "Cù Lao Dung", "945", 0.4, 0),
)


def _insert(settings_dir: Any) -> dict[str, int]:
    """The alerts above, written as the engine would leave them; their ids by name."""
    engine = make_engine(f"sqlite:///{settings_dir}/store.sqlite")
    now = datetime.now(UTC)
    ids: dict[str, int] = {}
    with open_session(engine) as session:
        for n, (name, rule, severity, state, code, subject, district, value, limit) in enumerate(
            ALERTS
        ):
            opened = now - timedelta(hours=30 - n)
            key = open_key(rule, "unit", code, name)
            alert = Alert(
                key=key,
                open_key=None if state == "resolved" else key,
                rule_key=rule,
                kind="data_age" if rule.startswith("data_age") else "indicator_norm",
                severity=severity,
                state=state,
                subject_kind="unit",
                subject_code=code,
                subject_name=subject,
                scheme="legacy",
                unit_code=code,
                item=None,
                school_year="2024-2025",
                term="CN",
                value=value,
                threshold=float(limit),
                detail={"vi": f"{subject}: {value} vượt ngưỡng", "en": f"{subject}: {value}"},
                first_seen_at=opened,
                last_seen_at=now,
                opened_at=opened,
                acknowledged_at=opened + timedelta(hours=1) if state != "open" else None,
                acknowledged_by="demo-analyst" if state != "open" else None,
                resolved_at=now if state == "resolved" else None,
                resolved_by="demo-admin" if state == "resolved" else None,
            )
            session.add(alert)
            session.flush()
            units = {("legacy", "94"), ("2025", "92")} | (
                {("legacy", district)} if district else set()
            )
            session.add_all(AlertUnit(alert_id=alert.id, scheme=s, unit_code=c) for s, c in units)
            session.add(AlertEvent(alert_id=alert.id, at=opened, actor="system", action="open"))
            ids[name] = alert.id
        session.commit()
    engine.dispose()
    return ids


@pytest.fixture(scope="module")
def server(demo_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    # no scheduler: its evaluation would recover the alerts written into the store below
    off = {"IOC_REPORTS_SCHEDULER": "false"}
    yield from serve(demo_settings, tmp_path_factory.mktemp("alerts"), off)


@pytest.fixture(scope="module")
def alert_ids(server: Any) -> dict[str, int]:
    return _insert(server.data_dir)


@pytest.fixture
def opened(browser: Any, console: Console, server: Any) -> Iterator[Any]:
    yield from pages_on(browser, console, server.base, WIDE)


def _rows(page: Any) -> set[int]:
    page.wait_for_selector("#alerts-list")
    page.wait_for_load_state("networkidle")
    return {int(i) for i in grid_cells(page, "alerts-grid", "rule")}


def _wait_rows(page: Any, expected: set[int]) -> None:
    page.wait_for_function(
        """ids => {
            const rows = '#alerts-grid .ag-center-cols-container .ag-row';
            const shown = new Set([...document.querySelectorAll(rows)]
                .map(r => +r.getAttribute('row-id')));
            return shown.size === ids.length && ids.every(i => shown.has(i));
        }""",
        arg=sorted(expected),
    )


def test_the_table_lists_alerts_in_vietnamese_and_the_filters_narrow_it(
    server: Any, alert_ids: dict[str, int], opened: Any
) -> None:
    page = opened("demo-admin", "/alerts" + VIEW)
    active = {alert_ids[n] for n in ("cld", "other", "age", "act")}
    _wait_rows(page, active)
    states = grid_cells(page, "alerts-grid", "state")
    assert {states[str(alert_ids["cld"])], states[str(alert_ids["age"])]} == {
        "Đang mở",
        "Đã tiếp nhận",
    }
    severities = grid_cells(page, "alerts-grid", "severity_rank")
    assert severities[str(alert_ids["cld"])] == "Nghiêm trọng"
    assert severities[str(alert_ids["age"])] == "Cần chú ý"
    rules = grid_cells(page, "alerts-grid", "rule")
    assert rules[str(alert_ids["cld"])] == "Huyện cũ có chỉ tiêu then chốt chưa đạt chuẩn"
    values = grid_cells(page, "alerts-grid", "value")
    assert values[str(alert_ids["cld"])] == "41,5 (ngưỡng 0,1)"
    text = page.inner_text(".al-list")  # the rules' section names each rule by its key too
    assert not [raw for raw in RAW if raw in text], text
    assert page.get_attribute("#alerts-counts", "data-total") == "4"
    assert "Đang mở: 3" in page.inner_text("#alerts-counts")
    screenshot(page, "alerts-page-desk")

    choose(page, "alerts-filter-severity", "critical")
    _wait_rows(page, {alert_ids["cld"], alert_ids["other"]})
    href = page.get_attribute("#alerts-downloads-csv", "href") or ""
    assert "severity=critical" in href and href.startswith("/api/v1/alerts.csv")
    choose(page, "alerts-filter-severity", "")
    choose(page, "alerts-filter-state", "all")
    _wait_rows(page, {*active, alert_ids["done"]})
    choose(page, "alerts-filter-unit", "945")
    _wait_rows(page, {alert_ids["cld"], alert_ids["act"]})
    api = api_get(server.base, "demo-admin", "/alerts", state="all", scheme="legacy", unit="945")
    assert {a["id"] for a in api["items"]} == {alert_ids["cld"], alert_ids["act"]}


def test_acknowledging_and_resolving_through_the_forms(
    alert_ids: dict[str, int], opened: Any
) -> None:
    shown = alert_ids["act"]
    page = opened("demo-analyst", f"/alerts{VIEW}&id={shown}")
    page.wait_for_selector("#alerts-detail-state[data-state='open']")
    page.fill("textarea[id*='acknowledge']", "Đã gọi điện cho Phòng GD&ĐT")
    page.click("#alerts-detail button:has-text('Tiếp nhận')")
    page.wait_for_selector("#alerts-detail-state[data-state='acknowledged']")
    assert "Đã tiếp nhận cảnh báo" in page.inner_text("#alerts-message")
    events = page.inner_text("#alerts-timeline")
    assert "Tiếp nhận" in events and "Đã gọi điện cho Phòng GD&ĐT" in events
    assert "demo-analyst" in events and "hệ thống" in events
    assert len(TIME.findall(events)) == 2

    page.click("#alerts-detail button:has-text('Đánh dấu đã xử lý')")  # no comment: refused
    page.wait_for_selector("#alerts-message .state-error")
    assert "Vui lòng ghi kết quả xử lý" in page.inner_text("#alerts-message")
    page.fill("textarea[id*='resolve']", "Các trường đã nộp bổ sung báo cáo")
    page.click("#alerts-detail button:has-text('Đánh dấu đã xử lý')")
    page.wait_for_selector("#alerts-detail-state[data-state='resolved']")
    events = page.inner_text("#alerts-timeline")
    assert "Xử lý xong" in events and "Các trường đã nộp bổ sung báo cáo" in events
    assert page.locator("#alerts-detail button").count() == 0  # closed: nothing to do
    screenshot(page, "alerts-page-resolved")


def test_an_analyst_of_one_district_does_not_see_another_districts_alert(
    alert_ids: dict[str, int], opened: Any
) -> None:
    page = opened("demo-analyst-945", "/alerts")
    page.wait_for_selector(f"#alerts-grid .ag-row[row-id='{alert_ids['cld']}']")
    rows = _rows(page)
    assert alert_ids["cld"] in rows and alert_ids["other"] not in rows
    other = opened("demo-analyst-945", f"/alerts?id={alert_ids['other']}")
    error = other.wait_for_selector("#alerts-detail .state-error")
    assert "404" in error.inner_text()
    assert "Không tải được dữ liệu" in error.inner_text()


def test_the_overview_counts_and_the_wall_shows_the_open_alerts(
    server: Any, alert_ids: dict[str, int], opened: Any, browser: Any
) -> None:
    summary = api_get(server.base, "demo-admin", "/alerts/summary", scheme="legacy", unit="94")
    overview = opened("demo-admin", "/" + VIEW)
    count = overview.wait_for_selector("#alerts-open-count")
    assert count.inner_text() == f"{summary['total']} cảnh báo đang mở"
    assert "/alerts" in (overview.get_attribute("#alerts-open-count a", "href") or "")

    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    try:
        wall = context.new_page()
        wall.goto(f"{server.base}/wall?token={TOKEN}&dim=0")
        strip = wall.wait_for_selector("#wall-red-alerts", state="attached")
        assert strip.get_attribute("data-count") == str(summary["total"])
        first = wall.locator("#wall-red-alerts li[data-alert]").first
        assert first.get_attribute("data-severity") == "critical"  # the most severe first
        assert wall.locator(f"#wall-red-alerts li[data-alert='{alert_ids['cld']}']").count() == 1
        screenshot(wall, "alerts-wall-red-now")
    finally:
        context.close()


def test_the_page_on_a_desk_and_a_phone(alert_ids: dict[str, int], opened: Any) -> None:
    for name, viewport in (("desk", WIDE), ("phone", PHONE)):
        page = opened("demo-admin", f"/alerts{VIEW}&id={alert_ids['age']}", viewport)
        page.wait_for_selector("#alerts-grid .ag-row")
        page.wait_for_selector("#alerts-timeline")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"] + 1, f"the page is wider than the {name}"
        screenshot(page, f"alerts-page-{name}-detail")
