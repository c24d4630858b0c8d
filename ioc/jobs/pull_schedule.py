"""The schedules of sources, run inside the server by APScheduler 3 (as report schedules,
:mod:`ioc.reports.scheduler`): each enabled source's ``cron`` submits a delta pull and its
``reconcile_cron`` a full one, as a ``pull`` job (trigger ``schedule``, started by
``scheduler``), unless a pull of that source is queued or running already. Cron expressions
mean what :mod:`ioc.reports.cron` says, and one firing more often than
``IOC_REPORTS_MIN_INTERVAL_SECONDS`` is not planned (:mod:`ioc.reports.limits`).

Planned only in the process holding the scheduler lease (:mod:`ioc.jobs.presence`:
:meth:`PullScheduler.lead` and :meth:`~PullScheduler.follow`), which plans again at each
heartbeat the sources added, changed or deleted through another process
(:meth:`~PullScheduler.refresh`); the plan the API shows comes from the cron expressions,
whichever process answers. At start, and on the holder's heartbeats, pulls left running by
a process that stopped (their job is no longer queued or running) are marked
``interrupted`` in the ledger."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.background import BackgroundScheduler

from ioc.jobs import pull
from ioc.jobs.runner import JobRunner
from ioc.reports.cron import next_after, trigger_for
from ioc.reports.limits import fires_too_often
from ioc.store import pulls, sources
from ioc.store.models import Source
from ioc.store.types import utcnow

log = logging.getLogger("ioc.jobs")
SCHEDULER = "scheduler"  # who starts scheduled pulls
PLANS = (("cron", False), ("reconcile_cron", True))  # (the source's column, a full pull)


class PullScheduler:
    """Plans the pulls of the store's sources; submits them to ``runner`` when due."""

    def __init__(self, runner: JobRunner) -> None:
        self.runner, self.settings = runner, runner.settings
        self._scheduler: BackgroundScheduler | None = None
        self._seen: dict[str, tuple[Any, ...]] = {}  # what each source was planned from
        #: whether this process still holds the scheduler lease (checked before a due pull)
        self.leading: Callable[[], bool] = lambda: self._scheduler is not None

    def start(self) -> None:
        """After ``runner.start()``: close the ledger's interrupted pulls."""
        self.tidy()

    def tidy(self) -> int:
        """Pulls left running by a process that stopped, now interrupted; how many."""
        with self.runner.session() as session:
            left = pulls.interrupt_orphaned(session, pull.error("pull_interrupted", ""))
        if left:
            log.warning("%d pull(s) were interrupted by a server stop", left)
        return left

    def lead(self) -> None:
        """This process holds the scheduler lease: plan the sources' pulls."""
        if self._scheduler is not None:
            return
        scheduler = BackgroundScheduler(
            timezone=ZoneInfo(self.settings.display_timezone),
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": self.settings.reports_misfire_grace_seconds,
            },
        )
        scheduler.start()
        self._scheduler, self._seen = scheduler, {}
        self.refresh()

    def follow(self) -> None:
        """The lease is lost (or the server stops): plan nothing more."""
        scheduler, self._scheduler = self._scheduler, None
        if scheduler is not None and scheduler.running:
            scheduler.shutdown(wait=False)

    def refresh(self) -> None:
        """Plan again the sources added, changed or deleted since the last look (through any
        process): the holder's heartbeat."""
        if self._scheduler is None:
            return
        with self.runner.session() as session:
            found = {s.name: s for s in sources.list_sources(session)}
        now = {name: _planned_from(s) for name, s in found.items()}
        for name in set(now) | set(self._seen):
            if now.get(name) != self._seen.get(name):
                self._replan(name, found.get(name))
        self._seen = now

    def sync(self, name: str) -> None:
        """Plan a source again after it was added, changed or deleted through this process
        (another process's edits: :meth:`refresh`)."""
        if self._scheduler is None:
            return
        with self.runner.session() as session:
            source = sources.get_source(session, name)
        self._replan(name, source)

    def _replan(self, name: str, source: Source | None) -> None:
        scheduler = self._scheduler
        if scheduler is None:
            return
        for column, _ in PLANS:
            with contextlib.suppress(JobLookupError):
                scheduler.remove_job(_job_id(name, column))
        if source is not None and source.enabled:
            self._plan(scheduler, source)

    def planned(self, source: Source) -> dict[str, str | None]:
        """When each of the source's schedules fires next (ISO), by column, from its cron
        expressions (whichever process holds the lease)."""
        now = utcnow()
        found: dict[str, str | None] = {}
        for column, _ in PLANS:
            cron, fire = getattr(source, column), None
            with contextlib.suppress(ValueError):
                if source.enabled and cron and fires_too_often(cron, self.settings, now) is None:
                    fire = next_after(trigger_for(cron, self.settings.display_timezone), now)
            found[column] = fire.isoformat() if fire is not None else None
        return found

    def _plan(self, scheduler: BackgroundScheduler, source: Source) -> None:
        for column, full in PLANS:
            cron = getattr(source, column)
            if not cron:
                continue
            try:
                refused = fires_too_often(cron, self.settings, utcnow())
                if refused is not None:
                    log.warning("source %s: %s not planned: %s", source.name, column, refused.en)
                    continue
                trigger = trigger_for(cron, self.settings.display_timezone)
            except ValueError:
                log.exception("source %s: %s not planned", source.name, column)
                continue
            scheduler.add_job(
                self.due,
                trigger=trigger,
                args=[source.name, full],
                id=_job_id(source.name, column),
                name=f"pull {source.name}",
                replace_existing=True,
            )

    def due(self, name: str, full: bool) -> int | None:
        """Submit the source's pull unless one is queued or running; its job id."""
        if not self.leading():  # the lease may have run out before the heartbeat noticed
            log.warning("source %s: due pull left to the scheduler's holder", name)
            return None
        try:
            with self.runner.session() as session:
                busy = pulls.pending_job(session, name)
            if busy is not None:
                log.info("source %s: scheduled pull skipped, job %s not ended", name, busy.id)
                return None
            job = self.runner.submit(
                "pull", SCHEDULER, pull.request(name, full=full, dry_run=False, trigger="schedule")
            )
            return job.id
        except Exception:  # never leave the scheduler's thread
            log.exception("source %s: scheduled pull not submitted", name)
            return None


def _planned_from(source: Source) -> tuple[Any, ...]:
    """What a source's plan depends on (a change means planning it again)."""
    return (source.enabled, source.cron, source.reconcile_cron)


def _job_id(name: str, column: str) -> str:
    return f"source-{name}-{column}"
