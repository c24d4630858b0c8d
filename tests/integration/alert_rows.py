"""Alerts written straight into a store (the engine that opens them is another module's):
shared by the alerts' API tests and the ``alerts_page`` bench."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from ioc import store
from ioc.alerts.condition import open_key
from ioc.config import Settings
from ioc.store.alert_models import Alert, AlertDelivery, AlertEvent, AlertUnit, EventAction
from ioc.store.demo import DEMO_PASSWORD
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


P94, D945, D941, P92 = ("legacy", "94"), ("legacy", "945"), ("legacy", "941"), ("2025", "92")


def seed(settings: Settings) -> dict[str, int]:
    """Alerts in old districts 945 and 941 of province 94 and at the province; their ids."""
    engine = store.make_engine(settings)
    try:
        with store.open_session(engine) as s:
            ids = {
                "norm_945": add_alert(
                    s,
                    rule_key="norm_commune_key",
                    subject_code="94501",
                    subject_name="Xã An Thạnh 1",
                    item="NET_CLASS_SIZE",
                    units=[P94, P92, D945],
                ).id,
                "school_941": add_alert(
                    s,
                    rule_key="missing_returns_school",
                    kind="missing_returns",
                    subject_kind="school",
                    subject_code="94111001",
                    subject_name="Trường Tiểu học Phường 1",
                    severity="critical",
                    units=[P94, P92, D941],
                ).id,
                "stale": add_alert(
                    s,
                    rule_key="source_stale",
                    kind="source_stale",
                    subject_kind="source",
                    subject_code="smas",
                    severity="critical",
                    state="acknowledged",
                    acknowledged_by="demo-operator",
                    units=[P94, P92],
                ).id,
                "recovered_945": add_alert(
                    s,
                    rule_key="data_age_province",
                    kind="data_age",
                    subject_code="94502",
                    severity="info",
                    state="recovered",
                    units=[P94, P92, D945],
                ).id,
                "pending_945": add_alert(
                    s,
                    rule_key="change_commune",
                    subject_code="94503",
                    state="pending",
                    units=[P94, P92, D945],
                ).id,
            }
            alert = s.get(Alert, ids["norm_945"])
            assert alert is not None
            event = s.query(AlertEvent).filter_by(alert_id=alert.id).one()
            s.add(
                AlertDelivery(
                    alert_id=alert.id,
                    event_id=event.id,
                    channel="email",
                    recipient="demo-operator",
                    address="demo-operator@so-gddt.example.vn",
                    status="sent",
                    attempts=1,
                )
            )
            for name, unit in (("op-945", D945), ("op-941", D941)):
                store.create_user(s, name, DEMO_PASSWORD, "operator", units=[unit])
            s.commit()
    finally:
        engine.dispose()
    return ids
