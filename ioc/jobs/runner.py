"""The job runner: long work (an upload's ingest; pulls, report runs and recomputes as they
come) queued in the operational store and run by a small pool of threads of ``ioc serve``,
each job's work in a process of its own (:mod:`ioc.jobs.isolated`).

A job has an id, a kind (a function of :data:`ioc.jobs.kinds.KINDS`), a status (queued,
running, succeeded, failed, interrupted), progress (steps done of a total, and a stage), a
result or a problem, who started it and its times. Its state lives in the store
(:mod:`ioc.store.jobs`), so that it survives a restart and any server sharing the store sees
it; the runner of any of them may pick a queued job. Each job names the instance that
submitted it, then the one running it (``claimed_by``): at start, and on each heartbeat of
the scheduler (:mod:`ioc.jobs.presence`), jobs left queued or running by a process that
stopped are marked ``interrupted``; those of live processes are left alone (docs/scale.md).
"""

from __future__ import annotations

import logging
import shutil
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from ioc import store
from ioc.catalog.messages import file_text
from ioc.config import Settings
from ioc.store import instances, jobs
from ioc.store.instances import this_instance
from ioc.store.models import Job, JobStatus
from ioc.store.types import utcnow

log = logging.getLogger("ioc.jobs")
IDLE_SECONDS = 0.5  # how often an idle worker looks for a job queued by another server


class JobProblem(Exception):
    """Why a job failed, as the API answers it (a problem: status, code, texts, extras)."""

    def __init__(self, status: int, code: str, vi: str, en: str, **extra: Any) -> None:
        super().__init__(en)
        self.status, self.code, self.vi, self.en, self.extra = status, code, vi, en, extra

    def body(self) -> dict[str, Any]:
        return {"status": self.status, "code": self.code, "vi": self.vi, "en": self.en} | {
            "extra": self.extra
        }


def interrupted() -> JobProblem:
    """The problem of a job a server stop left unfinished (the catalog's words)."""
    code = "job_interrupted"
    return JobProblem(503, code, file_text(code, "vi"), file_text(code, "en"))


@dataclass(frozen=True)
class Hooks:
    """What a job may tell the server it runs in: new data is published; an audit event."""

    published: Callable[[], None] = lambda: None
    audit: Callable[[str, str, str, str], None] = lambda action, user, detail, ip: None


@dataclass
class Context:
    """What a job's kind is given to run it."""

    job_id: int
    started_by: str
    request: dict[str, Any]
    settings: Settings
    hooks: Hooks
    progress: Callable[[int, int, str | None], None] = field(repr=False)


Kind = Callable[[Context], dict[str, Any]]  # the job's result, or raises JobProblem


