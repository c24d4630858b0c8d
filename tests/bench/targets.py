"""The benchmark targets: one function each, listed in :data:`TARGETS`.

A target function takes the :class:`Context` and returns an :class:`Outcome`: figures with
their limits (OK/MISS) and notes. It prints progress and detail through ``ctx.log`` as it
goes. To add a target for a later issue, write a function and append a :class:`Target`.
"""

from __future__ import annotations

import functools
import io
import pstats
import sys
import textwrap
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import duckdb

from ioc import db
from ioc.config import Settings
from tests.bench import national
from tests.bench.measure import (
    GB,
    ChildRun,
    child_env,
    fresh_data_dir,
    run_child,
    seconds,
    size,
)

BIN = Path(sys.executable).parent
IOC = BIN / "ioc"
PROFILES = national.BENCH_DIR / "profiles"
Unit = Literal["s", "bytes", "x"]


@dataclass(frozen=True)
class Figure:
    label: str
    value: float | None
    unit: Unit
    limit: float | None = None  # at most this much; None: shown, not judged

    def _fmt(self, value: float, *, limit: bool = False) -> str:
        if limit:  # round targets: "10 s", "2 GB"
            return f"{value / GB:g} GB" if self.unit == "bytes" else f"{value:g} {self.unit}"
        if self.unit == "s":
            return seconds(value)
        if self.unit == "bytes":
            return size(value)
        return f"{value:.1f}x"

    @property
    def status(self) -> str:
        if self.limit is None:
            return ""
        if self.value is None:
            return "FAIL"
        return "OK" if self.value <= self.limit else "MISS"

    def text(self) -> str:
        shown = "n/a" if self.value is None else self._fmt(self.value)
        if self.limit is None:
            return f"{self.label} {shown}"
        return f"{self.label} {shown} (target <= {self._fmt(self.limit, limit=True)}) {self.status}"


@dataclass
class Outcome:
    figures: list[Figure] = field(default_factory=list)
    error: str | None = None

    @property
    def status(self) -> str:
        judged = [f.status for f in self.figures if f.status]
        if self.error or "FAIL" in judged:
            return "FAIL"
        return "MISS" if "MISS" in judged else "OK"


@dataclass
class Context:
    """What targets share: options, the log, and inputs built once on first use."""

    keep: bool = False
    profile: bool = False
    log: Callable[[str], None] = print

    @functools.cached_property
    def national(self) -> national.NationalFiles:
        files = national.ensure_files(log=self.log)
        spent = "  ".join(f"{k} {seconds(v)}" for k, v in files.seconds.items())
        self.log(
            f"input: {files.rows:,} schools, period {files.period}, writer {files.writer}"
            f"{'' if files.generated else ' (cached)'}; generation: {spent}"
        )
        for path in (files.csv, files.xlsx):
            self.log(f"  {path.relative_to(national.REPO_ROOT)}  {size(path.stat().st_size)}")
        return files

    @functools.cached_property
    def cli_startup_s(self) -> float:
        """Wall time of ``ioc --help``: the interpreter and CLI start-up in every run."""
        return run_child([str(IOC), "--help"]).wall_s

    def run_ioc(self, name: str, args: list[str], data_dir: Path) -> ChildRun:
        """Run ``ioc ARGS`` as a child with its own IOC_DATA_DIR (under cProfile if asked)."""
        command = [str(IOC), *args]
        prof = PROFILES / f"{name}.prof"
        if self.profile:
            PROFILES.mkdir(parents=True, exist_ok=True)
            command = [sys.executable, "-m", "cProfile", "-o", str(prof), *command]
        run = run_child(command, env=child_env(data_dir))
        if self.profile and prof.is_file():
            self.log(f"profile written to {prof.relative_to(national.REPO_ROOT)}")
            self.log(_profile_text(prof))
        return run

    def stage_breakdown(self, paths: list[Path]) -> None:
        """Time the runner's stages in a child (``tests.bench.stages``) and log them."""
        with fresh_data_dir() as data_dir:
            command = [sys.executable, "-m", "tests.bench.stages", *map(str, paths)]
            run = run_child(command, env=child_env(data_dir))
        if not run.ok:
            self.log(_indent(run.failure()))
            return
        self.log(f"  stages (separate in-process run, wall {seconds(run.wall_s)}):")
        self.log(_indent(run.stdout.replace("\t", "  "), "      "))


