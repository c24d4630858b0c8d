"""Exam results in (docs/exams.md "Ingest"), through the real writer session and DuckDB
snapshot: the four shared real files read back against counts computed here with json; each
reject rule on a small crafted file, named by file, row, column and why; files that cannot
be read are failed runs that leave the published build as it was; a council loaded again
replaces its candidates; CSV and XLSX with Vietnamese headers load as the JSON does;
registrations link candidates to the registry's schools."""

from __future__ import annotations

import csv
import json
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter

from ingest.exams.load import ingest_exams
from ingest.run_store import FileReport
from ingest.runner import ingest
from ioc import db
from ioc.catalog.messages import describe
from ioc.config import Settings
from ioc.exams.catalog import load_exam_catalog
from tests.conftest import run_ioc
from tests.fixtures import table_rows, write_csv
from tests.real_data import EXAMS, real


def load(settings: Settings, *paths: Path, **kw: Any) -> list[FileReport]:
    return ingest_exams(list(paths), settings=settings, **kw)


def read(settings: Settings, statement: str) -> list[tuple[Any, ...]]:
    conn = db.connect_published(settings)
    try:
        return conn.execute(statement).fetchall()
    finally:
        conn.close()


def real_results(council: str) -> dict[str, Any]:
    return json.loads(real(EXAMS / f"exam_results_{council}.json").read_text(encoding="utf-8"))


def write_json(path: Path, rows: list[dict[str, Any]], **head: Any) -> Path:
    doc = {"province_code": "06", "export_time": "2025-07-21 09:29:18", **head, "data": rows}
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def candidate(sbd: str, **scores: Any) -> dict[str, Any]:
    row: dict[str, Any] = {"SBD": sbd, "TinhId": int(sbd[:2]), "MA_MON_NGOAI_NGU": ""}
    row |= {s.code: -1 for s in load_exam_catalog().subjects} | {"TOAN": 7.25, "VAN": 6.5}
    return row | scores


def test_the_real_files_read_back(settings: Settings) -> None:
    files = [real(EXAMS / f"exam_results_{c}.json") for c in ("06", "07", "11", "36")]
    reports = load(settings, *files)
    assert [r.status for r in reports] == ["loaded"] * 4
    expected: Counter[str] = Counter()
    papers: Counter[tuple[str, str]] = Counter()
    subjects = [s.code for s in load_exam_catalog().subjects]
    for path in files:
        doc = json.loads(path.read_text(encoding="utf-8"))
        for row in doc["data"]:
            expected[row["SBD"][:2]] += 1
            papers.update((row["SBD"][:2], s) for s in subjects if row[s] != -1)
        assert read(
            settings,
            "select expected_max_no, stated_records, stated_coverage from core_exam__files"
            f" where council_code = '{doc['province_code']}' and year = 2025",
        ) == [(doc["expected_max_sbd"], doc["total_records"], doc["coverage_percentage"])]
    counted = read(settings, "select council_code, count(*) from core_exam__candidates group by 1")
    assert dict(counted) == expected
    by_subject = read(
        settings,
        "select c.council_code, s.subject, count(*) from core_exam__scores s"
        " join core_exam__candidates c using (year, candidate_no) group by all",
    )
    assert {(c, s): n for c, s, n in by_subject} == papers
    assert read(settings, "select distinct kind, year(finished_at) > 2000 from ingest_runs") == [
        ("exam", True)
    ]
    # a Cao Bằng candidate (council 06) is in GSO province 04; Toán 1.6 kept to the hundredth
    assert read(
        settings,
        "select province_code_legacy, score from core_exam__candidates"
        " join core_exam__scores using (year, candidate_no)"
        " where candidate_no = '06000001' and subject = 'TOAN'",
    ) == [("04", Decimal("1.60"))]


