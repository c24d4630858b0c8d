"""The alerts' schedule in the real server (`ioc serve` on loopback, demo data): the build
opened at start is evaluated by an ``alerts`` job, a build published while it runs is
noticed by the clock and evaluated in turn, and never two alerts jobs run at once."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import httpx
import pytest

from ioc.config import Settings
from tests.conftest import serve
from tests.security.conftest import signed_in


@pytest.fixture(scope="module")
def server(demo_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    env = {"IOC_ALERTS_TICK_SECONDS": "5"}
    yield from serve(demo_settings, tmp_path_factory.mktemp("alert-schedule"), env)


def alert_jobs(admin: httpx.Client) -> list[dict[str, Any]]:
    """Every alerts job (an admin reads any job by its id; the list holds one's own)."""
    found, job_id = [], 1
    while (r := admin.get(f"/api/v1/jobs/{job_id}")).status_code == 200:
        found += [r.json()] if r.json()["kind"] == "alerts" else []
        job_id += 1
    assert r.status_code == 404, r.text
    return found


def evaluated(admin: httpx.Client, build_id: str, seconds: float) -> dict[str, Any]:
    """The alerts job (trigger ``build``) that evaluated ``build_id``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        jobs = alert_jobs(admin)
        assert sum(j["status"] in ("queued", "running") for j in jobs) <= 1
        for job in jobs:
            result = job["result"] or {}
            if (result.get("trigger"), result.get("build_id")) == ("build", build_id):
                return job
        time.sleep(0.3)
    raise AssertionError(f"no alerts job evaluated {build_id}: {alert_jobs(admin)}")


def publish_build(data_dir: Path, build_id: str) -> None:
    """A new build published as ingest publishes one: a new file renamed over the old."""
    published = Settings(data_dir=data_dir).published_db
    fresh = published.with_name("fresh.duckdb")
    shutil.copy2(published, fresh)
    conn = duckdb.connect(str(fresh))
    conn.execute(
        "insert into meta__builds values ($id, $at)", {"id": build_id, "at": datetime.now(UTC)}
    )
    conn.close()
    fresh.replace(published)


def test_an_alerts_job_evaluates_each_build_the_server_opens(server: Any) -> None:
    with closing(signed_in(server.base, "demo-admin")) as admin:
        first = duckdb.connect(str(Settings(data_dir=server.data_dir).published_db), read_only=True)
        (start_build,) = first.execute(
            "select build_id from meta__builds order by built_at desc limit 1"
        ).fetchone() or (None,)
        first.close()
        job = evaluated(admin, start_build, 60)
        assert job["status"] == "succeeded", job
        assert job["started_by"] == "scheduler"
        assert {"evaluation_id", "opened", "recovered", "escalated", "delivered"} <= set(
            job["result"]
        )

        publish_build(server.data_dir, "alerts-test-build")
        job = evaluated(admin, "alerts-test-build", 60)  # the clock notices it within 5 s
        assert job["status"] == "succeeded", job
        assert job["result"]["evaluation_id"] is not None
