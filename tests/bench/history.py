"""A national snapshot with ten school years of returns, built directly in DuckDB.

The 53,000 schools of :mod:`tests.bench.national` report in 20 periods, 2016-2017/DN to
2025-2026/CN: about 1.06 million returns. Nothing goes through file ingest (that would take
hours); the snapshot is built the way a long-running installation would hold it:
``ioc.db.apply_schema``, ``ingest.runner.ensure_units`` (both unit schemes and the
crosswalk), two ``ingest_runs`` per period (the bulk of the returns on time, a few per cent in
a late run received after the due date), the returns in ``core_school__period_returns``, a
few Department targets, then ``ingest.runner.rebuild_core`` (registry, expected schools).

Values drift from the national generator's 2023-2024 figures: a growth rate per school,
noise per period and per cell, trends for the digital fields and flags, and the reject rules
of ``ioc/catalog/rules.yaml`` enforced on every period. Periods before 2025-2026 use the legacy
scheme; 2025-2026 uses scheme '2025' (province and commune through the crosswalk, the default
new commune for a split one; no district). About 1.5 % of expected returns never come (random
misses, schools that open or close during the decade), so completeness is below 100 %.

The snapshot is cached under ``data/bench/`` in a directory named after
:data:`HISTORY_VERSION`, the size, the seed and a fingerprint of the contract and of the
schema and core SQL; :func:`indicators_snapshot` names the copy of it after a full indicator
recompute, keyed by a fingerprint of the indicator engine.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from ioc import db
from ioc.catalog import load_contract, load_rules
from ioc.config import Settings
from ioc.domain.period import Period
from ioc.geo import admin as geo
from tests.bench import national
from tests.bench.national import BENCH_DIR, REPO_ROOT, Log

HISTORY_VERSION = "2"  # 2: the returns' content hashes filled when built
SEED = 20_162_026
FIRST_YEAR = 2016
LAST_YEAR = 2025  # first year of the last school year, 2025-2026
TERMS = ("DN", "CN")
BASE_YEAR = 2023  # the national generator's school year, 2023-2024
MISS_SHARE = 0.01  # expected school-periods with no return (random)
OPEN_SHARE = 0.01  # schools that open during the decade
CLOSE_SHARE = 0.005  # schools that stop reporting during the decade
LATE_BETA = (1.2, 40.0)  # share of late returns per province ~ Beta: mean ~3 %
AT_LEAST_ONE = ("students", "classes", "teachers", "managers", "classrooms", "toilets")
COUNT_TRENDS = {  # yearly multiplier on top of the school's growth
    "teachers_digital_trained": 1.10,
    "smart_classrooms": 1.15,
    "computers_teaching": 1.06,
    "parents_e_contact": 1.08,
    "classrooms_solid": 1.03,
    "classrooms_temporary": 0.88,
    "teachers_above_standard": 1.04,
    "students_dropout": 0.94,
    "students_malnourished": 0.96,
    "students_stunted": 0.95,
    "students_overweight": 1.04,
}
FLAG_TRENDS = {  # yearly change of the share of schools with the flag
    "management_software": 0.02,
    "e_contact_book": 0.06,
    "digital_records": 0.07,
    "cashless_payment": 0.08,
    "smart_attendance": 0.04,
    "lms": 0.05,
    "national_standard": 0.03,
}
TARGETS = {"NET_CLASS_SIZE": 32.0, "STF_QUALIFIED_PCT": 95.0, "DX_MGMT_SOFTWARE_PCT": 98.0}
INDICATOR_SOURCES = (  # what the indicator engine's output depends on
    "ioc/compute/indicators.py",
    "ioc/compute/out_tables.py",
    "ioc/catalog/definitions.py",
    "ioc/catalog/norms.yaml",
    "ioc/catalog/indicators/*.yaml",
    "sql/out/*.sql",
    "sql/indicators/*.sql",
)


@dataclass(frozen=True)
class History:
    path: Path  # the cached snapshot (never opened read-write: copy it)
    returns: int
    schools: int
    periods: int
    runs: int
    late_returns: int
    missing_returns: int  # expected school-periods without a return
    generated: bool  # False when taken from the cache
    seconds: dict[str, float]  # from the run that built it


def periods() -> list[tuple[str, str]]:
    return [(f"{y}-{y + 1}", t) for y in range(FIRST_YEAR, LAST_YEAR + 1) for t in TERMS]


def _hash_files(patterns: Iterable[str], seed: str = "") -> str:
    digest = hashlib.sha1(seed.encode("utf-8"))
    for pattern in patterns:
        for path in sorted(REPO_ROOT.glob(pattern)):
            digest.update(path.relative_to(REPO_ROOT).as_posix().encode("utf-8"))
            digest.update(path.read_bytes())
    return digest.hexdigest()[:8]


def cache_dir(schools: int = national.SCHOOLS, seed: int = SEED) -> Path:
    fingerprint = _hash_files(
        ("sql/schema/*.sql", "sql/core/*.sql", "ioc/catalog/fields.yaml", "ioc/catalog/rules.yaml"),
        f"{national.GENERATOR_VERSION}:{national.SEED}",
    )
    return BENCH_DIR / f"history-v{HISTORY_VERSION}-{schools}-s{seed}-{fingerprint}"


def indicators_snapshot(history: History) -> Path:
    """Where the snapshot after a full recompute by the current engine is (or will be) kept."""
    return history.path.parent / f"ioc-indicators-{_hash_files(INDICATOR_SOURCES)}.duckdb"


# ---------------------------------------------------------------------------------------------
# Values


def enforce_rules(counts: dict[str, np.ndarray]) -> None:
    """Clip sub-counts to their totals, in place, until every reject rule holds."""
    rules = [r for r in load_rules().rejects if r.parts is not None and r.total is not None]
    for _ in range(4):
        broken = False
        for rule in rules:
            remaining = counts[str(rule.total)].copy()
            for part in rule.parts or []:
                clipped = np.minimum(counts[part], remaining)
                broken |= bool((clipped != counts[part]).any())
                counts[part] = clipped
                remaining = remaining - clipped
        if not broken:
            return
    raise RuntimeError("the history generator could not satisfy the reject rules")


def drift_counts(
    base: pl.DataFrame, factor: np.ndarray, years: float, cell_sd: float, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """Every count of ``base`` × the row's factor × noise per cell × its trend, rules kept."""
    counts: dict[str, np.ndarray] = {}
    for name in load_contract().names_of("count"):
        value = base[name].to_numpy().astype(np.float64)
        trend = COUNT_TRENDS.get(name, 1.0) ** years
        noise = 1 + rng.normal(0, cell_sd, value.size)
        scaled = np.maximum(0, np.round(value * factor * trend * noise)).astype(np.int64)
        counts[name] = np.maximum(1, scaled) if name in AT_LEAST_ONE else scaled
    enforce_rules(counts)
    return counts


