"""The alerts' API over loopback (the real server, the demo, alerts written straight into
its store): the list's filters and counts, its CSV and XLSX read back, one alert's timeline
and deliveries, acknowledge and resolve with their audit rows and 409s, the summary, rules
(bad input named, nothing stored), silences and webhooks."""

from __future__ import annotations

import contextlib
import csv
import io
import shutil
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import polars as pl
import pytest

from ioc import store
from ioc.config import Settings
from ioc.store.alert_models import Alert, AlertRule
from ioc.store.audit import list_audit
from ioc.store.demo import DEMO_PASSWORD
from ioc.store.models import Job
from tests.conftest import serve
from tests.integration.alert_rows import D945, P92, P94, seed


@pytest.fixture(scope="module")
def server(demo_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    source = tmp_path_factory.mktemp("alerts-src")
    shutil.copytree(demo_settings.data_dir, source / "data")
    ids = seed(Settings(data_dir=source / "data"))
    secrets = source / "secrets.yaml"
    secrets.write_text("hook-a:\n  secret: s3cr3t-value\nno-key:\n  token: x\n", "utf-8")
    # no evaluation by the clock or on the build: the alerts stay as written (off with the
    # report scheduler), until test_evaluate_is_a_job (the last) asks for one
    env = {"IOC_SOURCES_SECRETS_FILE": str(secrets), "IOC_REPORTS_SCHEDULER": "false"}
    for running in serve(
        Settings(data_dir=source / "data"), tmp_path_factory.mktemp("alerts-api"), env
    ):
        running.ids = ids
        yield running


@contextlib.contextmanager
def client(server: Any, username: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{server.base}/api/v1", timeout=60) as c:
        r = c.post("/auth/login", json={"username": username, "password": DEMO_PASSWORD})
        assert r.status_code == 200, r.text
        yield c


def session_of(server: Any) -> Any:
    return store.open_session(store.make_engine(Settings(data_dir=server.data_dir)))


def test_list_filters_counts_and_sort(server: Any) -> None:
    ids = server.ids
    with client(server, "demo-analyst") as c:
        page = c.get("/alerts").json()
        assert {i["id"] for i in page["items"]} == {
            ids["norm_945"],
            ids["school_941"],
            ids["stale"],
        }
        assert page["total"] == 3
        assert page["counts"] == {
            "state": {"open": 2, "acknowledged": 1},
            "severity": {"warning": 1, "critical": 2},
        }
        first = next(i for i in page["items"] if i["id"] == ids["norm_945"])
        assert first["rule_vi"] == "Xã có chỉ tiêu then chốt chưa đạt chuẩn"
        assert first["message_en"] == "Alert 94501"
        every = c.get("/alerts", params={"state": "all"}).json()
        assert every["total"] == 4 and ids["pending_945"] not in {i["id"] for i in every["items"]}
        assert c.get("/alerts", params={"state": "recovered"}).json()["total"] == 1

        def found(**params: Any) -> set[int]:
            r = c.get("/alerts", params=params)
            assert r.status_code == 200, r.text
            return {i["id"] for i in r.json()["items"]}

        assert found(severity="critical") == {ids["school_941"], ids["stale"]}
        assert found(rule="norm_commune_key") == {ids["norm_945"]}
        assert found(kind="source_stale") == {ids["stale"]}
        assert found(scheme="legacy", unit="941") == {ids["school_941"]}
        assert found(q="phường 1") == {ids["school_941"]}
        assert found(silenced="true") == set()
        ranked = c.get("/alerts", params={"sort": "-severity"}).json()["items"]
        assert ranked[-1]["id"] == ids["norm_945"]
        paged = c.get("/alerts", params={"size": 1, "page": 2}).json()
        assert paged["total"] == 3 and len(paged["items"]) == 1
        assert found(unit="92") == {ids[k] for k in ("norm_945", "school_941", "stale")}
        assert c.get("/alerts", params={"sort": "password"}).status_code == 422


def test_csv_and_xlsx_twins(server: Any) -> None:
    with client(server, "demo-leader") as c:
        r = c.get("/alerts.csv", params={"state": "all", "headers": "vi"})
        assert r.status_code == 200, r.text
        rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
        header = rows[0]
        assert "Mức độ" in header and "Quy tắc" in header and "Thời điểm mở" in header
        assert len(rows) == 1 + 4
        r = c.get("/alerts.xlsx", params={"state": "all", "headers": "vi"})
        assert r.status_code == 200
        sheet = pl.read_excel(io.BytesIO(r.content))
        assert sheet.height == 4 and "Mức độ" in sheet.columns
        stamps = sheet["Thời điểm mở"].drop_nulls().to_list()
        assert stamps and all(isinstance(s, datetime) for s in stamps)
        # local times (Asia/Ho_Chi_Minh, 7 hours ahead of UTC), opened about 2 hours ago
        now_local = datetime.now(UTC).replace(tzinfo=None) + timedelta(hours=7)
        assert all(abs(now_local - s) < timedelta(hours=4) for s in stamps)
        events = c.get("/alerts/events.csv", params={"headers": "vi"})
        assert events.status_code == 200
        since = {"since": (datetime.now(UTC) - timedelta(hours=3)).isoformat()}
        assert len(c.get("/alerts/events", params=since).json()) >= 4
        assert c.get("/alerts/events", params={"since": "2999-01-01"}).json() == []
        for bad in ("0.5", "0000-00-00", "2026-02-30"):
            assert c.get("/alerts/events", params={"until": bad}).status_code == 422
        assert len(list(csv.reader(io.StringIO(events.content.decode("utf-8-sig"))))) >= 5


def test_detail_with_timeline_and_deliveries(server: Any) -> None:
    alert_id = server.ids["norm_945"]
    with client(server, "demo-admin") as c:
        one = c.get(f"/alerts/{alert_id}").json()
        assert [e["action"] for e in one["events"]] == ["open"]
        assert {(u["scheme"], u["code"]) for u in one["units"]} == {P94, P92, D945}
        assert {u["name"] for u in one["units"]} >= {"Thành phố Cần Thơ", "Tỉnh Sóc Trăng"}
        assert one["deliveries"][0]["address"] == "demo-operator@so-gddt.example.vn"
    with client(server, "demo-analyst") as c:
        one = c.get(f"/alerts/{alert_id}").json()
        assert one["deliveries"][0]["recipient"] == "demo-operator"
        assert one["deliveries"][0]["address"] is None
        assert c.get("/alerts/2147483000").status_code == 404
        assert c.get(f"/alerts/{server.ids['pending_945']}").status_code == 404


def test_acknowledge_resolve_audit_and_conflicts(server: Any) -> None:
    alert_id = server.ids["norm_945"]
    with client(server, "op-945") as c:
        for bad in ({"comment": ""}, {"comment": "x" * 2001}, {"comment": "ok", "extra": 1}):
            assert c.post(f"/alerts/{alert_id}/acknowledge", json=bad).status_code == 422
        r = c.post(f"/alerts/{alert_id}/acknowledge", json={"comment": "Đang xử lý"})
        assert r.status_code == 200, r.text
        assert r.json()["state"] == "acknowledged" and r.json()["acknowledged_by"] == "op-945"
        again = c.post(f"/alerts/{alert_id}/acknowledge", json={})
        assert again.status_code == 409 and again.json()["code"] == "alert_acknowledged"
        assert c.post(f"/alerts/{alert_id}/resolve", json={}).status_code == 422
        assert c.post(f"/alerts/{alert_id}/resolve", json={"comment": ""}).status_code == 422
        r = c.post(f"/alerts/{alert_id}/resolve", json={"comment": "Đã bổ sung giáo viên"})
        assert r.status_code == 200, r.text
        done = r.json()
        assert done["state"] == "resolved" and done["resolved_build_id"]
        assert [e["action"] for e in done["events"]] == ["open", "acknowledge", "resolve"]
        for action, body in (("acknowledge", {}), ("resolve", {"comment": "lại"})):
            closed = c.post(f"/alerts/{alert_id}/{action}", json=body)
            assert closed.status_code == 409 and closed.json()["code"] == "alert_closed"
            assert closed.json()["message"]["vi"]
        big = c.post(f"/alerts/{alert_id}/resolve", content=b"{" + b" " * (70 << 10) + b"}")
        assert big.status_code == 413
    with session_of(server) as s:
        actions = [e.action for e in list_audit(s, username="op-945", limit=50)]
        assert "alert_acknowledge" in actions and "alert_resolve" in actions
        row = s.get(Alert, alert_id)
        assert row is not None and row.open_key is None


def test_summary_for_the_wall(server: Any) -> None:
    with client(server, "demo-display") as c:
        r = c.get("/alerts/summary")
        assert r.status_code == 200, r.text
        out = r.json()
        assert out["severity"]["critical"] >= 1
        assert out["top"][0]["severity"] == "critical"
        # the overview asks for the counts alone: the same counts, no alerts listed
        counts = c.get("/alerts/summary", params={"top": 0}).json()
        assert counts == out | {"top": []}
        assert c.get("/alerts").status_code == 403
        assert c.get(f"/alerts/{server.ids['stale']}").status_code == 403


RULE = {
    "key": "class_size_945",
    "kind": "indicator_norm",
    "vi": "Sĩ số lớp ở Cù Lao Dung",
    "en": "Class size in Cu Lao Dung",
    "level": "commune",
    "indicators": ["NET_CLASS_SIZE"],
    "threshold": 0.05,
    "units": [{"scheme": "legacy", "code": "945"}],
}


def test_rules_bad_input_named_and_nothing_stored(server: Any) -> None:
    with client(server, "op-945") as c:
        listed = c.get("/alerts/rules").json()
        assert {r["source"] for r in listed} == {"catalog"}
        for change, field in (
            ({"indicators": ["NO_SUCH_INDICATOR"]}, "indicators"),
            ({"threshold": "abc"}, "threshold"),
            ({"colour": "red"}, "colour"),
            ({"level": "district"}, "level"),
        ):
            r = c.post("/alerts/rules", json={**RULE, **change})
            assert r.status_code == 422, r.text
            assert r.json()["errors"][0]["parameter"].split(".")[0] == field, r.json()
            assert field in r.json()["message"]["en"]
        catalog = c.post("/alerts/rules", json={**RULE, "key": "source_stale"})
        assert catalog.status_code == 409 and catalog.json()["code"] == "alert_rule_catalog"
    with session_of(server) as s:
        assert s.query(AlertRule).count() == 0
    with client(server, "op-945") as c:
        r = c.post("/alerts/rules", json=RULE)
        assert r.status_code == 201, r.text
        assert r.json()["source"] == "store" and r.json()["created_by"] == "op-945"
        assert c.post("/alerts/rules", json=RULE).status_code == 409
        r = c.patch(f"/alerts/rules/{RULE['key']}", json={"severity": "critical"})
        assert r.status_code == 200 and r.json()["severity"] == "critical"
        bad = c.patch(f"/alerts/rules/{RULE['key']}", json={"threshold": "abc"})
        assert bad.status_code == 422
        assert bad.json()["errors"][0]["parameter"].split(".")[0] == "threshold"
        assert c.patch("/alerts/rules/source_stale", json={"enabled": False}).status_code == 409
        assert c.delete(f"/alerts/rules/{RULE['key']}").status_code == 204
        assert c.delete(f"/alerts/rules/{RULE['key']}").status_code == 404


def test_silence_marks_the_units_alerts_and_ends_early(server: Any) -> None:
    alert_id = server.ids["school_941"]
    ends = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    with client(server, "demo-operator") as c:
        for bad in (
            {"scheme": "legacy", "unit": "941", "reason": "", "ends_at": ends},
            {"scheme": "legacy", "unit": "941", "reason": "x", "ends_at": "2020-01-01T00:00:00Z"},
            {"scheme": "legacy", "unit": "941", "reason": "x", "ends_at": "2999-01-01T00:00:00Z"},
        ):
            assert c.post("/alerts/silences", json=bad).status_code == 422
        r = c.post(
            "/alerts/silences",
            json={
                "scheme": "legacy",
                "unit": "941",
                "reason": "Trường đang sáp nhập",
                "ends_at": ends,
            },
        )
        assert r.status_code == 201, r.text
        silence = r.json()
        assert silence["active"] and silence["alerts"] == 1
        assert c.get(f"/alerts/{alert_id}").json()["silenced_until"] is not None
        assert alert_id in {
            i["id"] for i in c.get("/alerts", params={"silenced": True}).json()["items"]
        }
        wall = c.get("/alerts/summary").json()
        assert wall["silenced"] == 1 and alert_id not in {i["id"] for i in wall["top"]}
        assert [s["id"] for s in c.get("/alerts/silences").json()] == [silence["id"]]
        ended = c.delete(f"/alerts/silences/{silence['id']}")
        assert ended.status_code == 200 and ended.json()["ended_by"] == "demo-operator"
        assert c.get(f"/alerts/{alert_id}").json()["silenced_until"] is None
        assert c.delete(f"/alerts/silences/{silence['id']}").status_code == 409


def test_webhooks_admin_only_secret_by_name(server: Any) -> None:
    hook = {"name": "ops-chat", "url": "https://chat.example.vn/hook", "secret": "hook-a"}
    with client(server, "demo-operator") as c:
        assert c.get("/alerts/webhooks").status_code == 403
        assert c.post("/alerts/webhooks", json=hook).status_code == 403
    with client(server, "demo-admin") as c:
        assert c.post("/alerts/webhooks", json={**hook, "url": "ftp://x"}).status_code == 422
        for entry in ("missing", "no-key"):
            r = c.post("/alerts/webhooks", json={**hook, "secret": entry})
            assert r.status_code == 422 and r.json()["code"] == "alert_webhook_secret"
        r = c.post("/alerts/webhooks", json=hook)
        assert r.status_code == 201, r.text
        assert "secret" not in r.json() and "s3cr3t" not in r.text
        listed = c.get("/alerts/webhooks")
        assert [h["name"] for h in listed.json()] == ["ops-chat"] and "s3cr3t" not in listed.text
        assert c.post("/alerts/webhooks", json=hook).status_code == 409
        assert c.delete("/alerts/webhooks/ops-chat").status_code == 204
        assert c.delete("/alerts/webhooks/ops-chat").status_code == 404


def test_evaluate_is_a_job(server: Any) -> None:
    with client(server, "demo-analyst") as c:
        assert c.post("/alerts/evaluate").status_code == 403
    with client(server, "demo-operator") as c:
        r = c.post("/alerts/evaluate")
        assert r.status_code == 202 and r.json()["job"].endswith(str(r.json()["job_id"]))
        first = r.json()["job_id"]
        deadline = time.monotonic() + 60
        while c.get(f"/jobs/{first}").json()["status"] in ("queued", "running"):
            assert time.monotonic() < deadline, "the evaluation did not finish"
            time.sleep(0.2)
        assert c.get(f"/jobs/{first}").json()["status"] == "succeeded"
        # while one is queued or running, asking again queues nothing (a row the runner does
        # not pick up: 'running' without a thread of this server)
        engine = store.make_engine(Settings(data_dir=server.data_dir))
        with store.open_session(engine) as session:
            busy = Job(kind="alerts", status="running", started_by="x", request={})
            session.add(busy)
            session.commit()
            r = c.post("/alerts/evaluate")
            assert r.status_code == 409 and r.json()["code"] == "alert_evaluate_running"
            assert str(busy.id) in r.json()["detail"]
            busy.status = "interrupted"
            session.commit()
        engine.dispose()