@dataclass(frozen=True)
class Target:
    name: str
    issue: int
    summary: str
    run: Callable[[Context], Outcome]


def _indent(text: str, prefix: str = "    ") -> str:
    return textwrap.indent(text.rstrip(), prefix)


def _profile_text(path: Path, top: int = 25) -> str:
    out = io.StringIO()
    stats = pstats.Stats(str(path), stream=out)
    stats.strip_dirs().sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(15)
    return _indent(out.getvalue())


# ---------------------------------------------------------------------------------------------
# What a published snapshot holds after a run


def _log_runs(ctx: Context, runs: list[tuple]) -> None:  # type: ignore[type-arg]
    """Each run, or for many runs their totals and the slowest few."""

    def line(row: tuple) -> str:  # type: ignore[type-arg]
        return (
            f"  run {row[0]} {row[1]}: {row[2]}, read {row[3]:,}, accepted {row[4]:,}, "
            f"rejected {row[5]:,}, warnings {row[6]:,}; {seconds(row[7])} from reading to commit"
        )

    if len(runs) <= 4:
        for row in runs:
            ctx.log(line(row))
        return
    statuses = ", ".join(f"{n} {s}" for s, n in Counter(r[2] for r in runs).items())
    totals = [sum(r[i] for r in runs) for i in (3, 4, 5, 6)]
    ctx.log(
        f"  {len(runs)} runs ({statuses}): read {totals[0]:,}, accepted {totals[1]:,}, "
        f"rejected {totals[2]:,}, warnings {totals[3]:,}; "
        f"{seconds(sum(r[7] for r in runs))} from reading to commit in all; slowest:"
    )
    for row in sorted(runs, key=lambda r: r[7], reverse=True)[:3]:
        ctx.log("  " + line(row))


def _snapshot_report(ctx: Context, data_dir: Path, expected_rows: int | None) -> None:
    settings = Settings(data_dir=data_dir)
    conn = db.connect_published(settings)
    try:
        ctx.log(f"  snapshot {size(settings.published_db.stat().st_size)}")
        runs = conn.execute(
            """select run_id, file_name, status, rows_read, rows_accepted, rows_rejected, warnings,
                      epoch(finished_at - started_at) as seconds
               from ingest_runs order by run_id"""
        ).fetchall()
        _log_runs(ctx, runs)
        stored = conn.execute(
            """select count(*), count(distinct province_code), count(distinct district_code),
                      count(distinct commune_code), sum(students)
               from core_school__period_returns"""
        ).fetchone()
        assert stored is not None
        ctx.log(
            f"  core_school__period_returns: {stored[0]:,} returns, {stored[1]} provinces, "
            f"{stored[2]} districts, {stored[3]:,} communes, {stored[4] or 0:,} pupils"
        )
        if expected_rows is not None and stored[0] != expected_rows:
            ctx.log(f"  !! expected {expected_rows:,} returns, found {stored[0]:,}")
        for table in ("ingest_rejects", "ingest_warnings"):
            groups = conn.execute(
                f"""select rule, field, count(*) as n, any_value(value)
                    from {table} group by all order by n desc limit 8"""
            ).fetchall()
            for rule, name, count, example in groups:
                ctx.log(f"  {table}: {count:,} x {rule} on {name} (e.g. {example!r})")
    finally:
        conn.close()


# ---------------------------------------------------------------------------------------------
# Issue 2: national-scale ingest and the demo build


