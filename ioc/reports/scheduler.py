"""Schedules run inside the server by APScheduler 3, in the one process holding the scheduler
lease (:mod:`ioc.jobs.presence`; :meth:`ReportScheduler.lead` and :meth:`~ReportScheduler.follow`).
Every process runs the runs started by hand ("run now") and the API's ``next_run`` comes from
the cron expression, whichever process answers.

Jobs are derived from the store at start: each enabled schedule's first run time is the
first cron time after the last due time it finished (or after it was created or changed),
so a run that fell due while the server was down is seen as missed; APScheduler then runs
it once (``coalesce``) if it is at most ``IOC_REPORTS_MISFIRE_GRACE_SECONDS`` late. A run
records its status, times, files and error; a failed scheduled run is retried up to
``IOC_REPORTS_RETRIES`` times; one failing unit or delivery never stops the others, and no
error leaves the job function, so the scheduler keeps running. A schedule deleted during
its run stops it before its next unit and before delivery, and the run ends quietly as
cancelled (its record went with the schedule). A stored schedule firing more often than
``IOC_REPORTS_MIN_INTERVAL_SECONDS`` (made before that limit) is not planned. A schedule
added, changed or deleted through another process is planned again at the holder's next
heartbeat (:meth:`ReportScheduler.refresh`). A due run is started once (the store's unique
``(schedule_id, due_at, attempt)``), even when two processes fire it during a hand-over.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from ioc import db, store
from ioc.config import Settings
from ioc.reports import delivery
from ioc.reports.cron import latest_due, next_after, trigger_for
from ioc.reports.delivery import Outcome
from ioc.reports.files import prune
from ioc.reports.limits import fires_too_often
from ioc.reports.produce import ReportRequest, produce
from ioc.store import schedules
from ioc.store.models import ReportSchedule, RunStatus
from ioc.store.types import utcnow

log = logging.getLogger("ioc.reports")
Connect = Callable[[], AbstractContextManager[duckdb.DuckDBPyConnection]]
PRUNE_HOURS = 6


@contextlib.contextmanager
def published(settings: Settings) -> Iterator[duckdb.DuckDBPyConnection]:
    conn = db.connect_published(settings)
    try:
        yield conn
    finally:
        conn.close()


class ReportScheduler:
    """The schedules of the store, run in background threads of this process."""

    def __init__(self, settings: Settings, connect: Connect | None = None) -> None:
        self.settings = settings
        self._connect: Connect = connect or (lambda: published(settings))
        self._sessions: sessionmaker[Session] | None = None
        self._scheduler: BackgroundScheduler | None = None
        self._leading = False
        self._seen: dict[int, tuple[Any, ...]] = {}  # what each planned schedule was planned from
        #: whether this process still holds the scheduler lease (checked before a due run)
        self.leading: Callable[[], bool] = lambda: self._leading

    # ------------------------------------------------------------------ life cycle

    def start(self) -> None:
        """Open the store and run the runs started by hand; :meth:`lead` plans the
        schedules."""
        engine = store.make_engine(self.settings)
        store.migrate(engine)
        self._sessions = store.session_factory(engine)
        self._scheduler = BackgroundScheduler(
            timezone=ZoneInfo(self.settings.display_timezone),
            executors={"default": ThreadPoolExecutor(max(1, self.settings.reports_workers))},
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": self.settings.reports_misfire_grace_seconds,
            },
        )
        self._scheduler.start()

    def lead(self) -> None:
        """This process holds the scheduler lease: plan the schedules and the retention."""
        assert self._scheduler is not None
        self._leading = True
        self._seen = {}
        self.refresh()
        self._scheduler.add_job(
            self._prune,
            "interval",
            hours=PRUNE_HOURS,
            id="prune",
            next_run_time=utcnow(),
            replace_existing=True,
        )

    def follow(self) -> None:
        """The lease is lost: plan nothing more (runs in progress and their retries end)."""
        self._leading = False
        if self._scheduler is None:
            return
        for job in self._scheduler.get_jobs():
            if job.id == "prune" or job.id.startswith("schedule-"):
                with contextlib.suppress(JobLookupError):
                    self._scheduler.remove_job(job.id)
        self._seen = {}

    def refresh(self) -> None:
        """Plan again the schedules added, changed or deleted since the last look (through
        any process): the holder's heartbeat."""
        if not self._leading:
            return
        with self.session() as session:
            found = {s.id: s for s in schedules.list_schedules(session)}
        now = {i: _planned_from(s) for i, s in found.items()}
        for schedule_id in set(now) | set(self._seen):
            if now.get(schedule_id) != self._seen.get(schedule_id):
                self._replan(schedule_id, found.get(schedule_id))
        self._seen = now

    def close_orphaned_runs(self, started_before: datetime) -> int:
        """Runs left 'running' by processes that stopped (started before the oldest live
        process did) are failed; how many."""
        with self.session() as session:
            closed = schedules.close_interrupted_runs(session, started_before=started_before)
        if closed:
            log.warning("%d report run(s) were interrupted by a restart", closed)
        return closed

    def shutdown(self) -> None:
        """Stop planning runs; a run in progress is closed as interrupted at the next start
        and, being unfinished, runs again then."""
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    def session(self) -> Session:
        """A store session (the caller closes it)."""
        assert self._sessions is not None, "ReportScheduler.start() first"
        return self._sessions()

    # ------------------------------------------------------------------ planning

    def _plan(self, schedule: ReportSchedule) -> None:
        assert self._scheduler is not None
        refused = fires_too_often(schedule.cron, self.settings, utcnow())
        if refused is not None:  # stored before the limit, or the limit was raised
            log.warning("report schedule %s not planned: %s", schedule.id, refused.en)
            return
        trigger = trigger_for(schedule.cron, self.settings.display_timezone)
        first = next_after(trigger, self._since(schedule))
        if first is None:
            return
        self._scheduler.add_job(
            self._due,
            trigger=trigger,
            args=[schedule.id],
            id=_job_id(schedule.id),
            name=schedule.name,
            next_run_time=first,
            replace_existing=True,
        )

    def _since(self, schedule: ReportSchedule) -> datetime:
        """After what time the schedule's next due run lies (never older than the grace)."""
        floor = utcnow() - timedelta(seconds=self.settings.reports_misfire_grace_seconds)
        handled = schedule.last_due_at or schedule.created_at
        return max(handled, schedule.updated_at, floor)

    def sync(self, schedule_id: int) -> None:
        """Plan a schedule again after it was created, changed or deleted through this
        process (another process's edits: :meth:`refresh`)."""
        if self._scheduler is None or not self._leading:
            return
        with self.session() as session:
            schedule = schedules.get_schedule(session, schedule_id)
        self._replan(schedule_id, schedule)
        if schedule is None:
            self._seen.pop(schedule_id, None)
        else:
            self._seen[schedule_id] = _planned_from(schedule)

    def _replan(self, schedule_id: int, schedule: ReportSchedule | None) -> None:
        assert self._scheduler is not None
        with contextlib.suppress(JobLookupError):
            self._scheduler.remove_job(_job_id(schedule_id))
        if schedule is None or not schedule.enabled:
            return
        try:
            self._plan(schedule)
        except ValueError:  # a cron the store holds but cannot be read
            log.exception("report schedule %s not planned", schedule_id)

    def next_run(self, schedule: ReportSchedule) -> datetime | None:
        """When the schedule runs next, from its cron expression (whichever process holds
        the lease): None when it is disabled or would fire too often."""
        now = utcnow()
        if not schedule.enabled or fires_too_often(schedule.cron, self.settings, now):
            return None
        try:
            trigger = trigger_for(schedule.cron, self.settings.display_timezone)
        except ValueError:
            return None
        return next_after(trigger, max(self._since(schedule), now))

    def run_now(self, schedule_id: int) -> int:
        """Start a run at once in the background; returns its run id."""
        assert self._scheduler is not None
        with self.session() as session:
            run = schedules.start_run(session, schedule_id, trigger="manual")
        self._scheduler.add_job(
            self._execute, args=[schedule_id, "manual", 1, None, run.id], id=f"run-{run.id}"
        )
        return run.id

    # ------------------------------------------------------------------ running

    def _due(self, schedule_id: int) -> None:
        if not self.leading():  # the lease may have run out before the heartbeat noticed
            log.warning("report schedule %s: due run left to the scheduler's holder", schedule_id)
            return
        now = utcnow()
        due = now
        with contextlib.suppress(Exception):
            with self.session() as session:
                schedule = schedules.get_schedule(session, schedule_id)
            if schedule is not None:
                trigger = trigger_for(schedule.cron, self.settings.display_timezone)
                due = latest_due(trigger, self._since(schedule), now) or now
        self._execute(schedule_id, "schedule", 1, due)

    def _execute(
        self,
        schedule_id: int,
        trigger: str,
        attempt: int,
        due_at: datetime | None,
        run_id: int | None = None,
    ) -> None:
        """One run; every error is recorded on the run and logged, never raised."""
        try:
            self._run(schedule_id, trigger, attempt, due_at, run_id)
        except Exception:
            log.exception("report schedule %s: run failed unexpectedly", schedule_id)

    def _run(
        self,
        schedule_id: int,
        trigger: str,
        attempt: int,
        due_at: datetime | None,
        run_id: int | None,
    ) -> None:
        with self.session() as session:
            schedule = schedules.get_schedule(session, schedule_id)
            if schedule is None:
                return
            if run_id is None:
                try:
                    run_id = schedules.start_run(
                        session, schedule_id, trigger=trigger, attempt=attempt, due_at=due_at
                    ).id
                except IntegrityError:  # deleted a moment ago, or started by another process
                    log.info(
                        "report schedule %s: run due at %s not started here", schedule_id, due_at
                    )
                    return
        outcome = self._produce(schedule, run_id)
        if outcome.cancelled:
            self._cancelled(schedule_id, run_id, outcome)
            return
        delivered, errors = delivery.deliver(self.settings, schedule, outcome)
        errors = outcome.errors + errors
        if not errors:
            status = RunStatus.SUCCEEDED
        else:
            status = RunStatus.PARTIAL if outcome.files else RunStatus.FAILED
        root = self.settings.report_files_dir
        with self.session() as session:
            finished = schedules.finish_run(
                session,
                run_id,
                status=status,
                period=outcome.period,
                files=[p.relative_to(root).as_posix() for p in outcome.files],
                delivered=delivered,
                error="\n".join(errors) or None,
            )
        if finished is None:
            self._cancelled(schedule_id, run_id, outcome)
            return
        log.info("report schedule %s run %s: %s", schedule_id, run_id, status)
        if trigger == "manual" or due_at is None:
            return
        if status == RunStatus.FAILED and attempt <= self.settings.reports_retries:
            self._retry(schedule_id, attempt + 1, due_at)
            return
        with self.session() as session:
            schedules.mark_due_done(session, schedule_id, due_at)

    def _retry(self, schedule_id: int, attempt: int, due_at: datetime) -> None:
        assert self._scheduler is not None
        wait = self.settings.reports_retry_seconds * (attempt - 1)
        self._scheduler.add_job(
            self._execute,
            "date",
            run_date=utcnow() + timedelta(seconds=wait),
            args=[schedule_id, "retry", attempt, due_at],
            id=f"retry-{schedule_id}",
            replace_existing=True,
            misfire_grace_time=None,
        )

    def _gone(self, schedule_id: int, run_id: int) -> bool:
        """The run's record is gone: its schedule was deleted while it ran."""
        with self.session() as session:
            return schedules.get_run(session, schedule_id, run_id) is None

    def _cancelled(self, schedule_id: int, run_id: int, outcome: Outcome) -> None:
        """A run whose schedule was deleted meanwhile: nothing more is produced or delivered
        (deliveries already made stay made); the files it wrote are whole (each is renamed
        into place once written) and go with the retention of the deleted schedule's
        other files."""
        log.warning(
            "report schedule %s was deleted during run %s: run cancelled (%d file(s) written)",
            schedule_id,
            run_id,
            len(outcome.files),
        )

    def _produce(self, schedule: ReportSchedule, run_id: int) -> Outcome:
        folder = self.settings.report_files_dir / f"schedule-{schedule.id}" / f"run-{run_id}"
        files: list[Path] = []
        periods: list[str] = []
        errors: list[str] = []
        for code in schedule.unit_codes:  # one failing unit never stops the others
            if self._gone(schedule.id, run_id):
                return Outcome(files, None, errors, cancelled=True)
            request = ReportRequest(
                code,
                schedule.period,
                schedule.scheme,
                schedule.kind,
                tuple(schedule.formats),
                filters={"Lịch báo cáo / Schedule": f"{schedule.name} (#{schedule.id})"},
            )
            try:
                with self._connect() as conn:
                    done = produce(conn, self.settings, request, folder)
            except Exception as exc:
                log.warning("schedule %s, unit %s: %s", schedule.id, code, exc)
                errors.append(f"{code}: {delivery.error_text(exc)}")
                continue
            files += done.paths
            periods.append(f"{done.school_year}/{done.term}")
        if self._gone(schedule.id, run_id):
            return Outcome(files, None, errors, cancelled=True)
        return Outcome(files, ", ".join(dict.fromkeys(periods)) or None, errors)

    def _prune(self) -> None:
        try:
            gone = prune(self.settings.report_files_dir, self.settings.reports_keep_days)
        except OSError:
            log.exception("report retention failed")
            return
        if gone:
            log.info("report retention: %d old file(s) deleted", len(gone))


def _planned_from(schedule: ReportSchedule) -> tuple[Any, ...]:
    """What a schedule's plan depends on (a change means planning it again)."""
    return (schedule.cron, schedule.enabled, schedule.updated_at)


def _job_id(schedule_id: int) -> str:
    return f"schedule-{schedule_id}"
