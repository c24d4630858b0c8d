"""Exam results of the demo's three councils, loaded through the real pipeline (`ioc exams
ingest` with a registration file: ingest, then the statistics' rebuild) into a copy of the
demo snapshot, for the tests of what reads the ``out_exam__*`` tables (the API, the
workbook).

Candidates of four councils with seeded random scores, on the Ministry's grids: Cần Thơ
(55), Sóc Trăng (59) and Hậu Giang (64), the three predecessors of the 2025 city of Cần Thơ
(92), whose candidates are registered at the demo registry's upper-secondary schools, and
Cao Bằng (06), not linked. The first school of each linked council scores far above the
others (an outlier school)."""

from __future__ import annotations

import csv
import random
import shutil
from pathlib import Path

import duckdb

from ioc.config import Settings
from tests.conftest import run_ioc

YEAR = 2025
COUNCILS = {"55": "92", "59": "94", "64": "93", "06": "04"}  # council -> old province
SUBJECTS = {"TOAN": "Toán", "VAN": "Ngữ văn", "NGOAI_NGU": "Ngoại ngữ", "LI": "Vật lí",
            "HOA": "Hóa học", "SU": "Lịch sử", "DIA": "Địa lí"}  # fmt: skip
CANDIDATES = 300  # per council


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def exam_snapshot(demo: Settings, where: Path) -> Settings:
    """A copy of the demo data under ``where`` with the exam results of :data:`YEAR` loaded."""
    data = where / "data"
    shutil.copytree(demo.data_dir, data)
    settings = Settings(data_dir=data)
    # only the councils below: the demo's own exam results go (the real provinces among them
    # are there only when the shared files are beside the repository)
    with duckdb.connect(str(settings.published_db)) as conn:
        for (table,) in conn.execute("select table_name from duckdb_tables()").fetchall():
            if table.startswith("core_exam__"):
                conn.execute(f"delete from {table}")
    with duckdb.connect(str(settings.published_db), read_only=True) as conn:
        schools = conn.execute(
            "select school_code, province_code_legacy from core_school__registry "
            "where level = 'THPT' order by school_code"
        ).fetchall()
    rng = random.Random(20)
    results, registrations = [], []
    for council, province in COUNCILS.items():
        local = [code for code, where_ in schools if where_ == province]
        skill = {"92": 6.6, "93": 6.1, "94": 5.9, "04": 5.4}[province]
        for n in range(1, CANDIDATES + 1):
            number = f"{council}{n:06d}"
            school = rng.choice(local) if local else None
            if school:
                registrations.append([number, school])
            ability = rng.gauss(skill + (0.8 if school and school[-1] in "13" else 0), 1.3)
            if school is not None and school == local[0]:
                ability = 9.5  # far above the other schools: an outlier school
            social = rng.random() < 0.5
            scores = []
            for subject in SUBJECTS:
                if subject in (("LI", "HOA") if social else ("SU", "DIA")):
                    scores.append("-1")
                    continue
                step = 0.25 if subject == "VAN" else 0.05
                score = min(10.0, max(0.0, round(rng.gauss(ability, 1.4) / step) * step))
                scores.append(f"{score:.2f}")
            results.append([number, *scores, "N1"])
    header = ["SBD", *SUBJECTS.values(), "Mã môn ngoại ngữ"]
    papers = _write(where / "ket-qua-thi.csv", header, results)
    linked = _write(where / "dang-ky-du-thi.csv", ["SBD", "Mã trường"], registrations)
    run_ioc(
        settings, "exams", "ingest", str(papers), "--year", str(YEAR),
        "--registrations", str(linked),
    )  # fmt: skip
    return settings
