"""One alert event POSTed to a webhook (docs/alerts.md, "Delivery"): the JSON body, the
headers a receiver checks (``X-IOC-Delivery``, ``X-IOC-Timestamp``, ``X-IOC-Signature``: the
hex HMAC-SHA256 of ``"<timestamp>.<body>"`` with the webhook's secret) and the attempt's
outcome. The secret comes from the secrets file and appears in no error text."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime
from typing import Any

import httpx

from ioc.alerts.digest import link
from ioc.config import Settings
from ioc.sources.secrets import SecretError, load_secret
from ioc.store.alert_models import ALERT_FIELDS, Alert, AlertWebhook

TIMES = ("opened_at", "acknowledged_at", "resolved_at", "recovered_at", "escalated_at")


def alert_json(alert: Alert) -> dict[str, Any]:
    """What a webhook is told of the alert."""
    found: dict[str, Any] = {name: getattr(alert, name) for name in ALERT_FIELDS}
    for name in TIMES:
        moment = getattr(alert, name)
        found[name] = moment.isoformat() if moment is not None else None
    return found | {"url": link(alert.id)}


def body(action: str, alert: Alert, sent_at: datetime) -> bytes:
    payload = {"event": action, "alert": alert_json(alert), "sent_at": sent_at.isoformat()}
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def signature(secret: str, timestamp: str, content: bytes) -> str:
    """``sha256=<hex>`` of ``"<timestamp>.<body>"``."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + content, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def secret_of(settings: Settings, hook: AlertWebhook) -> str:
    """The webhook's secret; SecretError (naming the entry, never a value) when missing."""
    entry = load_secret(settings, hook.secret)
    value = entry.get("secret")
    if value is None or not value.get_secret_value():
        raise SecretError(f"secret {hook.secret!r} has no key 'secret'")
    return value.get_secret_value()


def post(
    settings: Settings,
    hook: AlertWebhook,
    delivery_id: int,
    action: str,
    alert: Alert,
    now: datetime,
) -> str | None:
    """POST the event; None when the webhook answered 2xx, else why it did not succeed."""
    try:
        secret = secret_of(settings, hook)
    except SecretError as exc:
        return str(exc)
    content = body(action, alert, now)
    timestamp = str(int(now.timestamp()))
    headers = {
        "Content-Type": "application/json",
        "X-IOC-Delivery": str(delivery_id),
        "X-IOC-Timestamp": timestamp,
        "X-IOC-Signature": signature(secret, timestamp, content),
    }
    try:
        answer = httpx.post(
            hook.url, content=content, headers=headers, timeout=settings.alerts_webhook_timeout
        )
    except httpx.HTTPError as exc:
        return _scrub(f"{type(exc).__name__}: {exc}", secret)
    if 200 <= answer.status_code < 300:
        return None
    return f"HTTP {answer.status_code}"


def _scrub(text: str, secret: str) -> str:
    """The text without the secret in it (an error may echo what it was given)."""
    return text.replace(secret, "***") if secret else text
