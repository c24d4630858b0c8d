"""Measuring a child process (wall time, peak RSS) and formatting figures."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.bench.national import BENCH_DIR, REPO_ROOT

GB = 1024**3
MB = 1024**2


@dataclass(frozen=True)
class ChildRun:
    command: list[str]
    returncode: int
    wall_s: float
    peak_rss: int  # bytes: the largest resident set of the child or any descendant it waited for
    user_s: float
    system_s: float
    stdout: str
    stderr: str
    timed_out: bool = False

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out

    def failure(self, lines: int = 15) -> str:
        """The last lines of stderr (or stdout), for a failed run."""
        text = (self.stderr.strip() or self.stdout.strip()).splitlines()
        reason = "timed out" if self.timed_out else f"exit code {self.returncode}"
        return "\n".join([f"{' '.join(self.command)}: {reason}", *text[-lines:]])


def run_child(
    command: Sequence[str],
    *,
    env: dict[str, str] | None = None,
    cwd: Path = REPO_ROOT,
    timeout: float = 900,
) -> ChildRun:
    """Run a command, waiting with ``wait4`` to get that child's own resource usage.

    ``ru_maxrss`` from ``wait4`` is the peak RSS of this child (and of its descendants it
    waited for), unlike ``RUSAGE_CHILDREN``, which keeps the maximum over every child so far.
    """
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
        return ChildRun(
            command=list(command),
            returncode=proc.returncode,
            wall_s=wall,
            peak_rss=usage.ru_maxrss * 1024,  # Linux reports kilobytes
            user_s=usage.ru_utime,
            system_s=usage.ru_stime,
            stdout=out.read().decode("utf-8", errors="replace"),
            stderr=err.read().decode("utf-8", errors="replace"),
            timed_out=expired.is_set(),
        )


@contextlib.contextmanager
def fresh_data_dir(keep: bool = False) -> Iterator[Path]:
    """An empty IOC_DATA_DIR on the same disk as ``data/`` (not tmpfs), removed afterwards."""
    runs = BENCH_DIR / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix="run-", dir=runs))
    try:
        yield path
    finally:
        if not keep:
            shutil.rmtree(path, ignore_errors=True)


def child_env(data_dir: Path) -> dict[str, str]:
    """The parent's environment with IOC_DATA_DIR set and a wide, plain console."""
    env = dict(os.environ)
    env |= {
        "IOC_DATA_DIR": str(data_dir),
        "COLUMNS": "160",
        "NO_COLOR": "1",
        "TERM": "dumb",
        "_TYPER_STANDARD_TRACEBACK": "1",  # plain tracebacks in failure reports
    }
    return env


def seconds(value: float) -> str:
    return f"{value:.2f} s" if value < 100 else f"{value:.0f} s"


def size(value: float) -> str:
    return f"{value / GB:.2f} GB" if value >= GB else f"{value / MB:.0f} MB"