def _flags(uniform: dict[str, np.ndarray], years: float) -> dict[str, np.ndarray]:
    """Flags from draws fixed per school: a school keeps its flag unless the share moves past."""
    out = {}
    for name, share in national.FLAG_SHARES.items():
        now = float(np.clip(share + FLAG_TRENDS.get(name, 0.01) * years, 0.02, 0.995))
        out[name] = uniform[name] < now
    return out


def _new_places(base: pl.DataFrame) -> pl.DataFrame:
    """school_code -> 2025 province and commune (the default new commune of a split one)."""
    crosswalk = (
        geo.commune_crosswalk()
        .filter(pl.col("is_default"))
        .unique("legacy_commune_code", keep="first")
        .select(
            pl.col("legacy_commune_code").alias("commune_code"),
            pl.col("province_code_2025").alias("new_province"),
            pl.col("commune_code_2025").alias("new_commune"),
        )
    )
    places = base.select("school_code", "commune_code").join(
        crosswalk, on="commune_code", how="left"
    )
    if places["new_commune"].null_count():
        raise RuntimeError("a legacy commune of the national generator has no 2025 commune")
    return places.select("new_province", "new_commune")


@dataclass(frozen=True)
class _Plan:
    """What stays fixed per school over the decade."""

    growth: np.ndarray
    first: np.ndarray  # index of the first period the school reports in
    last: np.ndarray  # index of the last
    late_share: np.ndarray  # per school (from its province)
    flags: dict[str, np.ndarray]


