"""The school page says where its data came from: for a school pulled from the reference
vendor server, "Nguồn dữ liệu: kéo từ «vendor-a» lúc HH:MM dd/mm/yyyy (phiên bản …)" in the
display time zone (Asia/Ho_Chi_Minh), and when its registry row was pulled; for a period
loaded from a file, the file; the files
card and the quality page's runs name the pull's source and resource in words."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from ioc.config import Settings
from ioc.domain.formats import local_datetime
from tests.conftest import serve
from tests.e2e.conftest import DESKTOP, PHONE, Console, open_page, screenshot
from tests.e2e.helpers import api_get, grid_cells, reveal
from tests.e2e.test_vietnamese import problems
from tests.integration.test_school_pulls import CHANGED, FILE_ONLY, pulled_data

# a data dir built by pulls behind a browser (about 40 s): with the slow tests, as CI runs them
pytestmark = pytest.mark.slow

ZONE = "Asia/Ho_Chi_Minh"  # the display zone of Settings (IOC_DISPLAY_TIMEZONE)


def profile(code: str, period: str) -> str:
    return f"/school?code={code}&scheme=legacy&period={period}"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    root = tmp_path_factory.mktemp("school-pulled")
    pulled_data(Settings(data_dir=root / "data"), root)
    yield from serve(Settings(data_dir=root / "data"), root / "served")


@pytest.fixture
def opened(browser: Any, console: Console, server: Any) -> Iterator[Callable[..., Any]]:
    contexts: list[Any] = []

    def opener(path: str, viewport: dict[str, int] = DESKTOP) -> Any:
        return open_page(
            browser, console, contexts, server.base, "leader", path, viewport, timeout_ms=30_000
        )

    yield opener
    for context in contexts:
        context.close()
    assert not console.errors, f"browser console errors: {console.errors}"


def test_the_school_page_says_when_and_from_where_it_was_pulled(
    server: Any, opened: Callable[..., Any]
) -> None:
    pulls = {p["resource"]: p for p in api_get(server.base, "leader", f"/schools/{CHANGED}/pulls")}
    pulled, listed = pulls["returns"], pulls["schools"]
    local = local_datetime(pulled["pulled_at"], ZONE)
    page = opened(profile(CHANGED, "2024-2025/DN"))
    line = page.wait_for_selector("#school-source").inner_text()
    assert (
        f"Nguồn dữ liệu: kéo từ «vendor-a» lúc {local} (phiên bản {pulled['version']})" in line
    ), line
    assert local_datetime(pulled["pulled_at"], "UTC") not in line  # Vietnam is UTC+7
    assert "2024-2025, đầu năm" in line
    registry = local_datetime(listed["pulled_at"], ZONE)
    assert (
        f"Danh mục trường: kéo từ «vendor-a» lúc {registry} (phiên bản {listed['version']})" in line
    ), line
    assert problems(line, "school-source") == []  # no catalog key, no English

    # the files card: the pulled period by its source and resource, the other by its file
    page.locator("#school-files").scroll_into_view_if_needed()
    page.wait_for_selector("#school-files .ag-row")
    files = set(grid_cells(page, "school-files", "file").values())
    assert files == {"Kéo từ «vendor-a» · báo cáo của trường", "truong-so-gd.csv"}
    reveal(page)
    screenshot(page, "school-pulled")

    phone = opened(profile(CHANGED, "2024-2025/DN"), viewport=PHONE)
    assert local in phone.wait_for_selector("#school-source").inner_text()
    phone.wait_for_selector("#school-indicators .ag-row")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, f"page is {width}px wide on a {PHONE['width']}px phone"
    reveal(phone)
    screenshot(phone, "school-pulled-phone")


def test_a_period_from_a_file_names_the_file_and_the_runs_name_the_pull(
    server: Any, opened: Callable[..., Any]
) -> None:
    page = opened(profile(FILE_ONLY, "2024-2025/CN"))
    line = page.wait_for_selector("#school-source").inner_text()
    assert line.startswith("Nguồn dữ liệu: tệp «truong-so-gd.csv», nhận ngày "), line
    assert "kéo từ" not in line

    runs = api_get(server.base, "leader", "/ingest/runs")
    pulls = [r for r in runs if r["source_name"]]
    assert sorted((r["source_name"], r["pull_resource"]) for r in pulls) == [
        ("vendor-a", "returns"),
        ("vendor-a", "returns"),
        ("vendor-a", "schools"),
        ("vendor-file", "returns"),  # a return file pulled from a URL
    ]
    quality = opened("/quality?unit=94&scheme=legacy&period=2024-2025/DN")
    quality.locator("#quality-runs").scroll_into_view_if_needed()
    quality.wait_for_selector("#quality-runs-grid .ag-row")
    shown = grid_cells(quality, "quality-runs-grid", "file")
    words = {"returns": "báo cáo của trường", "schools": "danh mục trường"}
    for run in pulls:
        expected = f"Kéo từ «{run['source_name']}» · {words[run['pull_resource']]}"
        assert shown[str(run["run_id"])] == expected
    assert shown[str(min(r["run_id"] for r in runs))] == "truong-so-gd.csv"
