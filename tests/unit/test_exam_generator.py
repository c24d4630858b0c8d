"""The generator of exam results (ingest/demo/exams.py): deterministic by seed, the Ministry's
JSON form as the shared files have it, distributions like the real 2025 results, and files
the exam reader and row rules accept whole (no rejects; the rare averaged Ngữ văn re-mark
is only warned about)."""

from __future__ import annotations

import functools
import json
import random
import statistics
from collections import Counter
from decimal import Decimal
from pathlib import Path

import polars as pl

from ingest.demo.exams import (
    NOT_TAKEN,
    PAPERS,
    _score,
    demo_council,
    generate_council,
    write_registrations,
    write_results,
)
from ingest.demo.population import population
from ingest.exams.read import read_registrations, read_results
from ingest.exams.validate import check_registrations, check_results
from ioc.config import Settings
from ioc.exams.catalog import load_exam_catalog

HEAD = {
    "province_code", "province_name", "total_records", "expected_max_sbd",
    "coverage_percentage", "export_time",
}  # fmt: skip


@functools.cache
def big() -> list[dict[str, object]]:
    return generate_council("01", 3, unlinked=20_000).rows


def test_the_same_seed_gives_the_same_file_and_another_seed_another() -> None:
    one = generate_council("06", 7, schools=[("04101401", 300, 0.2)], unlinked=50)
    assert one == generate_council("06", 7, schools=[("04101401", 300, 0.2)], unlinked=50)
    assert one.rows != generate_council("06", 8, schools=[("04101401", 300, 0.2)]).rows


def test_the_ministrys_form() -> None:
    found = generate_council("06", 1, schools=[("04101401", 900, 0.0)], unlinked=100)
    assert set(found.head) == HEAD
    assert found.head["province_name"] == load_exam_catalog().councils["06"].name
    numbers = [r["SBD"] for r in found.rows]
    assert numbers == sorted(set(numbers)) and all(n[:2] == "06" and len(n) == 8 for n in numbers)
    assert found.head["total_records"] == len(found.rows) == 1000
    assert found.head["expected_max_sbd"] == int(numbers[-1][2:]) >= 1000
    coverage = 100 * 1000 / found.head["expected_max_sbd"]
    assert found.head["coverage_percentage"] == round(coverage, 2)
    keys = [s.headers[0] for s in load_exam_catalog().subjects]
    assert set(PAPERS) == {s.code for s in load_exam_catalog().subjects}
    for row in found.rows:
        assert list(row) == ["SBD", "TinhId", *PAPERS, "MA_MON_NGOAI_NGU"]
        assert row["TinhId"] == 6 and set(keys) <= set(row)
        assert (row["NGOAI_NGU"] == NOT_TAKEN) == (row["MA_MON_NGOAI_NGU"] == "")
    linked = [n for n, school in found.registrations if school == "04101401"]
    assert linked == numbers[:900] and len(found.registrations) == 900


def test_scores_lie_on_the_papers_grids() -> None:
    grids = {s.code: s.grid for s in load_exam_catalog().subjects}
    off_grid: Counter[str] = Counter()
    for row in big():
        for subject in PAPERS:
            score = row[subject]
            if score == NOT_TAKEN:
                continue
            value = Decimal(str(score))
            assert 0 <= value <= 10 and value % Decimal("0.01") == 0
            if value % grids[subject]:
                off_grid[subject] += 1
    assert set(off_grid) == {"VAN"} and 0 < off_grid["VAN"] < 0.005 * len(big())


def test_subject_choices_and_score_shapes_look_like_2025() -> None:
    rows = big()
    taken = {s: [float(r[s]) for r in rows if r[s] != NOT_TAKEN] for s in PAPERS}  # type: ignore[arg-type]
    share = {s: len(v) / len(rows) for s, v in taken.items()}
    assert share["TOAN"] > 0.95 and share["VAN"] > 0.97
    assert (
        0.15 < share["NGOAI_NGU"] < 0.40 and share["SU"] > 0.3 and share["GIAO_DUC_CONG_DAN"] < 0.01
    )
    papers = Counter(sum(r[s] != NOT_TAKEN for s in PAPERS) for r in rows)
    assert papers[4] / len(rows) > 0.9 and 0 < papers[6] / len(rows) < 0.01
    languages = Counter(r["MA_MON_NGOAI_NGU"] for r in rows if r["MA_MON_NGOAI_NGU"])
    assert languages["N1"] / sum(languages.values()) > 0.9 and set(languages) <= {
        f"N{i}" for i in range(1, 8)
    }
    assert 4.0 < statistics.mean(taken["TOAN"]) < 5.5 < statistics.mean(taken["SU"]) < 7.5
    assert 6.0 < statistics.mean(taken["VAN"]) < 7.5
    for subject in ("TOAN", "VAN", "LI", "SU"):
        assert 1.0 < statistics.pstdev(taken[subject]) < 2.0, subject
    failing = sum(v <= 1.0 for v in taken["TOAN"]) / len(taken["TOAN"])
    assert 0.0005 < failing < 0.01


def test_files_pass_the_exam_reader_and_rules_without_a_reject(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    found = demo_council("93")
    path = write_results(found, tmp_path / "results.json")
    assert json.loads(path.read_text(encoding="utf-8"))["total_records"] == len(found.rows)
    read = read_results(path, settings)
    checked = check_results(read.rows, load_exam_catalog())
    assert checked.rejects.is_empty()
    assert checked.accepted.height == len(found.rows)
    assert set(checked.warnings["rule"].to_list()) <= {"exam_off_grid"}
    listing = write_registrations(found.registrations, tmp_path / "registrations.csv")
    schools = [s.code for s in population(94, "93")[0] if s.level == "THPT"]
    linked = check_registrations(read_registrations(listing, settings).rows, pl.Series(schools))
    assert linked.rejects.is_empty() and linked.accepted.height == len(found.registrations)
    assert {school for _, school in found.registrations} == set(schools)
    free = len(found.rows) - len(found.registrations)
    assert 0.01 < free / len(found.rows) < 0.05


def test_the_best_essays_stay_within_ten_when_re_marked() -> None:
    rng = random.Random(5)
    marks = [_score(rng, "VAN", 6.0) for _ in range(30_000)]  # the best candidates
    assert max(marks) <= 1000 and any(m % 25 for m in marks)  # some re-marked off the grid
