"""A bounded HTTP load from a second process: ``python -m tests.bench.load PLAN``.

PLAN is a JSON file (see :class:`Plan`): the server's base URL, how many concurrent clients,
for how long, after how long a warm-up, and the request mix (``{kind: [path, ...]}`` with a
weight per kind). The bearer token comes from the environment variable ``IOC_BENCH_TOKEN``
(never from the command line or a file).

Each client is a closed loop, like a browser tab that waits for an answer before asking
again: one kept-alive HTTP/1.1 connection, a request of a random kind (by weight) for a random
path of that kind, timed from sending to the last byte of the body. With ``once`` (paths per
kind, each asked at most once in the run) a share ``once_share`` of the requests of a kind take
the next path of that list instead (drawn without replacement, shuffled by the seed, shared by
all clients), so they really are the first request of their URL; when a kind's list runs out
its requests go back to ``requests``. Requests started during
the warm-up are counted apart. An error is any status other than 2xx or 304, or any
exception (timeout, reset, ...; the client then reconnects). Prints one JSON line: per kind
and overall, the count, requests/s over the measured window, latency percentiles (nearest
rank) in milliseconds, errors with examples, the latency of the first requests of a URL in
the run (which a server cache cannot have answered yet) and of the repeated ones; the same
for the warm-up (where the server's caches fill); and this process's CPU time: a saturated
client inflates the latencies it reports, and on a 2-core machine every core it uses is
taken from the server.

The client is a minimal HTTP/1.1 GET on asyncio streams (:class:`RawConnection`): httpx costs
about 3-4 ms of CPU per request, which at 300 requests/s is more than a core.
``"client": "httpx"`` in the plan uses ``httpx.AsyncClient`` instead, to cross-check.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import random
import resource
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

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
    client: str = "raw"  # or "httpx"
    once: dict[str, list[str]] = field(default_factory=dict)  # kind -> paths asked once at most
    once_share: float = 0.0  # share of a kind's requests taken from ``once`` while it lasts

    @classmethod
    def read(cls, path: Path) -> Plan:
        return cls(**json.loads(path.read_text(encoding="utf-8")))

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=1), encoding="utf-8")


class HttpError(Exception):
    """The server's answer could not be read as HTTP/1.1."""


class Connection(Protocol):
    async def get(self, path: str) -> tuple[int, bytes]: ...

    async def close(self) -> None: ...


class RawConnection:
    """One kept-alive HTTP/1.1 connection: GET (or POST with a JSON body) with fixed headers,
    the answer's body by Content-Length,
    chunked transfer coding or end of stream; reconnects after an error or a close."""

    def __init__(self, base_url: str, headers: dict[str, str]) -> None:
        parts = urlsplit(base_url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        lines = [f"Host: {self.host}:{self.port}", *(f"{k}: {v}" for k, v in headers.items())]
        self.tail = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str) -> tuple[int, bytes]:
        return await self.request(b"GET", path)

    async def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        """POST a JSON body (Dash callbacks: ``tests.bench.scale_users``)."""
        return await self.request(b"POST", path, body)

    async def request(self, method: bytes, path: str, body: bytes = b"") -> tuple[int, bytes]:
        try:
            return await self._send(method, path, body)
        except BaseException:
            await self.close()  # a half-read answer leaves the connection unusable
            raise

    async def _send(self, method: bytes, path: str, body: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        head = method + b" " + path.encode("latin-1") + b" HTTP/1.1\r\n"
        if body:
            length = f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
            head += length.encode("latin-1")
        self.writer.write(head + self.tail + body)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head[:-4].split(b"\r\n")
        try:
            status = int(status_line.split(b" ", 2)[1])
        except (IndexError, ValueError):
            raise HttpError(f"bad status line {status_line[:80]!r}") from None
        headers = {}
        for line in header_lines:
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip()
        if status in (204, 304) or 100 <= status < 200:
            body = b""
        elif b"content-length" in headers:
            body = await self.reader.readexactly(int(headers[b"content-length"]))
        elif headers.get(b"transfer-encoding", b"").lower() == b"chunked":
            body = await self._chunked()
        else:
            body = await self.reader.read()
            headers[b"connection"] = b"close"
        if headers.get(b"connection", b"").lower() == b"close":
            await self.close()
        return status, body

    async def _chunked(self) -> bytes:
        assert self.reader is not None
        parts = []
        while True:
            line = await self.reader.readuntil(b"\r\n")
            size = int(line.split(b";", 1)[0].strip(), 16)
            if size == 0:
                while await self.reader.readuntil(b"\r\n") != b"\r\n":
                    pass  # trailers
                return b"".join(parts)
            parts.append((await self.reader.readexactly(size + 2))[:-2])

    async def close(self) -> None:
        writer, self.reader, self.writer = self.writer, None, None
        if writer is not None:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()


class HttpxConnection:
    """The same through ``httpx.AsyncClient`` (one connection), to cross-check the raw one."""

    def __init__(self, base_url: str, headers: dict[str, str], timeout_s: float) -> None:
        import httpx

        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        self.client = httpx.AsyncClient(
            base_url=base_url, headers=headers, limits=limits, timeout=timeout_s
        )

    async def get(self, path: str) -> tuple[int, bytes]:
        response = await self.client.get(path)
        return response.status_code, response.content

    async def close(self) -> None:
        await self.client.aclose()


@dataclass
class Tally:
    """What one kind of request (or all of them) did in a window (warm-up or measured)."""

    latencies: list[float] = field(default_factory=list)  # seconds, successful or not
    errors: Counter[str] = field(default_factory=Counter)
    body_bytes: int = 0
    first: list[float] = field(default_factory=list)  # of the first request of each URL

    def add(self, other: Tally) -> None:
        self.latencies += other.latencies
        self.errors.update(other.errors)
        self.body_bytes += other.body_bytes
        self.first += other.first

    def summary(self, window_s: float) -> dict[str, Any]:
        ordered = sorted(self.latencies)
        count = len(ordered)
        first = sorted(self.first)
        repeats = sorted((Counter(ordered) - Counter(first)).elements())

        def pct(p: float, values: list[float] = ordered) -> float | None:  # nearest rank
            if not values:
                return None
            return values[max(0, math.ceil(p / 100 * len(values)) - 1)] * 1000

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
            "first_count": len(first),  # requests for a URL not asked before in this run
            "first_p50_ms": pct(50, first),
            "first_p95_ms": pct(95, first),
            "repeat_p50_ms": pct(50, repeats),
            "repeat_p95_ms": pct(95, repeats),
        }


