"""Issue 13, item 3: a legitimate user's login and reads while 40 bad logins run at once.

Each bad login comes from its own (forwarded) address, so that no throttle refuses it and
every one reaches the password check: what bounds the server then is the hashing
semaphore (IOC_LOGIN_HASH_CONCURRENCY). Prints p50/p95 of a legitimate login and of
``GET /api/v1/periods`` for a signed-in leader under that load, and the server's peak RSS.
"""

from __future__ import annotations

import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import httpx

from ioc.config import Settings
from tests.bench.measure import child_env, fresh_data_dir, run_child
from tests.bench.server import Server

if TYPE_CHECKING:
    from tests.bench.targets import Context, Outcome

ATTACKERS = 40
SAMPLES = 20
PASSWORD = "demo-2025!"
GB = 1 << 30


def _p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


def _flood(base: str, stop: threading.Event, worker: int, outcomes: list[int]) -> None:
    with httpx.Client(base_url=base, timeout=60) as client:
        attempt = 0
        while not stop.is_set():
            attempt += 1
            answer = client.post(
                "/api/v1/auth/login",
                json={"username": "demo-admin", "password": f"guess {attempt}"},
                headers={"X-Forwarded-For": f"10.66.{worker}.{attempt % 250}"},
            )
            outcomes.append(answer.status_code)


def abuse_login(ctx: Context) -> Outcome:
    from tests.bench.targets import IOC, Figure, Outcome

    settings = Settings()
    with fresh_data_dir(ctx.keep) as data_dir:
        demo = run_child([str(IOC), "demo"], env=child_env(data_dir))
        if not demo.ok:
            return Outcome(error=demo.failure())
        with Server(IOC, data_dir) as server:
            base = server.base_url
            reader = httpx.Client(base_url=base, timeout=60)
            body = {"username": "demo-leader", "password": PASSWORD}
            reader.post("/api/v1/auth/login", json=body).raise_for_status()
            stop, outcomes = threading.Event(), []
            logins: list[float] = []
            reads: list[float] = []
            with ThreadPoolExecutor(ATTACKERS) as pool:
                for worker in range(ATTACKERS):
                    pool.submit(_flood, base, stop, worker, outcomes)
                time.sleep(2)  # the flood is on
                try:
                    for i in range(SAMPLES):
                        started = time.perf_counter()
                        answer = httpx.post(
                            f"{base}/api/v1/auth/login",
                            json=body,
                            headers={"X-Forwarded-For": f"192.0.2.{i + 1}"},
                            timeout=60,
                        )
                        logins.append(time.perf_counter() - started)
                        ctx.log(f"  login {i + 1}: {answer.status_code} {logins[-1]:.2f} s")
                        for _ in range(5):
                            started = time.perf_counter()
                            reader.get("/api/v1/periods").raise_for_status()
                            reads.append(time.perf_counter() - started)
                finally:
                    stop.set()
            reader.close()
            peak = server.peak_rss()
    counts = {s: outcomes.count(s) for s in sorted(set(outcomes))}
    ctx.log(f"  bad logins answered: {counts}")
    hash_wait = settings.login_hash_wait_seconds
    return Outcome(
        [
            Figure("login p50", _p(logins, 50), "s"),
            # the longest wait for a hashing slot, then one hash (about 1 s on 2 busy cores)
            Figure("login p95", _p(logins, 95), "s", hash_wait + 2),
            Figure("GET /periods p50", _p(reads, 50) * 1000, "ms"),
            Figure("GET /periods p95", _p(reads, 95) * 1000, "ms", 250),
            Figure("server peak RSS", peak, "bytes", 1 * GB),
        ]
    )
