"""The indicator explorer in chromium: definition, ranking, trend and comparison against the
API's numbers; the 2025 break and restated history; downloads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import plotly
from plotly.offline import get_plotlyjs_version

from dashboards.plotly_js import BUNDLE
from tests.e2e.conftest import PHONE, api_get, screenshot
from tests.e2e.test_map import choose_indicator

VIEW = "unit=94&scheme=legacy&period=2024-2025/CN"
PLOTLY_FULL = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def traces(page: Any, graph: str) -> list[dict[str, Any]]:
    return page.evaluate(
        """(id) => document.querySelector('#' + id + ' .js-plotly-plot').data.map(d => ({
            name: d.name, x: Array.from(d.x || []), y: Array.from(d.y || []),
            dash: d.line ? d.line.dash : null}))""",
        graph,
    )


def ranking(base: str, indicator: str) -> list[dict[str, Any]]:
    rows = api_get(
        base,
        "demo-leader",
        "/indicators/values",
        unit="94",
        scheme="legacy",
        period="2024-2025/CN",
        children="true",
        indicator=indicator,
    )
    return sorted(
        (r for r in rows if r["value"] is not None),
        key=lambda r: r["value"],
        reverse=rows[0]["direction"] != "down",
    )


def test_explorer_figures_match_the_api(dash_server: Any, open_as: Any) -> None:
    page = open_as("demo-leader", f"/indicator?{VIEW}&indicator=STF_QUALIFIED_PCT")
    page.wait_for_selector("#explorer-ranking .js-plotly-plot")
    page.wait_for_selector("#explorer-trend .js-plotly-plot")

    # definition: the formula's fields and the norm's legal source, from the catalog
    catalog = api_get(dash_server.base, "demo-leader", "/catalog/indicators")
    entry = next(i for i in catalog["indicators"] if i["id"] == "STF_QUALIFIED_PCT")
    fields = {f["name"]: f["vi"] for f in catalog["fields"]}
    assert page.inner_text("#explorer-numerator") == fields[entry["numerator"]]
    assert page.inner_text("#explorer-denominator") == fields[entry["denominator"]]
    norm = next(n for n in catalog["norms"] if n["id"] == entry["norm"])
    definition = page.inner_text("#explorer-definition")
    assert all(rule["source"] in definition for rule in norm["rules"])
    own = api_get(
        dash_server.base,
        "demo-leader",
        "/indicators/values",
        unit="94",
        scheme="legacy",
        period="2024-2025/CN",
        indicator="STF_QUALIFIED_PCT",
    )[0]
    assert float(page.get_attribute("#explorer-value", "data-value")) == own["value"]

    # ranking: the API's child values, best first
    expected = ranking(dash_server.base, "STF_QUALIFIED_PCT")
    (bars,) = traces(page, "explorer-ranking")
    assert bars["y"] == [r["unit_name"] for r in expected]
    assert bars["x"] == [r["value"] for r in expected]

    # trend: one line per term, the API's series, the 2025 break marked
    series = api_get(
        dash_server.base,
        "demo-leader",
        "/indicators/STF_QUALIFIED_PCT/series",
        unit="94",
        scheme="legacy",
    )
    lines = {t["name"]: t for t in traces(page, "explorer-trend")}
    for term, name in (("DN", "Đầu năm"), ("CN", "Cuối năm")):
        api_values = [r["value"] for r in series if r["term"] == term]
        assert lines[name]["y"] == api_values
    assert "Sắp xếp đơn vị 1/7/2025" in page.text_content("#explorer-trend")
    screenshot(page, "explorer")

    # the trend's download is the API's series as CSV
    href = page.get_attribute("#explorer-series-csv", "href")
    csv = page.request.get(dash_server.base + href)
    assert csv.ok and csv.text().lstrip("\ufeff").count("\n") == len(series) + 1

    # comparison of two chosen districts: their series on one chart
    page.click("#explorer-units")
    for name in (expected[0]["unit_name"], expected[-1]["unit_name"]):
        page.locator(".dash-dropdown-option", has_text=name).first.click()
    page.keyboard.press("Escape")
    page.wait_for_function(  # both chosen units drawn (a busy machine draws one first)
        """() => { const g = document.querySelector('#explorer-compare-graph .js-plotly-plot');
                   return g && g.data && g.data.length >= 2; }"""
    )
    compared = {t["name"]: t["y"] for t in traces(page, "explorer-compare-graph")}
    for row in (expected[0], expected[-1]):
        their = api_get(
            dash_server.base,
            "demo-leader",
            "/indicators/STF_QUALIFIED_PCT/series",
            unit=row["unit_code"],
            scheme="legacy",
        )
        assert compared[row["unit_name"]] == [r["value"] for r in their if r["term"] == "CN"]

    # another indicator: the URL and the ranking follow
    choose_indicator(page, "#explorer-indicator", "NET_CLASS_SIZE")
    page.wait_for_url("**indicator=NET_CLASS_SIZE**")
    expected = ranking(dash_server.base, "NET_CLASS_SIZE")
    page.wait_for_function(
        "(n) => { const g = document.querySelector('#explorer-ranking .js-plotly-plot');"
        " return g && g.data[0].y[0] === n; }",
        arg=expected[0]["unit_name"],
    )
    (bars,) = traces(page, "explorer-ranking")
    assert bars["x"] == [r["value"] for r in expected]  # lower is better: smallest first
    screenshot(page, "explorer-switched")


def test_explorer_on_the_2025_units_marks_restated_history(dash_server: Any, open_as: Any) -> None:
    page = open_as(
        "demo-leader", "/indicator?unit=92&scheme=2025&period=2025-2026/DN&indicator=NET_STUDENTS"
    )
    page.wait_for_selector("#explorer-trend .js-plotly-plot")
    lines = traces(page, "explorer-trend")
    restated = [t for t in lines if "tính lại" in t["name"]]
    assert restated and all(t["dash"] == "dash" for t in restated)
    series = api_get(
        dash_server.base, "demo-leader", "/indicators/NET_STUDENTS/series", unit="92", scheme="2025"
    )
    before = [r["value"] for r in series if r["term"] == "DN" and r["school_year"] < "2025"]
    dn = next(t for t in restated if t["name"].startswith("Đầu năm"))
    assert dn["y"] == before
    screenshot(page, "explorer-2025")


def test_explorer_fits_a_phone(open_as: Any) -> None:
    page = open_as("demo-leader", f"/indicator?{VIEW}&indicator=NET_CLASS_SIZE", viewport=PHONE)
    page.wait_for_selector("#explorer-trend .js-plotly-plot")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, f"page is {width}px wide on a {PHONE['width']}px phone"
    screenshot(page, "explorer-phone")


def test_charts_are_drawn_by_the_dashboards_own_plotly_js(open_as: Any) -> None:
    """The partial plotly.js bundle (dashboards/vendor/plotly) draws the bars, the box and the
    lines, is plotly.py's version and costs about a third of the full plotly.min.js."""
    page = open_as("demo-leader", f"/indicator?{VIEW}&indicator=STF_QUALIFIED_PCT")
    page.wait_for_selector("#explorer-trend .js-plotly-plot")
    assert page.evaluate("window.Plotly.version") == get_plotlyjs_version()
    assert page.locator("#explorer-ranking g.bars path").count() > 0
    assert page.locator("#explorer-distribution g.boxlayer path").count() > 0
    assert page.locator("#explorer-trend g.scatterlayer path.js-line").count() > 0
    sizes = page.evaluate(
        """() => performance.getEntriesByType('resource')
             .filter(e => e.name.includes('/plotly.min.js'))
             .map(e => [e.encodedBodySize, e.decodedBodySize])"""
    )
    assert len(sizes) == 1
    (transferred, decoded), full = sizes[0], PLOTLY_FULL.stat().st_size
    assert decoded == BUNDLE.stat().st_size < full / 2
    assert transferred < decoded / 2  # served gzipped
