"""Login throttles: failed logins counted per client address, per account and per
address-and-account pair, each with a free allowance and then growing waits.

An attempt is counted *before* its password is hashed (:func:`reserve`), atomically and only
when none of its keys is waiting, so concurrent attempts cannot slip past an allowance; a
successful login takes its count back (:func:`settle`). Attempts refused while a key waits
are never hashed; they are counted in one ``login_throttled`` audit event per key and window.
The state lives in the store, so it holds across workers and restarts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ioc.config import Settings
from ioc.store.audit import Action, record
from ioc.store.models import AuditEvent, LoginThrottle, ThrottleKind


@dataclass(frozen=True)
class Rule:
    """``free`` failures, then waits of ``first`` seconds doubling up to ``cap``."""

    free: int
    first: float
    cap: float

    def wait(self, failures: int) -> timedelta | None:
        if failures < self.free:
            return None
        exponent = min(failures - self.free, 32)
        return timedelta(seconds=min(self.cap, self.first * 2**exponent))


@dataclass(frozen=True)
class Limits:
    window: timedelta
    rules: dict[ThrottleKind, Rule]

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        first, cap = settings.login_delay_seconds, settings.login_max_delay_seconds
        return cls(
            window=timedelta(seconds=settings.login_window_seconds),
            rules={
                ThrottleKind.PAIR: Rule(settings.login_pair_failures, first, cap),
                ThrottleKind.ADDRESS: Rule(settings.login_address_failures, first, cap),
                ThrottleKind.ACCOUNT: Rule(
                    settings.login_account_failures, 1.0, settings.login_account_max_delay_seconds
                ),
            },
        )


class Throttled(Exception):
    """Too many failed logins: try again in ``retry_after`` seconds."""

    def __init__(self, kind: ThrottleKind, retry_after: int) -> None:
        super().__init__(f"login throttled ({kind}) for {retry_after} s")
        self.kind, self.retry_after = kind, retry_after


def keys(username: str, ip: str | None) -> dict[ThrottleKind, str]:
    address = ip or "unknown"
    return {
        ThrottleKind.PAIR: f"{address} {username}",
        ThrottleKind.ADDRESS: address,
        ThrottleKind.ACCOUNT: username,
    }


def _insert_missing(session: Session, kind: ThrottleKind, key: str, now: datetime) -> bool:
    """Add the key's row if it has none yet; True if it was added."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    values = {"kind": str(kind), "key": key, "failures": 0, "last_at": now, "refused": 0}
    result = session.execute(insert(LoginThrottle).values(**values).on_conflict_do_nothing())
    return bool(result.rowcount)  # type: ignore[attr-defined]  # DML returns a CursorResult


def _count(
    session: Session, kind: ThrottleKind, key: str, rule: Rule, now: datetime, window: timedelta
) -> bool:
    """One more failure for the key unless it is waiting; False if it is."""
    t = LoginThrottle
    stale = t.last_at < now - window
    counted = session.execute(
        update(t)
        .where(t.kind == str(kind), t.key == key)
        .where(or_(t.blocked_until.is_(None), t.blocked_until <= now))
        .values(
            failures=case((stale, 1), else_=t.failures + 1),
            refused=case((stale, 0), else_=t.refused),
            audit_id=case((stale, None), else_=t.audit_id),
            last_at=now,
        )
        .returning(t.id, t.failures)
    ).first()
    if counted is None:
        return False
    wait = rule.wait(counted.failures)
    if wait is not None:
        session.execute(update(t).where(t.id == counted.id).values(blocked_until=now + wait))
    return True


def reserve(session: Session, username: str, ip: str | None, limits: Limits, now: datetime) -> None:
    """Count this attempt as a failure of each key, or raise :class:`Throttled` (and count
    the refusal) when a key is waiting. Commits."""
    for kind, key in keys(username, ip).items():
        if _insert_missing(session, kind, key, now) and kind == ThrottleKind.PAIR:
            purge(session, now, limits.window)  # a new caller: drop the forgotten ones
        if not _count(session, kind, key, limits.rules[kind], now, limits.window):
            session.rollback()
            _refuse(session, kind, key, username, ip, now)
            raise Throttled(kind, _retry_after(session, kind, key, now))
    session.commit()


