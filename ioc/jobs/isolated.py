"""Run a job (a Python module reading JSON on stdin, answering JSON on stdout) in a process
of its own, with a memory and a time limit: whatever the job does, the caller's process
keeps its memory and goes on serving.

Memory is bounded by watching the job's resident set and killing it above the limit. Not an
address-space or data rlimit: DuckDB, Polars and OpenBLAS reserve far more address space
than they use, and an ingest of a few hundred megabytes fails under either.

A caller that is itself a process run for this one job (a command of the CLI) may run the
same module in its own process instead (:func:`run_here`): no second interpreter to start
and import, the same request and answer; it has no limits, its process is the operator's.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import psutil

POLL_SECONDS = 0.02  # how often the job's memory is read
WATCH_SECONDS = 0.25  # how often ``watch`` is called while the job runs


class JobStopped(Exception):
    """The job went over a limit and was killed."""

    def __init__(self, limit: Literal["memory", "time"], message: str) -> None:
        super().__init__(message)
        self.limit = limit


class JobFailed(Exception):
    """The job ended with an error (its stderr is the message)."""


@dataclass(frozen=True)
class Limits:
    memory_bytes: int
    seconds: float


def run_job(
    module: str,
    request: dict[str, Any],
    cwd: Path,
    limits: Limits,
    watch: Callable[[], None] | None = None,
) -> Any:
    """Run ``python -m module`` in ``cwd`` with ``request`` on stdin; its decoded answer.
    ``watch`` is called every ``WATCH_SECONDS`` while it runs (to read its progress).

    Raises :class:`JobStopped` when the job's resident memory goes above
    ``limits.memory_bytes`` or it runs longer than ``limits.seconds``, and
    :class:`JobFailed` when it exits with an error."""
    proc = subprocess.Popen(
        [sys.executable, "-P", "-m", module],  # -P: nothing from cwd is importable
        cwd=cwd,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    started = watched_at = time.monotonic()
    data: str | None = json.dumps(request)
    watched = psutil.Process(proc.pid)
    while True:
        try:
            out, err = proc.communicate(data, timeout=POLL_SECONDS)
            break
        except subprocess.TimeoutExpired:
            data = None  # sent with the first call
        try:
            rss = watched.memory_info().rss
        except psutil.NoSuchProcess:
            continue  # it has just ended: the next communicate() collects it
        if rss > limits.memory_bytes:
            _kill(proc)
            raise JobStopped(
                "memory",
                f"used more than {limits.memory_bytes // (1 << 20):,} MiB of memory",
            ) from None
        now = time.monotonic()
        if now - started > limits.seconds:
            _kill(proc)
            raise JobStopped("time", f"ran longer than {limits.seconds:g} s") from None
        if watch is not None and now - watched_at > WATCH_SECONDS:
            watched_at = now
            watch()
    if proc.returncode != 0:
        raise JobFailed(err.strip()[-4000:] or f"exit status {proc.returncode}")
    return json.loads(out.strip().splitlines()[-1])


def run_here(
    module: str, request: dict[str, Any], cwd: Path, watch: Callable[[], None] | None = None
) -> Any:
    """Run ``module``'s ``run(request, cwd)`` in this process: what :func:`run_job` would
    answer (decoded from the same JSON), with ``watch`` called every ``WATCH_SECONDS`` from a
    thread while it runs. No limits: for a process of its own that runs
    only this job. Raises :class:`JobFailed` when the job raises."""
    done = threading.Event()

    def watching() -> None:
        while not done.wait(WATCH_SECONDS):
            if watch is not None:
                watch()

    watcher = threading.Thread(target=watching, name="ioc-job-watch", daemon=True)
    watcher.start()
    try:
        answer = importlib.import_module(module).run(request, cwd)
    except Exception as exc:
        raise JobFailed(traceback.format_exc()[-4000:]) from exc
    finally:
        done.set()
        watcher.join()
    return json.loads(json.dumps(answer))


def _kill(proc: subprocess.Popen[str]) -> None:
    proc.kill()
    proc.communicate()
