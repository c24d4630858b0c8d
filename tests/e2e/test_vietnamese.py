"""Vietnamese everywhere: every page of the dashboard, every export of rejects, findings,
schools and indicators, and the standard workbook, read in Vietnamese, must show no catalog
key (a snake_case identifier such as ``period_change`` or ``pupils_per_toilet``, a raw field
name such as ``students``, a UI string key such as ``nav.logout``) and no untranslated
English (issue 15, item 3)."""

from __future__ import annotations

import io
import re
from typing import Any

import fastexcel
import httpx
import polars as pl
import pytest

from dashboards.i18n import catalog as ui_strings
from ioc.catalog import load_contract, load_rules
from ioc.catalog.definitions import load_catalog
from ioc.catalog.messages import rule_codes
from ioc.config import Settings
from tests.conftest import run_ioc
from tests.e2e.conftest import screenshot
from tests.e2e.helpers import api_get, reveal

PERIOD = "2022-2023/DN"  # the demo's planted problems: findings, warnings, rejects
VIEW = f"unit=94&scheme=legacy&period={PERIOD}"
PARAMS = {"unit": "94", "scheme": "legacy", "period": PERIOD}
#: English words that have no place in Vietnamese output
ENGLISH = (
    "changed",
    "since",
    "required",
    "value",
    "missing",
    "school",
    "schools",
    "rows",
    "blank",
    "pupils",
    "peers",
    "median",
    "scheme",
    "warning",
    "loaded",
    "failed",
    "rejected",
    "outside",
    "registered",
    "commune",
    "province",
    "district",
    "classes",
    "students",
    "teachers",
)
FILE_NAME = re.compile(r"\S+\.(?:xlsx|xls|csv|ods|pdf|json)\b", re.IGNORECASE)
SNAKE = re.compile(r"(?<![\w./-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w/-])")


def _keys() -> tuple[set[str], set[str]]:
    """(identifiers: field names, rule codes, ratio ids; UI string keys ``section.key``)."""
    names = {f.name for f in load_contract().fields}
    names |= {r.id for r in load_rules().quality.outlier_ratios} | rule_codes()
    return names, set(ui_strings())


def problems(text: str, where: str) -> list[str]:
    """What in ``text`` (Vietnamese output) is a catalog key or untranslated English."""
    names, ui_keys = _keys()
    text = FILE_NAME.sub(" ", text)
    # indicator codes (NET_STUDENTS, in the "Mã chỉ tiêu" column) are identifiers to join on,
    # as school codes are: not words a reader is asked to read
    codes = {i.id for i in load_catalog().indicators}
    text = re.sub(r"\b(" + "|".join(sorted(codes, key=len, reverse=True)) + r")\b", " ", text)
    found = [f"{where}: snake_case {m!r}" for m in sorted(set(SNAKE.findall(text)))]
    words = set(re.findall(r"[A-Za-z_]+(?:\.[a-z_]+)?", text))
    found += [f"{where}: key {w!r}" for w in sorted(words & ui_keys)]
    found += [f"{where}: field name {w!r}" for w in sorted(words & names)]
    lower = {w.lower() for w in re.findall(r"[A-Za-z]+", text)}
    found += [f"{where}: English {w!r}" for w in ENGLISH if w in lower]
    return found


#: a number written the English way: a decimal point ('51.6'); Vietnamese writes 51,6
#: (1.268 is Vietnamese for one thousand two hundred and sixty-eight: three digits)
ENGLISH_DECIMAL = re.compile(r"(?<![\d.,])\d+\.(?:\d{1,2}|\d{4,})(?![\d.,])")
#: the text of every drawn row of every grid on the page, by grid
GRID_ROWS = """() => [...document.querySelectorAll('.grid')].map(g => [g.id,
    [...g.querySelectorAll('.ag-center-cols-container .ag-row')].map(r => r.innerText)])"""


