"""Dashboard sessions. The cookie carries a random secret; the store keeps its SHA-256."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, or_
from sqlalchemy.orm import Session

from ioc.store.audit import Action, record
from ioc.store.models import User, WebSession
from ioc.store.types import clock, utcnow

DEFAULT_SESSION_TTL = timedelta(hours=12)
_MAX_SECRET_LENGTH = 128


def _session_id(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_session(
    session: Session,
    user: User,
    ip: str | None = None,
    ttl: timedelta = DEFAULT_SESSION_TTL,
    *,
    now: datetime | None = None,
) -> str:
    """Open a web session for ``user``; returns the cookie secret (not stored)."""
    now = clock(now)
    secret = secrets.token_urlsafe(32)
    session.add(
        WebSession(
            id=_session_id(secret),
            user_id=user.id,
            created_at=now,
            expires_at=now + ttl,
            ip=ip[:64] if ip else None,
        )
    )
    session.commit()
    return secret


def _open(session: Session, secret: str) -> WebSession | None:
    if not secret or len(secret) > _MAX_SECRET_LENGTH:
        return None
    return session.get(WebSession, _session_id(secret))


def verify_session(session: Session, secret: str, *, now: datetime | None = None) -> User | None:
    """The session's account if the session is open, unexpired and the account active."""
    row = _open(session, secret)
    now = clock(now)
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    return row.user if row.user.is_active else None


def end_session(session: Session, secret: str, ip: str | None = None) -> bool:
    """Log out: revoke the session and audit ``logout``. False if it was not open."""
    row = _open(session, secret)
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    record(session, Action.LOGOUT, row.user.username, None, ip)
    session.commit()
    return True


def purge_sessions(session: Session, *, now: datetime | None = None) -> int:
    """Delete expired and revoked sessions; returns how many."""
    now = clock(now)
    result = session.execute(
        delete(WebSession).where(
            or_(WebSession.expires_at <= now, WebSession.revoked_at.isnot(None))
        )
    )
    session.commit()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]  # DML returns a CursorResult
