"""Issue 19, "Speed at scale": the dashboard under 50 simulated users on the national build,
its callbacks replayed over HTTP: p95 callback <= 500 ms, no errors, workers printed.

``ioc serve`` with two workers on the national snapshot with indicators. Chromium (through
Playwright) makes one visit first, on Hà Nội (the template), and its callbacks are captured
(:mod:`tests.bench.scale_capture`): the overview of a province, its map and another indicator
picked there, the page of one of its old districts, a school's page. Each simulated user, signed
in with a session of its own, then makes that visit :data:`ROUNDS` times, each time on another
province, district, school and indicator drawn at random (the template's codes replaced in
the bodies), from a second process (:mod:`tests.bench.scale_users`), all users at once.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import httpx

from tests.bench import dashboard as dash_bench
from tests.bench import scale_server
from tests.bench.scale_capture import Place, outputs, substitute, user_steps
from tests.bench.scale_users import COOKIES_ENV, UsersPlan

if TYPE_CHECKING:
    from tests.bench.targets import Context, Outcome

USERS = 50
WORKERS = int(os.environ.get("IOC_BENCH_DASH_WORKERS", scale_server.WORKERS))
ROUNDS = 2  # visits of each user
THINK_S = 1.0  # mean seconds between a user's steps
TEMPLATE_PROVINCE = "01"  # Hà Nội
FIRST_INDICATOR = "NET_CLASS_SIZE"  # the map opens on it; each user picks another
PICKED = tuple(i for i in dash_bench.INDICATORS if i != FIRST_INDICATOR)


def places(snapshot: Path, count: int, seed: int = 19) -> tuple[Place, list[Place]]:
    """The template (the first school of Hà Nội's first old district) and ``count`` random
    places: a school drawn at random, its old district and province, an indicator."""
    conn = duckdb.connect(str(snapshot), read_only=True)
    try:
        rows = conn.execute(
            """select province_code_legacy, district_code_legacy, school_code
               from core_school__registry where district_code_legacy is not null
               order by school_code"""
        ).fetchall()
    finally:
        conn.close()
    province, district, school = next(r for r in rows if r[0] == TEMPLATE_PROVINCE)
    template = Place(province, district, school, PICKED[0])
    rng = random.Random(seed)
    drawn = []
    for _ in range(count):
        province, district, school = rng.choice(rows)
        drawn.append(Place(province, district, school, rng.choice(PICKED)))
    return template, drawn


def _sessions(base_url: str, username: str, password: str, count: int) -> list[str]:
    return [dash_bench.session(base_url, username, password) for _ in range(count)]


def dashboard_users(ctx: Context) -> Outcome:
    """50 users replaying the dashboard's callbacks, two workers, national build."""
    from tests.bench.measure import run_child, seconds
    from tests.bench.server import load_average
    from tests.bench.targets import IOC, Figure, Outcome, _indent

    if not dash_bench.CHROMIUM.exists():
        return Outcome(error=f"no chromium at {dash_bench.CHROMIUM} (apt-get install chromium)")
    ready = scale_server.ready_snapshot(ctx)
    if ready is None:
        return Outcome(error="no national snapshot with indicators")
    with scale_server.national_dir(ready, ctx.keep) as data_dir:
        template, drawn = places(data_dir / "ioc.duckdb", USERS * ROUNDS)
        password = dash_bench.leader_password(IOC, data_dir)
        with scale_server.server(IOC, data_dir, WORKERS) as server:
            ctx.log(
                f"ioc serve {' '.join(server.args)} on {server.base_url} (pid {server.pid}, "
                f"IOC_WORKERS={server.env['IOC_WORKERS']}): answering after "
                f"{seconds(server.ready_s or 0)}"
            )
            cookies = _sessions(server.base_url, "bench-viewer", password, USERS)
            periods = httpx.get(
                f"{server.base_url}/api/v1/periods",
                cookies={"ioc_session": cookies[0]},
                timeout=60,
            ).json()
            period = next(p["period"] for p in periods if p["scheme"] == "legacy")
            with dash_bench.Browser(server.base_url, cookies[0]) as browser:
                steps, console = user_steps(browser, template, period, FIRST_INDICATOR)
            ctx.log(
                f"captured from chromium on {template} ({period}), console errors {len(console)}:"
            )
            for step in steps:
                names = ", ".join(outputs(b) for b in step.bodies)
                ctx.log(f"  {step.name}: {len(step.bodies)} callbacks ({names})")
            if not all(step.bodies for step in steps):
                return Outcome(error="a step of the visit sent no callback: nothing to replay")
            visits = [substitute(steps, template, place) for place in drawn]
            users = [
                [
                    (s.name, s.bodies)
                    for visit in visits[n * ROUNDS : (n + 1) * ROUNDS]
                    for s in visit
                ]
                for n in range(USERS)
            ]
            plan = UsersPlan(server.base_url, THINK_S, users)
            path = data_dir / "plan-users.json"
            plan.write(path)
            ctx.log(
                f"{USERS} users, {ROUNDS} visits each on places drawn at random, "
                f"~{THINK_S:g} s between steps; load average before {load_average()}"
            )
            env = dict(os.environ) | {COOKIES_ENV: ",".join(cookies)}
            cpu_before = scale_server.cpu_seconds(scale_server.workers(server))
            began = time.time()
            run = run_child(
                [sys.executable, "-m", "tests.bench.scale_users", str(path)], env=env, timeout=900
            )
            window = server.window(began, time.time())
            seen = scale_server.workers(server)
            cpu_after = scale_server.cpu_seconds(seen)
            alive = server.alive
            if not run.ok:
                return Outcome(error=f"{run.failure(30)}\nserver log:\n{server.tail()}")
            report = json.loads(run.stdout.strip().splitlines()[-1])
            _log_report(ctx, report)
            if window is not None:  # less dependent on the machine's other load than latencies
                count = report["overall"]["count"]
                ctx.log(
                    f"  server CPU {window.server_cores:.2f} cores over {window.seconds:.0f} s, "
                    f"{window.server_cores * window.seconds / max(1, count) * 1000:.0f} ms of CPU "
                    f"per callback (the API requests it makes included); whole machine "
                    f"{window.machine_cores:.2f} cores busy"
                )
            ctx.log(f"  {scale_server.worker_line(server, seen)}")
            spent = {p: cpu_after[p] - cpu_before.get(p, 0.0) for p in cpu_after}
            ctx.log(
                "  CPU per worker during the load (how evenly the users' connections fell): "
                + ", ".join(f"pid {p} {seconds(s)}" for p, s in sorted(spent.items()))
            )
            if not alive:
                ctx.log(_indent(server.tail()))
    overall = report["overall"]
    return Outcome(
        [
            Figure("callback p95", overall["p95_ms"], "ms", 500),
            Figure("callback p50", overall["p50_ms"], "ms"),
            Figure("callbacks", overall["count"], "n"),
            Figure("errors", overall["errors"], "n", 0),
            Figure("workers", len(seen), "n"),
            Figure(
                "peak RSS per worker",
                scale_server.peak_per_worker(seen),
                "bytes",
                scale_server.MEMORY_LIMIT,
            ),
        ],
        None if alive else "the server died during the load",
    )


def _log_report(ctx: Context, report: dict[str, Any]) -> None:
    from tests.bench.targets import _indent

    lines = [f"{'step':<10} {'count':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'errors':>6}"]
    for name, row in [*report["steps"].items(), ("overall", report["overall"])]:
        lines.append(
            f"{name:<10} {row['count']:>6,} {row['p50_ms'] or 0:>8.1f} {row['p95_ms'] or 0:>8.1f} "
            f"{row['max_ms'] or 0:>8.1f} {row['errors']:>6}"
        )
    ctx.log(_indent("\n".join(lines)))
    ctx.log(f"  {report['elapsed_s']:.1f} s in all; slowest callbacks (max, p50, count):")
    for row in report["slowest"]:
        ctx.log(
            f"    {row['max_ms']:8.1f} ms {row['p50_ms']:8.1f} ms {row['count']:>4}  "
            f"{row['callback']}"
        )
    for text, n in report["errors"].items():
        ctx.log(f"  error: {n:,} x {text}")
