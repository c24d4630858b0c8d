"""Issue 13, item 5: schedules within reason.

An operator could make a schedule fire every second (``* * * * * *``), own any number of
schedules, e-mail reports to any address, and deleting a schedule during its run logged
``AssertionError: no report run N``. Now: a minimum interval between fires (one hour by
default), a cap on schedules per account, recipients within the allowed domains unless an
admin sets them, and a run whose schedule is deleted ends quietly. Each refusal stores
nothing. A server of this module's own, with an SMTP server the test holds."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller

from ioc.config import Settings
from tests.conftest import free_port, serve
from tests.security.conftest import signed_in

DOMAIN = "so-gddt.example.vn"  # the domain of IOC_SMTP_FROM: the allowed one by default
MOST_SCHEDULES = 6


class HeldInbox:
    """An SMTP server that keeps each message's sender waiting until :attr:`release`."""

    def __init__(self) -> None:
        self.arrived = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.arrived.set()
        await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 60)
        return "250 OK"


@pytest.fixture(scope="module")
def inbox() -> Iterator[tuple[HeldInbox, int]]:
    handler, port = HeldInbox(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    handler.release.set()
    controller.stop()


@pytest.fixture(scope="module")
def server(
    demo_settings: Settings,
    tmp_path_factory: pytest.TempPathFactory,
    inbox: tuple[HeldInbox, int],
) -> Iterator[Any]:
    env = {
        "IOC_SMTP_HOST": "127.0.0.1",
        "IOC_SMTP_PORT": str(inbox[1]),
        "IOC_SMTP_FROM": f"ioc@{DOMAIN}",
        "IOC_REPORTS_MAX_SCHEDULES_PER_ACCOUNT": str(MOST_SCHEDULES),
    }
    yield from serve(demo_settings, tmp_path_factory.mktemp("schedules"), env)


@pytest.fixture(scope="module")
def operator(server: Any) -> Iterator[httpx.Client]:
    client = signed_in(server.base, "demo-operator")
    yield client
    client.close()


@pytest.fixture(scope="module")
def admin(server: Any) -> Iterator[httpx.Client]:
    client = signed_in(server.base, "demo-admin")
    yield client
    client.close()


def schedule(**changes: Any) -> dict[str, Any]:
    return {
        "name": "Báo cáo tháng",
        "cron": "0 7 1 * *",
        "scheme": "legacy",
        "units": ["945"],
        "kind": "quality",
        "formats": ["csv"],
    } | changes


def names(client: httpx.Client) -> list[str]:
    return [s["name"] for s in client.get("/api/v1/schedules").json()]


def refused(answer: httpx.Response, status: int, code: str, *words: str) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = answer.json()
    assert body["code"] == code and body["message"]["vi"]
    for word in words:
        assert word in body["message"]["en"], (word, body["message"]["en"])
    return body


def wait_for(check: Callable[[], Any], seconds: float, what: str) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(0.2)
    raise AssertionError(f"waited {seconds:g} s for {what}")


@pytest.mark.parametrize(
    ("cron", "every"),
    [
        ("* * * * * *", "1 s"),  # every second: 20 runs in 20 s before
        ("*/10 * * * * *", "10 s"),
        ("* * * * *", "1 min"),
        ("*/30 * * * *", "30 min"),
        ("0,59 7 * * *", "59 min"),
        ("* * 29 2 *", "1 min"),  # quiet for years, then every minute of 29 February
    ],
)
def test_a_schedule_firing_more_often_than_hourly_is_refused(
    operator: httpx.Client, cron: str, every: str
) -> None:
    name = f"quá dày {cron}"
    answer = operator.post("/api/v1/schedules", json=schedule(name=name, cron=cron))
    body = refused(answer, 422, "schedule_too_frequent", f"'{cron}'", f"{every} apart", "1 h")
    assert [e["parameter"] for e in body["errors"]] == ["cron"]
    assert name not in names(operator)


def test_hourly_is_the_least_interval_allowed(operator: httpx.Client) -> None:
    answer = operator.post("/api/v1/schedules", json=schedule(name="mỗi giờ", cron="0 * * * *"))
    assert answer.status_code == 201, answer.text
    assert operator.delete(f"/api/v1/schedules/{answer.json()['id']}").status_code == 204


def test_an_update_has_the_same_limits(operator: httpx.Client) -> None:
    made = operator.post("/api/v1/schedules", json=schedule(name="sẽ sửa")).json()
    url = f"/api/v1/schedules/{made['id']}"
    try:
        answer = operator.put(url, json=schedule(name="sẽ sửa", cron="* * * * * *"))
        refused(answer, 422, "schedule_too_frequent", "'* * * * * *'")
        answer = operator.put(url, json=schedule(name="sẽ sửa", email_to=["a@gmail.com"]))
        refused(answer, 422, "recipient_not_allowed", "a@gmail.com", DOMAIN)
        kept = operator.get(url).json()
        assert (kept["cron"], kept["email_to"]) == (made["cron"], [])
    finally:
        operator.delete(url)


@pytest.mark.parametrize(
    "address",
    [
        "someone@gmail.com",
        f"x@evil-{DOMAIN}",  # not a sub-domain
        f"x@{DOMAIN}.evil.example",
    ],
)
def test_an_operator_may_email_only_the_allowed_domains(
    operator: httpx.Client, address: str
) -> None:
    body = schedule(name=f"gửi {address}", email_to=[f"phong@{DOMAIN}", address])
    problem = refused(
        operator.post("/api/v1/schedules", json=body), 422, "recipient_not_allowed", address
    )
    assert [e["parameter"] for e in problem["errors"]] == ["email_to"]
    assert f"phong@{DOMAIN}" not in problem["message"]["en"]
    assert body["name"] not in names(operator)


def test_allowed_recipients_and_an_admins_are_accepted(
    operator: httpx.Client, admin: httpx.Client
) -> None:
    to = [f"phong@{DOMAIN}", f"truong@thpt-a.{DOMAIN.upper()}"]
    mine = operator.post("/api/v1/schedules", json=schedule(name="trong Sở", email_to=to))
    assert mine.status_code == 201, mine.text
    theirs = admin.post("/api/v1/schedules", json=schedule(email_to=["ai.do@gmail.com"]))
    assert theirs.status_code == 201, theirs.text
    for client, made in ((operator, mine), (admin, theirs)):
        client.delete(f"/api/v1/schedules/{made.json()['id']}")


def test_an_account_owns_at_most_its_cap_of_schedules(admin: httpx.Client) -> None:
    def owned() -> list[dict[str, Any]]:
        everyone = admin.get("/api/v1/schedules").json()
        return [s for s in everyone if s["owner"] == "demo-admin"]

    made = [
        admin.post("/api/v1/schedules", json=schedule(name=f"số {n}")).json()
        for n in range(MOST_SCHEDULES - len(owned()))
    ]
    try:
        assert len(owned()) == MOST_SCHEDULES
        answer = admin.post("/api/v1/schedules", json=schedule(name="một lịch quá nhiều"))
        refused(answer, 409, "too_many_schedules", f"={MOST_SCHEDULES}")
        assert len(owned()) == MOST_SCHEDULES
    finally:
        for s in made:
            admin.delete(f"/api/v1/schedules/{s['id']}")


def test_deleting_a_schedule_during_its_run_ends_the_run_quietly(
    server: Any, operator: httpx.Client, inbox: tuple[HeldInbox, int]
) -> None:
    """The run is held in its e-mail delivery; meanwhile a second 'run now' is refused and
    the schedule is deleted; then the delivery goes on and the run ends."""
    held, _ = inbox
    body = schedule(name="xoá khi đang chạy", email_to=[f"phong@{DOMAIN}"])
    sid = operator.post("/api/v1/schedules", json=body).json()["id"]
    run_id = operator.post(f"/api/v1/schedules/{sid}/run").json()["run_id"]
    try:
        assert held.arrived.wait(120), "the run never reached its delivery"
        again = operator.post(f"/api/v1/schedules/{sid}/run")
        assert refused(again, 409, "run_in_progress", str(run_id))["run_id"] == run_id
        assert operator.delete(f"/api/v1/schedules/{sid}").status_code == 204
    finally:
        held.release.set()
    log = server.log

    def ended() -> str | None:
        text = log.read_text(encoding="utf-8", errors="replace")
        return text if f"deleted during run {run_id}" in text or "Traceback" in text else None

    text = wait_for(ended, 60, "the run to end")
    assert "Traceback" not in text and "AssertionError" not in text, text
    store = sqlite3.connect(f"file:{server.data_dir / 'store.sqlite'}?mode=ro", uri=True)
    with store:
        left = store.execute(
            "SELECT count(*) FROM report_runs WHERE schedule_id = ? OR status = 'running'",
            (sid,),
        ).fetchone()[0]
    store.close()
    assert left == 0
    assert operator.get(f"/api/v1/schedules/{sid}/runs").status_code == 404
    folder = server.data_dir / "reports" / f"schedule-{sid}" / f"run-{run_id}"
    written = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
    assert not [n for n in written if n.startswith(".writing-")], written  # no half files
