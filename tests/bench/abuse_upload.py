"""Issue 13, item 2: hostile uploads against the real server, while another user reads.

On a demo build served by ``ioc serve`` (default settings), an admin uploads in turn the
compression bomb (an XLSX expanding to 2 GiB of cells), the XLSX with one 2 GiB text cell
and the CSV with a million columns (``tests/security/bombs.py``), while a leader asks
``GET /api/v1/periods`` over and over. Figures: the API process's peak resident memory, the
peak of the server with its ingest jobs, the time to refuse each file, and the latency of
the leader's requests meanwhile.
"""

from __future__ import annotations

import statistics
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from ioc.config import Settings
from tests.bench.measure import child_env, fresh_data_dir, run_child
from tests.bench.server import TOKEN, Server, leader_token
from tests.conftest import upload_and_wait
from tests.security.bombs import MB, cells_bomb, text_cell_bomb, wide_csv

if TYPE_CHECKING:
    from tests.bench.targets import Context, Outcome

GiB = 1 << 30
BOMBS = {
    "cells.xlsx": lambda p: cells_bomb(p, 2048 * MB),
    "text.xlsx": lambda p: text_cell_bomb(p, 2048 * MB),
    "columns.csv": wide_csv,
}


def _token(ioc: Path, data_dir: Path, username: str) -> str:
    made = run_child(
        [str(ioc), "users", "token", "create", username, "--name", "bench"], env=child_env(data_dir)
    )
    found = TOKEN.search(made.stdout)
    if not made.ok or found is None:
        raise RuntimeError(made.failure())
    return found.group(1)


def abuse_upload(ctx: Context) -> Outcome:
    from tests.bench.targets import IOC, Figure, Outcome

    settings = Settings()
    with fresh_data_dir(ctx.keep) as data_dir:
        demo = run_child([str(IOC), "demo"], env=child_env(data_dir))
        if not demo.ok:
            return Outcome(error=demo.failure())
        reader = leader_token(IOC, data_dir)
        env = child_env(data_dir)
        if not run_child([str(IOC), "users", "add", "bench-admin", "--role", "admin"], env=env).ok:
            return Outcome(error="cannot create the admin account")
        uploader = _token(IOC, data_dir, "bench-admin")
        files = {name: build(data_dir / name) for name, build in BOMBS.items()}
        with Server(IOC, data_dir) as server:
            latencies: list[float] = []
            errors: list[str] = []
            stop = threading.Event()

            def read() -> None:
                headers = {"authorization": f"Bearer {reader}"}
                with httpx.Client(base_url=server.base_url, headers=headers, timeout=60) as c:
                    while not stop.is_set():
                        started = time.perf_counter()
                        r = c.get("/api/v1/periods")
                        latencies.append(time.perf_counter() - started)
                        if r.status_code != 200:
                            errors.append(f"periods {r.status_code}")
                        stop.wait(0.05)

            thread = threading.Thread(target=read, daemon=True)
            thread.start()
            refused: dict[str, float] = {}
            headers = {"authorization": f"Bearer {uploader}"}
            with httpx.Client(base_url=server.base_url, headers=headers, timeout=600) as c:
                for name, path in files.items():
                    started = time.perf_counter()
                    with path.open("rb") as fh:
                        r = upload_and_wait(c, "/api/v1/ingest", files={"file": (name, fh)})
                    refused[name] = time.perf_counter() - started
                    size = path.stat().st_size / MB
                    ctx.log(f"  {name} ({size:.1f} MB): {r.status_code} {r.json().get('limit')}")
                    if r.status_code != 413:
                        errors.append(f"{name}: {r.status_code}")
            stop.set()
            thread.join()
            alive = httpx.get(f"{server.base_url}/api/v1/health").status_code == 200
            api_peak, tree_peak = server.high_water_mark(), server.peak_rss()
    if not alive:
        errors.append("the server stopped answering /health")
    p95 = statistics.quantiles(latencies, n=20)[-1] if len(latencies) > 1 else None
    ctx.log(f"  {len(latencies)} GET /periods meanwhile; errors: {errors or 'none'}")
    figures = [
        Figure("API process peak RSS", api_peak, "bytes", GiB),
        Figure(
            "server with its ingest jobs, peak RSS",
            tree_peak,
            "bytes",
            settings.ingest_memory_limit_mb * MB + GiB,
        ),
        *(Figure(f"refuse {name}", s, "s", 10) for name, s in refused.items()),
        Figure(
            "GET /periods during the bombs, p95",
            p95 * 1000 if p95 is not None else None,
            "ms",
            250,
        ),
        Figure("errors", len(errors), "n", 0),
    ]
    return Outcome(figures, "; ".join(errors) or None)
