"""Several `ioc serve` processes on one data directory and store (what `--workers` and
several machines amount to): exactly one runs the schedules; when it is killed (SIGKILL)
another takes over within the lease time and a heartbeat; a process starting leaves the
running jobs of live processes alone; a report schedule firing every minute runs once per
due time across three processes with a kill in the middle."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from ioc import store
from ioc.config import Settings
from ioc.store import jobs
from tests.conftest import IOC, REPO, free_port

LEASE = 3.0  # IOC_LEASE_SECONDS: heartbeats every second
ENV = {"IOC_LEASE_SECONDS": str(LEASE), "IOC_REPORTS_MIN_INTERVAL_SECONDS": "60"}


class Cluster:
    """`ioc serve` processes sharing a data directory (the store in it: SQLite, or the
    PostgreSQL of IOC_TEST_POSTGRES_URL when ``database_url`` is given)."""

    def __init__(self, data: Path, database_url: str | None = None) -> None:
        self.data = data
        self.env = {**os.environ, "IOC_DATA_DIR": str(data), **ENV}
        if database_url:
            self.env["IOC_DATABASE_URL"] = database_url
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.ports: dict[str, int] = {}

    def start(self, name: str) -> None:
        port = free_port()
        log = (self.data.parent / f"{name}.log").open("a")
        self.procs[name] = subprocess.Popen(
            [*IOC, "serve", "--port", str(port)], cwd=REPO, env=self.env, stdout=log, stderr=log
        )
        self.ports[name] = port

    def health(self, name: str) -> dict[str, Any] | None:
        try:
            r = httpx.get(f"http://127.0.0.1:{self.ports[name]}/api/v1/health", timeout=2)
        except httpx.HTTPError:
            return None
        return r.json() if r.status_code == 200 else None

    def wait_up(self, *names: str) -> None:
        deadline = time.monotonic() + 90
        for name in names:
            while self.health(name) is None:
                assert self.procs[name].poll() is None, name + " stopped"
                assert time.monotonic() < deadline, name + " did not start"
                time.sleep(0.3)

    def schedulers(self) -> list[str]:
        """The processes (still running) that say they run the schedules."""
        found = []
        for name, proc in self.procs.items():
            body = self.health(name) if proc.poll() is None else None
            if body is not None and body["scheduler"]:
                found.append(name)
        return found

    def kill(self, name: str) -> None:
        self.procs[name].send_signal(signal.SIGKILL)
        self.procs[name].wait(10)

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)


@pytest.fixture
def cluster(demo_settings: Settings, tmp_path: Path) -> Iterator[Cluster]:
    data = tmp_path / "data"
    shutil.copytree(demo_settings.data_dir, data)
    running = Cluster(data)
    try:
        yield running
    finally:
        running.stop()


def _one_scheduler(cluster: Cluster, seconds: float) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = cluster.schedulers()
        if len(found) == 1:
            return found[0]
        assert len(found) <= 1, found
        time.sleep(0.2)
    raise AssertionError(f"no single scheduler within {seconds} s: {cluster.schedulers()}")


@pytest.mark.slow  # three servers start: ~30-60 s on a busy machine
def test_one_scheduler_takes_over_and_live_jobs_are_left_alone(cluster: Cluster) -> None:
    for name in ("a", "b", "c"):
        cluster.start(name)
    cluster.wait_up("a", "b", "c")
    holder = _one_scheduler(cluster, 10)
    statuses = {n: cluster.health(n) for n in ("a", "b", "c")}
    assert {s["scheduler_holder"] for s in statuses.values() if s} == {
        statuses[holder]["instance"]  # type: ignore[index]
    }
    assert len({s["instance"] for s in statuses.values() if s}) == 3

    # a job running in a live process (b or c) is left alone by a process starting
    other = next(n for n in ("a", "b", "c") if n != holder)
    instance = cluster.health(other)["instance"]  # type: ignore[index]
    engine = store.make_engine(Settings(data_dir=cluster.data))
    try:
        with store.open_session(engine) as session:
            job = jobs.add_job(session, "no such kind", "op", {}, instance)
            assert jobs.claim(session, job.id, instance)

        killed_at = time.monotonic()
        cluster.kill(holder)
        successor = _one_scheduler(cluster, 4 * LEASE)
        took = time.monotonic() - killed_at
        print(f"\ntake-over after SIGKILL: {took:.1f} s (lease {LEASE:g} s)")
        assert successor != holder and took <= LEASE + LEASE / 3 + 2.5, took

        cluster.start("d")
        cluster.wait_up("d")
        time.sleep(LEASE)  # several heartbeats of the new holder
        with store.open_session(engine) as session:
            assert jobs.get_job(session, job.id).status == "running"  # type: ignore[union-attr]
    finally:
        engine.dispose()
    assert len(cluster.schedulers()) == 1


@pytest.mark.slow  # runs for three minutes
def test_a_schedule_every_minute_runs_once_per_due_time_across_a_kill(cluster: Cluster) -> None:
    for name in ("a", "b", "c"):
        cluster.start(name)
    cluster.wait_up("a", "b", "c")
    holder = _one_scheduler(cluster, 10)
    other = next(n for n in ("a", "b", "c") if n != holder)
    base = f"http://127.0.0.1:{cluster.ports[other]}/api/v1"
    with httpx.Client(base_url=base, timeout=60) as admin:
        r = admin.post("/auth/login", json={"username": "demo-admin", "password": "demo-2025!"})
        assert r.status_code == 200, r.text
        made = admin.post(
            "/schedules",
            json={
                "name": "every minute",
                "cron": "* * * * *",
                "kind": "quality",
                "scheme": "legacy",
                "units": ["94"],
                "period": "latest",
                "formats": ["csv"],
            },
        )
        assert made.status_code == 201, made.text
        schedule = made.json()["id"]
        assert made.json()["next_run_at"]  # from the cron, in a process not running it
        started = datetime.now(UTC)
        time.sleep(75)
        cluster.kill(_one_scheduler(cluster, 5))
        time.sleep(105)
        runs = admin.get(f"/schedules/{schedule}/runs", params={"limit": 50}).json()["items"]
    due = [r["due_at"] for r in runs if r["trigger"] == "schedule" and r["attempt"] == 1]
    assert len(due) == len(set(due)), due  # never twice
    minutes = (datetime.now(UTC) - started).total_seconds() // 60
    assert len(due) >= minutes - 1, (len(due), minutes)
