"""Helpers of the ``api_load`` target (issue 4): the request mix, running the load process
(:mod:`tests.bench.load`) against a :class:`tests.bench.server.Server`, the figures as text,
and a py-spy profile of the server per kind of request.

The mix, against the national snapshot with indicators, period 2024-2025/DN, legacy scheme:

- ``kpis``: every indicator of a random old province
  (``/indicators/values?unit=PP&period=...&scheme=legacy``);
- ``children``: one indicator (NET_CLASS_SIZE) for each old district of a random province
  (``...&children=true&indicator=NET_CLASS_SIZE``);
- ``schools``: the first page of 50 schools of a random old district (``/schools?unit=DDD...``);
- ``series``: NET_STUDENTS of a random province over every period (``/indicators/.../series``).

Units come from :func:`ioc.geo.admin.units` (legacy provinces and districts); districts without a
school in the snapshot are left out of the school pages.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import httpx

from ioc.geo import admin as geo
from tests.bench.load import TOKEN_ENV, Plan
from tests.bench.measure import ChildRun, run_child
from tests.bench.server import Server, Window, busiest, process_cpu

PERIOD = "2024-2025/DN"
CHILD_INDICATOR = "NET_CLASS_SIZE"
SERIES_INDICATOR = "NET_STUDENTS"
API = "/api/v1"
HEALTH = {"health": [f"{API}/health"]}
WEIGHTS = {"kpis": 1.0, "children": 1.0, "schools": 1.0, "series": 1.0}


def mix(snapshot: Path) -> tuple[dict[str, list[str]], str]:
    """The paths of each kind of request, and a line saying which units they cover."""
    units = geo.units().filter(scheme="legacy")
    provinces = units.filter(level="province")["code"].to_list()
    districts = units.filter(level="district")["code"].to_list()
    conn = duckdb.connect(str(snapshot), read_only=True)
    try:
        rows = conn.execute(
            "select distinct district_code_legacy from core_school__registry"
        ).fetchall()
    finally:
        conn.close()
    with_schools = {code for (code,) in rows}
    kept = [d for d in districts if d in with_schools]
    query = f"period={PERIOD}&scheme=legacy"
    requests = {
        "kpis": [f"{API}/indicators/values?unit={p}&{query}" for p in provinces],
        "children": [
            f"{API}/indicators/values?unit={p}&{query}&children=true&indicator={CHILD_INDICATOR}"
            for p in provinces
        ],
        "schools": [f"{API}/schools?unit={d}&{query}&page=1&size=50" for d in kept],
        "series": [
            f"{API}/indicators/{SERIES_INDICATOR}/series?unit={p}&scheme=legacy" for p in provinces
        ],
    }
    note = (
        f"{len(provinces)} old provinces, {len(kept)} of {len(districts)} old districts "
        f"(those with schools); period {PERIOD}, legacy scheme"
    )
    return requests, note


def uncached(requests: dict[str, list[str]]) -> dict[str, list[str]]:
    """Variants of the mix's URLs that a server cache has not seen: the same kinds for the
    other legacy periods (2016-2017 to 2024-2025) and, for the series, every indicator."""
    from ioc.catalog.definitions import load_catalog

    periods = [f"{y}-{y + 1}/{t}" for y in range(2016, 2025) for t in ("DN", "CN")]
    periods.remove(PERIOD)
    indicators = [i.id for i in load_catalog().indicators if i.id != SERIES_INDICATOR]
    found = {}
    for kind, paths in requests.items():
        if kind == "series":
            found[kind] = [p.replace(SERIES_INDICATOR, i) for p in paths for i in indicators]
        else:
            found[kind] = [p.replace(PERIOD, q) for p in paths for q in periods]
    return found


def prime(server: Server, token: str, paths: list[str]) -> float:
    """Request each path once, one after the other (seconds), so a cache holds them."""
    started = time.perf_counter()
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=120) as client:
        for path in paths:
            client.get(path)
    return time.perf_counter() - started


def probe(server: Server, token: str, requests: dict[str, list[str]]) -> list[str]:
    """One request of each kind on a cold server: status, time, size (raises on an error)."""
    lines = []
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=120) as client:
        for kind, paths in requests.items():
            started = time.perf_counter()
            response = client.get(paths[0])
            spent = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise RuntimeError(
                    f"{kind}: GET {paths[0]} -> {response.status_code}: {response.text[:500]}"
                )
            body = response.json()
            items = len(body["items"]) if isinstance(body, dict) and "items" in body else len(body)
            lines.append(
                f"{kind:<9} {spent:8.1f} ms  {len(response.content):>8,} bytes, {items:>4} rows  "
                f"GET {paths[0]}"
            )
    return lines


@dataclass(frozen=True)
class Load:
    """One run of the load process: its JSON report, the child run, the server meanwhile."""

    name: str
    report: dict[str, Any] | None
    run: ChildRun
    server: Window | None
    busiest: list[tuple[float, int, str]]  # (cores, pid, command) over the whole load process

    @property
    def overall(self) -> dict[str, Any]:
        assert self.report is not None
        return self.report["overall"]  # type: ignore[no-any-return]

    @property
    def error_count(self) -> int:
        """Errors in the measured window and in the warm-up."""
        assert self.report is not None
        return int(self.overall["errors"] + self.report["warmup"]["overall"]["errors"])


def run_load(
    name: str,
    server: Server,
    token: str,
    requests: dict[str, list[str]],
    folder: Path,
    *,
    seconds: float,
    clients: int,
    warmup_s: float,
    client: str = "raw",
    once: dict[str, list[str]] | None = None,
    once_share: float = 0.0,
) -> Load:
    """``python -m tests.bench.load`` against the server, as a second process (``once``,
    ``once_share``: see :class:`tests.bench.load.Plan`)."""
    plan = Plan(
        base_url=server.base_url,
        seconds=seconds,
        clients=clients,
        requests=requests,
        weights={k: WEIGHTS.get(k, 1.0) for k in requests},
        warmup_s=warmup_s,
        client=client,
        once=once or {},
        once_share=once_share,
    )
    path = folder / f"plan-{name}.json"
    plan.write(path)
    env = dict(os.environ) | {TOKEN_ENV: token}
    command = [sys.executable, "-m", "tests.bench.load", str(path)]
    before, started = process_cpu(), time.perf_counter()
    run = run_child(command, env=env, timeout=seconds + warmup_s + 600)
    used = busiest(before, process_cpu(), time.perf_counter() - started)
    if not run.ok:
        return Load(name, None, run, None, used)
    report = json.loads(run.stdout.strip().splitlines()[-1])
    start, end = report["window_unix"]
    return Load(name, report, run, server.window(start, end), used)


def _ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}"


def table(load: Load) -> list[str]:
    """Per kind and overall: count, requests/s, percentiles, errors, mean size, then the
    first requests of a URL in the run and the repeated ones; last, the warm-up overall."""
    assert load.report is not None
    head = (
        f"{'kind':<9} {'count':>7} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'max ms':>8} {'errors':>6} {'bytes':>7} | {'new URLs':>8} {'p50 ms':>8} | "
        f"{'repeats p50':>11} {'p95 ms':>8}"
    )
    lines = [head]
    rows = [
        *load.report["kinds"].items(),
        ("overall", load.overall),
        ("warm-up", load.report["warmup"]["overall"]),
    ]
    for kind, row in rows:
        size = "" if row["mean_bytes"] is None else f"{row['mean_bytes']:,.0f}"
        lines.append(
            f"{kind:<9} {row['count']:>7,} {row['rps']:>7.1f} {_ms(row['p50_ms']):>8} "
            f"{_ms(row['p95_ms']):>8} {_ms(row['p99_ms']):>8} {_ms(row['max_ms']):>8} "
            f"{row['errors']:>6} {size:>7} | {row['first_count']:>8,} "
            f"{_ms(row['first_p50_ms']):>8} | {_ms(row['repeat_p50_ms']):>11} "
            f"{_ms(row['repeat_p95_ms']):>8}"
        )
    return lines


def machine_line(load: Load) -> str:
    """Where the CPU went during the measured window."""
    assert load.report is not None
    report, window = load.report, load.server
    client = report["client_cpu_share"] or 0.0
    warmup = report["elapsed_s"] - report["window_s"]
    text = (
        f"load process ({report['client']} client): {report['window_s']:.1f} s measured after "
        f"{warmup:.1f} s warm-up, client CPU {client:.2f} cores"
    )
    if window is None:
        return text + "; too few server samples for the window"
    others = max(0.0, window.machine_cores - window.server_cores - client)
    count = report["overall"]["count"]
    per_request = window.server_cores * report["window_s"] / count * 1000 if count else 0.0
    return (
        f"{text}; server CPU {window.server_cores:.2f} cores ({per_request:.1f} ms of CPU per "
        f"request), {window.threads} threads, "
        f"peak RSS {window.peak_rss / 1024**2:.0f} MB; whole machine {window.machine_cores:.2f} "
        f"cores busy (other processes ~{others:.2f})"
    )


def busiest_lines(load: Load, server: Server) -> list[str]:
    """The processes that used the most CPU while the load process ran."""
    lines = []
    for cores, pid, command in load.busiest:
        if pid == server.pid:
            what = "the server"
        elif "tests.bench.load" in command:
            what = "the load process"
        else:
            what = command[:90]
        lines.append(f"{cores:5.2f} cores  pid {pid:<7} {what}")
    return lines


def errors(load: Load) -> list[str]:
    assert load.report is not None
    found: Counter[str] = Counter()
    for row in load.report["kinds"].values():
        found.update(row["error_kinds"])
    for kind, row in load.report["warmup"].items():
        if kind != "overall":
            found.update({f"(warm-up) {k}": n for k, n in row["error_kinds"].items()})
    return [f"{n:,} x {text}" for text, n in found.most_common(8)]


# ---------------------------------------------------------------------------------------------
# Profile of the server per kind of request


def py_spy() -> Path | None:
    found = Path(sys.executable).parent / "py-spy"
    if found.is_file():
        return found
    which = shutil.which("py-spy")
    return Path(which) if which else None


@contextlib.contextmanager
def recording(pid: int, out: Path, rate: int = 200) -> Iterator[None]:
    """``py-spy record`` of a process (raw collapsed stacks) for the duration of the block."""
    tool = py_spy()
    if tool is None:
        raise RuntimeError("py-spy is not installed: .venv/bin/pip install py-spy")
    command = [str(tool), "record", "--pid", str(pid), "--format", "raw", "--output", str(out)]
    command += ["--rate", str(rate), "--nonblocking", "--threads"]
    log_path = out.parent / f"{out.stem}.log"
    for path in (out, log_path):  # never read a previous run's profile, never write through
        path.unlink(missing_ok=True)  # a hard link into another checkout's bench cache
    with log_path.open("wb") as log:
        proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        try:
            time.sleep(2)  # attach
            yield
        finally:
            proc.send_signal(signal.SIGINT)  # py-spy writes its output when interrupted
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _frame(frame: str) -> tuple[str, str]:
    """``name (path:line)`` -> (``name (path)``, path); py-spy's paths are module-relative."""
    name, _, where = frame.partition(" (")
    path = where.rstrip(")").rsplit(":", 1)[0]
    return f"{name} ({path})", path


