"""Password login, throttled (``ioc.store.throttle``). Every attempt that is checked is
audited as ``login`` or ``login_failed``; attempts refused by a throttle are counted in one
``login_throttled`` event per throttled key and window.

A login is two steps so that a caller can bound how many passwords are hashed at once
between them: :func:`begin` counts the attempt (or raises :class:`Throttled`, without
hashing anything), :func:`finish` checks the password.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ioc.config import get_settings
from ioc.store import passwords, throttle
from ioc.store.audit import Action, record
from ioc.store.models import User
from ioc.store.throttle import Limits, Throttled
from ioc.store.types import clock

__all__ = ["Attempt", "Throttled", "authenticate", "begin", "finish"]


@dataclass(frozen=True)
class Attempt:
    """A counted login attempt, waiting for its password check."""

    username: str
    ip: str | None


def begin(
    session: Session,
    username: str,
    ip: str | None = None,
    *,
    limits: Limits | None = None,
    now: datetime | None = None,
) -> Attempt:
    """Count an attempt against its address, account and pair; :class:`Throttled` (with
    the seconds to wait) if one of them must wait first."""
    name = username.strip().lower()[:64]
    limits = limits or Limits.of(get_settings())
    throttle.reserve(session, name, ip, limits, clock(now))
    return Attempt(name, ip)


def _fail(session: Session, attempt: Attempt, reason: str, now: datetime) -> None:
    record(session, Action.LOGIN_FAILED, attempt.username, {"reason": reason}, attempt.ip, at=now)
    session.commit()


def finish(
    session: Session, attempt: Attempt, password: str, *, now: datetime | None = None
) -> User | None:
    """The account if the password is right and the account is active.

    Unknown accounts cost the same hashing time as known ones. A correct password hashed
    with old parameters is rehashed.
    """
    now = clock(now)
    user = session.scalar(select(User).where(User.username == attempt.username))
    if user is None:
        passwords.burn_time(password)
        _fail(session, attempt, "unknown_user", now)
        return None
    if not passwords.verify_password(user.password_hash, password):
        _fail(session, attempt, "bad_password", now)
        return None
    if not user.is_active:
        _fail(session, attempt, "disabled", now)
        return None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    throttle.settle(session, attempt.username, attempt.ip)
    record(session, Action.LOGIN, attempt.username, None, attempt.ip, at=now)
    session.commit()
    return user


def authenticate(
    session: Session,
    username: str,
    password: str,
    ip: str | None = None,
    *,
    limits: Limits | None = None,
    now: datetime | None = None,
) -> User | None:
    """:func:`begin` then :func:`finish`: the account, None, or :class:`Throttled`."""
    attempt = begin(session, username, ip, limits=limits, now=now)
    return finish(session, attempt, password, now=now)
