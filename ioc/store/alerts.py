"""Alerts as people read them and act on them (docs/alerts.md, "Workflow", "Who sees and
acts"): the list with its filters and counts, one alert with its timeline and deliveries,
the wall's summary, the history export, acknowledge and resolve.

``scopes`` is the caller's units, ``None`` for an account that sees every alert: an alert
is in scope when one of its ``alert_units`` is one of them, checked in the same SQL query."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, false, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from ioc.alerts.rules import rules_in_force
from ioc.store.alert_models import (
    ALERT_FIELDS,
    CLOSED_STATES,
    OPEN_STATES,
    SEVERITY_ORDER,
    Alert,
    AlertDelivery,
    AlertEvent,
    AlertState,
    AlertUnit,
    EventAction,
)
from ioc.store.types import clock

Scopes = Sequence[tuple[str, str]] | None  # (scheme, unit code); None: every alert
#: columns a list may be sorted by (prefix '-' for descending)
SORTS: dict[str, Any] = {
    "id": Alert.id,
    "opened_at": Alert.opened_at,
    "last_seen_at": Alert.last_seen_at,
    "severity": case({s.value: i for i, s in enumerate(SEVERITY_ORDER)}, value=Alert.severity),
    "state": Alert.state,
    "rule_key": Alert.rule_key,
    "subject_name": Alert.subject_name,
    "subject_code": Alert.subject_code,
}
LIST_COLUMNS = (
    *ALERT_FIELDS,
    "opened_at",
    "last_seen_at",
    "acknowledged_at",
    "acknowledged_by",
    "resolved_at",
    "resolved_by",
    "recovered_at",
    "escalated_at",
    "silenced_until",
    "reopened_from",
)


class AlertError(ValueError):
    """An action the store refuses: ``code`` names the catalog's message (``alerts``)."""

    def __init__(self, code: str, status: int, **params: Any) -> None:
        super().__init__(code)
        self.code, self.status, self.params = code, status, params


@dataclass(frozen=True)
class Filters:
    states: tuple[str, ...] = tuple(OPEN_STATES)
    severities: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    unit: tuple[str, str] | None = None  # alerts whose units include it
    q: str | None = None  # in the subject's name or code
    silenced: bool | None = None


def in_scope(scopes: Scopes) -> ColumnElement[bool] | None:
    """The condition that an alert has one of ``scopes`` among its units (None: any)."""
    if scopes is None:
        return None
    if not scopes:
        return false()
    return exists().where(
        AlertUnit.alert_id == Alert.id,
        or_(*(and_(AlertUnit.scheme == s, AlertUnit.unit_code == c) for s, c in scopes)),
    )


def _where(filters: Filters, scopes: Scopes, now: datetime) -> list[ColumnElement[bool]]:
    out: list[ColumnElement[bool]] = []
    scoped = in_scope(scopes)
    if scoped is not None:
        out.append(scoped)
    if filters.states:
        out.append(Alert.state.in_(filters.states))
    if filters.severities:
        out.append(Alert.severity.in_(filters.severities))
    if filters.rules:
        out.append(Alert.rule_key.in_(filters.rules))
    if filters.kinds:
        out.append(Alert.kind.in_(filters.kinds))
    if filters.unit is not None:
        scheme, code = filters.unit
        out.append(
            exists().where(
                AlertUnit.alert_id == Alert.id,
                AlertUnit.scheme == scheme,
                AlertUnit.unit_code == code,
            )
        )
    if filters.q:
        pattern = f"%{filters.q.lower()}%"
        out.append(
            or_(func.lower(Alert.subject_name).like(pattern), Alert.subject_code.like(pattern))
        )
    if filters.silenced is not None:
        silenced = and_(Alert.silenced_until.is_not(None), Alert.silenced_until > now)
        out.append(silenced if filters.silenced else ~silenced)
    return out


def rule_names(session: Session) -> dict[str, tuple[str, str]]:
    """(vi, en) of every rule in force, by key."""
    return {r.key: (r.vi, r.en) for r in rules_in_force(session)}


