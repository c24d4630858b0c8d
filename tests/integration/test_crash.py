"""Kill an ingest mid-run: the previous snapshot stays intact and is still served."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from ioc.config import Settings
from tests.conftest import IOC, REPO, published_digest, run_ioc, summary_totals
from tests.fixtures import SCHOOLS, table_rows, totals, write_csv

PERIOD = "2021-2022/DN"


def big_file(path: Path, copies: int) -> Path:
    schools = []
    for i in range(copies):
        for j, school in enumerate(SCHOOLS):
            schools.append({**school, "school_code": f"95{i:05d}{j}"})
    return write_csv(path, table_rows(schools))


def test_kill_mid_ingest_keeps_previous_snapshot(settings: Settings, tmp_path: Path) -> None:
    run_ioc(
        settings, "ingest", str(write_csv(tmp_path / "good.csv", table_rows())), "--period", PERIOD
    )
    digest = published_digest(settings)
    before = summary_totals(settings, "94", PERIOD)
    env = {**os.environ, "IOC_DATA_DIR": str(settings.data_dir)}
    child = subprocess.Popen(
        [*IOC, "ingest", str(big_file(tmp_path / "big.csv", 8000)), "--period", PERIOD],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not list(settings.build_dir.glob("ioc-*.duckdb")) and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.5)  # well into reading/validating/writing the 48,000 rows
    assert child.poll() is None, "the ingest finished before it could be killed"
    child.send_signal(signal.SIGKILL)
    child.wait()

    assert published_digest(settings) == digest
    assert summary_totals(settings, "94", PERIOD) == before
    assert before["totals"]["students"]["total"] == totals()["students"]

    # the next writer cleans up after the killed one and publishes normally
    fix = [dict(SCHOOLS[0], students=700)]
    run_ioc(
        settings,
        "ingest",
        str(write_csv(tmp_path / "fix.csv", table_rows(fix))),
        "--period",
        PERIOD,
    )
    after = summary_totals(settings, "94", PERIOD)
    assert after["totals"]["students"]["total"] == totals()["students"] - 660 + 700
    assert list(settings.build_dir.glob("ioc-*")) == []
