"""The unit page: ranking grid against the API, sorting, drill-down to a school, the trend
with the 2025 break, XLSX download read back, an analyst's scope, empty period."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest

from dashboards.formats import value_text
from tests.e2e.conftest import PHONE, screenshot
from tests.e2e.helpers import api_get, choose, grid_cells, grid_order, reveal

PERIOD = "2024-2025/CN"
PROVINCE = f"/unit?unit=94&scheme=legacy&period={PERIOD}&indicator=NET_CLASS_SIZE"


def test_ranking_grid_equals_the_api_and_sorts(dash_server: Any, open_as: Any) -> None:
    page = open_as("demo-leader", PROVINCE)
    page.wait_for_selector("#unit-grid .ag-row[row-id='941']")
    api = api_get(
        dash_server.base,
        "demo-leader",
        "/indicators/values",
        unit="94",
        scheme="legacy",
        period=PERIOD,
        children="true",
        indicator="NET_CLASS_SIZE",
    )
    shown = grid_cells(page, "unit-grid", "value")
    assert set(shown) == {r["unit_code"] for r in api} and len(api) == 11
    for row in api:
        assert shown[row["unit_code"]] == value_text(row["value"], row["unit_vi"])
    coverage = grid_cells(page, "unit-grid", "coverage")
    first = api[0]
    assert coverage[first["unit_code"]] == (
        f"{first['schools_contributing']}/{first['schools_in_scope']}"
    )
    # ranked: fewer pupils per class is better, so the smallest value comes first
    order = grid_order(page, "unit-grid")
    by_value = sorted(api, key=lambda r: r["value"])
    assert order[0] == by_value[0]["unit_code"] and order[-1] == by_value[-1]["unit_code"]
    # sorting on the value column: ascending, then descending
    page.click("#unit-grid .ag-header-cell[col-id='value'] .ag-header-cell-label")
    page.wait_for_selector("#unit-grid .ag-header-cell[col-id='value'][aria-sort='ascending']")
    assert grid_order(page, "unit-grid") == [r["unit_code"] for r in by_value]
    page.click("#unit-grid .ag-header-cell[col-id='value'] .ag-header-cell-label")
    page.wait_for_selector("#unit-grid .ag-header-cell[col-id='value'][aria-sort='descending']")
    assert grid_order(page, "unit-grid") == [r["unit_code"] for r in reversed(by_value)]
    reveal(page)
    screenshot(page, "unit")

    # another indicator: the grid follows, and the address keeps it for sharing
    choose(page, "unit-indicator", "STF_PUPILS_PER_TEACHER")
    page.wait_for_url("**indicator=STF_PUPILS_PER_TEACHER**")
    other = api_get(
        dash_server.base,
        "demo-leader",
        "/indicators/values",
        unit="94",
        scheme="legacy",
        period=PERIOD,
        children="true",
        indicator="STF_PUPILS_PER_TEACHER",
    )
    expected = {r["unit_code"]: value_text(r["value"], r["unit_vi"]) for r in other}
    page.wait_for_function(
        """([code, text]) => {
            const cell = document.querySelector(
                `#unit-grid .ag-row[row-id="${code}"] [col-id="value"]`);
            return cell && cell.innerText === text;
        }""",
        arg=["941", expected["941"]],
    )
    assert grid_cells(page, "unit-grid", "value") == expected
    # the header's period switch keeps the indicator picked on the page
    choose(page, "nav-period", "2023-2024/CN")
    page.wait_for_url("**period=2023-2024**")
    assert "indicator=STF_PUPILS_PER_TEACHER" in page.url
    page.wait_for_selector("h1:has-text('2023-2024/CN')")
    assert "Số học sinh/giáo viên" in page.inner_text("#unit-indicator")


def test_drill_down_from_province_to_district_to_school(dash_server: Any, open_as: Any) -> None:
    page = open_as("demo-leader", PROVINCE)
    page.click("#unit-grid .ag-row[row-id='941'] a")
    page.wait_for_url("**/unit?unit=941**")
    page.wait_for_selector("h1:has-text('Thành phố Sóc Trăng')")
    page.click("#unit-child-kind label:has(input[value='schools'])")
    page.wait_for_url("**list=schools**")
    schools = api_get(
        dash_server.base,
        "demo-leader",
        "/schools",
        unit="941",
        scheme="legacy",
        period=PERIOD,
        indicator="NET_CLASS_SIZE",
        size=1000,
    )
    page.wait_for_selector(f"#unit-grid .ag-row[row-id='{schools['items'][0]['school_code']}']")
    shown = grid_cells(page, "unit-grid", "value")
    assert len(shown) == min(schools["total"], len(shown)) and len(shown) >= 10
    for item in schools["items"]:
        if item["school_code"] in shown:
            assert shown[item["school_code"]] == value_text(item["value"], "HS/lớp")
    target = schools["items"][0]
    page.click(f"#unit-grid .ag-row[row-id='{target['school_code']}'] a")
    page.wait_for_url(f"**/school?**code={target['school_code']}**")
    assert page.wait_for_selector("#school-name").inner_text() == target["school_name"]


def test_trend_marks_the_2025_break_and_downloads_read_back(
    dash_server: Any, open_as: Any, tmp_path: Any
) -> None:
    page = open_as("demo-leader", "/unit?unit=92&scheme=2025&period=2025-2026/DN")
    page.wait_for_selector("#unit-trend .annotation-text")
    assert "Sắp xếp đơn vị 1/7/2025" in page.inner_text("#unit-trend")
    assert "tính lại theo đơn vị hành chính hiện nay" in page.inner_text("#unit-trend-note")
    series = api_get(
        dash_server.base,
        "demo-leader",
        "/indicators/NET_CLASS_SIZE/series",
        unit="92",
        scheme="2025",
    )
    plotted = page.evaluate("document.querySelector('#unit-trend .js-plotly-plot').data[0].y")
    assert plotted == pytest.approx([r["value"] for r in series])
    # the break line sits between the last period before 1 July 2025 and the first after
    first_after = next(i for i, r in enumerate(series) if r["school_year"] >= "2025-2026")
    shapes = page.evaluate("document.querySelector('#unit-trend .js-plotly-plot').layout.shapes")
    assert [s["x0"] for s in shapes] == [first_after - 0.5]
    reveal(page)
    screenshot(page, "unit-2025-trend")

    # the grid as XLSX (the communes of the 2025 province), read back like the API's JSON
    with page.expect_download() as info:
        page.click("#unit-grid-downloads a.dl-xlsx")
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    assert path.suffix == ".xlsx"
    frame = pl.read_excel(path)  # the default engine, calamine, is fastexcel
    api = api_get(
        dash_server.base,
        "demo-leader",
        "/indicators/values",
        unit="92",
        scheme="2025",
        period="2025-2026/DN",
        children="true",
        indicator="NET_CLASS_SIZE",
    )
    got = dict(zip(frame["Mã đơn vị"].cast(pl.String), frame["Giá trị"], strict=True))
    assert len(got) == len(api) > 40
    assert got == pytest.approx({r["unit_code"]: r["value"] for r in api})
    with page.expect_download() as trend:
        page.click("#unit-trend-downloads a.dl-csv")
    trend_path = tmp_path / trend.value.suggested_filename
    trend.value.save_as(trend_path)
    assert trend_path.name.startswith("series_NET_CLASS_SIZE_92")
    from_csv = pl.read_csv(trend_path.read_bytes()[3:])  # UTF-8 with BOM
    assert from_csv["Giá trị"].to_list() == pytest.approx([r["value"] for r in series])


def test_an_analyst_of_945_sees_only_its_schools(dash_server: Any, open_as: Any) -> None:
    user = "demo-analyst-945"
    page = open_as(user, f"/unit?unit=945&scheme=legacy&period={PERIOD}&list=schools")
    theirs = api_get(
        dash_server.base, user, "/schools", unit="945", scheme="legacy", period=PERIOD, size=1000
    )
    assert theirs["items"] and all(s["district_code_legacy"] == "945" for s in theirs["items"])
    page.wait_for_selector(f"#unit-grid .ag-row[row-id='{theirs['items'][0]['school_code']}']")
    shown = set(grid_cells(page, "unit-grid", "value"))
    assert shown <= {s["school_code"] for s in theirs["items"]}
    assert len(shown) >= min(10, theirs["total"])
    # child units: only 945's communes, and no link up to the province they may not open
    page.click("#unit-child-kind label:has(input[value='children'])")
    communes = api_get(dash_server.base, user, "/units/legacy/945")["children"]
    first = communes[0]["code"]
    page.wait_for_selector(f"#unit-grid .ag-row[row-id='{first}']")
    assert set(grid_cells(page, "unit-grid", "value")) <= {c["code"] for c in communes}
    assert page.locator(".title-row a.crumb").count() == 0
    # another district is refused with a readable message
    page.goto(dash_server.base + f"/unit?unit=941&scheme=legacy&period={PERIOD}")
    assert "403" in page.wait_for_selector(".state-error").inner_text()


def test_a_period_without_returns_says_so(dash_server: Any, open_as: Any) -> None:
    # every commune of the demo's 2025 Cần Thơ has schools: a commune of Cà Mau (96) has none
    province = api_get(dash_server.base, "demo-leader", "/units/2025/96")
    empty = province["children"][0]["code"]
    page = open_as("demo-leader", f"/unit?unit={empty}&scheme=2025&period=2025-2026/DN")
    assert "Chưa có báo cáo cho kỳ này" in page.wait_for_selector(".state-empty").inner_text()
    # and it names the old provinces it was formed from, none of which reported
    assert "Chưa có dữ liệu của:" in page.wait_for_selector("#partial-unit").inner_text()
    screenshot(page, "unit-partial")


def test_unit_page_fits_a_phone(open_as: Any) -> None:
    page = open_as("demo-leader", PROVINCE, viewport=PHONE)
    page.wait_for_selector("#unit-grid .ag-row")
    page.wait_for_selector("#unit-trend .main-svg")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, f"page is {width}px wide on a {PHONE['width']}px phone"
    reveal(page)
    screenshot(page, "unit-phone")
