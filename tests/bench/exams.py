"""Issue 20: a national year of the graduation exam.

``exams``: 1.2 million candidates over the 63 councils, one JSON file each in the Ministry's
form (:mod:`ingest.demo.exams`), and one registration list linking 97 % of them to the
upper-secondary schools of the national registry (:mod:`tests.bench.national`), generated
once under ``data/bench/`` in a folder keyed by the generator's version. The registry is
ingested first (the national returns CSV, not timed), then ``ioc exams ingest`` loads every
file and computes every statistic: the child's wall time and peak RSS.

``exams_page``: on that build (kept under the same folder), the exam page's API calls for a
province as the page makes them (``dashboards/pages/exams.py``: years, summary, provinces'
ranks, spectrum, schools), against ``ioc serve`` as api_load starts it: the time of the
whole sequence, a page load or a subject change.
"""

from __future__ import annotations

import json
import random
import shutil
import statistics
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import polars as pl

from ingest.demo.exams import (
    GENERATOR_VERSION,
    YEAR,
    generate_council,
    write_registrations,
    write_results,
)
from ioc.exams.catalog import load_exam_catalog
from tests.bench import national
from tests.bench.measure import child_env, fresh_data_dir, run_child, seconds, size
from tests.bench.server import Server, leader_token, load_average

if TYPE_CHECKING:
    from tests.bench.targets import Context, Outcome

CANDIDATES = 1_200_000
SEED = 2025
LINKED = 0.97  # candidates on the registration list; the others sat with no school of theirs
FOLDER = national.BENCH_DIR / f"exams-v{GENERATOR_VERSION}-{CANDIDATES}-s{SEED}"
LIMIT_S, LIMIT_RSS = 20.0, 2 * 1024**3
PAGE_PROVINCE = "01"  # Hà Nội: the most candidates and schools
PAGE_SUBJECTS = ("TOAN", "VAN", "NGOAI_NGU", "LI", "SU")
PAGE_LIMIT_S = 1.0
PAGE_LOADS = 10


def _cohorts() -> dict[str, list[tuple[str, int, float]]]:
    """Per council, the registry's upper-secondary schools, their candidates (their pupils
    scaled so that the linked candidates are LINKED of CANDIDATES) and ability offsets."""
    schools = national.generate().filter(pl.col("level") == "THPT").sort("school_code")
    factor = LINKED * CANDIDATES / int(schools["students"].sum())
    council_of = {c.province: code for code, c in load_exam_catalog().councils.items()}
    rng = random.Random(SEED)
    cohorts: dict[str, list[tuple[str, int, float]]] = {}
    rows = schools.select("school_code", "province_code", "students").iter_rows()
    for code, province, students in rows:
        school = (code, round(students * factor), rng.gauss(0, 0.3))
        cohorts.setdefault(council_of[province], []).append(school)
    return cohorts


def ensure_files(log: national.Log = print) -> dict[str, Any]:
    """The cached results and registration list (generated when missing); their meta."""
    meta = FOLDER / "meta.json"
    if meta.is_file():
        log(f"using cached {FOLDER.relative_to(national.REPO_ROOT)}")
        return dict(json.loads(meta.read_text(encoding="utf-8")))
    log(f"generating {CANDIDATES:,} candidates over 63 councils (seed {SEED}) ...")
    started = time.perf_counter()
    work = FOLDER.with_name(f".{FOLDER.name}.tmp")
    shutil.rmtree(work, ignore_errors=True)
    cohorts = _cohorts()
    rng = random.Random(f"{SEED}:councils")
    registrations: list[tuple[str, str]] = []
    candidates = 0
    for council in sorted(cohorts):
        schools = cohorts[council]
        free = round(sum(n for _, n, _ in schools) * (1 - LINKED) / LINKED)
        level = rng.gauss(0, 0.25)  # provinces differ
        found = generate_council(council, SEED, schools=schools, unlinked=free, level=level)
        write_results(found, work / "results" / f"exam_results_{council}.json")
        registrations += found.registrations
        candidates += len(found.rows)
    write_registrations(registrations, work / "registrations.csv")
    info: dict[str, Any] = {
        "candidates": candidates,
        "linked": len(registrations),
        "councils": len(cohorts),
        "generate_s": time.perf_counter() - started,
    }
    (work / "meta.json").write_text(json.dumps(info, indent=2), encoding="utf-8")
    shutil.rmtree(FOLDER, ignore_errors=True)
    work.rename(FOLDER)
    log(f"generated in {seconds(info['generate_s'])}")
    return info


def _results() -> list[Path]:
    return sorted((FOLDER / "results").glob("exam_results_*.json"))


