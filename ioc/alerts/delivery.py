"""Delivery of alert events (docs/alerts.md, "Delivery"): :func:`enqueue` makes one
``alert_deliveries`` row per (event, recipient); :func:`send_due` sends what is due: one
e-mail digest per person at most every ``IOC_ALERTS_DIGEST_MINUTES`` and one signed POST per
webhook delivery, retried (webhooks after a backoff doubled each attempt) and ``failed``
after ``IOC_ALERTS_DELIVERY_ATTEMPTS``. Each sent mail or POST is committed at once, so a
stop never sends it twice."""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ioc.alerts.digest import Line, digest_mail
from ioc.alerts.recipients import CHUNK, Directory, alert_units
from ioc.alerts.rules import ROUTE_DEFAULT, RuleSpec, rules_in_force
from ioc.alerts.webhook import post
from ioc.config import Settings
from ioc.reports.delivery import send
from ioc.store.alert_models import (
    Alert,
    AlertDelivery,
    AlertEvent,
    AlertWebhook,
    DeliveryStatus,
    EventAction,
)
from ioc.store.models import User
from ioc.store.types import as_utc

log = logging.getLogger("ioc.alerts")
#: the events people and webhooks are told of (human actions are not delivered)
DELIVERED = frozenset({EventAction.OPEN, EventAction.ESCALATE, EventAction.RECOVER})


def enqueue(session: Session, event_ids: Sequence[int], settings: Settings, now: datetime) -> int:
    """One pending delivery per recipient of each event (an event that has deliveries
    already is left alone); how many were made. Without an SMTP server (``IOC_SMTP_HOST``)
    no e-mail delivery is made: there is nothing to send it with."""
    ids = sorted(set(event_ids))
    events = [
        event
        for start in range(0, len(ids), CHUNK)
        for event in session.scalars(
            select(AlertEvent).where(AlertEvent.id.in_(ids[start : start + CHUNK]))
        )
        if event.action in DELIVERED
    ]
    done = _with_deliveries(session, [e.id for e in events])
    events = [e for e in events if e.id not in done]
    if not events:
        return 0
    alerts = {a.id: a for a in _alerts(session, {e.alert_id for e in events})}
    units = alert_units(session, alerts)
    routes = {rule.key: rule.route_to for rule in rules_in_force(session)}
    directory = Directory.load(session)
    made = 0
    for event in sorted(events, key=lambda e: e.id):
        alert = alerts[event.alert_id]
        route_to = routes.get(alert.rule_key, list(ROUTE_DEFAULT))
        for to in directory.recipients(
            alert, units.get(alert.id, set()), event.action, route_to, now
        ):
            if to.channel == "email" and not settings.smtp_host:
                continue
            session.add(
                AlertDelivery(
                    alert_id=alert.id,
                    event_id=event.id,
                    channel=to.channel,
                    recipient=to.name,
                    address=to.address,
                    status=DeliveryStatus.PENDING,
                    attempts=0,
                    created_at=now,
                    next_attempt_at=now,
                )
            )
            made += 1
    session.commit()
    return made


def send_due(session: Session, settings: Settings, now: datetime) -> dict[str, int]:
    """Send the digests and webhook POSTs that are due: counts of ``digests`` mailed and of
    deliveries ``sent``, ``retried`` (to be tried again) and ``failed`` (given up)."""
    counts: Counter[str] = Counter(digests=0, sent=0, retried=0, failed=0)
    _digests(session, settings, now, counts)
    _webhooks(session, settings, now, counts)
    return dict(counts)


# ---------------------------------------------------------------------- e-mail digests


def _digests(session: Session, settings: Settings, now: datetime, counts: Counter[str]) -> None:
    due = _due(session, "email", now)
    people: dict[str, list[AlertDelivery]] = {}
    for delivery in due:
        people.setdefault(delivery.recipient, []).append(delivery)
    if not people:
        return
    last = _last_digests(session, people)
    interval = timedelta(minutes=settings.alerts_digest_minutes)
    query = select(User.username, User.full_name).where(User.username.in_(sorted(people)))
    names: dict[str, str] = dict(session.execute(query).all())
    rules = {rule.key: rule for rule in rules_in_force(session)}
    for person, deliveries in sorted(people.items()):
        if person in last and last[person] + interval > now:
            continue  # mailed within the interval: the next digest takes these
        digest_id = uuid.uuid4().hex
        address = deliveries[-1].address
        lines = [_line(session, d, rules) for d in deliveries]
        try:
            send(
                settings,
                digest_mail(settings, address, names.get(person) or person, lines, digest_id),
            )
        except Exception as exc:  # any failure of the mail is an attempt, retried later
            log.warning("alert digest to %s failed: %s", person, type(exc).__name__)
            _attempt_failed(deliveries, f"{type(exc).__name__}: {exc}", now + interval, settings)
            counts.update(_outcome(d) for d in deliveries)
        else:
            for delivery in deliveries:
                _sent(delivery, now)
                delivery.digest = digest_id
            counts["digests"] += 1
            counts["sent"] += len(deliveries)
        session.commit()