def _row(alert: Alert, names: dict[str, tuple[str, str]]) -> dict[str, Any]:
    row = {name: getattr(alert, name) for name in LIST_COLUMNS}
    vi, en = names.get(alert.rule_key, ("", ""))
    detail = alert.detail or {}
    return row | {
        "rule_vi": vi,
        "rule_en": en,
        "message_vi": str(detail.get("vi", "")),
        "message_en": str(detail.get("en", "")),
    }


def _ordered(stmt: Select[Any], sort: str) -> Select[Any]:
    by = SORTS[sort.lstrip("-")]
    if sort.startswith("-"):
        return stmt.order_by(by.desc(), Alert.id.desc())
    return stmt.order_by(by.asc(), Alert.id.asc())


def counts(
    session: Session, filters: Filters, scopes: Scopes, now: datetime | None = None
) -> dict[str, dict[str, int]]:
    """Alerts of the filtered set by state and by severity (one query)."""
    stmt = select(Alert.state, Alert.severity, func.count()).where(
        *_where(filters, scopes, clock(now))
    )
    by_state: dict[str, int] = {}
    by_severity: dict[str, int] = {}
    for state, severity, n in session.execute(stmt.group_by(Alert.state, Alert.severity)):
        by_state[state] = by_state.get(state, 0) + n
        by_severity[severity] = by_severity.get(severity, 0) + n
    return {"state": by_state, "severity": by_severity}


def list_alerts(
    session: Session,
    filters: Filters,
    scopes: Scopes,
    *,
    sort: str = "-opened_at",
    offset: int = 0,
    limit: int | None = None,
    now: datetime | None = None,
) -> list[dict[str, Any]]:
    """The filtered alerts in ``sort`` order (a page of them with ``offset``/``limit``)."""
    stmt = _ordered(select(Alert).where(*_where(filters, scopes, clock(now))), sort)
    if limit is not None:
        stmt = stmt.offset(offset).limit(limit)
    names = rule_names(session)
    return [_row(a, names) for a in session.scalars(stmt)]


def get_alert(session: Session, alert_id: int, scopes: Scopes) -> Alert | None:
    """The alert if it exists and is in scope (pending ones are nobody's business yet)."""
    stmt = select(Alert).where(Alert.id == alert_id, Alert.state != AlertState.PENDING)
    scoped = in_scope(scopes)
    if scoped is not None:
        stmt = stmt.where(scoped)
    return session.scalars(stmt).first()


def alert_detail(session: Session, alert: Alert, *, addresses: bool) -> dict[str, Any]:
    """The alert with its units, timeline and deliveries (addresses only if asked)."""
    units = session.execute(
        select(AlertUnit.scheme, AlertUnit.unit_code)
        .where(AlertUnit.alert_id == alert.id)
        .order_by(AlertUnit.scheme, func.length(AlertUnit.unit_code), AlertUnit.unit_code)
    ).all()
    events = session.scalars(
        select(AlertEvent).where(AlertEvent.alert_id == alert.id).order_by(AlertEvent.id)
    ).all()
    deliveries = session.scalars(
        select(AlertDelivery).where(AlertDelivery.alert_id == alert.id).order_by(AlertDelivery.id)
    ).all()
    return _row(alert, rule_names(session)) | {
        "detail": alert.detail,
        "first_seen_at": alert.first_seen_at,
        "seen": alert.seen,
        "acknowledge_comment": alert.acknowledge_comment,
        "resolve_comment": alert.resolve_comment,
        "resolved_build_id": alert.resolved_build_id,
        "units": [{"scheme": s, "code": c} for s, c in units],
        "events": [
            {k: getattr(e, k) for k in ("id", "at", "actor", "action", "comment", "detail")}
            for e in events
        ],
        "deliveries": [
            {
                "id": d.id,
                "event_id": d.event_id,
                "channel": d.channel,
                "recipient": d.recipient,
                "address": d.address if addresses else None,
                "status": d.status,
                "attempts": d.attempts,
                "created_at": d.created_at,
                "sent_at": d.sent_at,
                "error": d.error,
            }
            for d in deliveries
        ],
    }


def _acted(alert: Alert, action: EventAction) -> None:
    if alert.state in CLOSED_STATES:
        raise AlertError("alert_closed", 409, id=alert.id, state=alert.state)
    if action == EventAction.ACKNOWLEDGE and alert.state == AlertState.ACKNOWLEDGED:
        raise AlertError("alert_acknowledged", 409, id=alert.id, by=alert.acknowledged_by or "")


