"""The map page in chromium: shaded units and their values against the API, hover and click,
indicator and scheme switches, the whole-country map with Hoàng Sa and Trường Sa."""

from __future__ import annotations

from typing import Any

import pytest

from dashboards.formats import value_text
from tests.e2e.conftest import GEO, PHONE, api_get, screenshot

pytestmark = pytest.mark.skipif(
    not (GEO / "vn_districts_gadm_adm3.topo.json").exists(),
    reason="the shared boundary files are not here",
)
LEGACY = "unit=94&scheme=legacy&period=2024-2025/CN"
SHAPES = "#map-graph path.choroplethlocation"
POINTS = "#map-graph .scattergeo .point"

# A point inside the i-th shape (in page pixels): the first point of a grid over its box that
# falls in the path's fill.
INSIDE = """([selector, index]) => {
    const path = document.querySelectorAll(selector)[index];
    const box = path.getBoundingClientRect();
    const toPath = path.getScreenCTM().inverse();
    for (let fy = 0.5; fy < 1; fy += 0.05) {
        for (const sy of [1, -1]) {
            for (let fx = 0.5; fx < 1; fx += 0.05) {
                for (const sx of [1, -1]) {
                    const x = box.left + box.width * (0.5 + sx * (fx - 0.5));
                    const y = box.top + box.height * (0.5 + sy * (fy - 0.5));
                    const local = new DOMPoint(x, y).matrixTransform(toPath);
                    if (path.isPointInFill(local)) { return [x, y]; }
                }
            }
        }
    }
    return null;
}"""


def graph_data(page: Any, trace: int = 0) -> dict[str, Any]:
    return page.evaluate(
        """(i) => { const d = document.querySelector('#map-graph .js-plotly-plot').data[i];
            return {locations: d.locations ? Array.from(d.locations) : null,
                    customdata: d.customdata ? Array.from(d.customdata) : null,
                    text: d.text ? Array.from(d.text) : null}; }""",
        trace,
    )


def fills(page: Any) -> list[str]:
    return page.evaluate(
        f"Array.from(document.querySelectorAll('{SHAPES}')).map(e => getComputedStyle(e).fill)"
    )


def table_values(page: Any) -> dict[str, float | None]:
    rows = page.evaluate(
        """Array.from(document.querySelectorAll('#map-table tr[data-code]'))
             .map(r => [r.dataset.code, r.dataset.value])"""
    )
    return {code: float(value) if value else None for code, value in rows}


def choose_indicator(page: Any, dropdown: str, indicator: str) -> None:
    page.click(dropdown)
    option = page.locator(".dash-dropdown-option", has=page.locator(f"input[value='{indicator}']"))
    option.scroll_into_view_if_needed()
    option.click()


def children_values(base: str, indicator: str, **params: str) -> dict[str, Any]:
    rows = api_get(
        base, "demo-leader", "/indicators/values", children="true", indicator=indicator, **params
    )
    return {r["unit_code"]: r for r in rows}


def test_map_shows_the_apis_districts_values_hover_and_click(
    dash_server: Any, open_as: Any
) -> None:
    page = open_as("demo-leader", f"/map?{LEGACY}&indicator=NET_CLASS_SIZE")
    page.wait_for_selector(SHAPES)
    page.wait_for_selector("#map-table tr[data-code]")
    shapes = api_get(dash_server.base, "demo-leader", "/boundaries", scheme="legacy", parent="94")
    children = api_get(dash_server.base, "demo-leader", "/units/legacy/94")["children"]
    # one shaded shape per district the boundary file covers, a point for each other one
    assert page.locator(SHAPES).count() == len(shapes["features"])
    assert page.locator(POINTS).count() == len(shapes["missing"]) > 0
    assert page.locator(SHAPES).count() + len(shapes["missing"]) == len(children)
    values = children_values(
        dash_server.base, "NET_CLASS_SIZE", unit="94", scheme="legacy", period="2024-2025/CN"
    )
    assert table_values(page) == {c: values[c]["value"] for c in values}
    meets = sum(1 for v in values.values() if v["norm_status"] == "meets")
    assert page.get_attribute("#map-legend [data-band=meets]", "data-count") == str(meets)
    screenshot(page, "map-legacy")

    # hover a district: its name, value and coverage, as the API has them
    codes = graph_data(page)["locations"]
    index = codes.index("943")
    x, y = page.evaluate(INSIDE, [SHAPES, index])
    page.mouse.move(x, y)
    hover = page.wait_for_selector("#map-graph .hoverlayer .hovertext").text_content() or ""
    row = values["943"]
    assert row["unit_name"] in hover
    assert value_text(row["value"], row["unit_vi"]) in hover
    assert f"{row['schools_contributing']}/{row['schools_in_scope']}" in hover

    # a click opens the unit page on that district, keeping the view
    page.mouse.click(x, y)
    page.wait_for_url("**/unit?**")
    assert "unit=943" in page.url and "scheme=legacy" in page.url
    assert "indicator=NET_CLASS_SIZE" in page.url


