"""Issue 19, "Speed at scale": a new build published under a running server.

``first_after_build``: ``ioc serve`` with two workers on the national build, its warm-up
given time to finish and every kind of request asked once; then a new build is published (a
small ingest of one province-period into the data directory, as ``indicators_incremental``
does), ``/health`` is polled on one kept-alive connection until that worker serves the new
build, and on the same connection the first request of each kind is timed: the KPIs of a
province, the children of a province, a page of a district's schools, a series, and the data
of the overview page (its page callback, as chromium sent it). Each <= 100 ms.

``freshness``: from ``ioc ingest`` of one province's file starting to its figure served:
every 100 ms, on a new connection each time (any worker), the province's KPIs until a value
differs from before, and the wall's refresh callback (as chromium sent it for a wall screen
on that province and period) until it answers with the new build. Each <= 10 s.
"""

from __future__ import annotations

import functools
import json
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from tests.bench import dashboard as dash_bench
from tests.bench import scale_server
from tests.bench.scale_capture import CALLBACK, capture

if TYPE_CHECKING:
    from tests.bench.targets import Context, Outcome

API = "/api/v1"
CHILD_INDICATOR = "NET_CLASS_SIZE"
FIRST_LIMIT_MS = 100.0
FRESH_LIMIT_S = 10.0
SETTLE_S = 30.0  # after start-up, for the warm-up of the first build (it logs nothing)
POLL_S = 0.1


def _kinds(province: str, district: str, period: str) -> dict[str, str]:
    query = f"period={period}&scheme=legacy"
    return {
        "kpis": f"{API}/indicators/values?unit={province}&{query}",
        "children": f"{API}/indicators/values?unit={province}&{query}&children=true"
        f"&indicator={CHILD_INDICATOR}",
        "schools": f"{API}/schools?unit={district}&{query}&page=1&size=50",
        "series": f"{API}/indicators/NET_STUDENTS/series?unit={province}&scheme=legacy",
    }


def _page_body(bodies: list[str]) -> str:
    """The page callback among an overview's callbacks (it renders the page's content)."""
    for body in bodies:
        if "_pages_content" in str(json.loads(body).get("output", "")):
            return body
    raise RuntimeError(f"no page callback among {len(bodies)} captured")


def _a_district(snapshot: Path, province: str) -> str:
    import duckdb

    conn = duckdb.connect(str(snapshot), read_only=True)
    try:
        row = conn.execute(
            """select district_code_legacy from core_school__registry
               where province_code_legacy = ? group by all order by count(*) desc limit 1""",
            [province],
        ).fetchone()
    finally:
        conn.close()
    assert row is not None
    return str(row[0])


def _build_id(client: httpx.Client) -> str | None:
    found = client.get(f"{API}/health").json().get("build_id")
    return None if found is None else str(found)


def _timed(call: Callable[[], httpx.Response]) -> tuple[float, int]:
    started = time.perf_counter()
    response = call()
    return (time.perf_counter() - started) * 1000, response.status_code


