"""The exam statistics (ioc.exams.stats.rebuild, ioc.exams.summary, ``ioc exams summary``)
against figures computed here with Python's statistics module from the four shared 2025
files, loaded straight into core_exam__* (no reader involved), with a small registry and
registration list made here to link candidates to schools."""

from __future__ import annotations

import json
import math
import statistics
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest

from ioc import db
from ioc.config import Settings
from ioc.exams.catalog import load_exam_catalog
from ioc.exams.stats import rebuild
from ioc.exams.summary import summary
from ioc.geo.admin import province_successors, units
from tests.conftest import run_ioc
from tests.real_data import EXAMS, real

YEAR = 2025
COUNCILS = ("06", "07", "11", "36")  # Cao Bằng, Lai Châu, Bắc Kạn, Kon Tum
STEP = Decimal("0.25")
CATALOG = load_exam_catalog()
SUBJECTS = [s.code for s in CATALOG.subjects]
# the schools made here: code -> (old district, 2025 commune, old province, 2025 province)
PLACES = {
    "CB": ("040", "01273", "04", "04"),  # Cao Bằng, district 040
    "CB_OTHER": ("042", "01290", "04", "04"),
    "LC": ("105", "03388", "12", "12"),  # Lai Châu
}
OUTLIER = "LC000099"
# settings, the JSON files by council, candidate -> (school, place key), a reader
Loaded = tuple[Settings, dict[str, Any], dict[str, tuple[str, str]], duckdb.DuckDBPyConnection]


def _files() -> dict[str, dict[str, Any]]:
    return {
        c: json.loads(real(EXAMS / f"exam_results_{c}.json").read_text(encoding="utf-8"))
        for c in COUNCILS
    }