def _ingest(ctx: Context, name: str, path: Path, limit_s: float) -> tuple[Outcome, ChildRun]:
    files = ctx.national
    startup = ctx.cli_startup_s
    with fresh_data_dir(ctx.keep) as data_dir:
        ctx.log(f"ioc ingest {path.name} into {data_dir.relative_to(national.REPO_ROOT)}")
        run = ctx.run_ioc(name, ["ingest", str(path)], data_dir)
        if run.stdout.strip():
            ctx.log(_indent(run.stdout))
        if run.stderr.strip() and run.ok:
            ctx.log(_indent(run.stderr))
        if run.ok:
            _snapshot_report(ctx, data_dir, files.rows)
    if ctx.profile:
        ctx.stage_breakdown([path])
    ctx.log(
        f"  child: wall {seconds(run.wall_s)} (of which CLI start-up ~{seconds(startup)}), "
        f"cpu user {seconds(run.user_s)} + system {seconds(run.system_s)}, "
        f"peak RSS {size(run.peak_rss)}"
    )
    figures = [
        Figure("wall", run.wall_s if run.ok else None, "s", limit_s),
        Figure("peak RSS", run.peak_rss if run.ok else None, "bytes", 2 * GB),
    ]
    return Outcome(figures, None if run.ok else run.failure()), run


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def _bare_read_csv(ctx: Context, path: Path) -> float:
    """count(*) of DuckDB's read_csv on a fresh in-process connection (seconds)."""
    source = f"read_csv('{_sql_path(path)}', all_varchar=true)"
    conn = duckdb.connect()
    try:
        started = time.perf_counter()
        count = conn.execute(f"select count(*) from {source}").fetchone()
        bare = time.perf_counter() - started
        started = time.perf_counter()
        conn.execute(f"create table full_load as select * from {source}")
        full = time.perf_counter() - started
    finally:
        conn.close()
    ctx.log(
        f"  bare DuckDB (in-process, fresh connection): count(*) of read_csv {seconds(bare)} "
        f"({count[0] if count else 0:,} rows); full load into a table {seconds(full)}"
    )
    return bare


def _bare_read_xlsx(ctx: Context, path: Path) -> float:
    """fastexcel reading every sheet as text, in-process (seconds)."""
    import fastexcel

    started = time.perf_counter()
    reader = fastexcel.read_excel(path)
    rows = sum(
        reader.load_sheet(s, header_row=None, dtypes="string").height for s in reader.sheet_names
    )
    bare = time.perf_counter() - started
    ctx.log(f"  bare fastexcel read as text (in-process): {seconds(bare)} ({rows:,} grid rows)")
    return bare


def _with_baseline(
    ctx: Context, outcome: Outcome, run: ChildRun, label: str, baseline: Callable[[], float]
) -> Outcome:
    """Add a reference figure and the ingest/reference ratio; a failing reference only logs."""
    try:
        bare = baseline()
    except Exception as exc:  # the reference is context, not a target
        ctx.log(f"  {label} failed: {type(exc).__name__}: {exc}")
        return outcome
    outcome.figures.append(Figure(label, bare, "s"))
    if run.ok:
        outcome.figures.append(Figure("ingest/bare", run.wall_s / bare, "x"))
    return outcome


def ingest_csv(ctx: Context) -> Outcome:
    """``ioc ingest`` of the national CSV, and a bare DuckDB read of the same file."""
    path = ctx.national.csv
    outcome, run = _ingest(ctx, "ingest_csv", path, limit_s=10)
    return _with_baseline(ctx, outcome, run, "bare read_csv", lambda: _bare_read_csv(ctx, path))


def ingest_xlsx(ctx: Context) -> Outcome:
    """``ioc ingest`` of the national XLSX, and a bare fastexcel read of the same file."""
    path = ctx.national.xlsx
    outcome, run = _ingest(ctx, "ingest_xlsx", path, limit_s=30)
    return _with_baseline(ctx, outcome, run, "bare fastexcel", lambda: _bare_read_xlsx(ctx, path))


def demo_build(ctx: Context) -> Outcome:
    """``ioc demo`` into an empty data directory."""
    with fresh_data_dir(ctx.keep) as data_dir:
        ctx.log(f"ioc demo into {data_dir.relative_to(national.REPO_ROOT)}")
        run = ctx.run_ioc("demo", ["demo"], data_dir)
        if run.ok:
            ctx.log(_indent(run.stdout))
            _snapshot_report(ctx, data_dir, None)
    ctx.log(f"  child: wall {seconds(run.wall_s)}, peak RSS {size(run.peak_rss)}")
    return Outcome(
        [
            Figure("wall", run.wall_s if run.ok else None, "s", 30),
            Figure("peak RSS", run.peak_rss if run.ok else None, "bytes"),
        ],
        None if run.ok else run.failure(),
    )


TARGETS: list[Target] = [
    Target("ingest_csv", 2, "ingest + publish a 53,000-school CSV: <= 10 s, <= 2 GB", ingest_csv),
    Target(
        "ingest_xlsx", 2, "ingest + publish a 53,000-school XLSX: <= 30 s, <= 2 GB", ingest_xlsx
    ),
    Target("demo", 2, "build the demo province from scratch: <= 30 s", demo_build),
]
