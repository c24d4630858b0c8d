"""Report schedules through the real server (`ioc serve` on loopback, demo data): roles and
scope, run now with delivery to a folder and to a local SMTP server, a failing report
retried without stopping the others, and a run missed while the server was down."""

from __future__ import annotations

import email
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import fastexcel
import httpx
import pytest
from aiosmtpd.controller import Controller

from dashboards.api_client import SESSION_COOKIE, Api, Credentials
from dashboards.wall import data as wall_data
from dashboards.wall import screens, ticker
from ioc.config import Settings
from tests.conftest import IOC, REPO, free_port

PASSWORD = "demo-2025!"
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass
class Server:
    data_dir: Path
    env: dict[str, str]
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v1"

    def start(self) -> Server:
        log = (self.data_dir.parent / "server.log").open("a")
        env = {**os.environ, "IOC_DATA_DIR": str(self.data_dir), **self.env}
        self.proc = subprocess.Popen(
            [*IOC, "serve", "--port", str(self.port)], cwd=REPO, env=env, stdout=log, stderr=log
        )
        wait_for(lambda: _healthy(self.base), 60, "the server to start")
        return self

    def stop(self) -> None:
        assert self.proc is not None
        self.proc.terminate()
        self.proc.wait(timeout=30)

    def client(self, username: str) -> httpx.Client:
        c = httpx.Client(base_url=self.base, timeout=60)
        r = c.post("/auth/login", json={"username": username, "password": PASSWORD})
        assert r.status_code == 200, r.text
        return c


def _healthy(base: str) -> bool:
    try:
        return httpx.get(f"{base}/health", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def wait_for(check: Callable[[], Any], seconds: float, what: str) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.3)
    raise AssertionError(f"waited {seconds:g} s for {what}")


def copy_demo(demo_settings: Settings, folder: Path) -> Path:
    data = folder / "data"
    shutil.copytree(demo_settings.data_dir, data)
    return data


class Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture(scope="module")
def inbox() -> Iterator[tuple[Inbox, int]]:
    handler, port = Inbox(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


@pytest.fixture(scope="module")
def server(
    demo_settings: Settings, tmp_path_factory: pytest.TempPathFactory, inbox: tuple[Inbox, int]
) -> Iterator[Server]:
    env = {
        "IOC_SMTP_HOST": "127.0.0.1",
        "IOC_SMTP_PORT": str(inbox[1]),
        "IOC_SMTP_FROM": "ioc@so-gddt.example.vn",
        "IOC_REPORTS_RETRIES": "1",
        "IOC_REPORTS_RETRY_SECONDS": "1",
    }
    running = Server(copy_demo(demo_settings, tmp_path_factory.mktemp("schedules")), env).start()
    yield running
    running.stop()


def schedule(**changes: Any) -> dict[str, Any]:
    return {
        "name": "Báo cáo tháng",
        "cron": "0 7 1 * *",
        "scheme": "legacy",
        "units": ["945"],
        "period": "latest",
        "kind": "quality",
        "formats": ["csv"],
    } | changes


def cron_at(moment: datetime) -> str:
    """A six-field cron expression that fires once, at ``moment`` (to the second)."""
    t = moment.astimezone(HANOI)
    return f"{t.second} {t.minute} {t.hour} {t.day} {t.month} *"


def finished_runs(c: httpx.Client, schedule_id: int, count: int) -> Callable[[], Any]:
    def check() -> list[dict[str, Any]] | None:
        items = c.get(f"/schedules/{schedule_id}/runs").json()["items"]
        done = [r for r in items if r["status"] != "running"]
        return done if len(done) >= count else None

    return check


def test_roles_scope_validation_and_audit(server: Server) -> None:
    operator, leader = server.client("demo-operator"), server.client("demo-leader")
    analyst, admin = server.client("demo-analyst-945"), server.client("demo-admin")
    created = operator.post("/schedules", json=schedule())
    assert created.status_code == 201, created.text
    mine = created.json()
    assert mine["owner"] == "demo-operator" and mine["next_run_at"].startswith("20")
    for units, code in ((["95"], "unit_out_of_scope"), (["VN"], "unit_out_of_scope")):
        r = operator.post("/schedules", json=schedule(units=units))
        assert r.status_code == 403 and r.json()["code"] == code
    r = operator.post("/schedules", json=schedule(cron="0 25 * * *"))
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    assert [e["parameter"] for e in r.json()["errors"]] == ["cron"]
    r = operator.post("/schedules", json=schedule(units=["99999"]))
    assert r.status_code == 422 and r.json()["errors"][0]["parameter"] == "units"
    r = leader.post("/schedules", json=schedule())
    assert r.status_code == 403 and r.json()["code"] == "role_forbidden"
    province = admin.post("/schedules", json=schedule(units=["94"])).json()
    assert {s["id"] for s in leader.get("/schedules").json()} >= {mine["id"], province["id"]}
    seen = {s["id"] for s in analyst.get("/schedules").json()}
    assert mine["id"] in seen and province["id"] not in seen
    assert analyst.get(f"/schedules/{province['id']}").status_code == 404
    assert analyst.post(f"/schedules/{mine['id']}/run").status_code == 403
    display = httpx.Client(base_url=server.base, timeout=30)
    display.headers["Authorization"] = "Bearer ioc_demo-display-soc-trang-94"
    assert display.get("/schedules").status_code == 403

    changed = operator.put(f"/schedules/{mine['id']}", json=schedule(cron="30 6 * * 1"))
    assert changed.status_code == 200 and changed.json()["cron"] == "30 6 * * 1"
    assert changed.json()["next_run_at"] != mine["next_run_at"]
    elsewhere = admin.post("/schedules", json=schedule(units=["95"])).json()  # Bạc Liêu
    assert operator.delete(f"/schedules/{elsewhere['id']}").status_code == 404
    assert operator.get("/schedules").json()[-1]["id"] != elsewhere["id"]
    assert operator.delete(f"/schedules/{mine['id']}").status_code == 204
    assert operator.get(f"/schedules/{mine['id']}").status_code == 404
    actions = [
        (e["action"], e["detail"]["schedule_id"])
        for e in admin.get("/audit", params={"limit": 100}).json()["items"]
        if e["action"].startswith("schedule_")
    ]
    for action in ("schedule_created", "schedule_changed", "schedule_deleted"):
        assert (action, mine["id"]) in actions


def test_run_now_delivers_to_a_folder_and_by_email(
    server: Server, inbox: tuple[Inbox, int]
) -> None:
    operator, leader = server.client("demo-operator"), server.client("demo-leader")
    body = schedule(
        name="Chỉ tiêu Cù Lao Dung",
        kind="standard",
        formats=["xlsx", "csv", "pdf"],
        folder="thang/945",
        email_to=["phong-khtc@so-gddt.example.vn"],
    )
    sid = operator.post("/schedules", json=body).json()["id"]
    started = operator.post(f"/schedules/{sid}/run")
    assert started.status_code == 202
    (run,) = wait_for(finished_runs(operator, sid, 1), 120, "the run")
    assert run["id"] == started.json()["run_id"]
    assert run["status"] == "succeeded", run["error"]
    assert run["trigger"] == "manual" and run["duration_s"] > 0
    latest = leader.get("/periods").json()[0]["period"]
    assert run["period"] == latest
    names = [f["name"] for f in run["files"]]
    assert [n.rsplit(".", 1)[1] for n in names] == ["xlsx", "csv", "pdf"]
    assert all(n.startswith(f"bao-cao_legacy-945_{latest.replace('/', '_')}_") for n in names)

    (mail,) = [m for m in inbox[0].messages if "Cù Lao Dung" in str(m["Subject"])]
    assert mail["To"] == "phong-khtc@so-gddt.example.vn"
    attachments = {p.get_filename(): p.get_payload(decode=True) for p in mail.iter_attachments()}
    assert sorted(attachments) == sorted(names)
    (pdf,) = [p for p in mail.iter_attachments() if p.get_filename() == names[2]]
    assert pdf.get_content_type() == "application/pdf"
    assert attachments[names[2]].startswith(b"%PDF-")
    workbook = server.data_dir.parent / names[0]
    workbook.write_bytes(attachments[names[0]])
    kpis = fastexcel.read_excel(workbook).load_sheet("Chỉ tiêu", header_row=1).to_polars()
    values = dict(zip(kpis["Mã chỉ tiêu\nIndicator"], kpis["Giá trị\nValue"], strict=True))
    api = leader.get(
        "/indicators/values", params={"unit": "945", "period": latest, "scheme": "legacy"}
    ).json()
    assert {r["indicator_id"]: r["value"] for r in api}["NET_STUDENTS"] == values["NET_STUDENTS"]

    download = leader.get(f"/schedules/{sid}/runs/{run['id']}/files/1")
    assert download.status_code == 200 and download.content == attachments[names[0]]
    assert names[0] in download.headers["content-disposition"]
    printed = leader.get(f"/schedules/{sid}/runs/{run['id']}/files/3")
    assert printed.status_code == 200 and printed.headers["content-type"] == "application/pdf"
    assert leader.get(f"/schedules/{sid}/runs/{run['id']}/files/4").status_code == 404
    copied = server.data_dir / "delivery" / "thang" / "945"
    assert sorted(p.name for p in copied.iterdir()) == sorted(names)


@pytest.mark.slow  # keeps `make test` under 15 minutes; CI runs it (make test-slow)
def test_a_failing_report_is_retried_and_does_not_stop_the_others(server: Server) -> None:
    operator, admin = server.client("demo-operator"), server.client("demo-admin")
    due = (datetime.now(UTC) + timedelta(seconds=10)).replace(microsecond=0)
    cron = cron_at(due)
    failing = operator.post(
        "/schedules", json=schedule(name="hỏng", cron=cron, period="2010-2011/DN")
    ).json()["id"]
    working = operator.post("/schedules", json=schedule(name="tốt", cron=cron)).json()["id"]
    mixed = admin.post(
        "/schedules", json=schedule(name="một nửa", cron=cron, kind="chase", units=["945", "VN"])
    ).json()["id"]

    failed = wait_for(finished_runs(operator, failing, 2), 90, "the run and its retry")
    assert [(r["trigger"], r["attempt"], r["status"]) for r in reversed(failed)] == [
        ("schedule", 1, "failed"),
        ("retry", 2, "failed"),
    ]
    assert all("no returns for the period 2010-2011/DN" in r["error"] for r in failed)
    assert {datetime.fromisoformat(r["due_at"]) for r in failed} == {due}
    (good,) = wait_for(finished_runs(operator, working, 1), 60, "the good run")
    assert good["status"] == "succeeded" and len(good["files"]) == 1
    (half,) = wait_for(finished_runs(admin, mixed, 1), 60, "the half-good run")
    assert half["status"] == "partial"
    assert [f["name"].split("_")[1] for f in half["files"]] == ["legacy-945"]
    assert half["error"].startswith("VN: ")
    time.sleep(2.5)  # a retry of the retry would be due by now
    assert operator.get(f"/schedules/{failing}/runs").json()["total"] == 2
    assert admin.get(f"/schedules/{mixed}/runs").json()["total"] == 1  # partial: no retry

    again = operator.post(f"/schedules/{working}/run").json()["run_id"]
    runs = wait_for(finished_runs(operator, working, 2), 60, "a later run")
    assert runs[0]["id"] == again and runs[0]["status"] == "succeeded"


@pytest.mark.slow  # make test-slow; .ci/run runs it
def test_a_run_missed_while_the_server_was_down_runs_once_after_restart(
    demo_settings: Settings, tmp_path: Path
) -> None:
    down = Server(copy_demo(demo_settings, tmp_path), {}).start()
    admin = down.client("demo-admin")
    due = (datetime.now(UTC) + timedelta(seconds=8)).replace(microsecond=0)
    created = admin.post("/schedules", json=schedule(cron=cron_at(due))).json()
    assert datetime.fromisoformat(created["next_run_at"]) == due
    down.stop()
    time.sleep(max(0.0, (due - datetime.now(UTC)).total_seconds()) + 2)

    up = Server(down.data_dir, {}).start()
    try:
        admin = up.client("demo-admin")
        (run,) = wait_for(finished_runs(admin, created["id"], 1), 60, "the missed run")
        assert run["trigger"] == "schedule" and run["status"] == "succeeded", run["error"]
        assert datetime.fromisoformat(run["due_at"]) == due
        time.sleep(3)
        assert admin.get(f"/schedules/{created['id']}/runs").json()["total"] == 1
        after = admin.get(f"/schedules/{created['id']}").json()
        assert datetime.fromisoformat(after["last_due_at"]) == due
        assert datetime.fromisoformat(after["next_run_at"]) > due + timedelta(days=300)
    finally:
        up.stop()


def test_a_weekday_is_cron_s_weekday_and_said_in_words(server: Server) -> None:
    """`0 7 * * 1` is 07:00 on Mondays (cron counts from Sunday = 0; APScheduler alone made
    it Tuesday), 7 is Sunday, and the next run is said as the reader says it."""
    operator = server.client("demo-operator")
    for cron, weekday, vi, en in (
        ("0 7 * * 1", 0, "Thứ Hai 07:00, ", "Monday 07:00, "),
        ("0 7 * * 7", 6, "Chủ Nhật 07:00, ", "Sunday 07:00, "),
        ("30 6 * * fri", 4, "Thứ Sáu 06:30, ", "Friday 06:30, "),
    ):
        made = operator.post("/schedules", json=schedule(cron=cron))
        assert made.status_code == 201, made.text
        body = made.json()
        at = datetime.fromisoformat(body["next_run_at"]).astimezone(HANOI)
        assert at.weekday() == weekday, (cron, at)
        assert body["next_run_text_vi"] == vi + at.strftime("%d/%m/%Y")
        assert body["next_run_text_en"] == en + at.strftime("%d/%m/%Y")
        assert body["timezone"] == "Asia/Ho_Chi_Minh"
        assert operator.delete(f"/schedules/{body['id']}").status_code == 204


def test_the_wall_lists_the_latest_report_runs(server: Server) -> None:
    """The wall's events ticker shows the report runs its account may read, newest first,
    in the wall's words; a display token reads no schedules, so its wall lists none."""
    operator = server.client("demo-operator")
    made = operator.post("/schedules", json=schedule(name="Trên màn hình")).json()
    assert operator.post(f"/schedules/{made['id']}/run").status_code == 202
    run = wait_for(finished_runs(operator, made["id"], 1), 120, "the run to finish")[0]
    origin = server.base.removesuffix("/api/v1")
    screen = screens.resolve({"panels": "kpis"})
    leader = Api(origin, Credentials(session=server.client("demo-leader").cookies[SESSION_COOKIE]))
    snapshot = wall_data.collect(leader, screen)
    shown = snapshot["report_runs"]
    expected = {"kind": "quality", "unit": "945", "status": run["status"]}
    assert expected | {"finished_at": run["finished_at"]} in shown
    assert len(shown) <= screen.events
    assert [r["finished_at"] for r in shown] == sorted(
        (r["finished_at"] for r in shown), reverse=True
    )
    texts = [text for _, text in ticker.events(screen, snapshot, "vi")]
    assert any("Báo cáo định kỳ quality (945): đã xong" in text for text in texts), texts
    display = Api(origin, Credentials(token="ioc_demo-display-soc-trang-94"))
    assert wall_data.report_runs(display, screen) == []