def grid_problems(grids: list[tuple[str, list[str]]], where: str) -> list[str]:
    """Grids whose rows are drawn empty, and cells with numbers in English format."""
    found = []
    for name, rows in grids:
        if rows and not any(r.strip() for r in rows):
            found.append(f"{where}: grid {name} drawn empty")
        found += [
            f"{where}: grid {name}: {m!r} is not a Vietnamese number"
            for text in rows
            for m in ENGLISH_DECIMAL.findall(text)
        ]
    return found


def test_the_checker_catches_keys_and_english() -> None:
    assert problems("Số học sinh thay đổi 35% so với năm học 2023-2024", "ok") == []
    assert problems("tệp so_lieu_94.xlsx", "file") == []
    bad = problems("period_change: students changed by 35% · nav.logout", "bad")
    assert any("'period_change'" in p for p in bad) and any("'nav.logout'" in p for p in bad)
    assert any("'students'" in p for p in bad) and any("'changed'" in p for p in bad)
    ok = [("g", ["51,6\t1.268\t31/10/2024\t2024-2025/DN\t453 > 416\t94411012"])]
    assert grid_problems(ok, "ok") == []
    bad = grid_problems([("g", ["Giáo viên\t51.6"]), ("h", ["", ""]), ("e", [])], "bad")
    assert bad == ["bad: grid g: '51.6' is not a Vietnamese number", "bad: grid h drawn empty"]


def _run_with_rejects(base: str) -> dict[str, Any]:
    runs = api_get(base, "demo-admin", "/ingest/runs")
    return next(r for r in runs if (r.get("rows_rejected") or 0) > 0)


def _school_with_findings(base: str) -> str:
    findings = api_get(base, "demo-admin", "/quality/findings", **PARAMS)
    warned = [f for f in findings if f["rule"].startswith("warning:")]
    return str((warned or findings)[0]["school_code"])


def _settle(page: Any) -> None:
    page.wait_for_load_state("networkidle")
    page.wait_for_selector("[data-dash-is-loading=true]", state="detached")
    reveal(page)


def _scroll_to_row(page: Any, grid: str, row_id: str) -> None:
    """AG Grid draws only the rows in view: scroll its body until the row is drawn."""
    row = page.locator(f"{grid} .ag-row[row-id='{row_id}']")
    viewport = page.locator(f"{grid} .ag-body-viewport")
    for _ in range(60):
        if row.count():
            row.first.scroll_into_view_if_needed()
            return
        viewport.evaluate("(el) => { el.scrollTop += el.clientHeight / 2; }")
        page.wait_for_timeout(100)
    raise AssertionError(f"row {row_id} never drawn in {grid}")


def test_every_page_in_vietnamese(dash_server: Any, open_as: Any) -> None:
    base = dash_server.base
    school = _school_with_findings(base)
    run = _run_with_rejects(base)
    pages = [
        ("/", f"/?{VIEW}"),
        ("/map", f"/map?{VIEW}"),
        ("/unit", f"/unit?{VIEW}"),
        ("/school", f"/school?code={school}&{VIEW}"),
        ("/indicator", f"/indicator?{VIEW}"),
        ("/quality", f"/quality?{VIEW}"),
        ("/ingest", "/ingest"),
        ("/targets", "/targets"),
        ("/schedules", "/schedules"),
        ("/wall", "/wall?dim=0&dwell=600"),
    ]
    found: list[str] = []
    for name, path in pages:
        page = open_as("demo-admin", path)
        _settle(page)
        if name == "/ingest":  # a run's rejected rows, as an operator reads them
            _scroll_to_row(page, "#ingest-runs", str(run["run_id"]))
            page.click(f"#ingest-runs .ag-row[row-id='{run['run_id']}']")
            page.wait_for_selector("#ingest-rejects-grid .ag-row")
            _settle(page)
        if name == "/school":
            page.wait_for_selector("#school-findings .ag-row")
        if name == "/quality":
            page.wait_for_selector("#quality-findings .ag-row")
            page.wait_for_selector("#quality-rejects-grid .ag-row")
        found += problems(page.inner_text("body"), name)
        # every grid drawn (below the fold too) with numbers in Vietnamese format
        found += grid_problems(page.evaluate(GRID_ROWS), name)
        screenshot(page, f"vietnamese{name.replace('/', '-') or '-overview'}")
    assert not found, "\n".join(found)


