"""When the rules are evaluated (docs/alerts.md, "Evaluation"): an ``alerts`` job with
trigger ``build`` when the server opens a new build (at start too: the snapshot opens its
build then) and one with trigger ``clock`` every ``IOC_ALERTS_TICK_SECONDS`` (APScheduler
3, as :mod:`ioc.jobs.pull_schedule`). Never two alerts jobs at once: while one is queued or
running nothing is submitted, and a build that came meanwhile is evaluated at the next tick
(a build evaluation does the clock's work too).

Each tick also looks at the published file, so a build published by another process is
noticed without waiting for a request. Runs only in the process holding the scheduler lease
(:mod:`ioc.jobs.presence` starts and stops it); never with ``IOC_REPORTS_SCHEDULER=false``."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

import duckdb
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from ioc.jobs import alerts
from ioc.jobs.runner import JobRunner
from ioc.store import jobs

log = logging.getLogger("ioc.jobs")
SCHEDULER = "scheduler"  # who starts the evaluations
KIND = "alerts"


class AlertScheduler:
    """Submits ``alerts`` jobs to ``runner``; ``look`` refreshes the server's snapshot (a
    new build then comes to :meth:`opened`, registered with ``Snapshot.on_open``)."""

    def __init__(self, runner: JobRunner, look: Callable[[], Any] = lambda: None) -> None:
        self.runner, self.settings, self.look = runner, runner.settings, look
        self._scheduler: BackgroundScheduler | None = None
        self._lock = threading.RLock()
        self._build: str | None = None  # a build opened and not yet submitted
        #: whether this process still holds the scheduler lease (checked before a submit)
        self.leading: Callable[[], bool] = lambda: self.on

    @property
    def on(self) -> bool:
        return self._scheduler is not None

    def start(self) -> None:
        """When this process gains the scheduler lease: the build it serves now is evaluated
        (it may have opened before, or been left unevaluated by the previous holder), then
        the clock runs."""
        if not self.settings.reports_scheduler:
            return
        self._scheduler = BackgroundScheduler(
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None}
        )
        self._scheduler.add_job(
            self.tick,
            trigger=IntervalTrigger(seconds=self.settings.alerts_tick_seconds),
            id="alerts-clock",
            name="alerts clock",
        )
        self._scheduler.start()
        try:
            build = self.look()
        except Exception:  # the snapshot's trouble is the requests' business
            log.exception("alerts: the snapshot could not be looked at")
            build = None
        if build is not None:
            with self._lock:
                self._build = build.build_id
            self.submit()

    def shutdown(self) -> None:
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        self._scheduler = None

    def opened(self, build: Any, conn: duckdb.DuckDBPyConnection) -> None:
        """``Snapshot.on_open`` callback: evaluate the new build."""
        if not self.on:
            return
        with self._lock:
            self._build = build.build_id
        self.submit()

    def tick(self) -> int | None:
        """The clock: a build not yet evaluated, else the time-based rules."""
        try:
            self.look()  # a build published meanwhile is opened (and set) now
        except Exception:  # the snapshot's trouble is the requests' business
            log.exception("alerts clock: the snapshot could not be looked at")
        return self.submit()

    def submit(self) -> int | None:
        """Submit an ``alerts`` job unless one is queued or running; its id."""
        if not self.leading():  # the lease may have run out before the heartbeat noticed
            return None
        with self._lock:
            try:
                with self.runner.session() as session:
                    busy = jobs.unfinished_of(session, KIND)
                if busy is not None:
                    log.info("alerts: evaluation skipped, job %s not ended", busy.id)
                    return None
                trigger: alerts.Trigger = "build" if self._build is not None else "clock"
                job = self.runner.submit(KIND, SCHEDULER, alerts.request(trigger, self._build))
                self._build = None
                return job.id
            except Exception:  # never leave the scheduler's (or a request's) thread
                log.exception("alerts: evaluation not submitted")
                return None
