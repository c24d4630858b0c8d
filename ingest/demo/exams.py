"""Synthetic results of the national graduation exam (thi tốt nghiệp THPT) in the Ministry's
JSON form (the shared files' shape, docs/exams.md), and the Department's registration list
(candidate number -> school) as CSV; deterministic by seed. The demo loads one council per
old province; the benchmark a national year (tests/bench/exams.py).

Shapes follow the real 2025 results (``../shared/data/real/exam_vn_2025/``): everyone sits
Toán and Ngữ văn and two electives (pairs as often as the real files choose them, science
pairs more often for stronger candidates); the foreign language is an elective, mostly
English (N1); a few candidates of the old programme sit six papers with Giáo dục công dân.
Each paper is drawn as the 2025 papers are scored: multiple-choice questions of 0.25, true /
false groups of four statements (0.1, 0.25, 0.5 or 1 point for 1-4 right), short answers;
Ngữ văn is an essay on the 0.25 grid with a rare averaged re-mark off it (6.66). A few
papers fail (≤ 1.0), a few candidates miss a paper, a few numbers are never used.
"""

from __future__ import annotations

import bisect
import csv
import functools
import json
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from typing import Any

from ingest.demo.headline import headline
from ingest.demo.population import School, population
from ingest.demo.provinces import ALL
from ioc.exams.catalog import load_exam_catalog

GENERATOR_VERSION = "2"  # bump when the output for a seed changes (the bench cache's key)
YEAR = 2025
NOT_TAKEN = -1
TF_POINTS = (0, 10, 25, 50, 100)  # hundredths for 0-4 right statements of a true/false group


@dataclass(frozen=True)
class Paper:
    """How a subject's paper is scored (hundredths) and how hard it is."""

    mc: tuple[int, int] = (0, 0)  # multiple-choice questions, hundredths each (4 options)
    tf: int = 0  # true/false groups of four statements
    short: tuple[int, int] = (0, 0)  # short-answer questions, hundredths each
    ease: float = 0.0  # logit of a middling candidate's right answer
    spread: float = 1.0  # how much ability moves it
    essay: float = 0.0  # essay papers: mean mark (standard deviation 1.2), 0.25 grid
    failing: float = 0.0005  # share of papers scored <= 1.0 (blank, expelled)


PAPERS: dict[str, Paper] = {
    "TOAN": Paper(mc=(12, 25), tf=4, short=(6, 50), ease=-0.7, spread=0.9, failing=0.0025),
    "VAN": Paper(essay=7.0, failing=0.0003),
    "NGOAI_NGU": Paper(mc=(40, 25), ease=-0.85, spread=1.2),
    "LI": Paper(mc=(18, 25), tf=4, short=(6, 25), ease=0.3, spread=1.0),
    "HOA": Paper(mc=(18, 25), tf=4, short=(6, 25), ease=-0.15, spread=1.1),
    "SINH": Paper(mc=(18, 25), tf=4, short=(6, 25), ease=-0.25, spread=0.9),
    "SU": Paper(mc=(24, 25), tf=4, ease=0.45, spread=1.0),
    "DIA": Paper(mc=(24, 25), tf=4, ease=0.55, spread=1.0),
    "GDKT_PL": Paper(mc=(24, 25), tf=4, ease=1.1, spread=0.8),
    "TIN_HOC": Paper(mc=(24, 25), tf=4, ease=0.55, spread=0.9),
    "CN_CONG_NGHIEP": Paper(mc=(24, 25), tf=4, ease=-0.1, spread=0.8),
    "CN_NONG_NGHIEP": Paper(mc=(24, 25), tf=4, ease=1.2, spread=0.8),
    "GIAO_DUC_CONG_DAN": Paper(mc=(40, 25), ease=1.05, spread=0.9),
}
# Two electives of the 2025 programme: pairs and weights as the real files show them, for
# candidates leaning to the social subjects and to the sciences.
SOCIAL_PAIRS: dict[tuple[str, str], float] = {
    ("SU", "DIA"): 52, ("DIA", "GDKT_PL"): 14, ("SU", "GDKT_PL"): 12, ("SU", "SINH"): 5,
    ("NGOAI_NGU", "SU"): 5, ("NGOAI_NGU", "DIA"): 3, ("SU", "CN_NONG_NGHIEP"): 2.5,
    ("DIA", "CN_NONG_NGHIEP"): 2, ("SU", "CN_CONG_NGHIEP"): 1, ("DIA", "TIN_HOC"): 0.3,
}  # fmt: skip
SCIENCE_PAIRS: dict[tuple[str, str], float] = {
    ("LI", "HOA"): 30, ("NGOAI_NGU", "LI"): 20, ("HOA", "SINH"): 10, ("NGOAI_NGU", "GDKT_PL"): 7,
    ("NGOAI_NGU", "SU"): 6, ("NGOAI_NGU", "DIA"): 5, ("NGOAI_NGU", "HOA"): 5, ("SU", "LI"): 4,
    ("LI", "SINH"): 3, ("NGOAI_NGU", "SINH"): 1.5, ("LI", "CN_CONG_NGHIEP"): 1,
    ("LI", "TIN_HOC"): 1, ("NGOAI_NGU", "TIN_HOC"): 0.5,
}  # fmt: skip
OLD_PROGRAMME = (("LI", "HOA", "SINH"), ("SU", "DIA", "GIAO_DUC_CONG_DAN"))
OLD_PROGRAMME_SHARE = 0.004  # candidates of the old programme (six papers)
LANGUAGES = {"N1": 0.95, "N4": 0.03, "N3": 0.01, "N2": 0.0025, "N5": 0.0025, "N6": 0.0025,
             "N7": 0.0025}  # fmt: skip
