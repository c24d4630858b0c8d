"""Delivery of alert events on the real store (SQLite): recipients by role, scope and
escalation; one e-mail digest per person per interval received by a local SMTP server; signed
webhook POSTs received by a loopback HTTP server that fails first, retried with the backoff
on a simulated clock; a webhook that never succeeds and one whose secret is missing end
``failed``, and no secret appears in any error or log line."""

from __future__ import annotations

import email
import hashlib
import hmac
import json
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiosmtpd.controller import Controller
from sqlalchemy import select
from sqlalchemy.orm import Session

from ioc import store
from ioc.alerts.condition import open_key
from ioc.alerts.delivery import enqueue, send_due
from ioc.config import Settings
from ioc.store.alert_models import Alert, AlertDelivery, AlertEvent, AlertUnit, AlertWebhook
from ioc.store.models import User, UserScope
from tests.conftest import free_port

T0 = datetime(2026, 3, 9, 1, 0, tzinfo=UTC)  # 08:00 09/03/2026 in Hà Nội
SECRET = "s3cr3t-hook-value"
COMMUNE = "31117"
#: a commune alert's units: the commune and what contains it, in both schemes
UNITS = (
    ("2025", "92"),
    ("2025", COMMUNE),
    ("legacy", "92"),
    ("legacy", "916"),
    ("legacy", COMMUNE),
)


# ---------------------------------------------------------------------- receivers


class Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    handler, port = Inbox(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


@dataclass
class Hook:
    """A loopback webhook receiver answering the statuses given, then 200."""

    statuses: list[int]
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    url: str = ""


@pytest.fixture
def receiver() -> Iterator[Hook]:
    hook = Hook(statuses=[])

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            content = self.rfile.read(int(self.headers["Content-Length"]))
            hook.received.append((dict(self.headers.items()), content))
            status = hook.statuses.pop(0) if hook.statuses else 200
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    hook.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield hook
    server.shutdown()
    server.server_close()


# ---------------------------------------------------------------------- the store


def settings_for(tmp_path: Path, smtp_port: int, **changes: Any) -> Settings:
    secrets = tmp_path / "secrets.yaml"
    secrets.write_text(yaml.safe_dump({"hook-ops": {"secret": SECRET}}), encoding="utf-8")
    values: dict[str, Any] = {
        "data_dir": tmp_path / "data",
        "smtp_host": "127.0.0.1",
        "smtp_port": smtp_port,
        "smtp_from": "ioc@so-gddt.example.vn",
        "sources_secrets_file": secrets,
        "alerts_digest_minutes": 15,
        "alerts_delivery_attempts": 3,
        "alerts_webhook_backoff_seconds": 30,
        "alerts_webhook_timeout": 5,
    }
    return Settings(**(values | changes))


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    settings = Settings(data_dir=tmp_path / "data")
    engine = store.make_engine(settings)
    store.migrate(engine)
    with store.open_session(engine) as opened:
        _accounts(opened)
        yield opened
    engine.dispose()


def _accounts(session: Session) -> None:
    def add(
        name: str,
        role: str,
        mail: str | None,
        units: tuple[tuple[str, str], ...] = (),
        active: bool = True,
    ) -> None:
        user = User(
            username=name,
            full_name=name.title(),
            password_hash="-",
            role=role,
            email=mail,
            is_active=active,
        )
        user.scopes = [UserScope(scheme=s, unit_code=c) for s, c in units]
        session.add(user)

    add("op-commune", "operator", "op-commune@example.vn", (("2025", COMMUNE),))
    add("an-province", "analyst", "an-province@example.vn", (("legacy", "92"),))
    add("op-other", "operator", "op-other@example.vn", (("2025", "31120"),))  # outside
    add("an-nomail", "analyst", None, (("2025", COMMUNE),))  # no address
    add("op-gone", "operator", "op-gone@example.vn", (("2025", COMMUNE),), active=False)
    add("leader", "leader", "leader@example.vn")  # not in the rules' route_to
    add("display", "display", "display@example.vn")
    session.commit()


def alert(
    session: Session,
    rule_key: str,
    item: str | None,
    *,
    severity: str = "warning",
    units: tuple[tuple[str, str], ...] = UNITS,
    silenced_until: datetime | None = None,
) -> Alert:
    key = open_key(rule_key, "unit", COMMUNE, item)
    found = Alert(
        key=key,
        open_key=key,
        rule_key=rule_key,
        kind="indicator_norm",
        severity=severity,
        state="open",
        subject_kind="unit",
        subject_code=COMMUNE,
        subject_name="Xã An Bình",
        scheme="2025",
        unit_code=COMMUNE,
        item=item,
        value=52.5,
        threshold=45,
        detail={"vi": f"{item}: sĩ số vượt chuẩn", "en": f"{item}: classes above the norm"},
        first_seen_at=T0,
        last_seen_at=T0,
        opened_at=T0,
        silenced_until=silenced_until,
    )
    session.add(found)
    session.flush()
    session.add_all(AlertUnit(alert_id=found.id, scheme=s, unit_code=c) for s, c in units)
    session.commit()
    return found


def event(session: Session, target: Alert, action: str, at: datetime = T0) -> int:
    made = AlertEvent(alert_id=target.id, at=at, actor="system", action=action)
    session.add(made)
    session.commit()
    return made.id


def deliveries(session: Session) -> list[AlertDelivery]:
    session.expire_all()
    return list(session.scalars(select(AlertDelivery).order_by(AlertDelivery.id)))


def webhook(session: Session, name: str, url: str, **changes: Any) -> None:
    values = {"secret": "hook-ops", "min_severity": "warning", "units": [], "created_by": "admin"}
    session.add(AlertWebhook(name=name, url=url, **(values | changes)))
    session.commit()


# ---------------------------------------------------------------------- e-mail


def test_one_digest_per_person_with_its_alerts_and_none_outside_the_scope(
    session: Session, inbox: tuple[Inbox, int], tmp_path: Path
) -> None:
    mailbox, port = inbox
    settings = settings_for(tmp_path, port)
    alerts = [
        alert(session, "norm_commune_key", "NET_CLASS_SIZE"),
        alert(session, "norm_commune_key", "WSH_CLEAN_WATER_PCT"),
        alert(session, "missing_returns_commune", None),
    ]
    events = [event(session, a, "open") for a in alerts]
    assert enqueue(session, events, settings, T0) == 6  # op-commune and an-province, 3 each
    assert enqueue(session, events, settings, T0) == 0  # enqueued once
    assert {d.recipient for d in deliveries(session)} == {"op-commune", "an-province"}

    counts = send_due(session, settings, T0)
    assert counts == {"digests": 2, "sent": 6, "retried": 0, "failed": 0}
    assert len(mailbox.messages) == 2
    (mail,) = mailbox.to("op-commune@example.vn")
    text = mail.get_content()
    for a in alerts:
        assert text.count(f"/alerts?id={a.id}") == 2  # in Vietnamese, then in English
    assert text.index("Kính gửi") < text.index("mở") < text.index("----") < text.index("opened")
    assert (
        "08:00 09/03/2026" in text and "52,5 / ngưỡng 45" in text and "52.5 / threshold 45" in text
    )
    assert "Xã có chỉ tiêu then chốt chưa đạt chuẩn" in text and "Xã An Bình (31117)" in text
    sent = [d for d in deliveries(session) if d.recipient == "op-commune"]
    assert {d.status for d in sent} == {"sent"} and len({d.digest for d in sent}) == 1
    assert sent[0].digest == mail["X-IOC-Digest"]

    # a recovery a minute later waits for the person's next digest, a quarter of an hour on
    recovered = event(session, alerts[0], "recover", T0 + timedelta(minutes=1))
    assert enqueue(session, [recovered], settings, T0 + timedelta(minutes=1)) == 2
    assert send_due(session, settings, T0 + timedelta(minutes=1))["digests"] == 0
    assert send_due(session, settings, T0 + timedelta(minutes=15))["digests"] == 2
    later = mailbox.to("op-commune@example.vn")[1].get_content()
    assert "tự hết" in later and "recovered" in later and later.count("/alerts?id=") == 2


def test_escalation_reaches_the_leadership_and_silenced_alerts_nobody(
    session: Session, tmp_path: Path
) -> None:
    settings = settings_for(tmp_path, free_port())
    target = alert(session, "norm_commune_key", "NET_CLASS_SIZE")
    quiet = alert(
        session,
        "norm_commune_key",
        "FAC_TEMPORARY_CLASSROOM_PCT",
        silenced_until=T0 + timedelta(days=1),
    )
    assert enqueue(session, [event(session, target, "escalate")], settings, T0) == 2
    assert {d.recipient for d in deliveries(session)} == {"leader", "an-province"}
    assert enqueue(session, [event(session, quiet, "open")], settings, T0) == 0
    assert enqueue(session, [event(session, target, "acknowledge")], settings, T0) == 0


def test_a_failing_mail_server_counts_attempts_until_failed(
    session: Session, tmp_path: Path
) -> None:
    settings = settings_for(tmp_path, free_port(), smtp_timeout=2)  # nothing listens there
    target = alert(session, "missing_returns_commune", None)
    enqueue(session, [event(session, target, "open")], settings, T0)
    assert send_due(session, settings, T0) == {"digests": 0, "sent": 0, "retried": 2, "failed": 0}
    assert send_due(session, settings, T0 + timedelta(minutes=5))["retried"] == 0  # not due
    send_due(session, settings, T0 + timedelta(minutes=15))
    assert send_due(session, settings, T0 + timedelta(minutes=30))["failed"] == 2
    assert {(d.status, d.attempts) for d in deliveries(session)} == {("failed", 3)}
    assert all(d.error for d in deliveries(session))


def test_without_an_smtp_server_no_mail_is_queued(session: Session, tmp_path: Path) -> None:
    settings = settings_for(tmp_path, free_port(), smtp_host=None)
    target = alert(session, "missing_returns_commune", None)
    assert enqueue(session, [event(session, target, "open")], settings, T0) == 0
    assert deliveries(session) == []
    assert send_due(session, settings, T0) == {"digests": 0, "sent": 0, "retried": 0, "failed": 0}


# ---------------------------------------------------------------------- webhooks


def test_a_webhook_is_retried_with_backoff_then_sent_signed(
    session: Session, receiver: Hook, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    settings = settings_for(tmp_path, free_port())
    webhook(session, "ops", receiver.url)
    webhook(session, "critical-only", receiver.url, min_severity="critical")
    webhook(session, "elsewhere", receiver.url, units=[{"scheme": "2025", "code": "31120"}])
    webhook(session, "off", receiver.url, enabled=False)
    target = alert(session, "norm_commune_key", "NET_CLASS_SIZE")
    enqueue(session, [event(session, target, "open")], settings, T0)
    (delivery,) = [d for d in deliveries(session) if d.channel == "webhook"]
    assert (delivery.recipient, delivery.address) == ("ops", receiver.url)

    receiver.statuses = [500, 500]
    clock = [T0, T0 + timedelta(seconds=29), T0 + timedelta(seconds=30), T0 + timedelta(seconds=89)]
    expected = [1, 1, 2, 2]  # POSTs received by then: retried after 30 s, then after 60 s more
    for moment, posts in zip(clock, expected, strict=True):
        send_due(session, settings, moment)
        assert len(receiver.received) == posts, moment
    (delivery,) = [d for d in deliveries(session) if d.channel == "webhook"]
    assert (delivery.status, delivery.attempts, delivery.error) == ("pending", 2, "HTTP 500")

    done = T0 + timedelta(seconds=90)
    assert send_due(session, settings, done)["sent"] >= 1
    (delivery,) = [d for d in deliveries(session) if d.channel == "webhook"]
    assert (delivery.status, delivery.attempts, delivery.error) == ("sent", 3, None)
    headers, content = receiver.received[-1]
    timestamp = headers["X-IOC-Timestamp"]
    assert timestamp == str(int(done.timestamp())) and headers["X-IOC-Delivery"] == str(delivery.id)
    mac = hmac.new(SECRET.encode(), f"{timestamp}.".encode() + content, hashlib.sha256)
    assert headers["X-IOC-Signature"] == f"sha256={mac.hexdigest()}"
    body = json.loads(content)
    assert body["event"] == "open" and body["alert"]["id"] == target.id
    assert (
        body["alert"]["rule_key"] == "norm_commune_key"
        and body["alert"]["item"] == "NET_CLASS_SIZE"
    )
    assert body["alert"]["url"] == f"/alerts?id={target.id}" and body["sent_at"].startswith(
        "2026-03-09"
    )
    assert SECRET not in caplog.text and SECRET not in content.decode()


def test_a_webhook_that_never_succeeds_or_has_no_secret_ends_failed(
    session: Session, receiver: Hook, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    settings = settings_for(tmp_path, free_port())
    webhook(session, "broken", receiver.url)
    webhook(session, "nosecret", receiver.url, secret="hook-missing")
    target = alert(session, "norm_commune_key", "NET_CLASS_SIZE", severity="critical")
    enqueue(session, [event(session, target, "open")], settings, T0)
    receiver.statuses = [503] * 10
    for seconds in (0, 30, 90):
        send_due(session, settings, T0 + timedelta(seconds=seconds))
    hooks = {d.recipient: d for d in deliveries(session) if d.channel == "webhook"}
    assert (hooks["broken"].status, hooks["broken"].attempts) == ("failed", 3)
    assert hooks["broken"].error == "HTTP 503" and len(receiver.received) == 3
    assert (hooks["nosecret"].status, hooks["nosecret"].attempts) == ("failed", 3)
    assert "hook-missing" in (hooks["nosecret"].error or "")
    assert send_due(session, settings, T0 + timedelta(hours=1))["sent"] == 0  # nothing left
    errors = " ".join(d.error or "" for d in deliveries(session))
    assert SECRET not in errors and SECRET not in caplog.text
