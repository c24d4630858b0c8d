"""The schedules of sources, run inside the server by APScheduler 3 (as report schedules,
:mod:`ioc.reports.scheduler`): each enabled source's ``cron`` submits a delta pull and its
``reconcile_cron`` a full one, as a ``pull`` job (trigger ``schedule``, started by
``scheduler``), unless a pull of that source is queued or running already. Cron expressions
mean what :mod:`ioc.reports.cron` says, and one firing more often than
``IOC_REPORTS_MIN_INTERVAL_SECONDS`` is not planned (:mod:`ioc.reports.limits`).

Off with ``IOC_REPORTS_SCHEDULER=false`` (on all but one server sharing a store). At start,
pulls a stopped server left running are marked ``interrupted`` in the ledger."""

from __future__ import annotations

import contextlib
import logging
from zoneinfo import ZoneInfo

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.background import BackgroundScheduler

from ioc.jobs import pull
from ioc.jobs.runner import JobRunner
from ioc.reports.cron import trigger_for
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

    def start(self) -> None:
        """After ``runner.start()``: close the ledger's interrupted pulls, plan the others."""
        with self.runner.session() as session:
            left = pulls.interrupt_unfinished(session, pull.error("pull_interrupted", ""))
        if left:
            log.warning("%d pull(s) were interrupted by a server stop", left)
        if not self.settings.reports_scheduler:
            return
        self._scheduler = BackgroundScheduler(
            timezone=ZoneInfo(self.settings.display_timezone),
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": self.settings.reports_misfire_grace_seconds,
            },
        )
        self._scheduler.start()
        with self.runner.session() as session:
            for source in sources.list_sources(session, enabled_only=True):
                self._plan(source)

    def shutdown(self) -> None:
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    def sync(self, name: str) -> None:
        """Plan a source again after it was added, changed or deleted."""
        if self._scheduler is None:
            return
        for column, _ in PLANS:
            with contextlib.suppress(JobLookupError):
                self._scheduler.remove_job(_job_id(name, column))
        with self.runner.session() as session:
            source = sources.get_source(session, name)
        if source is not None and source.enabled:
            self._plan(source)

    def planned(self, name: str) -> dict[str, str | None]:
        """When each of the source's schedules fires next (ISO), by column."""
        found = {}
        for column, _ in PLANS:
            job = self._scheduler.get_job(_job_id(name, column)) if self._scheduler else None
            found[column] = job.next_run_time.isoformat() if job is not None else None
        return found

    def _plan(self, source: Source) -> None:
        assert self._scheduler is not None
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
            self._scheduler.add_job(
                self.due,
                trigger=trigger,
                args=[source.name, full],
                id=_job_id(source.name, column),
                name=f"pull {source.name}",
                replace_existing=True,
            )

    def due(self, name: str, full: bool) -> int | None:
        """Submit the source's pull unless one is queued or running; its job id."""
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


def _job_id(name: str, column: str) -> str:
    return f"source-{name}-{column}"
