"""Operators: upload a return file in the browser, read its rejects; edit targets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.e2e.conftest import api_get, screenshot
from tests.fixtures import SCHOOLS, table_rows, write_csv


def test_operator_uploads_a_file_and_reads_its_rejects(
    dash_server: Any, open_as: Any, tmp_path: Path
) -> None:
    schools = [
        dict(SCHOOLS[0], school_code="94999101"),
        dict(SCHOOLS[1], school_code="94999102", students=-5),  # a negative count
    ]
    path = write_csv(tmp_path / "tra_vinh_test.csv", table_rows(schools))
    page = open_as("demo-operator", "/ingest")
    page.wait_for_selector("#ingest-runs")
    page.fill("#ingest-period", "2024-2025/CN")
    page.set_input_files("#ingest-upload input[type=file]", str(path))
    # the job is followed until its run is there (a line "waiting" or "reading" until then)
    result = page.wait_for_selector(".run-results li.run-ok, .run-results li.run-failed")
    runs = api_get(dash_server.base, "demo-operator", "/ingest/runs")
    newest = runs[0]
    assert newest["file_name"] == "tra_vinh_test.csv"
    assert (newest["rows_accepted"], newest["rows_rejected"]) == (1, 1)
    text = result.inner_text()
    assert f"#{newest['run_id']}" in text and "nhận 1" in text and "từ chối 1" in text

    # the runs grid now lists it first; picking it shows the rejected row and why
    page.locator(f"#ingest-runs .ag-row[row-id='{newest['run_id']}']").click()
    rejects = page.wait_for_selector("#ingest-rejects-grid .ag-row")
    expected = api_get(
        dash_server.base, "demo-operator", f"/ingest/runs/{newest['run_id']}/rejects"
    )
    assert len(expected) == 1 and expected[0]["school_code"] == "94999102"
    assert "94999102" in rejects.inner_text()
    screenshot(page, "ingest")


def test_a_leader_cannot_upload(open_as: Any) -> None:
    page = open_as("demo-leader", "/ingest?unit=94&scheme=legacy&period=2024-2025/CN")
    page.wait_for_selector("#ingest-runs")
    assert page.locator("#ingest-upload").count() == 0
    assert "Chỉ cán bộ nhập liệu" in page.inner_text(".state-empty")


def test_operator_sets_a_target_and_the_status_follows(dash_server: Any, open_as: Any) -> None:
    query = "unit=94&scheme=legacy&period=2024-2025/CN&indicator=NET_CLASS_SIZE"
    page = open_as("demo-operator", f"/targets?{query}")
    page.wait_for_selector("#targets-grid")
    page.click("#targets-add")
    row = page.locator("#targets-grid .ag-row").first
    # the new row is pre-filled with the view (indicator, scheme, unit, year); type a value
    cell = row.locator("[col-id='target_value']")
    cell.dblclick()
    page.keyboard.type("30")
    page.keyboard.press("Enter")
    page.click("#targets-save")
    page.wait_for_selector("#targets-result:has-text('Đã lưu 1')")
    targets = api_get(dash_server.base, "demo-operator", "/targets")
    mine = [t for t in targets if t["indicator_id"] == "NET_CLASS_SIZE" and t["unit_code"] == "94"]
    assert mine and mine[0]["target_value"] == 30 and mine[0]["school_year"] == "2024-2025"
    values = api_get(
        dash_server.base,
        "demo-operator",
        "/indicators/values",
        unit="94",
        scheme="legacy",
        period="2024-2025/CN",
        indicator="NET_CLASS_SIZE",
    )
    # class size ~31 against a maximum of 30: above target
    assert values[0]["target_value"] == 30 and values[0]["target_status"] == "above"
    screenshot(page, "targets")