ROOT = "ioc/cli/serve.py"  # ``serve``, at the bottom of every stack of the event loop
WAITS = (  # leaf frames of a thread waiting, not working
    "Condition.wait (",
    "Queue.get (",
    "Event.wait (",
    "EpollSelector.select (",
    "_wait_for_tstate_lock (",
    "sleep (",
)


def hot_functions(raw: Path, top: int = 12) -> list[str]:
    """From py-spy's raw output (``--threads``): the samples of threads waiting (idle worker
    threads, the event loop's select) left out, the share of the working samples on the event
    loop's thread (HTTP, ASGI, middleware) and on the worker threads (sync endpoints and
    dependencies); the project's functions (``ioc/``) by inclusive samples (anywhere in the
    stack, counted once); every function by own samples (leaf frame)."""
    if not raw.is_file():
        log = raw.parent / f"{raw.stem}.log"
        text = log.read_text(encoding="utf-8", errors="replace") if log.is_file() else ""
        return [f"py-spy wrote no profile: {' '.join(text.split())[-300:]}"]
    project: Counter[str] = Counter()
    own: Counter[str] = Counter()
    by_thread: Counter[str] = Counter()
    loop_threads: set[str] = set()
    total = waiting = 0
    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack.strip() or not count.isdigit():
            continue
        n = int(count)
        total += n
        parts = stack.split(";")
        thread = parts.pop(0) if parts[0].startswith("thread (") else "?"
        frames = [_frame(f) for f in parts]
        if "uvicorn/server.py" in stack or "BaseEventLoop.run_forever" in stack:
            loop_threads.add(thread)
        if not frames or any(frames[-1][0].startswith(w) for w in WAITS):
            waiting += n
            continue
        by_thread[thread] += n
        for name in {name for name, path in frames if path.startswith("ioc/") and path != ROOT}:
            project[name] += n
        own[frames[-1][0]] += n
    working = total - waiting
    if not working:
        return [f"{total:,} samples, none working"]

    def share(n: int) -> str:
        return f"{100 * n / working:5.1f} %"

    on_loop = sum(n for t, n in by_thread.items() if t in loop_threads)
    lines = [
        f"{total:,} samples, {waiting:,} of waiting threads left out; of the {working:,} "
        f"working: event loop thread {share(on_loop).strip()}, worker threads "
        f"{share(working - on_loop).strip()}",
        "project functions (inclusive):",
        *(f"  {share(n)}  {name}" for name, n in project.most_common(top)),
        "own time (leaf frame):",
        *(f"  {share(n)}  {name}" for name, n in own.most_common(top)),
    ]
    return lines
