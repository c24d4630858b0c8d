"""Every real-world file shape loads, and the stored totals equal the fixture's own sums."""

from __future__ import annotations

import random
from pathlib import Path

import duckdb
import pytest

from ingest.runner import ingest
from ioc.config import Settings
from tests.fixtures import COUNTS, FIELDS, SCHOOLS, table_rows, totals, write_csv, write_report_xlsx

PERIOD = "2021-2022/DN"


def stored_totals(settings: Settings) -> dict[str, int | None]:
    with duckdb.connect(str(settings.published_db), read_only=True) as conn:
        sums = ", ".join(f"sum({c})" for c in COUNTS)
        row = conn.execute(
            f"select {sums} from core_school__period_returns where school_year = '2021-2022'"
        ).fetchall()[0]
    return dict(zip(COUNTS, row, strict=True))


def load(settings: Settings, path: Path, **kw: object) -> None:
    (report,) = ingest([path], period=PERIOD, settings=settings, **kw)  # type: ignore[arg-type]
    assert report.status == "loaded", report.message
    assert report.rejected == 0
    assert report.accepted == len(SCHOOLS)


@pytest.mark.parametrize(
    ("encoding", "delimiter", "headers", "thousands"),
    [
        ("utf-8", ",", "vi", None),
        ("utf-8-sig", ",", "vi", "."),
        ("utf-8-sig", ";", "canonical", ","),
        ("utf-16", "\t", "vi", "."),
        ("utf-8", ";", "vi", "."),
    ],
)
def test_csv_shapes(
    settings: Settings,
    tmp_path: Path,
    encoding: str,
    delimiter: str,
    headers: str,
    thousands: str | None,
) -> None:
    rows = table_rows(headers=headers, thousands=thousands)
    load(settings, write_csv(tmp_path / "r.csv", rows, encoding=encoding, delimiter=delimiter))
    assert stored_totals(settings) == totals()


def test_headers_any_order_case_spacing_line_breaks(settings: Settings, tmp_path: Path) -> None:
    rows = table_rows()
    order = list(range(len(FIELDS)))
    random.Random(3).shuffle(order)
    mangled = []
    for i, head in enumerate(rows[0]):
        variants = [
            head.upper(),
            f"  {head}  ",
            head.replace(" ", "\n", 1),
            head.replace(" ", "   "),
        ]
        mangled.append(variants[i % len(variants)])
    shuffled = [[r[i] for i in order] for r in [mangled, *rows[1:]]]
    load(settings, write_csv(tmp_path / "r.csv", shuffled))
    assert stored_totals(settings) == totals()


def test_blank_is_unknown_not_zero(settings: Settings, tmp_path: Path) -> None:
    load(settings, write_csv(tmp_path / "r.csv", table_rows()))
    with duckdb.connect(str(settings.published_db), read_only=True) as conn:
        students = conn.execute(
            "select students from core_school__period_returns where school_code = '94300001'"
        ).fetchall()
        unmapped = conn.execute(
            "select count(*) from core_school__period_returns where satellite_sites is not null"
        ).fetchall()
    assert students == [(None,)]
    assert unmapped == [(0,)]  # a column the file does not have is unknown for every school


@pytest.mark.parametrize("numbers_as_text", [None, ".", ","])
def test_department_workbook(
    settings: Settings, tmp_path: Path, numbers_as_text: str | None
) -> None:
    by_level: dict[str, list[dict[str, object]]] = {}
    for school in SCHOOLS:
        by_level.setdefault(str(school["level"]), []).append(school)
    path = write_report_xlsx(tmp_path / "bao_cao.xlsx", by_level, numbers_as_text=numbers_as_text)
    (report,) = ingest([path], period=PERIOD, settings=settings)
    assert report.status == "loaded", report.message
    assert (report.accepted, report.rejected, report.warnings) == (len(SCHOOLS), 0, 0)
    assert sorted(report.sheets) == sorted(by_level)
    assert stored_totals(settings) == totals()


def test_total_row_mismatch_is_a_warning(settings: Settings, tmp_path: Path) -> None:
    path = write_report_xlsx(tmp_path / "bao_cao.xlsx", {"Tất cả": SCHOOLS}, total_delta=5)
    (report,) = ingest([path], period=PERIOD, settings=settings)
    assert (report.accepted, report.warnings) == (len(SCHOOLS), 1)
    with duckdb.connect(str(settings.published_db), read_only=True) as conn:
        rule, field, message = conn.execute(
            "select rule, field, message from ingest_warnings"
        ).fetchall()[0]
    expected = sum(int(s["classes"]) for s in SCHOOLS)
    assert (rule, field) == ("total_row_mismatch", "classes")
    assert f"{expected + 5:,}" in message and f"{expected:,}" in message


def test_period_columns_in_file(settings: Settings, tmp_path: Path) -> None:
    rows = table_rows()
    rows = [[*rows[0], "Năm học", "Kỳ báo cáo"], *[[*r, "2022-2023", "Cuối năm"] for r in rows[1:]]]
    (report,) = ingest([write_csv(tmp_path / "r.csv", rows)], settings=settings)
    assert report.accepted == len(SCHOOLS)
    with duckdb.connect(str(settings.published_db), read_only=True) as conn:
        periods = conn.execute(
            "select distinct school_year, term from core_school__period_returns"
        ).fetchall()
    assert periods == [("2022-2023", "CN")]


def test_replacement_keeps_old_values(settings: Settings, tmp_path: Path) -> None:
    load(settings, write_csv(tmp_path / "first.csv", table_rows()))
    corrected = [dict(s) for s in SCHOOLS[:1]]
    corrected[0]["students"] = 700
    (report,) = ingest(
        [write_csv(tmp_path / "fix.csv", table_rows(corrected))], period=PERIOD, settings=settings
    )
    assert (report.accepted, report.replaced) == (1, 1)
    expected = totals([*corrected, *SCHOOLS[1:]])
    assert stored_totals(settings) == expected
    with duckdb.connect(str(settings.published_db), read_only=True) as conn:
        old = conn.execute(
            "select previous_run_id, previous_values->>'students' from ingest_replacements"
        ).fetchall()
    assert old == [(1, "660")]
