"""What the issue 19 targets share: ``ioc serve`` with two workers on a copy of the national
snapshot with indicators, and the worker processes actually running with their memory.

Until ``ioc serve --workers N`` exists (branch ``workers``), the server gets ``IOC_WORKERS=2``
only; the targets print the workers that really run: the server's child processes (uvicorn
or gunicorn workers), or the server itself when it has none.
"""

from __future__ import annotations

import contextlib
import functools
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import psutil

from tests.bench import history
from tests.bench.measure import GB, fresh_data_dir, run_child, size
from tests.bench.server import Server, load_average

if TYPE_CHECKING:
    from tests.bench.targets import Context

WORKERS = 2
HELPERS = ("resource_tracker", "semaphore_tracker", "forkserver")  # not workers


@functools.cache
def has_workers_option(ioc: Path) -> bool:
    """Whether ``ioc serve`` takes ``--workers``."""
    return "--workers" in run_child([str(ioc), "serve", "--help"]).stdout


def start_args(ioc: Path, workers: int = WORKERS) -> tuple[list[str], dict[str, str]]:
    args = ["--workers", str(workers)] if has_workers_option(ioc) else []
    return args, {"IOC_WORKERS": str(workers)}


@dataclass(frozen=True)
class Worker:
    pid: int
    peak_rss: int  # bytes, polled ten times a second


def workers(server: Server) -> list[Worker]:
    """The processes serving requests: the server's children that are not multiprocessing
    helpers, or the server process itself when it has no such child."""
    try:
        children = psutil.Process(server.pid).children(recursive=False)
    except psutil.Error:
        children = []
    pids = []
    for child in children:
        with contextlib.suppress(psutil.Error):
            if not any(h in " ".join(child.cmdline()) for h in HELPERS):
                pids.append(child.pid)
    if not pids:
        pids = [server.pid]
    return [Worker(pid, server.peaks.get(pid, ("", 0))[1]) for pid in pids]


def cpu_seconds(seen: list[Worker]) -> dict[int, float]:
    """CPU time (user + system, seconds) each worker has used so far."""
    spent = {}
    for worker in seen:
        with contextlib.suppress(psutil.Error):
            times = psutil.Process(worker.pid).cpu_times()
            spent[worker.pid] = times.user + times.system
    return spent


def worker_line(server: Server, seen: list[Worker]) -> str:
    each = ", ".join(f"pid {w.pid} {size(w.peak_rss)}" for w in seen)
    mode = "--workers" if has_workers_option(server.ioc) else "IOC_WORKERS only"
    return (
        f"workers running: {len(seen)} ({mode}; asked {server.env['IOC_WORKERS']}); "
        f"peak RSS per worker: {each}; "
        f"whole server tree peak {size(server.peak_rss())}; load average {load_average()}"
    )


def peak_per_worker(seen: list[Worker]) -> float | None:
    return max((w.peak_rss for w in seen), default=None) or None


def ready_snapshot(ctx: Context) -> Path | None:
    """The national snapshot with indicators: the current engine's (made if missing, as every
    target does), or, when only an older engine's is cached, that one as it is: what these
    targets time (serving, switching builds, callbacks) does not depend on the engine's
    version, and the cache is shared and costly to remake (the lead refreshes it)."""
    from tests.bench.targets import _indicators_ready

    current = history.indicators_snapshot(ctx.history)
    older = sorted(current.parent.glob("ioc-indicators-*.duckdb"), key=lambda p: p.stat().st_mtime)
    if not current.is_file() and older:
        ctx.log(
            f"no snapshot with indicators for this engine ({current.name}): using the cached "
            f"{older[-1].name} of an older engine as it is (its figures serve as well)"
        )
        return older[-1]
    return _indicators_ready(ctx, ctx.history)


@contextlib.contextmanager
def national_dir(ready: Path, keep: bool) -> Iterator[Path]:
    """A fresh data directory with a copy of ``ready`` (the national snapshot with
    indicators) published in it."""
    with fresh_data_dir(keep) as data_dir:
        shutil.copyfile(ready, data_dir / "ioc.duckdb")
        yield data_dir


def server(ioc: Path, data_dir: Path, workers: int = WORKERS) -> Server:
    """``ioc serve`` with ``workers`` workers (not started: a context manager)."""
    args, env = start_args(ioc, workers)
    return Server(ioc, data_dir, args=args, env=env)


MEMORY_LIMIT = 1 * GB
