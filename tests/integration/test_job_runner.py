"""The job runner over a real store (SQLite): a job is claimed once, runs, ends with its
result or problem, reports progress; a runner's start marks unfinished jobs interrupted."""

from __future__ import annotations

import time
from typing import Any

from ioc import store
from ioc.config import Settings
from ioc.jobs.runner import Context, JobProblem, JobRunner
from ioc.store import jobs
from ioc.store.models import Job


def _echo(context: Context) -> dict[str, Any]:
    context.progress(1, 2, "reading")
    if context.request.get("fail"):
        raise JobProblem(413, "too_big", "quá lớn", "too big", limit="X")
    return {"echo": context.request["value"], "by": context.started_by}


def _wait(runner: JobRunner, job_id: int) -> Job:
    deadline = time.monotonic() + 30
    while (job := runner.get(job_id)) is not None and job.status in ("queued", "running"):
        assert time.monotonic() < deadline, job.status
        time.sleep(0.05)
    assert job is not None
    return job


def test_a_job_is_claimed_once(settings: Settings) -> None:
    store.migrate(settings)
    engine = store.make_engine(settings)
    try:
        with store.open_session(engine) as session:
            first = jobs.add_job(session, "echo", "op", {"value": 1})
            second = jobs.add_job(session, "echo", "op", {"value": 2})
            assert jobs.claim_next(session, frozenset({"other"})) is None
            claimed = jobs.claim_next(session, frozenset({"echo"}))
            assert claimed is not None and claimed.id == first.id and claimed.status == "running"
            assert not jobs.claim(session, first.id)  # taken already
            assert jobs.claim(session, second.id)
            assert jobs.claim_next(session, frozenset({"echo"})) is None
    finally:
        engine.dispose()


def test_jobs_run_end_and_are_interrupted_by_a_restart(settings: Settings) -> None:
    runner = JobRunner(settings, {"echo": _echo}, workers=1)
    runner.start()
    try:
        done = _wait(runner, runner.submit("echo", "op", {"value": 7}).id)
        assert (done.status, done.result, done.problem) == (
            "succeeded",
            {"echo": 7, "by": "op"},
            None,
        )
        assert (done.done, done.total, done.stage) == (2, 2, None)
        failed = runner.run_now("echo", "op", {"fail": True})
        assert failed.status == "failed" and failed.result is None
        assert failed.problem == {
            "status": 413,
            "code": "too_big",
            "vi": "quá lớn",
            "en": "too big",
            "extra": {"limit": "X"},
        }
        total, page = runner.page("op", limit=1, offset=0)
        assert total == 2 and [j.id for j in page] == [failed.id]
        assert runner.page("someone else", 10, 0) == (0, [])
    finally:
        runner.shutdown(wait=10)
    # a job left running (its server stopped) and one left queued
    with runner.session() as session:
        left = jobs.add_job(session, "echo", "op", {"value": 1})
        jobs.claim(session, left.id)
        queued = jobs.add_job(session, "unknown kind", "op", {"value": 2})
    restarted = JobRunner(settings, {"echo": _echo}, workers=1)
    restarted.start()
    try:
        for job_id in (left.id, queued.id):
            job = restarted.get(job_id)
            assert job is not None and job.status == "interrupted" and job.finished_at
            assert job.problem is not None and job.problem["code"] == "job_interrupted"
            assert "khởi động lại" in job.problem["vi"] and "restart" in job.problem["en"]
    finally:
        restarted.shutdown()


def test_a_commands_job_is_not_taken_for_an_orphan_while_it_runs(settings: Settings) -> None:
    """``ioc sources pull`` runs its job in the command (run_now without start): a server
    sharing the store sweeps orphans meanwhile and must leave that job alone."""
    import threading

    server = JobRunner(settings, {}, workers=1)
    server.connect()
    inside = threading.Event()
    seen: dict[str, Any] = {}

    def sweep_while_running(context: Context) -> dict[str, Any]:
        seen["interrupted"] = [job.id for job in server.interrupt_orphans()]
        inside.set()
        return {"ok": True}

    command = JobRunner(settings, {"pull": sweep_while_running}, workers=1)
    command.connect()
    ended = command.run_now("pull", "op", {})
    assert inside.is_set() and seen["interrupted"] == []
    assert (ended.status, ended.result) == ("succeeded", {"ok": True})
