"""Measuring a child process (wall time, peak RSS) and formatting figures."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.bench import spawn
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
    """Run a command and wait with ``wait4`` for its wall time, CPU and peak RSS.

    ``ru_maxrss`` from ``wait4`` is the peak RSS of this child (and of its descendants it
    waited for), unlike ``RUSAGE_CHILDREN``, which keeps the maximum over every child so far.
    The command is started by a small launcher process (:mod:`tests.bench.spawn`): started
    from the bench process itself, its peak would be at least the bench's own.
    """
    result = spawn.launcher().submit(spawn.run, list(command), env, cwd, timeout).result()
    return ChildRun(**{k: v for k, v in result.items() if k != "launcher_rss"})


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
