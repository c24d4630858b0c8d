"""Sources and the ledger of pulls in the operational store (SQLite; PostgreSQL too when
``IOC_TEST_POSTGRES_URL`` is set): CRUD audited without anything secret, the ledger from
PullReports, pulls a stopped server left running, and each source's state."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from ioc import store
from ioc.config import Settings
from ioc.sources.spec import SourceSpec
from ioc.store import pulls, sources
from ioc.store.jobs import add_job
from tests.integration.test_store import BACKENDS, database_url

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
SPEC: dict[str, Any] = {
    "name": "vendor-a",
    "kind": "http-json",
    "base_url": "https://sms.example.vn/api?api_key=LEAKED-KEY",
    "secret": "vendor-a",
    "units": [{"scheme": "legacy", "code": "94"}],
    "cron": "0 * * * *",
    "late_after_hours": 24,
    "mapping": {
        "auth": {"type": "oauth2", "token_url": "https://auth.example.vn/token?client=LEAKED2"},
        "resources": {"returns": {"path": "returns", "fields": {"school_code": "code"}}},
    },
}


@pytest.fixture(params=BACKENDS)
def session(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Session]:
    with database_url(request.param, tmp_path) as url:
        settings = Settings(data_dir=tmp_path / "data", database_url=url)
        store.migrate(settings)
        engine = store.make_engine(settings)
        with store.open_session(engine) as opened:
            yield opened
        engine.dispose()


def spec(**changes: Any) -> SourceSpec:
    return SourceSpec.model_validate({**SPEC, **changes})


def test_sources_are_added_changed_deleted_and_audited_without_secrets(session: Session) -> None:
    added = sources.add_source(session, spec(), actor="admin", ip="10.0.0.1")
    assert sources.spec_of(added) == spec()
    with pytest.raises(sources.SourceExists):
        sources.add_source(session, spec(), actor="admin")
    sources.update_source(session, spec(enabled=False, cron=None), actor="admin")
    found = sources.get_source(session, "vendor-a")
    assert found is not None and found.enabled is False and found.cron is None
    assert [s.name for s in sources.list_sources(session)] == ["vendor-a"]
    assert sources.list_sources(session, enabled_only=True) == []
    with pytest.raises(sources.UnknownSource):
        sources.update_source(session, spec(name="other"), actor="admin")
    sources.delete_source(session, "vendor-a", actor="admin")
    assert sources.get_source(session, "vendor-a") is None
    with pytest.raises(sources.UnknownSource):
        sources.delete_source(session, "vendor-a", actor="admin")

    events = list(reversed(store.list_audit(session)))
    assert [e.action for e in events] == ["source_created", "source_changed", "source_deleted"]
    assert events[0].ip == "10.0.0.1" and events[0].detail is not None
    assert events[0].detail["base_url"] == "https://sms.example.vn/api"
    assert events[0].detail["secret"] == "vendor-a"  # the entry's name, never a value
    text = json.dumps([e.detail for e in events])
    assert "LEAKED" not in text and "api_key" not in text


def report(status: str = "succeeded", **extra: Any) -> dict[str, Any]:
    return {
        "source": "vendor-a",
        "mode": "delta",
        "dry_run": False,
        "status": status,
        "pages": 3,
        "fetched": 2500,
        "inserted": 10,
        "replaced": 5,
        "unchanged": 2485,
        "rejected": 0,
        "tombstones": 1,
        "retries": 2,
        "reject_reasons": {"negative_count": 0},
        "resources": {
            "returns": {
                "watermark_before": "41",
                "watermark_after": "57",
                "run_id": 12,
                "drift": None,
            }
        },
        "error": None,
        **extra,
    }


def pull(session: Session, at: datetime, status: str, *, dry_run: bool = False) -> Any:
    row = pulls.start_pull(
        session,
        "vendor-a",
        job_id=None,
        trigger="schedule",
        started_by="scheduler",
        full=False,
        dry_run=dry_run,
        now=at,
    )
    error = None if status == "succeeded" else {"code": "source_unreachable", "vi": "x", "en": "y"}
    return pulls.finish_pull(
        session, row.id, report(status, error=error), now=at + timedelta(seconds=30)
    )


def test_the_ledger_keeps_a_pull_report(session: Session) -> None:
    row = pull(session, T0, "succeeded")
    assert (row.status, row.mode, row.duration_seconds) == ("succeeded", "delta", 30.0)
    assert (row.pages, row.fetched, row.inserted, row.unchanged, row.retries) == (
        3,
        2500,
        10,
        2485,
        2,
    )
    assert row.watermarks == {"returns": ["41", "57"]} and row.run_ids == [12]
    assert row.drift is None and row.error is None
    failed = pull(session, T0 + timedelta(hours=1), "failed")
    assert failed.status == "failed" and failed.error["code"] == "source_unreachable"
    assert [p.id for p in pulls.list_pulls(session, "vendor-a")] == [failed.id, row.id]
    assert [p.id for p in pulls.list_pulls(session, "vendor-a", limit=1, offset=1)] == [row.id]
    assert pulls.count_pulls(session, "vendor-a") == 2


def test_pulls_left_running_are_interrupted_at_start(session: Session) -> None:
    row = pulls.start_pull(
        session, "vendor-a", job_id=1, trigger="api", started_by="a", full=True, dry_run=False
    )
    assert pulls.interrupt_orphaned(session, {"code": "pull_interrupted"}) == 1
    session.refresh(row)
    assert row.status == "interrupted" and row.error == {"code": "pull_interrupted"}
    assert pulls.interrupt_orphaned(session, {"code": "pull_interrupted"}) == 0


def test_a_queued_or_running_pull_job_of_the_source_is_found(session: Session) -> None:
    assert pulls.pending_job(session, "vendor-a") is None
    add_job(session, "pull", "a", {"source": "other"})
    job = add_job(session, "pull", "a", {"source": "vendor-a"})
    assert pulls.pending_job(session, "vendor-a").id == job.id


def state(session: Session, now: datetime, failing_after: int = 3) -> pulls.SourceState:
    found = sources.list_sources(session)
    return pulls.state_of(session, found, now, failing_after)["vendor-a"]


def test_states_never_ok_failing_late(session: Session) -> None:
    source = sources.add_source(session, spec(), actor="admin")
    source.created_at = T0
    session.commit()
    assert state(session, T0 + timedelta(days=5)).state == "never"
    pull(session, T0, "succeeded", dry_run=True)  # a dry run is not a pull of the data
    assert state(session, T0 + timedelta(days=5)).state == "never"

    ok = pull(session, T0 + timedelta(hours=1), "succeeded")
    now = T0 + timedelta(hours=2)
    found = state(session, now)
    assert (found.state, found.consecutive_failures, found.error) == ("ok", 0, None)
    assert found.last_success_at == ok.finished_at == found.last_pull_at

    pull(session, T0 + timedelta(hours=3), "failed")
    pull(session, T0 + timedelta(hours=4), "failed")
    found = state(session, T0 + timedelta(hours=5))
    assert (found.state, found.consecutive_failures) == ("ok", 2)
    assert found.error is not None and found.error["code"] == "source_unreachable"
    assert state(session, T0 + timedelta(hours=5), failing_after=2).state == "failing"

    # no successful pull for late_after_hours (24): late
    assert state(session, T0 + timedelta(hours=26)).state == "late"
    pull(session, T0 + timedelta(hours=6), "failed")
    assert state(session, T0 + timedelta(hours=7)).state == "failing"
    pull(session, T0 + timedelta(hours=8), "succeeded")
    assert state(session, T0 + timedelta(hours=9)).consecutive_failures == 0
    assert state(session, T0 + timedelta(hours=9)).state == "ok"