def _retry_after(session: Session, kind: ThrottleKind, key: str, now: datetime) -> int:
    until = session.scalar(
        select(LoginThrottle.blocked_until).where(
            LoginThrottle.kind == str(kind), LoginThrottle.key == key
        )
    )
    return max(1, math.ceil((until - now).total_seconds())) if until else 1


def _refuse(
    session: Session, kind: ThrottleKind, key: str, username: str, ip: str | None, now: datetime
) -> None:
    """Count a refused attempt in the key's one ``login_throttled`` event of the window."""
    t = LoginThrottle
    row = session.execute(
        update(t)
        .where(t.kind == str(kind), t.key == key)
        .values(refused=t.refused + 1)
        .returning(t.id, t.refused, t.audit_id, t.blocked_until)
    ).one()
    detail = {
        "throttled_by": str(kind),
        "refused": row.refused,
        "last_at": now.isoformat(),
        "blocked_until": row.blocked_until.isoformat() if row.blocked_until else None,
    }
    if row.audit_id is None:
        name = None if kind == ThrottleKind.ADDRESS else username
        address = None if kind == ThrottleKind.ACCOUNT else ip
        event = record(session, Action.LOGIN_THROTTLED, name, detail, address, at=now)
        session.flush()
        session.execute(update(t).where(t.id == row.id).values(audit_id=event.id))
    else:
        session.execute(
            update(AuditEvent).where(AuditEvent.id == row.audit_id).values(detail=detail)
        )
    session.commit()


def settle(session: Session, username: str, ip: str | None) -> None:
    """A successful login: its pair and account start again; its address (perhaps shared by
    a whole office) takes back the one failure counted for it. The caller commits."""
    t = LoginThrottle
    names = keys(username, ip)
    session.execute(
        delete(t).where(
            or_(
                (t.kind == str(ThrottleKind.PAIR)) & (t.key == names[ThrottleKind.PAIR]),
                (t.kind == str(ThrottleKind.ACCOUNT)) & (t.key == username),
            )
        )
    )
    session.execute(
        update(t)
        .where(t.kind == str(ThrottleKind.ADDRESS), t.key == names[ThrottleKind.ADDRESS])
        .where(t.failures > 0)
        .values(failures=t.failures - 1)
    )


def forget_account(session: Session, username: str) -> None:
    """An administrator's reset: every wait on the account ends (the caller commits)."""
    t = LoginThrottle
    pairs = t.key.endswith(f" {username}", autoescape=True)
    session.execute(
        delete(t).where(
            or_(
                (t.kind == str(ThrottleKind.ACCOUNT)) & (t.key == username),
                (t.kind == str(ThrottleKind.PAIR)) & pairs,
            )
        )
    )


def account_state(
    session: Session, username: str, now: datetime, window: timedelta
) -> tuple[int, datetime | None]:
    """(failures in the window, waiting until) of an account, for administrators."""
    row = session.scalar(
        select(LoginThrottle).where(
            LoginThrottle.kind == str(ThrottleKind.ACCOUNT), LoginThrottle.key == username
        )
    )
    if row is None or row.last_at < now - window:
        return 0, None
    until = row.blocked_until if row.blocked_until and row.blocked_until > now else None
    return row.failures, until


def purge(session: Session, now: datetime, window: timedelta) -> int:
    """Delete keys quiet for a window and no longer waiting (the caller commits)."""
    t = LoginThrottle
    result = session.execute(
        delete(t).where(
            t.last_at < now - window, or_(t.blocked_until.is_(None), t.blocked_until <= now)
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]  # DML returns a CursorResult
