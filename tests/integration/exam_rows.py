"""Exam figures written straight into the ``out_exam__*`` tables of a demo snapshot, for the
tests of what reads them (the API, the workbook) independently of the statistics' build.

Candidates of four councils with seeded random scores: Cần Thơ (55), Sóc Trăng (59) and
Hậu Giang (64), the three predecessors of the 2025 city of Cần Thơ (92), whose candidates are
linked to the demo registry's upper-secondary schools, and Cao Bằng (06), unlinked. The
figures are computed here with Polars from those papers, so that they hang together (a
spectrum sums to its papers), whatever the real build would make of them."""

from __future__ import annotations

import random
from pathlib import Path

import duckdb
import polars as pl

YEAR = 2025
COUNCILS = {"55": "92", "59": "94", "64": "93", "06": "04"}  # council -> old province
SUCCESSOR = {"92": "92", "93": "92", "94": "92", "04": "04"}  # old province -> 2025 province
SUBJECTS = ["TOAN", "VAN", "NGOAI_NGU", "LI", "HOA", "SU", "DIA"]
COMBINATIONS = {
    "A00": ["TOAN", "LI", "HOA"],
    "A01": ["TOAN", "LI", "NGOAI_NGU"],
    "C00": ["VAN", "SU", "DIA"],
    "D01": ["TOAN", "VAN", "NGOAI_NGU"],
}
STAT_COLUMNS = ["candidates", "mean", "median", "sd", "ge5", "ge8", "eq10", "failing", "off_grid"]