def test_each_reject_names_file_row_column_and_why(settings: Settings, tmp_path: Path) -> None:
    rows = [
        candidate("06000001"),
        candidate("20000001"),  # council 20 is not in the catalog
        candidate("06000002", TOAN=10.5),
        candidate("06000003", VAN=6.123),
        candidate("06000004"),
        candidate("06000004", VAN=5),
        candidate("06000005", TinhId=7),
        candidate("06000006", MA_MON_NGOAI_NGU="N9", NGOAI_NGU=5),
        candidate("0600007"),
    ]
    [report] = load(settings, write_json(tmp_path / "crafted.json", rows))
    assert (report.rows_read, report.accepted, report.rejected) == (9, 1, 8)
    conn = db.connect_published(settings)
    found = describe(
        db.query(conn, "queries/rejects", settings, run_id=None, schools=None, account=None)
    )
    conn.close()
    got = {
        (r["source_row"], r["column_name"], r["rule"]): r["message_vi"]
        for r in found.iter_rows(named=True)
    }
    assert set(found["file_name"]) == {"crafted.json"}
    assert set(got) == {
        (2, "SBD", "exam_unknown_council"),
        (3, "TOAN", "exam_score_range"),
        (4, "VAN", "exam_score_resolution"),
        (5, "SBD", "exam_duplicate_candidate"),
        (6, "SBD", "exam_duplicate_candidate"),
        (7, "TinhId", "exam_council_mismatch"),
        (8, "MA_MON_NGOAI_NGU", "exam_unknown_language"),
        (9, "SBD", "exam_candidate_no"),
    }
    assert "hội đồng thi mã 20" in got[(2, "SBD", "exam_unknown_council")]
    assert "Toán" in got[(3, "TOAN", "exam_score_range")]
    assert "0,01" in got[(4, "VAN", "exam_score_resolution")]
    assert "dòng 5, 6" in got[(5, "SBD", "exam_duplicate_candidate")]
    assert "(06)" in got[(7, "TinhId", "exam_council_mismatch")]
    assert read(settings, "select candidate_no from core_exam__candidates") == [("06000001",)]
    # the command a user reads them with names file, row, column and why
    out = run_ioc(settings, "rejects", "--lang", "en").stdout
    assert "crafted.json, row 3, column TOAN" in out and "from 0 to 10" in out


def _write_xlsx(path: Path, rows: list[list[Any]], *, merged: bool = False) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Kết quả")
    sheet.write(0, 0, "KẾT QUẢ THI TỐT NGHIỆP THPT")
    if merged:  # "Điểm thi" over the subjects, "SBD" over two rows
        sheet.merge_range("A2:A3", "SBD")
        sheet.merge_range("B2:C2", "Điểm thi")
        sheet.write_row(2, 1, ["Toán", "Ngữ văn"])
    else:
        for r, row in enumerate(rows, start=1):
            sheet.write_row(r, 0, row)
    book.close()
    return path


def test_unreadable_files_are_failed_runs_and_change_nothing(
    settings: Settings, tmp_path: Path
) -> None:
    load(settings, write_json(tmp_path / "good.json", [candidate("06000001")]))
    builds = read(settings, "select * from meta__builds")
    formula = tmp_path / "formula.xlsx"
    book = xlsxwriter.Workbook(str(formula))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["SBD", "Toán", "Ngữ văn"])
    sheet.write_row(1, 0, ["06000009", 7])
    sheet.write_formula(1, 2, '=HYPERLINK("http://example.invalid","7.5")', None, 7.5)
    book.close()
    bad = {
        "empty.csv": (tmp_path / "empty.csv", "file_empty"),
        "cp1258.csv": (tmp_path / "cp1258.csv", "not_utf8"),
        "merged.xlsx": (
            _write_xlsx(tmp_path / "merged.xlsx", [], merged=True),
            "exam_merged_cells",
        ),
        "formula.xlsx": (formula, "exam_formula_cell"),
        "formula.csv": (tmp_path / "formula.csv", "exam_formula_cell"),
        "broken.json": (tmp_path / "broken.json", "exam_json_invalid"),
    }
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "cp1258.csv").write_bytes("SBD,Toán\n06000009,7\n".encode("cp1258"))
    write_csv(tmp_path / "formula.csv", [["SBD", "Toán"], ["06000009", '=HYPERLINK("x","9")']])
    (tmp_path / "broken.json").write_text('{"data": [{"SBD": "06000009"', encoding="utf-8")
    reports = load(settings, *(p for p, _ in bad.values()), year=2025)
    assert [(r.status, r.message_code) for r in reports] == [
        ("failed", code) for _, code in bad.values()
    ]
    assert "C2" in (reports[3].message or "") and "HYPERLINK" in (reports[3].message or "")
    big = Settings(data_dir=settings.data_dir, max_file_bytes=64)
    [huge] = load(big, write_json(tmp_path / "huge.json", [candidate("06000009")] * 3))
    assert (huge.status, huge.message_code, huge.refused_by) == (
        "failed",
        "file_too_large",
        "IOC_MAX_FILE_BYTES",
    )
    assert read(settings, "select * from meta__builds") == builds
    assert read(settings, "select candidate_no from core_exam__candidates") == [("06000001",)]
    failed = read(settings, "select kind, status from ingest_runs where status = 'failed'")
    assert failed == [("exam", "failed")] * (len(bad) + 1)


def test_a_csv_without_year_is_refused(settings: Settings, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "r.csv", [["SBD", "Toán"], ["06000001", "7"]])
    [report] = load(settings, path)
    assert (report.status, report.message_code) == ("failed", "exam_no_year")
    assert "--year 2025" in (report.message or "")