def _plan(base: pl.DataFrame, rng: np.random.Generator) -> _Plan:
    n, count = base.height, len(periods())
    opens = rng.random(n) < OPEN_SHARE
    closes = ~opens & (rng.random(n) < CLOSE_SHARE)
    province = base["province_code"].cast(pl.Int64).to_numpy()
    late = rng.beta(*LATE_BETA, province.max() + 1)
    return _Plan(
        growth=rng.normal(0.005, 0.03, n),
        first=np.where(opens, rng.integers(2, count, n), 0),
        last=np.where(closes, rng.integers(0, count - 2, n), count - 1),
        late_share=late[province],
        flags={name: rng.random(n) for name in national.FLAG_SHARES},
    )


def _period_frame(
    base: pl.DataFrame,
    new_places: pl.DataFrame,
    plan: _Plan,
    index: int,
    rng: np.random.Generator,
) -> pl.DataFrame:
    """One period's returns (the schools that reported), with their run ids."""
    school_year, term = periods()[index]
    year = int(school_year[:4])
    years = year - BASE_YEAR + (0.5 if term == "CN" else 0.0)
    n = base.height
    factor = np.exp(plan.growth * years + rng.normal(0, 0.015, n)) * (0.99 if term == "CN" else 1)
    counts = drift_counts(base, factor, years, 0.02, rng)
    late = rng.random(n) < plan.late_share
    present = (index >= plan.first) & (index <= plan.last) & (rng.random(n) >= MISS_SHARE)
    frame = base.with_columns(
        pl.lit(school_year).alias("school_year"),
        pl.lit(term).alias("term"),
        *(pl.Series(name, values, dtype=pl.Int32) for name, values in counts.items()),
        *(pl.Series(name, values) for name, values in _flags(plan.flags, years).items()),
        pl.Series("run_id", np.where(late, 2 * index + 2, 2 * index + 1), dtype=pl.Int32),
        pl.lit("legacy").alias("scheme"),
    )
    if Period.of(school_year, term).scheme == "2025":
        frame = frame.with_columns(
            new_places["new_province"].alias("province_code"),
            pl.lit(None, dtype=pl.String).alias("district_code"),
            new_places["new_commune"].alias("commune_code"),
            pl.lit("2025").alias("scheme"),
        )
    frame = frame.filter(pl.Series(present))
    national._check_rules(frame.select(base.columns))
    return frame.with_columns(
        pl.lit(None, dtype=pl.String).alias("sheet"),
        pl.int_range(1, pl.len() + 1, dtype=pl.Int32).over("run_id").alias("source_row"),
    )


