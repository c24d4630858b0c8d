"""The demo province, built through the real file path, reproduces the published figures."""

from __future__ import annotations

import duckdb
import pytest
from polars.testing import assert_frame_equal

from ingest.demo import generate_returns
from ioc.catalog import load_contract
from ioc.config import Settings
from tests.conftest import run_ioc, summary_totals


@pytest.fixture
def demo(demo_settings: Settings) -> Settings:
    return demo_settings


def test_published_totals_2021_2022(demo: Settings) -> None:
    """Sở GD&ĐT Sóc Trăng, start of school year 2021-2022."""
    result = summary_totals(demo, "94", "2021-2022/DN", scheme="legacy")
    assert result["schools"] == 481
    assert result["schools_by_level"] == {"MN": 131, "TH": 201, "THCS": 109, "THPT": 40}
    totals = {k: v["total"] for k, v in result["totals"].items()}
    assert totals["classes"] == 8259
    assert totals["students"] == 256347
    assert totals["managers"] == 1073
    assert totals["teachers"] == 14168
    assert totals["employees"] == 1933


def test_store_equals_generated_returns(demo: Settings) -> None:
    """Every file shape went through the reader and back to the generated values."""
    names = [f.name for f in load_contract().fields]
    with duckdb.connect(str(demo.published_db), read_only=True) as conn:
        stored = conn.sql(f"select {', '.join(names)} from core_school__period_returns").pl()
    expected = generate_returns().select(names)
    key = ["school_code", "school_year", "term"]
    assert_frame_equal(stored.sort(key), expected.sort(key), check_dtypes=False)


def test_same_schools_under_the_2025_province(demo: Settings) -> None:
    """2025 Cần Thơ restated before the merger: the schools of old Cần Thơ, Hậu Giang and
    Sóc Trăng (92, 93, 94)."""
    old = [summary_totals(demo, p, "2024-2025/DN", scheme="legacy") for p in ("92", "93", "94")]
    new = summary_totals(demo, "92", "2024-2025/DN", scheme="2025")
    assert new["schools"] == sum(o["schools"] for o in old)
    assert new["totals"]["students"]["total"] == sum(o["totals"]["students"]["total"] for o in old)
    after = summary_totals(demo, "92", "2025-2026/DN")
    assert after["unit"]["name"] == "Thành phố Cần Thơ" and after["schools"] > 450


def test_planted_problems_are_visible(demo: Settings) -> None:
    rejects = run_ioc(demo, "rejects", "--json").stdout
    assert "negative_count" in rejects and "students_female_le_students" in rejects
    with duckdb.connect(str(demo.published_db), read_only=True) as conn:
        replaced = conn.execute("select count(*) from ingest_replacements").fetchall()[0][0]
        late = conn.execute(
            "select count(*) from core_school__expected where has_return and not is_on_time"
        ).fetchall()[0][0]
    assert replaced >= 2
    assert late > 0


def test_demo_refuses_to_overwrite(demo: Settings) -> None:
    result = run_ioc(demo, "demo", check=False)
    assert result.returncode == 2 and "--replace" in result.stderr
    assert "not rebuilt" in run_ioc(demo, "demo", "--if-empty").stdout


def test_rejects_cli_names_file_row_column(demo: Settings) -> None:
    out = run_ioc(demo, "rejects", "--lang", "en").stdout
    assert "row " in out and "column " in out and ".xlsx" in out
    out = run_ioc(demo, "rejects").stdout  # Vietnamese by default
    assert "dòng " in out and "cột " in out and ".xlsx" in out


def test_commands_exit_quietly(demo: Settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """What `make run` prints and an export leaves no noise on stderr (with DuckDB 2.0, reading
    frames through the Arrow stream made every command print nanobind's leak warning)."""
    summary = run_ioc(demo, "summary", "--unit", "94", "--period", "2021-2022/DN")
    assert "256.347" in summary.stdout or "256347" in summary.stdout
    out = tmp_path / "report.xlsx"
    export = run_ioc(
        demo,
        "export",
        "--unit",
        "94",
        "--scheme",
        "legacy",
        "--period",
        "latest",
        "--format",
        "xlsx",
        "--out",
        str(out),
    )
    assert out.stat().st_size > 0
    for result in (summary, export):
        assert "leaked" not in result.stderr and "Traceback" not in result.stderr, result.stderr