def _alert_for_update(session: Session, alert_id: int, scopes: Scopes) -> Alert:
    alert = get_alert(session, alert_id, scopes)
    if alert is None:
        raise AlertError("unknown_alert", 404, id=alert_id)
    session.refresh(alert, with_for_update=True)
    return alert


def acknowledge(
    session: Session,
    alert_id: int,
    actor: str,
    comment: str | None,
    scopes: Scopes,
    now: datetime | None = None,
) -> tuple[Alert, AlertEvent]:
    """open → acknowledged, with who and why; 409 if closed or already acknowledged."""
    at = clock(now)
    alert = _alert_for_update(session, alert_id, scopes)
    _acted(alert, EventAction.ACKNOWLEDGE)
    alert.state = AlertState.ACKNOWLEDGED
    alert.acknowledged_at, alert.acknowledged_by = at, actor
    alert.acknowledge_comment = comment
    event = AlertEvent(
        alert_id=alert.id, at=at, actor=actor, action=EventAction.ACKNOWLEDGE, comment=comment
    )
    session.add(event)
    session.commit()
    return alert, event


def resolve(
    session: Session,
    alert_id: int,
    actor: str,
    comment: str,
    build_id: str | None,
    scopes: Scopes,
    now: datetime | None = None,
) -> tuple[Alert, AlertEvent]:
    """open or acknowledged → resolved (closed: its open key is freed), on ``build_id``."""
    at = clock(now)
    alert = _alert_for_update(session, alert_id, scopes)
    _acted(alert, EventAction.RESOLVE)
    alert.state = AlertState.RESOLVED
    alert.resolved_at, alert.resolved_by, alert.resolve_comment = at, actor, comment
    alert.resolved_build_id = build_id
    alert.open_key = None
    event = AlertEvent(
        alert_id=alert.id,
        at=at,
        actor=actor,
        action=EventAction.RESOLVE,
        comment=comment,
        detail={"build_id": build_id},
    )
    session.add(event)
    session.commit()
    return alert, event


def summary(
    session: Session,
    scopes: Scopes,
    unit: tuple[str, str] | None,
    *,
    top: int = 10,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Open alerts not silenced, by severity, and the ``top`` most severe then oldest."""
    at = clock(now)
    shown = Filters(unit=unit, silenced=False)
    by = counts(session, shown, scopes, at)["severity"]
    silenced = counts(session, Filters(unit=unit, silenced=True), scopes, at)["severity"]
    first: list[dict[str, Any]] = []
    if top > 0:  # the counts alone (an overview's) need neither the alerts nor rule names
        stmt = (
            select(Alert)
            .where(*_where(shown, scopes, at))
            .order_by(SORTS["severity"].desc(), Alert.opened_at.asc(), Alert.id.asc())
            .limit(top)
        )
        names = rule_names(session)
        first = [_row(a, names) for a in session.scalars(stmt)]
    return {
        "total": sum(by.values()),
        "severity": {s.value: by.get(s.value, 0) for s in SEVERITY_ORDER},
        "silenced": sum(silenced.values()),
        "top": first,
    }


def events(
    session: Session,
    scopes: Scopes,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    rules: Sequence[str] = (),
    unit: tuple[str, str] | None = None,
) -> list[dict[str, Any]]:
    """Every timeline event of the alerts in scope (the history export), oldest first."""
    where = _where(Filters(states=(), rules=tuple(rules), unit=unit), scopes, clock(None))
    if since is not None:
        where.append(AlertEvent.at >= since)
    if until is not None:
        where.append(AlertEvent.at < until)
    stmt = (
        select(
            AlertEvent.id,
            AlertEvent.alert_id,
            AlertEvent.at,
            AlertEvent.actor,
            AlertEvent.action,
            AlertEvent.comment,
            Alert.rule_key,
            Alert.severity,
            Alert.subject_kind,
            Alert.subject_code,
            Alert.subject_name,
            Alert.scheme,
            Alert.unit_code,
            Alert.item,
        )
        .join(Alert, Alert.id == AlertEvent.alert_id)
        .where(*where)
        .order_by(AlertEvent.at, AlertEvent.id)
    )
    return [dict(row._mapping) for row in session.execute(stmt)]