def first_after_build(ctx: Context) -> Outcome:
    """The first request of each kind on a worker that has just switched to a new build."""
    from tests.bench.measure import seconds, size
    from tests.bench.server import leader_token, load_average
    from tests.bench.targets import INCREMENTAL_PERIOD, IOC, Figure, Outcome, _province_file

    ready = scale_server.ready_snapshot(ctx)
    if ready is None:
        return Outcome(error="no national snapshot with indicators")
    school_year, term = INCREMENTAL_PERIOD
    period = f"{school_year}/{term}"
    with scale_server.national_dir(ready, ctx.keep) as data_dir:
        path, province, _ = _province_file(ctx, data_dir / "ioc.duckdb", data_dir / "incoming")
        district = _a_district(data_dir / "ioc.duckdb", province)
        token = leader_token(IOC, data_dir)
        password = dash_bench.leader_password(IOC, data_dir)
        kinds = _kinds(province, district, period)
        with scale_server.server(IOC, data_dir) as server:
            ctx.log(
                f"ioc serve {' '.join(server.args)} on {server.base_url} (pid {server.pid}, "
                f"IOC_WORKERS={server.env['IOC_WORKERS']}): answering after "
                f"{seconds(server.ready_s or 0)}"
            )
            cookie = dash_bench.session(server.base_url, "bench-viewer", password)
            view = f"/?unit={province}&scheme=legacy&period={period}"
            with dash_bench.Browser(server.base_url, cookie) as browser:
                bodies, _, _ = capture(browser, view, "#overview-tiles .tile")
            page = _page_body(bodies)
            headers = {"Authorization": f"Bearer {token}"}
            before, old = _rounds(server.base_url, headers, cookie, kinds, page, rounds=2)
            ctx.log(
                "  before the build (requests of each kind, twice, after the browser's visit): "
                + ", ".join(f"{k} {v[-1]:.0f} ms" for k, v in before.items())
            )
            time.sleep(max(0.0, SETTLE_S - (server.ready_s or 0)))
            ctx.log(f"ioc ingest {path.name} --period {period}; load average {load_average()}")
            ingest = ctx.run_ioc(
                "first_after_build", ["ingest", str(path), "--period", period], data_dir
            )
            if not ingest.ok:
                return Outcome(error=ingest.failure(30))
            ctx.log(f"  ingest: wall {seconds(ingest.wall_s)}, peak RSS {size(ingest.peak_rss)}")
            with httpx.Client(base_url=server.base_url, headers=headers, timeout=120) as client:
                switched_at = time.perf_counter()
                while (new := _build_id(client)) == old:
                    time.sleep(0.02)
                switch_ms = (time.perf_counter() - switched_at) * 1000
                firsts = {}
                for kind, url in kinds.items():
                    firsts[kind] = _timed(functools.partial(client.get, url))
                firsts["page"] = _timed(
                    lambda: client.post(
                        CALLBACK,
                        content=page,
                        headers={"Content-Type": "application/json"},
                        cookies={"ioc_session": cookie},
                    )
                )
            ctx.log(
                f"  new build {new} seen on /health {switch_ms:.0f} ms after the ingest ended; "
                f"first requests on that connection's worker:"
            )
            for kind, (ms, status) in firsts.items():
                ctx.log(f"    {kind:<9} {ms:8.1f} ms  HTTP {status}")
            seen = scale_server.workers(server)
            ctx.log(f"  {scale_server.worker_line(server, seen)}")
    errors = [k for k, (_, status) in firsts.items() if status != 200]
    return Outcome(
        [
            *(Figure(f"first {k}", ms, "ms", FIRST_LIMIT_MS) for k, (ms, _) in firsts.items()),
            Figure("workers", len(seen), "n"),
        ],
        f"errors on {', '.join(errors)}" if errors else None,
    )


def _rounds(
    base_url: str,
    headers: dict[str, str],
    cookie: str,
    kinds: dict[str, str],
    page: str,
    rounds: int,
) -> tuple[dict[str, list[float]], str | None]:
    """Each kind ``rounds`` times (ms of each), and the build served."""
    found: dict[str, list[float]] = {}
    with httpx.Client(base_url=base_url, headers=headers, timeout=120) as client:
        for _ in range(rounds):
            for kind, url in kinds.items():
                found.setdefault(kind, []).append(_timed(functools.partial(client.get, url))[0])
            ms, _ = _timed(
                lambda: client.post(
                    CALLBACK,
                    content=page,
                    headers={"Content-Type": "application/json"},
                    cookies={"ioc_session": cookie},
                )
            )
            found.setdefault("page", []).append(ms)
        return found, _build_id(client)


def _build_in(answer: object) -> str | None:
    """The ``build_id`` of the wall's status in a callback's answer."""
    if isinstance(answer, dict):
        if "build_id" in answer and "digest" in answer:
            return str(answer["build_id"])
        answers = list(answer.values())
    elif isinstance(answer, list):
        answers = answer
    else:
        return None
    for value in answers:
        if (found := _build_in(value)) is not None:
            return found
    return None


def _values(base_url: str, headers: dict[str, str], url: str) -> list[tuple[str, object]]:
    rows = httpx.get(base_url + url, headers=headers, timeout=60).json()
    return sorted((r["indicator_id"], r["value"]) for r in rows)


def _poll(until: Callable[[], bool], deadline: float) -> float | None:
    """Seconds (perf_counter) when ``until()`` first held, or None at the deadline."""
    while time.perf_counter() < deadline:
        try:
            if until():
                return time.perf_counter()
        except (httpx.HTTPError, ValueError, KeyError):
            pass  # a worker restarting or a half-switched answer: ask again
        time.sleep(POLL_S)
    return None


