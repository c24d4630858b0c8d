"""A pull end to end, as an operator runs it: ``ioc sources add`` and ``ioc sources pull``
against the reference vendor server on loopback, with OAuth2 tokens that expire mid-pull,
429 storms with Retry-After, random 5xx, rows changed while paging, a deletion, and the
whole pull (command and job process) killed with SIGKILL half-way. Afterwards the snapshot
equals the source exactly, nothing lost or doubled, and no credential is in any output,
ledger, audit line or file of the data directory."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

from ioc.catalog import load_contract
from ioc.config import Settings
from tests.conftest import IOC, REPO
from tests.fixtures import published_returns
from tests.tools.vendor_server import (
    CREDENTIALS,
    SECRETS,
    Faults,
    sample_rows,
    vendor_mapping,
    vendor_server,
)

SCHOOLS = 240
PAGE = 20  # 12 pages


def _env(settings: Settings, secrets: Path) -> dict[str, str]:
    return {
        **os.environ,
        "IOC_DATA_DIR": str(settings.data_dir),
        "IOC_SOURCES_SECRETS_FILE": str(secrets),
        "IOC_SOURCES_BACKOFF_SECONDS": "0.05",
        "IOC_SOURCES_READ_TIMEOUT": "2",
        "IOC_REPORTS_SCHEDULER": "false",
    }


def _ioc(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*IOC, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=300
    )


def _expected(rows: list[dict[str, Any]]) -> dict[tuple[str, str, str], dict[str, str | None]]:
    """What the source holds, read independently: every contract field as its text."""
    names = [f.name for f in load_contract().fields]
    return {
        (r["school_code"], r["school_year"], r["term"]): {
            n: None if r.get(n) in (None, "") else str(r[n]) for n in names
        }
        for r in rows
    }


@pytest.mark.slow
def test_pull_survives_faults_and_a_kill(settings: Settings, tmp_path: Path) -> None:
    rows = sample_rows(SCHOOLS, school_year="2024-2025")  # Sóc Trăng: legacy places
    faults = Faults(statuses=[429, 429, 503], retry_after="1", error_rate=0.1, token_uses=5)
    secrets = tmp_path / "secrets.yaml"
    secrets.write_text(yaml.safe_dump({"vendor-a-secret": SECRETS["oauth2"]}), encoding="utf-8")
    env = _env(settings, secrets)
    with vendor_server(rows, faults=faults) as vendor:
        spec = {
            "name": "vendor-a",
            "kind": "http-json",
            "base_url": vendor.url,
            "secret": "vendor-a-secret",
            "units": [{"scheme": "legacy", "code": "94"}],
            "mapping": vendor_mapping("cursor", size=PAGE),
        }
        declared = tmp_path / "vendor-a.yaml"
        declared.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
        added = _ioc(env, "sources", "add", str(declared))
        assert added.returncode == 0, added.stderr

        # the first pull, slowed down so that it can be killed half-way
        vendor.faults.slow_seconds, vendor.faults.slow_requests = 0.25, 10_000
        first = subprocess.Popen(
            [*IOC, "sources", "pull", "vendor-a"],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # its job process too: the kill takes the whole pull
        )
        checkpoint = settings.data_dir / "pulls" / "vendor-a" / "checkpoint.json"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            pages = (
                json.loads(checkpoint.read_text()).get("returns", {}).get("pages", 0)
                if checkpoint.exists()
                else 0
            )
            if pages >= 4:
                break
            time.sleep(0.05)
        assert pages >= 4, "the pull never got to page 4"
        # rows change and one is deleted while the pull is down
        changed = [dict(r, students=str(int(r["students"]) + 7)) for r in rows[:5]]
        changed += [dict(r, students=str(int(r["students"]) + 9)) for r in rows[-3:]]
        vendor.update(changed)
        gone = rows[10]
        vendor.delete([(gone["school_code"], gone["school_year"], gone["term"])])
        os.killpg(first.pid, signal.SIGKILL)
        first_out, first_err = first.communicate()
        assert not settings.published_db.exists(), "a killed pull published something"

        vendor.faults.slow_requests = 0
        second = _ioc(env, "sources", "pull", "vendor-a", "--json")
        assert second.returncode == 0, second.stdout + second.stderr
        report = json.loads(second.stdout)
        part = report["resources"]["returns"]
        assert part["resumed_after"] >= 4
        assert report["retries"] > 0  # the 429s, 503 and 5xx were retried, not fatal
        # a delta picks up what changed after the resumed pull's window
        third = _ioc(env, "sources", "pull", "vendor-a", "--json")
        assert third.returncode == 0, third.stdout + third.stderr
        current = {k: dict(v) for k, v in _expected(rows).items()}
        current |= _expected(changed)
        # the deletion is recorded, never applied to published history
        assert published_returns(settings.published_db) == current
        conn = duckdb.connect(str(settings.published_db), read_only=True)
        try:
            tombstones = conn.execute(
                "select school_code from ingest_tombstones where source = 'vendor-a'"
            ).fetchall()
            doubled = conn.execute(
                "select count(*) from core_school__period_returns "
                "group by school_code, school_year, term having count(*) > 1"
            ).fetchall()
        finally:
            conn.close()
        assert (gone["school_code"],) in tombstones
        assert doubled == []

        ledger = _ioc(env, "sources", "pulls", "vendor-a", "--json")
        assert ledger.returncode == 0, ledger.stderr
    texts = [first_out, first_err, second.stdout, second.stderr, third.stdout, third.stderr]
    texts += [ledger.stdout, added.stdout, added.stderr]
    for path in settings.data_dir.rglob("*"):
        if path.is_file():
            texts.append(path.read_bytes().decode("latin-1"))
    for credential in CREDENTIALS:
        assert not any(credential in text for text in texts), credential
