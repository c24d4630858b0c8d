"""The operational store: accounts, unit scopes, API tokens, web sessions, the audit log,
report schedules with their runs (``ioc.store.schedules``) and jobs (``ioc.store.jobs``).

SQLAlchemy 2 over SQLite (``data/store.sqlite``) by default, PostgreSQL when
``IOC_DATABASE_URL`` is set; the schema is managed by Alembic (``ioc/store/migrations``)
and brought up to date by ``migrate``. Not for analytics (those live in DuckDB).

Service functions take a ``Session`` (from ``open_session`` / ``session_factory``) and
commit their own work; changes are audited in the same transaction.
"""

from __future__ import annotations

from ioc.store.accounts import (
    create_user,
    disable_user,
    enable_user,
    get_user,
    list_users,
    set_email,
    set_password,
    set_role,
    set_scopes,
)
from ioc.store.alert_models import Alert, AlertRule
from ioc.store.audit import Action, audit, count_audit, list_audit
from ioc.store.bootstrap import ensure_admin
from ioc.store.cluster_models import Instance, Lease
from ioc.store.demo import DEMO_DISPLAY_TOKEN, DEMO_PASSWORD, DemoAccounts, create_demo_accounts
from ioc.store.engine import make_engine, migrate, open_session, session_factory, store_url
from ioc.store.errors import InvalidInput, StoreError, UnknownUser, UserExists
from ioc.store.login import authenticate
from ioc.store.models import (
    SCOPED_ROLES,
    ApiToken,
    AuditEvent,
    Role,
    Scheme,
    User,
    UserScope,
    WebSession,
)
from ioc.store.review_models import PeriodLock, ReturnReview, ReviewEvent
from ioc.store.scopes import parse_unit
from ioc.store.throttle import Limits, Throttled
from ioc.store.tokens import create_token, list_tokens, revoke_token, verify_token
from ioc.store.web_sessions import (
    DEFAULT_SESSION_TTL,
    create_session,
    end_session,
    purge_sessions,
    verify_session,
)

__all__ = [
    "DEFAULT_SESSION_TTL",
    "DEMO_DISPLAY_TOKEN",
    "DEMO_PASSWORD",
    "SCOPED_ROLES",
    "Action",
    "Alert",
    "AlertRule",
    "ApiToken",
    "AuditEvent",
    "DemoAccounts",
    "Instance",
    "InvalidInput",
    "Lease",
    "Limits",
    "PeriodLock",
    "ReturnReview",
    "ReviewEvent",
    "Role",
    "Scheme",
    "StoreError",
    "Throttled",
    "UnknownUser",
    "User",
    "UserExists",
    "UserScope",
    "WebSession",
    "audit",
    "authenticate",
    "count_audit",
    "create_demo_accounts",
    "create_session",
    "create_token",
    "create_user",
    "disable_user",
    "enable_user",
    "end_session",
    "ensure_admin",
    "get_user",
    "list_audit",
    "list_tokens",
    "list_users",
    "make_engine",
    "migrate",
    "open_session",
    "parse_unit",
    "purge_sessions",
    "revoke_token",
    "session_factory",
    "set_email",
    "set_password",
    "set_role",
    "set_scopes",
    "store_url",
    "verify_session",
    "verify_token",
]
