"""``ioc demo`` loads the 2025 graduation exam of its three councils (Cần Thơ 55, Hậu Giang
64, Sóc Trăng 59) through the real exam ingest, with the registration list linking the
candidates to the upper-secondary schools, and the real shared results when present: every
row accepted, and figures for the provinces, the 2025 province and the schools that match
those computed here from the generated files."""

from __future__ import annotations

import statistics
from typing import Any

import pytest

from ingest.demo.exams import NOT_TAKEN, YEAR, demo_council
from ioc import db
from ioc.config import Settings
from tests.real_data import EXAMS

COUNCILS = {"92": "55", "93": "64", "94": "59"}


@pytest.fixture(scope="module")
def exam_rows(demo_settings: Settings) -> dict[str, Any]:
    conn = db.connect_published(demo_settings)
    try:

        def rows(sql: str) -> list[tuple[Any, ...]]:
            return conn.execute(sql).fetchall()

        return {
            "candidates": dict(
                rows("select council_code, count(*) from core_exam__candidates group by 1")
            ),
            "runs": rows(
                """select kind, sum(rows_accepted), sum(rows_rejected) from ingest_runs
                   where kind like 'exam%' group by kind"""
            ),
            "linked": rows("select count(*) from core_exam__registrations")[0][0],
            "province": {
                (scheme, unit): (n, mean)
                for scheme, unit, n, mean in rows(
                    """select scheme, unit_code, candidates, mean from out_exam__subject_stats
                       where level = 'province' and subject = 'TOAN' and year = 2025"""
                )
            },
            "schools": rows(
                """select count(distinct unit_code) from out_exam__subject_stats
                   where level = 'school' and year = 2025"""
            )[0][0],
            "ranked": rows(
                """select max(ranked) from out_exam__ranks
                   where scheme = 'legacy' and subject = '*' and year = 2025"""
            )[0][0],
        }
    finally:
        conn.close()


def test_every_exam_row_of_the_demo_is_accepted(exam_rows: dict[str, Any]) -> None:
    runs = {kind: (accepted, rejected) for kind, accepted, rejected in exam_rows["runs"]}
    generated = {p: demo_council(p) for p in COUNCILS}
    linked = sum(len(found.registrations) for found in generated.values())
    assert runs["exam_registrations"] == (linked, 0) and exam_rows["linked"] == linked
    assert runs["exam"][1] == 0
    for province, council in COUNCILS.items():
        assert exam_rows["candidates"][council] == len(generated[province].rows)


def test_province_figures_are_the_generated_papers(exam_rows: dict[str, Any]) -> None:
    every = []
    for province in COUNCILS:
        papers = [r["TOAN"] for r in demo_council(province).rows if r["TOAN"] != NOT_TAKEN]
        every += papers
        n, mean = exam_rows["province"][("legacy", province)]
        assert n == len(papers) and mean == pytest.approx(statistics.mean(papers), abs=1e-9)
    n, mean = exam_rows["province"][("2025", "92")]  # the three councils make new Cần Thơ
    assert n == len(every) and mean == pytest.approx(statistics.mean(every), abs=1e-9)
    assert exam_rows["schools"] >= 100  # the upper-secondary schools, linked
    assert YEAR == 2025


def test_the_real_provinces_are_loaded_beside_the_demo(exam_rows: dict[str, Any]) -> None:
    if not EXAMS.is_dir():
        pytest.skip(f"{EXAMS} is not here (the shared real-data folder)")
    assert {"06", "07", "11", "36"} <= set(exam_rows["candidates"])
    assert exam_rows["ranked"] == 7  # three demo provinces and four real ones