ABSENT = {"TOAN": 0.02, "VAN": 0.008}  # a paper missed; any other: ELECTIVE_ABSENT
ELECTIVE_ABSENT = 0.012
ONE_PAPER_SHARE = 0.002  # candidates who sit one paper only (re-sitting to raise a score)
UNUSED_NUMBER = 0.01  # candidate numbers never used (registered, never came)
OFF_GRID = 0.001  # Ngữ văn papers averaged after a re-mark (6.66)
# The demo: grade 12 is a little under a third of an upper-secondary school's pupils in the
# school year before the exam; a few candidates sit with no school of the province (free
# candidates, earlier years' pupils), unknown to the registration list.
DEMO_SCHOOL_YEAR = ("2024-2025", "CN")
GRADE_12 = 0.31
FREE_CANDIDATES = 0.03
SCHOOL_LEVEL = {"specialised": 1.3, "boarding": -0.3}  # ability offsets; others drawn
# The real 2025 results of four councils, beside the repository (never copied into it).
SHARED_RESULTS = Path(__file__).resolve().parents[3] / "shared" / "data" / "real" / "exam_vn_2025"


@dataclass(frozen=True)
class CouncilResults:
    """One council's results as the Ministry publishes them, and who sat for which school."""

    head: dict[str, Any]  # province_code, province_name, total_records, expected_max_sbd, ...
    rows: list[dict[str, Any]]
    registrations: list[tuple[str, str]] = field(default_factory=list)  # (SBD, school code)

    def document(self) -> dict[str, Any]:
        return {**self.head, "data": self.rows}


def _logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


Table = tuple[list[float], list[int]]  # cumulative probabilities (last > 1), values


def _table(probs: dict[int, float]) -> Table:
    values = sorted(probs)
    cumulative = list(accumulate(probs[v] for v in values))
    cumulative[-1] = 2.0  # rng.random() < 1 always finds a value
    return cumulative, values


def _binomial(n: int, p: float) -> dict[int, float]:
    return {k: math.comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(n + 1)}


def _true_false(groups: int, p: float) -> dict[int, float]:
    """Points (hundredths) of ``groups`` true/false groups, each statement right with p."""
    one = _binomial(4, p)
    total = {0: 1.0}
    for _ in range(groups):
        nxt: dict[int, float] = {}
        for have, q in total.items():
            for right, r in one.items():
                nxt[have + TF_POINTS[right]] = nxt.get(have + TF_POINTS[right], 0.0) + q * r
        total = nxt
    return total


