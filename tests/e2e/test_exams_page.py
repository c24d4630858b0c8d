"""The exam page (Thi tốt nghiệp THPT) in chromium over a demo snapshot whose exam tables
hold four councils' results (tests/integration/exam_rows.py): KPI cards and the spectrum
against the API, a subject change redrawing the histogram, the school ranking linked to the
school page, a district account seeing only its district, the empty state without exams,
screenshots at a desk and on a phone. Also the wall's exam panel."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from typing import Any

import duckdb
import pytest

from dashboards.formats import vn_count, vn_number
from ioc.config import Settings
from tests.conftest import serve
from tests.e2e.conftest import PHONE, Console, pages_on, screenshot
from tests.e2e.helpers import api_get, choose, grid_cells, reveal
from tests.e2e.test_vietnamese import grid_problems, problems
from tests.integration.exam_rows import YEAR, exam_snapshot

DESK = {"width": 1440, "height": 900}
# a snapshot loaded by `ioc exams ingest` behind its own server, and six pages in chromium
# (about a minute): with the slow tests, as CI runs them (make test-slow)
SLOW = pytest.mark.slow
PROVINCE = f"/exams?unit=94&scheme=legacy&year={YEAR}"
FIGURE = """id => {const g = document.querySelector('#' + id + ' .js-plotly-plot');
    return g && g.data ? {title: g.layout.title.text, traces: g.data.map(
        d => ({type: d.type, name: d.name, y: Array.from(d.y || [])}))} : null}"""


@pytest.fixture(scope="module")
def exam_server(demo_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """`ioc serve` over a copy of the demo data with exam results loaded by `ioc exams
    ingest` (with registrations: the real pipeline)."""
    root = tmp_path_factory.mktemp("exams")
    yield from serve(exam_snapshot(demo_settings, root / "seed"), root / "served")


@pytest.fixture
def opened(browser: Any, console: Console, exam_server: Any) -> Iterator[Callable[..., Any]]:
    yield from pages_on(browser, console, exam_server.base, DESK)


def _figure(page: Any, graph: str) -> dict[str, Any]:
    page.wait_for_function(f"() => ({FIGURE})('{graph}') !== null")
    return page.evaluate(FIGURE, graph)


def _shares(rows: list[dict[str, Any]], code: str) -> dict[float, float]:
    return {r["bin_from"]: r["share_pct"] for r in rows if r["unit_code"] == code}


@SLOW
def test_the_page_shows_the_provinces_results_as_the_api_has_them(
    exam_server: Any, opened: Callable[..., Any]
) -> None:
    page = opened("demo-leader", PROVINCE)
    page.wait_for_selector("#exams-kpi-mean")
    summary = api_get(
        exam_server.base, "demo-leader", "/exams/summary", unit="94", year=YEAR, scheme="legacy"
    )
    toan = next(s for s in summary["subjects"] if s["subject"] == "TOAN")
    ranks = api_get(
        exam_server.base,
        "demo-leader",
        "/exams/provinces",
        year=YEAR,
        scheme="legacy",
        subject="TOAN",
    )
    rank = next(r for r in ranks if r["unit_code"] == "94")
    value = "#{} .tile-value"
    assert page.inner_text(value.format("exams-kpi-mean")) == vn_number(toan["mean"], 2)
    assert page.inner_text(value.format("exams-kpi-failing")) == vn_count(toan["failing"])
    assert page.inner_text(value.format("exams-kpi-rank")) == f"{rank['rank']}/{rank['ranked']}"
    assert page.inner_text(value.format("exams-kpi-candidates")) == vn_count(
        sum(c["candidates"] for c in summary["councils"])
    )
    # the histogram: the province's shares as bars, each other province loaded as a line
    figure = _figure(page, "exams-spectrum")
    rows = api_get(
        exam_server.base,
        "demo-leader",
        "/exams/spectrum",
        unit="94",
        year=YEAR,
        scheme="legacy",
        subject="TOAN",
    )
    assert figure["title"] == "Toán"
    bars, *lines = figure["traces"]
    others = {r["unit_code"] for r in rows if r["unit_code"] != "94"}
    # Cần Thơ, Hậu Giang, Cao Bằng (and the demo's real provinces when the shared files are here)
    assert bars["type"] == "bar" and len(lines) == len(others) >= 3
    shown = [round(y, 6) for y in bars["y"] if y]
    assert shown == [round(s, 6) for s in _shares(rows, "94").values()]
    # the combinations and the school ranking, each school linked to its page
    assert page.locator("#exams-combinations tbody tr").count() == len(summary["combinations"])
    page.wait_for_selector("#exams-schools-grid .ag-row")
    schools = api_get(
        exam_server.base,
        "demo-leader",
        "/exams/schools",
        unit="94",
        year=YEAR,
        scheme="legacy",
        subject="TOAN",
        size=500,
    )["items"]
    means = grid_cells(page, "exams-schools-grid", "mean")
    assert set(means) == {s["school_code"] for s in schools}
    first = schools[0]
    # every mean with its two decimals (6,00 beside 4,79: a column of means reads evenly)
    assert means == {s["school_code"]: vn_number(round(s["mean"], 2), 2) for s in schools}
    href = page.get_attribute(f"#exams-schools-grid a[href*='code={first['school_code']}']", "href")
    assert href and href.startswith("/school?")
    # Vietnamese throughout: no raw field names, keys or English decimals
    reveal(page)
    text = page.inner_text("main")
    assert problems(text, "exams") == []
    assert (
        grid_problems(
            page.evaluate(
                """() => [...document.querySelectorAll('.grid')].map(g => [g.id,
        [...g.querySelectorAll('.ag-center-cols-container .ag-row')].map(r => r.innerText)])"""
            ),
            "exams",
        )
        == []
    )
    screenshot(page, "exams-1440")


@SLOW
def test_a_subject_change_redraws_the_histogram(
    exam_server: Any, opened: Callable[..., Any]
) -> None:
    page = opened("demo-leader", PROVINCE)
    before = _figure(page, "exams-spectrum")
    choose(page, "exams-subject", "LI")
    page.wait_for_url("**subject=LI**")
    page.wait_for_function(f"() => ({FIGURE})('exams-spectrum').title === 'Vật lí'")
    after = page.evaluate(FIGURE, "exams-spectrum")
    rows = api_get(
        exam_server.base,
        "demo-leader",
        "/exams/spectrum",
        unit="94",
        year=YEAR,
        scheme="legacy",
        subject="LI",
    )
    assert after["traces"][0]["y"] != before["traces"][0]["y"]
    assert [round(y, 6) for y in after["traces"][0]["y"] if y] == [
        round(s, 6) for s in _shares(rows, "94").values()
    ]
    li = next(
        s
        for s in api_get(
            exam_server.base, "demo-leader", "/exams/summary", unit="94", year=YEAR, scheme="legacy"
        )["subjects"]
        if s["subject"] == "LI"
    )
    page.wait_for_function(
        "t => document.querySelector('#exams-kpi-mean .tile-value').innerText === t",
        arg=vn_number(li["mean"], 2),
    )
    assert "Vật lí" in page.inner_text("#exams-kpi-mean .tile-name")


@SLOW
def test_a_district_account_sees_only_its_district(
    exam_server: Any, opened: Callable[..., Any]
) -> None:
    page = opened("demo-analyst-945", f"/exams?year={YEAR}")
    page.wait_for_selector("#exams-kpi-mean")
    assert "Cù Lao Dung" in page.inner_text("h1")
    # its schools only, and no other province drawn beside its bars
    page.wait_for_selector("#exams-schools-grid .ag-row")
    codes = set(grid_cells(page, "exams-schools-grid", "mean"))
    mine = api_get(
        exam_server.base,
        "demo-analyst-945",
        "/exams/schools",
        unit="945",
        year=YEAR,
        scheme="legacy",
        subject="TOAN",
        size=500,
    )["items"]
    assert codes == {s["school_code"] for s in mine} and codes
    assert all(s["district_code_legacy"] == "945" for s in mine)
    assert len(_figure(page, "exams-spectrum")["traces"]) == 1
    assert page.locator("#exams-kpi-rank .tile-value").inner_text() == "—"
    # the province asked for by address: refused in words, no figures
    page = opened("demo-analyst-945", PROVINCE)
    page.wait_for_selector(".state-error")
    assert page.locator("#exams-kpi-mean").count() == 0


@SLOW
def test_on_a_phone_the_page_fits_the_screen(opened: Callable[..., Any]) -> None:
    page = opened("demo-leader", PROVINCE, PHONE)
    page.wait_for_selector("#exams-kpi-mean")
    _figure(page, "exams-spectrum")
    reveal(page)
    wide = page.evaluate(
        """w => [...document.querySelectorAll('main *')]
            .filter(e => e.getBoundingClientRect().right > w + 1)
            .filter(e => !e.closest('.exam-table-wrap, .ag-root-wrapper'))
            .slice(0, 5).map(e => e.tagName + '.' + e.className + '#' + e.id + ' '
                + JSON.stringify(e.getBoundingClientRect()))""",
        PHONE["width"],
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], wide
    screenshot(page, "exams-390")


@SLOW
def test_the_wall_shows_the_exam_panel(exam_server: Any, opened: Callable[..., Any]) -> None:
    page = opened("demo-leader", "/wall?panels=kpis,exams&dim=0&dwell=600")
    page.wait_for_selector("#wall-exams-mean", state="attached")
    summary = api_get(
        exam_server.base, "demo-leader", "/exams/summary", unit="94", year=YEAR, scheme="legacy"
    )
    everything = summary["rank"]
    mean = page.text_content("#wall-exams-mean .wall-kpi-value")
    assert mean == vn_number(everything["mean"], 2)
    assert page.text_content("#wall-exams-rank .wall-kpi-value") == str(everything["rank"])
    failing = sum(s["failing"] for s in summary["subjects"])
    assert page.text_content("#wall-exams-failing .wall-kpi-value") == vn_count(failing)
    page.evaluate("window.iocWall.show(1)")
    page.wait_for_timeout(1500)  # the cross-fade
    screenshot(page, "wall-exams-1440")


@pytest.fixture(scope="module")
def bare_server(demo_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """`ioc serve` over a copy of the demo data without its exam results."""
    root = tmp_path_factory.mktemp("no-exams")
    data = root / "seed" / "data"
    shutil.copytree(demo_settings.data_dir, data)
    with duckdb.connect(str(Settings(data_dir=data).published_db)) as conn:
        for (table,) in conn.execute("select table_name from duckdb_tables()").fetchall():
            if table.startswith(("core_exam__", "out_exam__")):
                conn.execute(f"delete from {table}")
    yield from serve(Settings(data_dir=data), root / "served")


@pytest.fixture
def bare(browser: Any, console: Console, bare_server: Any) -> Iterator[Callable[..., Any]]:
    yield from pages_on(browser, console, bare_server.base, DESK)


@SLOW
def test_without_exam_results_the_page_says_how_to_load_them(bare: Callable[..., Any]) -> None:
    page = bare("demo-leader", "/exams?unit=94&scheme=legacy")
    page.wait_for_selector("#exams-empty")
    assert "ioc exams ingest" in page.inner_text("#exams-empty")
