"""The alerts' tables (issue 18, docs/alerts.md): user rules, alerts with the units that
contain their subject, their timelines, silences, webhooks, deliveries and the record of
each evaluation. Imported by :mod:`ioc.store` so the metadata holds them."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from ioc.store.models import Base, Scheme, _in
from ioc.store.types import UTCDateTime, utcnow


class Severity(enum.StrEnum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


#: severities from the least to the most severe (a webhook's min_severity compares by this)
SEVERITY_ORDER: tuple[Severity, ...] = (Severity.INFO, Severity.WARNING, Severity.CRITICAL)


class AlertState(enum.StrEnum):
    PENDING = "pending"  # condition seen, hold not met yet: not an alert anyone sees
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"  # closed by a person
    RECOVERED = "recovered"  # closed by itself: the condition stopped


#: states that hold an open key (the alert is not closed)
ACTIVE_STATES = frozenset({AlertState.PENDING, AlertState.OPEN, AlertState.ACKNOWLEDGED})
#: states people see as open (what the wall and the overview count)
OPEN_STATES = frozenset({AlertState.OPEN, AlertState.ACKNOWLEDGED})
CLOSED_STATES = frozenset({AlertState.RESOLVED, AlertState.RECOVERED})


class SubjectKind(enum.StrEnum):
    UNIT = "unit"
    SCHOOL = "school"
    SOURCE = "source"
    SCHEDULE = "schedule"
    JOB = "job"


class EventAction(enum.StrEnum):
    OPEN = "open"
    ACKNOWLEDGE = "acknowledge"
    RESOLVE = "resolve"
    RECOVER = "recover"
    ESCALATE = "escalate"


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # gave up after the last attempt


class AlertRule(Base):
    """A rule an admin or operator added (``ioc.alerts.rules.RuleSpec`` as stored); the
    catalog's rules live in ``ioc/catalog/alerts.yaml``, not here."""

    __tablename__ = "alert_rules"
    __table_args__ = (
        CheckConstraint(_in("severity", Severity), name="severity"),
        CheckConstraint(_in("scheme", Scheme), name="scheme"),
    )

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    vi: Mapped[str] = mapped_column(String(200))
    en: Mapped[str] = mapped_column(String(200))
    severity: Mapped[str] = mapped_column(String(16))
    level: Mapped[str] = mapped_column(String(16))
    scheme: Mapped[str] = mapped_column(String(8))
    indicators: Mapped[list[str]] = mapped_column(JSON, default=list)
    threshold: Mapped[float | None] = mapped_column(Float, default=None)
    hold_builds: Mapped[int] = mapped_column(Integer, default=1)
    hold_hours: Mapped[float] = mapped_column(Float, default=0.0)
    escalate_after_hours: Mapped[float | None] = mapped_column(Float, default=None)
    route_to: Mapped[list[str]] = mapped_column(JSON, default=list)
    units: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)  # [{scheme, code}]
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Alert(Base):
    """One alert: a rule's condition at one subject (and item), from pending to closed.
    ``open_key`` is ``rule|subject_kind:subject_code|item`` while the alert is active and
    NULL once closed, so at most one active alert exists per key (NULLs never collide)."""

    __tablename__ = "alerts"
    __table_args__ = (
        CheckConstraint(_in("state", AlertState), name="state"),
        CheckConstraint(_in("severity", Severity), name="severity"),
        CheckConstraint(_in("subject_kind", SubjectKind), name="subject_kind"),
        Index("ix_alerts_state_severity", "state", "severity"),
        Index("ix_alerts_rule_key_state", "rule_key", "state"),
        Index("ix_alerts_opened_at", "opened_at"),
        Index("ix_alerts_key_id", "key", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: ``ioc.alerts.condition.open_key`` of its rule, subject and item, kept when it closes
    key: Mapped[str] = mapped_column(String(200))
    open_key: Mapped[str | None] = mapped_column(String(200), unique=True, default=None)
    rule_key: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(24))
    severity: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))
    subject_kind: Mapped[str] = mapped_column(String(16))
    subject_code: Mapped[str] = mapped_column(String(64))
    subject_name: Mapped[str] = mapped_column(String(200), default="")
    #: the unit the alert is about (a school's: its place at the rule's level, or its commune)
    scheme: Mapped[str | None] = mapped_column(String(8), default=None)
    unit_code: Mapped[str | None] = mapped_column(String(8), default=None)
    item: Mapped[str | None] = mapped_column(String(64), default=None)  # an indicator id
    school_year: Mapped[str | None] = mapped_column(String(9), default=None)
    term: Mapped[str | None] = mapped_column(String(4), default=None)
    value: Mapped[float | None] = mapped_column(Float, default=None)
    threshold: Mapped[float | None] = mapped_column(Float, default=None)
    #: what the condition says in words: {vi, en} and its figures
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    seen: Mapped[int] = mapped_column(Integer, default=1)  # consecutive evaluations held
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_build_id: Mapped[str | None] = mapped_column(String(64), default=None)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    acknowledged_by: Mapped[str | None] = mapped_column(String(64), default=None)
    acknowledge_comment: Mapped[str | None] = mapped_column(Text, default=None)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    resolved_by: Mapped[str | None] = mapped_column(String(64), default=None)
    resolve_comment: Mapped[str | None] = mapped_column(Text, default=None)
    resolved_build_id: Mapped[str | None] = mapped_column(String(64), default=None)
    recovered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    silenced_until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    reopened_from: Mapped[int | None] = mapped_column(Integer, default=None)