def test_loading_a_council_again_replaces_it(settings: Settings, tmp_path: Path) -> None:
    first = load(
        settings,
        real(EXAMS / "exam_results_06.json"),
        real(EXAMS / "exam_results_07.json"),
    )
    rows = [candidate("06000001", TOAN=9), candidate("06900000")]
    [again] = load(settings, write_json(tmp_path / "06.json", rows, expected_max_sbd=900))
    assert (again.accepted, again.replaced) == (2, first[0].accepted)
    counts = read(settings, "select council_code, count(*) from core_exam__candidates group by 1")
    assert dict(counts) == {"06": 2, "07": first[1].accepted}
    assert read(
        settings, "select count(*) from core_exam__scores where candidate_no like '06%'"
    ) == [(4,)]
    assert read(
        settings, "select expected_max_no, run_id from core_exam__files where council_code = '06'"
    ) == [(900, again.run_id)]
    assert read(settings, "select rows_replaced from ingest_runs order by run_id") == [
        (0,),
        (0,),
        (first[0].accepted,),
    ]


def _snapshot(settings: Settings) -> tuple[list[Any], list[Any]]:
    return (
        read(
            settings,
            "select candidate_no, council_code, province_code_legacy, foreign_language"
            " from core_exam__candidates order by 1",
        ),
        read(settings, "select candidate_no, subject, score from core_exam__scores order by 1, 2"),
    )


def test_csv_and_xlsx_with_vietnamese_headers_load_as_the_json(tmp_path: Path) -> None:
    doc = real_results("11")
    subjects = load_exam_catalog().subjects
    head = ["Số báo danh", "Mã hội đồng", *(s.vi for s in subjects), "Mã môn ngoại ngữ"]

    def row(r: dict[str, Any], blank: Any) -> list[Any]:
        scores = [blank if r[s.code] == -1 else r[s.code] for s in subjects]
        return [r["SBD"], f"{r['TinhId']:02d}", *scores, r["MA_MON_NGOAI_NGU"]]

    text = [head, *(row(r, "") for r in doc["data"])]
    with (tmp_path / "r.csv").open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh, delimiter=";").writerows([[str(c) for c in r] for r in text])
    _write_xlsx(tmp_path / "r.xlsx", [head, *(row(r, -1) for r in doc["data"])])
    got = {}
    for name in ("r.json", "r.csv", "r.xlsx"):
        where = Settings(data_dir=tmp_path / f"data-{name}")
        path = real(EXAMS / "exam_results_11.json") if name == "r.json" else tmp_path / name
        [report] = load(where, path, year=2025)
        assert (report.status, report.accepted) == ("loaded", len(doc["data"]))
        got[name] = _snapshot(where)
    assert got["r.csv"] == got["r.json"]
    assert got["r.xlsx"] == got["r.json"]


def test_registrations_link_candidates_and_reject_unknown_schools(
    settings: Settings, tmp_path: Path
) -> None:
    returns = write_csv(tmp_path / "returns.csv", table_rows())
    assert ingest([returns], period="2024-2025/DN", settings=settings)[0].status == "loaded"
    results = write_json(tmp_path / "r.json", [candidate("06000001"), candidate("06000002")])
    links = write_csv(
        tmp_path / "links.csv",
        [
            ["Số báo danh", "Mã trường"],
            ["06000001", "94100001"],
            ["06000002", "99999999"],
        ],
    )
    reports = load(settings, results, registrations=[links])
    assert [(r.status, r.accepted, r.rejected) for r in reports] == [
        ("loaded", 2, 0),
        ("loaded", 1, 1),
    ]
    assert read(
        settings, "select year, candidate_no, school_code from core_exam__registrations"
    ) == [(2025, "06000001", "94100001")]
    assert read(settings, "select rule, column_name, value, source_row from ingest_rejects") == [
        ("exam_unknown_school", "Mã trường [2]", "99999999", 3)
    ]
    assert read(settings, "select kind from ingest_runs where run_id > 1 order by run_id") == [
        ("exam",),
        ("exam_registrations",),
    ]


def test_the_command_loads_and_says_what_it_did(settings: Settings, tmp_path: Path) -> None:
    path = write_json(tmp_path / "r.json", [candidate("06000001"), candidate("06000001")])
    done = run_ioc(settings, "exams", "ingest", str(path), "--json")
    [report] = json.loads(done.stdout)
    assert (report["status"], report["rejected"], report["accepted"]) == ("loaded", 2, 0)
    failed = run_ioc(settings, "exams", "ingest", str(tmp_path / "none.json"), check=False)
    assert failed.returncode == 1