def _links(files: dict[str, dict[str, Any]]) -> dict[str, tuple[str, str]]:
    """candidate number -> (school code, place key). Cao Bằng: a big and a small school in
    one district (unequal means, so a mean of school means would differ from the district's
    mean), one in another district; Lai Châu: 20 schools of 30 candidates in number order,
    and one of the 30 best at mathematics (the planted outlier)."""
    links: dict[str, tuple[str, str]] = {}
    cao_bang = sorted(r["SBD"] for r in files["06"]["data"])
    for number in cao_bang[:1000]:
        links[number] = ("CB000001", "CB")
    for number in cao_bang[1000:1100]:
        links[number] = ("CB000002", "CB")
    for number in cao_bang[1100:1300]:
        links[number] = ("CB000003", "CB_OTHER")
    lai_chau = sorted(files["07"]["data"], key=lambda r: r["SBD"])
    for i, r in enumerate(lai_chau[:600]):
        links[r["SBD"]] = (f"LC{i // 30:06d}", "LC")
    best = sorted(lai_chau[600:], key=lambda r: -r["TOAN"])[:30]
    for r in best:
        links[r["SBD"]] = (OUTLIER, "LC")
    return links


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loaded]:
    """A published snapshot holding the four councils' candidates, the registry and the
    registrations, and the statistics rebuilt; a connection reading it."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("exams") / "data")
    files = _files()
    links = _links(files)
    candidates, scores, stated = [], [], []
    for council, file in files.items():
        stated.append(
            (YEAR, council, 1, file["expected_max_sbd"], file["total_records"],
             file["coverage_percentage"])
        )  # fmt: skip
        for r in file["data"]:
            language = r["MA_MON_NGOAI_NGU"] or None
            candidates.append((YEAR, r["SBD"], council, CATALOG.province_of(council), language, 1))
            scores += [(YEAR, r["SBD"], s, float(r[s])) for s in SUBJECTS if r[s] != -1]
    schools = sorted({(code, key) for code, key in links.values()})
    with db.writer(settings) as conn:
        db.insert_frame(conn, "core_geo__units", units())
        _insert(conn, "core_exam__candidates", candidates,
                ["year", "candidate_no", "council_code", "province_code_legacy",
                 "foreign_language", "run_id"])  # fmt: skip
        _insert(conn, "core_exam__scores", scores, ["year", "candidate_no", "subject", "score"])
        _insert(conn, "core_exam__files", stated,
                ["year", "council_code", "run_id", "expected_max_no", "stated_records",
                 "stated_coverage"])  # fmt: skip
        _insert(conn, "core_exam__registrations",
                [(YEAR, n, code, 2) for n, (code, _) in links.items()],
                ["year", "candidate_no", "school_code", "run_id"])  # fmt: skip
        conn.execute(
            "create table core_school__registry (school_code varchar, school_name varchar, "
            "province_code_legacy varchar, district_code_legacy varchar, "
            "province_code_2025 varchar, commune_code_2025 varchar)"
        )
        conn.executemany(
            "insert into core_school__registry values (?, ?, ?, ?, ?, ?)",
            [
                (code, f"Trường {code}", PLACES[key][2], PLACES[key][0], PLACES[key][3],
                 PLACES[key][1])
                for code, key in schools
            ],
        )  # fmt: skip
        rebuild(conn, settings, [YEAR])
    reader = db.connect_published(settings)
    yield settings, files, links, reader
    reader.close()


def _insert(conn: duckdb.DuckDBPyConnection, table: str, rows: list, columns: list[str]) -> None:
    db.insert_frame(conn, table, pl.DataFrame(rows, schema=columns, orient="row"))


def _rows(conn: duckdb.DuckDBPyConnection, statement: str, *params: Any) -> list[dict[str, Any]]:
    return conn.sql(statement, params=list(params)).pl().to_dicts()


def _expected(values: list[Decimal]) -> dict[str, Any]:
    """What the statistics of these papers (or totals) are, by the statistics module."""
    floats = [float(v) for v in values]
    spectrum: dict[Decimal, int] = defaultdict(int)
    for v in values:
        spectrum[(v / STEP).to_integral_value(rounding="ROUND_FLOOR") * STEP] += 1
    return {
        "candidates": len(values),
        "mean": statistics.fmean(floats),
        "median": statistics.median(floats),
        "sd": statistics.pstdev(floats),
        "ge5": sum(v >= 5 for v in values),
        "ge8": sum(v >= 8 for v in values),
        "eq10": sum(v == 10 for v in values),
        "failing": sum(v <= 1 for v in values),
        "ge15": sum(v >= 15 for v in values),
        "ge24": sum(v >= 24 for v in values),
        "spectrum": dict(spectrum),
    }


def _papers(records: list[dict[str, Any]]) -> dict[str, list[Decimal]]:
    """Per subject, then per combination (its totals), the papers of these candidates."""
    out: dict[str, list[Decimal]] = defaultdict(list)
    for r in records:
        score = {s: Decimal(str(r[s])) for s in SUBJECTS if r[s] != -1}
        for s, v in score.items():
            out[s].append(v)
        for c in CATALOG.combinations:
            language_ok = c.language is None or r["MA_MON_NGOAI_NGU"] == c.language
            if language_ok and all(s in score for s in c.subjects):
                out[c.code].append(sum((score[s] for s in c.subjects), Decimal(0)))
    return out


def _stats(
    conn: duckdb.DuckDBPyConnection, scheme: str, level: str, unit: str
) -> dict[str, dict[str, Any]]:
    subjects = _rows(
        conn,
        "select * from out_exam__subject_stats where scheme = ? and level = ? and unit_code = ?",
        scheme, level, unit,
    )  # fmt: skip
    combos = _rows(
        conn,
        "select *, combination as subject from out_exam__combination_stats "
        "where scheme = ? and level = ? and unit_code = ?",
        scheme, level, unit,
    )  # fmt: skip
    bins = _rows(
        conn,
        "select subject, bin_from, papers from out_exam__spectrum "
        "where scheme = ? and level = ? and unit_code = ?",
        scheme, level, unit,
    )  # fmt: skip
    found = {r["subject"]: {**r, "spectrum": {}} for r in [*subjects, *combos]}
    for b in bins:
        found[b["subject"]]["spectrum"][b["bin_from"]] = b["papers"]
    return found


def _check(found: dict[str, dict[str, Any]], records: list[dict[str, Any]]) -> None:
    expected = _papers(records)
    assert set(found) == set(expected)
    for subject, values in expected.items():
        want, got = _expected(values), found[subject]
        assert got["candidates"] == want["candidates"], subject
        for measure in ("mean", "median", "sd"):
            assert got[measure] == pytest.approx(want[measure], rel=1e-12, abs=1e-12), subject
        columns = ("ge15", "ge24") if subject not in SUBJECTS else ("ge5", "ge8", "eq10", "failing")
        for column in columns:
            assert got[column] == want[column], (subject, column)
        assert got["spectrum"] == want["spectrum"], subject
        assert sum(got["spectrum"].values()) == got["candidates"]


@pytest.mark.parametrize("council", COUNCILS)
def test_province_figures_are_those_of_its_candidates_papers(loaded, council) -> None:
    _, files, _, conn = loaded
    records = files[council]["data"]
    province = CATALOG.province_of(council)
    assert province is not None
    legacy = _stats(conn, "legacy", "province", province)
    _check(legacy, records)
    assert legacy["VAN"]["off_grid"] == sum(
        Decimal(str(r["VAN"])) % Decimal("0.25") != 0 for r in records if r["VAN"] != -1
    )
    # in the 2025 scheme the council counts in its province's successor (alone here)
    assert _stats(conn, "2025", "province", province_successors()[province]) == {
        s: {**row, "scheme": "2025", "unit_code": province_successors()[province]}
        for s, row in legacy.items()
    }


def test_combinations_in_english_count_only_n1_candidates(loaded) -> None:
    _, files, _, conn = loaded
    records = files["36"]["data"]
    stats = _stats(conn, "legacy", "province", "62")
    d01 = [r for r in records if min(r["TOAN"], r["VAN"], r["NGOAI_NGU"]) >= 0]
    assert any(r["MA_MON_NGOAI_NGU"] == "N4" for r in d01)  # the data holds other languages
    assert stats["D01"]["candidates"] == sum(r["MA_MON_NGOAI_NGU"] == "N1" for r in d01)


def test_ranks_of_the_four_provinces(loaded) -> None:
    _, files, _, conn = loaded
    for subject in [*SUBJECTS, "*"]:
        means = {}
        for council, file in files.items():
            values = [
                r[s] for r in file["data"] for s in SUBJECTS
                if r[s] != -1 and subject in ("*", s)
            ]  # fmt: skip
            if values:
                means[CATALOG.province_of(council)] = statistics.fmean(values)
        want = {p: 1 + sum(m > mean for m in means.values()) for p, mean in means.items()}
        got = _rows(
            conn,
            "select unit_code, rank, ranked, mean from out_exam__ranks "
            "where scheme = 'legacy' and subject = ?",
            subject,
        )
        assert {r["unit_code"]: r["rank"] for r in got} == want, subject
        assert {r["ranked"] for r in got} == {len(means)}
        for r in got:
            assert r["mean"] == pytest.approx(means[r["unit_code"]], rel=1e-12)
    toan_2025 = _rows(
        conn,
        "select unit_code, rank from out_exam__ranks where scheme = '2025' and subject = 'TOAN'",
    )
    toan_legacy = _rows(
        conn,
        "select unit_code, rank from out_exam__ranks where scheme = 'legacy' and subject = 'TOAN'",
    )
    successors = province_successors()
    assert {successors[r["unit_code"]]: r["rank"] for r in toan_legacy} == {
        r["unit_code"]: r["rank"] for r in toan_2025
    }


def test_2025_provinces_list_every_predecessor_council(loaded) -> None:
    _, files, _, conn = loaded
    rows = _rows(
        conn,
        "select unit_code, council_code, predecessor_code, present, candidates "
        "from out_exam__province_councils where scheme = '2025' order by all",
    )
    assert successors_of(rows, "19") == [("11", "06", True, 3340), ("12", "19", False, 0)]
    assert successors_of(rows, "51") == [("35", "51", False, 0), ("36", "62", True, 5308)]
    assert successors_of(rows, "04") == [("06", "04", True, len(files["06"]["data"]))]
    # Thái Nguyên's figures are Bắc Kạn's council's
    _check(_stats(conn, "2025", "province", "19"), files["11"]["data"])
    _check(_stats(conn, "2025", "province", "51"), files["36"]["data"])


def successors_of(rows: list[dict[str, Any]], province: str) -> list[tuple[Any, ...]]:
    return [
        (r["council_code"], r["predecessor_code"], r["present"], r["candidates"])
        for r in rows
        if r["unit_code"] == province
    ]


def test_school_district_and_commune_figures_from_linked_candidates(loaded) -> None:
    _, files, links, conn = loaded
    records = {r["SBD"]: r for file in files.values() for r in file["data"]}

    def linked(keep: Any) -> list[dict[str, Any]]:
        return [records[n] for n, link in links.items() if keep(link)]

    for code in ("CB000001", "CB000002", "CB000003", OUTLIER):
        school = linked(lambda link, code=code: link[0] == code)
        for scheme in ("legacy", "2025"):
            _check(_stats(conn, scheme, "school", code), school)
    district = linked(lambda link: link[1] == "CB")
    _check(_stats(conn, "legacy", "district", "040"), district)
    _check(_stats(conn, "2025", "commune", "01273"), district)
    _check(_stats(conn, "legacy", "district", "042"), linked(lambda link: link[1] == "CB_OTHER"))
    # the district's mean is its candidates' papers' mean, which is not its schools' mean
    found = _stats(conn, "legacy", "district", "040")["TOAN"]["mean"]
    schools = [
        _stats(conn, "legacy", "school", s)["TOAN"]["mean"] for s in ("CB000001", "CB000002")
    ]
    assert not math.isclose(found, statistics.fmean(schools), rel_tol=1e-6)


def test_quality_and_outlier_schools(loaded) -> None:
    _, files, links, conn = loaded
    quality = {r["council_code"]: r for r in _rows(conn, "select * from out_exam__quality")}
    assert set(quality) == set(COUNCILS)
    for council, file in files.items():
        q = quality[council]
        assert q["candidates"] == len(file["data"])
        assert q["highest_no"] == max(int(r["SBD"][2:]) for r in file["data"])
        assert q["expected_max_no"] == file["expected_max_sbd"]
        assert q["stated_coverage"] == file["coverage_percentage"]
        assert q["linked"] == sum(n[:2] == council for n in links)
    # outliers of mathematics in Lai Châu: z over the school means, population sd
    records = {r["SBD"]: r for r in files["07"]["data"]}
    papers: dict[str, list[float]] = defaultdict(list)
    for number, (school, _) in links.items():
        if number in records and records[number]["TOAN"] != -1:
            papers[school].append(records[number]["TOAN"])
    means = {s: statistics.fmean(v) for s, v in papers.items() if len(v) >= 10}
    centre, spread = statistics.fmean(means.values()), statistics.pstdev(means.values())
    want = {s for s, m in means.items() if abs(m - centre) >= 3 * spread}
    assert want == {OUTLIER}
    got = _rows(conn, "select school_code, z from out_exam__school_outliers where subject = 'TOAN'")
    assert {r["school_code"] for r in got} == want
    assert got[0]["z"] == pytest.approx((means[OUTLIER] - centre) / spread, rel=1e-9)


def test_summary_of_a_2025_province_and_a_school(loaded) -> None:
    settings, files, _, conn = loaded
    province = summary(conn, settings, unit="19", year=YEAR, scheme="2025")
    school = summary(conn, settings, unit="CB000002", year=YEAR, scheme="legacy", subject="TOAN")
    with pytest.raises(db.NotFound, match="2019"):
        summary(conn, settings, unit="62", year=2019, scheme="legacy")
    with pytest.raises(db.NotFound, match="neither"):
        summary(conn, settings, unit="XX000001", year=YEAR, scheme="legacy")
    json.dumps(province)  # JSON-ready
    assert province["unit"]["name"] == "Tỉnh Thái Nguyên"
    assert [(c["council_code"], c["present"]) for c in province["councils"]] == [
        ("11", True), ("12", False)
    ]  # fmt: skip
    toan = _expected(_papers(files["11"]["data"])["TOAN"])
    first = province["subjects"][0]
    assert (first["subject"], first["candidates"]) == ("TOAN", toan["candidates"])
    assert first["failing_pct"] == pytest.approx(100 * toan["failing"] / toan["candidates"])
    assert province["rank"]["ranked"] == 4
    assert [c["combination"] for c in province["combinations"]] == [
        "A00",
        "A01",
        "B00",
        "C00",
        "D01",
    ]
    assert school["unit"]["level"] == "school"
    assert [s["subject"] for s in school["subjects"]] == ["TOAN"]
    assert [c["combination"] for c in school["combinations"]] == ["A00", "A01", "B00", "D01"]
    assert school["councils"][0]["council_code"] == "06"
    assert school["rank"] is None
    legacy = summary(conn, settings, unit="62", year=YEAR, scheme="legacy", subject="TOAN")
    toan = _expected(_papers(files["36"]["data"])["TOAN"])
    spectrum = legacy["subjects"][0]["spectrum"]
    assert {Decimal(str(b["bin_from"])): b["papers"] for b in spectrum} == toan["spectrum"]


def test_ioc_exams_summary_prints_vietnamese_first(loaded) -> None:
    """The command prints what summary() says (--json prints it as it is)."""
    settings, files, _, _ = loaded
    text = run_ioc(settings, "exams", "summary", "--unit", "51", "--year", "2025").stdout
    assert "Tỉnh Quảng Ngãi (51, tỉnh/thành phố, 2025)" in text  # 2025: the default scheme
    assert "Xếp hạng điểm trung bình mọi bài thi: 2/4 tỉnh đã nạp" in text
    assert "Hội đồng thi: 35 TỈNH QUẢNG NGÃI (chưa nạp); 36 TỈNH KON TUM (5.308 thí sinh)" in text
    toan = _expected(_papers(files["36"]["data"])["TOAN"])
    mean = f"{toan['mean']:.2f}".replace(".", ",")
    assert any(line.startswith("│ Toán ") and mean in line for line in text.splitlines())


def test_province_successors() -> None:
    successors = province_successors()
    assert len(successors) == 63 and len(set(successors.values())) == 34
    assert (successors["06"], successors["62"], successors["04"]) == ("19", "51", "04")


def test_rebuilding_a_year_leaves_other_years_alone(loaded, tmp_path: Path) -> None:
    settings = loaded[0]
    copy = duckdb.connect(str(tmp_path / "copy.duckdb"))
    copy.execute(f"attach '{settings.published_db}' as published (read_only)")
    copy.execute("copy from database published to copy")
    copy.execute("detach published")
    copy.execute("use copy")
    before = copy.execute("select count(*) from out_exam__subject_stats").fetchall()
    copy.execute("update out_exam__subject_stats set year = 2024 where unit_code = '04'")
    rebuild(copy, settings, [YEAR])
    assert (
        copy.execute("select count(*) from out_exam__subject_stats where year = 2024").fetchall()[
            0
        ][0]
        > 0
    )
    assert (
        copy.execute("select count(*) from out_exam__subject_stats where year = 2025").fetchall()
        == before
    )
    rebuild(copy, settings)  # every year: 2024 is loaded no more
    assert copy.execute("select count(distinct year) from out_exam__subject_stats").fetchall() == [
        (1,)
    ]
    copy.close()
