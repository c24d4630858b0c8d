"""Scheduled reports in the dashboard: an operator creates a schedule, runs it now and
downloads the workbook it made; the figures come from the API's schedules."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import polars as pl

from tests.e2e.conftest import api_get, screenshot


def test_operator_creates_runs_and_downloads_a_scheduled_report(
    dash_server: Any, open_as: Any, tmp_path: Path
) -> None:
    page = open_as("demo-operator", "/schedules?unit=94&scheme=legacy&period=2024-2025/CN")
    page.wait_for_selector("#schedules-grid")
    page.fill("#schedule-name", "Báo cáo tháng của Sở")
    page.fill("#schedule-cron", "0 7 1 * *")
    page.click("#schedule-create")
    page.wait_for_selector("#schedule-created .state.ok")
    mine = [
        s
        for s in api_get(dash_server.base, "demo-operator", "/schedules")
        if s["name"] == "Báo cáo tháng của Sở"
    ]
    assert len(mine) == 1
    made = mine[0]
    assert (made["cron"], made["units"], made["scheme"], made["period"]) == (
        "0 7 1 * *",
        ["94"],
        "legacy",
        "latest",
    )
    assert made["next_run_at"]  # the scheduler has it
    page.locator(f"#schedules-grid .ag-row[row-id='{made['id']}']").click()
    page.click("#schedules-run")
    page.wait_for_selector("#schedules-action .state.ok")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        runs = api_get(dash_server.base, "demo-operator", f"/schedules/{made['id']}/runs")
        if runs["items"] and runs["items"][0]["finished_at"]:
            break
        time.sleep(1)
    run = runs["items"][0]
    assert run["files"] and not run["error"], repr(run)
    link = page.wait_for_selector("#schedules-runs a.file-link", timeout=30_000)
    assert link.inner_text() == run["files"][0]["name"]
    with page.expect_download() as download:
        link.click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    sheets = pl.read_excel(path, sheet_id=0)
    assert len(sheets) >= 4  # cover, indicators, one per district, schools, definitions
    screenshot(page, "schedules")


def test_an_invalid_cron_is_explained(open_as: Any) -> None:
    page = open_as("demo-operator", "/schedules?unit=94&scheme=legacy&period=2024-2025/CN")
    page.wait_for_selector("#schedules-grid")
    page.fill("#schedule-name", "Sai lịch")
    page.fill("#schedule-cron", "every monday")
    page.click("#schedule-create")
    error = page.wait_for_selector("#schedule-created .state-error")
    assert "422" in error.inner_text()


def test_an_analyst_reads_but_cannot_create(open_as: Any) -> None:
    page = open_as("demo-analyst", "/schedules?unit=94&scheme=legacy&period=2024-2025/CN")
    page.wait_for_selector("#schedules-grid")
    assert page.locator("#schedule-create").count() == 0
    assert page.locator("#schedules-run").count() == 0