#: what an alert says about itself to a reader (the API's list, a webhook's body)
ALERT_FIELDS: tuple[str, ...] = (
    "id",
    "rule_key",
    "kind",
    "severity",
    "state",
    "subject_kind",
    "subject_code",
    "subject_name",
    "scheme",
    "unit_code",
    "item",
    "school_year",
    "term",
    "value",
    "threshold",
    "detail",
)


class AlertUnit(Base):
    """Every unit (both schemes) that contains an alert's subject: who may see it."""

    __tablename__ = "alert_units"
    __table_args__ = (
        CheckConstraint(_in("scheme", Scheme), name="scheme"),
        Index("ix_alert_units_unit", "scheme", "unit_code", "alert_id"),
    )

    alert_id: Mapped[int] = mapped_column(
        ForeignKey("alerts.id", ondelete="CASCADE"), primary_key=True
    )
    scheme: Mapped[str] = mapped_column(String(8), primary_key=True)
    unit_code: Mapped[str] = mapped_column(String(8), primary_key=True)


class AlertEvent(Base):
    """One step of an alert's timeline: opened, acknowledged, resolved, recovered,
    escalated; ``actor`` is the account, or ``system`` for the evaluation."""

    __tablename__ = "alert_events"
    __table_args__ = (
        CheckConstraint(_in("action", EventAction), name="action"),
        Index("ix_alert_events_alert_id", "alert_id", "id"),
        Index("ix_alert_events_at", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str | None] = mapped_column(Text, default=None)
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)


class AlertSilence(Base):
    """No delivery, no escalation and no wall for a rule's (``*``: every rule's) alerts in a
    unit, from ``starts_at`` until ``ends_at`` (or until ended early)."""

    __tablename__ = "alert_silences"
    __table_args__ = (
        CheckConstraint(_in("scheme", Scheme), name="scheme"),
        Index("ix_alert_silences_ends_at", "ends_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rule_key: Mapped[str] = mapped_column(String(60))  # or '*'
    scheme: Mapped[str] = mapped_column(String(8))
    unit_code: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(Text)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    ended_by: Mapped[str | None] = mapped_column(String(64), default=None)


class AlertWebhook(Base):
    """A URL alerts are POSTed to, signed with the ``secret`` of its secrets-file entry."""

    __tablename__ = "alert_webhooks"
    __table_args__ = (CheckConstraint(_in("min_severity", Severity), name="min_severity"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    url: Mapped[str] = mapped_column(Text)
    secret: Mapped[str] = mapped_column(String(200))  # the secrets file's entry name
    min_severity: Mapped[str] = mapped_column(String(16), default=Severity.WARNING)
    units: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)  # empty: all
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AlertDelivery(Base):
    """One alert event to one recipient: an account by e-mail (in a digest) or a webhook."""

    __tablename__ = "alert_deliveries"
    __table_args__ = (
        CheckConstraint(_in("status", DeliveryStatus), name="status"),
        CheckConstraint("channel IN ('email', 'webhook')", name="channel"),
        Index("ix_alert_deliveries_status_due", "status", "next_attempt_at"),
        Index("ix_alert_deliveries_alert_id", "alert_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(ForeignKey("alert_events.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(8))
    recipient: Mapped[str] = mapped_column(String(64))  # username, or webhook name
    address: Mapped[str] = mapped_column(Text)  # e-mail address, or URL
    status: Mapped[str] = mapped_column(String(8), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    digest: Mapped[str | None] = mapped_column(String(64), default=None)  # the mail's id
    error: Mapped[str | None] = mapped_column(Text, default=None)


class AlertEvaluation(Base):
    """One evaluation of the rules: what triggered it, on which build, what it did."""

    __tablename__ = "alert_evaluations"
    __table_args__ = (Index("ix_alert_evaluations_build_id", "build_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    trigger: Mapped[str] = mapped_column(String(8))  # build | clock | manual
    build_id: Mapped[str | None] = mapped_column(String(64), default=None)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    duration_seconds: Mapped[float | None] = mapped_column(Float, default=None)
    rules: Mapped[int] = mapped_column(Integer, default=0)
    conditions: Mapped[int] = mapped_column(Integer, default=0)
    opened: Mapped[int] = mapped_column(Integer, default=0)
    recovered: Mapped[int] = mapped_column(Integer, default=0)
    escalated: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, default=None)