def _report(ctx: Context, data_dir: Path) -> int:
    """What the build holds; the rejected rows of the exam runs."""
    from ioc import db
    from ioc.config import Settings

    conn = db.connect_published(Settings(data_dir=data_dir))
    try:
        counts = {
            table: conn.execute(f"select count(*) from {table}").fetchone()[0]  # type: ignore[index]
            for table in (
                "core_exam__candidates", "core_exam__scores", "core_exam__registrations",
                "out_exam__subject_stats", "out_exam__spectrum", "out_exam__combination_stats",
                "out_exam__ranks", "out_exam__quality",
            )
        }  # fmt: skip
        ctx.log("  " + ", ".join(f"{t} {n:,}" for t, n in counts.items()))
        runs = conn.execute(
            """select kind, count(*), sum(rows_accepted), sum(rows_rejected), sum(warnings)
               from ingest_runs where kind like 'exam%' group by kind order by kind"""
        ).fetchall()
        for kind, n, accepted, rejected, warned in runs:
            ctx.log(
                f"  {n} {kind} runs: {accepted:,} accepted, {rejected:,} rejected, "
                f"{warned:,} warnings"
            )
        for rule, n in conn.execute(
            """select rule, count(*) from ingest_rejects join ingest_runs using (run_id)
               where kind like 'exam%' group by rule order by 2 desc"""
        ).fetchall():
            ctx.log(f"  rejected: {n:,} x {rule}")
        return int(sum(r[3] for r in runs))
    finally:
        conn.close()


def _build(ctx: Context) -> tuple[Outcome, bool]:
    """Ingest the registry (not timed), then every exam file (timed); keep the build."""
    from tests.bench.targets import IOC, Figure, Outcome

    info = ensure_files(ctx.log)
    ctx.log(
        f"input: {info['candidates']:,} candidates in {info['councils']} councils, "
        f"{info['linked']:,} on the registration list"
    )
    returns = ctx.national.csv
    figures: list[Figure] = []
    with fresh_data_dir(ctx.keep) as data_dir:
        setup = run_child([str(IOC), "ingest", str(returns)], env=child_env(data_dir))
        if not setup.ok:
            return Outcome(error=setup.failure()), False
        ctx.log(f"registry: ioc ingest {returns.name} in {seconds(setup.wall_s)} (not timed)")
        ctx.log(f"load average before: {load_average()}")
        args = ["exams", "ingest", *map(str, _results())]
        args += ["--registrations", str(FOLDER / "registrations.csv"), "--json"]
        run = ctx.run_ioc("exams", args, data_dir)
        ctx.log(f"load average after: {load_average()}")
        if not run.ok:
            return Outcome(error=run.failure()), False
        rejected = _report(ctx, data_dir)
        ctx.log(
            f"  child: wall {seconds(run.wall_s)}, cpu user {seconds(run.user_s)} + system "
            f"{seconds(run.system_s)}, peak RSS {size(run.peak_rss)}"
        )
        figures += [
            Figure("wall", run.wall_s, "s", LIMIT_S),
            Figure("peak RSS", run.peak_rss, "bytes", LIMIT_RSS),
            Figure("rejected rows", rejected, "n", 0),
        ]
        kept = FOLDER / "build"
        shutil.rmtree(kept, ignore_errors=True)
        shutil.copytree(data_dir, kept, ignore=shutil.ignore_patterns("build", "raw"))
    return Outcome(figures), True


def exams(ctx: Context) -> Outcome:
    return _build(ctx)[0]


def _page(client: httpx.Client, subject: str) -> dict[str, float]:
    """The page's calls for a year and subject, in its order: milliseconds of each."""
    year: dict[str, str | int] = {"year": YEAR, "scheme": "legacy"}
    unit = {"unit": PAGE_PROVINCE, **year}
    calls: tuple[tuple[str, dict[str, str | int]], ...] = (
        ("years", {}),
        ("summary", unit),
        ("provinces", {**year, "subject": subject}),
        ("spectrum", {**unit, "subject": subject}),
        ("schools", {**unit, "subject": subject, "size": 500}),
    )
    times = {}
    for name, params in calls:
        started = time.perf_counter()
        client.get(f"/api/v1/exams/{name}", params=params).raise_for_status()
        times[name] = (time.perf_counter() - started) * 1000
    return times


def exams_page(ctx: Context) -> Outcome:
    from tests.bench.targets import IOC, Figure, Outcome

    if not (FOLDER / "build" / "ioc.duckdb").is_file():
        ctx.log("no exam build kept yet: building it (the exams target)")
        outcome, built = _build(ctx)
        if not built:
            return outcome
    with fresh_data_dir(ctx.keep) as data_dir:
        shutil.copytree(FOLDER / "build", data_dir, dirs_exist_ok=True)
        token = leader_token(IOC, data_dir)
        ctx.log(f"load average: {load_average()}")
        with (
            Server(IOC, data_dir) as server,
            httpx.Client(
                base_url=server.base_url, timeout=60, headers={"Authorization": f"Bearer {token}"}
            ) as client,
        ):
            first = _page(client, PAGE_SUBJECTS[0])
            loads = [
                _page(client, PAGE_SUBJECTS[i % len(PAGE_SUBJECTS)]) for i in range(PAGE_LOADS)
            ]
        ctx.log(f"load average after: {load_average()}")
    totals = [sum(t.values()) / 1000 for t in loads]
    ctx.log(
        f"  province {PAGE_PROVINCE}, first load {sum(first.values()):.0f} ms ("
        + ", ".join(f"{k} {v:.0f}" for k, v in first.items())
        + ")"
    )
    for name in first:
        each = [t[name] for t in loads]
        ctx.log(f"  {name}: median {statistics.median(each):.1f} ms, max {max(each):.1f} ms")
    return Outcome(
        [
            Figure("first load", sum(first.values()) / 1000, "s", PAGE_LIMIT_S),
            Figure("median", statistics.median(totals), "s", PAGE_LIMIT_S),
            Figure("max", max(totals), "s"),
        ]
    )
