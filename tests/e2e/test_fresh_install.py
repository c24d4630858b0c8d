"""From "installed" to "first figures on screen" (issue 15 item 10): `ioc serve` on an empty
data directory, the first-start admin signs in in the browser, every page shows the
Vietnamese empty state, the first return file goes in on the ingest page, and the overview
shows its figures."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ioc.config import Settings
from tests.conftest import serve
from tests.e2e.conftest import DESKTOP, Console, screenshot
from tests.fixtures import SCHOOLS, table_rows, write_csv

NO_DATA = "Chưa có dữ liệu — hãy nạp tệp báo cáo ở trang Nạp dữ liệu"
PAGES = ("/", "/map", "/unit", "/indicator", "/quality", "/targets", "/schedules")


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """`ioc serve` over an empty data directory (no data/ioc.duckdb, no accounts)."""
    empty = tmp_path_factory.mktemp("empty") / "data"
    empty.mkdir()
    yield from serve(Settings(data_dir=empty), tmp_path_factory.mktemp("fresh"))


def first_admin_password(log: Path) -> str:
    found = re.search(r"account 'admin' created with password\s+(\S+)", log.read_text())
    assert found, log.read_text()
    return found.group(1)


def test_sign_in_without_data(fresh: Any) -> None:
    """The API part: login and /auth/me answer before any data (503 before the fix)."""
    password = first_admin_password(fresh.log)
    response = httpx.post(
        f"{fresh.base}/api/v1/auth/login", json={"username": "admin", "password": password}
    )
    assert response.status_code == 200, response.text
    assert response.json()["home"] is None
    me = httpx.get(f"{fresh.base}/api/v1/auth/me", cookies=response.cookies)
    assert me.status_code == 200 and me.json()["role"] == "admin"


def test_from_installed_to_first_figures(fresh: Any, browser: Any, tmp_path: Path) -> None:
    console = Console()
    context = browser.new_context(viewport=DESKTOP)
    context.add_cookies([{"name": "ioc_lang", "value": "vi", "url": fresh.base}])
    page = context.new_page()
    page.set_default_timeout(30_000)
    console.watch(page)
    try:
        page.goto(fresh.base + "/login")
        page.fill("#login-username", "admin")
        page.fill("#login-password", first_admin_password(fresh.log))
        page.click("#login-submit")
        page.wait_for_selector("#no-data")
        for path in PAGES:
            page.goto(fresh.base + path)
            note = page.wait_for_selector("#no-data")
            assert NO_DATA in note.inner_text(), path
            assert page.locator(".state-error").count() == 0, path
            screenshot(page, f"fresh-empty-{path.strip('/') or 'overview'}")

        page.click("#no-data a")
        page.wait_for_selector("#ingest-upload")
        screenshot(page, "fresh-ingest-empty")
        path = write_csv(tmp_path / "bao_cao_dau_tien.csv", table_rows(SCHOOLS))
        page.fill("#ingest-period", "2024-2025/DN")
        page.set_input_files("#ingest-upload input[type=file]", str(path))
        result = page.wait_for_selector(".run-results li.run-ok, .run-results li.run-failed")
        assert f"nhận {len(SCHOOLS)}" in result.inner_text()
        screenshot(page, "fresh-ingest-result")

        page.goto(fresh.base + "/")
        page.wait_for_selector(".tile")
        students = sum(s["students"] or 0 for s in SCHOOLS)
        tiles = page.locator(".tile").all_inner_texts()
        assert any(f"{students:,}".replace(",", ".") in text for text in tiles), tiles
        assert page.locator("#no-data").count() == 0
        screenshot(page, "fresh-first-figures")
    finally:
        context.close()
    assert not console.errors, console.errors