def freshness(ctx: Context) -> Outcome:
    """From ``ioc ingest`` starting to the changed figure served by the API and the wall."""
    from tests.bench.measure import child_env, seconds
    from tests.bench.server import leader_token, load_average
    from tests.bench.targets import INCREMENTAL_PERIOD, IOC, Figure, Outcome, _province_file

    ready = scale_server.ready_snapshot(ctx)
    if ready is None:
        return Outcome(error="no national snapshot with indicators")
    school_year, term = INCREMENTAL_PERIOD
    period = f"{school_year}/{term}"
    with scale_server.national_dir(ready, ctx.keep) as data_dir:
        path, province, _ = _province_file(ctx, data_dir / "ioc.duckdb", data_dir / "incoming")
        token = leader_token(IOC, data_dir)
        password = dash_bench.leader_password(IOC, data_dir)
        headers = {"Authorization": f"Bearer {token}"}
        kpis = f"{API}/indicators/values?unit={province}&period={period}&scheme=legacy"
        with scale_server.server(IOC, data_dir) as server:
            base = server.base_url
            ctx.log(
                f"ioc serve {' '.join(server.args)} on {base} (pid {server.pid}, "
                f"IOC_WORKERS={server.env['IOC_WORKERS']}): answering after "
                f"{seconds(server.ready_s or 0)}"
            )
            cookie = dash_bench.session(base, "bench-viewer", password)
            wall = f"/wall?unit={province}&scheme=legacy&period={period}&panels=kpis&refresh=1"
            with dash_bench.Browser(base, cookie) as browser:
                bodies, _, _ = capture(browser, wall, None, settle_ms=6000)
            pulls = [b for b in bodies if "wall-status" in str(json.loads(b).get("output", ""))]
            if not pulls:
                return Outcome(error=f"no wall refresh among {len(bodies)} callbacks of {wall}")
            pull = pulls[-1]  # a later pull: the wall has drawn once, it asks what changed

            def wall_build() -> str | None:
                answer = httpx.post(
                    base + CALLBACK,
                    content=pull,
                    headers={"Content-Type": "application/json"},
                    cookies={"ioc_session": cookie},
                    timeout=60,
                )
                return _build_in(answer.json()) if answer.status_code == 200 else None

            old_values, old_build = _values(base, headers, kpis), wall_build()
            time.sleep(max(0.0, SETTLE_S - (server.ready_s or 0)))
            ctx.log(
                f"wall {wall}: {len(bodies)} callbacks captured, build {old_build}; "
                f"ioc ingest {path.name} --period {period}; load average {load_average()}"
            )
            seen: dict[str, float | None] = {}
            started = time.perf_counter()
            deadline = started + 120
            watchers = [
                threading.Thread(
                    target=lambda: seen.__setitem__(
                        "api", _poll(lambda: _values(base, headers, kpis) != old_values, deadline)
                    )
                ),
                threading.Thread(
                    target=lambda: seen.__setitem__(
                        "wall", _poll(lambda: wall_build() not in (None, old_build), deadline)
                    )
                ),
            ]
            command = [str(IOC), "ingest", str(path), "--period", period]
            ingest = subprocess.Popen(
                command,
                env=child_env(data_dir),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            for watcher in watchers:
                watcher.start()
            _, stderr = ingest.communicate(timeout=600)
            ended = time.perf_counter() - started
            for watcher in watchers:
                watcher.join()
            if ingest.returncode != 0:
                return Outcome(error=stderr.decode("utf-8", errors="replace")[-2000:])
            api_s, wall_s = (
                seen.get(k) - started if seen.get(k) is not None else None  # type: ignore[operator]
                for k in ("api", "wall")
            )
            ctx.log(
                f"  ingest ended after {seconds(ended)}; the API served the new figures after "
                f"{'n/a' if api_s is None else seconds(api_s)}, the wall after "
                f"{'n/a' if wall_s is None else seconds(wall_s)}"
            )
            workers = scale_server.workers(server)
            ctx.log(f"  {scale_server.worker_line(server, workers)}")
    return Outcome(
        [
            Figure("to the API", api_s, "s", FRESH_LIMIT_S),
            Figure("to the wall", wall_s, "s", FRESH_LIMIT_S),
            Figure("ingest (publish) wall", ended, "s"),
            Figure("workers", len(workers), "n"),
        ],
        None if api_s is not None and wall_s is not None else "the new figures never came",
    )
