"""Password login with lockout. Every attempt is audited as ``login`` or ``login_failed``."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ioc.store import passwords
from ioc.store.audit import Action, record
from ioc.store.models import User
from ioc.store.types import clock

#: Consecutive failed logins that lock an account...
LOCKOUT_THRESHOLD = 5
#: ...for this long. A successful login or a password reset clears the count.
LOCKOUT_DURATION = timedelta(minutes=15)


def _fail(
    session: Session, username: str, reason: str, ip: str | None, now: datetime, **extra: object
) -> None:
    record(session, Action.LOGIN_FAILED, username, {"reason": reason, **extra}, ip, at=now)
    session.commit()


def _count_failure(session: Session, user: User, now: datetime) -> bool:
    """Add one failure atomically; lock the account when it reaches the threshold."""
    failures = session.scalar(
        update(User)
        .where(User.id == user.id)
        .values(failed_logins=User.failed_logins + 1)
        .returning(User.failed_logins)
    )
    if failures is not None and failures >= LOCKOUT_THRESHOLD:
        user.failed_logins = 0
        user.locked_until = now + LOCKOUT_DURATION
        return True
    session.refresh(user, ["failed_logins"])
    return False


def authenticate(
    session: Session,
    username: str,
    password: str,
    ip: str | None = None,
    *,
    now: datetime | None = None,
) -> User | None:
    """The account if the password is right and the account is active and not locked.

    Unknown and locked accounts cost the same hashing time as known ones. A correct
    password hashed with old parameters is rehashed.
    """
    now = clock(now)
    name = username.strip().lower()[:64]
    user = session.scalar(select(User).where(User.username == name))
    if user is None:
        passwords.burn_time(password)
        _fail(session, name, "unknown_user", ip, now)
        return None
    if user.locked_until is not None and user.locked_until > now:
        passwords.burn_time(password)
        _fail(session, name, "locked", ip, now, locked_until=user.locked_until.isoformat())
        return None
    if not passwords.verify_password(user.password_hash, password):
        locked = _count_failure(session, user, now)
        _fail(session, name, "bad_password", ip, now, locked=locked)
        return None
    if not user.is_active:
        _fail(session, name, "disabled", ip, now)
        return None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    record(session, Action.LOGIN, name, None, ip, at=now)
    session.commit()
    return user
