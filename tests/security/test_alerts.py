"""Alerts and scopes (docs/alerts.md, "Who sees and acts"): an operator of old district 945
neither sees nor acts on, silences or writes rules for district 941's alerts, even by
guessing ids; a display account reads only the summary; a sync account reads nothing."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from ioc import store
from ioc.config import Settings
from ioc.store.alert_models import Alert, AlertRule, AlertSilence
from ioc.store.demo import DEMO_DISPLAY_TOKEN
from tests.conftest import serve
from tests.integration.alert_rows import seed
from tests.security.conftest import signed_in


@pytest.fixture(scope="module")
def server(demo_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    source = tmp_path_factory.mktemp("alerts-sec-src")
    shutil.copytree(demo_settings.data_dir, source / "data")
    ids = seed(Settings(data_dir=source / "data"))
    env = {"IOC_REPORTS_SCHEDULER": "false"}  # no evaluation: the alerts stay as written
    for running in serve(
        Settings(data_dir=source / "data"), tmp_path_factory.mktemp("alerts-sec"), env
    ):
        running.ids = ids
        yield running


def _state(server: Any) -> tuple[dict[int, str], int, int]:
    engine = store.make_engine(Settings(data_dir=server.data_dir))
    try:
        with store.open_session(engine) as s:
            states = {a.id: a.state for a in s.query(Alert)}
            return states, s.query(AlertRule).count(), s.query(AlertSilence).count()
    finally:
        engine.dispose()


def test_operator_of_another_district_cannot_see_or_act(server: Any) -> None:
    theirs, mine = server.ids["norm_945"], server.ids["school_941"]
    before = _state(server)
    with closing(signed_in(server.base, "op-941")) as c:
        listed = c.get("/api/v1/alerts", params={"state": "all", "size": 1000}).json()
        seen = {i["id"] for i in listed["items"]}
        assert mine in seen and theirs not in seen and server.ids["recovered_945"] not in seen
        for alert_id in range(1, max(server.ids.values()) + 5):  # guessing ids
            r = c.get(f"/api/v1/alerts/{alert_id}")
            assert r.status_code == (200 if alert_id in seen else 404), alert_id
        for action, body in (("acknowledge", {}), ("resolve", {"comment": "không phải của tôi"})):
            r = c.post(f"/api/v1/alerts/{theirs}/{action}", json=body)
            assert r.status_code == 404 and r.json()["code"] == "unknown_alert"
        assert (
            c.get("/api/v1/alerts", params={"scheme": "legacy", "unit": "945"}).json()["total"] == 0
        )
        events = c.get("/api/v1/alerts/events").json()
        assert {e["alert_id"] for e in events} <= seen
        ends = (datetime.now(UTC) + timedelta(days=1)).isoformat()
        silence = {"scheme": "legacy", "unit": "945", "reason": "thử", "ends_at": ends}
        assert c.post("/api/v1/alerts/silences", json=silence).status_code == 403
        rule = {
            "key": "op_941_rule",
            "kind": "data_age",
            "vi": "Cũ",
            "en": "Old",
            "level": "commune",
            "threshold": 30,
        }
        for units in (
            [{"scheme": "legacy", "code": "945"}],
            [],
            [{"scheme": "2025", "code": "92"}],
        ):
            r = c.post("/api/v1/alerts/rules", json={**rule, "units": units})
            assert r.status_code == 403, r.text
        assert c.get("/api/v1/alerts/webhooks").status_code == 403
    assert _state(server) == before  # nothing changed


def test_display_reads_only_the_summary_and_sync_nothing(server: Any) -> None:
    wall = {"Authorization": f"Bearer {DEMO_DISPLAY_TOKEN}"}
    with httpx.Client(base_url=f"{server.base}/api/v1", headers=wall, timeout=60) as c:
        assert c.get("/alerts/summary").status_code == 200
        for path in ("/alerts", "/alerts/events", "/alerts/rules", "/alerts/silences"):
            assert c.get(path).status_code == 403, path
        assert c.get(f"/alerts/{server.ids['stale']}").status_code == 403
        assert c.post(f"/alerts/{server.ids['stale']}/acknowledge", json={}).status_code == 403
    with closing(signed_in(server.base, "demo-sync")) as c:
        for path in ("/alerts", "/alerts/summary", f"/alerts/{server.ids['stale']}"):
            assert c.get(f"/api/v1{path}").status_code == 403, path


def test_analyst_reads_but_writes_no_rules_or_webhooks(server: Any) -> None:
    with closing(signed_in(server.base, "demo-analyst")) as c:
        assert c.get("/api/v1/alerts/rules").status_code == 200
        r = c.post("/api/v1/alerts/rules", json={"key": "x_rule", "kind": "data_age"})
        assert r.status_code == 403
        assert c.get("/api/v1/alerts/webhooks").status_code == 403
        assert c.post("/api/v1/alerts/evaluate").status_code == 403


def test_bodies_limited_before_parsing(server: Any) -> None:
    with closing(signed_in(server.base, "demo-admin")) as c:
        huge = b'{"key": "' + b"a" * (1 << 20) + b'"}'
        r = c.post("/api/v1/alerts/rules", content=huge)
        assert r.status_code == 413
        many = {"key": "many_units", "kind": "data_age", "vi": "x", "en": "y"}
        units = [{"scheme": "legacy", "code": "945"}] * 201
        r = c.post("/api/v1/alerts/rules", json={**many, "units": units})
        assert r.status_code == 422 and r.json()["errors"][0]["parameter"].startswith("units")
        for params in ({"q": "x" * 101}, {"rule": ["r"] * 51}, {"size": 5000}):
            assert c.get("/api/v1/alerts", params=params).status_code == 422
