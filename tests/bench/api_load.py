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

Units come from :func:`ioc.geo.units` (legacy provinces and districts); districts without a
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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import httpx

from ioc import geo
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
) -> Load:
    """``python -m tests.bench.load`` against the server, as a second process."""
    plan = Plan(
        base_url=server.base_url,
        seconds=seconds,
        clients=clients,
        requests=requests,
        weights={k: WEIGHTS.get(k, 1.0) for k in requests},
        warmup_s=warmup_s,
        client=client,
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
    """Per kind and overall: count, requests/s, percentiles, errors, mean size; then the
    warm-up overall."""
    assert load.report is not None
    head = (
        f"{'kind':<9} {'count':>7} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'max ms':>8} {'errors':>6} {'bytes':>8}"
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
            f"{row['errors']:>6} {size:>8}"
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
def recording(pid: int, out: Path, rate: int = 200) -> Any:
    """``py-spy record`` of a process (raw collapsed stacks) for the duration of the block."""
    tool = py_spy()
    if tool is None:
        raise RuntimeError("py-spy is not installed: .venv/bin/pip install py-spy")
    command = [str(tool), "record", "--pid", str(pid), "--format", "raw", "--output", str(out)]
    command += ["--rate", str(rate), "--nonblocking"]
    with (out.parent / f"{out.stem}.log").open("wb") as log:
        proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        try:
            time.sleep(1)  # attach
            yield
        finally:
            proc.send_signal(signal.SIGINT)  # py-spy writes its output when interrupted
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _frame(frame: str) -> str:
    """``name (path:line)`` -> ``name (path)``, the path cut to its last three parts."""
    name, _, where = frame.partition(" (")
    path = where.rstrip(")").rsplit(":", 1)[0]
    return f"{name} ({'/'.join(path.split('/')[-3:])})"


WAITS = (  # leaf frames of a thread waiting, not working
    "Condition.wait (",
    "Queue.get (",
    "Event.wait (",
    "EpollSelector.select (",
    "_wait_for_tstate_lock (",
    "sleep (",
)
FRAMEWORK = ("asyncio/", "threading.py", "anyio/", "concurrent/", "<module>", "typer/", "click/")


def hot_functions(raw: Path, top: int = 14) -> list[str]:
    """From py-spy's raw output: the share of samples in which threads wait (idle worker
    threads, the event loop's select), then, over the working samples, the functions with
    the most samples inclusive (anywhere in the stack, counted once; framework plumbing left
    out) and by own time (leaf frame)."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = waiting = 0
    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack.strip() or not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = [_frame(f) for f in stack.split(";")]
        if any(frames[-1].startswith(w) for w in WAITS):
            waiting += n
            continue
        for name in set(frames):
            inclusive[name] += n
        own[frames[-1]] += n
    working = total - waiting
    if not working:
        return [f"{total:,} samples, none working"]

    def share(n: int) -> str:
        return f"{100 * n / working:5.1f} %"

    lines = [
        f"{total:,} samples, {waiting:,} of threads waiting left out; of the {working:,} "
        "working, inclusive:"
    ]
    ranked = [(k, n) for k, n in inclusive.most_common() if not any(s in k for s in FRAMEWORK)]
    lines += [f"  {share(n)}  {name}" for name, n in ranked[:top]]
    lines.append("own (leaf frame):")
    lines += [f"  {share(n)}  {name}" for name, n in own.most_common(top)]
    return lines
