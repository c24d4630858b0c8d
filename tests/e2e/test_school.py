"""The school profile against /api/v1/schools/{code}: identity and places, indicators for
the period, every field over time, findings, source files; XLSX read back; scope."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest

from dashboards.formats import value_text, vn_number
from tests.e2e.conftest import PHONE, screenshot
from tests.e2e.helpers import api_get, grid_cells, reveal

SCHOOL = "94414003"  # Trường THPT Tư thục Văn Lang, Thành phố Sóc Trăng (941)
PERIOD = "2024-2025/CN"
PROFILE = f"/school?code={SCHOOL}&scheme=legacy&period={PERIOD}"


def _vietnamese(value: str) -> str:
    """A finding's value as a Vietnamese grid shows it: '54.4' as '54,4' (decimal comma,
    thousands dot); a value that is not a number as written."""
    try:
        number = float(value)
    except ValueError:
        return value
    text = f"{number:,.2f}".rstrip("0").rstrip(".")
    return text.translate(str.maketrans(",.", ".,"))


def test_profile_shows_the_apis_figures_and_downloads_them(
    dash_server: Any, open_as: Any, tmp_path: Any
) -> None:
    page = open_as("demo-leader", PROFILE)
    api = api_get(dash_server.base, "demo-leader", f"/schools/{SCHOOL}")
    assert page.wait_for_selector("#school-name").inner_text() == api["school"]["school_name"]
    identity = page.inner_text("#school-identity")
    for place in api["places"]:  # old province, district, commune; 2025 province, commune
        assert place["name"] in identity and place["code"] in identity
    assert {p["scheme"] for p in api["places"]} == {"legacy", "2025"}

    # indicators of the chosen period: value and norm as the API computes them
    page.wait_for_selector("#school-indicators .ag-row")
    rows = [r for r in api["indicators"] if (r["school_year"], r["term"]) == ("2024-2025", "CN")]
    shown = grid_cells(page, "school-indicators", "value")
    norms = grid_cells(page, "school-indicators", "norm")
    checked = 0
    for row in rows:
        if row["indicator_id"] in shown:
            assert shown[row["indicator_id"]] == value_text(row["value"], row["unit_vi"])
            assert norms[row["indicator_id"]] == value_text(row["norm_value"], row["unit_vi"])
            checked += 1
    assert checked >= 10
    class_size = next(r for r in rows if r["indicator_id"] == "NET_CLASS_SIZE")
    assert class_size["value"] == class_size["numerator"] / class_size["denominator"]

    # every field over time: one column per return, in the API's order
    returns = api["returns"]
    page.wait_for_selector("#school-fields .ag-row[row-id='students']")
    for i, ret in enumerate(returns):
        cells = grid_cells(page, "school-fields", f"p{i}")
        if "students" in cells:  # columns outside the grid's viewport are not rendered
            assert cells["students"] == vn_number(ret["students"])
    labels = grid_cells(page, "school-fields", "field")
    assert labels["students"] == "Số học sinh" and labels["teachers"] == "Giáo viên"

    # findings and the files the figures came from
    page.locator("#school-files").scroll_into_view_if_needed()
    page.wait_for_selector("#school-files .ag-row")
    files = grid_cells(page, "school-files", "file")
    assert set(files.values()) == {r["file_name"] for r in returns}
    runs = grid_cells(page, "school-files", "run")
    assert {int(v) for v in runs.values()} == {r["run_id"] for r in returns}
    page.locator("#school-findings").scroll_into_view_if_needed()
    page.wait_for_selector("#school-findings .ag-row")
    rules = grid_cells(page, "school-findings", "rule")
    values = grid_cells(page, "school-findings", "value")
    latest = api["findings"][-1]  # newest first on the page
    assert rules["0"] == latest["rule_label_vi"] and values["0"] == _vietnamese(latest["value"])
    assert len(rules) >= min(len(api["findings"]), 5)
    reveal(page)
    screenshot(page, "school")

    # the indicators of the period as XLSX, read back like the API's JSON
    with page.expect_download() as info:
        page.click(f"a.dl-xlsx[href*='/schools/{SCHOOL}/indicators']")
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    frame = pl.read_excel(path)  # the default engine, calamine, is fastexcel
    got = dict(zip(frame["Mã chỉ tiêu"], frame["Giá trị"], strict=True))
    assert len(got) == len(rows) > 20
    assert got == pytest.approx({r["indicator_id"]: r["value"] for r in rows})


def test_a_school_outside_the_scope_is_refused_readably(dash_server: Any, open_as: Any) -> None:
    page = open_as("demo-analyst-945", PROFILE)
    alert = page.wait_for_selector(".state-error").inner_text()
    assert "403" in alert and "không được xem trường này" in alert
    assert "Traceback" not in page.content()


def test_school_profile_fits_a_phone(open_as: Any) -> None:
    page = open_as("demo-leader", PROFILE, viewport=PHONE)
    page.wait_for_selector("#school-indicators .ag-row")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, f"page is {width}px wide on a {PHONE['width']}px phone"
    # the indicators' names stay in view (pinned) while the figures scroll beside them, and
    # no figure is cut short ("25 HS/lớp", never "25 H…"), nor a name ("Tỷ lệ học sinh…")
    grid = "#school-indicators"
    names = page.locator(f"{grid} .ag-pinned-left-cols-container .ag-cell")
    assert names.count() > 5
    box = page.locator(grid).bounding_box()
    assert box is not None and names.first.bounding_box()["width"] < box["width"] / 2
    cut = page.evaluate(
        """(grid) => [...document.querySelectorAll(grid + ' .ag-cell')]
            .filter(c => ['indicator', 'value'].includes(c.getAttribute('col-id')))
            .flatMap(c => [c, ...c.querySelectorAll('.ag-cell-value')])
            .filter(c => c.scrollWidth > c.clientWidth + 1)
            .map(c => c.innerText)""",
        grid,
    )
    assert cut == [], f"cut short on a phone: {cut}"
    reveal(page)
    screenshot(page, "school-phone")
