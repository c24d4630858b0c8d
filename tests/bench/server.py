"""The real API server (``ioc serve``) as a child process, watched while a load runs.

:func:`leader_token` creates a leader account and a bearer token with ``ioc users`` in the
server's data directory, before it starts. :class:`Server` starts ``ioc serve`` on a free
loopback port with its output in ``server.log``, waits for ``/api/v1/health``, and samples ten
times a second the server's resident memory and CPU time (with its children, if any) and the
CPU time of the whole machine; :meth:`Server.window` sums those up between two wall-clock
times (the load process reports the bounds of its measured window).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import httpx
import psutil

from tests.bench.measure import child_env, run_child

TOKEN = re.compile(r"\b(ioc_[A-Za-z0-9_-]{20,})")
SAMPLE_S = 0.1


def leader_token(ioc: Path, data_dir: Path, username: str = "bench-leader") -> str:
    """A token of a new leader account (reads everything), made with ``ioc users``."""
    env = child_env(data_dir)
    added = run_child([str(ioc), "users", "add", username, "--role", "leader"], env=env)
    if not added.ok:
        raise RuntimeError(added.failure())
    made = run_child([str(ioc), "users", "token", "create", username, "--name", "bench"], env=env)
    found = TOKEN.search(made.stdout)
    if not made.ok or found is None:
        raise RuntimeError(made.failure() if not made.ok else f"no token in: {made.stdout!r}")
    return found.group(1)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def machine_cpu() -> tuple[float, float]:
    """(busy, all) CPU seconds of the machine since boot, summed over the cores."""
    times = psutil.cpu_times()
    idle = times.idle + getattr(times, "iowait", 0.0)
    total = sum(times)
    return total - idle, total


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def process_cpu() -> dict[int, tuple[str, float]]:
    """CPU seconds (user + system) of every process now: pid -> (command, seconds)."""
    found = {}
    for proc in psutil.process_iter(["pid", "cmdline", "name", "cpu_times"]):
        info = proc.info
        times = info.get("cpu_times")
        if times is None:
            continue
        command = " ".join(info.get("cmdline") or []) or info.get("name") or "?"
        found[info["pid"]] = (command, times.user + times.system)
    return found


def busiest(
    before: dict[int, tuple[str, float]],
    after: dict[int, tuple[str, float]],
    seconds: float,
    top: int = 4,
) -> list[tuple[float, int, str]]:
    """The processes that used the most CPU between two :func:`process_cpu` snapshots, in
    cores: ``(cores, pid, command)``; a process that was not there before counts in full."""
    used = []
    for pid, (command, cpu) in after.items():
        spent = cpu - before[pid][1] if pid in before and before[pid][0] == command else cpu
        if spent > 0.01 * seconds:
            used.append((spent / seconds, pid, command))
    return sorted(used, reverse=True)[:top]


@dataclass(frozen=True)
class Sample:
    at: float  # time.time()
    rss: int  # bytes: the server and its children, summed
    server_cpu: float  # CPU seconds (user + system) of the server and its children
    machine_busy: float  # busy CPU seconds of the machine, all cores
    threads: int


@dataclass(frozen=True)
class Window:
    """The server and the machine between two wall-clock times."""

    seconds: float
    peak_rss: int
    server_cores: float  # server CPU time / wall time: 1.0 = one core busy throughout
    machine_cores: float  # every process on the machine, same measure
    threads: int  # the most threads the server had


class Server:
    """``ioc serve --port PORT [ARGS]`` with IOC_DATA_DIR = ``data_dir`` (and ``env`` on top);
    a context manager."""

    def __init__(
        self,
        ioc: Path,
        data_dir: Path,
        port: int | None = None,
        *,
        args: list[str] | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        self.ioc = ioc
        self.data_dir = data_dir
        self.args = args or []
        self.env = env or {}
        self.port = port or free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = data_dir / "server.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.ps: psutil.Process | None = None
        self.samples: list[Sample] = []
        self.peaks: dict[int, tuple[str, int]] = {}  # pid -> (command, peak RSS) of the tree
        self.ready_s: float | None = None
        self._stop = threading.Event()
        self._sampler: threading.Thread | None = None

    def __enter__(self) -> Server:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self, timeout_s: float = 300) -> None:
        command = [str(self.ioc), "serve", "--port", str(self.port), *self.args]
        started = time.perf_counter()
        with self.log_path.open("wb") as log:
            self.proc = subprocess.Popen(
                command,
                env=child_env(self.data_dir) | self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        self.ps = psutil.Process(self.proc.pid)
        self._sampler = threading.Thread(target=self._sample, name="server-sampler", daemon=True)
        self._sampler.start()
        while time.perf_counter() - started < timeout_s:
            if self.proc.poll() is not None:
                raise RuntimeError(f"ioc serve exited with {self.proc.returncode}:\n{self.tail()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.base_url}/api/v1/health", timeout=5).status_code == 200:
                    self.ready_s = time.perf_counter() - started
                    return
            time.sleep(0.2)
        raise RuntimeError(f"ioc serve not ready after {timeout_s:.0f} s:\n{self.tail()}")

    def stop(self) -> None:
        self._stop.set()
        if self._sampler is not None:
            self._sampler.join(timeout=5)
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGINT)  # uvicorn shuts down gracefully on SIGINT
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    # -- measuring

    def _sample_once(self) -> Sample | None:
        assert self.ps is not None
        try:
            tree = [self.ps, *self.ps.children(recursive=True)]
        except psutil.Error:
            return None
        rss, cpu, threads = 0, 0.0, 0
        for proc in tree:
            with contextlib.suppress(psutil.Error), proc.oneshot():
                own = proc.memory_info().rss
                rss += own
                if own > self.peaks.get(proc.pid, ("", 0))[1]:
                    self.peaks[proc.pid] = (" ".join(proc.cmdline()), own)
                times = proc.cpu_times()
                cpu += times.user + times.system
                threads += proc.num_threads()
        return Sample(time.time(), rss, cpu, machine_cpu()[0], threads)

    def _sample(self) -> None:
        while not self._stop.is_set() and self.alive:
            sample = self._sample_once()
            if sample is not None:
                self.samples.append(sample)
            self._stop.wait(SAMPLE_S)

    def window(self, start: float, end: float) -> Window | None:
        """What the samples between two ``time.time()`` values show (None: too few)."""
        inside = [s for s in self.samples if start <= s.at <= end]
        if len(inside) < 2:
            return None
        first, last = inside[0], inside[-1]
        wall = last.at - first.at
        return Window(
            seconds=wall,
            peak_rss=max(s.rss for s in inside),
            server_cores=(last.server_cpu - first.server_cpu) / wall,
            machine_cores=(last.machine_busy - first.machine_busy) / wall,
            threads=max(s.threads for s in inside),
        )

    def high_water_mark(self) -> int | None:
        """VmHWM of the server process itself (bytes): its peak RSS since it started."""
        with contextlib.suppress(OSError, ValueError):
            for line in Path(f"/proc/{self.pid}/status").read_text(encoding="utf-8").splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
        return None

    def peak_rss(self) -> int:
        """The largest of the polled RSS (server and children) and the server's VmHWM."""
        polled = max((s.rss for s in self.samples), default=0)
        return max(polled, self.high_water_mark() or 0)
