"""SQLAlchemy models of the operational store: accounts, scopes, tokens, sessions, audit,
login throttles, report schedules and their runs, jobs, sources and their pulls.

Not for analytics (those live in DuckDB). Every timestamp is timezone-aware UTC.
"""

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
    MetaData,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from ioc.domain.units import level_of
from ioc.store.types import UTCDateTime, utcnow

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Role(enum.StrEnum):
    ADMIN = "admin"  # manages accounts; reads everything
    LEADER = "leader"  # reads everything
    ANALYST = "analyst"  # reads and exports within assigned units
    OPERATOR = "operator"  # ingest, targets, schedules within assigned units
    DISPLAY = "display"  # wall screen: read-only aggregates
    SYNC = "sync"  # machine account of another IOC-EDU instance: reads /sync/* and nothing else
    APPROVER = "approver"  # checks and approves returns within assigned units (docs/approval.md)


#: Roles that must have at least one unit scope.
SCOPED_ROLES = frozenset({Role.ANALYST, Role.OPERATOR, Role.APPROVER})
#: Roles that may have unit scopes (none means every unit).
SCOPABLE_ROLES = frozenset({Role.ANALYST, Role.OPERATOR, Role.DISPLAY, Role.SYNC, Role.APPROVER})


class Scheme(enum.StrEnum):
    LEGACY = "legacy"  # 2008-2025 units: province (2 digits), district (3), commune (5)
    NEW = "2025"  # units since 1 July 2025: province (2), commune (5)


class RunStatus(enum.StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    PARTIAL = "partial"  # some units or deliveries failed, the others were produced
    FAILED = "failed"


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    INTERRUPTED = "interrupted"  # left queued or running by a server that stopped


#: the statuses a job ends in
JOB_ENDED = frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.INTERRUPTED})


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _in(column: str, values: frozenset[str] | type[enum.StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in sorted(values))})"


