"""Simulated dashboard users from a second process: ``python -m tests.bench.scale_users PLAN``.

PLAN is a JSON file (:class:`UsersPlan`): the server's base URL, the think time between a
user's steps, and per user the steps of a visit (each a list of Dash callback bodies, as
:mod:`tests.bench.scale_capture` captured them from chromium and made for that user). The
session cookies come from the environment variable ``IOC_BENCH_COOKIES`` (comma-separated,
one per user), never from a file.

Every user starts at once, on a kept-alive connection of its own
(:class:`tests.bench.load.RawConnection`), and sends its steps' callbacks one after the other
(a browser sends some of a page's callbacks side by side; one at a time is the harder case
for one user and the same load for the server), waiting ``think_s`` (jittered) between steps.
An error is any status other than 200 or 204 (a callback that changes nothing), or any
exception. Prints one JSON line: per step and overall, the count, latency percentiles and
errors with examples, and the slowest callbacks by output.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from tests.bench.load import RawConnection, Tally

COOKIES_ENV = "IOC_BENCH_COOKIES"
CALLBACK = "/_dash-update-component"


@dataclass(frozen=True)
class UsersPlan:
    base_url: str
    think_s: float
    users: list[list[tuple[str, list[str]]]]  # per user: (step, callback bodies) in order
    seed: int = 19
    timeout_s: float = 60.0

    @classmethod
    def read(cls, path: Path) -> UsersPlan:
        return cls(**json.loads(path.read_text(encoding="utf-8")))

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self)), encoding="utf-8")


async def _user(
    plan: UsersPlan,
    number: int,
    cookie: str,
    steps: dict[str, Tally],
    outputs: dict[str, list[float]],
) -> None:
    rng = random.Random(plan.seed * 1000 + number)
    headers = {
        "Cookie": f"ioc_session={cookie}",
        "Accept": "application/json",
        "User-Agent": "ioc-bench-users",
    }
    conn = RawConnection(plan.base_url, headers)
    await asyncio.sleep(rng.uniform(0, plan.think_s))  # users do not all click at once
    try:
        for step, bodies in plan.users[number]:
            tally = steps.setdefault(step, Tally())
            for body in bodies:
                started = time.perf_counter()
                error = None
                try:
                    async with asyncio.timeout(plan.timeout_s):
                        status, answer = await conn.post(CALLBACK, body.encode("utf-8"))
                    if status not in (200, 204):
                        text = answer[:200].decode("utf-8", errors="replace")
                        error = f"HTTP {status}: {step} {text}"
                except Exception as exc:  # every failure is counted, none stops the user
                    error = f"{type(exc).__name__}: {step} {exc}"[:300]
                spent = time.perf_counter() - started
                tally.latencies.append(spent)
                if error:
                    tally.errors[error] += 1
                output = str(json.loads(body).get("output", "?"))[:60]
                outputs.setdefault(f"{step}: {output}", []).append(spent)
            await asyncio.sleep(plan.think_s * rng.uniform(0.5, 1.5))
    finally:
        await conn.close()


async def drive(plan: UsersPlan, cookies: list[str]) -> dict[str, Any]:
    steps: dict[str, Tally] = {}
    outputs: dict[str, list[float]] = {}
    started = time.perf_counter()
    await asyncio.gather(
        *(_user(plan, n, cookies[n % len(cookies)], steps, outputs) for n in range(len(plan.users)))
    )
    elapsed = time.perf_counter() - started
    overall = Tally()
    for tally in steps.values():
        overall.add(tally)
    slowest = sorted(
        ((max(v) * 1000, sorted(v)[len(v) // 2] * 1000, len(v), k) for k, v in outputs.items()),
        reverse=True,
    )[:8]
    errors: Counter[str] = Counter()
    for tally in steps.values():
        errors.update(tally.errors)
    return {
        "elapsed_s": elapsed,
        "steps": {step: tally.summary(elapsed) for step, tally in steps.items()},
        "overall": overall.summary(elapsed),
        "slowest": [
            {"max_ms": m, "p50_ms": p, "count": n, "callback": k} for m, p, n, k in slowest
        ],
        "errors": dict(errors.most_common(8)),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.scale_users")
    parser.add_argument("plan", type=Path, help="the JSON plan (see tests/bench/scale_users.py)")
    args = parser.parse_args(argv)
    plan = UsersPlan.read(args.plan)
    cookies = [c for c in os.environ.get(COOKIES_ENV, "").split(",") if c]
    if not cookies:
        print(f"no session cookies in {COOKIES_ENV}", file=sys.stderr)
        return 2
    print(json.dumps(asyncio.run(drive(plan, cookies))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
