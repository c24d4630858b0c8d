"""The data-quality page against /api/v1/quality, the chase list, findings, ingest runs and
rejects (and who may read them), a CSV download read back."""

from __future__ import annotations

import io
from typing import Any

import httpx
import polars as pl
import pytest

from dashboards.formats import value_text, vn_number
from tests.e2e.conftest import PHONE, screenshot, session_cookie
from tests.e2e.helpers import api_get, grid_cells, reveal

PERIOD = "2022-2023/DN"  # the demo's late district (945) makes a chase list
QUALITY = f"/quality?unit=94&scheme=legacy&period={PERIOD}"
PARAMS = {"unit": "94", "scheme": "legacy", "period": PERIOD}


def test_quality_page_shows_the_apis_numbers(dash_server: Any, open_as: Any) -> None:
    page = open_as("demo-leader", QUALITY)
    page.wait_for_selector("#quality-units .ag-row")
    report = api_get(dash_server.base, "demo-leader", "/quality", **PARAMS)
    total = report["total"]
    for key in ("schools_expected", "schools_reported", "schools_late", "completeness_pct"):
        box = page.locator(f"#dq-{key}")
        assert box.get_attribute("data-value") == repr(total[key])
    assert page.inner_text("#dq-timeliness_pct .dq-value") == value_text(
        total["timeliness_pct"], "%"
    )
    by_unit = {r["unit_code"]: r for r in report["by_unit"]}
    shown = grid_cells(page, "quality-units", "timeliness_pct")
    assert set(shown) == set(by_unit) and len(by_unit) == 11
    for code, text in shown.items():
        assert text == value_text(by_unit[code]["timeliness_pct"], "%")
    late = grid_cells(page, "quality-units", "schools_late")
    assert late["945"] == vn_number(by_unit["945"]["schools_late"]) and by_unit["945"][
        "schools_late"
    ] == len(api_get(dash_server.base, "demo-leader", "/quality/chase", **PARAMS))
    bars = page.evaluate("document.querySelector('#quality-bars .js-plotly-plot').data")
    plotted = dict(zip(bars[1]["y"], bars[1]["x"], strict=True))  # timeliness per unit name
    assert plotted == pytest.approx(
        {r["unit_name"]: r["timeliness_pct"] for r in report["by_unit"]}
    )

    # the chase list and the findings, each as long as the API's
    chase = api_get(dash_server.base, "demo-leader", "/quality/chase", **PARAMS)
    findings = api_get(dash_server.base, "demo-leader", "/quality/findings", **PARAMS)
    assert report["chase_count"] == len(chase) > 0
    assert f"({len(chase)})" in page.inner_text("#quality-chase-section h2")
    assert f"({len(findings)})" in page.inner_text("#quality-findings-section h2")
    page.locator("#quality-chase").scroll_into_view_if_needed()
    statuses = grid_cells(page, "quality-chase", "status")
    assert statuses and set(statuses) <= {c["school_code"] for c in chase}
    label = {"late": "Muộn", "missing": "Chưa báo cáo"}
    for item in chase:
        if item["school_code"] in statuses:
            assert statuses[item["school_code"]] == label[item["status"]]
    reveal(page)
    screenshot(page, "quality")

    # the chase list as CSV through its same-origin link (the session cookie goes with it)
    href = page.get_attribute("#quality-chase-section a.dl-csv", "href")
    assert href.startswith("/api/v1/quality/chase.csv?")
    response = httpx.get(
        dash_server.base + href,
        cookies={"ioc_session": session_cookie(dash_server.base, "demo-leader")},
    )
    assert response.status_code == 200 and response.content.startswith(b"\xef\xbb\xbf")
    frame = pl.read_csv(io.BytesIO(response.content[3:]), infer_schema_length=0)
    assert frame["Mã trường"].to_list() == [c["school_code"] for c in chase]

    # a school of the chase list opens its profile
    first = chase[0]["school_code"]
    page.click(f"#quality-chase .ag-row[row-id='{first}'] a")
    page.wait_for_url(f"**/school?**code={first}**")
    page.wait_for_selector("#school-name")


def test_rejects_of_a_run_for_a_leader_and_a_message_for_an_analyst(
    dash_server: Any, open_as: Any
) -> None:
    page = open_as("demo-leader", QUALITY)
    runs = api_get(dash_server.base, "demo-leader", "/ingest/runs")
    rejected = next(r for r in runs if r["rows_rejected"])
    rejects = api_get(dash_server.base, "demo-leader", f"/ingest/runs/{rejected['run_id']}/rejects")
    page.locator("#quality-runs").scroll_into_view_if_needed()
    page.wait_for_selector("#quality-rejects-grid .ag-row")
    assert grid_cells(page, "quality-rejects-grid", "rule") == {  # the catalog's words
        str(i): r["rule_label_vi"] for i, r in enumerate(rejects)
    }
    shown_runs = grid_cells(page, "quality-runs-grid", "rows_rejected")
    assert shown_runs[str(rejected["run_id"])] == vn_number(rejected["rows_rejected"])

    analyst = open_as("demo-analyst", QUALITY)
    message = analyst.wait_for_selector("#quality-runs .state-empty").inner_text()
    assert "chỉ dành cho cán bộ nhập liệu" in message
    assert analyst.locator("#quality-rejects-grid").count() == 0


def test_quality_page_fits_a_phone(open_as: Any) -> None:
    page = open_as("demo-leader", QUALITY, viewport=PHONE)
    page.wait_for_selector("#quality-units .ag-row")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, f"page is {width}px wide on a {PHONE['width']}px phone"
    reveal(page)
    screenshot(page, "quality-phone")