class User(Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint(_in("role", Role), name="role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    #: where alerts are mailed (docs/alerts.md); none: the account gets no mail
    email: Mapped[str | None] = mapped_column(String(254), default=None)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    scopes: Mapped[list[UserScope]] = relationship(
        back_populates="user",
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by=lambda: (
            UserScope.scheme,
            func.length(UserScope.unit_code),
            UserScope.unit_code,
        ),
    )

    def __repr__(self) -> str:
        return f"User(id={self.id!r}, username={self.username!r}, role={self.role!r})"

    @property
    def units(self) -> list[tuple[str, str]]:
        """The user's unit scopes as ``(scheme, unit_code)`` pairs."""
        return [(s.scheme, s.unit_code) for s in self.scopes]


class UserScope(Base):
    """One unit an analyst, operator or display account is limited to."""

    __tablename__ = "user_scopes"
    __table_args__ = (
        UniqueConstraint("user_id", "scheme", "unit_code"),
        CheckConstraint(_in("scheme", Scheme), name="scheme"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    scheme: Mapped[str] = mapped_column(String(8))
    unit_code: Mapped[str] = mapped_column(String(8))

    user: Mapped[User] = relationship(back_populates="scopes")

    @property
    def level(self) -> str:
        """province, district or commune, from the length of the code."""
        return level_of(self.unit_code)


class ApiToken(Base):
    """A bearer token; only the SHA-256 of the secret is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    user: Mapped[User] = relationship(lazy="joined")


class WebSession(Base):
    """A dashboard login; the id is the SHA-256 of the cookie secret."""

    __tablename__ = "web_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    ip: Mapped[str | None] = mapped_column(String(64), default=None)

    user: Mapped[User] = relationship(lazy="joined")


class AuditEvent(Base):
    """Who did what, when, from where. ``username`` is free text: unknown names are kept."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_at", "at"),
        Index("ix_audit_events_action_at", "action", "at"),
        Index("ix_audit_events_username_at", "username", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    username: Mapped[str | None] = mapped_column(String(64), default=None)
    action: Mapped[str] = mapped_column(String(32))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    ip: Mapped[str | None] = mapped_column(String(64), default=None)


class ThrottleKind(enum.StrEnum):
    PAIR = "pair"  # one client address trying one account
    ADDRESS = "address"  # one client address, any accounts
    ACCOUNT = "account"  # one account, from any addresses


class LoginThrottle(Base):
    """Recent failed logins of one address, account, or address-and-account pair, and the
    wait they impose (``blocked_until``). ``refused`` counts the attempts refused meanwhile,
    all recorded in the one ``login_throttled`` audit event ``audit_id`` of the window."""

    __tablename__ = "login_throttles"
    __table_args__ = (
        UniqueConstraint("kind", "key"),
        CheckConstraint(_in("kind", ThrottleKind), name="kind"),
        Index("ix_login_throttles_last_at", "last_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    key: Mapped[str] = mapped_column(String(200))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    refused: Mapped[int] = mapped_column(Integer, default=0)
    audit_id: Mapped[int | None] = mapped_column(Integer, default=None)


class ReportSchedule(Base):
    """A report produced on a cron schedule for some units, delivered to a folder and/or by
    e-mail. ``period`` is a rule ('latest', 'previous') or a fixed 'YYYY-YYYY/DN|CN'."""

    __tablename__ = "report_schedules"
    __table_args__ = (CheckConstraint(_in("scheme", Scheme), name="scheme"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    owner: Mapped[str] = mapped_column(String(64))
    cron: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(32))
    scheme: Mapped[str] = mapped_column(String(8))
    unit_codes: Mapped[list[str]] = mapped_column(JSON)
    period: Mapped[str] = mapped_column(String(16))
    formats: Mapped[list[str]] = mapped_column(JSON)
    folder: Mapped[str | None] = mapped_column(String(200), default=None)
    email_to: Mapped[list[str]] = mapped_column(JSON, default=list)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: the due time of the last scheduled run that finished (succeeded, or failed for good);
    #: a restart runs once any due time after it that was missed
    last_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class ReportRun(Base):
    """One run of a schedule (due, retried or run now): status, times, files, error."""

    __tablename__ = "report_runs"
    __table_args__ = (
        CheckConstraint(_in("status", RunStatus), name="status"),
        Index("ix_report_runs_schedule_id_started_at", "schedule_id", "started_at"),
        # a due run is started once, whichever process's scheduler fires it (docs/scale.md)
        Index(
            "uq_report_runs_schedule_due_attempt", "schedule_id", "due_at", "attempt", unique=True
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("report_schedules.id", ondelete="CASCADE"))
    trigger: Mapped[str] = mapped_column(String(16))  # schedule | retry | manual
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    status: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    duration_s: Mapped[float | None] = mapped_column(Float, default=None)
    period: Mapped[str | None] = mapped_column(String(16), default=None)
    #: file names relative to the schedule's report folder
    files: Mapped[list[str]] = mapped_column(JSON, default=list)
    delivered: Mapped[list[str]] = mapped_column(JSON, default=list)
    error: Mapped[str | None] = mapped_column(Text, default=None)


class Job(Base):
    """Long work run by the job runner (``ioc.jobs.runner``): an upload's ingest today."""

    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint(_in("status", JobStatus), name="status"),
        Index("ix_jobs_started_by_id", "started_by", "id"),
        Index("ix_jobs_status_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default=JobStatus.QUEUED)
    started_by: Mapped[str] = mapped_column(String(64))
    #: what the job's kind needs to run it (never shown: it may hold server paths)
    request: Mapped[dict[str, Any]] = mapped_column(JSON)
    done: Mapped[int] = mapped_column(Integer, default=0)  # progress: steps done of total
    total: Mapped[int] = mapped_column(Integer, default=1)
    stage: Mapped[str | None] = mapped_column(String(32), default=None)  # catalog's job_stages
    #: what it answers when it succeeded (an upload's: the run's report)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    #: the problem (RFC 9457 body) when it failed or was interrupted
    problem: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    #: the instance (``ioc.store.cluster_models.Instance``) running it; a running job whose
    #: instance stopped its heartbeat is interrupted by the others (docs/scale.md)
    claimed_by: Mapped[str | None] = mapped_column(String(120), default=None)


class PullStatus(enum.StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    INTERRUPTED = "interrupted"  # left running by a server that stopped


class Source(Base):
    """A system the Department pulls from (``ioc.sources.spec.SourceSpec`` as stored). It
    names an entry of the secrets file, never holds a credential."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    base_url: Mapped[str] = mapped_column(Text)
    secret: Mapped[str | None] = mapped_column(String(200), default=None)
    units: Mapped[list[dict[str, str]]] = mapped_column(JSON)  # [{scheme, code}]
    resources: Mapped[list[str]] = mapped_column(JSON)
    cron: Mapped[str | None] = mapped_column(String(100), default=None)
    reconcile_cron: Mapped[str | None] = mapped_column(String(100), default=None)
    late_after_hours: Mapped[int] = mapped_column(Integer, default=48)
    mapping: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SourcePull(Base):
    """One pull of a source (the ledger): what it fetched and did, from its PullReport."""

    __tablename__ = "source_pulls"
    __table_args__ = (
        CheckConstraint(_in("status", PullStatus), name="status"),
        CheckConstraint("mode IN ('delta', 'full')", name="mode"),
        Index("ix_source_pulls_source_id", "source", "id"),
        Index("ix_source_pulls_status", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(40))  # its name: the ledger outlives it
    job_id: Mapped[int | None] = mapped_column(Integer, default=None)
    trigger: Mapped[str] = mapped_column(String(16))  # api | cli | schedule
    started_by: Mapped[str] = mapped_column(String(64))
    mode: Mapped[str] = mapped_column(String(8))
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default=PullStatus.RUNNING)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    duration_seconds: Mapped[float | None] = mapped_column(Float, default=None)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    fetched: Mapped[int] = mapped_column(Integer, default=0)
    inserted: Mapped[int] = mapped_column(Integer, default=0)
    replaced: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    tombstones: Mapped[int] = mapped_column(Integer, default=0)
    retries: Mapped[int] = mapped_column(Integer, default=0)
    #: {resource: [before, after]}
    watermarks: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    reject_reasons: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    run_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    drift: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    #: {code, vi, en, resource, page, field}
    error: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