def _last_digests(session: Session, people: Iterable[str]) -> dict[str, datetime]:
    """When each person was last mailed a digest."""
    rows = session.execute(
        select(AlertDelivery.recipient, func.max(AlertDelivery.sent_at))
        .where(
            AlertDelivery.channel == "email",
            AlertDelivery.recipient.in_(sorted(people)),
            AlertDelivery.sent_at.is_not(None),
        )
        .group_by(AlertDelivery.recipient)
    )
    return {name: as_utc(at) for name, at in rows if at is not None}


def _line(session: Session, delivery: AlertDelivery, rules: dict[str, RuleSpec]) -> Line:
    alert = session.get(Alert, delivery.alert_id)
    event = session.get(AlertEvent, delivery.event_id)
    assert alert is not None and event is not None  # deliveries go with them (cascade)
    rule = rules.get(alert.rule_key)
    name = {"vi": rule.vi, "en": rule.en} if rule else {"vi": alert.rule_key, "en": alert.rule_key}
    subject = (
        f"{alert.subject_name} ({alert.subject_code})" if alert.subject_name else alert.subject_code
    )
    return Line(
        alert_id=alert.id,
        action=event.action,
        at=as_utc(event.at),
        severity=alert.severity,
        rule=name,  # type: ignore[arg-type]
        subject=subject,
        value=alert.value,
        threshold=alert.threshold,
        detail=alert.detail or {},
    )


# ---------------------------------------------------------------------- webhooks


def _webhooks(session: Session, settings: Settings, now: datetime, counts: Counter[str]) -> None:
    backoff = settings.alerts_webhook_backoff_seconds
    down: set[str] = set()  # webhooks that failed this round: the rest wait for the next
    for delivery in _due(session, "webhook", now):
        if delivery.recipient in down:
            continue
        hook = session.scalar(select(AlertWebhook).where(AlertWebhook.name == delivery.recipient))
        alert = session.get(Alert, delivery.alert_id)
        event = session.get(AlertEvent, delivery.event_id)
        assert alert is not None and event is not None
        if hook is None or not hook.enabled:
            delivery.status, delivery.error = DeliveryStatus.FAILED, "webhook removed or disabled"
            delivery.attempts += 1
        else:
            error = post(settings, hook, delivery.id, event.action, alert, now)
            if error is None:
                _sent(delivery, now)
            else:
                log.warning("alert webhook %s (delivery %s): %s", hook.name, delivery.id, error)
                down.add(hook.name)
                wait = timedelta(seconds=backoff * 2**delivery.attempts)
                _attempt_failed([delivery], error, now + wait, settings)
        counts[_outcome(delivery)] += 1
        session.commit()


# ---------------------------------------------------------------------- shared


def _due(session: Session, channel: str, now: datetime) -> list[AlertDelivery]:
    return list(
        session.scalars(
            select(AlertDelivery)
            .where(
                AlertDelivery.channel == channel,
                AlertDelivery.status == DeliveryStatus.PENDING,
                AlertDelivery.next_attempt_at <= now,
            )
            .order_by(AlertDelivery.id)
        )
    )


def _sent(delivery: AlertDelivery, now: datetime) -> None:
    delivery.status, delivery.sent_at, delivery.error = DeliveryStatus.SENT, now, None
    delivery.attempts += 1


def _attempt_failed(
    deliveries: Iterable[AlertDelivery], error: str, retry_at: datetime, settings: Settings
) -> None:
    """Count an attempt: retried at ``retry_at``, or ``failed`` after the last attempt."""
    for delivery in deliveries:
        delivery.attempts += 1
        delivery.error = error[:2000]
        if delivery.attempts >= settings.alerts_delivery_attempts:
            delivery.status = DeliveryStatus.FAILED
        else:
            delivery.next_attempt_at = retry_at


def _outcome(delivery: AlertDelivery) -> str:
    """What an attempt made of the delivery: sent, retried or failed."""
    return "retried" if delivery.status == DeliveryStatus.PENDING else str(delivery.status)


def _alerts(session: Session, ids: Iterable[int]) -> list[Alert]:
    listed = sorted(ids)
    return [
        alert
        for start in range(0, len(listed), CHUNK)
        for alert in session.scalars(
            select(Alert).where(Alert.id.in_(listed[start : start + CHUNK]))
        )
    ]


def _with_deliveries(session: Session, event_ids: Sequence[int]) -> set[int]:
    """The events among these that have deliveries already."""
    ids = sorted(event_ids)
    return {
        event_id
        for start in range(0, len(ids), CHUNK)
        for event_id in session.scalars(
            select(AlertDelivery.event_id)
            .where(AlertDelivery.event_id.in_(ids[start : start + CHUNK]))
            .distinct()
        )
    }