def test_switching_the_indicator_recolours_the_map(dash_server: Any, open_as: Any) -> None:
    page = open_as("demo-leader", f"/map?{LEGACY}&indicator=NET_CLASS_SIZE")
    page.wait_for_selector(SHAPES)
    before = fills(page)
    choose_indicator(page, "#map-indicator", "STF_QUALIFIED_PCT")
    page.wait_for_url("**indicator=STF_QUALIFIED_PCT**")
    values = children_values(
        dash_server.base, "STF_QUALIFIED_PCT", unit="94", scheme="legacy", period="2024-2025/CN"
    )
    page.wait_for_function(
        "(n) => document.querySelector('#map-legend [data-band=fails]')"
        " && document.querySelector('#map-legend [data-band=fails]').dataset.count === n",
        arg=str(sum(1 for v in values.values() if v["norm_status"] in ("below", "above"))),
    )
    page.wait_for_function(
        "(old) => { const now = Array.from(document.querySelectorAll("
        f"'{SHAPES}')).map(e => getComputedStyle(e).fill); "
        "return now.join() !== old.join(); }",
        arg=before,
    )
    assert table_values(page) == {c: v["value"] for c, v in values.items()}
    unit = next(iter(values.values()))["unit_vi"]
    texts = graph_data(page)["text"]
    assert any(value_text(v["value"], unit) in " ".join(texts) for v in values.values())
    # the download links follow the indicator
    assert "indicator=STF_QUALIFIED_PCT" in page.get_attribute("#map-csv", "href")
    csv = page.request.get(dash_server.base + page.get_attribute("#map-csv", "href"))
    assert csv.ok and csv.text().lstrip("\ufeff").count("\n") >= len(values)
    screenshot(page, "map-indicator-switched")


def test_the_scheme_switch_maps_the_2025_communes(dash_server: Any, open_as: Any) -> None:
    page = open_as("demo-leader", f"/map?{LEGACY}&indicator=NET_CLASS_SIZE")
    page.wait_for_selector(SHAPES)
    page.click("#nav-scheme input[value='2025']")
    page.wait_for_url("**scheme=2025**")
    page.wait_for_function(f"() => document.querySelectorAll('{SHAPES}').length > 20")
    params = dict(part.split("=") for part in page.url.split("?")[1].split("&"))
    assert params["unit"] == "92"
    shapes = api_get(dash_server.base, "demo-leader", "/boundaries", scheme="2025", parent="92")
    assert page.locator(SHAPES).count() == len(shapes["features"]) == 103
    period = params["period"].replace("%2F", "/")
    values = children_values(
        dash_server.base, "NET_CLASS_SIZE", unit="92", scheme="2025", period=period
    )
    drawn = {c: v for c, v in table_values(page).items() if v is not None}
    assert drawn == {c: v["value"] for c, v in values.items() if v["value"] is not None}
    assert len(drawn) == 103  # the demo's three old provinces make up the whole of Cần Thơ
    screenshot(page, "map-2025-communes")


def _island_labels(page: Any) -> None:
    graph = page.locator("#map-graph .js-plotly-plot").bounding_box()
    for name in ("Hoàng Sa", "Trường Sa"):
        label = page.locator("#map-graph .scattergeo text", has_text=name)
        assert label.count() == 1, name
        box = label.bounding_box()
        assert graph["x"] <= box["x"] and box["x"] + box["width"] <= graph["x"] + graph["width"]
        assert graph["y"] <= box["y"] and box["y"] + box["height"] <= graph["y"] + graph["height"]


def test_whole_country_map_shows_hoang_sa_and_truong_sa(dash_server: Any, open_as: Any) -> None:
    page = open_as("demo-leader", f"/map?{LEGACY}&indicator=NET_CLASS_SIZE")
    page.wait_for_selector(SHAPES)
    page.click("#map-to-country")
    page.wait_for_url("**level=country**")
    # the legacy provinces have no boundary file here: points, and the islands labelled
    page.wait_for_selector("#map-graph .scattergeo text")
    provinces = api_get(
        dash_server.base, "demo-leader", "/units", scheme="legacy", level="province"
    )
    assert page.locator(POINTS).count() == len(provinces) + 2
    _island_labels(page)
    screenshot(page, "map-country-legacy-points")

    page.goto(dash_server.base + "/map?unit=92&scheme=2025&period=2025-2026/DN&level=country")
    page.wait_for_selector(SHAPES)
    assert page.locator(SHAPES).count() == 34
    locations = graph_data(page)["locations"]
    assert "48" in locations and "56" in locations  # the provinces holding the archipelagos
    _island_labels(page)
    screenshot(page, "map-country-2025")


def test_map_fits_a_phone_and_an_analysts_scope(dash_server: Any, open_as: Any) -> None:
    page = open_as("demo-analyst-945", "/map?scheme=legacy&period=2024-2025/CN", viewport=PHONE)
    page.wait_for_selector("#map-graph .js-plotly-plot")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, f"page is {width}px wide on a {PHONE['width']}px phone"
    assert page.locator("#map-to-country").count() == 0  # not offered to a scoped account
    communes = api_get(dash_server.base, "demo-analyst-945", "/units/legacy/945")["children"]
    assert page.locator(POINTS).count() == len(communes)  # no commune boundary file: points
    screenshot(page, "map-phone-analyst")
