"""A delta pull the CLI asks for runs the ingest job in the command's own process
(:func:`ioc.jobs.isolated.run_here`); the server's pulls and the CLI's full fetches (the first
pull included) run in a process of their own: the same job and report either way, and the
limits that guard a process of its own are not the command's.
Real store and snapshot in a fresh data dir, the reference vendor server on loopback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from ioc import store
from ioc.config import Settings
from ioc.jobs import pull
from ioc.jobs.isolated import JobFailed, run_here
from ioc.jobs.kinds import KINDS
from ioc.jobs.runner import JobRunner
from ioc.sources.spec import SourceSpec
from ioc.store import sources
from tests.tools.vendor_server import SECRETS, sample_rows, vendor_mapping, vendor_server


def runner(settings: Settings) -> JobRunner:
    jobs = JobRunner(settings, KINDS, workers=1)
    jobs.connect()
    return jobs


def run(jobs: JobRunner, trigger: pull.Trigger, full: bool = False) -> tuple[dict[str, Any], Any]:
    """The pull's report (its job's result, or the failure's report) and the job."""
    job = jobs.run_now(
        "pull", "cli:test", pull.request("vendor-a", full=full, dry_run=False, trigger=trigger)
    )
    if job.problem is None:
        assert job.result is not None
        return job.result, job
    return job.problem["extra"]["pull"], job


def test_a_cli_pull_runs_here_and_a_server_pull_apart(tmp_path: Path) -> None:
    secrets = tmp_path / "secrets.yaml"
    secrets.write_text(yaml.safe_dump({"vendor-a": SECRETS["oauth2"]}), encoding="utf-8")
    settings = Settings(
        data_dir=tmp_path / "data",
        sources_secrets_file=secrets,
        ingest_memory_limit_mb=1,  # no Python process runs in 1 MiB: a job of its own stops
    )
    rows = sample_rows(40, school_year="2024-2025")  # Sóc Trăng: legacy places
    with vendor_server(rows) as vendor:
        spec = SourceSpec.model_validate(
            {
                "name": "vendor-a",
                "kind": "http-json",
                "base_url": vendor.url,
                "secret": "vendor-a",
                "units": [{"scheme": "legacy", "code": "94"}],
                "mapping": vendor_mapping("cursor", size=15),
            }
        )
        engine = store.make_engine(settings)
        store.migrate(engine)
        with store.open_session(engine) as session:
            sources.add_source(session, spec, actor="test")
        engine.dispose()
        jobs = runner(settings)

        report, job = run(jobs, "api")  # the server's: a process of its own, under the limit
        assert report["status"] == "failed"
        assert report["error"]["code"] == "pull_memory_limit"
        report, job = run(jobs, "cli")  # the command's first pull fetches everything: apart
        assert report["error"]["code"] == "pull_memory_limit"
        assert not settings.published_db.exists()

        limited = jobs.settings
        jobs = runner(limited.model_copy(update={"ingest_memory_limit_mb": 4096}))
        report, job = run(jobs, "cli")  # within the limit now
        assert job.problem is None and report["status"] == "succeeded", report
        assert (report["fetched"], report["inserted"], report["pages"]) == (40, 40, 3)
        assert report["resources"]["returns"]["run_id"] == 1
        assert isinstance(report["pull_id"], int)
        assert settings.published_db.exists()
        assert not (settings.data_dir / "pulls" / "vendor-a" / "checkpoint.json").exists()

        vendor.update([dict(r, students=str(int(r["students"]) + 1)) for r in rows[:4]])
        jobs = runner(limited)
        report, job = run(jobs, "cli", full=True)  # a full fetch keeps a process of its own
        assert report["error"]["code"] == "pull_memory_limit"
        report, job = run(jobs, "cli")  # a delta runs in the command's process: its memory
        assert job.problem is None and report["status"] == "succeeded", report
        assert report["replaced"] == 4


def test_a_job_that_raises_here_fails_as_one_apart_does(tmp_path: Path) -> None:
    with pytest.raises(JobFailed, match="KeyError"):
        run_here("ingest.job", {"do": "pull"}, tmp_path)  # no settings: the job raises