@functools.cache
def _tables(subject: str) -> list[list[Table]]:
    """For each hundredth of p (a middling answer's chance, 0-100), the paper's parts as
    tables of points in hundredths: multiple choice (a quarter guessed), true/false (half
    guessed), short answers."""
    paper = PAPERS[subject]
    levels = []
    for level in range(101):
        p = level / 100
        parts = []
        if paper.mc[0]:
            mc = _binomial(paper.mc[0], 0.25 + 0.75 * p)
            parts.append(_table({paper.mc[1] * k: q for k, q in mc.items()}))
        if paper.tf:
            parts.append(_table(_true_false(paper.tf, 0.5 + 0.5 * p)))
        if paper.short[0]:
            short = _binomial(paper.short[0], p)
            parts.append(_table({paper.short[1] * k: q for k, q in short.items()}))
        levels.append(parts)
    return levels


def _score(rng: random.Random, subject: str, ability: float) -> int:
    """One paper's score in hundredths."""
    paper = PAPERS[subject]
    if rng.random() < paper.failing:
        return rng.choice((0, 25, 50, 75, 100))
    if paper.essay:
        mark = round((paper.essay + 1.2 * (0.7 * ability + 0.71 * rng.gauss())) * 4) * 25
        mark = min(975, max(125, mark))
        if rng.random() < OFF_GRID:  # 9.91 at most: still <= 10
            mark = min(991, mark + rng.choice((-9, 16, 41)))
        return mark
    p = 1.0 / (1.0 + math.exp(-paper.ease - paper.spread * (0.8 * ability + 0.6 * rng.gauss())))
    total = 0
    for cumulative, values in _tables(subject)[int(p * 100 + 0.5)]:
        total += values[bisect.bisect(cumulative, rng.random())]
    return min(1000, total)


class _Choice:
    """A weighted choice among keys, drawn with one random number."""

    def __init__(self, weights: dict[Any, float]) -> None:
        self.keys = list(weights)
        total = sum(weights.values())
        self.cumulative = list(accumulate(w / total for w in weights.values()))
        self.cumulative[-1] = 2.0

    def __call__(self, rng: random.Random) -> Any:
        return self.keys[bisect.bisect(self.cumulative, rng.random())]


_SOCIAL, _SCIENCE, _LANGUAGE = _Choice(SOCIAL_PAIRS), _Choice(SCIENCE_PAIRS), _Choice(LANGUAGES)


def _subjects(rng: random.Random, ability: float) -> tuple[str, ...]:
    """The papers a candidate registered for."""
    if rng.random() < OLD_PROGRAMME_SHARE:
        return ("TOAN", "VAN", "NGOAI_NGU", *OLD_PROGRAMME[rng.random() < 0.6])
    science = rng.random() < _logistic(-0.3 + 1.1 * ability)
    electives = (_SCIENCE if science else _SOCIAL)(rng)
    subjects = ("TOAN", "VAN", *electives)
    if rng.random() < ONE_PAPER_SHARE:
        return (rng.choice(subjects),)
    return tuple(s for s in subjects if rng.random() >= ABSENT.get(s, ELECTIVE_ABSENT))


def _as_json_number(hundredths: int) -> int | float:
    return hundredths // 100 if hundredths % 100 == 0 else hundredths / 100


def _candidate(rng: random.Random, number: str, council: int, ability: float) -> dict[str, Any]:
    row: dict[str, Any] = {"SBD": number, "TinhId": council}
    row |= dict.fromkeys(PAPERS, NOT_TAKEN)
    sat = _subjects(rng, ability)
    for subject in sat:
        row[subject] = _as_json_number(_score(rng, subject, ability))
    row["MA_MON_NGOAI_NGU"] = _LANGUAGE(rng) if "NGOAI_NGU" in sat else ""
    return row


