"""A bounded HTTP load from a second process: ``python -m tests.bench.load PLAN``.

PLAN is a JSON file (see :class:`Plan`): the server's base URL, how many concurrent clients,
for how long, after how long a warm-up, and the request mix (``{kind: [path, ...]}`` with a
weight per kind). The bearer token comes from the environment variable ``IOC_BENCH_TOKEN``
(never from the command line or a file).

Each client is a closed loop, like a browser tab that waits for an answer before asking
again: its own ``httpx.AsyncClient`` with one kept-alive HTTP/1.1 connection, a request of a
random kind (by weight) for a random path of that kind, timed from sending to the last byte of
the body. Requests started during the warm-up are counted apart. An error is any status other
than 2xx or 304, or any exception (timeout, reset, ...). Prints one JSON line: per kind and
overall, the count, requests/s over the measured window, latency percentiles (nearest rank)
in milliseconds, errors with examples, the same for the warm-up (where a server's caches
fill), and this process's CPU time (a saturated client would
inflate the latencies it reports).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import resource
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

TOKEN_ENV = "IOC_BENCH_TOKEN"


@dataclass(frozen=True)
class Plan:
    base_url: str
    seconds: float
    clients: int
    requests: dict[str, list[str]]  # kind -> paths with their query strings
    weights: dict[str, float]
    warmup_s: float = 5.0
    seed: int = 4
    timeout_s: float = 30.0

    @classmethod
    def read(cls, path: Path) -> Plan:
        return cls(**json.loads(path.read_text(encoding="utf-8")))

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(self.__dict__, indent=1), encoding="utf-8")


@dataclass
class Tally:
    """What one kind of request (or all of them) did in a window (warm-up or measured)."""

    latencies: list[float] = field(default_factory=list)  # seconds, successful or not
    errors: Counter[str] = field(default_factory=Counter)
    body_bytes: int = 0

    def add(self, other: Tally) -> None:
        self.latencies += other.latencies
        self.errors.update(other.errors)
        self.body_bytes += other.body_bytes

    def summary(self, window_s: float) -> dict[str, Any]:
        ordered = sorted(self.latencies)
        count = len(ordered)

        def pct(p: float) -> float | None:  # nearest rank
            if not ordered:
                return None
            return ordered[max(0, math.ceil(p / 100 * count) - 1)] * 1000

        return {
            "count": count,
            "rps": count / window_s if window_s > 0 else 0.0,
            "p50_ms": pct(50),
            "p95_ms": pct(95),
            "p99_ms": pct(99),
            "max_ms": ordered[-1] * 1000 if ordered else None,
            "mean_ms": sum(ordered) / count * 1000 if count else None,
            "errors": sum(self.errors.values()),
            "error_kinds": dict(self.errors.most_common(8)),
            "mean_bytes": self.body_bytes / count if count else None,
        }


async def _client(
    plan: Plan,
    number: int,
    token: str,
    measure_from: float,
    deadline: float,
    tallies: dict[str, Tally],
    warmup: dict[str, Tally],
    last_done: list[float],
) -> None:
    rng = random.Random(plan.seed * 1000 + number)
    kinds = list(plan.requests)
    weights = [plan.weights.get(k, 1.0) for k in kinds]
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    async with httpx.AsyncClient(
        base_url=plan.base_url, headers=headers, limits=limits, timeout=plan.timeout_s
    ) as client:
        while (started := time.perf_counter()) < deadline:
            kind = rng.choices(kinds, weights)[0]
            path = rng.choice(plan.requests[kind])
            error: str | None = None
            size = 0
            try:
                response = await client.get(path)
                size = len(response.content)
                if not (200 <= response.status_code < 300 or response.status_code == 304):
                    error = f"HTTP {response.status_code}: {path} {response.text[:200]}"
            except Exception as exc:  # every failure is counted, none stops the client
                error = f"{type(exc).__name__}: {path} {exc}"[:300]
            done = time.perf_counter()
            measured = started >= measure_from
            tally = (tallies if measured else warmup)[kind]
            tally.latencies.append(done - started)
            tally.body_bytes += size
            if error:
                tally.errors[error] += 1
            if measured:
                last_done[0] = max(last_done[0], done)


async def drive(plan: Plan, token: str) -> dict[str, Any]:
    tallies = {kind: Tally() for kind in plan.requests}
    warmup = {kind: Tally() for kind in plan.requests}
    begun, begun_unix = time.perf_counter(), time.time()
    measure_from = begun + plan.warmup_s
    deadline = measure_from + plan.seconds
    last_done = [measure_from]
    usage_before = resource.getrusage(resource.RUSAGE_SELF)
    await asyncio.gather(
        *(
            _client(plan, n, token, measure_from, deadline, tallies, warmup, last_done)
            for n in range(plan.clients)
        )
    )
    usage = resource.getrusage(resource.RUSAGE_SELF)
    window = last_done[0] - measure_from
    overall, warm = Tally(), Tally()
    for tally in tallies.values():
        overall.add(tally)
    for tally in warmup.values():
        warm.add(tally)
    elapsed = time.perf_counter() - begun
    cpu = (usage.ru_utime - usage_before.ru_utime) + (usage.ru_stime - usage_before.ru_stime)
    return {
        "window_s": window,
        "window_unix": [begun_unix + plan.warmup_s, begun_unix + plan.warmup_s + window],
        "elapsed_s": elapsed,
        "client_cpu_s": cpu,
        "client_cpu_share": cpu / elapsed if elapsed > 0 else None,  # of one core
        "kinds": {kind: tally.summary(window) for kind, tally in tallies.items()},
        "overall": overall.summary(window),
        "warmup": {
            **{kind: tally.summary(plan.warmup_s) for kind, tally in warmup.items()},
            "overall": warm.summary(plan.warmup_s),
        },
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.load")
    parser.add_argument("plan", type=Path, help="the JSON plan (see tests/bench/load.py)")
    args = parser.parse_args(argv)
    plan = Plan.read(args.plan)
    token = os.environ.get(TOKEN_ENV, "")
    result = asyncio.run(drive(plan, token))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
