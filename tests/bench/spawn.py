"""Start a measured command from a small process, so its peak RSS is its own.

On Linux, ``execve`` folds the old address space's high-water mark into the new process's
``ru_maxrss``. Python's ``subprocess`` starts children with ``vfork``, whose address space is
the parent's: a child started by a bench process that holds 1.2 GB reports a peak RSS of at
least 1.2 GB, whatever it really used. :func:`run` therefore runs in a worker forked from a
``forkserver`` (a fresh, small interpreter) and starts the command from there; only the
standard library is imported here to keep that worker small.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import subprocess
import tempfile
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any


def run(
    command: Sequence[str], env: dict[str, str] | None, cwd: Path, timeout: float
) -> dict[str, Any]:
    """Run a command, waiting with ``wait4`` to get that child's own resource usage."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(list(command), stdout=out, stderr=err, env=env, cwd=cwd)
        expired = threading.Event()

        def kill() -> None:
            expired.set()
            proc.kill()

        killer = threading.Timer(timeout, kill)
        killer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            killer.cancel()
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return {
            "command": list(command),
            "returncode": proc.returncode,
            "wall_s": wall,
            "peak_rss": usage.ru_maxrss * 1024,  # Linux reports kilobytes
            "user_s": usage.ru_utime,
            "system_s": usage.ru_stime,
            "stdout": out.read().decode("utf-8", errors="replace"),
            "stderr": err.read().decode("utf-8", errors="replace"),
            "timed_out": expired.is_set(),
            "launcher_rss": _own_peak_rss(),
        }


def _own_peak_rss() -> int | None:
    """VmHWM of this process (bytes): the floor under any child's reported peak."""
    try:
        for line in Path("/proc/self/status").read_text(encoding="utf-8").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return None


@functools.cache
def launcher() -> ProcessPoolExecutor:
    """One worker, forked from a fresh ``forkserver`` process (small whatever the bench holds)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["tests.bench.spawn"])
    return ProcessPoolExecutor(max_workers=1, mp_context=context)