def generate_council(
    council: str,
    seed: int,
    *,
    schools: Sequence[tuple[str, int, float]] = (),
    unlinked: int = 0,
    level: float = 0.0,
    year: int = YEAR,
) -> CouncilResults:
    """One council's results: the candidates of each school (code, candidates, the school's
    ability offset) in turn, numbered in that order, then ``unlinked`` candidates with no
    school (free candidates); ``level`` moves the whole council's ability."""
    catalog = load_exam_catalog()
    rng = random.Random(f"ioc-exams:{seed}:{year}:{council}")
    cohorts = [*schools, ("", unlinked, 0.0)]
    rows: list[dict[str, Any]] = []
    registrations: list[tuple[str, str]] = []
    sequence = 0
    for school, candidates, offset in cohorts:
        for _ in range(candidates):
            sequence += 1 + (rng.randint(1, 3) if rng.random() < UNUSED_NUMBER else 0)
            number = f"{council}{sequence:06d}"
            rows.append(_candidate(rng, number, int(council), level + offset + rng.gauss()))
            if school:
                registrations.append((number, school))
    head = {
        "province_code": council,
        "province_name": catalog.councils[council].name,
        "total_records": len(rows),
        "expected_max_sbd": sequence,
        "coverage_percentage": round(100 * len(rows) / sequence, 2) if sequence else 0.0,
        "export_time": f"{year}-07-16 08:00:00",
    }
    return CouncilResults(head, rows, registrations)


def write_results(results: CouncilResults, path: Path) -> Path:
    """The council's results as the Ministry's JSON (UTF-8, Vietnamese names as they are)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results.document(), ensure_ascii=False), encoding="utf-8")
    return path


def write_registrations(registrations: Sequence[tuple[str, str]], path: Path) -> Path:
    """The Department's registration list: "SBD", "Mã trường" (UTF-8 CSV)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(("SBD", "Mã trường"))
        writer.writerows(registrations)
    return path


@dataclass(frozen=True)
class ExamFiles:
    """What the demo loads: results files (JSON), the registration list, and which of the
    results are the real shared files."""

    results: list[Path]
    registrations: list[Path]
    real: list[Path]


def _school_offset(rng: random.Random, school: School) -> float:
    if school.school_type in SCHOOL_LEVEL:
        return SCHOOL_LEVEL[school.school_type]
    minority = school.traits["minority"]
    return (0.25 if school.area == "urban" else 0.0) - 0.8 * minority + rng.gauss(0, 0.2)


def demo_council(province: str, seed: int = 94) -> CouncilResults:
    """The 2025 results of one old province of the demo: its council (exam_councils.yaml),
    the grade-12 pupils of its upper-secondary schools as candidates, linked to them."""
    catalog = load_exam_catalog()
    council = next(c for c, found in catalog.councils.items() if found.province == province)
    rng = random.Random(f"ioc-demo-exams:{seed}:{province}")
    schools = []
    for school in population(seed, province)[0]:
        if school.level != "THPT":
            continue
        pupils = headline(seed, school, *DEMO_SCHOOL_YEAR)["students"]
        schools.append((school.code, round(pupils * GRADE_12), _school_offset(rng, school)))
    free = round(FREE_CANDIDATES * sum(n for _, n, _ in schools))
    return generate_council(council, seed, schools=schools, unlinked=free, level=-0.1)


def write_demo_exams(out_dir: Path, seed: int = 94, *, shared: Path = SHARED_RESULTS) -> ExamFiles:
    """The demo's exam files under ``out_dir``: one results file per old province, one
    registration list (the merged Department's), and the real shared results when present."""
    results, registrations = [], []
    for province in sorted(ALL):
        found = demo_council(province, seed)
        council = found.head["province_code"]
        results.append(write_results(found, out_dir / f"ket_qua_thi_{YEAR}_{council}.json"))
        registrations += found.registrations
    listing = write_registrations(registrations, out_dir / f"dang_ky_du_thi_{YEAR}.csv")
    real = sorted(shared.glob("exam_results_*.json")) if shared.is_dir() else []
    return ExamFiles(results + real, [listing], real)
