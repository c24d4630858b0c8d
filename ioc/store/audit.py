"""The audit log: who did what, when, from where."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from ioc.store.models import AuditEvent
from ioc.store.types import utcnow


class Action(enum.StrEnum):
    """Actions the store and the API record; other strings are accepted too."""

    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGIN_THROTTLED = "login_throttled"  # one event per throttled key and window, counted
    LOGOUT = "logout"
    EXPORT = "export"
    INGEST = "ingest"
    TARGET_SET = "target_set"
    USER_CREATED = "user_created"
    USER_CHANGED = "user_changed"
    TOKEN_CREATED = "token_created"
    TOKEN_REVOKED = "token_revoked"
    SCHEDULE_CREATED = "schedule_created"
    SCHEDULE_CHANGED = "schedule_changed"
    SCHEDULE_DELETED = "schedule_deleted"
    REPORT_RUN = "report_run"
    REVIEW_CHECK = "review_check"  # review actions (docs/approval.md), recorded by the API
    REVIEW_APPROVE = "review_approve"
    REVIEW_RETURN = "review_return"
    REVIEW_REOPEN = "review_reopen"
    REVIEW_APPROVE_CLEAN = "review_approve_clean"  # every clean return of a unit at once
    PERIOD_LOCK = "period_lock"
    PERIOD_UNLOCK = "period_unlock"
    ALERT_ACKNOWLEDGE = "alert_acknowledge"  # alerts (docs/alerts.md)
    ALERT_RESOLVE = "alert_resolve"
    ALERT_RULE_ADD = "alert_rule_add"
    ALERT_RULE_CHANGE = "alert_rule_change"
    ALERT_RULE_DELETE = "alert_rule_delete"
    ALERT_SILENCE_ADD = "alert_silence_add"
    ALERT_SILENCE_END = "alert_silence_end"
    ALERT_WEBHOOK_ADD = "alert_webhook_add"
    ALERT_WEBHOOK_DELETE = "alert_webhook_delete"
    ALERT_EVALUATE = "alert_evaluate"


def _clip(value: str | None, length: int) -> str | None:
    return None if value is None else value[:length]


def record(
    session: Session,
    action: str,
    username: str | None,
    detail: Mapping[str, Any] | str | None = None,
    ip: str | None = None,
    *,
    at: datetime | None = None,
) -> AuditEvent:
    """Add an audit event to the session's transaction (the caller commits)."""
    if isinstance(detail, str):
        detail = {"message": detail}
    event = AuditEvent(
        at=at or utcnow(),
        username=_clip(username, 64),
        action=str(action)[:32],
        detail=dict(detail) if detail is not None else None,
        ip=_clip(ip, 64),
    )
    session.add(event)
    return event


def audit(
    session: Session,
    action: str,
    username: str | None,
    detail: Mapping[str, Any] | str | None = None,
    ip: str | None = None,
) -> AuditEvent:
    """Record one audit event and commit it."""
    event = record(session, action, username, detail, ip)
    session.commit()
    return event


def _filtered(query: Select[Any], action: str | None, username: str | None) -> Select[Any]:
    if action is not None:
        query = query.where(AuditEvent.action == str(action))
    if username is not None:
        query = query.where(AuditEvent.username == username)
    return query


def list_audit(
    session: Session,
    limit: int = 100,
    offset: int = 0,
    action: str | None = None,
    username: str | None = None,
) -> list[AuditEvent]:
    """Audit events, newest first."""
    query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    query = _filtered(query, action, username).limit(limit).offset(offset)
    return list(session.scalars(query))


def count_audit(session: Session, action: str | None = None, username: str | None = None) -> int:
    """How many events ``list_audit`` would page through with the same filters."""
    query = _filtered(select(func.count()).select_from(AuditEvent), action, username)
    return session.scalar(query) or 0