def _papers(conn: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One row per paper: candidate, council, old and new province, school and its places."""
    schools = conn.sql(
        "select school_code, province_code_legacy, district_code_legacy, commune_code_2025 "
        "from core_school__registry where level = 'THPT' order by school_code"
    ).pl()
    rng = random.Random(20)
    rows = []
    for council, province in COUNCILS.items():
        local = schools.filter(pl.col("province_code_legacy") == province).to_dicts()
        skill = {"92": 6.6, "93": 6.1, "94": 5.9, "04": 5.4}[province]
        for n in range(1, 301):
            school = rng.choice(local) if local else None
            ability = rng.gauss(skill, 1.3) + (
                0.8 if school and school["school_code"][-1] in "13" else 0
            )
            social = rng.random() < 0.5
            for subject in SUBJECTS:
                if subject in (("LI", "HOA") if social else ("SU", "DIA")):
                    continue
                score = min(10.0, max(0.0, round(rng.gauss(ability, 1.4) / 0.25) * 0.25))
                rows.append(
                    {
                        "candidate_no": f"{council}{n:06d}",
                        "council_code": council,
                        "legacy": province,
                        "new": SUCCESSOR[province],
                        "school": school and school["school_code"],
                        "district": school and school["district_code_legacy"],
                        "commune": school and school["commune_code_2025"],
                        "subject": subject,
                        "score": score,
                    }
                )
    return pl.DataFrame(rows)


def _stats(papers: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    s = pl.col("score")
    return papers.group_by(keys).agg(
        pl.len().cast(pl.Int32).alias("candidates"),
        s.mean().alias("mean"),
        s.median().alias("median"),
        s.std(ddof=0).alias("sd"),
        (s >= 5).sum().cast(pl.Int32).alias("ge5"),
        (s >= 8).sum().cast(pl.Int32).alias("ge8"),
        (s == 10).sum().cast(pl.Int32).alias("eq10"),
        (s <= 1).sum().cast(pl.Int32).alias("failing"),
        pl.lit(0, pl.Int32).alias("off_grid"),
    )


def _units(papers: pl.DataFrame) -> pl.DataFrame:
    """Each paper once per unit it counts in: (scheme, level, unit_code)."""
    linked = papers.filter(pl.col("school").is_not_null())
    parts = [
        papers.with_columns(scheme=pl.lit("legacy"), level=pl.lit("province"), unit_code="legacy"),
        papers.with_columns(scheme=pl.lit("2025"), level=pl.lit("province"), unit_code="new"),
        linked.with_columns(
            scheme=pl.lit("legacy"), level=pl.lit("district"), unit_code="district"
        ),
        linked.with_columns(scheme=pl.lit("2025"), level=pl.lit("commune"), unit_code="commune"),
        linked.with_columns(scheme=pl.lit("legacy"), level=pl.lit("school"), unit_code="school"),
        linked.with_columns(scheme=pl.lit("2025"), level=pl.lit("school"), unit_code="school"),
    ]
    return pl.concat(parts, how="vertical_relaxed")


def _combinations(papers: pl.DataFrame) -> pl.DataFrame:
    """Per candidate and combination: the total of its three papers (all three sat)."""
    frames = []
    for code, subjects in COMBINATIONS.items():
        frames.append(
            papers.filter(pl.col("subject").is_in(subjects))
            .group_by("candidate_no")
            .agg(pl.len().alias("n"), pl.col("score").sum().alias("score"))
            .filter(pl.col("n") == 3)
            .select("candidate_no", pl.lit(code).alias("subject"), "score")
        )
    totals = pl.concat(frames)
    places = papers.select(pl.exclude("subject", "score")).unique("candidate_no")
    return totals.join(places, on="candidate_no")


def fill(db_path: Path) -> None:
    """Write the exam tables of :data:`YEAR` into the snapshot at ``db_path``."""
    with duckdb.connect(str(db_path)) as conn:
        papers = _papers(conn)
        keys = ["scheme", "level", "unit_code", "subject"]
        by_unit = _units(papers)
        stats = _stats(by_unit, keys).with_columns(year=pl.lit(YEAR, pl.Int16))
        totals = _units(_combinations(papers))
        score = pl.col("score")
        combos = totals.group_by(keys).agg(
            pl.len().cast(pl.Int32).alias("candidates"),
            score.mean().alias("mean"),
            score.median().alias("median"),
            score.std(ddof=0).alias("sd"),
            (score >= 15).sum().cast(pl.Int32).alias("ge15"),
            (score >= 24).sum().cast(pl.Int32).alias("ge24"),
        )
        combos = combos.rename({"subject": "combination"}).with_columns(year=pl.lit(YEAR, pl.Int16))
        bins = pl.concat([by_unit.select(totals.columns), totals], how="vertical_relaxed")
        bins = bins.with_columns(bin_from=(pl.col("score") / 0.25).floor() * 0.25)
        spectrum = (
            bins.group_by([*keys, "bin_from"])
            .agg(pl.len().cast(pl.Int32).alias("papers"))
            .with_columns(year=pl.lit(YEAR, pl.Int16))
        )
        provinces = stats.filter(pl.col("level") == "province")
        everything = (
            by_unit.filter(pl.col("level") == "province")
            .group_by("scheme", "unit_code")
            .agg(pl.col("score").mean().alias("mean"))
            .with_columns(subject=pl.lit("*"))
        )
        ranked = pl.concat(
            [
                provinces.select("scheme", "unit_code", "subject", "mean"),
                everything.select("scheme", "unit_code", "subject", "mean"),
            ],
            how="vertical_relaxed",
        ).with_columns(
            rank=pl.col("mean")
            .rank("min", descending=True)
            .over("scheme", "subject")
            .cast(pl.Int32),
            ranked=pl.len().over("scheme", "subject").cast(pl.Int32),
            year=pl.lit(YEAR, pl.Int16),
        )
        councils = papers.group_by("council_code", "legacy", "new").agg(
            pl.col("candidate_no").n_unique().alias("candidates"),
            pl.col("candidate_no")
            .filter(pl.col("school").is_not_null())
            .n_unique()
            .alias("linked"),
            pl.col("candidate_no").str.slice(2).cast(pl.Int32).max().alias("highest_no"),
        )
        conn.register("stats", stats)
        conn.register("combos", combos)
        conn.register("spectrum_rows", spectrum)
        conn.register("ranked", ranked)
        conn.register("councils", councils)
        conn.execute(
            f"""
            insert into out_exam__subject_stats by name select * from stats;
            insert into out_exam__combination_stats by name select * from combos;
            insert into out_exam__spectrum by name select * from spectrum_rows;
            insert into out_exam__ranks by name select * from ranked;
            insert into out_exam__province_councils by name
                select {YEAR} as year, 'legacy' as scheme, legacy as unit_code, council_code,
                    legacy as predecessor_code, true as present, candidates from councils
                union all
                select {YEAR}, '2025', new, council_code, legacy, true, candidates from councils;
            insert into out_exam__quality by name
                select {YEAR} as year, council_code, legacy as province_code_legacy,
                    candidates, highest_no, 50000 as expected_max_no,
                    round(100.0 * candidates / 50000, 2) as stated_coverage, linked
                from councils;
            insert into out_exam__school_outliers by name
                select year, unit_code as school_code, subject, candidates as papers, mean,
                    5.0 as province_mean, 3.5 as z
                from stats where level = 'school' and scheme = 'legacy'
                order by unit_code, subject limit 2;
            """
        )
