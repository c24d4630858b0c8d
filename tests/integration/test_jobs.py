"""Uploads as jobs over real HTTP (`ioc serve`): 202 and the job's address, its progress,
its result equal to a synchronous ingest of the same file, a failed job's problem, jobs
scoped to who started them, and jobs a killed server left running marked interrupted."""

from __future__ import annotations

import dataclasses
import os
import shutil
import signal
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest

from ingest.runner import ingest
from ioc.config import Settings
from tests.conftest import serve, wait_for_job
from tests.fixtures import SCHOOLS, table_rows, write_csv
from tests.security.conftest import signed_in

PERIOD = "2024-2025/DN"


@pytest.fixture(scope="module")
def server(demo_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    yield from serve(demo_settings, tmp_path_factory.mktemp("jobs"))


def _file(tmp_path: Path, name: str = "bao_cao.csv") -> Path:
    schools = [dict(SCHOOLS[0], students=777), dict(SCHOOLS[1], students=-5)]  # one rejected
    return write_csv(tmp_path / name, table_rows(schools))


def _submit(who: httpx.Client, path: Path, name: str | None = None) -> httpx.Response:
    with path.open("rb") as fh:
        return who.post(
            "/api/v1/ingest",
            files={"file": (name or path.name, fh, "text/csv")},
            data={"period": PERIOD},
        )


def test_an_upload_is_a_job_whose_result_is_the_synchronous_ingest(
    server: Any, demo_settings: Settings, tmp_path: Path
) -> None:
    path = _file(tmp_path)
    # the same file loaded synchronously, in this process, over another copy of the data
    copy = Settings(data_dir=tmp_path / "copy")
    shutil.copytree(server.data_dir, copy.data_dir)
    (report,) = ingest([path], period=PERIOD, settings=copy, sources=[path.name])
    with closing(signed_in(server.base, "demo-admin")) as admin:
        r = _submit(admin, path)
        assert r.status_code == 202, r.text
        job = r.json()
        assert r.headers["Location"] == job["links"]["self"] == f"/api/v1/jobs/{job['id']}"
        assert job["status"] in ("queued", "running") and job["kind"] == "ingest"
        assert job["started_by"] == "demo-admin" and job["name"] == path.name
        assert job["result"] is None and job["problem"] is None
        seen = []
        while job["status"] in ("queued", "running"):
            seen.append((job["status"], job["progress"]["stage"]))
            time.sleep(0.05)
            job = admin.get(job["links"]["self"]).json()
        assert job["status"] == "succeeded", job
        assert any(stage for status, stage in seen if status == "running"), seen
        assert job["progress"]["done"] == job["progress"]["total"] == 1
        assert job["finished_at"] >= job["started_at"] >= job["created_at"]
        expected = {
            k: v
            for k, v in dataclasses.asdict(report).items()
            if k not in ("school_codes", "refused_by", "message_params")
        }
        result = job["result"]
        assert {k: result[k] for k in expected} == expected
        assert result["file_name"] == path.name
        assert {"message_vi", "message_en"} <= result.keys()
        run = admin.get(f"/api/v1/ingest/runs/{result['run_id']}").json()
        assert (run["rows_accepted"], run["rows_rejected"]) == (1, 1)
        audit = admin.get("/api/v1/audit", params={"action": "ingest"}).json()["items"]
        assert f"run {result['run_id']}," in str(audit[0]["detail"])
    assert not any((server.data_dir / "uploads").iterdir())  # the saved file went with it


def test_a_job_is_read_by_its_starter_or_an_admin_only(server: Any, tmp_path: Path) -> None:
    with (
        closing(signed_in(server.base, "demo-operator")) as operator,
        closing(signed_in(server.base, "demo-leader")) as leader,
        closing(signed_in(server.base, "demo-admin")) as admin,
    ):
        r = _submit(operator, _file(tmp_path, "cua_toi.csv"))
        assert r.status_code == 202, r.text
        address = r.json()["links"]["self"]
        job = wait_for_job(operator, r.url.join(address))
        assert job["status"] == "succeeded" and job["started_by"] == "demo-operator"
        other = leader.get(address)
        assert other.status_code == 404 and other.json()["code"] == "unknown_job"
        assert admin.get(address).json() == job
        assert admin.get("/api/v1/jobs/999999").status_code == 404
        mine = operator.get("/api/v1/jobs").json()
        assert mine["items"][0] == job and mine["total"] >= 1
        assert all(j["started_by"] == "demo-operator" for j in mine["items"])
        assert job["id"] not in {j["id"] for j in leader.get("/api/v1/jobs").json()["items"]}
        page = operator.get("/api/v1/jobs", params={"limit": 1, "offset": 0}).json()
        assert (page["limit"], page["offset"], len(page["items"])) == (1, 0, 1)
        ids = [j["id"] for j in admin.get("/api/v1/jobs").json()["items"]]
        assert ids == sorted(ids, reverse=True)  # newest first


def test_a_stopped_job_fails_and_a_killed_server_leaves_it_interrupted(
    demo_settings: Settings, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    # a process silent for IOC_LEASE_SECONDS is dead: its running jobs are interrupted then
    env = {"IOC_INGEST_TIME_LIMIT_SECONDS": "0.5", "IOC_LEASE_SECONDS": "3"}
    first = serve(demo_settings, tmp_path_factory.mktemp("killed"), env)
    server = next(first)
    with closing(signed_in(server.base, "demo-admin")) as admin:
        # stopped at the time limit: failed, with the 413 problem and a catalog code
        r = _submit(admin, _file(tmp_path, "cham.csv"))
        job = wait_for_job(admin, r.url.join(r.headers["Location"]))
        assert job["status"] == "failed" and job["result"] is None, job
        problem = job["problem"]
        assert (problem["status"], problem["code"]) == (413, "ingest_time_limit")
        assert problem["limit"] == "IOC_INGEST_TIME_LIMIT_SECONDS"
        assert "0,5 giây" in problem["message_vi"] and "0.5 s" in problem["message_en"]
        # the job recording its failed run is held to 0.5 s too: the problem says so
        assert problem["run_id"] is None and "could not be recorded" in problem["detail"]
        # a job running when the server is killed (with its ingest process)
        r = _submit(admin, _file(tmp_path, "dang_chay.csv"))
        address = r.headers["Location"]
        while (job := admin.get(address).json())["status"] == "queued":
            time.sleep(0.02)
    assert job["status"] == "running", job
    process = psutil.Process(server.pid)
    children = process.children(recursive=True)
    os.kill(server.pid, signal.SIGKILL)
    for child in children:
        child.kill()
    process.wait(10)
    with pytest.raises(StopIteration):
        next(first)  # its teardown
    restarted = serve(
        Settings(data_dir=server.data_dir),
        tmp_path_factory.mktemp("restarted"),
        {"IOC_LEASE_SECONDS": "3"},
    )
    again = next(restarted)
    try:
        with closing(signed_in(again.base, "demo-admin")) as admin:
            deadline = time.monotonic() + 15  # the lease, then the holder's next heartbeat
            while (job := admin.get(address).json())["status"] == "running":
                assert time.monotonic() < deadline, job
                time.sleep(0.2)
            assert job["status"] == "interrupted", job
            problem = job["problem"]
            assert problem["code"] == "job_interrupted" and problem["status"] == 503
            assert "khởi động lại" in problem["message"]["vi"]
            assert "restart" in problem["message"]["en"]
        assert not any((again.data_dir / "uploads").iterdir())
    finally:
        with pytest.raises(StopIteration):
            next(restarted)