def _connection(plan: Plan, token: str) -> Connection:
    headers = {
        "Authorization": f"Bearer {token}",
        "Accept": "application/json",
        "User-Agent": "ioc-bench-load",
    }
    if plan.client == "httpx":
        return HttpxConnection(plan.base_url, headers, plan.timeout_s)
    return RawConnection(plan.base_url, headers)


async def _client(
    plan: Plan,
    number: int,
    token: str,
    measure_from: float,
    deadline: float,
    tallies: dict[str, Tally],
    warmup: dict[str, Tally],
    last_done: list[float],
    seen: set[str],
    once: dict[str, list[str]],
) -> None:
    rng = random.Random(plan.seed * 1000 + number)
    kinds = list(plan.requests)
    weights = [plan.weights.get(k, 1.0) for k in kinds]
    conn = _connection(plan, token)
    try:
        while (started := time.perf_counter()) < deadline:
            kind = rng.choices(kinds, weights)[0]
            fresh = once.get(kind)
            if fresh and rng.random() < plan.once_share:
                path = fresh.pop()
            else:
                path = rng.choice(plan.requests[kind])
            new = path not in seen
            seen.add(path)
            error: str | None = None
            size = 0
            try:
                async with asyncio.timeout(plan.timeout_s):
                    status, body = await conn.get(path)
                size = len(body)
                if not (200 <= status < 300 or status == 304):
                    text = body[:200].decode("utf-8", errors="replace")
                    error = f"HTTP {status}: {path} {text}"
            except Exception as exc:  # every failure is counted, none stops the client
                error = f"{type(exc).__name__}: {path} {exc}"[:300]
            done = time.perf_counter()
            measured = started >= measure_from
            tally = (tallies if measured else warmup)[kind]
            tally.latencies.append(done - started)
            if new:
                tally.first.append(done - started)
            tally.body_bytes += size
            if error:
                tally.errors[error] += 1
            if measured:
                last_done[0] = max(last_done[0], done)
    finally:
        await conn.close()


async def drive(plan: Plan, token: str) -> dict[str, Any]:
    tallies = {kind: Tally() for kind in plan.requests}
    warmup = {kind: Tally() for kind in plan.requests}
    begun, begun_unix = time.perf_counter(), time.time()
    measure_from = begun + plan.warmup_s
    deadline = measure_from + plan.seconds
    last_done = [measure_from]
    seen: set[str] = set()
    shuffle = random.Random(plan.seed)
    once = {kind: shuffle.sample(paths, len(paths)) for kind, paths in plan.once.items()}
    usage_before = resource.getrusage(resource.RUSAGE_SELF)
    await asyncio.gather(
        *(
            _client(plan, n, token, measure_from, deadline, tallies, warmup, last_done, seen, once)
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
        "client": plan.client,
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
