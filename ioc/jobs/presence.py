"""The presence of a serving process among all those sharing the store (docs/scale.md): a
thread that writes the process's heartbeat every ``IOC_LEASE_SECONDS / 3`` and, unless
``IOC_REPORTS_SCHEDULER=false``, takes or renews the ``scheduler`` lease.

The process holding the lease runs the schedules (``on_gain`` starts them, ``on_loss``
stops them) and, on each of its heartbeats, does what one process does for all
(``on_held``: jobs of dead processes interrupted, schedules edited elsewhere planned
again). A holder that could not renew stops its schedules one heartbeat before its lease
runs out, so that the next holder, which may take it only once it has run out, never
overlaps with it; at shutdown it stops them and gives the lease up at once."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ioc.config import Settings
from ioc.store import instances, leases
from ioc.store.instances import this_instance
from ioc.store.types import utcnow

log = logging.getLogger("ioc.jobs")


def _nothing() -> None:
    return None


class Presence:
    """This process's heartbeat and its candidacy for the scheduler lease."""

    def __init__(
        self,
        settings: Settings,
        sessions: Callable[[], Session],
        on_gain: Callable[[], None] = _nothing,
        on_loss: Callable[[], None] = _nothing,
        *,
        on_held: Callable[[], None] = _nothing,
        build: Callable[[], str | None] = lambda: None,
    ) -> None:
        self.settings, self.sessions = settings, sessions
        self.on_gain, self.on_loss, self.on_held, self.build = on_gain, on_loss, on_held, build
        self.ttl = settings.lease_seconds
        self.interval = self.ttl / 3
        self.candidate = settings.reports_scheduler
        self.instance = this_instance()
        self.started_at: datetime = utcnow()
        self._holding = False
        self._deadline = 0.0  # monotonic: act as the holder until then (one beat of margin)
        self._holder: str | None = None
        self._lock = threading.Lock()  # one beat at a time (the thread's, stop's)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ life cycle

    def start(self) -> None:
        """Beat once now (the process is then known, and holds the lease if it is free),
        then every ``lease_seconds / 3`` in a thread."""
        self.instance, self.started_at = this_instance(), utcnow()
        self.beat()
        self._thread = threading.Thread(target=self._run, name="ioc-presence", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop beating; a holder stops its schedules and gives the lease up."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(self.ttl)
        with self._lock:
            if not self._holding:
                return
            self._lose()
            try:
                with self.sessions() as session:
                    leases.release(session, leases.SCHEDULER, self.instance)
            except Exception:
                log.exception("the scheduler lease could not be given up")

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.beat()

    # ------------------------------------------------------------------ the beat

    def beat(self) -> None:
        """One heartbeat: seen now, the lease taken or renewed, gained or lost."""
        with self._lock:
            if self._stop.is_set() and self._thread is not None:
                return
            term, known = self._renew()
            if term is not None:
                self._deadline = time.monotonic() + self.ttl - self.interval
                if not self._holding:
                    self._gain(term)
                self._call(self.on_held, "on_held")
            elif self._holding and (known or time.monotonic() >= self._deadline):
                self._lose()  # another process holds it, or ours is about to run out

    def _renew(self) -> tuple[int | None, bool]:
        """The term when this process holds the lease now (None otherwise), and whether the
        store answered."""
        now = utcnow()
        try:
            with self.sessions() as session:
                instances.beat(session, self.instance, self._build_id(), now)
                term = None
                if self.candidate:
                    term = leases.acquire(session, leases.SCHEDULER, self.instance, now, self.ttl)
                lease = leases.current(session, leases.SCHEDULER, now)
                self._holder = lease.holder if lease is not None else None
            return term, True
        except Exception:  # the store is away: try again at the next beat
            log.exception("heartbeat: the store did not answer")
            return None, False

    def _build_id(self) -> str | None:
        try:
            return self.build()
        except Exception:  # the snapshot's trouble is the requests' business
            return None

    def _gain(self, term: int) -> None:
        log.info("this process (%s) runs the schedules (term %d)", self.instance, term)
        self._holding = True
        self._call(self.on_gain, "on_gain")

    def _lose(self) -> None:
        log.warning("this process (%s) no longer runs the schedules", self.instance)
        self._holding = False
        self._call(self.on_loss, "on_loss")

    @staticmethod
    def _call(callback: Callable[[], None], name: str) -> None:
        try:
            callback()
        except Exception:  # never leave the heartbeat's thread
            log.exception("presence: %s failed", name)

    # ------------------------------------------------------------------ what it says

    def holding(self) -> bool:
        """Whether this process runs the schedules now (false once its lease may have run
        out, even before the heartbeat noticed)."""
        return self._holding and time.monotonic() < self._deadline

    def status(self) -> dict[str, Any]:
        """For the health endpoint."""
        holding = self.holding()
        return {
            "instance": self.instance,
            "pid": os.getpid(),
            "started_at": self.started_at.isoformat(),
            "scheduler": holding,
            "scheduler_holder": self.instance if holding else self._holder,
        }
