"""Requests in flight in this process, for background work that should give way to them
(the warm-up of a build already served: :mod:`ioc.api.warm`)."""

from __future__ import annotations

import threading
import time


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
