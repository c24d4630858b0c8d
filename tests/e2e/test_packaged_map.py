"""A fresh clone's map: with no ``IOC_BOUNDARIES`` and no ../shared, the packaged 2025
boundaries (ioc/geo_data) make the map of Cần Thơ's communes and the whole-country map
choropleths, not clouds of points."""

from __future__ import annotations

from typing import Any

import pytest

from ioc.config import Settings
from tests.conftest import serve
from tests.e2e.conftest import DESKTOP, screenshot, session_cookie
from tests.integration.test_packaged_boundaries import without_boundaries_env

SHAPES = "#map-graph path.choroplethlocation"
POINTS = "#map-graph .scattergeo .point"
NEW = "unit=92&scheme=2025&period=2025-2026/DN&indicator=NET_CLASS_SIZE"


@pytest.fixture(scope="module")
def packaged_server(demo_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Any:
    for _ in without_boundaries_env():
        yield from serve(demo_settings, tmp_path_factory.mktemp("packaged-map"))


def test_the_map_draws_shapes_out_of_the_box(browser: Any, packaged_server: Any) -> None:
    base = packaged_server.base
    context = browser.new_context(viewport=DESKTOP)
    context.add_cookies(
        [{"name": "ioc_session", "value": session_cookie(base, "demo-leader"), "url": base}]
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{base}/map?{NEW}")
    page.wait_for_selector(SHAPES)
    communes = page.evaluate(
        "document.querySelector('#map-graph .js-plotly-plot').data[0].locations.length"
    )
    assert page.locator(SHAPES).count() == communes >= 100  # Cần Thơ's 103 communes
    assert page.locator(POINTS).count() == 0
    screenshot(page, "map-packaged-can-tho")
    page.goto(f"{base}/map?{NEW}&level=country")
    page.wait_for_selector(SHAPES)
    assert page.locator(SHAPES).count() == 34
    screenshot(page, "map-packaged-country")
    context.close()
    assert not errors
