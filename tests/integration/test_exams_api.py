"""The exam routes over real HTTP (`ioc serve` on loopback) on the demo snapshot with exam
figures in its ``out_exam__*`` tables (tests/integration/exam_rows.py): the answers are the
tables' rows, the exports read back, and scoped accounts see only what their units allow."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import fastexcel
import httpx
import pytest

from ioc.config import Settings
from ioc.reports.exam_sheet import gather
from ioc.views.units import find_unit
from tests.conftest import run_ioc, serve
from tests.integration.exam_rows import YEAR, exam_snapshot
from tests.integration.test_api import client

SOC_TRANG = {"unit": "94", "year": YEAR, "scheme": "legacy"}
CAN_THO = {"unit": "92", "year": YEAR, "scheme": "2025"}
CU_LAO_DUNG = {"unit": "945", "year": YEAR, "scheme": "legacy"}


@pytest.fixture(scope="module")
def exam_data(demo_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the demo data with exam results loaded by `ioc exams ingest`."""
    return exam_snapshot(demo_settings, tmp_path_factory.mktemp("exam-data")).data_dir


@pytest.fixture(scope="module")
def server(exam_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    yield from serve(Settings(data_dir=exam_data), tmp_path_factory.mktemp("exam-api"))


@pytest.fixture(scope="module")
def signed(server: Any) -> Callable[[str], httpx.Client]:
    """A signed-in client per account, made once (signing in costs a password hash)."""
    made: dict[str, httpx.Client] = {}

    def of(who: str) -> httpx.Client:
        if who not in made:
            made[who] = client(server, who)
        return made[who]

    return of


@pytest.fixture(scope="module")
def leader(signed: Callable[[str], httpx.Client]) -> httpx.Client:
    return signed("demo-leader")


def rows(server: Any, sql: str, *params: Any) -> list[dict[str, Any]]:
    """Rows of the served snapshot (read-only), as dicts."""
    with duckdb.connect(str(server.data_dir / "ioc.duckdb"), read_only=True) as conn:
        result = conn.execute(sql, list(params))
        names = [d[0] for d in result.description]
        return [dict(zip(names, r, strict=True)) for r in result.fetchall()]


def test_years_name_the_councils_loaded(leader: httpx.Client) -> None:
    answer = leader.get("/exams/years")
    assert answer.status_code == 200, answer.text
    assert answer.json() == [
        {"year": YEAR, "councils": ["06", "55", "59", "64"], "schools_linked": True}
    ]


def test_the_summary_of_a_2025_province_is_its_rows(server: Any, leader: httpx.Client) -> None:
    answer = leader.get("/exams/summary", params=CAN_THO)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["unit"] == {
        "scheme": "2025",
        "level": "province",
        "code": "92",
        "name": "Thành phố Cần Thơ",
        "province_code": "92",
    }
    # the three predecessors' councils are in the 2025 city's figures
    assert {c["council_code"]: c["predecessor_code"] for c in body["councils"]} == {
        "55": "92",
        "59": "94",
        "64": "93",
    }
    stored = rows(
        server,
        "select * from out_exam__subject_stats where year = ? and scheme = '2025' "
        "and level = 'province' and unit_code = '92'",
        YEAR,
    )
    by_subject = {s["subject"]: s for s in body["subjects"]}
    assert set(by_subject) == {r["subject"] for r in stored}
    assert [s["subject"] for s in body["subjects"]][:3] == ["TOAN", "VAN", "NGOAI_NGU"]  # catalog
    for row in stored:
        got = by_subject[row["subject"]]
        for column in ("candidates", "mean", "median", "sd", "ge5", "ge8", "eq10", "failing"):
            assert got[column] == pytest.approx(row[column]), column
        assert got["failing_pct"] == pytest.approx(100 * row["failing"] / row["candidates"])
        assert sum(b["papers"] for b in got["spectrum"]) == row["candidates"]
    toan = by_subject["TOAN"]
    assert toan["vi"] == "Toán"
    (stored_rank,) = rows(
        server,
        "select mean, rank, ranked from out_exam__ranks where scheme = '2025' "
        "and unit_code = '92' and subject = '*'",
    )
    assert body["rank"] == pytest.approx(stored_rank)
    combos = {c["combination"]: c for c in body["combinations"]}
    assert set(combos) == {"A00", "A01", "C00", "D01"} and combos["D01"]["language"] == "N1"

    one = leader.get("/exams/summary", params={**CAN_THO, "subject": "VAN"}).json()
    assert [s["subject"] for s in one["subjects"]] == ["VAN"]


def test_the_spectrum_compares_a_province_with_the_others(
    server: Any, leader: httpx.Client
) -> None:
    answer = leader.get("/exams/spectrum", params={**SOC_TRANG, "subject": "TOAN"})
    assert answer.status_code == 200, answer.text
    bins = answer.json()
    assert {b["unit_code"] for b in bins if b["asked"]} == {"94"}
    assert {b["unit_code"] for b in bins if not b["asked"]} == {"92", "93", "04"}
    for unit in ("94", "04"):
        shares = [b["share_pct"] for b in bins if b["unit_code"] == unit]
        assert sum(shares) == pytest.approx(100)
    stored = rows(
        server,
        "select cast(bin_from as double) as bin_from, papers from out_exam__spectrum "
        "where scheme = 'legacy' and level = 'province' and unit_code = '94' and subject = 'TOAN' "
        "order by bin_from",
    )
    assert [(b["bin_from"], b["papers"]) for b in bins if b["asked"]] == [
        (r["bin_from"], r["papers"]) for r in stored
    ]
    # an old district against its province; a combination's totals
    district = leader.get("/exams/spectrum", params={**CU_LAO_DUNG, "subject": "A00"}).json()
    assert {(b["unit_code"], b["asked"]) for b in district} == {("945", True), ("94", False)}
    assert max(b["bin_from"] for b in district) > 10  # totals of three papers


def test_the_schools_are_ranked_by_mean_with_their_inputs(
    server: Any, leader: httpx.Client
) -> None:
    params = {**SOC_TRANG, "subject": "TOAN", "size": 1000}
    answer = leader.get("/exams/schools", params=params)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    stored = rows(
        server,
        "select stats.unit_code, stats.mean, stats.candidates from out_exam__subject_stats stats "
        "join core_school__registry registry on registry.school_code = stats.unit_code "
        "where stats.level = 'school' and stats.scheme = 'legacy' and stats.subject = 'TOAN' "
        "and registry.province_code_legacy = '94'",
    )
    assert body["total"] == len(stored) > 10
    items = body["items"]
    means = [i["mean"] for i in items]
    assert means == sorted(means, reverse=True)
    assert {i["school_code"]: i["mean"] for i in items} == pytest.approx(
        {r["unit_code"]: r["mean"] for r in stored}
    )
    for item in items:  # 1 = highest; ties share a rank
        assert item["rank"] == 1 + sum(m > item["mean"] for m in means)
    first = items[0]
    (ret,) = rows(
        server,
        "select students, teachers, classes from core_school__period_returns "
        "where school_code = ? and school_year = '2024-2025' and term = 'CN'",
        first["school_code"],
    )
    assert first["students_per_class"] == pytest.approx(ret["students"] / ret["classes"])
    assert first["teachers_per_class"] == pytest.approx(ret["teachers"] / ret["classes"])
    assert first["inputs_period"] == "2024-2025/CN"

    # every paper: the papers of a school over its subjects, their mean weighted by papers
    whole = leader.get("/exams/schools", params={**SOC_TRANG, "size": 2, "page": 2}).json()
    assert whole["page"] == 2 and len(whole["items"]) == 2
    code = whole["items"][0]["school_code"]
    papers = rows(
        server,
        "select candidates, mean from out_exam__subject_stats where level = 'school' "
        "and scheme = 'legacy' and unit_code = ?",
        code,
    )
    assert whole["items"][0]["papers"] == sum(p["candidates"] for p in papers)
    assert whole["items"][0]["mean"] == pytest.approx(
        sum(p["mean"] * p["candidates"] for p in papers) / sum(p["candidates"] for p in papers)
    )
    by_name = leader.get("/exams/schools", params={**params, "sort": "-teachers_per_class"})
    per_class = [i["teachers_per_class"] for i in by_name.json()["items"]]
    assert per_class == sorted(per_class, reverse=True)


def test_the_school_ranking_and_the_ranks_read_back_as_csv_and_xlsx(
    server: Any, leader: httpx.Client, tmp_path: Path
) -> None:
    params = {**SOC_TRANG, "subject": "TOAN", "headers": "vi"}
    listed = leader.get("/exams/schools", params={**params, "size": 1000}).json()["items"]
    as_csv = leader.get("/exams/schools.csv", params=params)
    assert as_csv.status_code == 200, as_csv.text
    table = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert table[0][:3] == ["Xếp hạng", "Mã trường", "Tên trường"]
    assert [r[1] for r in table[1:]] == [i["school_code"] for i in listed]

    as_xlsx = leader.get("/exams/provinces.xlsx", params={"year": YEAR, "scheme": "legacy",
                                                          "headers": "vi"})  # fmt: skip
    assert as_xlsx.status_code == 200, as_xlsx.text
    book = tmp_path / "ranks.xlsx"
    book.write_bytes(as_xlsx.content)
    frame = fastexcel.read_excel(book).load_sheet(0).to_polars()
    assert frame.columns[:3] == ["Mã đơn vị", "Tên đơn vị", "Xếp hạng"]
    values = frame.rows()
    stored = rows(
        server,
        "select unit_code, rank, mean from out_exam__ranks where scheme = 'legacy' "
        "and subject = '*' order by rank",
    )
    assert [(r[0], r[2]) for r in values] == [(r["unit_code"], r["rank"]) for r in stored]
    assert [r[4] for r in values] == pytest.approx([r["mean"] for r in stored])


def test_quality_per_council(server: Any, leader: httpx.Client) -> None:
    every = leader.get("/exams/quality", params={"year": YEAR}).json()
    assert [r["council_code"] for r in every] == ["06", "55", "59", "64"]
    cao_bang = every[0]
    assert (cao_bang["linked"], cao_bang["linked_pct"]) == (0, 0)
    merged = leader.get("/exams/quality", params={"year": YEAR, "unit": "92", "scheme": "2025"})
    assert [r["council_code"] for r in merged.json()] == ["55", "59", "64"]
    (outliers,) = rows(
        server, "select count(distinct school_code) as n from out_exam__school_outliers"
    )
    assert sum(r["outlier_schools"] for r in merged.json()) == outliers["n"] > 0


@pytest.mark.parametrize(
    ("who", "path", "params", "status"),
    [
        ("demo-analyst-945", "/exams/summary", CU_LAO_DUNG, 200),
        ("demo-analyst-945", "/exams/summary", SOC_TRANG, 403),
        ("demo-analyst-945", "/exams/summary", {**CU_LAO_DUNG, "unit": "944"}, 403),
        ("demo-analyst-945", "/exams/summary", CAN_THO, 403),
        ("demo-analyst-945", "/exams/schools", SOC_TRANG, 403),
        ("demo-analyst-945", "/exams/schools", CU_LAO_DUNG, 200),
        ("demo-analyst-945", "/exams/quality", {"year": YEAR, "unit": "94"}, 403),
        ("demo-analyst", "/exams/summary", {**SOC_TRANG, "unit": "04"}, 403),
        ("demo-analyst", "/exams/combinations", SOC_TRANG, 200),
        ("demo-approver", "/exams/summary", SOC_TRANG, 403),
        ("display", "/exams/summary", SOC_TRANG, 200),
        ("display", "/exams/schools", SOC_TRANG, 403),
        ("demo-leader", "/exams/summary", {**SOC_TRANG, "year": 2024}, 404),
        ("demo-leader", "/exams/summary", {**SOC_TRANG, "unit": "99"}, 404),
        ("demo-leader", "/exams/summary", {**SOC_TRANG, "unit": "945", "scheme": "2025"}, 404),
        ("demo-leader", "/exams/summary", {**SOC_TRANG, "year": "2025x"}, 422),
        ("demo-leader", "/exams/summary", {**SOC_TRANG, "year": 1999}, 422),
        ("demo-leader", "/exams/summary", {**SOC_TRANG, "scheme": "new"}, 422),
        ("demo-leader", "/exams/summary", {**SOC_TRANG, "subject": "TOAN'--"}, 422),
        ("demo-leader", "/exams/summary", {**SOC_TRANG, "unit": "9a"}, 422),
        ("demo-leader", "/exams/spectrum", SOC_TRANG, 422),  # no subject
        ("demo-leader", "/exams/schools", {**SOC_TRANG, "sort": "mean;drop"}, 422),
        ("demo-leader", "/exams/schools", {**SOC_TRANG, "size": 0}, 422),
        ("demo-leader", "/exams/quality", {"year": YEAR, "unit": "945"}, 422),
    ],
)
def test_who_may_read_what_and_bad_requests(
    signed: Callable[[str], httpx.Client], who: str, path: str, params: dict[str, Any], status: int
) -> None:
    answer = signed(who).get(path, params=params)
    assert answer.status_code == status, answer.text


def test_scoped_accounts_see_only_their_units_among_the_others(
    signed: Callable[[str], httpx.Client],
) -> None:
    district = signed("demo-analyst-945")
    assert district.get("/exams/provinces", params={"year": YEAR, "scheme": "legacy"}).json() == []
    assert district.get("/exams/quality", params={"year": YEAR}).json() == []
    bins = district.get("/exams/spectrum", params={**CU_LAO_DUNG, "subject": "VAN"}).json()
    assert {b["unit_code"] for b in bins} == {"945"}  # not its province's
    schools = district.get("/exams/schools", params={**CU_LAO_DUNG, "size": 1000}).json()
    assert schools["total"] > 0
    assert {i["district_code_legacy"] for i in schools["items"]} == {"945"}

    province = signed("demo-analyst")
    ranks = province.get("/exams/provinces", params={"year": YEAR, "scheme": "legacy"}).json()
    assert [r["unit_code"] for r in ranks] == ["94"] and ranks[0]["ranked"] == 4
    bins = province.get("/exams/spectrum", params={**SOC_TRANG, "subject": "VAN"}).json()
    assert {b["unit_code"] for b in bins} == {"94"}
    quality = province.get("/exams/quality", params={"year": YEAR}).json()
    assert [r["council_code"] for r in quality] == ["59"]

    merged = signed("demo-approver")  # the 2025 city of Cần Thơ
    quality = merged.get("/exams/quality", params={"year": YEAR}).json()
    assert [r["council_code"] for r in quality] == ["55", "59", "64"]
    ranks = merged.get("/exams/provinces", params={"year": YEAR, "scheme": "2025"}).json()
    assert [r["unit_code"] for r in ranks] == ["92"]


def test_the_workbook_has_an_exam_sheet_for_the_exam_closing_its_year(
    exam_data: Path, tmp_path: Path
) -> None:
    settings = Settings(data_dir=exam_data)
    book = tmp_path / "bao-cao.xlsx"
    run_ioc(settings, "export", "--unit", "94", "--period", "2024-2025/CN", "--out", str(book))
    reader = fastexcel.read_excel(book)
    assert reader.sheet_names[-2:] == ["Thi tốt nghiệp THPT", "Định nghĩa"]
    cells = reader.load_sheet("Thi tốt nghiệp THPT", header_row=None).to_polars().rows()
    assert cells[0][0] == "Thi tốt nghiệp THPT năm 2025 — Tỉnh Sóc Trăng"
    assert cells[2][0].startswith("Hội đồng thi / Exam councils: 59 ")
    with duckdb.connect(str(exam_data / "ioc.duckdb"), read_only=True) as conn:
        (rank, ranked), *_ = conn.execute(
            "select rank, ranked from out_exam__ranks where scheme = 'legacy' "
            "and unit_code = '94' and subject = '*'"
        ).fetchall()
        toan, *_ = conn.execute(
            "select candidates, mean, failing from out_exam__subject_stats where scheme = "
            "'legacy' and level = 'province' and unit_code = '94' and subject = 'TOAN'"
        ).fetchall()
        unit = find_unit(conn, settings, "94", "legacy")
        assert gather(conn, settings, unit, "2023-2024") is None  # no exam results of 2024
        sheet = gather(conn, settings, unit, "2024-2025")
    assert sheet is not None
    assert cells[3][0].startswith(f"Xếp hạng theo điểm trung bình mọi bài thi: {rank}/{ranked} ")
    subjects = next(i for i, row in enumerate(cells) if row[0] == "Mã môn thi\nSubject code")
    first = cells[subjects + 1]
    assert first[:2] == ("TOAN", "Toán")
    assert (int(first[2]), float(first[3]), int(first[9])) == (
        toan[0],
        pytest.approx(toan[1]),
        toan[2],
    )
    combos = [row[0] for row in cells if row[0] in ("A00", "A01", "C00", "D01")]
    assert combos == ["A00", "A01", "C00", "D01"]
    schools = next(i for i, row in enumerate(cells) if row[0] == "Xếp hạng\nRank")
    listed = [row[2] for row in cells[schools + 1 :]]
    assert listed == sheet.schools["school_code"].to_list() and len(listed) > 10


def test_the_2025_results_default_to_the_2025_scheme(leader: httpx.Client) -> None:
    summary = leader.get("/exams/summary", params={"unit": "92", "year": YEAR}).json()
    assert (summary["unit"]["scheme"], summary["unit"]["name"]) == ("2025", "Thành phố Cần Thơ")
    ranks = leader.get("/exams/provinces", params={"year": YEAR}).json()
    assert [r["unit_code"] for r in ranks] == ["92", "04"]
    district = leader.get("/exams/summary", params={"unit": "945", "year": YEAR})
    assert district.status_code == 404  # no districts in the 2025 scheme