def _cells(content: bytes, fmt: str) -> str:
    """Every cell of a CSV or XLSX export (headers too), as one text."""
    if fmt == "csv":
        frame = pl.read_csv(io.BytesIO(content), has_header=False, infer_schema=False)
        return "\n".join(" | ".join(v or "" for v in row) for row in frame.iter_rows())
    book = fastexcel.read_excel(content)
    texts = []
    for name in book.sheet_names:
        sheet = book.load_sheet(name, header_row=None).to_polars()
        texts += [" | ".join("" if v is None else str(v) for v in row) for row in sheet.rows()]
    return "\n".join(texts)


def _lists(base: str, names: tuple[str, ...]) -> dict[str, tuple[str, dict[str, str]]]:
    run = _run_with_rejects(base)
    lists = {
        "rejects": (f"/ingest/runs/{run['run_id']}/rejects", {}),
        "findings": ("/quality/findings", PARAMS),
        "school findings": (f"/schools/{_school_with_findings(base)}/findings", {}),
        "schools": ("/schools", PARAMS),
        "indicators": ("/indicators/values", {**PARAMS, "children": "true"}),
    }
    return {name: lists[name] for name in names}


def test_the_schools_indicators_and_workbook_exports_in_vietnamese(
    dash_server: Any, tmp_path: Any
) -> None:
    found = _check_exports(dash_server.base, _lists(dash_server.base, ("schools", "indicators")))
    out = tmp_path / "export"
    run_ioc(
        Settings(data_dir=dash_server.data_dir),
        *("export", "--unit", "94", "--period", PERIOD, "--out", str(out)),
    )
    (workbook,) = out.glob("*.xlsx")
    keys = [
        p
        for p in problems(_cells(workbook.read_bytes(), "xlsx"), "workbook")
        if "English" not in p  # the standard workbook's headers are bilingual by design
    ]
    assert not found + keys, "\n".join(found + keys)


def test_the_rejects_and_findings_exports_in_vietnamese(dash_server: Any) -> None:
    base = dash_server.base
    found = _check_exports(base, _lists(base, ("rejects", "findings", "school findings")))
    assert not found, "\n".join(found)


def _check_exports(base: str, lists: dict[str, tuple[str, dict[str, str]]]) -> list[str]:
    """Problems of the CSV and XLSX exports in Vietnamese of the given lists."""
    with httpx.Client(base_url=f"{base}/api/v1", timeout=120) as client:
        client.post("/auth/login", json={"username": "demo-admin", "password": "demo-2025!"})
        found: list[str] = []
        for name, (path, params) in lists.items():
            for fmt in ("csv", "xlsx"):
                response = client.get(f"{path}.{fmt}", params={**params, "headers": "vi"})
                assert response.status_code == 200, (name, fmt, response.text)
                text = _cells(response.content, fmt)
                assert text.count("\n") >= 1, (name, fmt)  # rows, not just the header
                found += problems(text, f"{name}.{fmt}")
    return found


@pytest.mark.parametrize("command", [["rejects"], ["quality", "--unit", "94", "--period", PERIOD]])
def test_the_cli_in_vietnamese(dash_server: Any, command: list[str]) -> None:
    result = run_ioc(Settings(data_dir=dash_server.data_dir), *command)
    assert result.stdout.strip()
    found = problems(result.stdout, f"ioc {command[0]}")
    assert not found, "\n".join(found)