def _runs(returns: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """Two runs per period: on time (received before the due date) and late (after it)."""
    due = load_rules().quality.due
    sizes = dict(returns.group_by("run_id").len().iter_rows())
    rows = []
    for index, (school_year, term) in enumerate(periods()):
        first = int(school_year[:4])
        month, day = (int(x) for x in due[term].split("-"))
        due_date = date(first if term == "DN" else first + 1, month, day)
        for late, run_id in ((False, 2 * index + 1), (True, 2 * index + 2)):
            days = int(rng.integers(5, 45)) if late else -int(rng.integers(2, 25))
            received = due_date + timedelta(days=days)
            started = datetime(received.year, received.month, received.day, 9, tzinfo=UTC)
            count = sizes.get(run_id, 0)
            name = f"returns-{school_year}-{term}{'-late' if late else ''}.csv"
            rows.append(
                {
                    "run_id": run_id,
                    "source_file": f"bench/{name}",
                    "file_name": name,
                    "file_format": "csv",
                    "period_given": f"{school_year}/{term}",
                    "strict": False,
                    "received_date": received,
                    "run_by": "bench",
                    "host": "bench",
                    "started_at": started,
                    "finished_at": started + timedelta(seconds=30),
                    "status": "loaded",
                    "rows_read": count,
                    "rows_accepted": count,
                    "rows_replaced": 0,
                    "rows_rejected": 0,
                    "warnings": 0,
                }
            )
    return pl.DataFrame(rows)


def _targets(conn: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """A few Department targets for the provinces of both schemes."""
    provinces = conn.sql(
        "select scheme, code from core_geo__units where level = 'province'"
    ).fetchall()
    rows = [
        {
            "indicator_id": indicator,
            "scheme": scheme,
            "unit_code": code,
            "school_year": school_year,
            "target_value": value,
            "set_by": "bench",
            "set_at": datetime(2025, 1, 15, tzinfo=UTC),
        }
        for indicator, value in TARGETS.items()
        for scheme, code in provinces
        for school_year in (["2025-2026"] if scheme == "2025" else ["2023-2024", "2024-2025"])
    ]
    return pl.DataFrame(rows)


def _insert(conn: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    conn.register("incoming", frame)
    try:
        conn.execute(f"insert into {table} by name select * from incoming")
    finally:
        conn.unregister("incoming")


# ---------------------------------------------------------------------------------------------
# Building and caching


def ensure_snapshot(schools: int = national.SCHOOLS, seed: int = SEED, log: Log = print) -> History:
    """The cached snapshot for this version, built if missing."""
    folder = cache_dir(schools, seed)
    meta = folder / "meta.json"
    if meta.is_file() and (folder / "ioc.duckdb").is_file():
        info = json.loads(meta.read_text(encoding="utf-8"))
        log(f"using cached {folder.relative_to(REPO_ROOT)}")
        return History(path=folder / "ioc.duckdb", generated=False, **info)
    return _build(folder, schools, seed, log)


def _build(folder: Path, schools: int, seed: int, log: Log) -> History:
    from ingest.core_tables import ensure_units, rebuild_core

    seconds: dict[str, float] = {}
    started = time.perf_counter()
    log(f"generating {schools:,} schools x {len(periods())} periods (seed {seed}) ...")
    base = national.generate(schools)
    rng = np.random.default_rng(seed)
    plan = _plan(base, rng)
    new_places = _new_places(base)
    returns = pl.concat(
        [_period_frame(base, new_places, plan, i, rng) for i in range(len(periods()))]
    )
    runs = _runs(returns, rng)
    seconds["generate"] = time.perf_counter() - started

    work = BENCH_DIR / f".{folder.name}.tmp"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    settings = Settings(data_dir=work)
    conn = duckdb.connect(str(work / "ioc.duckdb"))
    try:
        conn.execute(f"set threads = {int(settings.duckdb_threads)}")
        conn.execute("set memory_limit = ?", [settings.duckdb_memory_limit])
        conn.execute("set enable_progress_bar = false")
        step = time.perf_counter()
        db.apply_schema(conn, settings)
        ensure_units(conn, settings)
        _insert(conn, "ingest_runs", runs)
        log(f"inserting {returns.height:,} returns ...")
        _insert(conn, "core_school__period_returns", returns)
        # their content hashes, as an ingest writes them: else every bench that opens a copy
        # fills them first (db.apply_schema), about 3 s before its timed part
        db.execute(conn, "schema/66_fill_return_hash", settings)
        _insert(conn, "core_targets", _targets(conn))
        conn.execute("insert into meta__builds values ('bench-history', ?)", [datetime.now(UTC)])
        seconds["insert"] = time.perf_counter() - step
        step = time.perf_counter()
        log("rebuild_core (registry, expected schools) ...")
        rebuild_core(conn, settings)
        seconds["rebuild_core"] = time.perf_counter() - step
        missing = db.scalar(conn, "select count(*) from core_school__expected where not has_return")
        conn.execute("checkpoint")
    finally:
        conn.close()
    info = {
        "returns": returns.height,
        "schools": returns["school_code"].n_unique(),
        "periods": len(periods()),
        "runs": runs.height,
        "late_returns": int((returns["run_id"] % 2 == 0).sum()),
        "missing_returns": int(missing or 0),
        "seconds": seconds,
    }
    (work / "meta.json").write_text(json.dumps(info, indent=2), encoding="utf-8")
    shutil.rmtree(folder, ignore_errors=True)
    work.rename(folder)
    for stale in BENCH_DIR.glob("history-v*"):  # older versions: 200 MB to 1 GB each
        if stale != folder and stale.is_dir():
            shutil.rmtree(stale, ignore_errors=True)
    return History(path=folder / "ioc.duckdb", generated=True, **info)
