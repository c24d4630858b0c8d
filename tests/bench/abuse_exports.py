"""Issue 13, item 4: one user floods the server with exports; another user keeps working.

On a fresh demo, fifty clients of one account ask at once for ``units.xlsx?limit=20000``
(every unit of both schemes, 14,000 rows) and keep asking for :data:`FLOOD_S` seconds (a
refused one asks again after a second, ignoring ``Retry-After``), while another account
asks for ``GET /periods`` every :data:`PROBE_EVERY_S` s (each with a query string of its
own, so the route answers it, not the response cache). Printed: how many of the first fifty
were refused (429), the exports' durations, ``/periods`` p50/p95/max during the flood, and
the server's peak RSS.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import dataclass, field

import httpx

from tests.bench import targets as bench
from tests.bench.measure import child_env, fresh_data_dir, run_child, seconds, size
from tests.bench.server import Server

FLOODERS = 50
FLOOD_S = 30.0
PROBE_EVERY_S = 0.1
REFUSED_PAUSE_S = 1.0
EXPORT = "/api/v1/units.xlsx"
PASSWORD = "demo-2025!"


@dataclass
class Flood:
    first_wave: list[int] = field(default_factory=list)  # statuses of the first fifty
    done_s: list[float] = field(default_factory=list)  # durations of exports answered 200
    refused_s: list[float] = field(default_factory=list)  # durations of 429 answers
    other: list[int] = field(default_factory=list)  # any other status
    periods_s: list[float] = field(default_factory=list)
    periods_failed: int = 0


async def _signed_in(base: str, username: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(
        base_url=base, timeout=600, limits=httpx.Limits(max_connections=FLOODERS + 5)
    )
    answer = await client.post(
        "/api/v1/auth/login", json={"username": username, "password": PASSWORD}
    )
    answer.raise_for_status()
    return client


async def _flood(base: str) -> Flood:
    out = Flood()
    flooder = await _signed_in(base, "demo-leader")
    other = await _signed_in(base, "demo-analyst")
    end = time.monotonic() + FLOOD_S

    async def export(first: bool) -> None:
        while first or time.monotonic() < end:
            started = time.perf_counter()
            answer = await flooder.get(EXPORT, params={"limit": 20000})
            spent = time.perf_counter() - started
            if first:
                out.first_wave.append(answer.status_code)
                first = False
            if answer.status_code == 200:
                out.done_s.append(spent)
            elif answer.status_code == 429:
                out.refused_s.append(spent)
                await asyncio.sleep(REFUSED_PAUSE_S)
            else:
                out.other.append(answer.status_code)

    async def probe() -> None:
        n = 0
        while time.monotonic() < end:
            n += 1
            started = time.perf_counter()
            answer = await other.get("/api/v1/periods", params={"probe": n})
            out.periods_s.append(time.perf_counter() - started)
            out.periods_failed += answer.status_code != 200
            await asyncio.sleep(PROBE_EVERY_S)

    try:
        await asyncio.gather(*(export(True) for _ in range(FLOODERS)), probe())
    finally:
        await flooder.aclose()
        await other.aclose()
    return out


def _quantile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run(ctx: bench.Context) -> bench.Outcome:
    """Fifty concurrent XLSX exports by one account, then a sustained flood, on the demo."""
    with fresh_data_dir(ctx.keep) as data_dir:
        demo = run_child([str(bench.IOC), "demo"], env=child_env(data_dir))
        if not demo.ok:
            return bench.Outcome(error=demo.failure())
        with Server(bench.IOC, data_dir) as server:
            ctx.log(f"ioc serve on {server.base_url} (pid {server.pid}), demo data")
            started = time.time()
            flood = asyncio.run(_flood(server.base_url))
            window = server.window(started, time.time())
            peak = server.peak_rss()
            alive = server.alive
    refused_first = sum(s == 429 for s in flood.first_wave)
    ms = [s * 1000 for s in flood.periods_s]
    ctx.log(
        f"  first wave: {len(flood.first_wave)} exports at once, {refused_first} refused (429), "
        f"{sum(s == 200 for s in flood.first_wave)} written"
    )
    ctx.log(
        f"  {FLOOD_S:g} s flood: {len(flood.done_s)} exports written "
        f"(duration p50 {seconds(statistics.median(flood.done_s)) if flood.done_s else 'n/a'}, "
        f"max {seconds(max(flood.done_s, default=0))}), {len(flood.refused_s)} refused "
        f"(answered in p50 {1000 * (_quantile(flood.refused_s, 0.5) or 0):.0f} ms), "
        f"other statuses {flood.other or 'none'}"
    )
    ctx.log(
        f"  other user's GET /periods: {len(ms)} answered, {flood.periods_failed} not 200; "
        f"p50 {_quantile(ms, 0.5) or 0:.0f} ms, p95 {_quantile(ms, 0.95) or 0:.0f} ms, "
        f"max {max(ms, default=0):.0f} ms"
    )
    if window is not None:
        ctx.log(
            f"  server: peak RSS {size(peak)}, {window.server_cores:.2f} cores busy, "
            f"at most {window.threads} threads"
        )
    return bench.Outcome(
        [
            bench.Figure("first-wave exports refused", refused_first, "n"),
            bench.Figure("exports written", len(flood.done_s), "n"),
            bench.Figure("export p50", _quantile(flood.done_s, 0.5), "s"),
            bench.Figure("export max", max(flood.done_s, default=None), "s"),
            bench.Figure("/periods p50", _quantile(ms, 0.5), "ms"),
            bench.Figure("/periods p95", _quantile(ms, 0.95), "ms", 1000),
            bench.Figure("/periods max", max(ms, default=None), "ms", 3000),
            bench.Figure("/periods not 200", flood.periods_failed, "n", 0),
            bench.Figure("peak RSS", peak, "bytes", 1024**3),
        ],
        None if alive and not flood.other else "the server died or answered an unexpected status",
    )
