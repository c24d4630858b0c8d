"""Alerts written straight into a store (the engine that opens them is another module's):
shared by the alerts' API tests and the ``alerts_page`` bench."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from ioc.alerts.condition import open_key
from ioc.store.alert_models import Alert, AlertEvent, AlertUnit, EventAction
from ioc.store.types import utcnow


def add_alert(
    session: Session,
    *,
    rule_key: str,
    subject_code: str,
    units: Sequence[tuple[str, str]],
    state: str = "open",
    severity: str = "warning",
    kind: str = "indicator_norm",
    subject_kind: str = "unit",
    subject_name: str = "",
    item: str | None = None,
    opened_at: datetime | None = None,
    commit: bool = True,
    **fields: Any,
) -> Alert:
    """One alert with its units and its ``open`` event (closed states: no open key)."""
    opened = opened_at or utcnow() - timedelta(hours=2)
    key = open_key(rule_key, subject_kind, subject_code, item)
    alert = Alert(
        key=key,
        open_key=None if state in ("resolved", "recovered") else key,
        rule_key=rule_key,
        kind=kind,
        severity=severity,
        state=state,
        subject_kind=subject_kind,
        subject_code=subject_code,
        subject_name=subject_name or subject_code,
        scheme=units[-1][0] if units else None,
        unit_code=units[-1][1] if units else None,
        item=item,
        first_seen_at=opened,
        last_seen_at=opened,
        opened_at=None if state == "pending" else opened,
        detail={"vi": f"Cảnh báo {subject_code}", "en": f"Alert {subject_code}"},
        **fields,
    )
    session.add(alert)
    session.flush()
    session.add_all(AlertUnit(alert_id=alert.id, scheme=s, unit_code=c) for s, c in units)
    if state != "pending":
        session.add(
            AlertEvent(alert_id=alert.id, at=opened, actor="system", action=EventAction.OPEN)
        )
    if commit:
        session.commit()
    return alert
