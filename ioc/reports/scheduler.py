"""Schedules run inside the server by APScheduler 3.

Jobs are derived from the store at start: each enabled schedule's first run time is the
first cron time after the last due time it finished (or after it was created or changed),
so a run that fell due while the server was down is seen as missed; APScheduler then runs
it once (``coalesce``) if it is at most ``IOC_REPORTS_MISFIRE_GRACE_SECONDS`` late. A run
records its status, times, files and error; a failed scheduled run is retried up to
``IOC_REPORTS_RETRIES`` times; one failing unit or delivery never stops the others, and no
error leaves the job function, so the scheduler keeps running. A schedule deleted during
its run stops it before its next unit and before delivery, and the run ends quietly as
cancelled (its record went with the schedule). A stored schedule firing more often than
``IOC_REPORTS_MIN_INTERVAL_SECONDS`` (made before that limit) is not planned.
"""

from __future__ import annotations

import contextlib
import logging
import traceback
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from ioc import db, store
from ioc.config import Settings
from ioc.domain.formats import local_datetime
from ioc.reports import delivery
from ioc.reports.cron import latest_due, next_after, trigger_for
from ioc.reports.files import prune
from ioc.reports.kinds import KINDS
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


@dataclass(frozen=True)
class Outcome:
    files: list[Path]
    period: str | None
    errors: list[str]
    cancelled: bool = False  # the schedule was deleted during the run


class ReportScheduler:
    """The schedules of the store, run in background threads of this process."""

    def __init__(self, settings: Settings, connect: Connect | None = None) -> None:
        self.settings = settings
        self._connect: Connect = connect or (lambda: published(settings))
        self._sessions: sessionmaker[Session] | None = None
        self._scheduler: BackgroundScheduler | None = None

    # ------------------------------------------------------------------ life cycle

    def start(self) -> None:
        engine = store.make_engine(self.settings)
        store.migrate(engine)
        self._sessions = store.session_factory(engine)
        with self.session() as session:
            interrupted = schedules.close_interrupted_runs(session)
        if interrupted:
            log.warning("%d report run(s) were interrupted by a restart", interrupted)
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
        if self.settings.reports_scheduler:
            with self.session() as session:
                for schedule in schedules.list_schedules(session, enabled_only=True):
                    try:
                        self._plan(schedule)
                    except ValueError:  # a cron the store holds but cannot be read
                        log.exception("report schedule %s not planned", schedule.id)
        self._scheduler.add_job(
            self._prune, "interval", hours=PRUNE_HOURS, id="prune", next_run_time=utcnow()
        )

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
        """Plan a schedule again after it was created, changed or deleted."""
        if self._scheduler is None:
            return
        with contextlib.suppress(JobLookupError):
            self._scheduler.remove_job(_job_id(schedule_id))
        with self.session() as session:
            schedule = schedules.get_schedule(session, schedule_id)
        if schedule is not None and schedule.enabled and self.settings.reports_scheduler:
            self._plan(schedule)

    def next_run(self, schedule_id: int) -> datetime | None:
        job = self._scheduler.get_job(_job_id(schedule_id)) if self._scheduler else None
        return job.next_run_time if job is not None else None

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
                except IntegrityError:  # the schedule was deleted a moment ago
                    return
        outcome = self._produce(schedule, run_id)
        if outcome.cancelled:
            self._cancelled(schedule_id, run_id, outcome)
            return
        delivered, errors = self._deliver(schedule, outcome)
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
                errors.append(f"{code}: {_error_text(exc)}")
                continue
            files += done.paths
            periods.append(f"{done.school_year}/{done.term}")
        if self._gone(schedule.id, run_id):
            return Outcome(files, None, errors, cancelled=True)
        return Outcome(files, ", ".join(dict.fromkeys(periods)) or None, errors)

    def _deliver(self, schedule: ReportSchedule, outcome: Outcome) -> tuple[list[str], list[str]]:
        delivered: list[str] = []
        errors: list[str] = []
        if not outcome.files:
            return delivered, errors
        if schedule.folder:
            try:
                target = delivery.to_folder(self.settings, schedule.folder, outcome.files)
                delivered.append(f"folder:{target}")
            except Exception as exc:
                errors.append(f"folder {schedule.folder}: {_error_text(exc)}")
        if schedule.email_to:
            try:
                mail = delivery.message(
                    self.settings,
                    schedule.email_to,
                    _subject(schedule, outcome.period),
                    _body(schedule, outcome, self.settings.display_timezone),
                    outcome.files,
                )
                delivery.send(self.settings, mail)
                delivered.append("email:" + ", ".join(schedule.email_to))
            except Exception as exc:
                errors.append(f"e-mail: {_error_text(exc)}")
        return delivered, errors

    def _prune(self) -> None:
        try:
            gone = prune(self.settings.report_files_dir, self.settings.reports_keep_days)
        except OSError:
            log.exception("report retention failed")
            return
        if gone:
            log.info("report retention: %d old file(s) deleted", len(gone))


def _job_id(schedule_id: int) -> str:
    return f"schedule-{schedule_id}"


def _error_text(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    if not isinstance(exc, db.DataError | ValueError | OSError | RuntimeError):
        text += "\n" + "".join(traceback.format_exception_only(exc)).strip()
    return text


def _subject(schedule: ReportSchedule, period: str | None) -> str:
    kind = KINDS[schedule.kind]
    return f"[IOC-EDU] {schedule.name} — {kind.vi} / {kind.en} — {period or ''}".strip(" —")


def _body(schedule: ReportSchedule, outcome: Outcome, zone: str) -> str:
    kind = KINDS[schedule.kind]
    made = local_datetime(utcnow(), zone)
    lines = [
        f"Báo cáo định kỳ «{schedule.name}»: {kind.vi}, kỳ {outcome.period}, lập lúc {made}.",
        f"Scheduled report '{schedule.name}': {kind.en}, period {outcome.period}, made at {made}.",
        "",
        "Tệp đính kèm / Files:",
        *(f"  {p.name}" for p in outcome.files),
    ]
    if outcome.errors:
        lines += ["", "Lỗi / Errors:", *(f"  {e}" for e in outcome.errors)]
    return "\n".join(lines)
