"""Issue 19, "Speed at scale": the API mix of ``api_load`` with at least half of the requests
on URLs never requested before in the run, 32 clients, against ``ioc serve`` with two
workers on the national build: p95 <= 50 ms overall (the first requests' p95 printed apart),
peak RSS of each worker <= 1 GB.

The repeated part is ``api_load``'s mix (period 2024-2025/DN, legacy scheme) plus, for the
school list, two sort orders and the second page. The new part (``Plan.once``, each URL
asked at most once, drawn without replacement) covers the same kinds on other periods,
units, indicators, sort orders and pages: every indicator (or one family's) of an old
province or district in another period; the children of a province for another period and
any indicator; a page (1 to 3) of a district's schools in any period, sorted by any column
either way; the series (both terms or one) of every other indicator of an old or a 2025
province.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import TYPE_CHECKING

from ioc.catalog.definitions import load_catalog
from ioc.geo import admin as geo
from tests.bench import api_load as api_bench
from tests.bench import scale_server

if TYPE_CHECKING:
    from tests.bench.server import Server
    from tests.bench.targets import Context, Outcome

API = api_bench.API
ONCE_SHARE = 0.6  # of each kind's requests, from the URLs never asked before
ONCE_PER_KIND = 40_000  # new URLs of each kind: 60 % of a minute at 4,000 req/s
SORTS = ("school_code", "school_name", "level", "ownership", "value")
PERIODS = [f"{y}-{y + 1}/{t}" for y in range(2016, 2025) for t in ("DN", "CN")]
FLOOR_URL = f"{API}/periods"  # the cheapest authenticated request (a cached list)
FLOOR_S = 8.0


def scale_mix(snapshot: Path) -> tuple[dict[str, list[str]], dict[str, list[str]], str]:
    """(repeated paths per kind, paths asked once per kind, a line saying what they cover)."""
    requests, note = api_bench.mix(snapshot)
    base = api_bench.PERIOD
    query = f"period={base}&scheme=legacy"
    districts = [p.split("unit=")[1].split("&")[0] for p in requests["schools"]]
    requests["schools"] += [
        f"{API}/schools?unit={d}&{query}&page={page}&size=50&sort={sort}"
        for d in districts
        for page, sort in ((1, "-value"), (1, "school_name"), (2, "school_code"))
    ]
    legacy = geo.units().filter(scheme="legacy", level="province")["code"].to_list()
    new = geo.units().filter(scheme="2025", level="province")["code"].to_list()
    others = [p for p in PERIODS if p != base]
    indicators = [i.id for i in load_catalog().indicators]
    families = ["", *(f"&family={f.id}" for f in load_catalog().families)]
    once = {
        "kpis": [
            f"{API}/indicators/values?unit={u}&period={p}&scheme=legacy{family}"
            for u in [*legacy, *districts]
            for p in others
            for family in families
        ],
        "children": [
            f"{API}/indicators/values?unit={u}&period={p}&scheme=legacy&children=true&indicator={i}"
            for u in legacy
            for p in others
            for i in indicators
        ],
        "schools": [
            f"{API}/schools?unit={d}&period={p}&scheme=legacy&page={page}&size=50&sort={sign}{s}"
            for d in districts
            for p in PERIODS
            for s in SORTS
            for sign in ("", "-")
            for page in (1, 2, 3)
        ],
        "series": [
            f"{API}/indicators/{i}/series?unit={u}&scheme={scheme}{term}"
            for scheme, units in (("legacy", legacy), ("2025", new))
            for u in units
            for i in indicators
            for term in ("", "&term=DN", "&term=CN")
            if (scheme, i) != ("legacy", api_bench.SERIES_INDICATOR)
        ],
    }
    repeated = {path for paths in requests.values() for path in paths}
    pick = random.Random(19)  # a sample of each kind keeps the plan small; enough for the run
    once = {
        kind: pick.sample(fresh, min(ONCE_PER_KIND, len(fresh)))
        for kind, paths in once.items()
        if (fresh := [p for p in paths if p not in repeated])
    }
    sizes = ", ".join(f"{k} {len(v):,}" for k, v in once.items())
    text = (
        f"{note}; repeated URLs: {sum(map(len, requests.values())):,} (the school list also "
        f"sorted by -value and by name, and its page 2); URLs asked once at most (a sample "
        f"of each kind): {sizes} "
        f"({ONCE_SHARE:.0%} of each kind's requests while they last)"
    )
    return requests, once, text


def _floor(
    ctx: Context, server: Server, token: str, folder: Path, clients: int
) -> tuple[float | None, float | None]:
    """What this machine gives the cheapest authenticated request under the same clients:
    ``FLOOR_URL`` only (answered from the worker's cache after the first time), for
    ``FLOOR_S`` seconds after a second's warm-up. No mix of real requests can do better than
    this p95: (p95 ms, requests/s)."""
    load = api_bench.run_load(
        "floor",
        server,
        token,
        {"floor": [FLOOR_URL]},
        folder,
        seconds=FLOOR_S,
        clients=clients,
        warmup_s=1.0,
        client=ctx.load_client,
    )
    if load.report is None:
        ctx.log(f"  floor: {load.run.failure(10)}")
        return None, None
    overall = load.overall
    ctx.log(
        f"  floor of this machine: GET {FLOOR_URL} only, {clients} clients, {FLOOR_S:g} s: "
        f"p95 {overall['p95_ms']:.1f} ms, {overall['rps']:,.0f} req/s, "
        f"{load.error_count} errors; {api_bench.machine_line(load)}"
    )
    return overall["p95_ms"], overall["rps"]


def api_scale(ctx: Context) -> Outcome:
    """The mix with new URLs, 32 clients, two workers, on the national build."""
    from tests.bench.measure import seconds, size
    from tests.bench.server import leader_token, load_average
    from tests.bench.targets import IOC, Figure, Outcome, _indent

    ready = scale_server.ready_snapshot(ctx)
    if ready is None:
        return Outcome(error="the full recompute before the load failed")
    clients, measured, warmup = ctx.load_clients, ctx.load_s, ctx.load_warmup_s
    with scale_server.national_dir(ready, ctx.keep) as data_dir:
        requests, once, note = scale_mix(data_dir / "ioc.duckdb")
        token = leader_token(IOC, data_dir)
        ctx.log(f"  mix: {', '.join(requests)} in equal shares; {note}")
        with scale_server.server(IOC, data_dir) as server:
            ctx.log(
                f"ioc serve {' '.join(server.args)} on {server.base_url} (pid {server.pid}, "
                f"{' '.join(f'{k}={v}' for k, v in server.env.items())}): answering after "
                f"{seconds(server.ready_s or 0)}"
            )
            ctx.log(
                f"load: {clients} clients, keep-alive, {warmup:g} s warm-up + {measured:g} s "
                f"measured; load average before {load_average()}"
            )
            load = api_bench.run_load(
                "scale",
                server,
                token,
                requests,
                data_dir,
                seconds=measured,
                clients=clients,
                warmup_s=warmup,
                client=ctx.load_client,
                once=once,
                once_share=ONCE_SHARE,
            )
            seen = scale_server.workers(server)
            alive = server.alive
            if load.report is None:
                return Outcome(error=f"{load.run.failure(30)}\nserver log:\n{server.tail()}")
            floor = _floor(ctx, server, token, data_dir, clients)
            ctx.log(_indent("\n".join(api_bench.table(load))))
            ctx.log(f"  {api_bench.machine_line(load)}; load average after {load_average()}")
            for line in api_bench.errors(load):
                ctx.log(f"  error: {line}")
            ctx.log(f"  {scale_server.worker_line(server, seen)}")
            if not alive:
                ctx.log(_indent(server.tail()))
    overall = load.overall
    share = overall["first_count"] / overall["count"] if overall["count"] else None
    ctx.log(
        f"  first requests of their URL: {overall['first_count']:,} of {overall['count']:,}; "
        f"p95 {overall['first_p95_ms'] or 0:.1f} ms; repeated p95 "
        f"{overall['repeat_p95_ms'] or 0:.1f} ms; server tree peak {size(server.peak_rss())}"
    )
    return Outcome(
        [
            Figure("p95", overall["p95_ms"], "ms", 50),
            Figure("first-request p95", overall["first_p95_ms"], "ms"),
            Figure("repeated p95", overall["repeat_p95_ms"], "ms"),
            Figure("new-URL share", share, "x", 0.5, at_least=True),
            Figure("floor p95", floor[0], "ms"),
            Figure("floor throughput", floor[1], "req/s"),
            Figure("throughput", overall["rps"], "req/s"),
            Figure("errors", load.error_count, "n", 0),
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