class JobRunner:
    """Queues jobs in the store and runs them in ``workers`` threads of this process."""

    def __init__(
        self,
        settings: Settings,
        kinds: Mapping[str, Kind],
        hooks: Hooks | None = None,
        workers: int | None = None,
    ) -> None:
        # kept as given, not copied: a kind's function is looked up when a job of it runs
        # (:data:`ioc.jobs.kinds.KINDS` imports its module then)
        self.settings, self.kinds, self.hooks = settings, kinds, hooks or Hooks()
        self.workers = max(1, settings.jobs_workers if workers is None else workers)
        self._sessions: sessionmaker[Session] | None = None
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._threads: list[threading.Thread] = []

    # ------------------------------------------------------------------ life cycle

    def connect(self) -> None:
        """Open the (migrated) store: enough for :meth:`run_now` in a command that runs one
        job and leaves the jobs of a server alone (``start`` does it too, if not done)."""
        if self._sessions is not None:
            return
        engine = store.make_engine(self.settings)
        store.migrate(engine)
        self._sessions = store.session_factory(engine)

    def start(self) -> None:
        self.connect()
        self.interrupt_orphans()
        for i in range(self.workers):
            thread = threading.Thread(target=self._work, name=f"ioc-job-{i}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def shutdown(self, wait: float = 0) -> None:
        """Take no more jobs; one in progress is marked interrupted at the next start.
        ``wait``: seconds to wait for the workers to stop (a job in progress may take long)."""
        self._stop.set()
        self._wake.set()
        for thread in self._threads if wait else ():
            thread.join(wait)

    def session(self) -> Session:
        """A store session (the caller closes it)."""
        assert self._sessions is not None, "JobRunner.start() first"
        return self._sessions()

    def interrupt_orphans(self) -> list[Job]:
        """Mark ``interrupted`` the unfinished jobs of processes that stopped (dead or
        unknown instances: :func:`ioc.store.instances.interrupt_orphans`); the jobs."""
        with self.session() as session:
            left = instances.interrupt_orphans(
                session, utcnow(), self.settings.lease_seconds, interrupted().body()
            )
        for job in left:
            self._remove(job.request)
        if left:
            log.warning("%d job(s) were interrupted by a server stop", len(left))
        return left

    # ------------------------------------------------------------------ the interface

    def submit(self, kind: str, started_by: str, request: dict[str, Any]) -> Job:
        """Queue a job; a worker runs it. Files it needs are in ``request["dir"]`` (relative
        to the data directory; removed when it ends)."""
        assert kind in self.kinds, kind
        with self.session() as session:
            job = jobs.add_job(session, kind, started_by, request, this_instance())
        self._wake.set()
        return job

    def run_now(self, kind: str, started_by: str, request: dict[str, Any]) -> Job:
        """Record a job and run it in the calling thread (short work a caller waits for);
        the ended job."""
        with self.session() as session:
            job = jobs.add_job(session, kind, started_by, request, this_instance())
            jobs.claim(session, job.id, this_instance())
        if self._threads:  # a server: its Presence says it is alive
            return self._run(job)
        # a command: alive to the servers sharing the store while its job runs, or they
        # would interrupt the job as an orphan; never a candidate for the scheduler
        from ioc.jobs.presence import Presence

        presence = Presence(
            self.settings.model_copy(update={"reports_scheduler": False}), self.session
        )
        presence.start()
        try:
            return self._run(job)
        finally:
            presence.stop()

    def get(self, job_id: int) -> Job | None:
        with self.session() as session:
            return jobs.get_job(session, job_id)

    def page(self, started_by: str | None, limit: int, offset: int) -> tuple[int, list[Job]]:
        """How many jobs ``started_by`` (everyone's: None) has, and one page, newest first."""
        with self.session() as session:
            total = jobs.count_jobs(session, started_by)
            return total, jobs.list_jobs(session, started_by, limit, offset)

    # ------------------------------------------------------------------ the workers

    def _work(self) -> None:
        while not self._stop.is_set():
            try:
                with self.session() as session:
                    job = jobs.claim_next(session, frozenset(self.kinds), this_instance())
            except Exception:  # the store is away for a moment: try again later
                log.exception("no job could be claimed")
                job = None
            if job is None:
                self._wake.wait(IDLE_SECONDS)
                self._wake.clear()
                continue
            self._run(job)

    def _run(self, job: Job) -> Job:
        def progress(done: int, total: int, stage: str | None) -> None:
            with self.session() as session:
                jobs.advance(session, job.id, done, total, stage)

        context = Context(job.id, job.started_by, job.request, self.settings, self.hooks, progress)
        status, result, problem = JobStatus.FAILED, None, None
        try:
            result = self.kinds[job.kind](context)
            status = JobStatus.SUCCEEDED
        except JobProblem as exc:
            problem = exc.body()
        except Exception:
            log.exception("job %s (%s) failed", job.id, job.kind)
            problem = JobProblem(
                500, "job_failed", "Lỗi hệ thống, vui lòng thử lại", "Internal error"
            ).body()
        finally:
            self._remove(job.request)
        with self.session() as session:
            jobs.finish(session, job.id, status, result=result, problem=problem)
            ended = jobs.get_job(session, job.id)
        assert ended is not None
        return ended

    def _remove(self, request: dict[str, Any]) -> None:
        """The job's own directory (an upload's saved file), if it has one."""
        if request.get("dir"):
            shutil.rmtree(self.settings.data_dir / request["dir"], ignore_errors=True)
