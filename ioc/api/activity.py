"""Requests in flight, for background work that should give way to them (the warm-up of a
build already served: :mod:`ioc.api.warm`): in this process (:class:`Activity`), or in every
worker of the server (:class:`ServerActivity`, ``ioc serve --workers N``), whose warm-ups
share the machine's cores with each other's requests."""

from __future__ import annotations

import fcntl
import logging
import mmap
import os
import stat
import struct
import tempfile
import threading
import time
from pathlib import Path

import psutil

from ioc.config import Settings

SLOT = struct.Struct("<qqd")  # a worker's slot: its pid, requests in flight, when the last ended
SLOTS = 64  # workers of one server, at most (ioc serve --workers: up to 32, and replacements)
POLL_SECONDS = 0.02  # how often a wait for a pause looks at the other workers
log = logging.getLogger("ioc.api")


class Activity:
    """Counts the HTTP requests being answered; :meth:`wait_quiet` waits for a pause."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._in_flight = 0
        self._quiet = threading.Event()
        self._quiet.set()
        self._last = 0.0  # monotonic time the last request ended

    def begin(self) -> None:
        with self._lock:
            self._in_flight += 1
            self._quiet.clear()

    def end(self) -> None:
        with self._lock:
            self._in_flight -= 1
            if self._in_flight == 0:
                self._last = time.monotonic()
                self._quiet.set()

    def wait_quiet(self, pause: float, timeout: float) -> bool:
        """Whether no request has been in flight for ``pause`` seconds, waiting up to
        ``timeout`` seconds for it."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if not self._quiet.wait(max(left, 0.0)):
                return False
            since = time.monotonic() - self._last
            if since >= pause and self._quiet.is_set():
                return True
            if left <= 0:
                return False
            time.sleep(min(pause - since, left) if since < pause else 0.0)


PREFIX = "ioc-activity-"


def server_file(server_pid: int) -> Path:
    """Where the workers of the server process ``server_pid`` count their requests: a file
    of this machine (its temporary directory), never the data directory, which several
    machines may share."""
    return Path(tempfile.gettempdir()) / f"{PREFIX}{server_pid}"


def remove_stale() -> list[Path]:
    """Remove the files of servers that are gone without removing theirs (killed with
    SIGKILL): this user's own, named for a process that no longer runs. Returns them."""
    removed = []
    for path in Path(tempfile.gettempdir()).glob(f"{PREFIX}*"):
        pid = path.name.removeprefix(PREFIX)
        try:
            if not pid.isdigit() or psutil.pid_exists(int(pid)):
                continue
            if path.lstat().st_uid == os.getuid():  # a link is removed, never what it names
                path.unlink()
                removed.append(path)
        except OSError:  # gone meanwhile, or not ours to remove
            continue
    return removed


class ServerActivity(Activity):
    """Requests in flight in every worker of one server: each worker counts its own in a slot
    of a file they share (mapped in memory; a slot is claimed once, under a lock), and a wait
    for a pause reads every live worker's slot. A worker killed while it answered leaves a
    count that no longer counts: the slots of processes gone are skipped (and reused)."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        size = SLOT.size * SLOTS
        # never through a link, never a file someone else made (a shared temporary directory)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        try:
            found = os.fstat(fd)
            if not stat.S_ISREG(found.st_mode) or found.st_uid != os.getuid():
                raise PermissionError(f"{path} is not a file of this user's own")
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                if found.st_size < size:  # made now (another worker only sets the same size)
                    os.ftruncate(fd, size)
                self._map = mmap.mmap(fd, size)
                self._slot = self._claim()
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)  # the mapping stays

    def _claim(self) -> int:
        """A free slot (never used, or its process gone), now this process's."""
        for number in range(SLOTS):
            pid, _, _ = SLOT.unpack_from(self._map, number * SLOT.size)
            if pid == 0 or not psutil.pid_exists(pid):
                SLOT.pack_into(self._map, number * SLOT.size, os.getpid(), 0, 0.0)
                return number * SLOT.size
        raise RuntimeError(f"more than {SLOTS} workers count their requests in one file")

    def begin(self) -> None:
        super().begin()
        self._write()

    def end(self) -> None:
        super().end()
        self._write()

    def _write(self) -> None:
        with self._lock:  # this process's count and time, as the base class keeps them
            SLOT.pack_into(self._map, self._slot, os.getpid(), self._in_flight, self._last)

    def busy(self) -> tuple[int, float]:
        """Requests in flight in every live worker, and when the last of them ended
        (monotonic: the same clock in every process of the machine)."""
        in_flight, last = 0, 0.0
        for offset in range(0, SLOT.size * SLOTS, SLOT.size):
            pid, count, ended = SLOT.unpack_from(self._map, offset)
            if pid != 0 and (offset == self._slot or psutil.pid_exists(pid)):
                in_flight += count
                last = max(last, ended)
        return in_flight, last

    def wait_quiet(self, pause: float, timeout: float) -> bool:
        """Whether no worker of the server has had a request in flight for ``pause``
        seconds, waiting up to ``timeout`` seconds for it."""
        deadline = time.monotonic() + timeout
        while True:
            in_flight, last = self.busy()
            now = time.monotonic()
            if in_flight == 0 and now - last >= pause:
                return True
            if now >= deadline:
                return False
            time.sleep(min(POLL_SECONDS, deadline - now))


def activity_of(settings: Settings) -> Activity:
    """This process's: of every worker of its server when ``ioc serve`` runs several (each
    a child of the serving process: :func:`server_file`), else of this process alone."""
    if settings.workers == 1:
        return Activity()
    path = server_file(os.getppid())
    try:
        return ServerActivity(path)
    except OSError as exc:  # a link or another user's file there: count this worker's alone
        log.warning("requests counted in this worker only: %s", exc)
        return Activity()
